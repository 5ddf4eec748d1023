//! The metrics roll-ups kept in step with the requests: on each write, the request's new
//! contribution minus its old one, in the same transaction; rebuilt from every request at
//! start-up when the days were counted in another time zone (or never), and checked by the
//! `rollups` job (`check_rollups`) and the `guichet rollups` command.

use super::{Error, Ops};
use crate::domain::metrics::{Counters, Facts, RollupKey, contribution, day_of, quantile};
use crate::domain::request::{Event, Request, RequestId, Summary};
use crate::domain::{ServiceId, Timestamp};
use crate::storage::{Reader, Writer, zone_mark};
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A request as it was (with its timeline and summary then), or as it is now.
pub type Version<'a> = (&'a Request, &'a [Event], Option<&'a Summary>);

fn rows(version: Version<'_>, zone: &TimeZone) -> Vec<(RollupKey, Counters)> {
    let (request, events, summary) = version;
    let facts = Facts {
        request,
        events,
        sla_breached: summary.and_then(|s| s.sla.as_ref()).map(|s| s.breached),
    };
    contribution(&facts, zone)
}

/// Moves a request's contribution from what it was (`None`: a new request) to what it is,
/// writing only the rows that changed; a changed row of a day before `now`'s moves the past
/// days' revision (what the usual times read).
pub(super) fn keep_rollups(
    w: &Writer,
    before: Option<Version<'_>>,
    (request, events, summary): (&Request, &[Event], &Summary),
    zone: &TimeZone,
    now: Timestamp,
) -> Result<(), Error> {
    let new = rows((request, events, Some(summary)), zone);
    let old = before.map(|b| rows(b, zone)).unwrap_or_default();
    let gone: Vec<_> = old.iter().filter(|r| !new.contains(r)).cloned().collect();
    let came: Vec<_> = new.iter().filter(|r| !old.contains(r)).cloned().collect();
    w.add_rollups(&gone, -1)?;
    w.add_rollups(&came, 1)?;
    let today = day_of(now, zone);
    if gone.iter().chain(&came).any(|(key, _)| key.day < today) {
        w.bump_rollups_past()?;
    }
    Ok(())
}

macro_rules! rebuilt {
    ($reader:expr, $zone:expr) => {
        $reader.rollups_rebuilt(|r, id: RequestId| {
            let Some(request) = r.request(id)? else {
                return Ok(Vec::new());
            };
            let events = r.events(id)?;
            let summary = r.summary(id)?;
            Ok(rows((&request, &events, summary.as_ref()), $zone))
        })
    };
}

/// Rows that differ between what is stored and what the requests say.
fn differences(
    stored: &BTreeMap<RollupKey, Counters>,
    rebuilt: &BTreeMap<RollupKey, Counters>,
) -> usize {
    let keys: std::collections::BTreeSet<&RollupKey> =
        stored.keys().chain(rebuilt.keys()).collect();
    keys.into_iter()
        .filter(|k| stored.get(*k) != rebuilt.get(*k))
        .count()
}

/// How many finished requests a usual time needs before a page shows it.
pub const USUAL_MIN_FINISHED: i64 = 5;

/// Every service's roll-ups summed over the 89 days before `day`, read at `revision` of the
/// past days: true until either moves, so a service page adds only the day's own rows.
pub struct UsualPast {
    day: i32,
    revision: u64,
    sums: BTreeMap<ServiceId, Counters>,
}

/// The last `UsualPast` read.
pub type UsualCache = Mutex<Option<Arc<UsualPast>>>;

impl Ops {
    /// The median time of `service`'s requests finished in the 90 days to today, when at
    /// least `USUAL_MIN_FINISHED` were.
    pub(super) fn usual_time(
        &self,
        reader: &Reader,
        service: ServiceId,
    ) -> Result<Option<i64>, Error> {
        let today = day_of(self.now(), self.time_zone());
        let revision = reader.rollups_past()?;
        let cache = &self.inner.usual_past;
        let cached = cache.lock().ok().and_then(|guard| {
            guard
                .as_ref()
                .filter(|p| p.day == today && p.revision == revision)
                .cloned()
        });
        let past = match cached {
            Some(past) => past,
            None => {
                let mut sums: BTreeMap<ServiceId, Counters> = BTreeMap::new();
                for (key, counters) in reader.rollups(today - 89, today - 1)? {
                    sums.entry(key.service).or_default().add(&counters, 1);
                }
                let past = Arc::new(UsualPast {
                    day: today,
                    revision,
                    sums,
                });
                if let Ok(mut guard) = cache.lock() {
                    *guard = Some(Arc::clone(&past));
                }
                past
            }
        };
        let mut sum = past.sums.get(&service).cloned().unwrap_or_default();
        for (key, counters) in reader.rollups(today, today)? {
            if key.service == service {
                sum.add(&counters, 1);
            }
        }
        Ok((sum.finished >= USUAL_MIN_FINISHED)
            .then(|| quantile(&sum.histogram, 0.5))
            .flatten())
    }

    fn zone_mark(&self) -> u64 {
        zone_mark(self.time_zone().iana_name().unwrap_or("UTC"))
    }

    /// At start-up: rebuilds the roll-ups when they were counted in another time zone, or
    /// never (a store from before schema 6). Answers whether it rebuilt them.
    pub async fn ensure_rollups(&self) -> Result<bool, Error> {
        let mark = self.zone_mark();
        if self.store().read()?.rollups_zone()? == Some(mark) {
            return Ok(false);
        }
        self.rebuild_rollups().await?;
        Ok(true)
    }

    /// Rebuilds every roll-up row from the requests, in one transaction.
    pub async fn rebuild_rollups(&self) -> Result<usize, Error> {
        self.blocking(|ops| {
            let (zone, mark) = (ops.time_zone().clone(), ops.zone_mark());
            ops.store().write(|w| {
                let all = rebuilt!(w, &zone)?;
                w.replace_rollups(&all, mark)?;
                Ok(all.len())
            })
        })
        .await
    }

    /// Compares the stored roll-ups with the requests; answers how many rows differ, and when
    /// `repair`, rebuilds them if any do.
    pub async fn check_rollups(&self, repair: bool) -> Result<usize, Error> {
        let differ = self
            .blocking(|ops| {
                let reader: Reader = ops.store().read()?;
                let rebuilt = rebuilt!(reader, ops.time_zone())?;
                Ok::<_, Error>(differences(&reader.all_rollups()?, &rebuilt))
            })
            .await?;
        if differ > 0 && repair {
            self.rebuild_rollups().await?;
        }
        Ok(differ)
    }

    /// The stored rows of days `from..=to` (days since 1970-01-01 in the instance's zone).
    pub fn rollups(&self, from: i32, to: i32) -> Result<Vec<(RollupKey, Counters)>, Error> {
        Ok(self.store().read()?.rollups(from, to)?)
    }
}
