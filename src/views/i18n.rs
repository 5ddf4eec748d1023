//! Interface texts in French and English. A struct (not string keys) so that a text missing in
//! one language is a compile error.

use crate::domain::form::FieldKind;
use crate::domain::service::{Delay, DelayUnit};
use crate::domain::{Locale, Role};

mod en;
mod fr;
mod messages;
mod sentences;

pub use messages::field_message;

#[derive(Debug)]
pub struct Texts {
    /// The language these texts are in, for the sentences built with numbers or names.
    pub locale: Locale,
    pub lang_name: &'static str,
    pub other_lang_label: &'static str,
    pub skip_to_content: &'static str,
    pub nav_home: &'static str,
    pub nav_admin: &'static str,
    pub nav_users: &'static str,
    pub nav_teams: &'static str,
    pub nav_account: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub bad_credentials: &'static str,
    pub throttled: &'static str,
    pub deactivated: &'static str,
    pub demo_banner_title: &'static str,
    pub demo_banner_text: &'static str,
    pub demo_password_is: &'static str,
    /// The demo accounts and what each one shows, for the sign-in page in demo mode.
    pub demo_logins: [(&'static str, &'static str); 5],
    pub welcome: &'static str,
    pub home_intro: &'static str,
    pub home_empty_catalog: &'static str,
    pub home_admin_hint: &'static str,
    pub account_title: &'static str,
    pub profile: &'static str,
    pub display_name: &'static str,
    pub email: &'static str,
    pub role: &'static str,
    pub manager: &'static str,
    pub language: &'static str,
    /// The language choice that follows the browser.
    pub browser_language: &'static str,
    pub menu: &'static str,
    /// Between a label and its value: " : " in French, ": " in English.
    pub colon: &'static str,
    /// Between two clauses: " ; " in French, "; " in English.
    pub semicolon: &'static str,
    pub position_of: &'static str,
    pub move_to: &'static str,
    pub session_expired_kept: &'static str,
    pub draft_restored: &'static str,
    pub go_back: &'static str,
    pub confirm_cancel: &'static str,
    pub confirm_cancel_then: &'static str,
    pub request_cancelled: &'static str,
    pub confirm_delete_category: &'static str,
    pub confirm_delete_field: &'static str,
    pub confirm_deactivate: &'static str,
    pub confirm_deactivate_then: &'static str,
    pub cannot_undo: &'static str,
    pub deleted: &'static str,
    pub decision_approved: &'static str,
    pub decision_rejected: &'static str,
    /// Next to a due date that has passed.
    pub late: &'static str,
    /// Before an unread notification, for screen readers.
    pub unread_one: &'static str,
    pub main_navigation: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub change_password: &'static str,
    pub must_change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub password_hint: &'static str,
    pub password_changed: &'static str,
    pub api_tokens: &'static str,
    pub api_tokens_intro: &'static str,
    pub token_name: &'static str,
    pub create_token: &'static str,
    pub token_created: &'static str,
    pub token_shown_once: &'static str,
    pub revoke: &'static str,
    pub no_tokens: &'static str,
    pub created: &'static str,
    pub users_title: &'static str,
    pub new_user: &'static str,
    pub edit_user: &'static str,
    pub active: &'static str,
    pub inactive: &'static str,
    pub none: &'static str,
    pub edit: &'static str,
    pub cancel: &'static str,
    pub create: &'static str,
    pub reset_password: &'static str,
    pub reset_password_help: &'static str,
    pub generated_password: &'static str,
    pub generated_password_help: &'static str,
    pub password_optional_help: &'static str,
    pub teams_title: &'static str,
    pub new_team: &'static str,
    pub edit_team: &'static str,
    pub team_name: &'static str,
    pub team_lead: &'static str,
    pub members: &'static str,
    pub no_teams: &'static str,
    pub form_has_errors: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub forbidden_title: &'static str,
    pub forbidden_text: &'static str,
    pub error_title: &'static str,
    pub error_text: &'static str,
    pub conflict_title: &'static str,
    pub back_home: &'static str,
    pub csrf_failed: &'static str,
    pub role_requester: &'static str,
    pub role_technician: &'static str,
    pub role_admin: &'static str,
    pub backup_download: &'static str,
    pub nav_backups: &'static str,
    pub backups_title: &'static str,
    pub last_backup: &'static str,
    pub no_backup_yet: &'static str,
    pub backup_contents: &'static str,
    pub backup_scheduled: &'static str,
    pub restore_title: &'static str,
    pub restore_help: &'static str,
    pub applies_to: &'static str,
    pub search_title: &'static str,
    pub search_placeholder: &'static str,
    pub search_prompt: &'static str,
    pub no_results: &'static str,
    pub browse_instead: &'static str,
    pub results_for: &'static str,
    pub nav_categories: &'static str,
    pub nav_services: &'static str,
    pub popular_title: &'static str,
    pub browse_title: &'static str,
    pub subcategories: &'static str,
    pub services_title: &'static str,
    pub no_services_here: &'static str,
    pub estimated_delay: &'static str,
    pub delay_unknown: &'static str,
    pub hours: &'static str,
    pub days: &'static str,
    pub hour: &'static str,
    pub day: &'static str,
    pub approval_needed: &'static str,
    pub approval_none: &'static str,
    pub rule_manager: &'static str,
    pub rule_team_lead: &'static str,
    pub rule_user: &'static str,
    pub approver_fallback: &'static str,
    pub handled_by: &'static str,
    pub inactive_notice: &'static str,
    pub no_form_fields: &'static str,
    pub required_mark: &'static str,
    pub choose: &'static str,
    pub new_category: &'static str,
    pub edit_category: &'static str,
    pub parent: &'static str,
    pub top_level: &'static str,
    pub icon: &'static str,
    pub order: &'static str,
    pub description: &'static str,
    pub delete: &'static str,
    pub move_up: &'static str,
    pub move_down: &'static str,
    pub no_categories: &'static str,
    pub new_service: &'static str,
    pub edit_service: &'static str,
    pub name: &'static str,
    pub keywords: &'static str,
    pub keywords_help: &'static str,
    pub category: &'static str,
    pub requires_approval: &'static str,
    pub approval_steps: &'static str,
    pub step: &'static str,
    pub rule_manager_admin: &'static str,
    pub rule_team_lead_admin: &'static str,
    pub delay_value: &'static str,
    pub delay_unit: &'static str,
    pub team: &'static str,
    pub sla_policy: &'static str,
    pub activate: &'static str,
    pub deactivate: &'static str,
    pub form_fields: &'static str,
    pub add_field: &'static str,
    pub edit_field: &'static str,
    pub field_key: &'static str,
    pub field_key_help: &'static str,
    pub field_label: &'static str,
    pub field_help: &'static str,
    pub field_kind: &'static str,
    pub required: &'static str,
    pub options: &'static str,
    pub max_length: &'static str,
    pub min: &'static str,
    pub max: &'static str,
    pub not_in_past: &'static str,
    pub max_size_mb: &'static str,
    pub allowed_types: &'static str,
    pub limits: &'static str,
    pub back: &'static str,
    pub view_in_portal: &'static str,
    pub kind_text: &'static str,
    pub kind_textarea: &'static str,
    pub kind_number: &'static str,
    pub kind_select: &'static str,
    pub kind_multiselect: &'static str,
    pub kind_checkbox: &'static str,
    pub kind_date: &'static str,
    pub kind_file: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub nav_my_requests: &'static str,
    pub nav_approvals: &'static str,
    pub nav_desk: &'static str,
    pub nav_notifications: &'static str,
    pub submit_request: &'static str,
    pub request_form_title: &'static str,
    pub file_again: &'static str,
    pub expected_by: &'static str,
    /// "PDF, PNG — at most 5 MiB." (`{types}`, `{mb}`).
    pub file_limits: &'static str,
    pub request_created: &'static str,
    pub tracking_number: &'static str,
    pub next_step: &'static str,
    pub waiting_approval_by: &'static str,
    pub any_admin: &'static str,
    pub in_it_queue: &'static str,
    pub being_handled_by: &'static str,
    pub closed_request: &'static str,
    pub requester: &'static str,
    pub assignee: &'static str,
    pub unassigned: &'static str,
    pub submitted_on: &'static str,
    pub updated_on: &'static str,
    pub due: &'static str,
    pub details: &'static str,
    pub no_details: &'static str,
    pub attachments: &'static str,
    pub download: &'static str,
    pub timeline: &'static str,
    pub add_comment: &'static str,
    pub comment: &'static str,
    pub internal_comment: &'static str,
    pub internal_badge: &'static str,
    pub send: &'static str,
    pub approval_title: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub reason: &'static str,
    pub reason_help: &'static str,
    pub approval_comment: &'static str,
    pub take: &'static str,
    pub assign: &'static str,
    pub assign_to: &'static str,
    pub complete: &'static str,
    pub resolution: &'static str,
    pub cancel_request: &'static str,
    pub actions: &'static str,
    pub approval_steps_title: &'static str,
    pub system: &'static str,
    pub ev_submitted: &'static str,
    pub ev_approved: &'static str,
    pub ev_rejected: &'static str,
    pub ev_taken: &'static str,
    pub ev_assigned: &'static str,
    pub ev_completed: &'static str,
    pub ev_cancelled: &'static str,
    pub ev_commented: &'static str,
    pub ev_override: &'static str,
    pub my_requests_title: &'static str,
    pub open_requests: &'static str,
    pub history: &'static str,
    pub no_open_requests: &'static str,
    pub no_history: &'static str,
    pub new_request_hint: &'static str,
    pub approvals_title: &'static str,
    pub no_approvals: &'static str,
    pub desk_title: &'static str,
    pub filter: &'static str,
    pub status: &'static str,
    pub open_statuses: &'static str,
    pub all_statuses: &'static str,
    pub any: &'static str,
    pub mine: &'static str,
    pub sort: &'static str,
    pub newest_first: &'static str,
    pub oldest_first: &'static str,
    pub no_requests_match: &'static str,
    pub next_page: &'static str,
    pub first_page: &'static str,
    pub number: &'static str,
    pub service: &'static str,
    pub notifications_title: &'static str,
    pub mark_read: &'static str,
    pub mark_all_read: &'static str,
    pub no_notifications: &'static str,
    pub unread: &'static str,
    pub status_new: &'static str,
    pub status_pending_approval: &'static str,
    pub status_approved: &'static str,
    pub status_in_progress: &'static str,
    pub status_done: &'static str,
    pub status_rejected: &'static str,
    pub status_cancelled: &'static str,
    pub notice_submitted: &'static str,
    pub notice_approval_needed: &'static str,
    pub notice_in_queue: &'static str,
    pub notice_approved: &'static str,
    pub notice_rejected: &'static str,
    pub notice_taken: &'static str,
    pub notice_assigned: &'static str,
    pub notice_completed: &'static str,
    pub notice_comment: &'static str,
    pub fb_nobody: &'static str,
    pub fb_requester: &'static str,
    pub fb_inactive: &'static str,
    pub fb_step: &'static str,
    pub fb_handed_to: &'static str,
    pub illegal_action: &'static str,
    pub upload_too_large: &'static str,
    pub refused_title: &'static str,
    pub form_too_large: &'static str,
    pub form_not_text: &'static str,
}

