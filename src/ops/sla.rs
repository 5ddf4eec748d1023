//! SLA use cases: calendars and policies (admin), the SLA facts kept in each request's summary
//! (recomputed from its timeline on every change, and for every open request when a policy, a
//! calendar or a service's policy changes), and the scan that raises escalations, reminds
//! requesters and closes requests left unanswered.

use super::audit::audit;
use super::{Admin, Error, Ops};
use crate::domain::audit::{AuditKind, Setting};
use crate::domain::request::{Event, Request, SlaSummary, Summary};
use crate::domain::sla::{CalendarDef, CalendarInput, PolicyInput, SlaPolicy, replay};
use crate::domain::{Service, ServiceId, Timestamp};
use crate::storage::{Listing, Writer};
use jiff::tz::TimeZone;

/// What SLA computations need from the instance's settings.
#[derive(Debug, Clone)]
pub struct SlaRules {
    /// For the default 24/7 calendar.
    pub zone: TimeZone,
    /// Days without an answer before a request waiting for its requester is closed (0: never).
    pub close_days: u32,
    /// Days after completion during which the requester may reopen a request.
    pub reopen_days: u32,
    /// Whether a write that notifies someone also queues the mail (SMTP is configured).
    pub mail: bool,
}

pub(super) use super::sla_reads::{Known, SlaReads, WithKnown, calendar_for, sla_of};

/// What lists show of `request` at `now`, its SLA facts derived from its whole timeline.
pub(super) fn summarize(
    r: &impl SlaReads,
    request: &Request,
    events: &[Event],
    rules: &SlaRules,
    now: Timestamp,
) -> Result<Summary, Error> {
    let mut summary = request.summary();
    let clock = replay(events, request.steps.len());
    let sla = sla_of(r, request.service_id, &rules.zone)?;
    let open = request.status.is_open();
    if let Some((policy, calendar)) = &sla {
        let state = clock.state(policy, calendar, now);
        summary.sla = Some(SlaSummary {
            policy_id: policy.id,
            response_due: state.response.as_ref().and_then(|d| d.at),
            resolution_due: state.resolution.as_ref().and_then(|d| d.at),
            next_due: state.next_due().filter(|_| open),
            breached: state.breached(),
        });
    }
    summary.paused = open && clock.waiting.is_some();
    summary.wake_at = if open {
        clock.next_wake(sla.as_ref().map(|(p, c)| (p, c)), rules.close_days, now)
    } else {
        None
    };
    Ok(summary)
}

/// Recomputes the summaries of the open requests `affected` selects (a policy, a calendar or a
/// service's policy changed), in the caller's transaction. Finished requests keep their result.
pub(super) fn refresh_open(
    w: &Writer,
    rules: &SlaRules,
    now: Timestamp,
    affected: impl Fn(&Summary) -> bool,
) -> Result<usize, Error> {
    let mut cursor = None;
    let mut refreshed = 0;
    loop {
        let ids = w.request_ids(Listing::Open, cursor, false, 500)?;
        let Some(last) = ids.last().copied() else {
            return Ok(refreshed);
        };
        cursor = Some(last);
        for id in ids {
            let Some(old) = w.summary(id)?.filter(|s| affected(s)) else {
                continue;
            };
            let Some(request) = w.request(id)? else {
                continue;
            };
            let events = w.events(id)?;
            let new = summarize(w, &request, &events, rules, now)?;
            if new != old {
                w.put_summary(&new)?;
                refreshed += 1;
            }
        }
    }
}

/// The ids of the policies that count in calendar `id` (directly, or through the default).
fn policies_in(w: &Writer, id: u64) -> Result<Vec<u64>, Error> {
    let default = w.default_calendar_id()?;
    Ok(w.sla_policies()?
        .into_iter()
        .filter(|p| p.calendar_id.or(default) == Some(id))
        .map(|p| p.id)
        .collect())
}

