//! The numbers that stand for domain enums in stored records, written down once per type and
//! read both ways from the same list.
//!
//! Invariant: a code, once written, keeps its meaning forever. A new variant takes a new number
//! at the end of its list; a removed variant's number is never reused. The golden files under
//! `tests/golden/` fail when a number moves.

use super::Error;
use crate::domain::audit::AuditKind;
use crate::domain::form::FieldKind;
use crate::domain::notification::NoticeKind;
use crate::domain::request::{FallbackReason, Status};
use crate::domain::service::DelayUnit;
use crate::domain::sla::{Clock, Recipient, TargetUnit};
use crate::domain::{Locale, Role, SessionKind};

/// One function pair per stored enum: `code(variant) -> u8` and `from(table, code)`, both from
/// one list of `Variant => number`, so the two directions cannot disagree.
macro_rules! codes {
    ($($what:literal, $ty:ty, $to:ident, $from:ident { $($variant:ident => $code:literal),+ $(,)? })+) => {$(
        pub fn $to(value: $ty) -> u8 {
            match value {
                $(<$ty>::$variant => $code,)+
            }
        }

        pub fn $from(table: &'static str, code: u8) -> Result<$ty, Error> {
            match code {
                $($code => Ok(<$ty>::$variant),)+
                other => Err(unknown(table, $what, other)),
            }
        }
    )+};
}

codes! {
    "status", Status, status_code, status_from {
        New => 0,
        PendingApproval => 1,
        Approved => 2,
        InProgress => 3,
        Done => 4,
        Rejected => 5,
        Cancelled => 6,
        WaitingForRequester => 7,
    }
    "notification kind", NoticeKind, notice_code, notice_from {
        Submitted => 0,
        ApprovalNeeded => 1,
        InQueue => 2,
        Approved => 3,
        Rejected => 4,
        Taken => 5,
        Assigned => 6,
        Completed => 7,
        Comment => 8,
        WaitingForYou => 9,
        Escalation => 10,
        Reminder => 11,
        ClosedUnanswered => 12,
        Reopened => 13,
        Cancelled => 14,
    }
    "audit kind", AuditKind, audit_kind_code, audit_kind_from {
        Category => 0,
        Service => 1,
        User => 2,
        Team => 3,
        Calendar => 4,
        SlaPolicy => 5,
        Settings => 6,
    }
    "field kind", FieldKind, field_kind_code, field_kind_from {
        Text => 0,
        Textarea => 1,
        Number => 2,
        Select => 3,
        Multiselect => 4,
        Checkbox => 5,
        Date => 6,
        File => 7,
    }
    "fallback reason", FallbackReason, reason_code, reason_from {
        Nobody => 0,
        Requester => 1,
        Inactive => 2,
    }
    "role", Role, role_code, role_from {
        Requester => 0,
        Technician => 1,
        Admin => 2,
    }
    "locale", Locale, locale_code, locale_from {
        Fr => 0,
        En => 1,
    }
    "session kind", SessionKind, session_kind_code, session_kind_from {
        Web => 0,
        ApiLogin => 1,
        Personal => 2,
    }
    "delay unit", DelayUnit, delay_unit_code, delay_unit_from {
        Hours => 0,
        Days => 1,
    }
    "target unit", TargetUnit, target_unit_code, target_unit_from {
        Minutes => 0,
        Hours => 1,
        Days => 2,
    }
    "SLA clock", Clock, clock_code, clock_from {
        Response => 0,
        Resolution => 1,
    }
    "recipient", Recipient, recipient_code, recipient_from {
        Assignee => 0,
        Team => 1,
        TeamLead => 2,
        Admins => 3,
    }
}

/// Approval rules in requests: 0 manager, 1 team lead, 2 a designated user.
pub const RULE_MANAGER: u8 = 0;
pub const RULE_TEAM_LEAD: u8 = 1;
pub const RULE_USER: u8 = 2;

/// An unknown code; the key is added by whoever read the record (`records::read`).
pub fn unknown(table: &'static str, what: &str, code: impl std::fmt::Display) -> Error {
    Error::Decode {
        table: table.to_owned(),
        key: String::new(),
        reason: format!("unknown {what} code {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant has a code, and every code reads back as its variant.
    #[test]
    fn every_code_reads_back_and_unknown_codes_are_named() {
        for s in Status::ALL {
            assert_eq!(status_from("t", status_code(s)).ok(), Some(s));
        }
        for k in NoticeKind::ALL {
            assert_eq!(notice_from("t", notice_code(k)).ok(), Some(k));
        }
        for k in FieldKind::ALL {
            assert_eq!(field_kind_from("t", field_kind_code(k)).ok(), Some(k));
        }
        for r in Role::ALL {
            assert_eq!(role_from("t", role_code(r)).ok(), Some(r));
        }
        for l in Locale::ALL {
            assert_eq!(locale_from("t", locale_code(l)).ok(), Some(l));
        }
        for u in TargetUnit::ALL {
            assert_eq!(target_unit_from("t", target_unit_code(u)).ok(), Some(u));
        }
        for c in Clock::ALL {
            assert_eq!(clock_from("t", clock_code(c)).ok(), Some(c));
        }
        for r in Recipient::ALL {
            assert_eq!(recipient_from("t", recipient_code(r)).ok(), Some(r));
        }
        let error = status_from("requests", 200).expect_err("unknown");
        assert_eq!(
            error.to_string(),
            "a stored requests record cannot be read: unknown status code 200"
        );
    }
}
