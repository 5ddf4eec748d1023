//! The metrics roll-ups (schema 6): daily counters per service, team and assignee, with the
//! time zone their days were counted in (a hash of its name, in `meta`).

use super::records::{decode, encode};
use super::{Error, Reader, Writer};
use crate::domain::metrics::{Counters, RollupKey};
use crate::domain::{ServiceId, TeamId, UserId};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const ZONE: &str = "rollups.zone";
/// Counts the writes that changed a row of a day before the day they were made on (a rebuild,
/// a request whose past moved): a sum of past days read at one revision stays true until the
/// next.
const PAST: &str = "rollups.past";

/// What a write added to the roll-ups and has not written yet, by row (its stored key). The
/// submissions that share a commit mostly add to one row (their day, service and team): it is
/// read and written once for all of them (`apply_rollups`), not once per request.
pub(super) type Pending = std::cell::RefCell<BTreeMap<(i32, u64, u64, u64), Counters>>;

/// Stored counters. Frozen: a change is a new version.
#[derive(Serialize, Deserialize)]
pub enum RollupRecord {
    V1(RollupV1),
}

#[derive(Serialize, Deserialize)]
pub struct RollupV1 {
    /// submitted, finished, cancelled, rejected, reopened.
    pub counts: [i64; 5],
    /// total, approval, queue, work, paused, response seconds.
    pub seconds: [i64; 6],
    /// responded, sla met, sla breached, estimate met, estimate late.
    pub outcomes: [i64; 5],
    /// Duration bucket → finished requests.
    pub histogram: Vec<(u16, i64)>,
}

impl From<&Counters> for RollupRecord {
    fn from(c: &Counters) -> Self {
        RollupRecord::V1(RollupV1 {
            counts: [c.submitted, c.finished, c.cancelled, c.rejected, c.reopened],
            seconds: [
                c.total_seconds,
                c.approval_seconds,
                c.queue_seconds,
                c.work_seconds,
                c.paused_seconds,
                c.response_seconds,
            ],
            outcomes: [
                c.responded,
                c.sla_met,
                c.sla_breached,
                c.estimate_met,
                c.estimate_late,
            ],
            histogram: c.histogram.iter().map(|(b, n)| (*b, *n)).collect(),
        })
    }
}

impl TryFrom<RollupRecord> for Counters {
    type Error = Error;
    fn try_from(record: RollupRecord) -> Result<Counters, Error> {
        let RollupRecord::V1(r) = record;
        let [submitted, finished, cancelled, rejected, reopened] = r.counts;
        let [
            total_seconds,
            approval_seconds,
            queue_seconds,
            work_seconds,
            paused_seconds,
            response_seconds,
        ] = r.seconds;
        let [
            responded,
            sla_met,
            sla_breached,
            estimate_met,
            estimate_late,
        ] = r.outcomes;
        Ok(Counters {
            submitted,
            finished,
            cancelled,
            rejected,
            reopened,
            total_seconds,
            approval_seconds,
            queue_seconds,
            work_seconds,
            paused_seconds,
            responded,
            response_seconds,
            sla_met,
            sla_breached,
            estimate_met,
            estimate_late,
            histogram: r.histogram.into_iter().collect(),
        })
    }
}

pub(super) fn raw_key(k: &RollupKey) -> (i32, u64, u64, u64) {
    (
        k.day,
        k.service.0,
        k.team.map_or(0, |t| t.0),
        k.assignee.map_or(0, |u| u.0),
    )
}

fn key_of((day, service, team, assignee): (i32, u64, u64, u64)) -> RollupKey {
    RollupKey {
        day,
        service: ServiceId(service),
        team: (team != 0).then_some(TeamId(team)),
        assignee: (assignee != 0).then_some(UserId(assignee)),
    }
}

pub(super) fn key_text(k: (i32, u64, u64, u64)) -> String {
    format!("{}/{}/{}/{}", k.0, k.1, k.2, k.3)
}

