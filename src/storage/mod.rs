//! Owns redb: opening the store file, migrations, and typed reads and writes of every entity.
//!
//! Architecture invariant: only this module names redb and postcard. One use case is one write
//! transaction (`Store::write`); it commits with immediate durability before the caller answers.

mod audit;
mod batch;
mod catalog;
mod catalog_records;
mod codes;
mod file;
mod jobs;
mod journal;
mod kept;
mod migrations;
mod notifications;
mod outbox;
pub use audit::AuditFilter;
pub use outbox::notice_bit;
mod records;
mod registry;
mod request_records;
mod requests;
mod rollups;
mod sequences;
mod sessions;
mod sla;
mod sla_records;
mod summary_records;
mod tables;
mod teams;
mod users;

use redb::{Database, ReadTransaction, ReadableDatabase, WriteTransaction};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use file::{CheckReport, Opening, Verify, before_restore_path, check, restore};
pub use migrations::SCHEMA_VERSION;
pub use requests::{Listing, Summaries};
pub use rollups::zone_mark;
pub use sla::DueKind;

/// The store file's name inside the data directory.
pub const FILE_NAME: &str = "guichet.redb";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the data file {0} is in use by another Guichet process; stop it first (a running \
         server also offers backups at /admin/backup)"
    )]
    Locked(PathBuf),
    #[error(
        "the data file {path} is damaged or is not a Guichet store: {reason}. Restore a backup \
         with `guichet restore --from FILE`"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "no store at {0}; check the data directory (--data or GUICHET_DATA): only `guichet \
         serve` and `guichet user add` create a store"
    )]
    Missing(PathBuf),
    #[error(
        "the data file {path} is damaged: {} record(s) cannot be read. Restore a \
         backup with `guichet restore --from FILE`:\n  {}",
        problems.len(),
        problems.join("\n  ")
    )]
    Damaged {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error(
        "the store holds tables this version does not know ({}); it was written by a newer \
         Guichet",
        .0.join(", ")
    )]
    UnknownTables(Vec<String>),
    #[error(
        "the data file was written by a newer Guichet (schema {found}, this version knows up to \
         {known}); upgrade Guichet or restore a backup"
    )]
    NewerSchema { found: u64, known: u64 },
    #[error("a stored {table} record{} cannot be read: {reason}", key_label(.key))]
    Decode {
        table: String,
        /// The record's key as text; empty until the reader that knows it adds it.
        key: String,
        reason: String,
    },
    #[error("a record cannot be encoded: {0}")]
    Encode(String),
    #[error("storage failure: {0}")]
    Db(String),
    #[error("file system error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn key_label(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!(" (key {key})")
    }
}

/// A binary key (a token hash) as it appears in decode errors: its first bytes in hex.
fn hex_key(bytes: &[u8]) -> String {
    let shown: String = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{shown}…")
}

/// A `(id, sequence)` key as it appears in decode errors.
fn pair_key<A: std::fmt::Display, B: std::fmt::Display>(key: (A, B)) -> String {
    pair(key).to_string()
}

/// A composite key as messages name it, `(a, b)`, written out only when a message is: a
/// request's events are decoded with their key at hand on every request page, and formatting
/// each key up front was 5 % of that page's instructions.
fn pair<A, B>((a, b): (A, B)) -> Pair<A, B> {
    Pair(a, b)
}

struct Pair<A, B>(A, B);

impl<A: std::fmt::Display, B: std::fmt::Display> std::fmt::Display for Pair<A, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}, {})", self.0, self.1)
    }
}

macro_rules! db_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::Db(e.to_string())
            }
        }
    )*};
}
db_error_from!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

pub struct Store {
    db: Arc<Database>,
    path: PathBuf,
    /// The group-commit writer, started at the first batched write; joined on drop so that the
    /// file is closed when the store is.
    batcher: Mutex<Option<(batch::Queue, std::thread::JoinHandle<()>)>>,
    /// Counts the commits of this store, bumped after each one and before its caller hears of
    /// it: what was read at a generation is current while the generation stays the same.
    generation: Arc<std::sync::atomic::AtomicU64>,
}

