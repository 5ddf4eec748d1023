//! The metrics roll-ups kept in step with the requests: on each write, the request's new
//! contribution minus its old one, in the same transaction; rebuilt from every request at
//! start-up when the days were counted in another time zone (or never), and checked by the
//! `rollups` job (`check_rollups`) and the `guichet rollups` command.

use super::{Error, Ops};
use crate::domain::metrics::{Counters, Facts, RollupKey, contribution};
use crate::domain::request::{Event, Request, RequestId, Summary};
use crate::storage::{Reader, Writer, zone_mark};
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

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

/// Moves a request's contribution from what it was (`None`: a new request) to what it is.
pub(super) fn keep_rollups(
    w: &Writer,
    before: Option<Version<'_>>,
    (request, events, summary): (&Request, &[Event], &Summary),
    zone: &TimeZone,
) -> Result<(), Error> {
    let new = rows((request, events, Some(summary)), zone);
    match before.map(|b| rows(b, zone)) {
        Some(old) if old == new => {}
        Some(old) => {
            w.add_rollups(&old, -1)?;
            w.add_rollups(&new, 1)?;
        }
        None => w.add_rollups(&new, 1)?,
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

/// The median time of `service`'s requests finished in the 90 days to `today` (a day number),
/// when at least `USUAL_MIN_FINISHED` were.
pub(super) fn usual_time(
    reader: &Reader,
    service: crate::domain::ServiceId,
    today: i32,
) -> Result<Option<i64>, Error> {
    let mut sum = Counters::default();
    for (key, counters) in reader.rollups(today - 89, today)? {
        if key.service == service {
            sum.add(&counters, 1);
        }
    }
    Ok((sum.finished >= USUAL_MIN_FINISHED)
        .then(|| crate::domain::metrics::quantile(&sum.histogram, 0.5))
        .flatten())
}

impl Ops {
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
