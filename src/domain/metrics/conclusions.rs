//! The four conclusions drawn from a report, each with the rule that produced it: services to
//! automate, estimates to fix, teams to reinforce, services to retire.

use super::report::{Report, ServiceFacts};
use crate::domain::{ServiceId, TeamId};

/// Automate: at least this many requests in the period…
pub const AUTOMATE_MIN_COUNT: i64 = 10;
/// …of which at least this many finished…
pub const AUTOMATE_MIN_FINISHED: i64 = 5;
/// …with at most this much work on average (seconds)…
pub const AUTOMATE_MAX_WORK: i64 = 30 * 60;
/// …and a 90th percentile at most this many times the median (low variance), no approval.
pub const AUTOMATE_MAX_SPREAD: i64 = 3;
/// Fix the estimate: at least this many finished, and a median more than 1.5 times the
/// estimate or less than half of it.
pub const ESTIMATE_MIN_FINISHED: i64 = 5;
/// Reinforce: a team whose backlog grew by at least this many requests and by 10 % of what it
/// received, or with at least a quarter of at least 4 open requests overdue.
pub const REINFORCE_MIN_GROWTH: i64 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conclusion {
    Automate {
        service: ServiceId,
        count: i64,
        work_seconds: i64,
        p90_seconds: i64,
    },
    FixEstimate {
        service: ServiceId,
        median_seconds: i64,
        estimate_seconds: i64,
        suggested_seconds: i64,
    },
    Reinforce {
        team: Option<TeamId>,
        /// Received minus ended in the period.
        growth: i64,
        open: i64,
        overdue: i64,
    },
    Retire {
        service: ServiceId,
        /// Days without any request.
        days: i32,
    },
}

/// A suggested estimate: the median rounded up to whole hours, or to whole days past a day.
pub fn suggested(median: i64) -> i64 {
    const HOUR: i64 = 3600;
    const DAY: i64 = 24 * HOUR;
    if median <= DAY {
        (median + HOUR - 1) / HOUR * HOUR
    } else {
        (median + DAY - 1) / DAY * DAY
    }
}

/// The conclusions of `report`; `quiet` are the active services without any request in the
/// period nor in the 90 days before its end (`quiet_days` long), oldest first.
pub fn conclusions(
    report: &Report,
    services: &[ServiceFacts],
    quiet: &[ServiceId],
    quiet_days: i32,
) -> Vec<Conclusion> {
    let mut out = Vec::new();
    let approval = |id: ServiceId| services.iter().any(|s| s.id == id && s.requires_approval);
    for f in &report.services {
        if let (Some(work), Some(median), Some(p90)) =
            (f.work_seconds, f.median_seconds, f.p90_seconds)
            && f.count >= AUTOMATE_MIN_COUNT
            && f.finished >= AUTOMATE_MIN_FINISHED
            && work <= AUTOMATE_MAX_WORK
            && p90 <= AUTOMATE_MAX_SPREAD * median.max(1)
            && !approval(f.service)
        {
            out.push(Conclusion::Automate {
                service: f.service,
                count: f.count,
                work_seconds: work,
                p90_seconds: p90,
            });
        }
    }
    for f in &report.services {
        if let (Some(median), Some(estimate)) = (f.median_seconds, f.estimate_seconds)
            && f.finished >= ESTIMATE_MIN_FINISHED
            && estimate > 0
            && (2 * median > 3 * estimate || 2 * median < estimate)
        {
            out.push(Conclusion::FixEstimate {
                service: f.service,
                median_seconds: median,
                estimate_seconds: estimate,
                suggested_seconds: suggested(median),
            });
        }
    }
    for (team, load) in &report.teams {
        let growth = load.submitted - load.ended;
        let grew = growth >= REINFORCE_MIN_GROWTH && 10 * growth >= load.submitted;
        let late = load.open >= 4 && 4 * load.overdue >= load.open;
        if grew || late {
            out.push(Conclusion::Reinforce {
                team: *team,
                growth,
                open: load.open,
                overdue: load.overdue,
            });
        }
    }
    for service in quiet {
        out.push(Conclusion::Retire {
            service: *service,
            days: quiet_days,
        });
    }
    out
}

#[cfg(test)]
mod tests;
