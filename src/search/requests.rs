//! The index of requests' words under `<data>/search-requests/`: the number, the service, the
//! requester and the answers, which never change once a request is submitted. It is kept by
//! catching up on the requests submitted since the last one it holds (its commit payload), so
//! a lost or damaged index is rebuilt by catching up from nothing.

mod query;

use super::analysis::{self, Analyzers, register};
use super::id_window::{Newest, SegmentIds};
use super::{Error, manual_reader, open_or_create};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, Schema};
use tantivy::{Index, IndexReader, Searcher, SegmentReader, TantivyDocument, Term, doc};

/// Above this many indexed words starting with the last word typed, the prefix is matched by
/// an automaton instead of one term query each.
const MOST_PREFIXED: usize = 64;
/// Searches whose words are kept for the index as it is (forgotten at once when it changes).
const MOST_KEPT_SEARCHES: usize = 64;
/// Windows whose hits are kept per search kept (a page's hits: at most `(limit + 1) * 4` ids).
const MOST_KEPT_HITS: usize = 8;

/// The words of a search, looked up in one view of the index.
pub struct Words {
    searcher: Searcher,
    looked_up: Arc<LookedUp>,
}

/// A search's words as one view of the index holds them.
struct LookedUp {
    matching: Vec<Matching>,
    /// At most how many requests hold them all, once asked.
    fewest: std::sync::OnceLock<u64>,
    /// The hits of the windows searched in this view of the index, which never changes: the
    /// same search asked again (the desk shown again, a page back) finds them here.
    hits: Mutex<HashMap<HitsKey, Arc<[u64]>>>,
}

/// A search's window of ids (`from`, `before`), requester and limit.
type HitsKey = (u64, Option<u64>, Option<u64>, usize);

/// The words of the last searches, for the view of the index they were looked up in: paging
/// through a search, or the desk's search shown again, spares the dictionary's look-ups.
#[derive(Default)]
struct KeptWords {
    generation: u64,
    searches: HashMap<String, Arc<LookedUp>>,
}

/// What a word of a search matches.
enum Matching {
    /// Any of these words.
    Terms(Vec<Term>),
    /// Any word starting with this one (too many to list).
    Prefix(Term),
}

/// The request ids of each live segment (`id_window.rs`).
type Bounds = HashMap<SegmentId, Arc<SegmentIds>>;

/// The segments a query looks in, with their request ids.
type Segments<'s> = Vec<(&'s SegmentReader, Arc<SegmentIds>)>;

/// The requests a search looks among.
#[derive(Clone, Copy)]
enum Within<'a> {
    Everything,
    /// Ids in `from..before` (no upper bound when none).
    Window(u64, Option<u64>),
    Ids(&'a [u64]),
}

/// What the index knows of a request.
#[derive(Debug, Clone)]
pub struct RequestDoc {
    pub id: u64,
    pub service: String,
    /// The requester's name and user name.
    pub requester: String,
    pub requester_id: u64,
    /// Every answer, as text.
    pub answers: String,
}

pub struct RequestIndex {
    index: Index,
    reader: IndexReader,
    id: Field,
    plain: Field,
    requester: Field,
    analyzers: Analyzers,
    /// The last request id indexed.
    last: AtomicU64,
    /// The ids each live segment holds, so a search skips the segments outside its window.
    bounds: Mutex<Bounds>,
    kept_words: Mutex<KeptWords>,
    writing: Mutex<()>,
}

/// Folded words only (no stems): requests are searched for names, logins, numbers and words
/// of answers, and indexing twice would cost the request path twice as much.
/// The requester's id too: a requester's listing drops the others' requests in the search
/// rather than reading each hit's summary to drop it.
fn schema() -> (Schema, Field, Field, Field) {
    let mut builder = Schema::builder();
    let id = builder.add_u64_field("id", INDEXED | FAST);
    let options = super::text_options(analysis::PLAIN, IndexRecordOption::Basic);
    let plain = builder.add_text_field("text_plain", options);
    let requester = builder.add_u64_field("requester_id", INDEXED);
    (builder.build(), id, plain, requester)
}

impl RequestIndex {
    /// Opens the index in `dir`, or makes an empty one when it is missing, unreadable or of
    /// another schema (it then catches up from the first request).
    pub fn open(dir: &Path) -> Result<RequestIndex, Error> {
        let (index, _) = open_or_create(dir, schema().0, "request index", |_| Ok(()))?;
        let last = index
            .load_metas()?
            .payload
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let analyzers = register(&index);
        let (_, id, plain, requester) = schema();
        let reader = manual_reader(&index)?;
        Ok(RequestIndex {
            index,
            reader,
            id,
            plain,
            requester,
            analyzers,
            last: AtomicU64::new(last),
            bounds: Mutex::new(HashMap::new()),
            kept_words: Mutex::new(KeptWords::default()),
            writing: Mutex::new(()),
        })
    }

