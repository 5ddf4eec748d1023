//! Business time: when a calendar's working hours are, how much working time lies between two
//! instants, and when an amount of working time will have elapsed. Pure functions over jiff.
//!
//! Working intervals are built per civil date in the calendar's time zone, and every walk steps
//! from one date to the next (never by adding 86,400 s), so that daylight-saving changes and
//! holidays come out of the one code path that both measures (`elapsed`) and adds (`add`).
//! Pauses (waiting for the requester, waiting for approval) are taken out of that same path.

use super::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

/// Minutes in a day: a range may end at 24:00.
pub const DAY_MINUTES: u16 = 24 * 60;

/// How far a walk looks ahead before deciding the calendar has no working time left.
const HORIZON_DAYS: u32 = 4 * 366;

/// Working hours on one day of the week, in minutes since midnight: `from < to <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkRange {
    pub day: Weekday,
    pub from: u16,
    pub to: u16,
}

/// A day without working hours; a yearly one comes back on the same month and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
    pub yearly: bool,
}

/// When the clock runs. No working hours at all means 24/7 (and then holidays do not apply).
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub time_zone: TimeZone,
    pub hours: Vec<WorkRange>,
    pub holidays: Vec<Holiday>,
}

/// A span during which the clock stops, `[start, end)` in seconds.
pub type Pause = (Timestamp, Timestamp);

impl Calendar {
    /// Around the clock, every day.
    pub fn always(time_zone: TimeZone) -> Calendar {
        Calendar {
            time_zone,
            hours: Vec::new(),
            holidays: Vec::new(),
        }
    }

    pub fn is_always(&self) -> bool {
        self.hours.is_empty()
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.holidays.iter().any(|h| {
            h.date == date
                || h.yearly && h.date.month() == date.month() && h.date.day() == date.day()
        })
    }

    /// The instant a wall time of `date` happens (a time in a DST gap: the instant just after
    /// the gap; a repeated time: its first occurrence, as jiff's "compatible" rule says).
    fn instant(&self, date: Date, minutes: u16) -> Option<i64> {
        let (date, minutes) = if minutes >= DAY_MINUTES {
            (date.tomorrow().ok()?, 0)
        } else {
            (date, minutes)
        };
        let hour = i8::try_from(minutes / 60).ok()?;
        let minute = i8::try_from(minutes % 60).ok()?;
        let zoned = date
            .at(hour, minute, 0, 0)
            .to_zoned_datetime(self.time_zone.clone())
            .ok()?;
        Some(zoned.timestamp().as_second())
    }

    /// The civil date, in the calendar's zone, of an instant.
    fn date_of(&self, at: i64) -> Option<Date> {
        let ts = jiff::Timestamp::from_second(at).ok()?;
        Some(ts.to_zoned_datetime(self.time_zone.clone()).date())
    }

