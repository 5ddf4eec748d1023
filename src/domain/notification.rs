//! Who is told about what. A notice is derived from a timeline event, so that every channel (the
//! in-app inbox now, e-mail later) reads the same list of recipients.

use super::request::{Approver, Event, EventKind, Request, RequestId, Status};
use super::sla::Recipient;
use super::{Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// To the requester: the request was received.
    Submitted,
    /// To an approver: a decision is needed.
    ApprovalNeeded,
    /// To the fulfilling team: a request waits in the queue.
    InQueue,
    Approved,
    Rejected,
    Taken,
    /// To a technician: someone gave them the request.
    Assigned,
    Completed,
    /// An external comment from the other side.
    Comment,
    /// To the requester: the IT team asks them something and waits.
    WaitingForYou,
    /// To the people an SLA threshold names: a deadline is near or past.
    Escalation,
    /// To the requester: the IT team still waits for their answer.
    Reminder,
    /// To the requester: closed because they did not answer.
    ClosedUnanswered,
    /// To the assignee (or the team) and the requester: a done request is open again.
    Reopened,
    /// To the requester and the assignee: the request was cancelled.
    Cancelled,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 15] = [
        NoticeKind::Submitted,
        NoticeKind::ApprovalNeeded,
        NoticeKind::InQueue,
        NoticeKind::Approved,
        NoticeKind::Rejected,
        NoticeKind::Taken,
        NoticeKind::Assigned,
        NoticeKind::Completed,
        NoticeKind::Comment,
        NoticeKind::WaitingForYou,
        NoticeKind::Escalation,
        NoticeKind::Reminder,
        NoticeKind::ClosedUnanswered,
        NoticeKind::Reopened,
        NoticeKind::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Submitted => "submitted",
            NoticeKind::ApprovalNeeded => "approval_needed",
            NoticeKind::InQueue => "in_queue",
            NoticeKind::Approved => "approved",
            NoticeKind::Rejected => "rejected",
            NoticeKind::Taken => "taken",
            NoticeKind::Assigned => "assigned",
            NoticeKind::Completed => "completed",
            NoticeKind::Comment => "comment",
            NoticeKind::WaitingForYou => "waiting_for_you",
            NoticeKind::Escalation => "escalation",
            NoticeKind::Reminder => "reminder",
            NoticeKind::ClosedUnanswered => "closed_unanswered",
            NoticeKind::Reopened => "reopened",
            NoticeKind::Cancelled => "cancelled",
        }
    }
}

/// One entry of a user's inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: u64,
    pub user: UserId,
    pub request: RequestId,
    pub kind: NoticeKind,
    pub at: Timestamp,
    /// Who caused it, if anyone.
    pub by: Option<UserId>,
    pub read: bool,
}

/// The people beyond the request itself who may be told: the fulfilling team's members and
/// the administrators (approvers of last resort).
pub struct Audience<'a> {
    pub team_members: &'a [UserId],
    pub admins: &'a [UserId],
    /// The fulfilling team's lead, for escalations that name them.
    pub team_lead: Option<UserId>,
}

/// Whether `user` knows of `event` already when told `kind`, so that the notice is kept in their
/// inbox read: the confirmation of a request they filed themselves (the page they land on shows
/// its number). Filed for them by someone else, it waits unread.
pub fn known_already(event: &Event, user: UserId, kind: NoticeKind) -> bool {
    kind == NoticeKind::Submitted && event.by == Some(user)
}

