//! Stored forms of calendars and SLA policies (schema 5). Frozen: a change is a new version.

use super::Error;
use super::codes::{
    clock_code, clock_from, recipient_code, recipient_from, target_unit_code, target_unit_from,
    unknown,
};
use crate::domain::calendar::{Calendar, Holiday, WorkRange};
use crate::domain::sla::{CalendarDef, SlaPolicy, Target, Threshold};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub enum CalendarRecord {
    V1(CalendarV1),
}

#[derive(Serialize, Deserialize)]
pub struct CalendarV1 {
    pub id: u64,
    pub name: String,
    /// IANA name.
    pub time_zone: String,
    /// Day (Monday 0 … Sunday 6), from and to in minutes since midnight.
    pub hours: Vec<(i8, u16, u16)>,
    /// Year, month, day, name, yearly.
    pub holidays: Vec<(i16, i8, i8, String, bool)>,
}

impl From<&CalendarDef> for CalendarRecord {
    fn from(c: &CalendarDef) -> Self {
        CalendarRecord::V1(CalendarV1 {
            id: c.id,
            name: c.name.clone(),
            time_zone: c.zone_name().to_owned(),
            hours: c
                .calendar
                .hours
                .iter()
                .map(|r| (r.day.to_monday_zero_offset(), r.from, r.to))
                .collect(),
            holidays: c
                .calendar
                .holidays
                .iter()
                .map(|h| {
                    let d = h.date;
                    (d.year(), d.month(), d.day(), h.name.clone(), h.yearly)
                })
                .collect(),
        })
    }
}

impl TryFrom<CalendarRecord> for CalendarDef {
    type Error = Error;
    fn try_from(record: CalendarRecord) -> Result<CalendarDef, Error> {
        let CalendarRecord::V1(c) = record;
        let time_zone = TimeZone::get(&c.time_zone)
            .map_err(|_| unknown("calendars", "time zone", &c.time_zone))?;
        let mut hours = Vec::with_capacity(c.hours.len());
        for (day, from, to) in c.hours {
            let day = Weekday::from_monday_zero_offset(day)
                .map_err(|_| unknown("calendars", "weekday", day))?;
            hours.push(WorkRange { day, from, to });
        }
        let mut holidays = Vec::with_capacity(c.holidays.len());
        for (y, m, d, name, yearly) in c.holidays {
            let date = Date::new(y, m, d)
                .map_err(|_| unknown("calendars", "date", format!("{y}-{m}-{d}")))?;
            holidays.push(Holiday { date, name, yearly });
        }
        Ok(CalendarDef {
            id: c.id,
            name: c.name,
            calendar: Calendar {
                time_zone,
                hours,
                holidays,
            },
        })
    }
}

#[derive(Serialize, Deserialize)]
pub enum PolicyRecord {
    V1(PolicyV1),
}

#[derive(Serialize, Deserialize)]
pub struct PolicyV1 {
    pub id: u64,
    pub name: String,
    pub calendar_id: Option<u64>,
    /// Value and unit (`codes::target_unit_code`).
    pub response: Option<(u32, u8)>,
    pub resolution: Option<(u32, u8)>,
    /// Clock (`codes::clock_code`), percent, recipients (`codes::recipient_code`).
    pub thresholds: Vec<(u8, u16, Vec<u8>)>,
}

fn target_record(t: Option<Target>) -> Option<(u32, u8)> {
    t.map(|t| (t.value, target_unit_code(t.unit)))
}

fn target_from(t: Option<(u32, u8)>) -> Result<Option<Target>, Error> {
    t.map(|(value, unit)| {
        Ok(Target {
            value,
            unit: target_unit_from("sla_policies", unit)?,
        })
    })
    .transpose()
}

impl From<&SlaPolicy> for PolicyRecord {
    fn from(p: &SlaPolicy) -> Self {
        PolicyRecord::V1(PolicyV1 {
            id: p.id,
            name: p.name.clone(),
            calendar_id: p.calendar_id,
            response: target_record(p.response),
            resolution: target_record(p.resolution),
            thresholds: p
                .thresholds
                .iter()
                .map(|t| {
                    let notify = t.notify.iter().map(|r| recipient_code(*r)).collect();
                    (clock_code(t.target), t.percent, notify)
                })
                .collect(),
        })
    }
}

impl TryFrom<PolicyRecord> for SlaPolicy {
    type Error = Error;
    fn try_from(record: PolicyRecord) -> Result<SlaPolicy, Error> {
        let PolicyRecord::V1(p) = record;
        let mut thresholds = Vec::with_capacity(p.thresholds.len());
        for (clock, percent, notify) in p.thresholds {
            thresholds.push(Threshold {
                target: clock_from("sla_policies", clock)?,
                percent,
                notify: notify
                    .into_iter()
                    .map(|r| recipient_from("sla_policies", r))
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok(SlaPolicy {
            id: p.id,
            name: p.name,
            calendar_id: p.calendar_id,
            response: target_from(p.response)?,
            resolution: target_from(p.resolution)?,
            thresholds,
        })
    }
}
