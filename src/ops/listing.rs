//! Listings of requests: the desk's (and the API's) filters, and the two ways a page is read:
//! one request index in id order, or the due index in deadline order ("most urgent first",
//! "due soon", "overdue", "late"). Either way a page examines what it shows plus what its
//! filters reject, never every request.

use super::Error;
use super::kept_summaries::KeptSummaries;
use super::request_views::{MAX_PAGE, Page};
use crate::domain::request::{RequestId, Status, Summary};
use crate::domain::{ServiceId, Timestamp, User, UserId};
use crate::storage::{DueKind, Listing, Reader};

/// Most index entries one page examines when its filters reject many; the page then ends
/// early with a cursor to go on.
const MAX_SCANNED: usize = 5000;
/// "Due soon": a deadline or expected date within this many seconds.
pub const SOON: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Open,
    All,
    Is(Status),
}

/// The deadline filters of the desk and the API (`due=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueFilter {
    /// An SLA deadline or expected date within `SOON`, not yet passed.
    Soon,
    /// Past a running SLA deadline.
    Overdue,
    /// Past its expected date, without SLA.
    Late,
}

impl DueFilter {
    pub fn parse(s: &str) -> Option<DueFilter> {
        match s.trim() {
            "soon" => Some(DueFilter::Soon),
            "overdue" => Some(DueFilter::Overdue),
            "late" => Some(DueFilter::Late),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DueFilter::Soon => "soon",
            DueFilter::Overdue => "overdue",
            DueFilter::Late => "late",
        }
    }
}

/// The desk's filters (and the API's listing).
#[derive(Debug, Clone, PartialEq)]
pub struct DeskFilter {
    pub status: StatusFilter,
    pub service: Option<ServiceId>,
    /// `Some(None)`: unassigned only.
    pub assignee: Option<Option<UserId>>,
    pub requester: Option<UserId>,
    pub newest_first: bool,
    /// Earliest SLA deadline first, then earliest expected date, then the rest.
    pub urgent: bool,
    pub due: Option<DueFilter>,
    pub cursor: Option<RequestId>,
    pub limit: usize,
    /// Words the request holds (its number, service, requester or answers); the list is
    /// then newest first.
    pub text: Option<String>,
}

impl Default for DeskFilter {
    fn default() -> Self {
        DeskFilter {
            status: StatusFilter::Open,
            service: None,
            assignee: None,
            requester: None,
            newest_first: true,
            urgent: false,
            due: None,
            cursor: None,
            limit: 25,
            text: None,
        }
    }
}

impl DeskFilter {
    /// The filter as `viewer` may use it: requesters only ever list their own requests.
    pub(super) fn seen_by(mut self, viewer: &User) -> DeskFilter {
        if !viewer.role.is_staff() {
            self.requester = Some(viewer.id);
        }
        self
    }

    pub(super) fn matches(&self, r: &Summary) -> bool {
        let status = match self.status {
            StatusFilter::Open => r.status.is_open(),
            StatusFilter::All => true,
            StatusFilter::Is(s) => r.status == s,
        };
        status
            && self.service.is_none_or(|s| r.service_id == s)
            && self.assignee.is_none_or(|a| r.assignee == a)
            && self.requester.is_none_or(|u| r.requester == u)
    }

    /// The index to walk: the most selective filter that has one.
    pub(super) fn listing(&self) -> Listing {
        if let Some(assignee) = self.assignee {
            Listing::Assignee(assignee)
        } else if let Some(requester) = self.requester {
            match self.status {
                StatusFilter::Open => Listing::OpenOfRequester(requester),
                _ => Listing::Requester(requester),
            }
        } else if let Some(service) = self.service {
            Listing::Service(service)
        } else {
            match self.status {
                StatusFilter::Open => Listing::Open,
                StatusFilter::All => Listing::All,
                StatusFilter::Is(s) => Listing::Status(s),
            }
        }
    }

    /// The stretches of the due index a deadline-ordered page reads, in order, and whether
    /// open requests with no date at all follow them.
    fn segments(&self, now: Timestamp) -> (Vec<(DueKind, Timestamp, Timestamp)>, bool) {
        let (min, max) = (Timestamp(i64::MIN), Timestamp(i64::MAX));
        let soon = now.plus_seconds(SOON);
        match self.due {
            Some(DueFilter::Overdue) => (vec![(DueKind::Sla, min, now)], false),
            Some(DueFilter::Late) => (vec![(DueKind::Expected, min, now)], false),
            Some(DueFilter::Soon) => (
                vec![(DueKind::Sla, now, soon), (DueKind::Expected, now, soon)],
                false,
            ),
            None => (
                vec![(DueKind::Sla, min, max), (DueKind::Expected, min, max)],
                true,
            ),
        }
    }
}

