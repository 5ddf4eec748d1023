//! Reading requests as pages show them: one request with what its viewer may see and do, the
//! requester's list, the approver's list, the IT desk with its filters, and the inbox. Every
//! listing walks one index in id order and stops at a page: O(page), not O(all requests).

use super::requests::actor;
use super::{Error, Ops};
use crate::domain::request::{self, Action, Approver, Event, Request, RequestId, Status, Summary};
use crate::domain::{Role, ServiceId, Timestamp, User, UserId};
use crate::storage::{Listing, Reader};
use std::collections::HashMap;

/// Longest page any listing answers.
pub const MAX_PAGE: usize = 100;
/// Most open requests `/my/requests` lists; people rarely wait for more at once.
const MY_OPEN: usize = 50;
/// Most index entries one desk page examines when its filters reject many; the page then ends
/// early with a cursor to go on.
const MAX_SCANNED: usize = 5000;

/// One line of a list of requests.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: RequestId,
    pub service_name: String,
    pub status: Status,
    pub requester: String,
    pub assignee: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub due_at: Option<Timestamp>,
    /// Still open after its due date.
    pub late: bool,
}

/// A page of a listing and the cursor of the next one.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<u64>,
}

/// What the viewer may do on a request, found by trying each action on a copy: the page can
/// never offer what the workflow would refuse.
#[derive(Debug, Clone, Copy, Default)]
pub struct Permissions {
    pub decide: bool,
    pub take: bool,
    pub assign: bool,
    pub complete: bool,
    pub cancel: bool,
    pub comment: bool,
    pub comment_internal: bool,
}

pub struct RequestPage {
    pub request: Request,
    /// The timeline, without what the viewer may not read (internal comments).
    pub events: Vec<Event>,
    pub names: HashMap<UserId, String>,
    pub may: Permissions,
    /// Who a request can be assigned to, when the viewer may assign.
    pub technicians: Vec<(UserId, String)>,
    pub viewer_is_staff: bool,
}

