//! Calendars, SLA policies, the instance's default calendar (in `meta`), and the index of open
//! requests by due instant.

use super::records::{decode, encode};
use super::sla_records::{CalendarRecord, PolicyRecord};
use super::{Error, Reader, Writer};
use crate::domain::Timestamp;
use crate::domain::request::{RequestId, Summary};
use crate::domain::sla::{CalendarDef, SlaPolicy};
use redb::ReadableTable;

const DEFAULT_CALENDAR: &str = "sla.default_calendar";

/// What the due index orders open requests by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueKind {
    /// The next SLA deadline still running.
    Sla = 1,
    /// The expected date, for requests without SLA.
    Expected = 2,
    /// When the SLA scan next has something to do.
    Wake = 3,
}

/// The due index entries of a request in the state `summary` describes.
pub(super) fn due_entries(s: &Summary) -> Vec<(u8, i64, u64)> {
    let mut entries = Vec::new();
    if !s.status.is_open() {
        return entries;
    }
    let id = s.id.0;
    match &s.sla {
        Some(sla) => {
            if let Some(at) = sla.next_due {
                entries.push((DueKind::Sla as u8, at.0, id));
            }
        }
        None => {
            if let Some(at) = s.due_at {
                entries.push((DueKind::Expected as u8, at.0, id));
            }
        }
    }
    if let Some(at) = s.wake_at {
        entries.push((DueKind::Wake as u8, at.0, id));
    }
    entries
}

macro_rules! sla_reads {
    ($t:ty) => {
        impl $t {
            pub fn calendar(&self, id: u64) -> Result<Option<CalendarDef>, Error> {
                let table = self.calendars_table()?;
                let Some(bytes) = table.get(id)? else {
                    return Ok(None);
                };
                decode::<CalendarRecord, _>("calendars", id, bytes.value()).map(Some)
            }

            pub fn calendars(&self) -> Result<Vec<CalendarDef>, Error> {
                let table = self.calendars_table()?;
                let mut found = Vec::new();
                for entry in table.iter()? {
                    let (key, bytes) = entry?;
                    found.push(decode::<CalendarRecord, _>(
                        "calendars",
                        key.value(),
                        bytes.value(),
                    )?);
                }
                Ok(found)
            }

            pub fn sla_policy(&self, id: u64) -> Result<Option<SlaPolicy>, Error> {
                let table = self.sla_policies_table()?;
                let Some(bytes) = table.get(id)? else {
                    return Ok(None);
                };
                decode::<PolicyRecord, _>("sla_policies", id, bytes.value()).map(Some)
            }

            pub fn sla_policies(&self) -> Result<Vec<SlaPolicy>, Error> {
                let table = self.sla_policies_table()?;
                let mut found = Vec::new();
                for entry in table.iter()? {
                    let (key, bytes) = entry?;
                    found.push(decode::<PolicyRecord, _>(
                        "sla_policies",
                        key.value(),
                        bytes.value(),
                    )?);
                }
                Ok(found)
            }

            /// The calendar a policy without one uses; `None`: 24/7 in the instance's zone.
            pub fn default_calendar_id(&self) -> Result<Option<u64>, Error> {
                let meta = self.meta_table()?;
                Ok(meta
                    .get(DEFAULT_CALENDAR)?
                    .map(|v| v.value())
                    .filter(|id| *id != 0))
            }

            /// Open request ids of one due kind with an instant in `[from, to]`, earliest
            /// first, after `(cursor instant, cursor id)`; at most `n`.
            pub fn due_ids(
                &self,
                kind: DueKind,
                from: Timestamp,
                to: Timestamp,
                after: Option<(Timestamp, RequestId)>,
                n: usize,
            ) -> Result<Vec<(Timestamp, RequestId)>, Error> {
                let table = self.request_due_table()?;
                let k = kind as u8;
                let start = match after {
                    Some((at, id)) if at >= from => std::ops::Bound::Excluded((k, at.0, id.0)),
                    _ => std::ops::Bound::Included((k, from.0, 0)),
                };
                let end = std::ops::Bound::Included((k, to.0, u64::MAX));
                let mut found = Vec::new();
                for entry in table.range::<(u8, i64, u64)>((start, end))?.take(n) {
                    let (_, at, id) = entry?.0.value();
                    found.push((Timestamp(at), RequestId(id)));
                }
                Ok(found)
            }
        }
    };
}

sla_reads!(Reader);
sla_reads!(Writer<'_>);

impl Writer<'_> {
    pub fn put_calendar(&self, calendar: &CalendarDef) -> Result<(), Error> {
        let mut table = self.calendars_table()?;
        table.insert(
            calendar.id,
            encode(&CalendarRecord::from(calendar))?.as_slice(),
        )?;
        Ok(())
    }

    pub fn delete_calendar(&self, id: u64) -> Result<(), Error> {
        self.calendars_table()?.remove(id)?;
        Ok(())
    }

    pub fn put_sla_policy(&self, policy: &SlaPolicy) -> Result<(), Error> {
        let mut table = self.sla_policies_table()?;
        table.insert(policy.id, encode(&PolicyRecord::from(policy))?.as_slice())?;
        Ok(())
    }

    pub fn delete_sla_policy(&self, id: u64) -> Result<(), Error> {
        self.sla_policies_table()?.remove(id)?;
        Ok(())
    }

    pub fn set_default_calendar_id(&self, id: Option<u64>) -> Result<(), Error> {
        let mut meta = self.meta_table()?;
        meta.insert(DEFAULT_CALENDAR, id.unwrap_or(0))?;
        Ok(())
    }

    /// Replaces what lists show of a request (its request record unchanged).
    pub fn put_summary(&self, summary: &Summary) -> Result<(), Error> {
        let old = self.summary(summary.id)?;
        self.move_due_entries(old.as_ref(), summary)?;
        self.request_summaries_table()?.insert(
            summary.id.0,
            encode(&super::summary_records::SummaryRecord::from(summary))?.as_slice(),
        )?;
        Ok(())
    }

    /// Moves a request's due index entries from its `old` summary to its `new` one.
    pub(super) fn move_due_entries(
        &self,
        old: Option<&Summary>,
        new: &Summary,
    ) -> Result<(), Error> {
        let old = old.map(due_entries).unwrap_or_default();
        let new = due_entries(new);
        let mut table = self.request_due_table()?;
        for key in old.iter().filter(|k| !new.contains(k)) {
            table.remove(*key)?;
        }
        for key in new.iter().filter(|k| !old.contains(k)) {
            table.insert(*key, ())?;
        }
        Ok(())
    }
}
