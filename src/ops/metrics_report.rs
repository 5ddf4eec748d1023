//! The metrics of a period for the IT team: the roll-ups of the period and of the one before,
//! the services, and the open requests as they stand; then the four conclusions. Reads
//! O(days × services + open requests), never every request.

use super::{Error, Ops};
use crate::domain::metrics::conclusions::{Conclusion, conclusions};
use crate::domain::metrics::day_number;
use crate::domain::metrics::report::{
    Filter, OpenFacts, Report, ServiceFacts, Unit, period_label, period_of, report,
};
use crate::domain::request::Summary;
use crate::domain::service::DelayUnit;
use crate::domain::{Category, ServiceId, Team, TeamId, User, UserId};
use crate::storage::Listing;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The longest period a report covers.
pub const MAX_DAYS: i32 = 5 * 366;
/// Services not requested for this many days (or in a longer period) are candidates to retire.
pub const QUIET_DAYS: i32 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsQuery {
    pub from: Date,
    pub to: Date,
    pub filter: Filter,
}

/// A report with what its pages and exports name.
pub struct MetricsView {
    pub query: MetricsQuery,
    pub unit: Unit,
    pub report: Report,
    pub conclusions: Vec<Conclusion>,
    pub services: Vec<ServiceFacts>,
    pub categories: Vec<Category>,
    pub teams: Vec<Team>,
    pub names: BTreeMap<UserId, String>,
    /// When each service was made, when known.
    pub created_at: BTreeMap<ServiceId, Option<crate::domain::Timestamp>>,
}

impl MetricsView {
    pub fn service_name(&self, id: ServiceId) -> &str {
        self.services
            .iter()
            .find(|s| s.id == id)
            .map_or("?", |s| s.name.as_str())
    }

    /// A team's name; `None` for requests of services without a team, or a deleted team.
    pub fn team_name(&self, id: Option<TeamId>) -> Option<&str> {
        id.and_then(|id| self.teams.iter().find(|t| t.id == id))
            .map(|t| t.name.as_str())
    }

    /// The label of a volume period: `2026-11-29`, `2026-W48` or `2026-11`.
    pub fn period_label(&self, index: i32) -> String {
        period_label(self.unit, index)
    }
}

impl Ops {
    /// The summaries of every open request, read again only after a commit.
    fn open_summaries(&self) -> Result<Arc<Vec<Summary>>, Error> {
        // The generation first: a commit after it makes the next call read again.
        let generation = self.store().generation();
        self.inner.open_summaries.get(generation, || {
            let reader = self.store().read()?;
            let summaries = reader.summaries()?;
            let mut open = Vec::new();
            let mut cursor = None;
            loop {
                let ids = reader.request_ids(Listing::Open, cursor, false, 500)?;
                for id in &ids {
                    open.extend(summaries.get(*id)?);
                }
                match ids.last() {
                    Some(last) if ids.len() == 500 => cursor = Some(*last),
                    _ => break,
                }
            }
            Ok(open)
        })
    }

    /// The metrics of `query`'s period, for technicians and admins only (others: not found).
    pub fn metrics(&self, viewer: &User, query: MetricsQuery) -> Result<MetricsView, Error> {
        if !viewer.role.is_staff() {
            return Err(Error::NotFound);
        }
        let (from, to) = (day_number(query.from), day_number(query.to));
        if from > to || to - from >= MAX_DAYS {
            return Err(crate::domain::FieldErrors::single(
                "from",
                "must be on or before the end, at most 5 years before it",
            )
            .into());
        }
        let len = to - from + 1;
        let unit = Unit::for_days(len);
        let reader = self.store().read()?;
        let rows = reader.rollups(from, to)?;
        let previous = reader.rollups(from - len, from - 1)?;
        let all = reader.services()?;
        let facts: Vec<ServiceFacts> = all
            .iter()
            .map(|s| ServiceFacts {
                id: s.id,
                name: s.name.clone(),
                category: s.category_id,
                team: s.team_id,
                active: s.active,
                requires_approval: s.requires_approval,
                estimate_seconds: s.estimated_delay.map(|d| {
                    i64::from(d.value)
                        * match d.unit {
                            DelayUnit::Hours => 3600,
                            DelayUnit::Days => 86_400,
                        }
                }),
            })
            .collect();
        let team_of: BTreeMap<ServiceId, _> = all.iter().map(|s| (s.id, s.team_id)).collect();
        let created_at: BTreeMap<ServiceId, _> = all.iter().map(|s| (s.id, s.created_at)).collect();
        let now = self.now();
        let open: Vec<OpenFacts> = self
            .open_summaries()?
            .iter()
            .map(|s| OpenFacts {
                service: s.service_id,
                team: team_of.get(&s.service_id).copied().flatten(),
                assignee: s.assignee,
                overdue: s.overdue(now),
                late: s.late(now),
                status: s.status,
                age_days: (now.0 - s.created_at.0).max(0) / 86_400,
            })
            .collect();
        let figures = report(&rows, &previous, &facts, &open, query.filter, |d| {
            period_of(unit, d)
        });
        // Retire: active services without a request in the period nor in the 90 days to its end.
        let quiet_from = from.min(to - QUIET_DAYS + 1);
        let requested: BTreeSet<ServiceId> = if quiet_from < from {
            reader
                .rollups(quiet_from, to)?
                .into_iter()
                .filter(|(_, c)| c.submitted > 0)
                .map(|(k, _)| k.service)
                .collect()
        } else {
            rows.iter()
                .filter(|(_, c)| c.submitted > 0)
                .map(|(k, _)| k.service)
                .collect()
        };
        // Oldest first: by creation date where known (services from before it was recorded
        // first), then by id, which follows creation.
        let mut quiet: Vec<ServiceId> = figures
            .never_requested
            .iter()
            .copied()
            .filter(|s| !requested.contains(s))
            .collect();
        quiet.sort_by_key(|s| (created_at.get(s).copied().flatten(), *s));
        let conclusions = conclusions(&figures, &facts, &quiet, to - quiet_from + 1);
        let names = reader
            .users()?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        Ok(MetricsView {
            query,
            unit,
            report: figures,
            conclusions,
            services: facts,
            categories: reader.categories()?,
            teams: reader.teams()?,
            names,
            created_at,
        })
    }
}