impl RequestPage {
    pub fn name(&self, id: UserId) -> &str {
        self.names.get(&id).map_or("?", String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Open,
    All,
    Is(Status),
}

/// The desk's filters (and the API's listing).
#[derive(Debug, Clone)]
pub struct DeskFilter {
    pub status: StatusFilter,
    pub service: Option<ServiceId>,
    /// `Some(None)`: unassigned only.
    pub assignee: Option<Option<UserId>>,
    pub requester: Option<UserId>,
    pub newest_first: bool,
    pub cursor: Option<RequestId>,
    pub limit: usize,
}

impl Default for DeskFilter {
    fn default() -> Self {
        DeskFilter {
            status: StatusFilter::Open,
            service: None,
            assignee: None,
            requester: None,
            newest_first: true,
            cursor: None,
            limit: 25,
        }
    }
}

impl DeskFilter {
    fn matches(&self, r: &Summary) -> bool {
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
    fn listing(&self) -> Listing {
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
}

/// Display names, read once per user per page.
struct Names<'a> {
    reader: &'a Reader,
    now: Timestamp,
    known: HashMap<UserId, String>,
}

impl Names<'_> {
    fn get(&mut self, id: UserId) -> Result<String, Error> {
        if let Some(name) = self.known.get(&id) {
            return Ok(name.clone());
        }
        let name = self
            .reader
            .user(id)?
            .map_or_else(|| format!("#{id}"), |u| u.display_name);
        self.known.insert(id, name.clone());
        Ok(name)
    }

    fn row(&mut self, r: &Summary) -> Result<RequestRow, Error> {
        Ok(RequestRow {
            id: r.id,
            service_name: r.service_name.clone(),
            status: r.status,
            requester: self.get(r.requester)?,
            assignee: r.assignee.map(|a| self.get(a)).transpose()?,
            created_at: r.created_at,
            updated_at: r.updated_at,
            due_at: r.due_at,
            late: r.status.is_open() && r.due_at.is_some_and(|d| d < self.now),
        })
    }
}

/// Walks `listing` after `cursor`, keeping the requests whose summary passes `keep`, until
/// `limit` are found or `MAX_SCANNED` entries were examined.
fn walk(
    reader: &Reader,
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
        let chunk = reader.request_ids(listing, cursor, newest_first, limit + 1)?;
        let exhausted = chunk.len() <= limit;
        for id in chunk {
            scanned += 1;
            cursor = Some(id);
            if let Some(r) = reader.summary(id)?.filter(|r| keep(r)) {
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

/// A request `viewer` may see (DESIGN §4); any other is not found, so that it is not revealed.
pub(super) fn visible(reader: &Reader, viewer: &User, id: RequestId) -> Result<Request, Error> {
    reader
        .request(id)?
        .filter(|r| request::may_view(actor(viewer), r))
        .ok_or(Error::NotFound)
}

/// The timeline without what `viewer` may not read: internal comments are for the IT team.
fn visible_events(reader: &Reader, viewer: &User, id: RequestId) -> Result<Vec<Event>, Error> {
    let staff = viewer.role.is_staff();
    let mut events = reader.events(id)?;
    events.retain(|e| staff || !e.kind.is_internal());
    Ok(events)
}

fn permissions(request: &Request, viewer: &User, now: Timestamp) -> Permissions {
    let actor = actor(viewer);
    let can = |action: Action| request::apply(&mut request.clone(), actor, action, now).is_ok();
    let text = || "x".to_owned();
    Permissions {
        decide: can(Action::Approve { comment: text() }),
        take: can(Action::Take),
        assign: can(Action::Assign {
            to: viewer.id,
            to_staff: true,
        }),
        complete: can(Action::Complete { resolution: text() }),
        cancel: can(Action::Cancel),
        comment: can(Action::Comment {
            body: text(),
            internal: false,
        }),
        comment_internal: can(Action::Comment {
            body: text(),
            internal: true,
        }),
    }
}

impl Ops {
    /// A request as `viewer` may see it; one they may not see is not found.
    pub fn request_page(&self, viewer: &User, id: RequestId) -> Result<RequestPage, Error> {
        let reader = self.store().read()?;
        let request = visible(&reader, viewer, id)?;
        let staff = viewer.role.is_staff();
        let events = visible_events(&reader, viewer, id)?;
        let mut names = Names {
            reader: &reader,
            now: self.now(),
            known: HashMap::new(),
        };
        let mut people = vec![request.requester];
        people.extend(request.assignee);
        for step in &request.steps {
            if let Approver::User(id) = step.approver {
                people.push(id);
            }
            people.extend(step.decision.as_ref().map(|d| d.by));
        }
        for event in &events {
            people.extend(event.by);
            if let request::EventKind::Assigned { to } = event.kind {
                people.push(to);
            }
        }
        for id in people {
            names.get(id)?;
        }
        let may = permissions(&request, viewer, self.now());
        let technicians = if may.assign {
            let mut staff: Vec<(UserId, String)> = reader
                .users()?
                .into_iter()
                .filter(|u| u.active && u.role.is_staff())
                .map(|u| (u.id, u.display_name))
                .collect();
            staff.sort_by(|a, b| a.1.cmp(&b.1));
            staff
        } else {
            Vec::new()
        };
        let names = names.known;
        Ok(RequestPage {
            request,
            events,
            names,
            may,
            technicians,
            viewer_is_staff: staff,
        })
    }

    /// A request, for those who may see it.
    pub fn request(&self, viewer: &User, id: RequestId) -> Result<Request, Error> {
        visible(&self.store().read()?, viewer, id)
    }

    /// The timeline of a request as `viewer` may read it.
    pub fn request_events(&self, viewer: &User, id: RequestId) -> Result<Vec<Event>, Error> {
        let reader = self.store().read()?;
        visible(&reader, viewer, id)?;
        visible_events(&reader, viewer, id)
    }

    /// The summaries matching `filter`. Requesters only ever list their own.
    fn summaries(
        reader: &Reader,
        viewer: &User,
        mut filter: DeskFilter,
    ) -> Result<Page<Summary>, Error> {
        if !viewer.role.is_staff() {
            filter.requester = Some(viewer.id);
        }
        walk(
            reader,
            filter.listing(),
            filter.cursor,
            filter.newest_first,
            filter.limit,
            |r| filter.matches(r),
        )
    }

    /// Requests matching `filter`, as list rows.
    pub fn list_requests(
        &self,
        viewer: &User,
        filter: DeskFilter,
    ) -> Result<Page<RequestRow>, Error> {
        let reader = self.store().read()?;
        let page = Self::summaries(&reader, viewer, filter)?;
        self.rows(&reader, page)
    }

    /// The full requests of a listing page, for the API.
    pub fn list_requests_full(
        &self,
        viewer: &User,
        filter: DeskFilter,
    ) -> Result<Page<Request>, Error> {
        let reader = self.store().read()?;
        let page = Self::summaries(&reader, viewer, filter)?;
        let mut items = Vec::with_capacity(page.items.len());
        for summary in page.items {
            items.extend(reader.request(summary.id)?);
        }
        Ok(Page {
            items,
            next: page.next,
        })
    }

    fn rows(&self, reader: &Reader, page: Page<Summary>) -> Result<Page<RequestRow>, Error> {
        let mut names = Names {
            reader,
            now: self.now(),
            known: HashMap::new(),
        };
        let items = page
            .items
            .iter()
            .map(|r| names.row(r))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// `/my/requests`: the open ones (the newest `MY_OPEN`), then the history, newest first.
    pub fn my_requests(
        &self,
        user: &User,
        cursor: Option<RequestId>,
    ) -> Result<(Vec<RequestRow>, Page<RequestRow>), Error> {
        let reader = self.store().read()?;
        let open = walk(
            &reader,
            Listing::OpenOfRequester(user.id),
            None,
            true,
            MY_OPEN,
            |_| true,
        )?;
        let history = walk(
            &reader,
            Listing::ClosedOfRequester(user.id),
            cursor,
            true,
            25,
            |_| true,
        )?;
        let open = self.rows(&reader, open)?.items;
        Ok((open, self.rows(&reader, history)?))
    }

    /// What waits for `user`'s decision, oldest first; administrators also see the requests
    /// that fell back to "any administrator" (never their own).
    pub fn approvals(&self, user: &User) -> Result<Vec<RequestRow>, Error> {
        let reader = self.store().read()?;
        let mut found = walk(
            &reader,
            Listing::PendingFor(Approver::User(user.id)),
            None,
            false,
            MAX_PAGE,
            |_| true,
        )?
        .items;
        if user.role == Role::Admin {
            let others = walk(
                &reader,
                Listing::PendingFor(Approver::Admins),
                None,
                false,
                MAX_PAGE,
                |r| r.requester != user.id,
            )?;
            found.extend(others.items);
            found.sort_by_key(|r| r.id);
        }
        let page = Page {
            items: found,
            next: None,
        };
        Ok(self.rows(&reader, page)?.items)
    }
}
