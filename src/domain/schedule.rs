//! When a scheduled job runs: a cron expression evaluated in the instance's time zone.
//!
//! Expressions are read by the `cron` crate: the 6-field form with seconds first, or the usual
//! 5-field form (seconds are then 0). Day-of-week numbers mean different days in different cron
//! dialects, so only names are accepted there (`Mon-Fri`). The expression is evaluated on naive
//! wall times, and each wall time is mapped to an instant with jiff's time zone database (the
//! only one): a wall time in a DST gap runs once, at the end of the gap; a wall time repeated by
//! a fold runs once, at its first occurrence.

use super::Timestamp;
use chrono::{Datelike, Timelike};
use jiff::tz::{AmbiguousOffset, TimeZone};
use std::str::FromStr;

/// How many candidate wall times `next_after` looks at before giving up (a schedule that only
/// names 29 February still finds one within a few years).
const CANDIDATES: usize = 64;

/// The jobs the scheduler runs: a closed list, each with its key in the `[jobs]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// Raises SLA escalations, marks breaches, reminds requesters and closes requests left
    /// unanswered.
    SlaScan,
    /// Removes sign-ins that have expired.
    PurgeSessions,
    /// Checks the metrics roll-ups against the requests, and rebuilds them if they differ.
    Rollups,
    /// Sends the mails that are due (new ones leave at once; this catches up on retries).
    Outbox,
    /// Queues the weekly digest of each member of the IT team.
    Digest,
}

impl Job {
    pub const ALL: [Job; 5] = [
        Job::SlaScan,
        Job::PurgeSessions,
        Job::Rollups,
        Job::Outbox,
        Job::Digest,
    ];

    /// Its key in the `[jobs]` table and in the store.
    pub fn name(self) -> &'static str {
        match self {
            Job::SlaScan => "sla_scan",
            Job::PurgeSessions => "purge_sessions",
            Job::Rollups => "rollups",
            Job::Outbox => "outbox",
            Job::Digest => "digest",
        }
    }
}

/// How a job's last run went, as the store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobRun {
    pub at: Timestamp,
    pub duration_ms: u64,
    pub failed: bool,
}

#[derive(Debug, Clone)]
pub struct JobSchedule {
    expression: String,
    schedule: cron::Schedule,
}

impl JobSchedule {
    /// Parses and checks an expression; the error says what is wrong in words.
    pub fn parse(expression: &str) -> Result<JobSchedule, String> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let six = match fields.len() {
            5 => format!("0 {}", fields.join(" ")),
            6 | 7 => fields.join(" "),
            n => {
                return Err(format!(
                    "{n} fields: expected 5 (minute hour day month weekday), or 6 with seconds first"
                ));
            }
        };
        let weekday = six.split_whitespace().nth(5).unwrap_or_default();
        if weekday.chars().any(|c| c.is_ascii_digit()) {
            return Err(format!(
                "day of week `{weekday}`: numbers mean different days in different cron \
                 dialects; write names (Mon-Fri, Sun)"
            ));
        }
        let schedule = cron::Schedule::from_str(&six).map_err(|e| format!("{e}"))?;
        Ok(JobSchedule {
            expression: expression.trim().to_owned(),
            schedule,
        })
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The first run strictly after `after`, in time zone `tz`.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let local = jiff::Timestamp::from_second(after.0)
            .ok()?
            .to_zoned_datetime(tz.clone())
            .datetime();
        let naive = chrono::NaiveDate::from_ymd_opt(
            i32::from(local.year()),
            u32::try_from(local.month()).ok()?,
            u32::try_from(local.day()).ok()?,
        )?
        .and_hms_opt(
            u32::try_from(local.hour()).ok()?,
            u32::try_from(local.minute()).ok()?,
            u32::try_from(local.second()).ok()?,
        )?;
        // The schedule walks wall times: they are handed to it as if they were UTC.
        let start = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(naive, chrono::Utc);
        for wall in self.schedule.after(&start).take(CANDIDATES) {
            let wall = wall.naive_utc();
            let civil = jiff::civil::DateTime::new(
                i16::try_from(wall.year()).ok()?,
                i8::try_from(wall.month()).ok()?,
                i8::try_from(wall.day()).ok()?,
                i8::try_from(wall.hour()).ok()?,
                i8::try_from(wall.minute()).ok()?,
                i8::try_from(wall.second()).ok()?,
                0,
            )
            .ok()?;
            let Some(instant) = instant_of(civil, tz) else {
                continue;
            };
            // Around a fold, a later wall time can map before `after`: not a run to come.
            if instant > after.0 {
                return Some(Timestamp(instant));
            }
        }
        None
    }
}

