//! Business time: worked examples (weekends, holidays, DST in Paris and New York, targets
//! spanning weeks, days) and properties over random instants and durations.

use super::*;
use jiff::civil::{date, time};
use proptest::prelude::*;

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).expect("time zone")
}

/// Monday to Friday, 9:00–12:00 and 13:00–18:00 (with a lunch break), or 9:00–18:00.
fn office(tz: &str, lunch: bool) -> Calendar {
    let days = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];
    let mut hours = Vec::new();
    for day in days {
        if lunch {
            hours.push(WorkRange {
                day,
                from: 9 * 60,
                to: 12 * 60,
            });
            hours.push(WorkRange {
                day,
                from: 13 * 60,
                to: 18 * 60,
            });
        } else {
            hours.push(WorkRange {
                day,
                from: 9 * 60,
                to: 18 * 60,
            });
        }
    }
    Calendar {
        time_zone: zone(tz),
        hours,
        holidays: vec![Holiday {
            date: date(2026, 12, 25),
            name: "Noël".into(),
            yearly: true,
        }],
    }
}

/// A wall time in `tz` as an instant.
fn at(tz: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
    let zoned = date(y, mo, d)
        .at(h, mi, 0, 0)
        .to_zoned_datetime(zone(tz))
        .expect("instant");
    Timestamp(zoned.timestamp().as_second())
}

const HOUR: i64 = 3600;

#[test]
fn a_weekend_does_not_count_and_dst_does_not_shift_office_hours() {
    let paris = office("Europe/Paris", false);
    // Friday 17:00 + 2 working hours, across the weekend of the spring change (29 March).
    let due = paris.add(at("Europe/Paris", 2026, 3, 27, 17, 0), 2 * HOUR, &[]);
    assert_eq!(due, Some(at("Europe/Paris", 2026, 3, 30, 10, 0)));
    let ny = office("America/New_York", false);
    // Friday 17:30 + 1 h across New York's autumn change (1 November).
    let due = ny.add(at("America/New_York", 2026, 10, 30, 17, 30), HOUR, &[]);
    assert_eq!(due, Some(at("America/New_York", 2026, 11, 2, 9, 30)));
    assert_eq!(
        paris.elapsed(
            at("Europe/Paris", 2026, 3, 28, 0, 0),
            at("Europe/Paris", 2026, 3, 30, 9, 0),
            &[]
        ),
        0,
        "nothing counts over a weekend"
    );
}

#[test]
fn around_the_clock_counts_real_hours_across_dst() {
    let always = Calendar::always(zone("Europe/Paris"));
    let night = |d| {
        (
            at("Europe/Paris", 2026, 3, d, 0, 0),
            at("Europe/Paris", 2026, 3, d, 4, 0),
        )
    };
    let (from, to) = night(29);
    assert_eq!(
        always.elapsed(from, to, &[]),
        3 * HOUR,
        "the spring night is an hour short"
    );
    let from = at("Europe/Paris", 2026, 10, 25, 0, 0);
    let to = at("Europe/Paris", 2026, 10, 25, 4, 0);
    assert_eq!(
        always.elapsed(from, to, &[]),
        5 * HOUR,
        "the autumn night is an hour long"
    );
    assert_eq!(always.add(from, 5 * HOUR, &[]), Some(to));
}

#[test]
fn a_range_across_the_dst_gap_counts_only_the_hours_that_exist() {
    let sunday = Calendar {
        time_zone: zone("Europe/Paris"),
        hours: vec![WorkRange {
            day: Weekday::Sunday,
            from: 90,
            to: 210,
        }],
        holidays: Vec::new(),
    };
    let day = sunday.working_on(date(2026, 3, 29));
    assert_eq!(day.len(), 1);
    assert_eq!(
        day[0].1 - day[0].0,
        HOUR,
        "01:30–03:30 on the spring Sunday is one hour"
    );
    let day = sunday.working_on(date(2026, 10, 25));
    assert_eq!(
        day[0].1 - day[0].0,
        3 * HOUR,
        "and three hours on the autumn one"
    );
}