/// A consistent snapshot for reading; cheap to open. The tables it reads through `kept.rs`
/// stay open until it is dropped.
pub struct Reader {
    txn: ReadTransaction,
    kept: kept::ReadKept,
    /// The store's generation just before the transaction began: what it sees is at least
    /// that recent.
    generation: u64,
}

/// The one write transaction of a use case (or of a batch of them), lent to it with the tables
/// it opened kept open (`kept.rs`). Dropped without `finish`, it changes nothing; the owner of
/// the transaction commits it after `finish`.
pub struct Writer<'t> {
    txn: &'t WriteTransaction,
    kept: kept::Kept<'t>,
    /// Notifications to mail, queued by the jobs and turned into mails together just before
    /// the commit (`outbox.rs`): one pass over the tables however many jobs share the commit.
    notices: outbox::Noticed,
    /// Notifications added per user, counted as unread together before the commit.
    unread: notifications::Added,
    /// Where the sequences it took ids from stopped, written once before the commit.
    issued: sequences::Issued,
    /// What it added to the metrics roll-ups, by row, written once before the commit.
    rollups: rollups::Pending,
}

impl<'t> Writer<'t> {
    fn new(txn: &'t WriteTransaction) -> Writer<'t> {
        Writer {
            txn,
            kept: kept::Kept::default(),
            notices: Default::default(),
            unread: Default::default(),
            issued: Default::default(),
            rollups: Default::default(),
        }
    }

    /// Queues what the transaction still holds back and closes its tables: the transaction
    /// can then be committed.
    fn finish(self) -> Result<(), Error> {
        self.apply_rollups()?;
        self.count_unread()?;
        self.queue_noticed_mails()?;
        self.write_sequences()
    }
}

/// Commits durably what `f` wrote in one write transaction of `db`; an `Err` from `f` drops
/// the transaction, so that it changes nothing.
fn write_in<T, E: From<Error>>(
    db: &Database,
    f: impl FnOnce(&Writer) -> Result<T, E>,
) -> Result<T, E> {
    let txn = db.begin_write().map_err(Error::from)?;
    let value = {
        let writer = Writer::new(&txn);
        let value = f(&writer)?;
        writer.finish()?;
        value
    };
    txn.commit().map_err(Error::from)?;
    Ok(value)
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings it to the current schema,
    /// verifying every record first if the file was not closed cleanly.
    pub fn open(path: &Path, cache_bytes: usize) -> Result<Store, Error> {
        Self::open_as(
            path,
            Opening {
                create: true,
                verify: Verify::AfterUncleanShutdown,
                migrate: true,
                cache_bytes,
                journal_bytes: journal::SEGMENT_BYTES,
            },
        )
    }

    /// Opens the store at `path` as `opening` says; see `Opening`.
    pub fn open_as(path: &Path, opening: Opening) -> Result<Store, Error> {
        Self::open_with(path, opening, migrations::MIGRATIONS)
    }

    fn open_with(
        path: &Path,
        opening: Opening,
        steps: &[migrations::Migration],
    ) -> Result<Store, Error> {
        let db = file::open(path, opening)?;
        let store = Store {
            db: Arc::new(db),
            path: path.to_owned(),
            batcher: Mutex::new(None),
            generation: Arc::default(),
        };
        if opening.migrate {
            migrations::run(&store.db, steps)?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn read(&self) -> Result<Reader, Error> {
        let generation = self.generation();
        Ok(Reader {
            kept: kept::ReadKept::default(),
            txn: self.db.begin_read()?,
            generation,
        })
    }

    /// Runs `f` in one write transaction and commits durably when it returns `Ok`; an `Err`
    /// aborts the transaction so that a refused use case changes nothing.
    pub fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Writer) -> Result<T, E>,
    ) -> Result<T, E> {
        let value = write_in(&self.db, f)?;
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(value)
    }

    /// How many commits this store has seen since it was opened; read it before a snapshot.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Like `write`, but concurrent callers share one durable commit (group commit): the hot
    /// path of request submission and workflow actions. `f` may run more than once (when
    /// another job of its batch is refused), so it must not consume what it captured.
    pub async fn write_batched<T, E>(
        &self,
        f: impl FnMut(&Writer) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Box::new(batch::Pending {
            f,
            outcome: None,
            reply,
        });
        let queue = {
            let mut guard = self
                .batcher
                .lock()
                .map_err(|_| Error::Db("the writer lock is poisoned".into()))?;
            if guard.is_none() {
                let started = batch::start(Arc::clone(&self.db), Arc::clone(&self.generation))
                    .map_err(|source| Error::Io {
                        path: self.path.clone(),
                        source,
                    })?;
                *guard = Some(started);
            }
            guard.as_ref().map(|(queue, _)| queue.clone())
        };
        let queue = queue.ok_or_else(|| Error::Db("the writer is not running".into()))?;
        // The queue is bounded: a full queue makes this caller wait, which is back-pressure.
        queue
            .send(job)
            .await
            .map_err(|_| Error::Db("the writer stopped".into()))?;
        answer
            .await
            .map_err(|_| E::from(Error::Db("the writer stopped".into())))?
    }

    /// Writes a consistent copy of the store to `dest`, which must not exist, and answers its
    /// size. The copy is taken from one read snapshot through the table registry, so it can run
    /// while the server is answering; sign-ins are left out (`registry::tables`). The time and
    /// size are kept in the store for the admin page.
    pub fn backup_to(&self, dest: &Path, now: i64) -> Result<u64, Error> {
        let io = |source| Error::Io {
            path: dest.to_owned(),
            source,
        };
        // `create_new` refuses an existing file and reserves the name.
        std::fs::File::create_new(dest).map_err(io)?;
        let copied = (|| {
            let copy = Database::builder()
                .set_cache_size(2 << 20)
                .create(dest)
                .map_err(|e| open_error(dest, e))?;
            let reader = self.read()?;
            registry::copy_all(&reader.txn, &copy)
        })();
        if let Err(e) = copied {
            let _ = std::fs::remove_file(dest);
            return Err(e);
        }
        let bytes = std::fs::metadata(dest).map_err(io)?.len();
        self.write(|w| w.record_backup(now, bytes))?;
        Ok(bytes)
    }
}

impl Reader {
    /// The store's generation when this reader began: a commit acknowledged before then is
    /// among what it sees.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.batcher.lock()
            && let Some((queue, thread)) = guard.take()
        {
            drop(queue);
            let _ = thread.join();
        }
    }
}