    /// The last request id the index holds (0: none).
    pub fn last(&self) -> u64 {
        self.last.load(Ordering::SeqCst)
    }

    /// Adds `docs` (requests after `last()`) in one commit, which records `up_to` as the last
    /// request indexed.
    pub fn add(&self, docs: &[RequestDoc], up_to: u64) -> Result<(), Error> {
        let _guard = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let mut writer = super::small_writer(&self.index)?;
        for d in docs {
            let number = format!("REQ-{:06} {:06} {}", d.id, d.id, d.id);
            let text = [number.as_str(), &d.service, &d.requester, &d.answers].join("\n");
            let document: TantivyDocument = doc!(
                self.id => d.id,
                self.plain => text,
                self.requester => d.requester_id,
            );
            writer.add_document(document.into())?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&up_to.to_string());
        commit.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        let live: HashSet<SegmentId> = (self.reader.searcher().segment_readers().iter())
            .map(|segment| segment.segment_id())
            .collect();
        self.lock_bounds()?
            .retain(|segment, _| live.contains(segment));
        self.last.store(up_to, Ordering::SeqCst);
        Ok(())
    }

    /// The words of `text` (folded; the last one also as a prefix) as this index holds them
    /// now: what `search` and `fewest_holding` take, so a listing that searches several
    /// windows looks its words up once, in one view of the index.
    pub fn words(&self, text: &str) -> Result<Words, Error> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let lock_kept = || self.kept_words.lock().map_err(|_| Error::Poisoned);
        {
            let kept = lock_kept()?;
            if let Some(known) = kept
                .searches
                .get(text)
                .filter(|_| kept.generation == generation)
            {
                let looked_up = Arc::clone(known);
                return Ok(Words {
                    searcher,
                    looked_up,
                });
            }
        }
        let looked_up = Arc::new(LookedUp {
            matching: self.matching_words(&searcher, text)?,
            fewest: std::sync::OnceLock::new(),
            hits: Mutex::new(HashMap::new()),
        });
        let mut kept = lock_kept()?;
        // A view older than the one kept (another search reloaded meanwhile) is not kept.
        if generation >= kept.generation {
            if generation > kept.generation || kept.searches.len() >= MOST_KEPT_SEARCHES {
                *kept = KeptWords {
                    generation,
                    searches: HashMap::new(),
                };
            }
            kept.searches
                .insert(text.to_owned(), Arc::clone(&looked_up));
        }
        Ok(Words {
            searcher,
            looked_up,
        })
    }

    /// What each word of `text` matches in `searcher`.
    fn matching_words(&self, searcher: &Searcher, text: &str) -> Result<Vec<Matching>, Error> {
        let words = self.analyzers.words(text);
        let mut matching = Vec::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            let plain = Term::from_field_text(self.plain, word);
            if i + 1 < words.len() || word.chars().count() < 2 {
                matching.push(Matching::Terms(vec![plain]));
                continue;
            }
            matching.push(match self.prefixed(searcher, word)? {
                Some(longer) => Matching::Terms([vec![plain], longer].concat()),
                // Too many words start so: an automaton over the dictionary finds them all.
                None => Matching::Prefix(plain),
            });
        }
        Ok(matching)
    }

    /// The ids of the requests holding every one of `words`, with ids in `from..before` (of
    /// `requester` only when given), newest first, at most `limit`. Ordered by id without
    /// scoring.
    ///
    /// The last word's longer forms are looked up in the dictionary and searched as terms, so
    /// that a window of ids read from the id's column drives the search: a common word costs
    /// the window, not every request holding it (an automaton would gather them all first).
    pub fn search(
        &self,
        words: &Words,
        (from, before): (u64, Option<u64>),
        requester: Option<u64>,
        limit: usize,
    ) -> Result<Vec<u64>, Error> {
        let within = match (from, before) {
            (0, None) => Within::Everything,
            (from, before) => Within::Window(from, before),
        };
        self.matching(words, within, requester, limit)
    }

    /// Which of `ids` hold every one of `words`, newest first: a listing small enough to be
    /// read whole is searched in one go.
    pub fn holding(&self, words: &Words, ids: &[u64]) -> Result<Vec<u64>, Error> {
        self.matching(words, Within::Ids(ids), None, ids.len())
    }

    fn matching(
        &self,
        words: &Words,
        within: Within<'_>,
        requester: Option<u64>,
        limit: usize,
    ) -> Result<Vec<u64>, Error> {
        // A window's hits are kept (a listing's own ids, `Within::Ids`, are not).
        let key = match within {
            Within::Everything => Some((0, None, requester, limit)),
            Within::Window(from, before) => Some((from, before, requester, limit)),
            Within::Ids(_) => None,
        };
        let kept = &words.looked_up.hits;
        if let Some(key) = &key
            && let Some(hits) = kept.lock().map_err(|_| Error::Poisoned)?.get(key)
        {
            return Ok(hits.to_vec());
        }
        let Some((query, segments)) = self.query(words, within, requester)? else {
            return Ok(Vec::new());
        };
        // The hits' ids as plain integers, the newest kept: tantivy's top-N by a fast field
        // sorts its (value, document) pairs generically, which cost more than the search.
        let weight = query.weight(EnableScoring::disabled_from_searcher(&words.searcher))?;
        let mut newest = Newest::new(limit);
        for (segment, ids) in segments {
            weight.for_each_no_score(segment, &mut |docs| ids.ids_of(docs, &mut newest))?;
        }
        let hits = newest.into_sorted();
        if let Some(key) = key {
            let mut kept = kept.lock().map_err(|_| Error::Poisoned)?;
            if kept.len() >= MOST_KEPT_HITS {
                kept.clear();
            }
            kept.insert(key, hits.as_slice().into());
        }
        Ok(hits)
    }

    /// At most how many requests hold every one of `words`: as many as hold the rarest. Cheap
    /// (the dictionary only): a caller searches a rare word everywhere at once rather than in
    /// windows.
    pub fn fewest_holding(&self, words: &Words) -> Result<u64, Error> {
        let looked_up = &words.looked_up;
        if let Some(&fewest) = looked_up.fewest.get() {
            return Ok(fewest);
        }
        let mut fewest = words.searcher.num_docs();
        for word in &looked_up.matching {
            let Matching::Terms(terms) = word else {
                continue;
            };
            let mut holding = 0;
            for term in terms {
                holding += words.searcher.doc_freq(term)?;
            }
            fewest = fewest.min(holding);
        }
        let _ = looked_up.fewest.set(fewest);
        Ok(fewest)
    }

    /// `segment`'s request ids, read once (segments never change).
    fn segment_ids(&self, segment: &SegmentReader) -> Result<Arc<SegmentIds>, Error> {
        let key = segment.segment_id();
        if let Some(known) = self.lock_bounds()?.get(&key) {
            return Ok(Arc::clone(known));
        }
        let ids = Arc::new(SegmentIds::read(segment)?);
        self.lock_bounds()?.insert(key, Arc::clone(&ids));
        Ok(ids)
    }

    fn lock_bounds(&self) -> Result<MutexGuard<'_, Bounds>, Error> {
        self.bounds.lock().map_err(|_| Error::Poisoned)
    }

    /// The indexed words longer than `word` that start with it, at most `MOST_PREFIXED` (None:
    /// more than that).
    fn prefixed(&self, searcher: &Searcher, word: &str) -> Result<Option<Vec<Term>>, Error> {
        let mut found: Vec<Term> = Vec::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.plain)?;
            let mut stream = inverted
                .terms()
                .range()
                .gt(word.as_bytes())
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(word.as_bytes()) {
                    break;
                }
                let Ok(text) = std::str::from_utf8(key) else {
                    continue;
                };
                let term = Term::from_field_text(self.plain, text);
                if !found.contains(&term) {
                    if found.len() == MOST_PREFIXED {
                        return Ok(None);
                    }
                    found.push(term);
                }
            }
        }
        Ok(Some(found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: u64, answers: &str) -> RequestDoc {
        RequestDoc {
            id,
            service: "VPN access".into(),
            requester: "Alice Durand adurand".into(),
            requester_id: id % 3,
            answers: answers.into(),
        }
    }

    fn find(
        index: &RequestIndex,
        text: &str,
        window: (u64, Option<u64>),
        limit: usize,
    ) -> Vec<u64> {
        index
            .search(&index.words(text).unwrap(), window, None, limit)
            .unwrap()
    }

    fn everything(index: &RequestIndex, text: &str) -> Vec<u64> {
        find(index, text, (0, None), 1_000)
    }

    fn fewest(index: &RequestIndex, text: &str) -> u64 {
        index.fewest_holding(&index.words(text).unwrap()).unwrap()
    }

    #[test]
    fn the_last_word_matches_longer_words_across_segments_and_the_others_whole() {
        let dir = tempfile::tempdir().unwrap();
        let index = RequestIndex::open(dir.path()).unwrap();
        index
            .add(&[request(1, "laptop"), request(2, "lapin")], 2)
            .unwrap();
        index
            .add(&[request(3, "laptops"), request(4, "chair")], 4)
            .unwrap();
        assert_eq!(everything(&index, "lap"), vec![3, 2, 1]);
        assert_eq!(everything(&index, "laptop"), vec![3, 1]);
        assert_eq!(everything(&index, "LAPTOP chair"), Vec::<u64>::new());
        assert_eq!(everything(&index, "access lap"), vec![3, 2, 1]);
        // A word before the last is matched whole.
        assert_eq!(everything(&index, "laptop vpn"), vec![1]);
        assert_eq!(everything(&index, "lap access"), Vec::<u64>::new());
        assert_eq!(everything(&index, "vp lap"), Vec::<u64>::new());
        assert_eq!(fewest(&index, "lap"), 3);
        assert_eq!(fewest(&index, "access laptop"), 2);
        assert_eq!(fewest(&index, "chair vpn"), 1);
        assert_eq!(fewest(&index, "vpn zebra"), 0);
        // One letter is matched whole only.
        assert_eq!(everything(&index, "l"), Vec::<u64>::new());
    }

    #[test]
    fn a_search_kept_from_before_sees_the_requests_indexed_since() {
        let dir = tempfile::tempdir().unwrap();
        let index = RequestIndex::open(dir.path()).unwrap();
        index.add(&[request(1, "laptop")], 1).unwrap();
        assert_eq!(everything(&index, "lap"), vec![1]);
        assert_eq!(fewest(&index, "lap"), 1);
        // A longer word never indexed before, and the same word again.
        index
            .add(&[request(2, "lapwing"), request(3, "laptop")], 3)
            .unwrap();
        assert_eq!(everything(&index, "lap"), vec![3, 2, 1]);
        assert_eq!(fewest(&index, "lap"), 3);
        assert_eq!(everything(&index, "lapw"), vec![2]);
    }

    #[test]
    fn a_windows_hits_are_kept_for_one_view_of_the_index_only() {
        let dir = tempfile::tempdir().unwrap();
        let index = RequestIndex::open(dir.path()).unwrap();
        // Requester ids are the request ids modulo 3: 1 and 4 are 1's, 2 is 2's.
        let laptops = |ids: &[u64]| {
            ids.iter()
                .map(|&id| request(id, "laptop"))
                .collect::<Vec<_>>()
        };
        index.add(&laptops(&[1, 2, 4]), 4).unwrap();
        let asked = |window, requester, limit| {
            let words = index.words("laptop").unwrap();
            let hits = index.search(&words, window, requester, limit).unwrap();
            (hits, words.looked_up.hits.lock().unwrap().len())
        };
        // Each window kept once, then found kept (the count of windows kept stays).
        for round in 0..2 {
            let kept = |n| if round == 0 { n } else { 5 };
            assert_eq!(asked((0, None), None, 10), (vec![4, 2, 1], kept(1)));
            assert_eq!(asked((0, None), Some(1), 10), (vec![4, 1], kept(2)));
            assert_eq!(asked((0, None), Some(2), 10), (vec![2], kept(3)));
            assert_eq!(asked((0, None), None, 1), (vec![4], kept(4)));
            assert_eq!(asked((2, Some(4)), None, 10), (vec![2], 5));
        }
        // Indexed since: every window is searched again.
        index.add(&laptops(&[5, 7]), 7).unwrap();
        assert_eq!(asked((0, None), None, 10), (vec![7, 5, 4, 2, 1], 1));
        assert_eq!(asked((0, None), Some(1), 10), (vec![7, 4, 1], 2));
        assert_eq!(asked((0, None), Some(2), 10), (vec![5, 2], 3));
        assert_eq!(asked((0, None), None, 1), (vec![7], 4));
        assert_eq!(asked((2, Some(6)), None, 10), (vec![5, 4, 2], 5));
        // A listing's own ids are searched each time; the windows kept stay within bounds.
        let words = index.words("laptop").unwrap();
        assert_eq!(index.holding(&words, &[7, 3, 2]).unwrap(), vec![7, 2]);
        assert_eq!(words.looked_up.hits.lock().unwrap().len(), 5);
        for from in 0..=MOST_KEPT_HITS as u64 {
            index.search(&words, (from, None), None, 10).unwrap();
            assert!(words.looked_up.hits.lock().unwrap().len() <= MOST_KEPT_HITS);
        }
    }

    #[test]
    fn more_longer_words_than_the_terms_kept_are_all_found_through_the_automaton() {
        let dir = tempfile::tempdir().unwrap();
        let index = RequestIndex::open(dir.path()).unwrap();
        let total = MOST_PREFIXED as u64 + 6;
        let docs: Vec<RequestDoc> = (1..=total)
            .map(|id| request(id, &format!("serial{id}x")))
            .collect();
        index.add(&docs, total).unwrap();
        let searcher = index.reader.searcher();
        assert_eq!(index.prefixed(&searcher, "serial").unwrap(), None);
        let found = everything(&index, "serial");
        assert_eq!(found, (1..=total).rev().collect::<Vec<_>>());
        assert_eq!(everything(&index, "serial7x"), vec![7]);
    }

    #[test]
    fn a_window_of_ids_gives_its_newest_hits_only() {
        let dir = tempfile::tempdir().unwrap();
        let index = RequestIndex::open(dir.path()).unwrap();
        let docs: Vec<RequestDoc> = (1..=300).map(|id| request(id, "sms")).collect();
        index.add(&docs[..150], 150).unwrap();
        index.add(&docs[150..], 300).unwrap();
        let newest = find(&index, "sm", (100, Some(160)), 5);
        assert_eq!(newest, vec![159, 158, 157, 156, 155]);
        let top = find(&index, "sms", (290, None), 50);
        assert_eq!(top, (290..=300).rev().collect::<Vec<_>>());
        assert_eq!(find(&index, "sms", (1, Some(3)), 5), vec![2, 1]);
        assert!(find(&index, "sms", (301, None), 5).is_empty());
        // One requester's only (every third request here).
        let words = index.words("sms").unwrap();
        let theirs = index.search(&words, (100, Some(160)), Some(1), 4).unwrap();
        assert_eq!(theirs, vec![157, 154, 151, 148]);
        let nobody = index.search(&words, (0, None), Some(7), 4).unwrap();
        assert!(nobody.is_empty());
    }

    #[test]
    fn ids_indexed_backwards_are_found_by_reading_the_column_through() {
        let dir = tempfile::tempdir().unwrap();
        let index = RequestIndex::open(dir.path()).unwrap();
        // 600 runs of one id each: more than a segment is searched by halves.
        let docs: Vec<RequestDoc> = (1..=600).rev().map(|id| request(id, "sms")).collect();
        index.add(&docs, 600).unwrap();
        let searcher = index.reader.searcher();
        let ids = index.segment_ids(&searcher.segment_readers()[0]).unwrap();
        assert!(ids.runs.len() > 256, "{} runs", ids.runs.len());
        assert_eq!(
            find(&index, "sms", (590, None), 50),
            (590..=600).rev().collect::<Vec<_>>()
        );
        assert_eq!(find(&index, "sms", (1, Some(4)), 50), vec![3, 2, 1]);
        assert_eq!(
            find(&index, "sms", (300, Some(303)), 50),
            vec![302, 301, 300]
        );
        assert!(find(&index, "sms", (601, None), 50).is_empty());
        let words = index.words("sms").unwrap();
        assert_eq!(
            index.holding(&words, &[1, 600, 300]).unwrap(),
            vec![600, 300, 1]
        );
    }

    /// Merges every segment of `index` into one, in the order given by `order` (a merge puts
    /// segments side by side in the order it is given them).
    fn merge_all(index: &RequestIndex, reversed: bool) {
        let mut ids = index.index.searchable_segment_ids().unwrap();
        if ids.len() < 2 {
            return;
        }
        if reversed {
            ids.reverse();
        }
        let mut writer: tantivy::IndexWriter<TantivyDocument> =
            index.index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.merge(&ids).wait().unwrap();
        writer.wait_merging_threads().unwrap();
        index.reader.reload().unwrap();
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Whatever order the ids were indexed in (in order, stretches out of order, or enough
        /// disorder to be read through) and however segments were merged, a window gives the
        /// ids of every request in it holding the word, newest first, or the newest so many;
        /// asked for by id, the same of those ids.
        #[test]
        fn a_window_gives_exactly_the_ids_in_it_however_they_were_indexed(
            total in 1u64..700,
            commits in 1usize..5,
            shuffle_seed in proptest::prelude::any::<u64>(),
            disorder in 0u8..3,
            merge in 0u8..3,
            windows in proptest::collection::vec((0u64..720, proptest::option::of(0u64..720)), 1..6),
            limit in 1usize..160,
        ) {
            let mut ids: Vec<u64> = (1..=total).collect();
            match disorder {
                0 => {}
                1 => {
                    let third = ids.len() / 3;
                    ids.rotate_left(third);
                }
                _ => {
                    // A fixed pseudo-random permutation from the seed.
                    let mut state = shuffle_seed | 1;
                    for i in (1..ids.len()).rev() {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        ids.swap(i, usize::try_from(state % (i as u64 + 1)).unwrap());
                    }
                }
            }
            let dir = tempfile::tempdir().unwrap();
            let index = RequestIndex::open(dir.path()).unwrap();
            let per = ids.len().div_ceil(commits);
            for part in ids.chunks(per) {
                let docs: Vec<RequestDoc> = part
                    .iter()
                    .map(|&id| {
                        let other = if id % 5 == 0 { " other" } else { "" };
                        let early = if id <= total / 4 { " early" } else { "" };
                        request(id, &format!("sms{other}{early}"))
                    })
                    .collect();
                index.add(&docs, total).unwrap();
            }
            if merge > 0 {
                merge_all(&index, merge == 2);
            }
            for (from, before) in windows {
                for (word, holds) in [("sms", 1), ("other", 5)] {
                    let mut expected: Vec<u64> = (1..=total)
                        .filter(|id| id % holds == 0)
                        .filter(|&id| id >= from && before.is_none_or(|before| id < before))
                        .collect();
                    expected.reverse();
                    let found = find(&index, word, (from, before), 1_000);
                    proptest::prop_assert_eq!(&found, &expected, "{} in {}..{:?}", word, from, before);
                    // The newest `limit` only, however many more hold it.
                    let newest = find(&index, word, (from, before), limit);
                    let first = &expected[..limit.min(expected.len())];
                    proptest::prop_assert_eq!(&newest[..], first, "{} newest {}", word, limit);
                    // The same window's every third id, asked for by id, in no order.
                    let mut asked: Vec<u64> = (from..before.unwrap_or(total + 1).min(total + 1))
                        .filter(|id| id % 3 == 0)
                        .collect();
                    let half = asked.len() / 2;
                    asked.rotate_left(half);
                    let held = index.holding(&index.words(word).unwrap(), &asked).unwrap();
                    let thirds: Vec<u64> = expected.into_iter().filter(|id| id % 3 == 0).collect();
                    proptest::prop_assert_eq!(held, thirds, "{} among {:?}", word, asked);
                }
                // The newest holding a word below `before`, anyone's or one requester's
                // (`request` makes `id % 3` the requester): a word of the oldest only too.
                let before = before.unwrap_or(total + 1);
                let early = total / 4;
                let words_held: [(&str, &dyn Fn(u64) -> bool); 3] = [
                    ("sms", &|_| true),
                    ("other", &|id| id % 5 == 0),
                    ("early", &|id| id <= early),
                ];
                for (word, holds) in words_held {
                    let words = index.words(word).unwrap();
                    for requester in [None, Some(0), Some(2)] {
                        let expected = (1..before.min(total + 1))
                            .rev()
                            .find(|&id| holds(id) && requester.is_none_or(|r| id % 3 == r));
                        let found = index.newest_below(&words, before, requester).unwrap();
                        proptest::prop_assert_eq!(found, expected, "{} below {} of {:?}", word, before, requester);
                    }
                }
            }
        }
    }

    #[test]
    fn an_index_of_the_schema_before_the_requester_is_rebuilt_from_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = Schema::builder();
        let id = builder.add_u64_field("id", INDEXED | FAST);
        let options = crate::search::text_options(analysis::PLAIN, IndexRecordOption::Basic);
        let plain = builder.add_text_field("text_plain", options);
        let index = Index::create_in_dir(dir.path(), builder.build()).unwrap();
        register(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer
            .add_document(doc!(id => 1u64, plain => "sms"))
            .unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload("1");
        commit.commit().unwrap();
        drop(writer);
        let reopened = RequestIndex::open(dir.path()).unwrap();
        assert_eq!(reopened.last(), 0, "caught up again from the first request");
        assert!(everything(&reopened, "sms").is_empty());
    }
}
