//! The one state machine every person's action goes through: who may do what, in which status,
//! and what it changes and records.

use super::system::close;
use super::text::{optional_text, required_text};
use super::{Actor, Approver, Decision, Event, EventKind, Request, Status};
use crate::domain::{FieldErrors, Role, TeamId, Timestamp, UserId};

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Approve {
        comment: String,
    },
    Reject {
        reason: String,
    },
    Take,
    /// `to_staff` says whether the target is an active technician or admin (looked up by the
    /// caller).
    Assign {
        to: UserId,
        to_staff: bool,
    },
    Complete {
        resolution: String,
    },
    /// By the requester or an administrator; the reason is optional and told to the people
    /// concerned.
    Cancel {
        reason: String,
    },
    Comment {
        body: String,
        internal: bool,
    },
    /// Ask the requester for information: an external comment, the clocks pause.
    Wait {
        body: String,
    },
    /// Stop waiting for the requester.
    Resume,
    /// Back from done to in progress with the same assignee, for a new resolution cycle: by
    /// the requester within `window_days` of its completion, by the IT team at any time.
    /// `first_breached` is the SLA result of the cycle it ends (kept on the timeline).
    Reopen {
        reason: String,
        window_days: u32,
        first_breached: Option<bool>,
    },
    /// Back to the team's queue, without an assignee.
    Release,
    /// To another team's queue (`exists`: the caller found that team).
    Transfer {
        team: TeamId,
        exists: bool,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Approve { .. } => "approve",
            Action::Reject { .. } => "reject",
            Action::Take => "take",
            Action::Assign { .. } => "assign",
            Action::Complete { .. } => "complete",
            Action::Cancel { .. } => "cancel",
            Action::Comment { .. } => "comment",
            Action::Wait { .. } => "wait",
            Action::Resume => "resume",
            Action::Reopen { .. } => "reopen",
            Action::Release => "release",
            Action::Transfer { .. } => "transfer",
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The actor may never do this on this request (HTTP 403).
    NotAllowed(&'static str),
    /// Not in the current status (HTTP 409); the message names the status.
    Illegal {
        action: &'static str,
        status: Status,
    },
    /// A required text is missing or too long (HTTP 422).
    Invalid(FieldErrors),
}

/// Applies `action` by `actor` at `now`: checks who may do it and in which status, changes the
/// request, and answers the events to append. On refusal the request is unchanged.
pub fn apply(
    request: &mut Request,
    actor: Actor,
    action: Action,
    now: Timestamp,
) -> Result<Vec<Event>, Refusal> {
    let illegal = |action: &Action, status| Refusal::Illegal {
        action: action.code(),
        status,
    };
    let staff = actor.role.is_staff();
    let mut extra = None;
    let kind = match &action {
        Action::Approve { .. } | Action::Reject { .. } => {
            if actor.id == request.requester {
                return Err(Refusal::NotAllowed("nobody approves their own request"));
            }
            let Some(step) = request.current_step() else {
                return Err(illegal(&action, request.status));
            };
            let is_approver = match request.steps[step].approver {
                Approver::User(id) => id == actor.id,
                Approver::Admins => actor.role == Role::Admin,
            };
            if !is_approver && actor.role != Role::Admin {
                return Err(Refusal::NotAllowed(
                    "only the approver of this step decides",
                ));
            }
            let overridden = !is_approver;
            let approved = matches!(action, Action::Approve { .. });
            let kind = match &action {
                Action::Reject { reason } => EventKind::Rejected {
                    step,
                    reason: required_text("reason", reason)?,
                    overridden,
                },
                Action::Approve { comment } => EventKind::Approved {
                    step,
                    comment: optional_text("comment", comment)?,
                    overridden,
                },
                _ => return Err(illegal(&action, request.status)),
            };
            request.steps[step].decision = Some(Decision {
                by: actor.id,
                approved,
                at: now,
                overridden,
            });
            if !approved {
                request.status = Status::Rejected;
            } else if request.steps.iter().all(|s| s.decision.is_some()) {
                request.status = Status::Approved;
            }
            kind
        }
        Action::Take => {
            if !staff {
                return Err(Refusal::NotAllowed("only the IT team takes requests"));
            }
            if !matches!(request.status, Status::New | Status::Approved) {
                return Err(illegal(&action, request.status));
            }
            request.status = Status::InProgress;
            request.assignee = Some(actor.id);
            EventKind::Taken
        }
        Action::Assign { to, to_staff } => {
            if !staff {
                return Err(Refusal::NotAllowed("only the IT team assigns requests"));
            }
            if !request.status.is_open() {
                return Err(illegal(&action, request.status));
            }
            if !to_staff {
                return Err(Refusal::Invalid(FieldErrors::single(
                    "user_id",
                    "must be an active technician or administrator",
                )));
            }
            request.assignee = Some(*to);
            EventKind::Assigned { to: *to }
        }
        Action::Complete { resolution } => {
            if !staff {
                return Err(Refusal::NotAllowed("only the IT team completes requests"));
            }
            if !matches!(
                request.status,
                Status::InProgress | Status::WaitingForRequester
            ) {
                return Err(illegal(&action, request.status));
            }
            let resolution = required_text("resolution", resolution)?;
            request.status = Status::Done;
            EventKind::Completed { resolution }
        }
        Action::Cancel { reason } => {
            let own = actor.id == request.requester;
            if !own && actor.role != Role::Admin {
                return Err(Refusal::NotAllowed(
                    "only the requester or an administrator cancels",
                ));
            }
            if !matches!(
                request.status,
                Status::New
                    | Status::PendingApproval
                    | Status::Approved
                    | Status::WaitingForRequester
            ) {
                return Err(illegal(&action, request.status));
            }
            let reason = optional_text("reason", reason)?;
            request.status = Status::Cancelled;
            EventKind::Cancelled { reason }
        }
        Action::Comment { body, internal } => {
            if *internal && !staff {
                return Err(Refusal::NotAllowed("internal comments are for the IT team"));
            }
            if !staff && actor.id != request.requester {
                return Err(Refusal::NotAllowed(
                    "requesters comment on their own requests only",
                ));
            }
            let kind = EventKind::Comment {
                body: required_text("body", body)?,
                internal: *internal,
            };
            if !*internal
                && actor.id == request.requester
                && request.status == Status::WaitingForRequester
            {
                // The answer the IT team waited for: the clocks run again.
                request.status = Status::InProgress;
                extra = Some(EventKind::Resumed);
            }
            kind
        }
        Action::Wait { body } => {
            if !staff {
                return Err(Refusal::NotAllowed(
                    "only the IT team asks the requester for information",
                ));
            }
            if request.status != Status::InProgress {
                return Err(illegal(&action, request.status));
            }
            let body = required_text("body", body)?;
            request.status = Status::WaitingForRequester;
            EventKind::Waiting { body }
        }
        Action::Resume => {
            if !staff {
                return Err(Refusal::NotAllowed("only the IT team resumes a request"));
            }
            if request.status != Status::WaitingForRequester {
                return Err(illegal(&action, request.status));
            }
            request.status = Status::InProgress;
            EventKind::Resumed
        }
        Action::Reopen {
            reason,
            window_days,
            first_breached,
        } => {
            if !staff && actor.id != request.requester {
                return Err(Refusal::NotAllowed(
                    "only the requester or the IT team reopens a request",
                ));
            }
            if request.status != Status::Done {
                return Err(illegal(&action, request.status));
            }
            let window = i64::from(*window_days) * 86_400;
            let closed = request.closed_at.unwrap_or(request.updated_at);
            if !staff && now.0 - closed.0 > window {
                return Err(Refusal::NotAllowed(
                    "the time to reopen this request is over (reopen_days): ask the IT team",
                ));
            }
            let reason = required_text("reason", reason)?;
            request.status = match request.assignee {
                Some(_) => Status::InProgress,
                None => queue_status(request),
            };
            request.closed_at = None;
            EventKind::Reopened {
                reason,
                first_breached: *first_breached,
            }
        }
        Action::Release => {
            if !staff {
                return Err(Refusal::NotAllowed("only the IT team releases requests"));
            }
            let queued = matches!(request.status, Status::New | Status::Approved);
            if !(request.status == Status::InProgress || queued && request.assignee.is_some()) {
                return Err(illegal(&action, request.status));
            }
            request.status = queue_status(request);
            request.assignee = None;
            EventKind::Released
        }
        Action::Transfer { team, exists } => {
            if !staff {
                return Err(Refusal::NotAllowed(
                    "only the IT team moves requests between teams",
                ));
            }
            if !request.status.is_open() {
                return Err(illegal(&action, request.status));
            }
            if !exists {
                return Err(Refusal::Invalid(FieldErrors::single(
                    "team_id",
                    "must be an existing team",
                )));
            }
            if request.team == Some(*team) {
                return Err(Refusal::Invalid(FieldErrors::single(
                    "team_id",
                    "is already this request's team",
                )));
            }
            request.team = Some(*team);
            request.assignee = None;
            if matches!(
                request.status,
                Status::InProgress | Status::WaitingForRequester
            ) {
                request.status = queue_status(request);
            }
            EventKind::Transferred { team: *team }
        }
    };
    let mut events = vec![Event {
        at: now,
        by: Some(actor.id),
        kind,
    }];
    events.extend(extra.map(|kind| Event {
        at: now,
        by: Some(actor.id),
        kind,
    }));
    close(request, now, &events);
    Ok(events)
}

/// Where a request waits in its team's queue: approved when it went through approval.
fn queue_status(request: &Request) -> Status {
    if request.steps.is_empty() {
        Status::New
    } else {
        Status::Approved
    }
}
