//! Requests: submission, every workflow action, and reading one request as its viewer may see
//! it. Writes go through the group-commit writer (`Store::write_batched`): one use case is one
//! job, committed durably before the caller answers.

use super::sla::{Known, SlaFacts, SlaReads, SlaRules, WithKnown, summarize};
use super::{Error, Ops};
use crate::domain::approval::{People, resolve_steps};
use crate::domain::form::{self, Submitted};
use crate::domain::notification::{Audience, Notification, known_already, notices};
use crate::domain::request::{
    self, Action, Actor, Attachment, Event, EventKind, NewRequest, Refusal, Request, RequestId,
    Status, Summary,
};
use crate::domain::service::DelayUnit;
use crate::domain::sla::Recipient;
use crate::domain::{Role, ServiceId, Timestamp, User, UserId};
use crate::storage::Writer;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a requester sent: values by field key (files described by name and size), and the
/// bytes of each file by field key.
#[derive(Debug, Clone)]
pub struct Submission {
    pub service_id: ServiceId,
    /// Filed for someone else (the IT team, or that person's manager); `None`: for oneself.
    pub requester_id: Option<UserId>,
    pub values: BTreeMap<String, Submitted>,
    pub files: BTreeMap<String, Vec<u8>>,
}

pub fn actor(user: &User) -> Actor {
    Actor {
        id: user.id,
        role: user.role,
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotAllowed(why) => Error::Forbidden(why),
            Refusal::Illegal { action, status } => Error::Illegal { action, status },
            Refusal::Invalid(fields) => Error::Invalid(fields),
        }
    }
}

/// Stores a request in its new state, appends its events, keeps what lists show of it (its SLA
/// facts from the whole timeline; a finished request's stay as they were when it finished) and
/// tells whoever each event concerns, all in the caller's transaction.
pub(super) fn record(
    w: &Writer,
    previous: Option<&Request>,
    request: &Request,
    events: &[Event],
    rules: &SlaRules,
    now: Timestamp,
) -> Result<(), Error> {
    record_with(w, w, previous, request, events, rules, now).map(|_| ())
}

/// `record`, its SLA read through `reads`: a submission's from the service it was checked
/// against (`WithKnown`), the SLA scan's remembered for its transaction.
pub(super) fn record_with(
    w: &Writer,
    reads: &impl SlaReads,
    previous: Option<&Request>,
    request: &Request,
    events: &[Event],
    rules: &SlaRules,
    now: Timestamp,
) -> Result<Summary, Error> {
    let first = request
        .events
        .saturating_sub(u32::try_from(events.len()).unwrap_or(u32::MAX));
    w.append_events(request.id, first, events)?;
    // A new request's whole timeline is what was just appended.
    let timeline = match first {
        0 => events.to_vec(),
        _ => w.events(request.id)?,
    };
    let mut summary = summarize(reads, request, &timeline, rules, now)?;
    let old_summary = match previous {
        Some(_) => w.summary(request.id)?,
        None => None,
    };
    if previous.is_some_and(|p| !p.status.is_open()) {
        // Finished: its SLA result is frozen.
        summary.sla = old_summary.as_ref().and_then(|s| s.sla.clone());
    }
    super::metrics::keep_rollups(
        w,
        previous.map(|p| {
            (
                p,
                &timeline[..timeline.len() - events.len()],
                old_summary.as_ref(),
            )
        }),
        (request, &timeline, &summary),
        &rules.zone,
        now,
    )?;
    w.put_request(previous, request, &summary)?;
    // Team membership never widens who sees a request: only active staff members hear of it.
    let team = match request.team {
        Some(id) => w.team(id)?,
        None => None,
    };
    let team_lead = team.as_ref().and_then(|t| t.lead_id);
    let mut team_members = Vec::new();
    for id in team.map(|t| t.member_ids).unwrap_or_default() {
        if w.user(id)?.is_some_and(|u| u.active && u.role.is_staff()) {
            team_members.push(id);
        }
    }
    let mut admins: Option<Vec<UserId>> = None;
    let mut notifications = Vec::new();
    for event in events {
        let needs_admins = request.current_approver() == Some(request::Approver::Admins)
            || matches!(&event.kind, EventKind::Escalated { notify, .. } if notify.contains(&Recipient::Admins));
        if needs_admins && admins.is_none() {
            admins = Some(
                w.users()?
                    .into_iter()
                    .filter(|u| u.active && u.role == Role::Admin)
                    .map(|u| u.id)
                    .collect(),
            );
        }
        let audience = Audience {
            team_members: &team_members,
            admins: admins.as_deref().unwrap_or_default(),
            team_lead,
        };
        for (user, kind) in notices(request, event, &audience) {
            notifications.push(Notification {
                id: 0,
                user,
                request: request.id,
                kind,
                at: event.at,
                by: event.by,
                read: known_already(event, user, kind),
            });
        }
    }
    if rules.mail {
        w.mail_notices(&notifications, now);
    }
    w.add_notifications(notifications)?;
    Ok(summary)
}

