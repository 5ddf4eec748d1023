//! The reads an SLA computation makes (a service's policy, the policy, its calendar), from a
//! read transaction, a write, or either with the service at hand (the catalog kept for its
//! version, or the service a submission was checked against).

use super::Error;
use super::snapshots::Catalog;
use crate::domain::ServiceId;
use crate::domain::calendar::Calendar;
use crate::domain::sla::{CalendarDef, SlaPolicy};
use crate::storage::{Reader, Writer};
use jiff::tz::TimeZone;
use std::cell::RefCell;
use std::collections::HashMap;

/// The reads SLA computations make, from a snapshot or inside a write.
pub(super) trait SlaReads {
    /// The policy a service follows (none when it has none or does not exist).
    fn policy_id_of(&self, service: ServiceId) -> Result<Option<u64>, Error>;
    fn policy_of(&self, id: u64) -> Result<Option<SlaPolicy>, Error>;
    fn calendar_of(&self, id: u64) -> Result<Option<CalendarDef>, Error>;
    fn default_calendar(&self) -> Result<Option<u64>, Error>;
}

macro_rules! sla_reads {
    ($t:ty) => {
        impl SlaReads for $t {
            fn policy_id_of(&self, service: ServiceId) -> Result<Option<u64>, Error> {
                Ok(self.service(service)?.and_then(|s| s.sla_policy_id))
            }
            fn policy_of(&self, id: u64) -> Result<Option<SlaPolicy>, Error> {
                Ok(self.sla_policy(id)?)
            }
            fn calendar_of(&self, id: u64) -> Result<Option<CalendarDef>, Error> {
                Ok(self.calendar(id)?)
            }
            fn default_calendar(&self) -> Result<Option<u64>, Error> {
                Ok(self.default_calendar_id()?)
            }
        }
    };
}
sla_reads!(Reader);
sla_reads!(Writer<'_>);

/// Where the service a computation asks about is already at hand, so that its policy is read
/// without decoding the service again, its form included.
pub(super) enum Known<'a> {
    /// The catalog kept for the read's version (a request page asks on every view).
    Catalog(&'a Catalog),
    /// The service a request is filed for, as read in the same write (a submission, on the
    /// writer's thread).
    Service(&'a crate::domain::Service),
}

/// A read or a write with a service's policy `known`; everything else is read from `reads`.
pub(super) struct WithKnown<'a, R> {
    pub reads: &'a R,
    pub known: Known<'a>,
}

impl<R: SlaReads> SlaReads for WithKnown<'_, R> {
    fn policy_id_of(&self, service: ServiceId) -> Result<Option<u64>, Error> {
        match self.known {
            Known::Catalog(catalog) => Ok(catalog.service(service).and_then(|s| s.sla_policy_id)),
            Known::Service(known) if known.id == service => Ok(known.sla_policy_id),
            Known::Service(_) => self.reads.policy_id_of(service),
        }
    }
    fn policy_of(&self, id: u64) -> Result<Option<SlaPolicy>, Error> {
        self.reads.policy_of(id)
    }
    fn calendar_of(&self, id: u64) -> Result<Option<CalendarDef>, Error> {
        self.reads.calendar_of(id)
    }
    fn default_calendar(&self) -> Result<Option<u64>, Error> {
        self.reads.default_calendar()
    }
}

/// `reads` with each answer kept: the SLA scan asks the same few services, policies and
/// calendars for every request it handles (twice: its escalations, then the summary), and in
/// its one write transaction none of them can change.
pub(super) struct Remembered<'a, R> {
    reads: &'a R,
    policy_ids: RefCell<HashMap<ServiceId, Option<u64>>>,
    policies: RefCell<HashMap<u64, Option<SlaPolicy>>>,
    calendars: RefCell<HashMap<u64, Option<CalendarDef>>>,
    default_calendar: RefCell<Option<Option<u64>>>,
}

impl<'a, R: SlaReads> Remembered<'a, R> {
    pub fn new(reads: &'a R) -> Self {
        Remembered {
            reads,
            policy_ids: RefCell::default(),
            policies: RefCell::default(),
            calendars: RefCell::default(),
            default_calendar: RefCell::default(),
        }
    }
}

