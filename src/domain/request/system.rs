//! What changes a request without an actor: the closing bookkeeping every change shares, and
//! the steps the scheduler takes (escalations, reminders, closing a request left unanswered).

use super::{Event, EventKind, Request, Status};
use crate::domain::Timestamp;

/// Records `events` (already applied) on the request: its update time, its closing time once
/// it is no longer open, and the timeline length.
pub(super) fn close(request: &mut Request, now: Timestamp, events: &[Event]) {
    request.updated_at = now;
    if !request.status.is_open() && request.closed_at.is_none() {
        request.closed_at = Some(now);
    }
    request.events += u32::try_from(events.len()).unwrap_or(u32::MAX);
}

/// What the system does on its own (no actor): raise escalations, remind the requester, close
/// a request whose requester never answered. Answers the events; a step that does not apply in
/// the request's status is left out.
pub fn apply_system(request: &mut Request, kinds: Vec<EventKind>, now: Timestamp) -> Vec<Event> {
    let mut events = Vec::new();
    for kind in kinds {
        match &kind {
            EventKind::Escalated { .. } if request.status.is_open() => {}
            EventKind::Reminded if request.status == Status::WaitingForRequester => {}
            EventKind::ClosedUnanswered { .. } if request.status == Status::WaitingForRequester => {
                request.status = Status::Cancelled;
            }
            _ => continue,
        }
        events.push(Event {
            at: now,
            by: None,
            kind,
        });
    }
    if !events.is_empty() {
        close(request, now, &events);
    }
    events
}
