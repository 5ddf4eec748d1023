//! Metrics roll-ups: what one request adds to the daily counters of its service, team and
//! assignee, as a pure function of the request and its timeline. Keeping the roll-ups on each
//! write (the request's new contribution minus its old one) and rebuilding them from every
//! request therefore give the same numbers, which `tests.rs` checks on random histories.
//!
//! Counts and sums of seconds are exact. Durations also go into a histogram of buckets 10 %
//! wide, whose quantiles are within 5 % of the true value.

use super::request::{Event, EventKind, Request, Status};
use super::sla::replay;
use super::{ServiceId, TeamId, Timestamp, UserId};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

/// One row of the roll-ups: a civil day in the instance's time zone (days since 1970-01-01),
/// a service, the fulfilling team and the assignee (0: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RollupKey {
    pub day: i32,
    pub service: ServiceId,
    pub team: Option<TeamId>,
    pub assignee: Option<UserId>,
}

/// Daily counters. Signed, so that a request's old contribution can be taken away; stored rows
/// never go below zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub submitted: i64,
    /// Done, on the day it was done.
    pub finished: i64,
    /// Cancelled, or closed without the requester's answer.
    pub cancelled: i64,
    pub rejected: i64,
    pub reopened: i64,
    /// Sums over the finished requests, in wall-clock seconds: submission to done, and its
    /// parts: waiting for approval, waiting in the queue (to taken), work (taken to done,
    /// pauses out), paused waiting for the requester.
    pub total_seconds: i64,
    pub approval_seconds: i64,
    pub queue_seconds: i64,
    pub work_seconds: i64,
    pub paused_seconds: i64,
    /// Finished requests with a first take, and the sum of their times to it from when they
    /// could be worked on.
    pub responded: i64,
    pub response_seconds: i64,
    /// Finished requests under SLA, by their frozen result.
    pub sla_met: i64,
    pub sla_breached: i64,
    /// Finished requests without SLA that had an expected date: done by it, or after.
    pub estimate_met: i64,
    pub estimate_late: i64,
    /// Histogram of `total_seconds` per finished request: bucket → count.
    pub histogram: BTreeMap<u16, i64>,
}

impl Counters {
    /// Adds `other` times `sign` (1 or -1); buckets that reach zero go away.
    pub fn add(&mut self, other: &Counters, sign: i64) {
        let fields = [
            (&mut self.submitted, other.submitted),
            (&mut self.finished, other.finished),
            (&mut self.cancelled, other.cancelled),
            (&mut self.rejected, other.rejected),
            (&mut self.reopened, other.reopened),
            (&mut self.total_seconds, other.total_seconds),
            (&mut self.approval_seconds, other.approval_seconds),
            (&mut self.queue_seconds, other.queue_seconds),
            (&mut self.work_seconds, other.work_seconds),
            (&mut self.paused_seconds, other.paused_seconds),
            (&mut self.responded, other.responded),
            (&mut self.response_seconds, other.response_seconds),
            (&mut self.sla_met, other.sla_met),
            (&mut self.sla_breached, other.sla_breached),
            (&mut self.estimate_met, other.estimate_met),
            (&mut self.estimate_late, other.estimate_late),
        ];
        for (mine, theirs) in fields {
            *mine = mine.saturating_add(theirs.saturating_mul(sign));
        }
        for (bucket, count) in &other.histogram {
            let entry = self.histogram.entry(*bucket).or_default();
            *entry = entry.saturating_add(count.saturating_mul(sign));
            if *entry == 0 {
                self.histogram.remove(bucket);
            }
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Counters::default()
    }
}

/// The width of a histogram bucket: each is 10 % wider than the one before, so the middle of a
/// bucket is within 5 % of anything in it.
const RATIO: f64 = 1.1;

/// The bucket of a duration in seconds (a duration under a second counts as one second).
pub fn bucket(seconds: i64) -> u16 {
    #[allow(clippy::cast_precision_loss)]
    let s = seconds.max(1) as f64;
    let b = (s.ln() / RATIO.ln()).floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let b = b.clamp(0.0, f64::from(u16::MAX)) as u16;
    b
}

/// The value a bucket stands for: its geometric middle.
pub fn bucket_value(bucket: u16) -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let v = RATIO.powf(f64::from(bucket) + 0.5).round() as i64;
    v
}

/// The `q` quantile (0 to 1) of a histogram, by nearest rank: `None` when it is empty.
pub fn quantile(histogram: &BTreeMap<u16, i64>, q: f64) -> Option<i64> {
    let total: i64 = histogram.values().sum();
    if total <= 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as i64).max(1);
    let mut seen = 0;
    for (bucket, count) in histogram {
        seen += count;
        if seen >= rank {
            return Some(bucket_value(*bucket));
        }
    }
    histogram.keys().next_back().map(|b| bucket_value(*b))
}