/// The answer kept for `key` in `map`, else `read`'s, then kept.
fn remembered<K: std::hash::Hash + Eq, V: Clone>(
    map: &RefCell<HashMap<K, V>>,
    key: K,
    read: impl FnOnce() -> Result<V, Error>,
) -> Result<V, Error> {
    if let Some(known) = map.borrow().get(&key) {
        return Ok(known.clone());
    }
    let value = read()?;
    map.borrow_mut().insert(key, value.clone());
    Ok(value)
}

impl<R: SlaReads> SlaReads for Remembered<'_, R> {
    fn policy_id_of(&self, service: ServiceId) -> Result<Option<u64>, Error> {
        remembered(&self.policy_ids, service, || {
            self.reads.policy_id_of(service)
        })
    }
    fn policy_of(&self, id: u64) -> Result<Option<SlaPolicy>, Error> {
        remembered(&self.policies, id, || self.reads.policy_of(id))
    }
    fn calendar_of(&self, id: u64) -> Result<Option<CalendarDef>, Error> {
        remembered(&self.calendars, id, || self.reads.calendar_of(id))
    }
    fn default_calendar(&self) -> Result<Option<u64>, Error> {
        if let Some(known) = *self.default_calendar.borrow() {
            return Ok(known);
        }
        let id = self.reads.default_calendar()?;
        *self.default_calendar.borrow_mut() = Some(id);
        Ok(id)
    }
}

/// The calendar a policy counts in: its own, else the instance's default, else 24/7.
pub(super) fn calendar_for(
    r: &impl SlaReads,
    id: Option<u64>,
    zone: &TimeZone,
) -> Result<Calendar, Error> {
    let id = match id {
        Some(id) => Some(id),
        None => r.default_calendar()?,
    };
    Ok(match id {
        Some(id) => r.calendar_of(id)?.map(|c| c.calendar),
        None => None,
    }
    .unwrap_or_else(|| Calendar::always(zone.clone())))
}

/// The policy of a service, with the calendar it counts in.
pub(super) fn sla_of(
    r: &impl SlaReads,
    service: ServiceId,
    zone: &TimeZone,
) -> Result<Option<(SlaPolicy, Calendar)>, Error> {
    let Some(id) = r.policy_id_of(service)? else {
        return Ok(None);
    };
    let Some(policy) = r.policy_of(id)? else {
        return Ok(None);
    };
    let calendar = calendar_for(r, policy.calendar_id, zone)?;
    Ok(Some((policy, calendar)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Two services under policy 7, counting in calendar 3; every read counted.
    #[derive(Default)]
    struct Counted {
        reads: Cell<u32>,
    }

    impl SlaReads for Counted {
        fn policy_id_of(&self, service: ServiceId) -> Result<Option<u64>, Error> {
            self.reads.set(self.reads.get() + 1);
            Ok((service.0 <= 2).then_some(7))
        }
        fn policy_of(&self, id: u64) -> Result<Option<SlaPolicy>, Error> {
            self.reads.set(self.reads.get() + 1);
            Ok(Some(SlaPolicy {
                id,
                name: "P".into(),
                calendar_id: Some(3),
                response: None,
                resolution: None,
                thresholds: Vec::new(),
            }))
        }
        fn calendar_of(&self, id: u64) -> Result<Option<CalendarDef>, Error> {
            self.reads.set(self.reads.get() + 1);
            Ok(Some(CalendarDef {
                id,
                name: "C".into(),
                calendar: Calendar::always(TimeZone::UTC),
            }))
        }
        fn default_calendar(&self) -> Result<Option<u64>, Error> {
            self.reads.set(self.reads.get() + 1);
            Ok(None)
        }
    }

    #[test]
    fn remembered_reads_answer_as_the_store_does_and_read_each_thing_once() {
        let store = Counted::default();
        let reads = Remembered::new(&store);
        for round in 0..3 {
            for service in [1, 2, 9] {
                let direct = sla_of(&Counted::default(), ServiceId(service), &TimeZone::UTC)
                    .expect("direct");
                let kept = sla_of(&reads, ServiceId(service), &TimeZone::UTC).expect("kept");
                assert_eq!(kept, direct, "service {service}, round {round}");
            }
        }
        // Three services' policy ids, policy 7 and calendar 3, each once.
        assert_eq!(store.reads.get(), 5);
        assert_eq!(reads.default_calendar().expect("default"), None);
        assert_eq!(reads.default_calendar().expect("default"), None);
        assert_eq!(store.reads.get(), 6);
    }
}