/// The services using one of `policies`, by name.
fn services_under(w: &Writer, policies: &[u64]) -> Result<Vec<Service>, Error> {
    let mut found: Vec<Service> = w
        .services()?
        .into_iter()
        .filter(|s| s.sla_policy_id.is_some_and(|p| policies.contains(&p)))
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// The ids of the services using one of `policies`.
fn under_policies(w: &Writer, policies: &[u64]) -> Result<Vec<ServiceId>, Error> {
    Ok(services_under(w, policies)?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

/// What the API tells of a request's SLA.
#[derive(Debug, Clone, Default)]
pub struct SlaFacts {
    pub policy_id: Option<u64>,
    pub response_due: Option<Timestamp>,
    pub resolution_due: Option<Timestamp>,
    pub breached: bool,
    pub paused: bool,
    /// For the IT team only: each escalation raised (clock, percent, when).
    pub escalations: Option<Vec<(crate::domain::sla::Clock, u16, Timestamp)>>,
}

impl SlaFacts {
    /// The facts a request's stored `summary` holds, with the `escalations` its timeline does.
    pub(super) fn of(
        summary: Option<&Summary>,
        escalations: Option<Vec<(crate::domain::sla::Clock, u16, Timestamp)>>,
    ) -> SlaFacts {
        let sla = summary.and_then(|s| s.sla.as_ref());
        SlaFacts {
            policy_id: sla.map(|s| s.policy_id),
            response_due: sla.and_then(|s| s.response_due),
            resolution_due: sla.and_then(|s| s.resolution_due),
            breached: sla.is_some_and(|s| s.breached),
            paused: summary.is_some_and(|s| s.paused),
            escalations,
        }
    }
}

impl Ops {
    /// A request's SLA facts as `viewer` may read them (the request already checked visible).
    pub fn sla_facts(
        &self,
        viewer: &crate::domain::User,
        request: &Request,
    ) -> Result<SlaFacts, Error> {
        let reader = self.store().read()?;
        let summary = reader.summary(request.id)?;
        let escalations = if viewer.role.is_staff() {
            let mut found = Vec::new();
            for e in reader.events(request.id)? {
                if let crate::domain::request::EventKind::Escalated {
                    target, percent, ..
                } = e.kind
                {
                    found.push((target, percent, e.at));
                }
            }
            Some(found)
        } else {
            None
        };
        Ok(SlaFacts::of(summary.as_ref(), escalations))
    }

    pub(super) fn sla_rules(&self) -> SlaRules {
        SlaRules {
            zone: self.time_zone().clone(),
            close_days: self.inner.settings.waiting_close_days,
            reopen_days: self.inner.settings.reopen_days,
            mail: self.inner.settings.mail.is_some(),
        }
    }

    pub fn calendars(&self) -> Result<(Vec<CalendarDef>, Option<u64>), Error> {
        let reader = self.store().read()?;
        let mut calendars = reader.calendars()?;
        calendars.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((calendars, reader.default_calendar_id()?))
    }

    pub fn calendar(&self, id: u64) -> Result<CalendarDef, Error> {
        self.store().read()?.calendar(id)?.ok_or(Error::NotFound)
    }

    /// Creates (`id: None`) or changes a calendar; open requests counting in it get their
    /// deadlines again at once.
    pub async fn save_calendar(
        &self,
        admin: Admin,
        id: Option<u64>,
        input: CalendarInput,
    ) -> Result<CalendarDef, Error> {
        let (name, calendar) = input.check()?;
        self.blocking(move |ops| {
            let (rules, now) = (ops.sla_rules(), ops.now());
            ops.store().write(|w| {
                let before = match id {
                    Some(id) => Some(w.calendar(id)?.ok_or(Error::NotFound)?),
                    None => None,
                };
                let id = match &before {
                    Some(before) => before.id,
                    None => w.next_id("calendar")?,
                };
                let saved = CalendarDef { id, name, calendar };
                w.put_calendar(&saved)?;
                let action = if before.is_some() {
                    "updated"
                } else {
                    "created"
                };
                let what = (AuditKind::Calendar, id, action);
                audit(w, admin.id, now, what, before.as_ref(), Some(&saved))?;
                let services = under_policies(w, &policies_in(w, id)?)?;
                refresh_open(w, &rules, now, |s| services.contains(&s.service_id))?;
                Ok(saved)
            })
        })
        .await
    }

    /// Deletes a calendar no policy uses and that is not the default.
    pub async fn delete_calendar(&self, admin: Admin, id: u64) -> Result<(), Error> {
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let before = w.calendar(id)?.ok_or(Error::NotFound)?;
                if w.default_calendar_id()? == Some(id) {
                    return Err(Error::Conflict(
                        "this calendar is the instance's default: choose another default first"
                            .into(),
                    ));
                }
                let users: Vec<String> = w
                    .sla_policies()?
                    .into_iter()
                    .filter(|p| p.calendar_id == Some(id))
                    .map(|p| p.name)
                    .collect();
                if !users.is_empty() {
                    return Err(Error::Conflict(format!(
                        "the calendar is used by the SLA policies: {}",
                        users.join(", ")
                    )));
                }
                w.delete_calendar(id)?;
                let what = (AuditKind::Calendar, id, "deleted");
                audit(w, admin.id, ops.now(), what, Some(&before), None)?;
                Ok(())
            })
        })
        .await
    }

    /// Chooses the calendar of policies without one (`None`: 24/7).
    pub async fn set_default_calendar(&self, admin: Admin, id: Option<u64>) -> Result<(), Error> {
        self.blocking(move |ops| {
            let (rules, now) = (ops.sla_rules(), ops.now());
            ops.store().write(|w| {
                if let Some(id) = id {
                    w.calendar(id)?.ok_or_else(|| {
                        Error::from(crate::domain::FieldErrors::single(
                            "calendar_id",
                            "must name an existing calendar",
                        ))
                    })?;
                }
                let name = |id: Option<u64>| -> Result<String, Error> {
                    Ok(match id {
                        Some(id) => w.calendar(id)?.map(|c| c.name).unwrap_or_default(),
                        None => "24/7".to_owned(),
                    })
                };
                let before = Setting("default_calendar", name(w.default_calendar_id()?)?);
                w.set_default_calendar_id(id)?;
                let after = Setting("default_calendar", name(id)?);
                let what = (AuditKind::Settings, 0, "updated");
                audit(w, admin.id, now, what, Some(&before), Some(&after))?;
                let policies: Vec<u64> = w
                    .sla_policies()?
                    .into_iter()
                    .filter(|p| p.calendar_id.is_none())
                    .map(|p| p.id)
                    .collect();
                let services = under_policies(w, &policies)?;
                refresh_open(w, &rules, now, |s| services.contains(&s.service_id))?;
                Ok(())
            })
        })
        .await
    }

    pub fn sla_policies(&self) -> Result<Vec<SlaPolicy>, Error> {
        let mut policies = self.store().read()?.sla_policies()?;
        policies.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(policies)
    }

    pub fn sla_policy(&self, id: u64) -> Result<SlaPolicy, Error> {
        self.store().read()?.sla_policy(id)?.ok_or(Error::NotFound)
    }

    /// Creates (`id: None`) or changes a policy; open requests under it get their deadlines
    /// again at once, finished ones keep theirs.
    pub async fn save_sla_policy(
        &self,
        admin: Admin,
        id: Option<u64>,
        input: PolicyInput,
    ) -> Result<SlaPolicy, Error> {
        self.blocking(move |ops| {
            let (rules, now) = (ops.sla_rules(), ops.now());
            ops.store().write(|w| {
                let calendars: Vec<u64> = w.calendars()?.iter().map(|c| c.id).collect();
                let input = input.check(|id| calendars.contains(&id))?;
                let before = match id {
                    Some(id) => Some(w.sla_policy(id)?.ok_or(Error::NotFound)?),
                    None => None,
                };
                let id = match &before {
                    Some(before) => before.id,
                    None => w.next_id("sla_policy")?,
                };
                let policy = SlaPolicy {
                    id,
                    name: input.name,
                    calendar_id: input.calendar_id,
                    response: input.response,
                    resolution: input.resolution,
                    thresholds: input.thresholds,
                };
                w.put_sla_policy(&policy)?;
                let action = if before.is_some() {
                    "updated"
                } else {
                    "created"
                };
                let what = (AuditKind::SlaPolicy, id, action);
                audit(w, admin.id, now, what, before.as_ref(), Some(&policy))?;
                let services = under_policies(w, &[id])?;
                refresh_open(w, &rules, now, |s| services.contains(&s.service_id))?;
                Ok(policy)
            })
        })
        .await
    }

    /// Deletes a policy no service uses (409 naming the services otherwise).
    pub async fn delete_sla_policy(&self, admin: Admin, id: u64) -> Result<(), Error> {
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let before = w.sla_policy(id)?.ok_or(Error::NotFound)?;
                let users = services_under(w, &[id])?;
                if !users.is_empty() {
                    let names: Vec<String> = users.into_iter().map(|s| s.name).collect();
                    return Err(Error::Conflict(format!(
                        "the policy is used by the services: {}",
                        names.join(", ")
                    )));
                }
                w.delete_sla_policy(id)?;
                let what = (AuditKind::SlaPolicy, id, "deleted");
                audit(w, admin.id, ops.now(), what, Some(&before), None)?;
                Ok(())
            })
        })
        .await
    }
}
