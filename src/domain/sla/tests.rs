//! SLA policies: validation, and deadlines derived from a timeline (approval excluded, pauses,
//! days to the same time of day, escalations raised once and re-armed only when a deadline
//! moves later, reminders and closing while waiting).

use super::*;
use crate::domain::calendar::Calendar;
use crate::domain::request::{Event, EventKind};
use crate::domain::{Timestamp, UserId};
use jiff::civil::date;

const H: i64 = 3600;

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").expect("zone")
}

/// Monday to Friday, 9:00–18:00 in Paris.
fn office() -> Calendar {
    let input = CalendarInput {
        name: "Bureau".into(),
        time_zone: "Europe/Paris".into(),
        hours: ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .map(|d| ((*d).into(), "09:00".into(), "18:00".into()))
            .collect(),
        holidays: vec![("2026-12-25".into(), "Noël".into(), true)],
    };
    input.check().expect("valid").1
}

fn at(d: i8, h: i8) -> Timestamp {
    let z = date(2026, 12, d)
        .at(h, 0, 0, 0)
        .to_zoned_datetime(paris())
        .expect("instant");
    Timestamp(z.timestamp().as_second())
}

fn ev(at: Timestamp, kind: EventKind) -> Event {
    Event {
        at,
        by: Some(UserId(1)),
        kind,
    }
}

fn policy(response: u32, resolution: (u32, TargetUnit)) -> SlaPolicy {
    SlaPolicy {
        id: 1,
        name: "P".into(),
        calendar_id: None,
        response: Some(Target {
            value: response,
            unit: TargetUnit::Hours,
        }),
        resolution: Some(Target {
            value: resolution.0,
            unit: resolution.1,
        }),
        thresholds: vec![
            Threshold {
                target: Clock::Resolution,
                percent: 50,
                notify: vec![Recipient::Assignee],
            },
            Threshold {
                target: Clock::Resolution,
                percent: 100,
                notify: vec![Recipient::TeamLead],
            },
        ],
    }
}

#[test]
fn time_waiting_for_approval_never_counts() {
    // Submitted Monday 7 at 9:00, approved Tuesday 8 at 15:00: 8 working hours from there.
    let events = [
        ev(at(7, 9), EventKind::Submitted),
        ev(
            at(8, 15),
            EventKind::Approved {
                step: 0,
                comment: String::new(),
                overridden: false,
            },
        ),
    ];
    let clock = replay(&events, 1);
    assert_eq!(clock.start, Some(at(8, 15)));
    let state = clock.state(&policy(2, (8, TargetUnit::Hours)), &office(), at(8, 16));
    let resolution = state.resolution.expect("resolution");
    assert_eq!(resolution.at, Some(at(9, 14)));
    assert_eq!(state.response.and_then(|d| d.at), Some(at(8, 17)));
    // Before approval, no clock runs.
    assert_eq!(replay(&events[..1], 1).start, None);
}

#[test]
fn waiting_for_the_requester_pauses_the_clock_and_says_for_how_long() {
    let events = [
        ev(at(7, 9), EventKind::Submitted),
        ev(at(7, 10), EventKind::Taken),
        ev(at(7, 11), EventKind::Waiting { body: "?".into() }),
        ev(at(7, 13), EventKind::Resumed),
    ];
    let clock = replay(&events, 0);
    let state = clock.state(&policy(2, (8, TargetUnit::Hours)), &office(), at(7, 14));
    let due = state.resolution.expect("resolution");
    // 8 working hours from Monday 9:00 is 17:00; paused two hours: Tuesday 10:00.
    assert_eq!(due.at, Some(at(8, 10)));
    assert_eq!(due.paused_seconds, 2 * H);
    assert!(!state.paused);
    // While still waiting, the deadline moves with the pause and nothing runs.
    let waiting = replay(&events[..3], 0);
    let state = waiting.state(&policy(2, (8, TargetUnit::Hours)), &office(), at(7, 15));
    assert!(state.paused);
    assert_eq!(state.next_due(), None);
    assert_eq!(state.resolution.and_then(|d| d.at), Some(at(8, 12)));
}

#[test]
fn a_target_in_days_is_the_same_time_that_many_working_days_later() {
    // Friday 11 at 15:00 plus 2 working days: Tuesday 15 at 15:00.
    let events = [ev(at(11, 15), EventKind::Submitted)];
    let state = replay(&events, 0).state(&policy(4, (2, TargetUnit::Days)), &office(), at(11, 16));
    assert_eq!(state.resolution.and_then(|d| d.at), Some(at(15, 15)));
    // Across Christmas (a holiday): Thursday 24 at 10:00 plus 1 day is Monday 28 at 10:00.
    let events = [ev(at(24, 10), EventKind::Submitted)];
    let state = replay(&events, 0).state(&policy(4, (1, TargetUnit::Days)), &office(), at(24, 11));
    assert_eq!(state.resolution.and_then(|d| d.at), Some(at(28, 10)));
}

