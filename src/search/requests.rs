//! The index of requests' words under `<data>/search-requests/`: the number, the service, the
//! requester and the answers, which never change once a request is submitted. It is kept by
//! catching up on the requests submitted since the last one it holds (its commit payload), so
//! a lost or damaged index is rebuilt by catching up from nothing.

use super::analysis::{self, Analyzers, register};
use super::{Error, manual_reader, open_or_create};
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tantivy::Order;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, Schema};
use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};

/// What the index knows of a request.
#[derive(Debug, Clone)]
pub struct RequestDoc {
    pub id: u64,
    pub service: String,
    /// The requester's name and user name.
    pub requester: String,
    /// Every answer, as text.
    pub answers: String,
}

pub struct RequestIndex {
    index: Index,
    reader: IndexReader,
    id: Field,
    plain: Field,
    analyzers: Analyzers,
    /// The last request id indexed.
    last: AtomicU64,
    writing: Mutex<()>,
}

/// Folded words only (no stems): requests are searched for names, logins, numbers and words
/// of answers, and indexing twice would cost the request path twice as much.
fn schema() -> (Schema, Field, Field) {
    let mut builder = Schema::builder();
    let id = builder.add_u64_field("id", INDEXED | FAST);
    let options = super::text_options(analysis::PLAIN, IndexRecordOption::Basic);
    let plain = builder.add_text_field("text_plain", options);
    (builder.build(), id, plain)
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
        let (_, id, plain) = schema();
        let reader = manual_reader(&index)?;
        Ok(RequestIndex {
            index,
            reader,
            id,
            plain,
            analyzers,
            last: AtomicU64::new(last),
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
        let mut writer = self.index.writer_with_num_threads(1, 15_000_000)?;
        for d in docs {
            let number = format!("REQ-{:06} {:06} {}", d.id, d.id, d.id);
            let text = [number.as_str(), &d.service, &d.requester, &d.answers].join("\n");
            let document: TantivyDocument = doc!(self.id => d.id, self.plain => text);
            writer.add_document(document)?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&up_to.to_string());
        commit.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        self.last.store(up_to, Ordering::SeqCst);
        Ok(())
    }

    /// The ids of the requests holding every word of `text` (folded; the last one also as a
    /// prefix), with ids in `from..before`, newest first, at most `limit`.
    /// Ordered by id without scoring.
    pub fn search(
        &self,
        text: &str,
        (from, before): (u64, Option<u64>),
        limit: usize,
    ) -> Result<Vec<u64>, Error> {
        let words = self.analyzers.words(text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let plain = Term::from_field_text(self.plain, word);
            any.push((
                Occur::Should,
                Box::new(TermQuery::new(plain.clone(), IndexRecordOption::Basic)),
            ));
            if i + 1 == words.len() && word.chars().count() >= 2 {
                any.push((
                    Occur::Should,
                    Box::new(FuzzyTermQuery::new_prefix(plain, 0, true)),
                ));
            }
            all.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if from > 0 || before.is_some() {
            let upper = match before {
                Some(before) => Bound::Excluded(Term::from_field_u64(self.id, before)),
                None => Bound::Unbounded,
            };
            let within =
                RangeQuery::new(Bound::Included(Term::from_field_u64(self.id, from)), upper);
            all.push((Occur::Must, Box::new(within)));
        }
        let searcher = self.reader.searcher();
        let query = BooleanQuery::new(all);
        let newest =
            TopDocs::with_limit(limit.max(1)).order_by_fast_field::<u64>("id", Order::Desc);
        let top = searcher.search(&query, &newest)?;
        Ok(top.into_iter().filter_map(|(id, _)| id).collect())
    }
}
