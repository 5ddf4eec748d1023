//! Submission: a new request, its first status and its first events.

use super::{Approver, Attachment, Decision, Event, EventKind, Request, RequestId, Status, Step};
use crate::domain::form::{FormField, RequestData};
use crate::domain::service::ApprovalRule;
use crate::domain::{ServiceId, TeamId, Timestamp, UserId};

/// What a new request is made of; `submit` turns it into a request and its first events.
pub struct NewRequest {
    pub id: RequestId,
    pub service_id: ServiceId,
    pub service_name: String,
    pub requester: UserId,
    /// Who filed it: the requester, or someone filing for them (the IT team, their manager).
    pub filed_by: UserId,
    pub data: RequestData,
    pub form: Vec<FormField>,
    pub attachments: Vec<Attachment>,
    pub team: Option<TeamId>,
    pub steps: Vec<Step>,
    pub fallbacks: Vec<EventKind>,
    pub due_at: Option<Timestamp>,
}

/// Submission: a request needing approval goes straight to `pending_approval`, others wait in
/// the queue as `new`. Filed by the requester's manager, the manager's own steps (those first
/// in line) count as approved by the filing, and the timeline says so.
pub fn submit(mut new: NewRequest, now: Timestamp) -> (Request, Vec<Event>) {
    let mut events = vec![Event {
        at: now,
        by: Some(new.filed_by),
        kind: EventKind::Submitted,
    }];
    events.extend(new.fallbacks.into_iter().map(|kind| Event {
        at: now,
        by: None,
        kind,
    }));
    if new.filed_by != new.requester {
        for (step, s) in new.steps.iter_mut().enumerate() {
            if s.rule != ApprovalRule::Manager || s.approver != Approver::User(new.filed_by) {
                break;
            }
            s.decision = Some(Decision {
                by: new.filed_by,
                approved: true,
                at: now,
                overridden: false,
            });
            let by = Some(new.filed_by);
            events.push(Event {
                at: now,
                by,
                kind: EventKind::Approved {
                    step,
                    comment: String::new(),
                    overridden: false,
                },
            });
            events.push(Event {
                at: now,
                by,
                kind: EventKind::ApprovedWhenFiled,
            });
        }
    }
    let status = if new.steps.is_empty() {
        Status::New
    } else if new.steps.iter().all(|s| s.decision.is_some()) {
        Status::Approved
    } else {
        Status::PendingApproval
    };
    let request = Request {
        id: new.id,
        service_id: new.service_id,
        service_name: new.service_name,
        requester: new.requester,
        status,
        data: new.data,
        form: new.form,
        attachments: new.attachments,
        assignee: None,
        team: new.team,
        steps: new.steps,
        created_at: now,
        updated_at: now,
        due_at: new.due_at,
        closed_at: None,
        events: u32::try_from(events.len()).unwrap_or(u32::MAX),
    };
    (request, events)
}
