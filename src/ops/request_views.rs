//! Reading requests as pages show them: one request with what its viewer may see and do, the
//! requester's list, the approver's list, the IT desk with its filters, and the inbox. Every
//! listing walks one index in id order and stops at a page: O(page), not O(all requests).

use super::listing::DeskFilter;
use super::requests::actor;
use super::sla::sla_of;
use super::{Error, Ops};
use crate::domain::request::{self, Action, Approver, Event, Request, RequestId, Status, Summary};
use crate::domain::sla::{SlaPolicy, SlaState, replay};
use crate::domain::{Role, TeamId, Timestamp, User, UserId};
use crate::storage::{Listing, Reader};
use std::collections::HashMap;
use std::sync::Arc;

/// Longest page any listing answers.
pub const MAX_PAGE: usize = 100;
/// Most open requests `/my/requests` lists; people rarely wait for more at once.
const MY_OPEN: usize = 25;

/// One line of a list of requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: RequestId,
    pub service_name: String,
    pub status: Status,
    pub requester: Arc<str>,
    pub assignee: Option<Arc<str>>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The estimate ("expected by").
    pub due_at: Option<Timestamp>,
    /// Still open after its expected date, without SLA.
    pub late: bool,
    /// Under an SLA policy.
    pub has_sla: bool,
    /// The SLA deadline running now (none while paused).
    pub sla_due: Option<Timestamp>,
    /// Still open past an SLA deadline.
    pub overdue: bool,
    /// Missed an SLA deadline (kept once finished).
    pub breached: bool,
    /// Waiting for the requester.
    pub paused: bool,
    /// An SLA deadline falls within `listing::SOON`.
    pub due_soon: bool,
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
    /// Ask the requester and wait for the answer.
    pub wait: bool,
    pub resume: bool,
    pub reopen: bool,
    pub release: bool,
    /// Move to another team's queue.
    pub transfer: bool,
}

/// A request's SLA as its page explains it.
#[derive(Debug, Clone)]
pub struct SlaView {
    pub policy: SlaPolicy,
    pub state: SlaState,
}

pub struct RequestPage {
    pub request: Arc<Request>,
    /// The timeline, without what the viewer may not read (internal comments).
    pub events: Arc<[Event]>,
    pub names: HashMap<UserId, Arc<str>>,
    pub may: Permissions,
    /// Who a request can be assigned to, when the viewer may assign.
    pub technicians: Vec<(UserId, String)>,
    /// Every team by name: where it can be moved, and the names its timeline shows.
    pub teams: Vec<(TeamId, String)>,
    pub viewer_is_staff: bool,
    /// Its SLA deadlines, when its service has a policy.
    pub sla: Option<SlaView>,
}

impl RequestPage {
    pub fn name(&self, id: UserId) -> &str {
        self.names.get(&id).map_or("?", |n| n)
    }

    pub fn team_name(&self, id: TeamId) -> &str {
        self.teams
            .iter()
            .find(|(t, _)| *t == id)
            .map_or("?", |(_, name)| name.as_str())
    }
}

/// Display names, from the people kept at their version (`snapshots.rs`); `known` holds those
/// a page asked for.
struct Names {
    people: std::sync::Arc<super::snapshots::People>,
    now: Timestamp,
}

impl Names {
    fn get(&self, id: UserId) -> Arc<str> {
        self.people
            .name(id)
            .map_or_else(|| Arc::from(format!("#{id}")), Arc::clone)
    }

    /// A page of summaries as rows.
    fn page(&self, page: Page<Summary>) -> Page<RequestRow> {
        Page {
            items: page.items.into_iter().map(|r| self.row(r)).collect(),
            next: page.next,
        }
    }