#[test]
fn holidays_are_skipped_every_year() {
    let paris = office("Europe/Paris", false);
    // Thursday 24 December 17:00 + 2 h: 18:00, then Friday 25 is Christmas, then the weekend.
    let due = paris.add(at("Europe/Paris", 2026, 12, 24, 17, 0), 2 * HOUR, &[]);
    assert_eq!(due, Some(at("Europe/Paris", 2026, 12, 28, 10, 0)));
    assert!(paris.working_on(date(2031, 12, 25)).is_empty(), "yearly");
    assert!(!paris.working_on(date(2031, 12, 24)).is_empty());
}

#[test]
fn a_target_can_span_weeks_and_days_keep_the_time_of_day() {
    let paris = office("Europe/Paris", false);
    let monday = at("Europe/Paris", 2026, 11, 2, 9, 0);
    // 100 h at 9 h a day: 11 full days (two weeks and a Monday), then 1 h on the Tuesday.
    assert_eq!(
        paris.add(monday, 100 * HOUR, &[]),
        Some(at("Europe/Paris", 2026, 11, 17, 10, 0))
    );
    let monday_afternoon = at("Europe/Paris", 2026, 11, 2, 15, 0);
    assert_eq!(
        paris.add_days(monday_afternoon, 2),
        Some(at("Europe/Paris", 2026, 11, 4, 15, 0))
    );
    let friday_afternoon = at("Europe/Paris", 2026, 11, 6, 15, 0);
    assert_eq!(
        paris.add_days(friday_afternoon, 1),
        Some(at("Europe/Paris", 2026, 11, 9, 15, 0)),
        "the weekend is not a working day"
    );
    let saturday = at("Europe/Paris", 2026, 11, 7, 11, 0);
    assert_eq!(
        paris.add_days(saturday, 1),
        Some(at("Europe/Paris", 2026, 11, 10, 9, 0)),
        "from outside working hours, counting starts at the next opening"
    );
    let lunch = office("Europe/Paris", true);
    let before_lunch = at("Europe/Paris", 2026, 11, 2, 11, 0);
    assert_eq!(
        lunch.add(before_lunch, 2 * HOUR, &[]),
        Some(at("Europe/Paris", 2026, 11, 2, 14, 0))
    );
}

#[test]
fn pauses_stop_the_clock() {
    let paris = office("Europe/Paris", false);
    let from = at("Europe/Paris", 2026, 11, 2, 9, 0);
    let pause = (
        at("Europe/Paris", 2026, 11, 2, 10, 0),
        at("Europe/Paris", 2026, 11, 2, 12, 0),
    );
    assert_eq!(
        paris.add(from, 3 * HOUR, &[pause]),
        Some(at("Europe/Paris", 2026, 11, 2, 14, 0))
    );
    let to = at("Europe/Paris", 2026, 11, 2, 14, 0);
    assert_eq!(paris.elapsed(from, to, &[pause]), 3 * HOUR);
    // Overlapping and reversed pauses are harmless.
    let messy = [pause, (pause.0, Timestamp(pause.0.0 + HOUR)), (to, from)];
    assert_eq!(paris.elapsed(from, to, &messy), 3 * HOUR);
}

#[test]
fn a_calendar_without_working_time_answers_none_instead_of_looping() {
    let never = Calendar {
        time_zone: zone("Europe/Paris"),
        hours: vec![WorkRange {
            day: Weekday::Monday,
            from: 9 * 60,
            to: 18 * 60,
        }],
        holidays: (1..=12)
            .flat_map(|m| (1..=31).filter_map(move |d| Date::new(2026, m, d).ok()))
            .map(|date| Holiday {
                date,
                name: String::new(),
                yearly: true,
            })
            .collect(),
    };
    let from = at("Europe/Paris", 2026, 1, 1, 0, 0);
    assert_eq!(never.add(from, HOUR, &[]), None);
    assert_eq!(never.add_days(from, 1), None);
    assert_eq!(never.elapsed(from, Timestamp(from.0 + 30 * 86_400), &[]), 0);
}

fn calendars() -> Vec<Calendar> {
    vec![
        office("Europe/Paris", true),
        office("America/New_York", false),
        Calendar::always(zone("Europe/Paris")),
        Calendar::always(TimeZone::UTC),
        Calendar {
            time_zone: zone("Europe/Paris"),
            hours: vec![
                WorkRange {
                    day: Weekday::Sunday,
                    from: 90,
                    to: 210,
                },
                WorkRange {
                    day: Weekday::Saturday,
                    from: 22 * 60,
                    to: DAY_MINUTES,
                },
                WorkRange {
                    day: Weekday::Wednesday,
                    from: 0,
                    to: DAY_MINUTES,
                },
            ],
            holidays: Vec::new(),
        },
    ]
}