/// A stable number for a time zone's name (FNV-1a), to notice that the days were counted in
/// another zone.
pub fn zone_mark(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

macro_rules! rollup_reads {
    ($t:ty) => {
        impl $t {
            /// The rows of days `from..=to`, in key order.
            pub fn rollups(&self, from: i32, to: i32) -> Result<Vec<(RollupKey, Counters)>, Error> {
                self.apply_rollups()?;
                let table = self.rollups_table()?;
                let mut rows = Vec::new();
                for entry in table.range((from, 0, 0, 0)..=(to, u64::MAX, u64::MAX, u64::MAX))? {
                    let (key, bytes) = entry?;
                    let key = key.value();
                    let counters =
                        decode::<RollupRecord, _>("rollups", key_text(key), bytes.value())?;
                    rows.push((key_of(key), counters));
                }
                Ok(rows)
            }

            /// The zone mark the stored days were counted in; `None` before the first build.
            pub fn rollups_zone(&self) -> Result<Option<u64>, Error> {
                let meta = self.meta_table()?;
                Ok(meta.get(ZONE)?.map(|v| v.value()))
            }

            /// The revision of the past days' rows (see `PAST`).
            pub fn rollups_past(&self) -> Result<u64, Error> {
                let meta = self.meta_table()?;
                Ok(meta.get(PAST)?.map_or(0, |v| v.value()))
            }

            /// Every request's contribution, summed: what the roll-ups should hold.
            pub fn rollups_rebuilt(
                &self,
                contribution: impl Fn(
                    &Self,
                    crate::domain::request::RequestId,
                ) -> Result<Vec<(RollupKey, Counters)>, Error>,
            ) -> Result<BTreeMap<RollupKey, Counters>, Error> {
                // The ids first: a write transaction opens a table once at a time.
                let ids = {
                    let table = self.requests_table()?;
                    let mut ids = Vec::new();
                    for entry in table.iter()? {
                        ids.push(entry?.0.value());
                    }
                    ids
                };
                let mut all: BTreeMap<RollupKey, Counters> = BTreeMap::new();
                for id in ids {
                    let id = crate::domain::request::RequestId(id);
                    for (key, counters) in contribution(self, id)? {
                        all.entry(key).or_default().add(&counters, 1);
                    }
                }
                all.retain(|_, c| !c.is_zero());
                Ok(all)
            }

            /// Every stored row.
            pub fn all_rollups(&self) -> Result<BTreeMap<RollupKey, Counters>, Error> {
                Ok(self.rollups(i32::MIN, i32::MAX)?.into_iter().collect())
            }
        }
    };
}

rollup_reads!(Reader);
rollup_reads!(Writer<'_>);

impl Reader {
    /// A reader sees only what was committed: nothing is pending (`Writer::apply_rollups`).
    fn apply_rollups(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Writer<'_> {
    /// Adds `rows` times `sign` to the counters; a row that comes back to zero goes. Kept
    /// in the write until its commit or until something reads the roll-ups.
    pub fn add_rollups(&self, rows: &[(RollupKey, Counters)], sign: i64) -> Result<(), Error> {
        let mut pending = self.rollups.borrow_mut();
        for (key, counters) in rows {
            pending.entry(raw_key(key)).or_default().add(counters, sign);
        }
        Ok(())
    }

    /// Writes what the write added to the roll-ups: before the commit, and before anything
    /// reads them.
    pub(super) fn apply_rollups(&self) -> Result<(), Error> {
        let pending = self.rollups.take();
        if pending.is_empty() {
            return Ok(());
        }
        let mut table = self.rollups_table()?;
        for (raw, added) in pending.into_iter().filter(|(_, c)| !c.is_zero()) {
            let mut stored = match table.get(raw)? {
                Some(bytes) => decode::<RollupRecord, _>("rollups", key_text(raw), bytes.value())?,
                None => Counters::default(),
            };
            stored.add(&added, 1);
            if stored.is_zero() {
                table.remove(raw)?;
            } else {
                table.insert(raw, encode(&RollupRecord::from(&stored))?.as_slice())?;
            }
        }
        Ok(())
    }

    /// Replaces every row, and records the zone the days were counted in.
    pub fn replace_rollups(
        &self,
        rows: &BTreeMap<RollupKey, Counters>,
        zone: u64,
    ) -> Result<(), Error> {
        // What the write added before is replaced too, as if it had been written.
        self.rollups.take();
        let mut table = self.rollups_table()?;
        table.retain(|_, _| false)?;
        for (key, counters) in rows {
            table.insert(
                raw_key(key),
                encode(&RollupRecord::from(counters))?.as_slice(),
            )?;
        }
        self.meta_table()?.insert(ZONE, zone)?;
        self.bump_rollups_past()
    }

    /// Records that rows of past days changed.
    pub fn bump_rollups_past(&self) -> Result<(), Error> {
        let mut meta = self.meta_table()?;
        let next = meta.get(PAST)?.map_or(0, |v| v.value()) + 1;
        meta.insert(PAST, next)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::request_tests::open;
    use crate::domain::metrics::{Counters, RollupKey};
    use crate::domain::{ServiceId, TeamId};
    use crate::storage::{Error, Store};

    fn key(service: u64) -> RollupKey {
        RollupKey {
            day: 20_000,
            service: ServiceId(service),
            team: Some(TeamId(1)),
            assignee: None,
        }
    }

    fn submitted(n: i64) -> Counters {
        Counters {
            submitted: n,
            ..Counters::default()
        }
    }

    /// The committed rows, as (service, submitted).
    fn stored(store: &Store) -> Vec<(u64, i64)> {
        let reader = store.read().expect("read");
        let rows = reader.rollups(20_000, 20_000).expect("rollups");
        rows.iter()
            .map(|(k, c)| (k.service.0, c.submitted))
            .collect()
    }

    #[test]
    fn a_writes_rollups_are_written_together_and_seen_within_it() {
        let (_dir, store) = open();
        store
            .write(|w| {
                for _ in 0..3 {
                    w.add_rollups(&[(key(1), submitted(1))], 1)?;
                }
                w.add_rollups(&[(key(2), submitted(1))], 1)?;
                w.add_rollups(&[(key(2), submitted(1))], -1)?;
                let seen = w.rollups(20_000, 20_000)?;
                assert_eq!(seen.len(), 1, "a row back to zero is not written");
                assert_eq!(seen[0].1.submitted, 3, "added before it is read");
                w.add_rollups(&[(key(1), submitted(1)), (key(3), submitted(2))], 1)?;
                Ok::<_, Error>(())
            })
            .expect("write");
        assert_eq!(stored(&store), vec![(1, 4), (3, 2)]);

        // Taken back to zero over several jobs of one write, a row goes.
        store
            .write(|w| {
                w.add_rollups(&[(key(1), submitted(3))], -1)?;
                w.add_rollups(&[(key(1), submitted(1))], -1)?;
                Ok::<_, Error>(())
            })
            .expect("write");
        assert_eq!(stored(&store), vec![(3, 2)]);

        // A write dropped changes nothing; a replacement replaces what the write added too.
        let dropped = store.write(|w| {
            w.add_rollups(&[(key(3), submitted(5))], 1)?;
            Err::<(), _>(Error::Db("refused".into()))
        });
        assert!(dropped.is_err());
        assert_eq!(stored(&store), vec![(3, 2)]);
        store
            .write(|w| {
                w.add_rollups(&[(key(4), submitted(1))], 1)?;
                let rows = [(key(5), submitted(7))].into_iter().collect();
                w.replace_rollups(&rows, 0)
            })
            .expect("write");
        assert_eq!(stored(&store), vec![(5, 7)]);
    }
}
