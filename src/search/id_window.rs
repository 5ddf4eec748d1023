//! The documents of a segment whose request ids lie in a window, found by binary search rather
//! than by reading the id column from the segment's start.
//!
//! Requests are indexed in the order of their ids, so a segment's documents hold increasing
//! ids, except where a merge put segments side by side in another order: a segment is a few
//! stretches ("runs") of increasing ids. tantivy's range query on the id column reads every
//! value from the first document up to the window (most of a large segment for the newest
//! ids); here each run is searched by halves, and the window's documents are handed to the
//! search as ranges (`DocRanges`). A segment of many runs (ids indexed out of order) is read
//! through once instead, which costs what the range query did.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use tantivy::columnar::{Cardinality, Column};
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

/// Above this many runs a segment's window is found by reading its ids through.
const MOST_RUNS: usize = 256;
/// Ids read from the column at a time when its runs are found.
const CHUNK: u32 = 4096;

/// A segment's request ids: its column, the least and greatest, and its runs.
pub(super) struct SegmentIds {
    column: Column<u64>,
    pub(super) least: u64,
    pub(super) most: u64,
    /// Stretches of documents whose ids increase, in document order; empty when some
    /// document has no id (never so for requests, but then every window is read through).
    pub(super) runs: Vec<Run>,
    max_doc: DocId,
}

/// Documents whose ids increase, from `ids.start()` to `ids.end()`.
pub(super) struct Run {
    docs: Range<DocId>,
    ids: std::ops::RangeInclusive<u64>,
}

impl SegmentIds {
    /// Reads `segment`'s ids once (segments never change).
    pub(super) fn read(segment: &SegmentReader) -> tantivy::Result<SegmentIds> {
        let column = segment.fast_fields().u64("id")?;
        let max_doc = segment.max_doc();
        let mut runs = Vec::new();
        if column.get_cardinality() == Cardinality::Full {
            let mut ids = vec![0u64; CHUNK as usize];
            // The run being read: its first document and id, and its last id so far.
            let mut open: Option<(DocId, u64, u64)> = None;
            let mut doc = 0;
            while doc < max_doc {
                let n = CHUNK.min(max_doc - doc);
                let ids = &mut ids[..n as usize];
                column.values.get_range(u64::from(doc), ids);
                for (at, &id) in (doc..).zip(ids.iter()) {
                    open = match open {
                        Some((start, first, last)) if id > last => Some((start, first, id)),
                        Some((start, first, last)) => {
                            runs.push(Run {
                                docs: start..at,
                                ids: first..=last,
                            });
                            Some((at, id, id))
                        }
                        None => Some((at, id, id)),
                    };
                }
                doc += n;
            }
            if let Some((start, first, last)) = open {
                runs.push(Run {
                    docs: start..max_doc,
                    ids: first..=last,
                });
            }
        }
        Ok(SegmentIds {
            least: column.min_value(),
            most: column.max_value(),
            column,
            runs,
            max_doc,
        })
    }

    /// The documents holding an id in `from..before` (`before` none: no upper bound), as
    /// ranges in increasing order.
    pub(super) fn within(&self, from: u64, before: Option<u64>) -> Vec<Range<DocId>> {
        let below_end = |id: u64| before.is_none_or(|before| id < before);
        let Some(runs) = self.by_halves() else {
            return self.read_through(|id| id >= from && below_end(id));
        };
        let id = |doc: DocId| self.column.values.get_val(doc);
        runs.iter()
            .filter(|run| *run.ids.end() >= from && below_end(*run.ids.start()))
            .filter_map(|run| {
                // A run whose ids all lie on one side of a bound needs no search for it: with
                // a hundred runs, every window searched each by halves.
                let start = if *run.ids.start() >= from {
                    run.docs.start
                } else {
                    first_where(&run.docs, |doc| id(doc) >= from)
                };
                let end = if below_end(*run.ids.end()) {
                    run.docs.end
                } else {
                    first_where(&run.docs, |doc| !below_end(id(doc)))
                };
                (start < end).then_some(start..end)
            })
            .collect()
    }

    /// The documents holding one of `ids` (in any order), as ranges in increasing order: each
    /// id is looked up by halves in each run.
    pub(super) fn holding(&self, ids: &[u64]) -> Vec<Range<DocId>> {
        let Some(runs) = self.by_halves() else {
            let wanted: std::collections::HashSet<u64> = ids.iter().copied().collect();
            return self.read_through(|id| wanted.contains(&id));
        };
        let id = |doc: DocId| self.column.values.get_val(doc);
        let mut docs: Vec<DocId> = Vec::new();
        for &wanted in ids {
            for run in runs.iter().filter(|run| run.ids.contains(&wanted)) {
                let doc = first_where(&run.docs, |doc| id(doc) >= wanted);
                if doc < run.docs.end && id(doc) == wanted {
                    docs.push(doc);
                    break;
                }
            }
        }
        docs.sort_unstable();
        docs.dedup();
        ranges_of(docs)
    }

