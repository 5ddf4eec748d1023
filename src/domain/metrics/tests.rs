//! Roll-up contributions on hand-computed timelines, and the histogram's quantiles within 5 %.

use super::*;
use crate::domain::approval::{People, resolve_steps};
use crate::domain::form::RequestData;
use crate::domain::request::{Action, Actor, NewRequest, RequestId, apply, submit};
use crate::domain::service::ApprovalRule;
use crate::domain::user::Role;
use proptest::prelude::*;

const REQUESTER: UserId = UserId(10);
const MANAGER: UserId = UserId(11);
const TECH: UserId = UserId(13);
const H: i64 = 3600;
/// 2026-11-30 00:00 UTC, a Monday.
const DAY0: i64 = 1_796_000_000 - 1_796_000_000 % 86_400;

fn at(hours: i64) -> Timestamp {
    Timestamp(DAY0 + hours * H)
}

fn actor(id: UserId) -> Actor {
    let role = if id == TECH {
        Role::Technician
    } else {
        Role::Requester
    };
    Actor { id, role }
}

/// A request submitted at hour 1, through the real workflow, with its timeline.
fn submitted(rules: &[ApprovalRule], expected: Option<i64>) -> (Request, Vec<Event>) {
    let active = |_| true;
    let people = People {
        requester: REQUESTER,
        manager: Some(MANAGER),
        team_lead: None,
        active: &active,
    };
    let (steps, fallbacks) = resolve_steps(rules, &people);
    submit(
        NewRequest {
            id: RequestId(7),
            service_id: ServiceId(3),
            service_name: "VPN".into(),
            requester: REQUESTER,
            filed_by: REQUESTER,
            data: RequestData::new(),
            form: Vec::new(),
            attachments: Vec::new(),
            team: Some(TeamId(2)),
            steps,
            fallbacks,
            due_at: expected.map(at),
        },
        at(1),
    )
}

fn act(r: &mut Request, events: &mut Vec<Event>, who: UserId, action: Action, hour: i64) {
    events.extend(apply(r, actor(who), action, at(hour)).expect("legal"));
}

fn rows(r: &Request, events: &[Event], sla: Option<bool>) -> Vec<(RollupKey, Counters)> {
    let facts = Facts {
        request: r,
        events,
        sla_breached: sla,
    };
    contribution(&facts, &TimeZone::UTC)
}

#[test]
fn a_finished_request_splits_its_time_into_approval_queue_work_and_pauses() {
    let (mut r, mut events) = submitted(&[ApprovalRule::Manager], Some(30));
    let approve = Action::Approve {
        comment: String::new(),
    };
    act(&mut r, &mut events, MANAGER, approve, 3);
    act(&mut r, &mut events, TECH, Action::Take, 7);
    let wait = Action::Wait {
        body: "Quel poste ?".into(),
    };
    act(&mut r, &mut events, TECH, wait, 8);
    act(&mut r, &mut events, TECH, Action::Resume, 10);
    let done = Action::Complete {
        resolution: "Fait".into(),
    };
    act(&mut r, &mut events, TECH, done, 25);
    let all = rows(&r, &events, None);
    assert_eq!(all.len(), 2);
    let (key, submitted) = &all[0];
    assert_eq!(
        (key.day, key.assignee),
        (day_of(at(1), &TimeZone::UTC), None)
    );
    assert_eq!(submitted.submitted, 1);
    let (key, end) = &all[1];
    // Done at hour 25: the next day, with its assignee.
    assert_eq!(key.day, day_of(at(1), &TimeZone::UTC) + 1);
    assert_eq!(
        (key.service, key.team, key.assignee),
        (ServiceId(3), Some(TeamId(2)), Some(TECH))
    );
    assert_eq!(end.finished, 1);
    assert_eq!(end.total_seconds, 24 * H);
    assert_eq!(end.approval_seconds, 2 * H);
    assert_eq!(end.queue_seconds, 4 * H);
    assert_eq!(end.paused_seconds, 2 * H);
    assert_eq!(end.work_seconds, 16 * H);
    assert_eq!((end.responded, end.response_seconds), (1, 4 * H));
    assert_eq!(
        (end.estimate_met, end.estimate_late),
        (1, 0),
        "done at 25, expected at 30"
    );
    assert_eq!(end.histogram.values().sum::<i64>(), 1);
    // Under SLA, the frozen result counts instead of the estimate.
    let under_sla = rows(&r, &events, Some(true));
    assert_eq!(
        (under_sla[1].1.sla_breached, under_sla[1].1.estimate_met),
        (1, 0)
    );
}

