//! What listings read, kept until the next commit: the ids of a listing's page and each row's
//! summary. A listing page reads a range of the request index, then each row's summary by id,
//! a B-tree descent and a decode each (together 44 % of `/my/requests`' instructions with the
//! demo, more with 100,000 requests where the trees are deeper); the desk, the API and "my
//! requests" read the same recent requests over and over between two commits. What a page
//! read at one store generation is kept for the next pages of that generation; the first
//! commit after it empties the memo for whoever reads after it (the generation is bumped
//! before the commit's caller hears of it), so a change shows on the very next request.

use super::Error;
use crate::domain::request::{RequestId, Summary};
use crate::storage::{Listing, Reader, Summaries};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

/// Most summaries kept at once (well under a megabyte): the pages a desk's team reads between
/// two commits. Beyond, the memo starts again empty.
const KEPT: usize = 4096;
/// Most listing pages' ids kept at once (a cursor can be made up in a query string).
const PAGES_KEPT: usize = 1024;

/// A listing page's ids as `Reader::request_ids` is asked for them.
type PageKey = (Listing, Option<RequestId>, bool, usize);
/// Listing pages' ids read at one generation.
type Pages = (u64, HashMap<PageKey, Arc<[RequestId]>>);

/// Summaries read at one generation, by id.
type KeptById = (
    u64,
    HashMap<RequestId, Arc<Summary>, BuildHasherDefault<IdHasher>>,
);

/// Request ids hashed by one multiplication (as rustc's FxHash does) rather than SipHash, which
/// took a twentieth of a listing's instructions for its 35 look-ups. Resisting chosen keys is
/// not needed here: the ids kept are those of requests found in the store, numbered by it, at
/// most `KEPT` of them.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    /// The product's middle bits brought down: its low bits depend only on the id's low bits,
    /// the same for a page of ids a power of two apart (`rustc-hash` does the same).
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.write_u64(u64::from(*b)));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// What was read at one store generation: summaries by id (only those found, so ids made up in
/// a query string cannot fill it), and listing pages' ids by what was asked.
#[derive(Default)]
pub struct SummaryMemo {
    summaries: Mutex<KeptById>,
    pages: Mutex<Pages>,
}