fn due_at(now: Timestamp, delay: Option<crate::domain::service::Delay>) -> Option<Timestamp> {
    delay.map(|d| {
        let unit = match d.unit {
            DelayUnit::Hours => 3600,
            DelayUnit::Days => 86_400,
        };
        now.plus_seconds(i64::from(d.value) * unit)
    })
}

/// The submission itself, inside a write transaction: validation against the current form,
/// approvers resolved, the request stored with its attachments, "most requested" counted.
pub(super) fn submit_in(
    w: &Writer,
    requester: &User,
    submission: &Submission,
    today: &str,
    rules: &SlaRules,
    now: Timestamp,
) -> Result<Request, Error> {
    submit_checked_in(w, requester, submission, None, today, rules, now).map(|(r, _)| r)
}

/// A submission checked against the catalog before it reaches the writer: the service as it
/// was at catalog `version` and the answers its form accepted. The writer takes them as they
/// are while the catalog is still at that version, and reads and checks again otherwise.
pub(super) struct Checked {
    version: u64,
    service: Arc<crate::domain::Service>,
    data: crate::domain::form::RequestData,
}

/// `submit_in`, with what was `checked` before the transaction.
fn submit_checked_in(
    w: &Writer,
    requester: &User,
    submission: &Submission,
    checked: Option<&Checked>,
    today: &str,
    rules: &SlaRules,
    now: Timestamp,
) -> Result<(Request, Summary), Error> {
    let current = checked.filter(|c| w.catalog_version().is_ok_and(|v| v == c.version));
    let (service, data) = match current {
        Some(c) => (Cow::Borrowed(&*c.service), c.data.clone()),
        None => {
            let service = w
                .service(submission.service_id)?
                .filter(|s| s.active)
                .ok_or(Error::NotFound)?;
            let data = form::validate(&service.form, &submission.values, today)?;
            (Cow::Owned(service), data)
        }
    };
    let filer = requester;
    let for_someone = submission.requester_id.filter(|id| *id != filer.id);
    let person = match for_someone {
        None => None,
        Some(id) => {
            let person = w.user(id)?.filter(|u| u.active).ok_or_else(|| {
                Error::Invalid(crate::domain::FieldErrors::single(
                    "requester_id",
                    "must be an active user",
                ))
            })?;
            if !service.on_behalf {
                return Err(Error::Invalid(crate::domain::FieldErrors::single(
                    "requester_id",
                    "this service is only filed by the person it is for",
                )));
            }
            if !filer.role.is_staff() && person.manager_id != Some(filer.id) {
                return Err(Error::Forbidden(
                    "only the IT team and a person's manager file requests for them",
                ));
            }
            Some(person)
        }
    };
    let requester = person.as_ref().unwrap_or(filer);
    let team = match service.team_id {
        Some(id) => w.team(id)?,
        None => None,
    };
    let active = |id: UserId| w.user(id).ok().flatten().is_some_and(|u| u.active);
    let people = People {
        requester: requester.id,
        manager: requester.manager_id,
        team_lead: team.as_ref().and_then(|t| t.lead_id),
        active: &active,
    };
    let (steps, fallbacks) = resolve_steps(&service.approval_steps, &people);
    let attachments = data
        .iter()
        .filter_map(|(key, answer)| match answer {
            form::Answer::File(file) => Some(Attachment {
                key: key.clone(),
                name: file.name.clone(),
                size: file.size,
            }),
            _ => None,
        })
        .collect::<Vec<_>>();
    let id = RequestId(w.next_id("request")?);
    let (mut request, events) = request::submit(
        NewRequest {
            id,
            service_id: service.id,
            service_name: service.name.clone(),
            requester: requester.id,
            filed_by: filer.id,
            data,
            form: service.form.clone(),
            attachments,
            team: service.team_id,
            steps,
            fallbacks,
            due_at: due_at(now, service.estimated_delay),
        },
        now,
    );
    // An estimate counts from when the request can be worked on: after its approval.
    if request.status == Status::PendingApproval {
        request.due_at = None;
    }
    for attachment in &request.attachments {
        let bytes = submission
            .files
            .get(&attachment.key)
            .map_or(&[][..], Vec::as_slice);
        w.put_attachment(id, &attachment.key, bytes)?;
    }
    let reads = WithKnown {
        reads: w,
        known: Known::Service(&service),
    };
    let summary = record_with(w, &reads, None, &request, &events, rules, now)?;
    w.count_request(service.id)?;
    Ok((request, summary))
}