#[test]
fn a_reopened_request_keeps_its_first_result_and_counts_each_reopening() {
    let (mut r, mut events) = submitted(&[], Some(30));
    act(&mut r, &mut events, TECH, Action::Take, 2);
    let done = |text: &str| Action::Complete {
        resolution: text.into(),
    };
    act(&mut r, &mut events, TECH, done("Fait"), 5);
    let first = rows(&r, &events, Some(false));
    let reopen = Action::Reopen {
        reason: "Toujours en panne".into(),
        window_days: 14,
        first_breached: Some(false),
    };
    act(&mut r, &mut events, REQUESTER, reopen, 30);
    let wait = Action::Wait {
        body: "Quel message ?".into(),
    };
    act(&mut r, &mut events, TECH, wait, 31);
    act(&mut r, &mut events, TECH, Action::Resume, 33);
    act(&mut r, &mut events, TECH, done("Vraiment fait"), 50);
    // The second cycle's result is breached: the first one's is what counts.
    let all = rows(&r, &events, Some(true));
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(all[0], first[0], "submitted");
    let reopened = &all[1];
    assert_eq!(reopened.0.day, day_of(at(30), &TimeZone::UTC));
    assert_eq!(reopened.1.reopened, 1);
    assert_eq!(
        all[2], first[1],
        "the first resolution, its durations and SLA result stay as they were"
    );
    assert_eq!((all[2].1.sla_met, all[2].1.paused_seconds), (1, 0));
}

#[test]
fn rejected_and_cancelled_requests_count_apart_and_open_ones_only_as_submitted() {
    let (mut r, mut events) = submitted(&[ApprovalRule::Manager], None);
    assert_eq!(
        rows(&r, &events, None).len(),
        1,
        "open: its submission only"
    );
    let reject = Action::Reject {
        reason: "Non".into(),
    };
    act(&mut r, &mut events, MANAGER, reject, 2);
    let end = &rows(&r, &events, None)[1].1;
    assert_eq!((end.rejected, end.finished, end.total_seconds), (1, 0, 0));
    let (mut r, mut events) = submitted(&[], Some(2));
    act(
        &mut r,
        &mut events,
        REQUESTER,
        Action::Cancel {
            reason: String::new(),
        },
        5,
    );
    let end = &rows(&r, &events, None)[1].1;
    assert_eq!(
        (end.cancelled, end.estimate_late),
        (1, 0),
        "a cancelled request is never late"
    );
}

#[test]
fn counters_subtract_back_to_nothing() {
    let (mut r, mut events) = submitted(&[], Some(3));
    act(&mut r, &mut events, TECH, Action::Take, 2);
    let done = Action::Complete {
        resolution: "Fait".into(),
    };
    act(&mut r, &mut events, TECH, done, 6);
    let mut sum = Counters::default();
    for (_, c) in rows(&r, &events, None) {
        sum.add(&c, 1);
    }
    assert!(!sum.is_zero());
    for (_, c) in rows(&r, &events, None) {
        sum.add(&c, -1);
    }
    assert!(sum.is_zero(), "{sum:?}");
}

#[test]
fn days_are_civil_dates_in_the_zone() {
    let paris = TimeZone::get("Europe/Paris").expect("zone");
    // 23:30 UTC on 30 November is already 1 December in Paris.
    let late = Timestamp(DAY0 + 23 * H + 1800);
    assert_eq!(day_of(late, &paris), day_of(late, &TimeZone::UTC) + 1);
    assert_eq!(
        date_of_day(day_of(late, &paris)),
        jiff::civil::date(2026, 12, 1)
    );
    assert_eq!(day_number(jiff::civil::date(1970, 1, 2)), 1);
}

proptest! {
    #[test]
    fn quantiles_are_within_five_percent(mut durations in prop::collection::vec(1i64..100_000_000, 1..300), q in 0.0f64..1.0) {
        let mut histogram = BTreeMap::new();
        for d in &durations {
            *histogram.entry(bucket(*d)).or_insert(0) += 1;
        }
        durations.sort_unstable();
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rank = ((q * durations.len() as f64).ceil() as usize).max(1);
        let exact = durations[rank - 1];
        let estimate = quantile(&histogram, q).expect("some");
        #[allow(clippy::cast_precision_loss)]
        let error = (estimate - exact).abs() as f64 / exact as f64;
        prop_assert!(error <= 0.05 || (estimate - exact).abs() <= 1, "{exact} vs {estimate}");
    }
}