/// Where a request stands in the due index, from what lists know of it.
fn position(s: &Summary) -> Option<(DueKind, Timestamp)> {
    match &s.sla {
        Some(sla) => sla.next_due.map(|at| (DueKind::Sla, at)),
        None => s.due_at.map(|at| (DueKind::Expected, at)),
    }
    .filter(|_| s.status.is_open())
}

/// Walks `listing` after `cursor`, keeping the requests whose summary passes `keep`, until
/// `limit` are found or `MAX_SCANNED` entries were examined.
pub(super) fn walk(
    summaries: &KeptSummaries,
    listing: Listing,
    mut cursor: Option<RequestId>,
    newest_first: bool,
    limit: usize,
    keep: impl Fn(&Summary) -> bool,
) -> Result<Page<Summary>, Error> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut items = Vec::new();
    let mut scanned = 0;
    loop {
        let chunk = summaries.request_ids(listing, cursor, newest_first, limit + 1)?;
        let exhausted = chunk.len() <= limit;
        let found = summaries.of_listed(&chunk)?;
        for (id, summary) in chunk.into_iter().zip(found) {
            scanned += 1;
            cursor = Some(id);
            if let Some(r) = summary.filter(|r| keep(r)) {
                if items.len() == limit {
                    // One more exists: the page ends before it.
                    let next = items.last().map(|r: &Summary| r.id.0);
                    return Ok(Page { items, next });
                }
                items.push(r);
            }
        }
        if exhausted {
            return Ok(Page { items, next: None });
        }
        if scanned >= MAX_SCANNED {
            return Ok(Page {
                items,
                next: cursor.map(|c| c.0),
            });
        }
    }
}

/// A page in deadline order: the due index's `segments`, then (when `tail`) the open requests
/// without a date, oldest first. The cursor is the last request shown; where it stands is read
/// from its summary.
fn walk_due(
    reader: &Reader,
    summaries: &KeptSummaries,
    filter: &DeskFilter,
    now: Timestamp,
) -> Result<Page<Summary>, Error> {
    let limit = filter.limit.clamp(1, MAX_PAGE);
    let (segments, tail) = filter.segments(now);
    let keep = |s: &Summary| filter.matches(s) && s.status.is_open();
    let cursor = match filter.cursor {
        Some(id) => Some((id, summaries.get(id)?.and_then(|s| position(&s)))),
        None => None,
    };
    let mut items: Vec<Summary> = Vec::new();
    let mut scanned = 0;
    let mut last = None;
    // After a cursor, the segments before its own are behind it (all of them, when it stands
    // in the tail).
    let mut skipping = cursor.is_some();
    for (kind, from, to) in segments {
        let mut after = match cursor {
            Some((id, Some((k, at)))) if k == kind => {
                skipping = false;
                Some((at, id))
            }
            _ if skipping => continue,
            _ => None,
        };
        loop {
            let chunk = reader.due_ids(kind, from, to, after, limit + 1)?;
            let exhausted = chunk.len() <= limit;
            for (at, id) in chunk {
                scanned += 1;
                after = Some((at, id));
                if let Some(s) = summaries.get(id)?.filter(|s| keep(s)) {
                    if items.len() == limit {
                        return Ok(Page { items, next: last });
                    }
                    last = Some(s.id.0);
                    items.push(s);
                }
                if scanned >= MAX_SCANNED {
                    return Ok(Page {
                        next: Some(id.0),
                        items,
                    });
                }
            }
            if exhausted {
                break;
            }
        }
    }
    if !tail {
        return Ok(Page { items, next: None });
    }
    let tail_cursor = match cursor {
        Some((id, None)) => Some(id),
        _ => None,
    };
    let rest = walk(
        summaries,
        Listing::Open,
        tail_cursor,
        false,
        limit - items.len() + 1,
        |s| keep(s) && position(s).is_none(),
    )?;
    let room = limit - items.len();
    let more = rest.items.len() > room || rest.next.is_some();
    items.extend(rest.items.into_iter().take(room));
    let next = more.then(|| items.last().map(|s| s.id.0)).flatten();
    Ok(Page { items, next })
}

/// The summaries matching `filter`. Requesters only ever list their own.
pub(super) fn summaries(
    reader: &Reader,
    summaries: &KeptSummaries,
    viewer: &User,
    filter: DeskFilter,
    now: Timestamp,
) -> Result<Page<Summary>, Error> {
    let filter = filter.seen_by(viewer);
    let open_only = matches!(filter.status, StatusFilter::Open)
        || matches!(filter.status, StatusFilter::Is(s) if s.is_open());
    if (filter.urgent && open_only) || filter.due.is_some() {
        return walk_due(reader, summaries, &filter, now);
    }
    walk(
        summaries,
        filter.listing(),
        filter.cursor,
        filter.newest_first,
        filter.limit,
        |r| filter.matches(r),
    )
}
