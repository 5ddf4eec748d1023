//! What a search of the request index looks for: the query for some words among a window's
//! requests, and the newest request below an id that holds them, found by halving windows.

use super::super::Error;
use super::super::id_window::DocRanges;
use super::{Matching, RequestIndex, Segments, Within, Words};
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::Term;
use tantivy::query::{BooleanQuery, EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

impl RequestIndex {
    /// Whether any request of `from..before` holds every one of `words` (and is
    /// `requester`'s): tantivy answers it by seeking to the first, without visiting the rest.
    fn holds_any(
        &self,
        words: &Words,
        (from, before): (u64, u64),
        requester: Option<u64>,
    ) -> Result<bool, Error> {
        let within = Within::Window(from, Some(before));
        let Some((query, segments)) = self.query(words, within, requester)? else {
            return Ok(false);
        };
        let weight = query.weight(EnableScoring::disabled_from_searcher(&words.searcher))?;
        for (segment, _) in segments {
            if weight.scorer(segment, 1.0)?.doc() != tantivy::TERMINATED {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The newest request below `before` holding every one of `words` (and `requester`'s),
    /// found by halving `0..before` with `holds_any`: a listing whose last window held none
    /// goes on from there, rather than searching ever wider windows whose last one visits
    /// every older hit (a word of old requests only, below many newer ones without it, cost
    /// 9 ms a page with 100,000 requests).
    pub fn newest_below(
        &self,
        words: &Words,
        before: u64,
        requester: Option<u64>,
    ) -> Result<Option<u64>, Error> {
        /// Narrow enough to be searched at once.
        const NARROW: u64 = 256;
        let (mut from, mut to) = (0, before);
        if !self.holds_any(words, (from, to), requester)? {
            return Ok(None);
        }
        // `from..to` holds one, and nothing from `to` up to `before` does.
        while to - from > NARROW {
            let middle = from + (to - from) / 2;
            if self.holds_any(words, (middle, to), requester)? {
                from = middle;
            } else {
                to = middle;
            }
        }
        let hits = self.matching(words, Within::Window(from, Some(to)), requester, 1)?;
        Ok(hits.first().copied())
    }

    /// The query for `words` among the requests `within` (and `requester`'s), with the segments
    /// it is to look in; `None` when nothing can match.
    pub(super) fn query<'s>(
        &self,
        words: &'s Words,
        within: Within<'_>,
        requester: Option<u64>,
    ) -> Result<Option<(BooleanQuery, Segments<'s>)>, Error> {
        if words.looked_up.matching.is_empty() {
            return Ok(None);
        }
        let searcher = &words.searcher;
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words.looked_up.matching {
            let any: Vec<(Occur, Box<dyn Query>)> = match word {
                Matching::Terms(terms) => terms
                    .iter()
                    .map(|term| -> (Occur, Box<dyn Query>) {
                        let query = TermQuery::new(term.clone(), IndexRecordOption::Basic);
                        (Occur::Should, Box::new(query))
                    })
                    .collect(),
                Matching::Prefix(term) => vec![(
                    Occur::Should,
                    Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)),
                )],
            };
            all.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        // Only the segments holding ids of the window: the others would each open their id
        // column for nothing. The window's documents are found in each by binary search.
        let (least, most) = match within {
            Within::Everything => (0, u64::MAX),
            Within::Window(from, before) => {
                (from, before.map_or(u64::MAX, |b| b.saturating_sub(1)))
            }
            Within::Ids(ids) => match (ids.iter().min(), ids.iter().max()) {
                (Some(&least), Some(&most)) => (least, most),
                _ => return Ok(None),
            },
        };
        let mut segments = Vec::new();
        let mut documents = HashMap::new();
        for segment in searcher.segment_readers() {
            let ids = self.segment_ids(segment)?;
            if ids.most < least || ids.least > most {
                continue;
            }
            let docs = match within {
                Within::Everything => None,
                Within::Window(from, before) => Some(ids.within(from, before)),
                Within::Ids(wanted) => Some(ids.holding(wanted)),
            };
            if let Some(docs) = docs {
                documents.insert(segment.segment_id(), docs);
            }
            segments.push((segment, ids));
        }
        if !matches!(within, Within::Everything) {
            all.push((Occur::Must, Box::new(DocRanges(Arc::new(documents)))));
        }
        if let Some(requester) = requester {
            let theirs = Term::from_field_u64(self.requester, requester);
            let theirs = TermQuery::new(theirs, IndexRecordOption::Basic);
            all.push((Occur::Must, Box::new(theirs)));
        }
        Ok(Some((BooleanQuery::new(all), segments)))
    }
}
