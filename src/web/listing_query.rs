//! The query string of the desk and of the API's listing: status, service, assignee,
//! requester, order (`sort=newest|oldest|urgent`), deadlines (`due=soon|overdue|late`), cursor
//! and page size, each bad value named.

use crate::domain::request::{RequestId, Status};
use crate::domain::{FieldErrors, ServiceId, UserId};
use crate::ops::{DeskFilter, DueFilter, StatusFilter};
use std::collections::HashMap;

/// Reads the listing filters shared by the desk and the API: `status` (`open`, `all` or a
/// status), `service`, `assignee` (`me`, `none` or an id), `mine=true`, `unassigned=true`,
/// `requester` (`me` or an id), `sort` (`newest`, `oldest`), `before`/`cursor`, `limit`.
/// `mine=true` means "assigned to me" for the IT team (`staff`) and "my own requests" for
/// everyone else. Answers the filter and whether it is "assigned to me".
pub fn desk_filter(
    q: &HashMap<String, String>,
    me: UserId,
    staff: bool,
) -> Result<(DeskFilter, bool), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut filter = DeskFilter::default();
    let id = |errors: &mut FieldErrors, key: &str| -> Option<u64> {
        let value = q.get(key)?;
        let parsed = value.parse::<u64>().ok();
        if parsed.is_none() {
            errors.add(key, "must be a number");
        }
        parsed
    };
    match q.get("status").map(String::as_str) {
        None | Some("open") => {}
        Some("all") => filter.status = StatusFilter::All,
        Some(other) => match Status::parse(other) {
            Some(status) => filter.status = StatusFilter::Is(status),
            None => errors.add("status", "must be open, all or a status"),
        },
    }
    filter.service = id(&mut errors, "service").map(ServiceId);
    filter.requester = match q.get("requester").map(String::as_str) {
        Some("me") => Some(me),
        _ => id(&mut errors, "requester").map(UserId),
    };
    let mut mine = q.get("mine").is_some_and(|v| v == "true");
    if mine && !staff {
        mine = false;
        filter.requester = Some(me);
    }
    filter.assignee = match q.get("assignee").map(String::as_str) {
        None => None,
        Some("me") => {
            mine = true;
            None
        }
        Some("none") => Some(None),
        Some(_) => id(&mut errors, "assignee").map(|a| Some(UserId(a))),
    };
    if mine {
        filter.assignee = Some(Some(me));
    } else if q.get("unassigned").is_some_and(|v| v == "true") {
        filter.assignee = Some(None);
    }
    match q.get("sort").map(String::as_str) {
        None | Some("newest") => {}
        Some("oldest") => filter.newest_first = false,
        Some("urgent") => filter.urgent = true,
        Some(_) => errors.add("sort", "must be newest, oldest or urgent"),
    }
    match q.get("due").map(String::as_str) {
        None | Some("") => {}
        Some(due) => match DueFilter::parse(due) {
            Some(due) => filter.due = Some(due),
            None => errors.add("due", "must be soon, overdue or late"),
        },
    }
    let cursor = q.get("before").or_else(|| q.get("cursor"));
    if let Some(cursor) = cursor {
        match RequestId::parse(cursor) {
            Some(id) => filter.cursor = Some(id),
            None => errors.add("cursor", "must be a request number"),
        }
    }
    if let Some(text) = q.get("q").map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if text.chars().count() > 200 {
            errors.add("q", "must be at most 200 characters");
        }
        filter.text = Some(text.to_owned());
    }
    if let Some(limit) = id(&mut errors, "limit") {
        filter.limit = usize::try_from(limit).unwrap_or(usize::MAX).clamp(1, 100);
    }
    errors.into_result((filter, mine))
}