/// The notices one event causes, after it was applied to `request`. The author of an event is
/// never told about it, and nobody is told twice.
pub fn notices(request: &Request, event: &Event, audience: &Audience) -> Vec<(UserId, NoticeKind)> {
    let mut out: Vec<(UserId, NoticeKind)> = Vec::new();
    if event.kind == EventKind::Submitted {
        // The requester is the author, but the confirmation with its number is for them.
        out.push((request.requester, NoticeKind::Submitted));
    }
    let mut tell = |users: &[UserId], kind: NoticeKind| {
        for user in users {
            if Some(*user) != event.by && !out.iter().any(|(u, _)| u == user) {
                out.push((*user, kind));
            }
        }
    };
    let approvers = |request: &Request| -> Vec<UserId> {
        match request.current_approver() {
            Some(Approver::User(id)) => vec![id],
            Some(Approver::Admins) => audience
                .admins
                .iter()
                .copied()
                .filter(|a| *a != request.requester)
                .collect(),
            None => Vec::new(),
        }
    };
    match &event.kind {
        EventKind::Submitted => {
            tell(&approvers(request), NoticeKind::ApprovalNeeded);
            if request.status == Status::New {
                tell(audience.team_members, NoticeKind::InQueue);
            }
        }
        EventKind::Approved { .. } => {
            if request.status == Status::Approved {
                tell(&[request.requester], NoticeKind::Approved);
                tell(audience.team_members, NoticeKind::InQueue);
            } else {
                tell(&approvers(request), NoticeKind::ApprovalNeeded);
            }
        }
        EventKind::Rejected { .. } => tell(&[request.requester], NoticeKind::Rejected),
        EventKind::Taken => tell(&[request.requester], NoticeKind::Taken),
        EventKind::Assigned { to } => tell(&[*to], NoticeKind::Assigned),
        EventKind::Completed { .. } => tell(&[request.requester], NoticeKind::Completed),
        EventKind::Comment {
            internal: false, ..
        } => {
            if event.by == Some(request.requester) {
                match request.assignee {
                    Some(assignee) => tell(&[assignee], NoticeKind::Comment),
                    None => tell(audience.team_members, NoticeKind::Comment),
                }
            } else {
                tell(&[request.requester], NoticeKind::Comment);
            }
        }
        EventKind::Waiting { .. } => tell(&[request.requester], NoticeKind::WaitingForYou),
        EventKind::Reminded => tell(&[request.requester], NoticeKind::Reminder),
        EventKind::ClosedUnanswered { .. } => {
            tell(&[request.requester], NoticeKind::ClosedUnanswered);
        }
        EventKind::Escalated { notify, .. } => {
            for recipient in notify {
                match recipient {
                    Recipient::Assignee => {
                        tell(
                            &request.assignee.into_iter().collect::<Vec<_>>(),
                            NoticeKind::Escalation,
                        );
                    }
                    Recipient::Team => tell(audience.team_members, NoticeKind::Escalation),
                    Recipient::TeamLead => {
                        tell(
                            &audience.team_lead.into_iter().collect::<Vec<_>>(),
                            NoticeKind::Escalation,
                        );
                    }
                    Recipient::Admins => tell(audience.admins, NoticeKind::Escalation),
                }
            }
        }
        EventKind::Reopened { .. } => {
            tell(&[request.requester], NoticeKind::Reopened);
            match request.assignee {
                Some(assignee) => tell(&[assignee], NoticeKind::Reopened),
                None => tell(audience.team_members, NoticeKind::Reopened),
            }
        }
        EventKind::Released | EventKind::Transferred { .. } => {
            tell(audience.team_members, NoticeKind::InQueue);
        }
        EventKind::Cancelled { .. } => {
            tell(&[request.requester], NoticeKind::Cancelled);
            // Whoever was working on it; the request no longer shows who that was.
            tell(
                &request.assignee.into_iter().collect::<Vec<_>>(),
                NoticeKind::Cancelled,
            );
        }
        EventKind::Comment { internal: true, .. }
        | EventKind::Resumed
        | EventKind::DecidedByMail
        | EventKind::ApprovedWhenFiled
        | EventKind::ApproverFallback { .. } => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ones_own_submission_is_known_already() {
        let (requester, manager, tech) = (UserId(3), UserId(2), UserId(7));
        let event = |by, kind| Event {
            at: Timestamp(1000),
            by,
            kind,
        };
        let mine = event(Some(requester), EventKind::Submitted);
        assert!(known_already(&mine, requester, NoticeKind::Submitted));
        assert!(!known_already(&mine, manager, NoticeKind::ApprovalNeeded));
        assert!(!known_already(&mine, tech, NoticeKind::InQueue));
        // Filed for the requester by someone else: news to them.
        let filed = event(Some(manager), EventKind::Submitted);
        assert!(!known_already(&filed, requester, NoticeKind::Submitted));
        let system = event(None, EventKind::Submitted);
        assert!(!known_already(&system, requester, NoticeKind::Submitted));
        let taken = event(Some(tech), EventKind::Taken);
        assert!(!known_already(&taken, requester, NoticeKind::Taken));
    }
}