/// An action inside a write transaction: the request is loaded in the same transaction, so
/// two technicians taking it at once are serialised and exactly one wins.
pub(super) fn act_in(
    w: &Writer,
    user: &User,
    id: RequestId,
    action: &Action,
    rules: &SlaRules,
    now: Timestamp,
) -> Result<Request, Error> {
    act_in_with(w, user, id, action, rules, now, None)
}

/// `act_in`, with one more timeline entry after the action's own (how it was decided).
pub(super) fn act_in_with(
    w: &Writer,
    user: &User,
    id: RequestId,
    action: &Action,
    rules: &SlaRules,
    now: Timestamp,
    then: Option<EventKind>,
) -> Result<Request, Error> {
    let actor = actor(user);
    let previous = w
        .request(id)?
        .filter(|r| request::may_view(actor, r))
        .ok_or(Error::NotFound)?;
    let mut action = action.clone();
    match &mut action {
        Action::Assign { to, to_staff } => {
            *to_staff = w.user(*to)?.is_some_and(|u| u.active && u.role.is_staff());
        }
        Action::Reopen {
            window_days,
            first_breached,
            ..
        } => {
            *window_days = rules.reopen_days;
            *first_breached = w.summary(id)?.and_then(|s| s.sla).map(|s| s.breached);
        }
        Action::Transfer { team, exists } => *exists = w.team(*team)?.is_some(),
        _ => {}
    }
    let mut changed = previous.clone();
    let mut events = request::apply(&mut changed, actor, action, now)?;
    events.extend(then.map(|kind| Event {
        at: now,
        by: Some(actor.id),
        kind,
    }));
    if previous.status == Status::PendingApproval
        && changed.status != Status::PendingApproval
        && changed.status.is_open()
    {
        // Approved: the estimate's clock starts now, with the service's current delay.
        let delay = w
            .service(changed.service_id)?
            .and_then(|s| s.estimated_delay);
        changed.due_at = due_at(now, delay);
    }
    record(w, Some(&previous), &changed, &events, rules, now)?;
    Ok(changed)
}

impl Ops {
    /// Submits a request for `requester`; answers it with its SLA facts as `requester` reads
    /// them, from the summary the submission stored (a new request has no escalation yet), so
    /// that the answer needs no read of its own.
    pub async fn submit_request(
        &self,
        requester: &User,
        submission: Submission,
    ) -> Result<(Request, SlaFacts), Error> {
        let viewer = requester.role;
        let requester = requester.clone();
        let submission = Arc::new(submission);
        // Read before the job: a job must not own an `Ops`, whose last clone could then be
        // dropped on the writer thread itself.
        let (today, now, rules) = (self.today(), self.now(), self.sla_rules());
        // The service and the form's answers are checked here, on the caller's thread: the
        // writer, which every submission waits for, only confirms the catalog's version.
        let checked = {
            let reader = self.store().read()?;
            let catalog = self.catalog(&reader)?;
            let service = catalog
                .active_service(submission.service_id)
                .ok_or(Error::NotFound)?;
            Arc::new(Checked {
                version: catalog.version,
                data: form::validate(&service.form, &submission.values, &today)?,
                service: Arc::clone(service),
            })
        };
        let (request, summary) = self
            .store()
            .write_batched(move |w| {
                let checked = Some(&*checked);
                submit_checked_in(w, &requester, &submission, checked, &today, &rules, now)
            })
            .await?;
        self.mail_queued();
        self.request_submitted();
        let escalations = viewer.is_staff().then(Vec::new);
        Ok((request, SlaFacts::of(Some(&summary), escalations)))
    }

    /// Applies a workflow action or a comment. Requests the user may not see are not found.
    pub async fn act(&self, user: &User, id: RequestId, action: Action) -> Result<Request, Error> {
        let user = user.clone();
        let (now, rules) = (self.now(), self.sla_rules());
        let request = self
            .store()
            .write_batched(move |w| act_in(w, &user, id, &action, &rules, now))
            .await?;
        self.mail_queued();
        Ok(request)
    }

    /// The bytes of one attachment, for those who may see the request.
    pub fn attachment(
        &self,
        user: &User,
        id: RequestId,
        key: &str,
    ) -> Result<(String, Vec<u8>), Error> {
        let reader = self.store().read()?;
        let request = super::request_views::visible(&reader, user, id)?;
        let attachment = request
            .attachments
            .iter()
            .find(|a| a.key == key)
            .ok_or(Error::NotFound)?;
        let bytes = reader.attachment(id, key)?.ok_or(Error::NotFound)?;
        Ok((attachment.name.clone(), bytes))
    }
}