    /// The ids of `docs` (documents of this segment) into `newest`.
    pub(super) fn ids_of(&self, docs: &[DocId], newest: &mut Newest) {
        if self.column.get_cardinality() == Cardinality::Full {
            let at = newest.ids.len();
            newest.ids.resize(at + docs.len(), 0);
            self.column.values.get_vals(docs, &mut newest.ids[at..]);
        } else {
            (newest.ids).extend(docs.iter().filter_map(|&doc| self.column.first(doc)));
        }
        newest.keep_bounded();
    }

    /// The runs, unless there are too many (or none) to search by halves.
    fn by_halves(&self) -> Option<&[Run]> {
        (!self.runs.is_empty() && self.runs.len() <= MOST_RUNS).then_some(self.runs.as_slice())
    }

    /// The documents whose id `keeps`, reading every id of the segment.
    fn read_through(&self, keeps: impl Fn(u64) -> bool) -> Vec<Range<DocId>> {
        ranges_of((0..self.max_doc).filter(|&doc| self.column.first(doc).is_some_and(&keeps)))
    }
}

/// The greatest `limit` ids of those given, gathered as plain integers: cut down to `limit`
/// whenever twice as many are held, sorted once at the end.
pub(super) struct Newest {
    limit: usize,
    ids: Vec<u64>,
}

impl Newest {
    /// At least one is kept.
    pub(super) fn new(limit: usize) -> Newest {
        Newest {
            limit: limit.max(1),
            ids: Vec::new(),
        }
    }

    fn keep_bounded(&mut self) {
        if self.ids.len() >= 2 * self.limit.max(64) {
            self.cut();
        }
    }

    fn cut(&mut self) {
        if self.ids.len() > self.limit {
            self.ids
                .select_nth_unstable_by(self.limit - 1, |a, b| b.cmp(a));
            self.ids.truncate(self.limit);
        }
    }

    /// The ids kept, greatest first.
    pub(super) fn into_sorted(mut self) -> Vec<u64> {
        self.cut();
        self.ids.sort_unstable_by(|a, b| b.cmp(a));
        self.ids
    }
}

/// Increasing documents as ranges, neighbours joined.
fn ranges_of(docs: impl IntoIterator<Item = DocId>) -> Vec<Range<DocId>> {
    let mut ranges: Vec<Range<DocId>> = Vec::new();
    for doc in docs {
        match ranges.last_mut() {
            Some(last) if last.end == doc => last.end = doc + 1,
            _ => ranges.push(doc..doc + 1),
        }
    }
    ranges
}

/// The first document of `run` for which `holds`, which once true stays true (`run.end` if
/// none).
fn first_where(run: &Range<DocId>, holds: impl Fn(DocId) -> bool) -> DocId {
    let (mut low, mut high) = (run.start, run.end);
    while low < high {
        let middle = low + (high - low) / 2;
        if holds(middle) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    low
}

/// A query matching, in each segment, the documents of the ranges given for it (none in a
/// segment it does not name).
#[derive(Clone, Debug)]
pub(super) struct DocRanges(pub(super) Arc<HashMap<SegmentId, Vec<Range<DocId>>>>);

impl DocRanges {
    fn of(&self, segment: &SegmentReader) -> &[Range<DocId>] {
        self.0.get(&segment.segment_id()).map_or(&[], Vec::as_slice)
    }
}

impl Query for DocRanges {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for DocRanges {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(RangesScorer::new(self.of(reader).to_vec())))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.of(reader).iter().any(|range| range.contains(&doc)) {
            Ok(Explanation::new("request id in the window", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} is outside the window"
            )))
        }
    }
}

/// The documents of increasing, disjoint ranges, one by one.
struct RangesScorer {
    ranges: Vec<Range<DocId>>,
    at: usize,
    doc: DocId,
    size: u32,
}

impl RangesScorer {
    fn new(ranges: Vec<Range<DocId>>) -> RangesScorer {
        let size = ranges.iter().map(|range| range.end - range.start).sum();
        let mut scorer = RangesScorer {
            ranges,
            at: 0,
            doc: 0,
            size,
        };
        scorer.doc = scorer.from(0);
        scorer
    }

    /// The first document at or after `target`, which becomes the current one.
    fn from(&mut self, target: DocId) -> DocId {
        while let Some(range) = self.ranges.get(self.at) {
            if target < range.end {
                self.doc = target.max(range.start);
                return self.doc;
            }
            self.at += 1;
        }
        self.doc = TERMINATED;
        TERMINATED
    }
}

impl DocSet for RangesScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.from(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        self.from(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.size
    }
}

impl Scorer for RangesScorer {
    fn score(&mut self) -> Score {
        1.0
    }
}
