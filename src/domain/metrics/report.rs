//! The metrics report: figures for a period read from the roll-up rows of that period (and of
//! the period before, for the trend), the services' facts and the open requests as they stand;
//! never from every request. Pure: the caller reads, this adds up.

use super::{Counters, RollupKey, date_of_day, quantile};
use crate::domain::request::Status;
use crate::domain::{CategoryId, ServiceId, TeamId, UserId};
use std::collections::BTreeMap;

/// What the report needs to know of a service.
#[derive(Debug, Clone)]
pub struct ServiceFacts {
    pub id: ServiceId,
    pub name: String,
    pub category: CategoryId,
    pub team: Option<TeamId>,
    pub active: bool,
    pub requires_approval: bool,
    /// The estimated delay, in seconds.
    pub estimate_seconds: Option<i64>,
}

/// An open request as it stands now.
#[derive(Debug, Clone)]
pub struct OpenFacts {
    pub service: ServiceId,
    pub team: Option<TeamId>,
    pub assignee: Option<UserId>,
    /// Past a running SLA deadline.
    pub overdue: bool,
    /// Past its expected date, without SLA.
    pub late: bool,
    pub status: Status,
    /// Whole days since it was submitted.
    pub age_days: i64,
}

/// The upper bounds, in days, of the backlog's age groups; the last group has none.
pub const AGE_GROUPS: [i64; 4] = [1, 3, 7, 30];

/// The age group of an open request: 0 (under a day) to 4 (30 days or more).
pub fn age_group(days: i64) -> u8 {
    let group = AGE_GROUPS
        .iter()
        .take_while(|bound| days >= **bound)
        .count();
    u8::try_from(group).unwrap_or(u8::MAX)
}

/// Which requests count: a service, a category, a team; all when `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    pub service: Option<ServiceId>,
    pub category: Option<CategoryId>,
    pub team: Option<TeamId>,
}

