//! The timeline: what happened to a request, who did it and when. Append-only.

use super::{Approver, FallbackReason};
use crate::domain::sla::{Clock, Recipient};
use crate::domain::{TeamId, Timestamp, UserId};

/// One entry of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: Timestamp,
    /// Who caused it; `None` for the system (approver fallbacks).
    pub by: Option<UserId>,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    Submitted,
    ApproverFallback {
        step: usize,
        reason: FallbackReason,
        to: Approver,
    },
    Approved {
        step: usize,
        comment: String,
        overridden: bool,
    },
    Rejected {
        step: usize,
        reason: String,
        overridden: bool,
    },
    Taken,
    Assigned {
        to: UserId,
    },
    Completed {
        resolution: String,
    },
    Cancelled {
        /// Empty when none was given.
        reason: String,
    },
    Comment {
        body: String,
        internal: bool,
    },
    /// The IT team asked the requester for information (an external comment): the SLA clocks
    /// pause until the requester answers or the team resumes.
    Waiting {
        body: String,
    },
    /// The clocks run again: the requester answered, or the IT team resumed.
    Resumed,
    /// By the system: `percent` of an SLA target has elapsed. `due` is the instant the
    /// threshold fell on, so that it fires again only if the deadline moves later; `notify`
    /// says who was told.
    Escalated {
        target: Clock,
        percent: u16,
        due: Timestamp,
        notify: Vec<Recipient>,
    },
    /// By the system: the requester was reminded that the IT team waits for them.
    Reminded,
    /// By the system: closed after `days` days without an answer from the requester.
    ClosedUnanswered {
        days: u32,
    },
    /// The decision just before was taken from the signed link of an approval mail.
    DecidedByMail,
    /// Done, then reopened: a new resolution cycle starts. `first_breached` keeps the SLA
    /// result of the cycle it ended (`None`: no SLA), which the metrics count.
    Reopened {
        reason: String,
        first_breached: Option<bool>,
    },
    /// Given back to the team's queue.
    Released,
    /// Moved to another team's queue.
    Transferred {
        team: TeamId,
    },
    /// The approval just before was given by the requester's manager filing the request for
    /// them.
    ApprovedWhenFiled,
}

impl EventKind {
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::ApproverFallback { .. } => "approver_fallback",
            EventKind::Approved { .. } => "approved",
            EventKind::Rejected { .. } => "rejected",
            EventKind::Taken => "taken",
            EventKind::Assigned { .. } => "assigned",
            EventKind::Completed { .. } => "completed",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::Comment { .. } => "comment",
            EventKind::Waiting { .. } => "waiting",
            EventKind::Resumed => "resumed",
            EventKind::DecidedByMail => "decided_by_mail",
            EventKind::Escalated { .. } => "escalated",
            EventKind::Reminded => "reminded",
            EventKind::ClosedUnanswered { .. } => "closed_unanswered",
            EventKind::Reopened { .. } => "reopened",
            EventKind::Released => "released",
            EventKind::Transferred { .. } => "transferred",
            EventKind::ApprovedWhenFiled => "approved_when_filed",
        }
    }

    /// Internal comments and escalations are for the IT team only.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            EventKind::Comment { internal: true, .. } | EventKind::Escalated { .. }
        )
    }
}
