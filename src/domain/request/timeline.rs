//! The timeline: what happened to a request, who did it and when. Append-only.

use super::{Approver, FallbackReason};
use crate::domain::{Timestamp, UserId};

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
    Cancelled,
    Comment {
        body: String,
        internal: bool,
    },
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
            EventKind::Cancelled => "cancelled",
            EventKind::Comment { .. } => "comment",
        }
    }

    /// Internal comments are for the IT team only.
    pub fn is_internal(&self) -> bool {
        matches!(self, EventKind::Comment { internal: true, .. })
    }
}