pub use en::EN;
pub use fr::FR;

pub fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
    }
}

impl Texts {
    /// The language choices of a profile: the browser's, then each language in its own name.
    pub fn locale_choices(&self) -> Vec<(String, String)> {
        let mut choices = vec![("auto".to_owned(), self.browser_language.to_owned())];
        choices.extend(
            Locale::ALL
                .iter()
                .map(|l| (l.code().to_owned(), texts(*l).lang_name.to_owned())),
        );
        choices
    }

    pub fn kind(&self, kind: FieldKind) -> &'static str {
        match kind {
            FieldKind::Text => self.kind_text,
            FieldKind::Textarea => self.kind_textarea,
            FieldKind::Number => self.kind_number,
            FieldKind::Select => self.kind_select,
            FieldKind::Multiselect => self.kind_multiselect,
            FieldKind::Checkbox => self.kind_checkbox,
            FieldKind::Date => self.kind_date,
            FieldKind::File => self.kind_file,
        }
    }

    /// "3 jours", "1 hour"…
    pub fn delay(&self, delay: Delay) -> String {
        let unit = match (delay.unit, delay.value) {
            (DelayUnit::Hours, 1) => self.hour,
            (DelayUnit::Hours, _) => self.hours,
            (DelayUnit::Days, 1) => self.day,
            (DelayUnit::Days, _) => self.days,
        };
        format!("{} {unit}", delay.value)
    }

    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Requester => self.role_requester,
            Role::Technician => self.role_technician,
            Role::Admin => self.role_admin,
        }
    }
}