/// 2026-01-01 to 2028-01-01.
const SPAN: std::ops::Range<i64> = 1_767_225_600..1_830_297_600;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Adding a duration then measuring it gives the duration back.
    #[test]
    fn adding_then_measuring_round_trips(which in 0usize..5, from in SPAN, seconds in 1i64..400 * HOUR) {
        let cal = &calendars()[which];
        let from = Timestamp(from);
        let due = cal.add(from, seconds, &[]).expect("working time ahead");
        prop_assert!(due.0 > from.0);
        prop_assert_eq!(cal.elapsed(from, due, &[]), seconds);
    }

    /// Working time between two instants never exceeds the wall time, and adds up.
    #[test]
    fn measuring_is_bounded_and_additive(which in 0usize..5, a in SPAN, b in 0i64..20 * 86_400, c in 0i64..20 * 86_400) {
        let cal = &calendars()[which];
        let (a, b) = (Timestamp(a), Timestamp(a + b));
        let c = Timestamp(b.0 + c);
        let ab = cal.elapsed(a, b, &[]);
        prop_assert!(ab >= 0 && ab <= b.0 - a.0);
        prop_assert_eq!(cal.elapsed(a, c, &[]), ab + cal.elapsed(b, c, &[]));
        if cal.is_always() {
            prop_assert_eq!(ab, b.0 - a.0, "around the clock, every second counts");
        }
    }

    /// Time outside working hours never counts: an instant outside every working interval adds
    /// nothing, and a pause takes out exactly the working time it covers.
    #[test]
    fn only_working_time_counts(which in 0usize..5, a in SPAN, len in 1i64..10 * 86_400, p in 0i64..10 * 86_400, q in 0i64..3 * 86_400) {
        let cal = &calendars()[which];
        let (a, b) = (Timestamp(a), Timestamp(a + len));
        let pause = (Timestamp(a.0 + p), Timestamp(a.0 + p + q));
        let inside = cal.elapsed(pause.0.max(a), pause.1.min(b), &[]);
        prop_assert_eq!(cal.elapsed(a, b, &[pause]), cal.elapsed(a, b, &[]) - inside);
        let outside = (a.0..a.0 + len).step_by(7_919).find(|&s| {
            let date = cal.date_of(s).expect("date");
            let day: Vec<(i64, i64)> = [date.yesterday().ok(), Some(date)]
                .into_iter()
                .flatten()
                .flat_map(|d| cal.working_on(d))
                .collect();
            !day.iter().any(|(x, y)| (*x..*y).contains(&s))
        });
        if let Some(s) = outside {
            prop_assert_eq!(cal.elapsed(Timestamp(s), Timestamp(s + 1), &[]), 0);
        }
    }

    /// More working time never comes sooner; pauses never make a deadline earlier.
    #[test]
    fn deadlines_are_monotonic(which in 0usize..5, from in SPAN, d1 in 0i64..200 * HOUR, d2 in 0i64..200 * HOUR, p in 0i64..5 * 86_400, q in 0i64..86_400) {
        let cal = &calendars()[which];
        let from = Timestamp(from);
        let (small, large) = (d1.min(d2), d1.max(d2));
        prop_assert!(cal.add(from, small, &[]) <= cal.add(from, large, &[]));
        let pause = (Timestamp(from.0 + p), Timestamp(from.0 + p + q));
        prop_assert!(cal.add(from, large, &[]) <= cal.add(from, large, &[pause]));
    }
}

#[test]
fn days_land_on_the_same_wall_time_across_dst() {
    let paris = office("Europe/Paris", false);
    // Friday 27 March 15:00 + 1 working day: Monday 30 March 15:00, an hour fewer in UTC terms.
    let from = at("Europe/Paris", 2026, 3, 27, 15, 0);
    let due = paris.add_days(from, 1).expect("due");
    assert_eq!(due, at("Europe/Paris", 2026, 3, 30, 15, 0));
    let wall = jiff::Timestamp::from_second(due.0)
        .expect("ts")
        .to_zoned_datetime(zone("Europe/Paris"))
        .time();
    assert_eq!(wall, time(15, 0, 0, 0));
}
