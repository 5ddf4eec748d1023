//! A request as lists show and filter it: kept apart from the full request (its form snapshot,
//! answers and steps) so that a page of a list decodes little.

use super::{Request, RequestId, Status};
use crate::domain::{ServiceId, Timestamp, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub id: RequestId,
    pub service_id: ServiceId,
    pub service_name: String,
    pub requester: UserId,
    pub status: Status,
    pub assignee: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The estimate ("expected by"), indicative.
    pub due_at: Option<Timestamp>,
    /// The SLA deadlines when the service has a policy; frozen once the request is finished.
    pub sla: Option<SlaSummary>,
    /// Waiting for the requester: SLA clocks stand still.
    pub paused: bool,
    /// When the SLA scan next has something to do for this request.
    pub wake_at: Option<Timestamp>,
}

/// What lists need of a request's SLA state.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaSummary {
    pub policy_id: u64,
    pub response_due: Option<Timestamp>,
    pub resolution_due: Option<Timestamp>,
    /// The earliest deadline still running (none while paused or once met).
    pub next_due: Option<Timestamp>,
    pub breached: bool,
}

impl Summary {
    /// Past its SLA deadline and still open.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.status.is_open()
            && self
                .sla
                .as_ref()
                .is_some_and(|s| s.breached || s.next_due.is_some_and(|d| d < now))
    }

    /// Past its expected date, without an SLA, still open: "late", never "breached".
    pub fn late(&self, now: Timestamp) -> bool {
        self.status.is_open() && self.sla.is_none() && self.due_at.is_some_and(|d| d < now)
    }
}

impl Request {
    pub fn summary(&self) -> Summary {
        Summary {
            id: self.id,
            service_id: self.service_id,
            service_name: self.service_name.clone(),
            requester: self.requester,
            status: self.status,
            assignee: self.assignee,
            created_at: self.created_at,
            updated_at: self.updated_at,
            due_at: self.due_at,
            sla: None,
            paused: self.status == Status::WaitingForRequester,
            wake_at: None,
        }
    }
}
