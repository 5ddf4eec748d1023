//! What a search of the request index looks for: the query for some words among a window's
//! requests, and the newest request below an id that holds them, found by halving windows.

use super::super::Error;
use super::super::id_window::DocRanges;
use super::{Matching, RequestIndex, Segments, Within, Words};
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::query::{BooleanQuery, EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED, Term};

impl RequestIndex {
    /// The newest request below `before` holding every one of `words` (and `requester`'s),
    /// found by halving `0..before`, each half asked only whether it holds one: a listing whose
    /// last window held none goes on from there, rather than searching ever wider windows whose
    /// last one visits every older hit (a word of old requests only, below 50,000 newer ones
    /// without it, cost 8.4 million instructions a page).
    pub fn newest_below(
        &self,
        words: &Words,
        before: u64,
        requester: Option<u64>,
    ) -> Result<Option<u64>, Error> {
        /// Narrow enough to be searched at once.
        const NARROW: u64 = 256;
        let Some((query, segments)) = self.query(words, Within::Everything, requester)? else {
            return Ok(None);
        };
        // The words' weight is made once; each half only seeks their documents in each segment
        // to the half's ranges of documents.
        let weight = query.weight(EnableScoring::disabled_from_searcher(&words.searcher))?;
        let holds_any = |from: u64, to: u64| -> Result<bool, Error> {
            for (segment, ids) in &segments {
                if ids.most < from || ids.least >= to {
                    continue;
                }
                let ranges = ids.within(from, Some(to));
                if ranges.is_empty() {
                    continue;
                }
                let mut docs = weight.scorer(segment, 1.0)?;
                for range in ranges {
                    let doc = match docs.doc() {
                        doc if doc >= range.start => doc,
                        _ => docs.seek(range.start),
                    };
                    if doc == TERMINATED {
                        break;
                    }
                    if doc < range.end {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        };
        let (mut from, mut to) = (0, before);
        if !holds_any(from, to)? {
            return Ok(None);
        }
        // `from..to` holds one, and nothing from `to` up to `before` does.
        while to - from > NARROW {
            let middle = from + (to - from) / 2;
            if holds_any(middle, to)? {
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
