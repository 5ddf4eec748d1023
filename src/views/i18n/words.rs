//! The words for the domain's values: field kinds, delays, roles, statuses, notices, fallback
//! reasons, and the language choices of a profile.

use super::{Texts, texts};
use crate::domain::form::FieldKind;
use crate::domain::service::{Delay, DelayUnit};
use crate::domain::{Locale, Role};

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
            Status::WaitingForRequester => self.sla.status_waiting,
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
            NoticeKind::WaitingForYou => self.sla.notice_waiting,
            NoticeKind::Escalation => self.sla.notice_escalation,
            NoticeKind::Reminder => self.sla.notice_reminder,
            NoticeKind::ClosedUnanswered => self.sla.notice_closed,
            NoticeKind::Reopened => self.life.notice_reopened,
            NoticeKind::Cancelled => self.life.notice_cancelled,
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