fn open_error(path: &Path, e: redb::DatabaseError) -> Error {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen | redb::DatabaseError::LockProtocolMismatch => {
            Error::Locked(path.to_owned())
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(source))
            if source.kind() != std::io::ErrorKind::InvalidData =>
        {
            Error::Io {
                path: path.to_owned(),
                source,
            }
        }
        other => Error::Corrupt {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    }
}

/// The `meta` keys of the last backup.
const LAST_BACKUP_AT: &str = "last_backup_at";
const LAST_BACKUP_BYTES: &str = "last_backup_bytes";

impl Writer<'_> {
    fn record_backup(&self, at: i64, bytes: u64) -> Result<(), Error> {
        let mut meta = self.meta_table()?;
        meta.insert(LAST_BACKUP_AT, u64::try_from(at).unwrap_or(0))?;
        meta.insert(LAST_BACKUP_BYTES, bytes)?;
        Ok(())
    }
}

impl Reader {
    /// When the last backup was taken (seconds since the epoch) and its size in bytes.
    pub fn last_backup(&self) -> Result<Option<(i64, u64)>, Error> {
        let meta = self.meta_table()?;
        let at = meta.get(LAST_BACKUP_AT)?.map(|v| v.value());
        let bytes = meta.get(LAST_BACKUP_BYTES)?.map(|v| v.value());
        Ok(at
            .zip(bytes)
            .map(|(at, bytes)| (i64::try_from(at).unwrap_or(0), bytes)))
    }
}

#[cfg(test)]
mod golden_sla_tests;
#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod index_tests;
#[cfg(test)]
pub(crate) mod request_read_tests;
#[cfg(test)]
pub(crate) mod request_tests;
#[cfg(test)]
mod tests;
