//! Owns tantivy: the index of active services under `<data>/search/`, derived from redb and
//! rebuildable at any time. Queries are built from the user's words, never parsed as syntax.
//!
//! Architecture invariant: only this module names tantivy. The index records, in its commit
//! payload, the catalog version it reflects; a mismatch at start-up means stale, and it is
//! rebuilt.

mod analysis;
mod id_window;
mod requests;
mod snippet;

pub use requests::{RequestDoc, RequestIndex, Words};
pub use snippet::{Snippet, snippet};

use analysis::{Analyzers, register};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {reason}")]
    Directory { path: PathBuf, reason: String },
    #[error("search index lock poisoned")]
    Poisoned,
}

/// What the index knows of a service.
#[derive(Debug, Clone)]
pub struct ServiceDoc {
    pub id: u64,
    pub name: String,
    pub keywords: String,
    /// "Équipement › Poste de travail".
    pub category_path: String,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub id: u64,
    pub score: f32,
}

/// The searchable text fields, each indexed three ways: French stems, English stems, and plain
/// folded words (for typos and prefixes). The weights order the fields as DESIGN §3 asks:
/// name ≫ keywords > category path > description.
const FIELDS: [(&str, f32); 4] = [
    ("name", 8.0),
    ("keywords", 3.0),
    ("category", 2.0),
    ("description", 1.0),
];

#[derive(Clone, Copy)]
struct TextField {
    fr: Field,
    en: Field,
    plain: Field,
    weight: f32,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    id: Field,
    texts: [TextField; 4],
    analyzers: Analyzers,
    /// Serialises writers: tantivy allows one at a time.
    writing: Mutex<()>,
}

/// An indexed, unstored text field cut by `tokenizer`, keeping `record` of each term.
fn text_options(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

fn schema() -> (Schema, Field, [TextField; 4]) {
    let mut builder = Schema::builder();
    // A fast field: reading a hit's id must not decompress stored documents.
    let id = builder.add_u64_field("id", INDEXED | FAST);
    let options = |tokenizer| text_options(tokenizer, IndexRecordOption::WithFreqsAndPositions);
    let texts = FIELDS.map(|(name, weight)| TextField {
        fr: builder.add_text_field(&format!("{name}_fr"), options(analysis::FRENCH)),
        en: builder.add_text_field(&format!("{name}_en"), options(analysis::ENGLISH)),
        plain: builder.add_text_field(&format!("{name}_plain"), options(analysis::PLAIN)),
        weight,
    });
    (builder.build(), id, texts)
}

fn directory_error(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Directory {
        path: dir.to_owned(),
        reason: e.to_string(),
    }
}

/// Opens the index in `dir` when it has `schema` and passes `check`; otherwise (missing,
/// damaged, of an older version) makes an empty one there. Answers it and whether it is new.
fn open_or_create(
    dir: &Path,
    schema: Schema,
    what: &str,
    check: impl Fn(&Index) -> Result<(), Error>,
) -> Result<(Index, bool), Error> {
    let existing = MmapDirectory::open(dir)
        .map_err(|e| directory_error(dir, e))
        .and_then(|d| Ok(Index::open(d)?))
        .and_then(|index| {
            if index.schema() != schema {
                return Err(directory_error(dir, "schema of an older version"));
            }
            check(&index).map(|()| index)
        });
    match existing {
        Ok(index) => Ok((index, false)),
        Err(reason) => {
            if dir.exists() {
                tracing::warn!(
                    "{what} at {} unusable ({reason}); rebuilding it",
                    dir.display()
                );
                std::fs::remove_dir_all(dir).map_err(|e| directory_error(dir, e))?;
            } else {
                tracing::info!("no {what} yet at {}; building it", dir.display());
            }
            std::fs::create_dir_all(dir).map_err(|e| directory_error(dir, e))?;
            Ok((Index::create_in_dir(dir, schema)?, true))
        }
    }
}

/// A document handed to tantivy's writer in a box. The writer's queue is a channel of 10,000
/// batches of up to four documents, made whole when the writer is: with tantivy's document
/// (about 120 bytes) 5 MB written at each of our commits, with a box 0.8 MB.
pub(crate) struct Boxed(Box<TantivyDocument>);

impl From<TantivyDocument> for Boxed {
    fn from(document: TantivyDocument) -> Boxed {
        Boxed(Box::new(document))
    }
}

impl tantivy::Document for Boxed {
    type Value<'a> = <TantivyDocument as tantivy::Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as tantivy::Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.0.iter_fields_and_values()
    }

    fn into_tantivy_document(self) -> TantivyDocument {
        *self.0
    }
}

/// tantivy's smallest indexing arena (`MEMORY_BUDGET_NUM_BYTES_MIN`, not exported).
const SMALLEST_ARENA: usize = 15_000_000;

/// A writer for one commit: one indexing thread and tantivy's smallest arena (its minimum),
/// taking boxed documents. Made per commit and dropped after it, so an idle server holds none.
fn small_writer(index: &Index) -> Result<IndexWriter<Boxed>, Error> {
    Ok(index.writer_with_num_threads(1, SMALLEST_ARENA)?)
}