    fn row(&self, r: Summary) -> RequestRow {
        let (late, overdue) = (r.late(self.now), r.overdue(self.now));
        RequestRow {
            id: r.id,
            service_name: r.service_name,
            status: r.status,
            requester: self.get(r.requester),
            assignee: r.assignee.map(|a| self.get(a)),
            created_at: r.created_at,
            updated_at: r.updated_at,
            due_at: r.due_at,
            late,
            has_sla: r.sla.is_some(),
            sla_due: r.sla.as_ref().and_then(|s| s.next_due),
            overdue,
            breached: r.sla.as_ref().is_some_and(|s| s.breached),
            paused: r.paused,
            due_soon: r.status.is_open()
                && r.sla
                    .as_ref()
                    .and_then(|s| s.next_due)
                    .is_some_and(|d| d >= self.now && d.0 - self.now.0 <= super::listing::SOON),
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

/// The timeline without what `viewer` may not read.
fn visible_events(reader: &Reader, viewer: &User, id: RequestId) -> Result<Vec<Event>, Error> {
    let mut events = reader.events(id)?;
    events.retain(|e| readable(viewer, e));
    Ok(events)
}

/// Whether `viewer` may read `event`: internal comments are for the IT team.
fn readable(viewer: &User, event: &Event) -> bool {
    viewer.role.is_staff() || !event.kind.is_internal()
}

fn permissions(request: &Request, viewer: &User, now: Timestamp, reopen_days: u32) -> Permissions {
    let actor = actor(viewer);
    // Each action is tried on a copy. The workflow reads the status, steps, assignee and team;
    // the answers, the form and the files are the bulk of a request and none of its business,
    // so the copies go without them (twelve whole copies were a tenth of a request page).
    let bare = Request {
        service_name: String::new(),
        data: Default::default(),
        form: Vec::new(),
        attachments: Vec::new(),
        steps: request.steps.clone(),
        ..*request
    };
    let can = |action: Action| request::apply(&mut bare.clone(), actor, action, now).is_ok();
    let text = || "x".to_owned();
    Permissions {
        decide: can(Action::Approve { comment: text() }),
        take: can(Action::Take),
        assign: can(Action::Assign {
            to: viewer.id,
            to_staff: true,
        }),
        complete: can(Action::Complete { resolution: text() }),
        cancel: can(Action::Cancel { reason: text() }),
        reopen: can(Action::Reopen {
            reason: text(),
            window_days: reopen_days,
            first_breached: None,
        }),
        release: can(Action::Release),
        transfer: can(Action::Transfer {
            team: TeamId(u64::MAX),
            exists: true,
        }),
        comment: can(Action::Comment {
            body: text(),
            internal: false,
        }),
        comment_internal: can(Action::Comment {
            body: text(),
            internal: true,
        }),
        wait: can(Action::Wait { body: text() }),
        resume: can(Action::Resume),
    }
}

impl Ops {
    /// A request as `viewer` may see it; one they may not see is not found.
    pub fn request_page(&self, viewer: &User, id: RequestId) -> Result<RequestPage, Error> {
        let reader = self.store().read()?;
        let (request, events) = (self.inner.requests.read(&reader, id)?)
            .filter(|(r, _)| request::may_view(actor(viewer), r))
            .ok_or(Error::NotFound)?;
        let staff = viewer.role.is_staff();
        // The kept timeline shared as it is when the viewer may read all of it.
        let events = match events.iter().all(|e| readable(viewer, e)) {
            true => events,
            false => events
                .iter()
                .filter(|e| readable(viewer, e))
                .cloned()
                .collect(),
        };
        let names = self.names(&reader)?;
        let mut people = vec![request.requester];
        people.extend(request.assignee);
        for step in &request.steps {
            if let Approver::User(id) = step.approver {
                people.push(id);
            }
            people.extend(step.decision.as_ref().map(|d| d.by));
        }
        for event in events.iter() {
            people.extend(event.by);
            if let request::EventKind::Assigned { to } = event.kind {
                people.push(to);
            }
        }
        let named: HashMap<UserId, Arc<str>> =
            people.into_iter().map(|id| (id, names.get(id))).collect();
        let may = permissions(
            &request,
            viewer,
            self.now(),
            self.inner.settings.reopen_days,
        );
        let people = std::sync::Arc::clone(&names.people);
        let technicians = match may.assign {
            true => people
                .staff()
                .map(|u| (u.id, u.display_name.clone()))
                .collect(),
            false => Vec::new(),
        };
        let teams = people
            .teams
            .iter()
            .map(|t| (t.id, t.name.clone()))
            .collect();
        let sla = self.sla_view(&reader, &request)?;
        Ok(RequestPage {
            request,
            events,
            names: named,
            may,
            technicians,
            teams,
            viewer_is_staff: staff,
            sla,
        })
    }

    /// A request's SLA from its whole timeline; a finished request shows the deadlines it was
    /// measured against when it finished.
    fn sla_view(&self, reader: &Reader, request: &Request) -> Result<Option<SlaView>, Error> {
        let rules = self.sla_rules();
        let frozen = reader.summary(request.id)?.and_then(|s| s.sla);
        let catalog = self.catalog(reader)?;
        let kept = super::sla::WithKnown {
            reads: reader,
            known: super::sla::Known::Catalog(&catalog),
        };
        let live = sla_of(&kept, request.service_id, &rules.zone)?;
        let (policy, calendar) = match (live, &frozen, request.status.is_open()) {
            (Some(found), _, true) => found,
            (found, Some(frozen), false) => match found {
                Some(found) if found.0.id == frozen.policy_id => found,
                _ => match reader.sla_policy(frozen.policy_id)? {
                    Some(policy) => {
                        let calendar =
                            super::sla::calendar_for(reader, policy.calendar_id, &rules.zone)?;
                        (policy, calendar)
                    }
                    None => return Ok(None),
                },
            },
            _ => return Ok(None),
        };
        let events = reader.events(request.id)?;
        let mut state = replay(&events, request.steps.len()).state(&policy, &calendar, self.now());
        if let (Some(frozen), false) = (frozen, request.status.is_open()) {
            for (due, at) in [
                (&mut state.response, frozen.response_due),
                (&mut state.resolution, frozen.resolution_due),
            ] {
                if let Some(due) = due {
                    due.at = at;
                    due.breached = matches!((due.met_at, at), (Some(m), Some(a)) if m > a);
                }
            }
        }
        Ok(Some(SlaView { policy, state }))
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

    /// Requests matching `filter`, as list rows.
    pub fn list_requests(
        &self,
        viewer: &User,
        filter: DeskFilter,
    ) -> Result<Page<RequestRow>, Error> {
        let reader = self.store().read()?;
        let page = self.summaries_of(&reader, viewer, filter, self.now())?;
        self.rows(&reader, page)
    }

    /// The summaries of a listing page, for the API.
    pub fn list_summaries(
        &self,
        viewer: &User,
        filter: DeskFilter,
    ) -> Result<Page<Summary>, Error> {
        let reader = self.store().read()?;
        self.summaries_of(&reader, viewer, filter, self.now())
    }

    pub(super) fn rows(
        &self,
        reader: &Reader,
        page: Page<Summary>,
    ) -> Result<Page<RequestRow>, Error> {
        Ok(self.names(reader)?.page(page))
    }

    /// Who is who as of `reader`, to name a listing's people.
    fn names(&self, reader: &Reader) -> Result<Names, Error> {
        Ok(Names {
            people: self.people(reader)?,
            now: self.now(),
        })
    }

    /// `/my/requests`: the open ones (the newest `MY_OPEN`), then the history, newest first.
    pub fn my_requests(
        &self,
        user: &User,
        cursor: Option<RequestId>,
    ) -> Result<(Page<RequestRow>, Page<RequestRow>), Error> {
        let reader = self.store().read()?;
        let summaries = self.inner.summaries.over(&reader)?;
        let open = super::listing::walk(
            &summaries,
            Listing::OpenOfRequester(user.id),
            None,
            true,
            MY_OPEN,
            |_| true,
        )?;
        let history = super::listing::walk(
            &summaries,
            Listing::ClosedOfRequester(user.id),
            cursor,
            true,
            25,
            |_| true,
        )?;
        let names = self.names(&reader)?;
        Ok((names.page(open), names.page(history)))
    }

    /// What waits for `user`'s decision, oldest first; administrators also see the requests
    /// that fell back to "any administrator" (never their own).
    pub fn approvals(&self, user: &User) -> Result<Vec<RequestRow>, Error> {
        let reader = self.store().read()?;
        let summaries = self.inner.summaries.over(&reader)?;
        let mut found = super::listing::walk(
            &summaries,
            Listing::PendingFor(Approver::User(user.id)),
            None,
            false,
            MAX_PAGE,
            |_| true,
        )?
        .items;
        if user.role == Role::Admin {
            let others = super::listing::walk(
                &summaries,
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