/// Days since 1970-01-01 of the civil date of `at` in `zone`.
pub fn day_of(at: Timestamp, zone: &TimeZone) -> i32 {
    let date = jiff::Timestamp::from_second(at.0)
        .map(|t| t.to_zoned_datetime(zone.clone()).date())
        .unwrap_or(EPOCH);
    day_number(date)
}

const EPOCH: Date = Date::constant(1970, 1, 1);

/// Days since 1970-01-01.
pub fn day_number(date: Date) -> i32 {
    date.since(EPOCH).map_or(0, |span| span.get_days())
}

/// The civil date of a day number.
pub fn date_of_day(day: i32) -> Date {
    EPOCH
        .checked_add(jiff::Span::new().days(i64::from(day)))
        .unwrap_or(EPOCH)
}

/// What a request tells the roll-ups: the request, its whole timeline, and its SLA result when
/// it has one (`Some(true)`: breached).
pub struct Facts<'a> {
    pub request: &'a Request,
    pub events: &'a [Event],
    pub sla_breached: Option<bool>,
}

/// The rows one request adds to: its submission on the day it was submitted (no assignee), and
/// its end (done, cancelled or rejected) on that day, with its durations. A request reopened
/// keeps the result of its first resolution (its durations, its SLA result as the reopening
/// recorded it) and adds one to "reopened" on the day of each reopening.
pub fn contribution(facts: &Facts<'_>, zone: &TimeZone) -> Vec<(RollupKey, Counters)> {
    let r = facts.request;
    let key = |at: Timestamp, assignee: Option<UserId>| RollupKey {
        day: day_of(at, zone),
        service: r.service_id,
        team: r.team,
        assignee,
    };
    let mut rows = vec![(
        key(r.created_at, None),
        Counters {
            submitted: 1,
            ..Counters::default()
        },
    )];
    let clock = replay(facts.events, r.steps.len());
    let taken = facts.events.iter().find_map(|e| match e.kind {
        EventKind::Taken | EventKind::Assigned { .. } => Some(e.at),
        _ => None,
    });
    let first_done = facts.events.iter().find_map(|e| match e.kind {
        EventKind::Completed { .. } => Some(e.at),
        _ => None,
    });
    // The SLA result of the first resolution: kept by the first reopening, if any.
    let first_breached = facts.events.iter().find_map(|e| match e.kind {
        EventKind::Reopened { first_breached, .. } => Some(first_breached),
        _ => None,
    });
    for e in facts.events {
        if let EventKind::Reopened { .. } = e.kind {
            rows.push((
                key(e.at, r.assignee),
                Counters {
                    reopened: 1,
                    ..Counters::default()
                },
            ));
        }
    }
    let mut end = Counters::default();
    let status = match first_done {
        Some(_) => Status::Done,
        None => r.status,
    };
    let ended_at = match status {
        Status::Done => {
            let done = first_done.unwrap_or(r.updated_at);
            let ready = clock.start.unwrap_or(r.created_at);
            let taken = taken.unwrap_or(done).clamp(ready, done);
            let paused: i64 = clock
                .pauses
                .iter()
                .filter(|(_, b)| *b <= done)
                .map(|(a, b)| b.0 - a.0)
                .sum();
            let total = done.0 - r.created_at.0;
            end.finished = 1;
            end.total_seconds = total;
            end.approval_seconds = ready.0 - r.created_at.0;
            end.queue_seconds = taken.0 - ready.0;
            end.paused_seconds = paused;
            end.work_seconds = (done.0 - taken.0 - paused).max(0);
            end.responded = 1;
            end.response_seconds = taken.0 - ready.0;
            end.histogram.insert(bucket(total), 1);
            match (first_breached.unwrap_or(facts.sla_breached), r.due_at) {
                (Some(true), _) => end.sla_breached = 1,
                (Some(false), _) => end.sla_met = 1,
                (None, Some(expected)) if done <= expected => end.estimate_met = 1,
                (None, Some(_)) => end.estimate_late = 1,
                (None, None) => {}
            }
            Some(done)
        }
        Status::Cancelled => {
            end.cancelled = 1;
            Some(clock.stopped_at.unwrap_or(r.updated_at))
        }
        Status::Rejected => {
            end.rejected = 1;
            Some(clock.stopped_at.unwrap_or(r.updated_at))
        }
        _ => None,
    };
    if let Some(at) = ended_at {
        rows.push((key(at, r.assignee), end));
    }
    rows
}

pub mod conclusions;
pub mod report;

#[cfg(test)]
mod tests;
