//! Requests and their workflow: statuses, approval steps, the append-only timeline, and the one
//! state machine (`apply`) every action goes through. Pure: the caller passes the time and the
//! facts it looked up (who the actor is, whether an assignee is on the IT team).

use super::form::{FormField, RequestData};
use super::service::ApprovalRule;
use super::{Role, ServiceId, TeamId, Timestamp, UserId};
use std::fmt;

mod submission;
mod summary;
mod system;
mod text;
mod timeline;
mod workflow;
pub use submission::{NewRequest, submit};
pub use summary::{SlaSummary, Summary};
pub use system::apply_system;
pub use text::MAX_TEXT;
pub use timeline::{Event, EventKind};
pub use workflow::{Action, Refusal, apply};

/// A request's id; its tracking number is `REQ-` and the id on six digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// A tracking number written on the stack (`RequestId::number_text`).
pub struct NumberText {
    bytes: [u8; 24],
    len: usize,
}

impl NumberText {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl RequestId {
    /// `REQ-000042`.
    pub fn number(self) -> String {
        self.number_text().as_str().to_owned()
    }

    /// Appends `number()` to `out` (listings write fifty at a time).
    pub fn write_number(self, out: &mut String) {
        out.push_str(self.number_text().as_str());
    }

    /// `number()` in a buffer on the stack, for writers of many (the API's listings).
    pub fn number_text(self) -> NumberText {
        let mut bytes = *b"REQ-00000000000000000000";
        let len = 4 + super::ids::padded_len(self.0, 6);
        super::ids::fill_digits(&mut bytes[4..len], self.0);
        NumberText { bytes, len }
    }

    /// Reads `REQ-000042`, `req-42` or `42`.
    pub fn parse(s: &str) -> Option<RequestId> {
        let s = s.trim();
        let digits = match s.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("REQ-") => &s[4..],
            _ => s,
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0).map(RequestId)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    New,
    PendingApproval,
    Approved,
    InProgress,
    Done,
    Rejected,
    Cancelled,
    /// The IT team waits for the requester's answer; SLA clocks stand still.
    WaitingForRequester,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::New,
        Status::PendingApproval,
        Status::Approved,
        Status::InProgress,
        Status::Done,
        Status::Rejected,
        Status::Cancelled,
        Status::WaitingForRequester,
    ];

    /// The API spelling.
    pub fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::PendingApproval => "pending_approval",
            Status::Approved => "approved",
            Status::InProgress => "in_progress",
            Status::Done => "done",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
            Status::WaitingForRequester => "waiting_for_requester",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.code() == s.trim())
    }

    /// Still waiting for someone: not done, rejected or cancelled.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Done | Status::Rejected | Status::Cancelled)
    }
}

/// Who decides one approval step, once resolved at submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Approver {
    User(UserId),
    /// Nobody else qualified: any administrator other than the requester.
    Admins,
}

/// Why a step's rule did not give its approver, recorded in the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackReason {
    /// The rule named nobody (no manager, no team or no lead).
    Nobody,
    /// The rule named the requester, who never approves their own request.
    Requester,
    /// The rule named a deactivated account.
    Inactive,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub by: UserId,
    pub approved: bool,
    pub at: Timestamp,
    /// An administrator decided in the approver's place.
    pub overridden: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub rule: ApprovalRule,
    pub approver: Approver,
    pub decision: Option<Decision>,
}

/// What a user sees of one uploaded file; the bytes are stored apart, by request and field key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub key: String,
    pub name: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: RequestId,
    pub service_id: ServiceId,
    /// The service's name when the request was submitted.
    pub service_name: String,
    pub requester: UserId,
    pub status: Status,
    pub data: RequestData,
    /// The form the request was submitted with, so its labels read the same forever.
    pub form: Vec<FormField>,
    pub attachments: Vec<Attachment>,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub steps: Vec<Step>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// From the service's estimated delay; indicative.
    pub due_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// How many events the timeline holds; the next event's sequence number.
    pub events: u32,
}

impl Request {
    /// The first step without a decision, while the request waits for approval.
    pub fn current_step(&self) -> Option<usize> {
        if self.status != Status::PendingApproval {
            return None;
        }
        self.steps.iter().position(|s| s.decision.is_none())
    }

    /// Who must decide now, if anyone.
    pub fn current_approver(&self) -> Option<Approver> {
        self.current_step().map(|i| self.steps[i].approver)
    }

    /// Whether `user` is or was the approver of one of its steps.
    pub fn is_approver(&self, user: UserId) -> bool {
        self.steps.iter().any(|s| {
            s.approver == Approver::User(user) || s.decision.as_ref().is_some_and(|d| d.by == user)
        })
    }
}

/// Someone acting on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub role: Role,
}

/// DESIGN §4: who may read a request. Others get "not found".
pub fn may_view(actor: Actor, request: &Request) -> bool {
    actor.role.is_staff() || request.requester == actor.id || request.is_approver(actor.id)
}

#[cfg(test)]
pub(crate) mod sample;
#[cfg(test)]
mod tests;
