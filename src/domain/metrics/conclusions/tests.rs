//! Each conclusion on a crafted report, and its rule's edges.

use super::*;
use crate::domain::CategoryId;
use crate::domain::metrics::report::{Load, ServiceFigures};

fn figures(
    service: u64,
    count: i64,
    finished: i64,
    work: i64,
    median: i64,
    p90: i64,
    estimate: Option<i64>,
) -> ServiceFigures {
    ServiceFigures {
        service: ServiceId(service),
        name: format!("S{service}"),
        count,
        finished,
        reopened: 0,
        mean_seconds: Some(median),
        median_seconds: Some(median),
        p90_seconds: Some(p90),
        approval_seconds: Some(0),
        queue_seconds: Some(median - work),
        work_seconds: Some(work),
        paused_seconds: Some(0),
        response_mean_seconds: Some(median - work),
        estimate_seconds: estimate,
    }
}

fn facts(id: u64, approval: bool) -> ServiceFacts {
    ServiceFacts {
        id: ServiceId(id),
        name: format!("S{id}"),
        category: CategoryId(1),
        team: None,
        active: true,
        requires_approval: approval,
        estimate_seconds: None,
    }
}

#[test]
fn automate_needs_volume_short_steady_work_and_no_approval() {
    let report = Report {
        services: vec![
            figures(1, 40, 38, 600, 3600, 7200, None),
            figures(2, 40, 38, 600, 3600, 7200, None),
            figures(3, 9, 9, 600, 3600, 7200, None),
            figures(4, 40, 38, 3600, 7200, 14_400, None),
            figures(5, 40, 38, 600, 3600, 36_000, None),
        ],
        ..Report::default()
    };
    let services = [
        facts(1, false),
        facts(2, true),
        facts(3, false),
        facts(4, false),
        facts(5, false),
    ];
    let found = conclusions(&report, &services, &[], 90);
    assert_eq!(
        found,
        vec![Conclusion::Automate {
            service: ServiceId(1),
            count: 40,
            work_seconds: 600,
            p90_seconds: 7200
        }],
        "2 needs approval, 3 is rare, 4 takes long, 5 varies"
    );
}

#[test]
fn estimates_far_from_the_median_in_either_direction_are_fixed() {
    let report = Report {
        services: vec![
            figures(
                1,
                10,
                10,
                600,
                4 * 86_400 + 60,
                5 * 86_400,
                Some(2 * 86_400),
            ),
            figures(2, 10, 10, 600, 3000, 4000, Some(3 * 86_400)),
            figures(3, 10, 10, 600, 3 * 3600, 4 * 3600, Some(2 * 3600)),
            figures(4, 4, 4, 600, 9 * 86_400, 9 * 86_400, Some(3600)),
        ],
        ..Report::default()
    };
    let found: Vec<Conclusion> = conclusions(&report, &[], &[], 90)
        .into_iter()
        .filter(|c| matches!(c, Conclusion::FixEstimate { .. }))
        .collect();
    assert_eq!(
        found,
        vec![
            Conclusion::FixEstimate {
                service: ServiceId(1),
                median_seconds: 4 * 86_400 + 60,
                estimate_seconds: 2 * 86_400,
                suggested_seconds: 5 * 86_400,
            },
            Conclusion::FixEstimate {
                service: ServiceId(2),
                median_seconds: 3000,
                estimate_seconds: 3 * 86_400,
                suggested_seconds: 3600,
            },
        ],
        "3 is within 1.5 times, 4 has too few finished"
    );
}

#[test]
fn teams_whose_backlog_grows_or_runs_late_are_reinforced_and_quiet_services_retired() {
    let mut report = Report::default();
    let load = |submitted, ended, open, overdue| Load {
        submitted,
        ended,
        open,
        overdue,
        ..Load::default()
    };
    report.teams.insert(Some(TeamId(1)), load(20, 15, 6, 0));
    report.teams.insert(Some(TeamId(2)), load(20, 19, 8, 2));
    report.teams.insert(Some(TeamId(3)), load(100, 98, 3, 3));
    report.teams.insert(None, load(10, 10, 2, 0));
    let found = conclusions(&report, &[], &[ServiceId(7)], 120);
    assert_eq!(
        found,
        vec![
            Conclusion::Reinforce {
                team: Some(TeamId(1)),
                growth: 5,
                open: 6,
                overdue: 0
            },
            Conclusion::Reinforce {
                team: Some(TeamId(2)),
                growth: 1,
                open: 8,
                overdue: 2
            },
            Conclusion::Retire {
                service: ServiceId(7),
                days: 120
            },
        ],
        "team 3 has too few open requests to judge its overdue share"
    );
    assert_eq!(suggested(3601), 7200);
    assert_eq!(suggested(86_401), 2 * 86_400);
}