/// An instant in Paris or New York on a civil date and hour.
fn local(zone: &str, month: i8, d: i8, h: i8) -> Timestamp {
    let z = date(2026, month, d)
        .at(h, 0, 0, 0)
        .to_zoned_datetime(TimeZone::get(zone).expect("zone"))
        .expect("instant");
    Timestamp(z.timestamp().as_second())
}

/// Office hours in a zone, Monday to Friday 9:00–18:00.
fn office_in(zone: &str) -> Calendar {
    let input = CalendarInput {
        name: "Office".into(),
        time_zone: zone.into(),
        hours: ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .map(|d| ((*d).into(), "09:00".into(), "18:00".into()))
            .collect(),
        holidays: Vec::new(),
    };
    input.check().expect("valid").1
}

#[test]
fn deadlines_keep_the_wall_clock_across_daylight_saving_changes() {
    // Paris springs forward on Sunday 29 March 2026: Friday 27 at 16:00 plus 4 working hours is
    // Monday 30 at 11:00 local (09:00 UTC, not 10:00), and plus 1 day is Monday 30 at 16:00.
    let events = [ev(local("Europe/Paris", 3, 27, 16), EventKind::Submitted)];
    let paris_office = office_in("Europe/Paris");
    let now = local("Europe/Paris", 3, 27, 17);
    let state = replay(&events, 0).state(&policy(4, (1, TargetUnit::Days)), &paris_office, now);
    let response = state.response.and_then(|d| d.at);
    assert_eq!(response, Some(local("Europe/Paris", 3, 30, 11)));
    assert_eq!(
        response.map(|t| t.0 % 86_400 / 3600),
        Some(9),
        "11:00 CEST is 09:00 UTC"
    );
    let resolution = state.resolution.and_then(|d| d.at);
    assert_eq!(resolution, Some(local("Europe/Paris", 3, 30, 16)));
    // New York falls back on Sunday 1 November 2026: Friday 30 October at 15:00 plus 8 working
    // hours is Monday 2 November at 14:00 local, whatever the extra hour on Sunday.
    let events = [ev(
        local("America/New_York", 10, 30, 15),
        EventKind::Submitted,
    )];
    let ny_office = office_in("America/New_York");
    let now = local("America/New_York", 10, 30, 16);
    let state = replay(&events, 0).state(&policy(8, (2, TargetUnit::Days)), &ny_office, now);
    assert_eq!(
        state.response.and_then(|d| d.at),
        Some(local("America/New_York", 11, 2, 14))
    );
    assert_eq!(
        state.resolution.and_then(|d| d.at),
        Some(local("America/New_York", 11, 3, 15))
    );
    // The same request on a 24/7 calendar counts the short night: 8 elapsed hours from Saturday
    // 28 March 22:00 in Paris end at Sunday 29 at 07:00 local (one hour skipped).
    let always = Calendar::always(paris());
    let events = [ev(local("Europe/Paris", 3, 28, 22), EventKind::Submitted)];
    let state = replay(&events, 0).state(&policy(8, (1, TargetUnit::Days)), &always, now);
    assert_eq!(
        state.response.and_then(|d| d.at),
        Some(local("Europe/Paris", 3, 29, 7))
    );
}

#[test]
fn met_and_breached_and_the_first_take_only_answers() {
    let p = policy(1, (2, TargetUnit::Hours));
    let events = [
        ev(at(7, 9), EventKind::Submitted),
        ev(at(7, 9), EventKind::Taken),
        ev(at(7, 10), EventKind::Assigned { to: UserId(2) }),
        ev(
            at(7, 12),
            EventKind::Completed {
                resolution: "ok".into(),
            },
        ),
    ];
    let state = replay(&events, 0).state(&p, &office(), at(8, 9));
    let response = state.response.clone().expect("response");
    assert_eq!(response.met_at, Some(at(7, 9)));
    assert!(!response.breached);
    assert!(state.breached());
    let resolution = state.resolution.expect("resolution");
    assert!(resolution.breached, "done at 12:00, due at 11:00");
}