impl SummaryMemo {
    /// The summaries as `reader` sees them, through the memo of its generation.
    pub(super) fn over<'r>(&'r self, reader: &'r Reader) -> Result<KeptSummaries<'r>, Error> {
        Ok(KeptSummaries {
            reader,
            memo: Some(self),
            generation: reader.generation(),
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A reader's listings and summaries: those kept for its generation from memory, the others
/// from its snapshot (then kept). The reader's generation was read before its snapshot began,
/// so what is kept for a generation is never older than that generation's commit.
pub(super) struct KeptSummaries<'r> {
    /// Its summaries' table is opened when a summary is not kept (opening it was 1.7 % of the
    /// desk's time when every row came from the memo).
    reader: &'r Reader,
    /// None for reads that would only churn the memo: the export's walk over every request.
    /// (A word search's hits go through it with `of_hits`, which keeps none of them.)
    memo: Option<&'r SummaryMemo>,
    generation: u64,
}

impl<'r> KeptSummaries<'r> {
    /// The summaries of `reader`'s snapshot, read from it each time and not kept.
    pub(super) fn unkept(reader: &'r Reader) -> Result<KeptSummaries<'r>, Error> {
        Ok(KeptSummaries {
            reader,
            memo: None,
            generation: reader.generation(),
        })
    }

    /// Up to `n` ids of `listing` after `cursor`, as `Reader::request_ids` answers them.
    pub fn request_ids(
        &self,
        listing: Listing,
        cursor: Option<RequestId>,
        newest_first: bool,
        n: usize,
    ) -> Result<Vec<RequestId>, Error> {
        let read = || self.reader.request_ids(listing, cursor, newest_first, n);
        let Some(memo) = self.memo else {
            return Ok(read()?);
        };
        let key = (listing, cursor, newest_first, n);
        {
            let pages = lock(&memo.pages);
            if pages.0 == self.generation
                && let Some(ids) = pages.1.get(&key)
            {
                return Ok(ids.to_vec());
            }
        }
        let ids = read()?;
        let mut pages = lock(&memo.pages);
        if pages.0 < self.generation {
            *pages = (self.generation, HashMap::new());
        }
        if pages.0 == self.generation {
            if pages.1.len() >= PAGES_KEPT {
                pages.1.clear();
            }
            pages.1.insert(key, ids.as_slice().into());
        }
        Ok(ids)
    }

    pub fn get(&self, id: RequestId) -> Result<Option<Summary>, Error> {
        Ok(self.of_listed(&[id])?.pop().flatten())
    }

    /// The summaries of `ids`, in their order (see `Summaries::of_listed`: the ones not kept
    /// are read in one pass when they lie close together).
    pub fn of_listed(&self, ids: &[RequestId]) -> Result<Vec<Option<Summary>>, Error> {
        self.read(ids, true)
    }

    /// `of_listed`, keeping none of what it reads from the store: a word search reads many
    /// hits to fill a page, and keeps only the rows it shows (`keep`).
    pub fn of_hits(&self, ids: &[RequestId]) -> Result<Vec<Option<Summary>>, Error> {
        self.read(ids, false)
    }

    /// Keeps `shown` for the next readers of this generation.
    pub fn keep(&self, shown: &[Summary]) {
        self.keep_all(shown.iter());
    }

    /// `keep`, unless a newer generation was seen meanwhile.
    fn keep_all<'s>(&self, summaries: impl Iterator<Item = &'s Summary>) {
        let Some(memo) = self.memo else {
            return;
        };
        let mut memo = lock(&memo.summaries);
        if memo.0 < self.generation {
            *memo = (self.generation, HashMap::default());
        }
        if memo.0 != self.generation {
            return;
        }
        for summary in summaries {
            // Kept already at this generation: the same row, as its snapshot is the same.
            if memo.1.contains_key(&summary.id) {
                continue;
            }
            if memo.1.len() >= KEPT {
                memo.1.clear();
            }
            memo.1.insert(summary.id, Arc::new(summary.clone()));
        }
    }

    /// The summaries' table of the reader's snapshot (opened once per reader).
    fn table(&self) -> Result<Summaries<'r>, Error> {
        Ok(self.reader.summaries()?)
    }

    fn read(&self, ids: &[RequestId], keep_read: bool) -> Result<Vec<Option<Summary>>, Error> {
        let Some(memo) = self.memo else {
            return Ok(self.table()?.of_listed(ids)?);
        };
        let mut kept: Vec<Option<Arc<Summary>>> = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let memo = lock(&memo.summaries);
            let current = memo.0 == self.generation;
            for id in ids {
                let found = memo.1.get(id).filter(|_| current).cloned();
                if found.is_none() {
                    missing.push(*id);
                }
                kept.push(found);
            }
        }
        // Copied outside the lock, which the other pages share.
        let mut found: Vec<Option<Summary>> = kept.iter().map(|s| s.as_deref().cloned()).collect();
        if missing.is_empty() {
            return Ok(found);
        }
        let mut read = self.table()?.of_listed(&missing)?.into_iter();
        for (slot, was_kept) in found.iter_mut().zip(&kept) {
            if was_kept.is_none() {
                *slot = read.next().flatten();
            }
        }
        if keep_read {
            let fresh = found
                .iter()
                .zip(&kept)
                .filter(|(_, was_kept)| was_kept.is_none());
            self.keep_all(fresh.filter_map(|(summary, _)| summary.as_ref()));
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;
    use crate::domain::request::Status;
    use crate::storage::Store;
    use crate::storage::request_read_tests::store_with_gaps;
    use crate::storage::request_tests::{open, request};
    use proptest::prelude::*;

    fn set_status(store: &Store, id: u64, status: Status) {
        store
            .write(|w| {
                let before = w.request(RequestId(id))?.expect("stored");
                let mut after = before.clone();
                after.status = status;
                w.put_request(Some(&before), &after, &after.summary())
            })
            .expect("write");
    }

    fn kept(memo: &SummaryMemo) -> (u64, Vec<u64>) {
        let memo = lock(&memo.summaries);
        let mut ids: Vec<u64> = memo.1.keys().map(|id| id.0).collect();
        ids.sort_unstable();
        (memo.0, ids)
    }

    #[test]
    fn request_ids_hash_apart_in_the_bits_a_table_uses() {
        use std::hash::BuildHasher;
        let hash = |id: u64| BuildHasherDefault::<IdHasher>::default().hash_one(RequestId(id));
        // Ids as they come (one after another) and as a page of every 64th: the low bits pick
        // a bucket, the top seven its tag; neither may be the same for them all.
        for step in [1, 64] {
            let hashes: Vec<u64> = (1..=4096).map(|n| hash(n * step)).collect();
            let buckets: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 4095).collect();
            let tags: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
            assert!(
                buckets.len() > 2048,
                "{} buckets for step {step}",
                buckets.len()
            );
            assert!(tags.len() > 64, "{} tags for step {step}", tags.len());
        }
    }

    fn ids(ids: &[u64]) -> Vec<RequestId> {
        ids.iter().copied().map(RequestId).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the memo already holds, a listing gets what the store holds, in its order.
        #[test]
        fn kept_or_read_the_summaries_are_the_stores(
            gaps in proptest::collection::btree_set(1u64..=300, 0..40),
            first in proptest::collection::vec(1u64..=340, 0..40),
            then in proptest::collection::vec(1u64..=340, 0..40),
        ) {
            let gaps: Vec<u64> = gaps.into_iter().collect();
            let (_dir, store) = store_with_gaps(&gaps);
            let memo = SummaryMemo::default();
            let reader = store.read().expect("read");
            let table = reader.summaries().expect("table");
            for wanted in [ids(&first), ids(&then)] {
                let over = memo.over(&reader).expect("over");
                let direct: Vec<_> = wanted.iter().map(|id| table.get(*id).expect("get")).collect();
                // A search's hits read without keeping, then as a listing reads them.
                prop_assert_eq!(over.of_hits(&wanted).expect("hits"), direct.clone());
                prop_assert_eq!(over.of_listed(&wanted).expect("listed"), direct);
            }
            // A listing's pages, asked twice (the second from memory), are the store's.
            for cursor in first.iter().take(3).map(|c| Some(RequestId(*c))).chain([None]) {
                for newest_first in [true, false] {
                    let asked = (Listing::OpenOfRequester(UserId(3)), cursor, newest_first, 26);
                    let direct = reader.request_ids(asked.0, asked.1, asked.2, asked.3).expect("ids");
                    for _ in 0..2 {
                        let kept = memo.over(&reader).expect("over");
                        let through = kept.request_ids(asked.0, asked.1, asked.2, asked.3).expect("ids");
                        prop_assert_eq!(&through, &direct);
                    }
                }
            }
            // Only what was found is kept.
            let (_, held) = kept(&memo);
            for id in &held {
                prop_assert!(!gaps.contains(id) && *id <= 300);
                prop_assert!(first.contains(id) || then.contains(id));
            }
        }
    }

    #[test]
    fn a_search_keeps_only_the_rows_it_shows_and_only_for_its_generation() {
        let (_dir, store) = store_with_gaps(&[]);
        let memo = SummaryMemo::default();
        let old = store.read().expect("read");
        let hits = ids(&[40, 30, 20, 10]);
        let read = memo.over(&old).expect("over").of_hits(&hits).expect("hits");
        assert_eq!(kept(&memo).1, Vec::<u64>::new(), "hits read are not kept");
        let shown: Vec<Summary> = read.into_iter().flatten().take(2).collect();
        memo.over(&old).expect("over").keep(&shown);
        assert_eq!(kept(&memo), (old.generation(), vec![30, 40]));
        // The same rows shown again (the search asked again) are not copied again.
        let held = |id| Arc::clone(&lock(&memo.summaries).1[&RequestId(id)]);
        let first = held(40);
        memo.over(&old).expect("over").keep(&shown);
        assert!(Arc::ptr_eq(&first, &held(40)), "kept once");
        // After a commit, what the older reader shows is not kept for the newer readers.
        set_status(&store, 40, Status::Done);
        let new = store.read().expect("read");
        let status_of_40 = || {
            let hits = memo.over(&new).expect("over").of_hits(&ids(&[40]));
            hits.expect("hits")[0].as_ref().map(|s| s.status)
        };
        assert_eq!(status_of_40(), Some(Status::Done));
        memo.over(&new).expect("over").keep(&[]);
        memo.over(&old).expect("over").keep(&shown);
        assert_eq!(kept(&memo), (new.generation(), vec![]));
        assert_eq!(status_of_40(), Some(Status::Done));
    }

    #[test]
    fn a_summary_is_kept_until_the_next_commit_and_never_for_a_newer_one() {
        let (_dir, store) = store_with_gaps(&[]);
        let memo = SummaryMemo::default();
        let old = store.read().expect("read");
        let page = ids(&[12, 11, 10]);
        memo.over(&old)
            .expect("over")
            .of_listed(&page)
            .expect("listed");
        assert_eq!(kept(&memo), (old.generation(), vec![10, 11, 12]));

        set_status(&store, 11, Status::InProgress);
        let status = |reader: &Reader, id| {
            memo.over(reader)
                .expect("over")
                .get(RequestId(id))
                .expect("get")
                .expect("found")
                .status
        };
        assert_eq!(status(&old, 11), Status::New);

        // A reader after the commit does not take it from the memo, and empties it.
        let new = store.read().expect("read");
        assert!(new.generation() > old.generation());
        assert_eq!(status(&new, 11), Status::InProgress);
        assert_eq!(kept(&memo), (new.generation(), vec![11]));

        // The old reader, still open, neither reads the newer memo nor writes into it.
        assert_eq!(status(&old, 10), Status::New);
        assert_eq!(status(&old, 11), Status::New);
        assert_eq!(kept(&memo), (new.generation(), vec![11]));
    }

    #[test]
    fn a_listing_page_is_kept_until_the_next_commit_and_never_for_a_newer_one() {
        let (_dir, store) = store_with_gaps(&[]);
        let memo = SummaryMemo::default();
        let new_ones = |reader: &Reader| {
            let kept = memo.over(reader).expect("over");
            let ids = kept.request_ids(Listing::Status(Status::New), None, true, 3);
            ids.expect("ids").iter().map(|id| id.0).collect::<Vec<_>>()
        };
        let old = store.read().expect("read");
        assert_eq!(new_ones(&old), vec![300, 299, 298]);
        assert_eq!(lock(&memo.pages).1.len(), 1, "kept");

        set_status(&store, 300, Status::InProgress);
        let new = store.read().expect("read");
        assert_eq!(
            new_ones(&new),
            vec![299, 298, 297],
            "read again after the commit"
        );
        assert_eq!(lock(&memo.pages).0, new.generation());
        // The old reader neither takes the newer page nor keeps its own in its place.
        assert_eq!(new_ones(&old), vec![300, 299, 298]);
        assert_eq!(new_ones(&new), vec![299, 298, 297]);
        assert_eq!(lock(&memo.pages).1.len(), 1);
    }

    #[test]
    fn the_memo_stays_within_its_bound_and_an_unkept_read_reads_every_summary() {
        let (_dir, store) = open();
        let total = KEPT as u64 + 100;
        store
            .write(|w| {
                for id in 1..=total {
                    let r = request(id, 3, Status::New);
                    w.put_request(None, &r, &r.summary())?;
                }
                Ok::<_, crate::storage::Error>(())
            })
            .expect("write");
        let reader = store.read().expect("read");
        let all: Vec<RequestId> = (1..=total).map(RequestId).collect();
        let read = KeptSummaries::unkept(&reader)
            .expect("unkept")
            .of_listed(&all);
        assert_eq!(read.expect("listed").iter().flatten().count(), all.len());
        let memo = SummaryMemo::default();
        let through = memo
            .over(&reader)
            .expect("over")
            .of_listed(&all)
            .expect("listed");
        assert_eq!(through.iter().flatten().count(), all.len());
        let (_, held) = kept(&memo);
        assert!(!held.is_empty() && held.len() <= KEPT, "{}", held.len());
    }
}
