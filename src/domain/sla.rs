//! SLA policies and calendars as administrators define them, and their validation. What a
//! policy means for one request (its deadlines, pauses and escalations) is derived from the
//! request's timeline in `sla/clock.rs`, never from stored counters.

use super::FieldErrors;
use super::calendar::{Calendar, DAY_MINUTES, Holiday, WorkRange};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

mod clock;
pub use clock::{Due, Escalation, SlaClock, SlaState, Waiting, WaitingStep, replay};

/// The unit of a target: minutes and hours count working time; days count working days, to the
/// same time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetUnit {
    Minutes,
    Hours,
    Days,
}

impl TargetUnit {
    pub const ALL: [TargetUnit; 3] = [TargetUnit::Minutes, TargetUnit::Hours, TargetUnit::Days];

    pub fn code(self) -> &'static str {
        match self {
            TargetUnit::Minutes => "minutes",
            TargetUnit::Hours => "hours",
            TargetUnit::Days => "days",
        }
    }

    pub fn parse(s: &str) -> Option<TargetUnit> {
        TargetUnit::ALL.into_iter().find(|u| u.code() == s.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub value: u32,
    pub unit: TargetUnit,
}

/// Which of a policy's two clocks: response (until taken) or resolution (until done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Clock {
    Response,
    Resolution,
}

impl Clock {
    pub const ALL: [Clock; 2] = [Clock::Response, Clock::Resolution];

    pub fn code(self) -> &'static str {
        match self {
            Clock::Response => "response",
            Clock::Resolution => "resolution",
        }
    }

    pub fn parse(s: &str) -> Option<Clock> {
        Clock::ALL.into_iter().find(|c| c.code() == s.trim())
    }
}

/// Who an escalation tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Recipient {
    Assignee,
    /// The fulfilling team's active staff members.
    Team,
    TeamLead,
    Admins,
}

impl Recipient {
    pub const ALL: [Recipient; 4] = [
        Recipient::Assignee,
        Recipient::Team,
        Recipient::TeamLead,
        Recipient::Admins,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Recipient::Assignee => "assignee",
            Recipient::Team => "team",
            Recipient::TeamLead => "team_lead",
            Recipient::Admins => "admins",
        }
    }

    pub fn parse(s: &str) -> Option<Recipient> {
        Recipient::ALL.into_iter().find(|r| r.code() == s.trim())
    }
}

/// An alert raised when `percent` of a clock's target has elapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub target: Clock,
    pub percent: u16,
    pub notify: Vec<Recipient>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicy {
    pub id: u64,
    pub name: String,
    /// `None`: the instance's default calendar.
    pub calendar_id: Option<u64>,
    pub response: Option<Target>,
    pub resolution: Option<Target>,
    pub thresholds: Vec<Threshold>,
}

impl SlaPolicy {
    pub fn target(&self, clock: Clock) -> Option<Target> {
        match clock {
            Clock::Response => self.response,
            Clock::Resolution => self.resolution,
        }
    }
}

/// A policy as an administrator sent it, before `check`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInput {
    pub name: String,
    pub calendar_id: Option<u64>,
    pub response: Option<Target>,
    pub resolution: Option<Target>,
    pub thresholds: Vec<Threshold>,
}

pub const MAX_NAME: usize = 100;
pub const MAX_THRESHOLDS: usize = 10;
pub const MAX_HOLIDAYS: usize = 400;

fn check_name(name: &str, errors: &mut FieldErrors) -> String {
    let name = name.trim();
    if name.is_empty() {
        errors.add("name", "is required");
    } else if name.chars().count() > MAX_NAME {
        errors.add("name", "must be at most 100 characters long");
    }
    name.to_owned()
}

fn check_target(field: &str, target: Option<Target>, errors: &mut FieldErrors) {
    let Some(t) = target else { return };
    let max = match t.unit {
        TargetUnit::Minutes => 60 * 24 * 366,
        TargetUnit::Hours => 24 * 366,
        TargetUnit::Days => 366,
    };
    if t.value == 0 || t.value > max {
        errors.add(
            field,
            format!("must be between 1 and {max} {}", t.unit.code()),
        );
    }
}