#[test]
fn each_threshold_fires_once_and_again_only_if_the_deadline_moves_later() {
    let p = policy(2, (8, TargetUnit::Hours));
    let cal = office();
    let mut events = vec![ev(at(7, 9), EventKind::Submitted)];
    let clock = replay(&events, 0);
    assert!(clock.due_escalations(&p, &cal, at(7, 12)).is_empty());
    assert_eq!(
        clock.next_wake(Some((&p, &cal)), 0, at(7, 12)),
        Some(at(7, 13))
    );
    let due = clock.due_escalations(&p, &cal, at(7, 14));
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].target, due[0].percent, due[0].due),
        (Clock::Resolution, 50, at(7, 13))
    );
    events.push(Event {
        at: at(7, 14),
        by: None,
        kind: EventKind::Escalated {
            target: Clock::Resolution,
            percent: 50,
            due: at(7, 13),
            notify: vec![Recipient::Assignee],
        },
    });
    let clock = replay(&events, 0);
    assert!(
        clock.due_escalations(&p, &cal, at(7, 15)).is_empty(),
        "raised once"
    );
    // A longer target moves the 50 % point later: it re-arms, and fires when reached.
    let longer = policy(2, (16, TargetUnit::Hours));
    assert!(clock.due_escalations(&longer, &cal, at(7, 15)).is_empty());
    assert_eq!(clock.due_escalations(&longer, &cal, at(8, 9)).len(), 1);
    // A shorter one does not fire it again.
    let shorter = policy(2, (6, TargetUnit::Hours));
    assert!(clock.due_escalations(&shorter, &cal, at(7, 14)).is_empty());
}

#[test]
fn waiting_reminds_half_way_then_closes() {
    let events = [
        ev(at(7, 9), EventKind::Submitted),
        ev(at(7, 10), EventKind::Taken),
        ev(at(7, 11), EventKind::Waiting { body: "?".into() }),
    ];
    let clock = replay(&events, 0);
    assert_eq!(clock.waiting_step(4, at(8, 11)), None);
    assert_eq!(clock.waiting_step(4, at(9, 11)), Some(WaitingStep::Remind));
    assert_eq!(clock.waiting_step(4, at(11, 11)), Some(WaitingStep::Close));
    assert_eq!(clock.waiting_step(0, at(31, 11)), None, "0 never closes");
    assert_eq!(clock.next_wake(None, 4, at(7, 12)), Some(at(9, 11)));
}

#[test]
fn bad_policies_and_calendars_are_refused_in_words() {
    let input = PolicyInput {
        name: " ".into(),
        calendar_id: Some(9),
        response: Some(Target {
            value: 0,
            unit: TargetUnit::Hours,
        }),
        resolution: None,
        thresholds: vec![Threshold {
            target: Clock::Response,
            percent: 75,
            notify: vec![Recipient::Assignee],
        }],
    };
    let errors = input.check(|_| false).expect_err("invalid");
    assert_eq!(errors.get("name"), Some("is required"));
    assert_eq!(
        errors.get("calendar_id"),
        Some("must name an existing calendar")
    );
    assert!(errors.get("response_target").is_some());
    assert!(
        errors
            .get("thresholds")
            .is_some_and(|m| m.contains("reaches nobody") || m.contains("before anyone"))
    );
    let calendar = CalendarInput {
        name: "X".into(),
        time_zone: "Mars/Olympus".into(),
        hours: vec![("mon".into(), "18:00".into(), "09:00".into())],
        holidays: vec![("2026-13-01".into(), "?".into(), false)],
    };
    let errors = calendar.check().expect_err("invalid");
    assert!(errors.get("time_zone").is_some());
    assert_eq!(
        errors.get("hours"),
        Some("a range must end after it starts")
    );
    assert_eq!(errors.get("holidays"), Some("a date is written YYYY-MM-DD"));
}

#[test]
fn a_reopening_starts_a_new_resolution_cycle_and_keeps_the_response() {
    // Submitted Monday 7 at 9:00, taken at 10:00, done at 12:00; reopened Wednesday 9 at
    // 14:00: the 8-hour resolution target counts again from there (to Thursday 10 at 13:00).
    let mut events = vec![
        ev(at(7, 9), EventKind::Submitted),
        ev(at(7, 10), EventKind::Taken),
        ev(
            at(7, 12),
            EventKind::Completed {
                resolution: "ok".into(),
            },
        ),
    ];
    let p = policy(4, (8, TargetUnit::Hours));
    let first = replay(&events, 0).state(&p, &office(), at(9, 14));
    let resolution = first.resolution.expect("resolution");
    assert_eq!(
        (resolution.met_at, resolution.breached),
        (Some(at(7, 12)), false)
    );
    events.push(ev(
        at(9, 14),
        EventKind::Reopened {
            reason: "encore".into(),
            first_breached: Some(false),
        },
    ));
    let clock = replay(&events, 0);
    let state = clock.state(&p, &office(), at(9, 15));
    let response = state.response.expect("response");
    assert_eq!(response.met_at, Some(at(7, 10)), "the first take meets it");
    let resolution = state.resolution.expect("resolution");
    assert_eq!(resolution.start, at(9, 14));
    assert_eq!(resolution.at, Some(at(10, 13)));
    assert_eq!((resolution.met_at, resolution.breached), (None, false));
    // Its thresholds fire again for the new cycle: half-way is Wednesday at 18:00.
    let due = clock.due_escalations(&p, &office(), at(10, 9));
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].percent, due[0].due), (50, at(9, 18)));
    // Past the new deadline without a resolution: breached.
    let late = clock.state(&p, &office(), at(10, 14));
    assert!(late.resolution.expect("resolution").breached);
}