/// A reader that sees a commit once it is told to reload.
fn manual_reader(index: &Index) -> Result<IndexReader, Error> {
    Ok(index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?)
}

/// Removes the index in `dir`, for a restored store whose catalog it no longer reflects; the
/// next start builds it anew.
pub fn remove_index(dir: &Path) -> Result<(), Error> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(directory_error(dir, e)),
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, or makes an empty one when it is missing or unreadable.
    /// Answers the index and the catalog version it reflects (`None`: rebuild it).
    pub fn open(dir: &Path) -> Result<(SearchIndex, Option<u64>), Error> {
        // Reading every segment once detects damaged files now rather than at the first query.
        let readable = |index: &Index| -> Result<(), Error> {
            manual_reader(index)?
                .searcher()
                .search(&tantivy::query::AllQuery, &tantivy::collector::Count)?;
            Ok(())
        };
        let (index, fresh) = open_or_create(dir, schema().0, "search index", readable)?;
        let version = match fresh {
            true => None,
            false => index.load_metas()?.payload.and_then(|p| p.parse().ok()),
        };
        Ok((Self::from_index(index)?, version))
    }

    fn from_index(index: Index) -> Result<SearchIndex, Error> {
        let analyzers = register(&index);
        let (_, id, texts) = schema();
        let reader = manual_reader(&index)?;
        Ok(SearchIndex {
            index,
            reader,
            id,
            texts,
            analyzers,
            writing: Mutex::new(()),
        })
    }

    fn document(&self, service: &ServiceDoc) -> TantivyDocument {
        let mut document = doc!(self.id => service.id);
        let values = [
            &service.name,
            &service.keywords,
            &service.category_path,
            &service.description,
        ];
        for (field, value) in self.texts.iter().zip(values) {
            document.add_text(field.fr, value);
            document.add_text(field.en, value);
            document.add_text(field.plain, value);
        }
        document
    }

    /// Replaces every document: `services` are the active services, `version` the catalog
    /// version they come from.
    pub fn rebuild(&self, services: &[ServiceDoc], version: u64) -> Result<(), Error> {
        self.write(version, |writer| {
            writer.delete_all_documents()?;
            for service in services {
                writer.add_document(self.document(service).into())?;
            }
            Ok(())
        })
    }

    /// Adds or replaces one service (`Some`), or removes it (`None` with its id).
    pub fn upsert(&self, id: u64, service: Option<&ServiceDoc>, version: u64) -> Result<(), Error> {
        self.write(version, |writer| {
            writer.delete_term(Term::from_field_u64(self.id, id));
            if let Some(service) = service {
                writer.add_document(self.document(service).into())?;
            }
            Ok(())
        })
    }

    fn write(
        &self,
        version: u64,
        change: impl FnOnce(&mut IndexWriter<Boxed>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let _guard = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let mut writer = small_writer(&self.index)?;
        change(&mut writer)?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&version.to_string());
        commit.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The best `limit` services for what the user typed. `typing` means the last word may be
    /// unfinished (search as you type), so it also matches as a prefix.
    pub fn search(&self, text: &str, limit: usize, typing: bool) -> Result<Vec<Hit>, Error> {
        let words = self.analyzers.words(text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let last = i + 1 == words.len();
            clauses.push((
                Occur::Should,
                Box::new(self.word_query(word, last && typing)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let ids = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("id")?;
            if let Some(id) = ids.first(address.doc_id) {
                hits.push(Hit { id, score });
            }
        }
        Ok(hits)
    }

    /// One word of the query, matched in every field: by French or English stem, by the folded
    /// word with typo tolerance (words of 4+ letters), and by prefix when it is being typed.
    fn word_query(&self, word: &str, prefix: bool) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let boost = |query: Box<dyn Query>, weight: f32| -> (Occur, Box<dyn Query>) {
            (Occur::Should, Box::new(BoostQuery::new(query, weight)))
        };
        let stems = [self.analyzers.stem_fr(word), self.analyzers.stem_en(word)];
        let length = word.chars().count();
        for field in &self.texts {
            for (stem, target) in stems.iter().zip([field.fr, field.en]) {
                if let Some(stem) = stem {
                    let term = Term::from_field_text(target, stem);
                    clauses.push(boost(
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                        field.weight,
                    ));
                }
            }
            // Typos and prefixes are looked for in the short fields only: the description's large
            // vocabulary would cost the most and rank the least.
            if field.weight <= 1.0 {
                continue;
            }
            let term = Term::from_field_text(field.plain, word);
            if length >= 4 {
                let distance = if length >= 8 { 2 } else { 1 };
                clauses.push(boost(
                    Box::new(FuzzyTermQuery::new(term.clone(), distance, true)),
                    field.weight * 0.5,
                ));
            }
            if prefix && length >= 2 {
                clauses.push(boost(
                    Box::new(FuzzyTermQuery::new_prefix(term, 0, true)),
                    field.weight * 0.6,
                ));
            }
        }
        BooleanQuery::new(clauses)
    }

    /// The words the index sees in `text` (folded, lower-cased), for highlighting.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.analyzers.words(text)
    }

    /// Size of the index on disk, in bytes.
    pub fn disk_size(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }
}