impl Filter {
    fn keeps(&self, service: Option<&ServiceFacts>, team: Option<TeamId>) -> bool {
        self.service
            .is_none_or(|s| service.is_some_and(|f| f.id == s))
            && self
                .category
                .is_none_or(|c| service.is_some_and(|f| f.category == c))
            && self.team.is_none_or(|t| team == Some(t))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFigures {
    pub service: ServiceId,
    pub name: String,
    pub count: i64,
    pub finished: i64,
    pub reopened: i64,
    /// Means over the finished requests, and the median and 90th percentile of their total
    /// time (from the histogram: within 5 %).
    pub mean_seconds: Option<i64>,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub approval_seconds: Option<i64>,
    pub queue_seconds: Option<i64>,
    pub work_seconds: Option<i64>,
    pub paused_seconds: Option<i64>,
    pub response_mean_seconds: Option<i64>,
    pub estimate_seconds: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rate {
    pub met: i64,
    /// Breached (SLA) or late (estimates), open ones already past their date included.
    pub missed: i64,
}

impl Rate {
    /// met ÷ (met + missed), `None` when nothing counts.
    pub fn rate(&self) -> Option<f64> {
        let all = self.met + self.missed;
        #[allow(clippy::cast_precision_loss)]
        (all > 0).then(|| self.met as f64 / all as f64)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Load {
    /// Received in the period.
    pub submitted: i64,
    /// Done, cancelled or rejected in the period.
    pub ended: i64,
    pub open: i64,
    /// Open and assigned (technicians only).
    pub taken: i64,
    pub finished: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub services: Vec<ServiceFigures>,
    /// (category, period index from the first day, submitted).
    pub volume: BTreeMap<(CategoryId, i32), i64>,
    /// Per period: submitted, finished (done).
    pub flow: BTreeMap<i32, (i64, i64)>,
    /// Per service and period: submitted.
    pub per_service_period: BTreeMap<(ServiceId, i32), i64>,
    /// Open requests by status and age group.
    pub backlog: BTreeMap<(Status, u8), i64>,
    pub teams: BTreeMap<Option<TeamId>, Load>,
    pub technicians: BTreeMap<UserId, Load>,
    pub sla: Rate,
    pub estimate: Rate,
    /// The ten most requested services: (service, count, count in the period before).
    pub top: Vec<(ServiceId, i64, i64)>,
    /// Active services nobody asked for in the period.
    pub never_requested: Vec<ServiceId>,
    pub totals: Counters,
}

/// How volumes are grouped: by day up to a month, by week up to half a year, by month beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
}

impl Unit {
    pub fn for_days(days: i32) -> Unit {
        match days {
            ..=31 => Unit::Day,
            32..=186 => Unit::Week,
            _ => Unit::Month,
        }
    }
}

/// The volume period a day falls in: the day itself, its ISO week (weeks start on Monday;
/// 1970-01-01 was a Thursday), or its month.
pub fn period_of(unit: Unit, day: i32) -> i32 {
    match unit {
        Unit::Day => day,
        Unit::Week => (day + 3).div_euclid(7),
        Unit::Month => {
            let d = date_of_day(day);
            i32::from(d.year()) * 12 + i32::from(d.month()) - 1
        }
    }
}

pub fn period_label(unit: Unit, index: i32) -> String {
    match unit {
        Unit::Day => date_of_day(index).to_string(),
        Unit::Week => {
            let monday = date_of_day(index * 7 - 3);
            let week = monday.iso_week_date();
            format!("{}-W{:02}", week.year(), week.week())
        }
        Unit::Month => format!("{}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1),
    }
}

fn per_finished(sum: i64, n: i64) -> Option<i64> {
    (n > 0).then(|| sum / n)
}

/// Adds up `rows` (the period) and `previous` (the period of the same length before it).
/// `period_of` maps a day to its volume period (day, week or month).
pub fn report(
    rows: &[(RollupKey, Counters)],
    previous: &[(RollupKey, Counters)],
    services: &[ServiceFacts],
    open: &[OpenFacts],
    filter: Filter,
    period_of: impl Fn(i32) -> i32,
) -> Report {
    let facts: BTreeMap<ServiceId, &ServiceFacts> = services.iter().map(|s| (s.id, s)).collect();
    let kept =
        |service: ServiceId, team: Option<TeamId>| filter.keeps(facts.get(&service).copied(), team);
    let mut r = Report::default();
    let mut per_service: BTreeMap<ServiceId, Counters> = BTreeMap::new();
    for (key, c) in rows.iter().filter(|(k, _)| kept(k.service, k.team)) {
        per_service.entry(key.service).or_default().add(c, 1);
        r.totals.add(c, 1);
        let period = period_of(key.day);
        let flow = r.flow.entry(period).or_default();
        flow.0 += c.submitted;
        flow.1 += c.finished;
        if c.submitted > 0 {
            *r.per_service_period
                .entry((key.service, period))
                .or_default() += c.submitted;
        }
        if c.submitted > 0
            && let Some(s) = facts.get(&key.service)
        {
            *r.volume
                .entry((s.category, period_of(key.day)))
                .or_default() += c.submitted;
        }
        let team = r.teams.entry(key.team).or_default();
        team.finished += c.finished;
        team.submitted += c.submitted;
        team.ended += c.finished + c.cancelled + c.rejected;
        if let Some(user) = key.assignee {
            r.technicians.entry(user).or_default().finished += c.finished;
        }
    }
    let mut before: BTreeMap<ServiceId, i64> = BTreeMap::new();
    for (key, c) in previous.iter().filter(|(k, _)| kept(k.service, k.team)) {
        *before.entry(key.service).or_default() += c.submitted;
    }
    r.sla = Rate {
        met: r.totals.sla_met,
        missed: r.totals.sla_breached,
    };
    r.estimate = Rate {
        met: r.totals.estimate_met,
        missed: r.totals.estimate_late,
    };
    for o in open.iter().filter(|o| kept(o.service, o.team)) {
        let team = r.teams.entry(o.team).or_default();
        team.open += 1;
        team.overdue += i64::from(o.overdue);
        if let Some(user) = o.assignee {
            let tech = r.technicians.entry(user).or_default();
            tech.open += 1;
            tech.taken += 1;
            tech.overdue += i64::from(o.overdue);
        }
        *r.backlog
            .entry((o.status, age_group(o.age_days)))
            .or_default() += 1;
        r.sla.missed += i64::from(o.overdue);
        r.estimate.missed += i64::from(o.late);
    }
    for s in services.iter().filter(|s| filter.keeps(Some(s), s.team)) {
        let c = per_service.get(&s.id).cloned().unwrap_or_default();
        if c.submitted == 0 && s.active {
            r.never_requested.push(s.id);
        }
        if c.is_zero() {
            continue;
        }
        r.services.push(ServiceFigures {
            service: s.id,
            name: s.name.clone(),
            count: c.submitted,
            finished: c.finished,
            reopened: c.reopened,
            mean_seconds: per_finished(c.total_seconds, c.finished),
            median_seconds: quantile(&c.histogram, 0.5),
            p90_seconds: quantile(&c.histogram, 0.9),
            approval_seconds: per_finished(c.approval_seconds, c.finished),
            queue_seconds: per_finished(c.queue_seconds, c.finished),
            work_seconds: per_finished(c.work_seconds, c.finished),
            paused_seconds: per_finished(c.paused_seconds, c.finished),
            response_mean_seconds: per_finished(c.response_seconds, c.responded),
            estimate_seconds: s.estimate_seconds,
        });
    }
    let mut top: Vec<(ServiceId, i64, i64)> = r
        .services
        .iter()
        .filter(|f| f.count > 0)
        .map(|f| {
            (
                f.service,
                f.count,
                before.get(&f.service).copied().unwrap_or(0),
            )
        })
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top.truncate(10);
    r.top = top;
    r
}

#[cfg(test)]
mod tests;