impl Texts {
    pub fn status(&self, status: crate::domain::request::Status) -> &'static str {
        use crate::domain::request::Status;
        match status {
            Status::New => self.status_new,
            Status::PendingApproval => self.status_pending_approval,
            Status::Approved => self.status_approved,
            Status::InProgress => self.status_in_progress,
            Status::Done => self.status_done,
            Status::Rejected => self.status_rejected,
            Status::Cancelled => self.status_cancelled,
        }
    }

    pub fn notice(&self, kind: crate::domain::notification::NoticeKind) -> &'static str {
        use crate::domain::notification::NoticeKind;
        match kind {
            NoticeKind::Submitted => self.notice_submitted,
            NoticeKind::ApprovalNeeded => self.notice_approval_needed,
            NoticeKind::InQueue => self.notice_in_queue,
            NoticeKind::Approved => self.notice_approved,
            NoticeKind::Rejected => self.notice_rejected,
            NoticeKind::Taken => self.notice_taken,
            NoticeKind::Assigned => self.notice_assigned,
            NoticeKind::Completed => self.notice_completed,
            NoticeKind::Comment => self.notice_comment,
        }
    }

    pub fn fallback_reason(&self, reason: crate::domain::request::FallbackReason) -> &'static str {
        use crate::domain::request::FallbackReason;
        match reason {
            FallbackReason::Nobody => self.fb_nobody,
            FallbackReason::Requester => self.fb_requester,
            FallbackReason::Inactive => self.fb_inactive,
        }
    }

    /// "This action is not possible: the request is now “Done”."
    pub fn illegal(&self, _action: &str, status: crate::domain::request::Status) -> String {
        if self.locale == Locale::Fr {
            format!("{} « {} ».", self.illegal_action, self.status(status))
        } else {
            format!("{} “{}”.", self.illegal_action, self.status(status))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_with_numbers_come_out_in_each_language() {
        let fr = texts(Locale::Fr);
        let en = texts(Locale::En);
        assert!(fr.too_many_top_level(9).starts_with("Il y a 9"));
        assert!(en.too_many_top_level(9).starts_with("There are 9"));
        assert!(fr.category_not_empty(1, 2).starts_with("Cette catégorie"));
        assert_eq!(en.service_count(1), "1 service");
        assert_eq!(en.service_count(0), "0 services");
        assert_eq!(fr.service_count(0), "0 service");
        assert_eq!(fr.service_count(4), "4 services");
        let types = vec!["pdf".to_owned(), "png".to_owned()];
        assert_eq!(
            fr.file_limits_for(&types, Some(5)),
            "PDF, PNG — 5 Mio au plus."
        );
        assert_eq!(
            en.file_limits_for(&[], Some(2)),
            "Any type of file — at most 2 MiB."
        );
        assert_eq!(en.file_limits_for(&types, None), "PDF, PNG.");
        use crate::views::requests::file_size;
        assert_eq!(file_size(98, Locale::Fr), "98 o");
        assert_eq!(file_size(3 << 20, Locale::Fr), "3,0 Mio");
        assert_eq!(file_size(2048, Locale::En), "2 KiB");
        assert!(
            fr.illegal("take", crate::domain::request::Status::Done)
                .contains('«')
        );
        assert!(
            en.illegal("take", crate::domain::request::Status::Done)
                .contains('“')
        );
    }
}