    /// The working intervals of one civil date, as `[start, end)` instants, in order and
    /// disjoint.
    pub fn working_on(&self, date: Date) -> Vec<(i64, i64)> {
        let mut found: Vec<(i64, i64)> = Vec::new();
        if self.is_always() {
            if let (Some(start), Some(end)) =
                (self.instant(date, 0), self.instant(date, DAY_MINUTES))
            {
                found.push((start, end));
            }
            return found;
        }
        if self.is_holiday(date) {
            return found;
        }
        let mut ranges: Vec<&WorkRange> = self
            .hours
            .iter()
            .filter(|r| r.day == date.weekday())
            .collect();
        ranges.sort_by_key(|r| r.from);
        for range in ranges {
            let (Some(start), Some(end)) =
                (self.instant(date, range.from), self.instant(date, range.to))
            else {
                continue;
            };
            if start >= end {
                continue; // a range inside a DST gap has no instant at all
            }
            match found.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => found.push((start, end)),
            }
        }
        found
    }

    /// Working intervals from `from` on, clipped to start no earlier than it, with `pauses`
    /// taken out; the walk stops after `HORIZON_DAYS` dates.
    fn counting_from<'a>(
        &'a self,
        from: i64,
        pauses: &'a [(i64, i64)],
    ) -> impl Iterator<Item = (i64, i64)> + 'a {
        let first = self.date_of(from);
        let dates = std::iter::successors(first, |d| d.tomorrow().ok()).take(HORIZON_DAYS as usize);
        dates
            .flat_map(move |date| self.working_on(date))
            .filter_map(move |(start, end)| {
                let start = start.max(from);
                (start < end).then_some((start, end))
            })
            .flat_map(move |interval| without(interval, pauses))
    }

    /// Working seconds in `[from, to)`, pauses taken out.
    pub fn elapsed(&self, from: Timestamp, to: Timestamp, pauses: &[Pause]) -> i64 {
        if to.0 <= from.0 {
            return 0;
        }
        let pauses = normalized(pauses);
        let mut total = 0;
        for (start, end) in self.counting_from(from.0, &pauses) {
            if start >= to.0 {
                break;
            }
            total += end.min(to.0) - start;
        }
        total
    }

    /// The instant at which `seconds` of working time, pauses taken out, have elapsed since
    /// `from`; `None` when the calendar has no working time left within its horizon.
    pub fn add(&self, from: Timestamp, seconds: i64, pauses: &[Pause]) -> Option<Timestamp> {
        if seconds <= 0 {
            return Some(from);
        }
        let pauses = normalized(pauses);
        let mut left = seconds;
        for (start, end) in self.counting_from(from.0, &pauses) {
            if end - start >= left {
                return Some(Timestamp(start + left));
            }
            left -= end - start;
        }
        None
    }

    /// `days` working days after `from`, at the same time of day (as GLPI counts days): from
    /// the first working instant at or after `from`, the same wall time on the `days`-th
    /// working date after it, kept within that date's working hours.
    pub fn add_days(&self, from: Timestamp, days: u32) -> Option<Timestamp> {
        let (start, _) = self.counting_from(from.0, &[]).next()?;
        let zoned = jiff::Timestamp::from_second(start)
            .ok()?
            .to_zoned_datetime(self.time_zone.clone());
        let mut date = zoned.date();
        let mut counted = 0;
        let mut steps = 0;
        while counted < days {
            date = date.tomorrow().ok()?;
            steps += 1;
            if steps > HORIZON_DAYS {
                return None;
            }
            if !self.working_on(date).is_empty() {
                counted += 1;
            }
        }
        let target = zoned
            .time()
            .to_datetime(date)
            .to_zoned_datetime(self.time_zone.clone())
            .ok()?;
        let target = target.timestamp().as_second();
        let intervals = self.working_on(date);
        let inside = intervals.iter().any(|(s, e)| (*s..=*e).contains(&target));
        let at = match (inside, intervals.first(), intervals.last()) {
            (true, _, _) => target,
            (false, Some(first), _) if target < first.0 => first.0,
            (false, _, Some(last)) if target > last.1 => last.1,
            // Between two ranges of the day: the start of the next one.
            (false, _, _) => intervals.iter().find(|(s, _)| *s > target)?.0,
        };
        Some(Timestamp(at))
    }
}

/// Pauses sorted and merged, as plain seconds; empty and reversed ones dropped.
fn normalized(pauses: &[Pause]) -> Vec<(i64, i64)> {
    let mut sorted: Vec<(i64, i64)> = pauses
        .iter()
        .filter(|(s, e)| s.0 < e.0)
        .map(|(s, e)| (s.0, e.0))
        .collect();
    sorted.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// What is left of `[start, end)` once the (sorted, merged) `pauses` are taken out.
fn without((start, end): (i64, i64), pauses: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut pieces = Vec::new();
    let mut at = start;
    for &(p, q) in pauses {
        if q <= at {
            continue;
        }
        if p >= end {
            break;
        }
        if p > at {
            pieces.push((at, p));
        }
        at = at.max(q);
        if at >= end {
            break;
        }
    }
    if at < end {
        pieces.push((at, end));
    }
    pieces
}

#[cfg(test)]
mod tests;