/// The instant of a wall time: in a gap, the end of the gap; in a fold, the first occurrence.
fn instant_of(wall: jiff::civil::DateTime, tz: &TimeZone) -> Option<i64> {
    let ambiguous = tz.to_ambiguous_timestamp(wall);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { .. } => {
            // `later` is at or past the gap's end; the transition is the last one up to it
            // (`preceding` looks strictly before, hence the second added).
            let past_gap = ambiguous.later().ok()?;
            let probe = past_gap
                .checked_add(jiff::SignedDuration::from_secs(1))
                .ok()?;
            let transition = tz.preceding(probe).next()?;
            Some(transition.timestamp().as_second())
        }
        _ => Some(ambiguous.earlier().ok()?.as_second()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").expect("zone")
    }

    fn wall(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
        let z = jiff::civil::date(y, mo, d)
            .at(h, mi, 0, 0)
            .to_zoned_datetime(paris())
            .expect("instant");
        Timestamp(z.timestamp().as_second())
    }

    fn runs(expression: &str, from: Timestamp, n: usize) -> Vec<Timestamp> {
        let schedule = JobSchedule::parse(expression).expect("valid");
        std::iter::successors(Some(from), |t| schedule.next_after(*t, &paris()))
            .skip(1)
            .take(n)
            .collect()
    }

    #[test]
    fn five_and_six_fields_and_weekday_names() {
        let from = wall(2026, 11, 27, 12, 0); // a Friday
        assert_eq!(runs("30 2 * * *", from, 1), vec![wall(2026, 11, 28, 2, 30)]);
        assert_eq!(
            runs("0 30 2 * * *", from, 1),
            vec![wall(2026, 11, 28, 2, 30)]
        );
        assert_eq!(
            runs("0 9 * * Mon-Fri", from, 2),
            vec![wall(2026, 11, 30, 9, 0), wall(2026, 12, 1, 9, 0)]
        );
    }

    #[test]
    fn bad_expressions_are_refused_in_words() {
        let numbers = JobSchedule::parse("0 9 * * 1-5").expect_err("numbers");
        assert!(numbers.contains("write names"), "{numbers}");
        let short = JobSchedule::parse("* * *").expect_err("short");
        assert!(short.contains("3 fields"), "{short}");
        assert!(JobSchedule::parse("61 * * * *").is_err());
        assert!(JobSchedule::parse("every day").is_err());
    }

    #[test]
    fn a_wall_time_in_the_spring_gap_runs_once_at_the_end_of_the_gap() {
        // Paris skips 02:00–03:00 on 29 March 2026.
        let from = wall(2026, 3, 28, 12, 0);
        let got = runs("30 2 * * *", from, 3);
        assert_eq!(
            got,
            vec![
                wall(2026, 3, 29, 3, 0),
                wall(2026, 3, 30, 2, 30),
                wall(2026, 3, 31, 2, 30)
            ]
        );
    }

    #[test]
    fn a_job_at_the_very_start_of_the_gap_runs_at_its_end() {
        // Found by the property below: 02:00 on 28 March 2027 does not exist in Paris.
        let from = wall(2027, 3, 27, 12, 0);
        let got = runs("0 2 * * *", from, 2);
        assert_eq!(got, vec![wall(2027, 3, 28, 3, 0), wall(2027, 3, 29, 2, 0)]);
    }

    #[test]
    fn a_wall_time_in_the_autumn_fold_runs_once() {
        // Paris repeats 02:00–03:00 on 25 October 2026.
        let from = wall(2026, 10, 24, 12, 0);
        let got = runs("30 2 * * *", from, 2);
        assert_eq!(
            got,
            vec![wall(2026, 10, 25, 2, 30), wall(2026, 10, 26, 2, 30)]
        );
        assert_eq!(got[1].0 - got[0].0, 25 * 3600, "once, the first time");
    }

    proptest! {
        /// Runs come strictly in order, never twice, never more than a day apart for a daily
        /// job, whatever the starting instant (DST days included).
        #[test]
        fn a_daily_job_runs_once_a_day(from in 1_767_225_600i64..1_830_297_600, minute in 0u8..60, hour in 0u8..24) {
            let expression = format!("{minute} {hour} * * *");
            let got = runs(&expression, Timestamp(from), 40);
            prop_assert_eq!(got.len(), 40);
            prop_assert!(got[0].0 > from && got[0].0 - from <= 25 * 3600);
            for pair in got.windows(2) {
                let gap = pair[1].0 - pair[0].0;
                prop_assert!((22 * 3600..=26 * 3600).contains(&gap), "{} s between runs", gap);
            }
        }
    }
}
