//! The report adds up roll-up rows and open requests as hand-computed here.

use super::*;
use crate::domain::metrics::bucket;

const VPN: ServiceId = ServiceId(1);
const PC: ServiceId = ServiceId(2);
const IDLE: ServiceId = ServiceId(3);
const SUPPORT: TeamId = TeamId(1);
const TOM: UserId = UserId(4);

fn services() -> Vec<ServiceFacts> {
    let s = |id, name: &str, category, approval, estimate| ServiceFacts {
        id,
        name: name.into(),
        category: CategoryId(category),
        team: Some(SUPPORT),
        active: true,
        requires_approval: approval,
        estimate_seconds: estimate,
    };
    vec![
        s(VPN, "VPN", 1, true, Some(7200)),
        s(PC, "PC", 2, false, None),
        s(IDLE, "Fax", 2, false, None),
    ]
}

fn key(day: i32, service: ServiceId, assignee: Option<UserId>) -> RollupKey {
    RollupKey {
        day,
        service,
        team: Some(SUPPORT),
        assignee,
    }
}

fn finished(total: i64, work: i64, sla: Option<bool>) -> Counters {
    let mut c = Counters {
        finished: 1,
        total_seconds: total,
        work_seconds: work,
        queue_seconds: total - work,
        responded: 1,
        response_seconds: total - work,
        ..Counters::default()
    };
    match sla {
        Some(true) => c.sla_breached = 1,
        Some(false) => c.sla_met = 1,
        None => c.estimate_met = 1,
    }
    c.histogram.insert(bucket(total), 1);
    c
}

fn submitted(n: i64) -> Counters {
    Counters {
        submitted: n,
        ..Counters::default()
    }
}

#[test]
fn figures_add_up_per_service_team_technician_and_period() {
    let rows = vec![
        (key(10, VPN, None), submitted(3)),
        (key(11, VPN, Some(TOM)), finished(3600, 1800, None)),
        (key(12, VPN, Some(TOM)), finished(10_800, 3600, None)),
        (key(12, PC, None), submitted(1)),
        (key(13, PC, Some(TOM)), finished(7200, 600, Some(true))),
    ];
    let previous = vec![(key(3, VPN, None), submitted(5))];
    let open = vec![OpenFacts {
        service: VPN,
        team: Some(SUPPORT),
        assignee: Some(TOM),
        overdue: false,
        late: true,
        status: Status::InProgress,
        age_days: 4,
    }];
    let r = report(
        &rows,
        &previous,
        &services(),
        &open,
        Filter::default(),
        |d| d / 7,
    );
    let vpn = r.services.iter().find(|s| s.service == VPN).expect("vpn");
    assert_eq!((vpn.count, vpn.finished), (3, 2));
    assert_eq!(vpn.mean_seconds, Some(7200));
    assert_eq!(vpn.work_seconds, Some(2700));
    assert_eq!(vpn.queue_seconds, Some(4500));
    assert_eq!(vpn.estimate_seconds, Some(7200));
    let median = vpn.median_seconds.expect("median");
    assert!((median - 3600).abs() <= 180, "{median} within 5 % of 1 h");
    // Estimates: 2 met, 1 open and late; SLA: 1 breached.
    assert_eq!((r.estimate.met, r.estimate.missed), (2, 1));
    assert_eq!((r.sla.met, r.sla.missed), (0, 1));
    assert_eq!(r.sla.rate(), Some(0.0));
    assert!((r.estimate.rate().expect("rate") - 2.0 / 3.0).abs() < 1e-9);
    // Volume per category and week (days 10..13 are week 1).
    assert_eq!(r.volume.get(&(CategoryId(1), 1)), Some(&3));
    assert_eq!(r.volume.get(&(CategoryId(2), 1)), Some(&1));
    let team = &r.teams[&Some(SUPPORT)];
    assert_eq!(
        (team.submitted, team.ended, team.finished, team.open),
        (4, 3, 3, 1)
    );
    let tom = &r.technicians[&TOM];
    assert_eq!((tom.open, tom.taken, tom.finished), (1, 1, 3));
    assert_eq!(r.top, vec![(VPN, 3, 5), (PC, 1, 0)]);
    assert_eq!(r.never_requested, vec![IDLE]);
    assert_eq!(r.flow.get(&1), Some(&(4, 3)));
    assert_eq!(r.per_service_period.get(&(VPN, 1)), Some(&3));
    assert_eq!(r.per_service_period.get(&(PC, 1)), Some(&1));
    assert_eq!(
        r.backlog.get(&(Status::InProgress, 2)),
        Some(&1),
        "4 days: the 3–7 days group"
    );
    assert_eq!(
        [0, 1, 2, 3, 29, 30, 400].map(age_group),
        [0, 1, 1, 2, 3, 4, 4]
    );
}

#[test]
fn filters_keep_one_service_or_category() {
    let rows = vec![
        (key(1, VPN, None), submitted(2)),
        (key(1, PC, None), submitted(1)),
    ];
    let only = |filter| report(&rows, &[], &services(), &[], filter, |d| d);
    let r = only(Filter {
        category: Some(CategoryId(2)),
        ..Filter::default()
    });
    assert_eq!(r.totals.submitted, 1);
    assert_eq!(r.never_requested, vec![IDLE], "VPN is outside the category");
    let r = only(Filter {
        service: Some(VPN),
        ..Filter::default()
    });
    assert_eq!((r.totals.submitted, r.services.len()), (2, 1));
    let r = only(Filter {
        team: Some(TeamId(9)),
        ..Filter::default()
    });
    assert_eq!((r.totals.submitted, r.services.len()), (0, 0));
}

#[test]
fn periods_are_days_iso_weeks_or_months() {
    let day = crate::domain::metrics::day_number(jiff::civil::date(2026, 11, 29));
    assert_eq!(
        period_label(Unit::Day, period_of(Unit::Day, day)),
        "2026-11-29"
    );
    // Sunday 29 November 2026 closes ISO week 48; Monday 30 opens week 49.
    assert_eq!(
        period_label(Unit::Week, period_of(Unit::Week, day)),
        "2026-W48"
    );
    assert_eq!(
        period_label(Unit::Week, period_of(Unit::Week, day + 1)),
        "2026-W49"
    );
    assert_eq!(
        period_label(Unit::Month, period_of(Unit::Month, day)),
        "2026-11"
    );
    assert_eq!(Unit::for_days(31), Unit::Day);
    assert_eq!(Unit::for_days(90), Unit::Week);
    assert_eq!(Unit::for_days(730), Unit::Month);
}