impl PolicyInput {
    /// Trims and checks; `calendar_exists` says whether a calendar id names a stored one.
    pub fn check(mut self, calendar_exists: impl Fn(u64) -> bool) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        self.name = check_name(&self.name, &mut errors);
        if let Some(id) = self.calendar_id
            && !calendar_exists(id)
        {
            errors.add("calendar_id", "must name an existing calendar");
        }
        check_target("response_target", self.response, &mut errors);
        check_target("resolution_target", self.resolution, &mut errors);
        if self.response.is_none() && self.resolution.is_none() {
            errors.add(
                "resolution_target",
                "a policy needs a response or a resolution target",
            );
        }
        if self.thresholds.len() > MAX_THRESHOLDS {
            errors.add("thresholds", "at most 10 thresholds");
        }
        let mut seen = Vec::new();
        for t in &mut self.thresholds {
            t.notify.sort();
            t.notify.dedup();
            if !(1..=1000).contains(&t.percent) {
                errors.add("thresholds", "a percentage must be between 1 and 1000");
            } else if self.response.is_none() && t.target == Clock::Response
                || self.resolution.is_none() && t.target == Clock::Resolution
            {
                errors.add("thresholds", "a threshold needs its target to be set");
            } else if t.notify.is_empty() {
                errors.add("thresholds", "a threshold must notify someone");
            } else if t.target == Clock::Response && t.notify == [Recipient::Assignee] {
                errors.add(
                    "thresholds",
                    "a response threshold fires before anyone has taken the request: notify the team, its lead or the administrators too",
                );
            } else if seen.contains(&(t.target, t.percent)) {
                errors.add("thresholds", "each threshold must be listed once");
            }
            seen.push((t.target, t.percent));
        }
        self.thresholds.sort_by_key(|t| (t.target, t.percent));
        errors.into_result(self)
    }
}

/// A stored calendar: its name and working time.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarDef {
    pub id: u64,
    pub name: String,
    pub calendar: Calendar,
}

impl CalendarDef {
    /// The IANA name of its time zone.
    pub fn zone_name(&self) -> &str {
        self.calendar.time_zone.iana_name().unwrap_or("UTC")
    }
}

/// A calendar as an administrator sent it: text fields, checked by `check`.
#[derive(Debug, Clone, Default)]
pub struct CalendarInput {
    pub name: String,
    pub time_zone: String,
    /// (day, from, to): `mon`, `09:00`, `18:00`.
    pub hours: Vec<(String, String, String)>,
    /// (date, name, yearly).
    pub holidays: Vec<(String, String, bool)>,
}

pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

pub const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    WEEK.into_iter().find(|d| weekday_code(*d) == s)
}

/// `09:00` as minutes since midnight; `24:00` allowed (the end of the day).
pub fn parse_minutes(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && total <= DAY_MINUTES && h <= 24).then_some(total)
}

pub fn format_minutes(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl CalendarInput {
    pub fn check(self) -> Result<(String, Calendar), FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = check_name(&self.name, &mut errors);
        let zone = self.time_zone.trim();
        let time_zone = if zone.is_empty() {
            errors.add("time_zone", "is required");
            TimeZone::UTC
        } else {
            TimeZone::get(zone).unwrap_or_else(|_| {
                errors.add(
                    "time_zone",
                    "must be an IANA time zone, such as Europe/Paris",
                );
                TimeZone::UTC
            })
        };
        let mut hours = Vec::new();
        for (day, from, to) in &self.hours {
            let Some(day) = parse_weekday(day) else {
                errors.add(
                    "hours",
                    "a day must be one of mon, tue, wed, thu, fri, sat, sun",
                );
                continue;
            };
            match (parse_minutes(from), parse_minutes(to)) {
                (Some(from), Some(to)) if from < to => hours.push(WorkRange { day, from, to }),
                (Some(_), Some(_)) => errors.add("hours", "a range must end after it starts"),
                _ => errors.add("hours", "times are written HH:MM, from 00:00 to 24:00"),
            }
        }
        hours.sort_by_key(|r| (r.day.to_monday_zero_offset(), r.from));
        if self.holidays.len() > MAX_HOLIDAYS {
            errors.add("holidays", "at most 400 holidays");
        }
        let mut holidays = Vec::new();
        for (date, name, yearly) in &self.holidays {
            let Ok(date) = date.trim().parse::<Date>() else {
                errors.add("holidays", "a date is written YYYY-MM-DD");
                continue;
            };
            let name = name.trim();
            if name.is_empty() || name.chars().count() > MAX_NAME {
                errors.add(
                    "holidays",
                    "each holiday needs a name of at most 100 characters",
                );
                continue;
            }
            holidays.push(Holiday {
                date,
                name: name.to_owned(),
                yearly: *yearly,
            });
        }
        holidays.sort_by_key(|h| h.date);
        let calendar = Calendar {
            time_zone,
            hours,
            holidays,
        };
        errors.into_result((name, calendar))
    }
}

#[cfg(test)]
mod tests;
