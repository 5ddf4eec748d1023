//! Owns redb: opening the store file, migrations, and typed reads and writes of every entity.
//!
//! Architecture invariant: only this module names redb and postcard. One use case is one write
//! transaction (`Store::write`); it commits with immediate durability before the caller answers.

mod backup;
mod batch;
mod catalog;
mod catalog_records;
mod migrations;
mod records;
mod request_records;
mod requests;
mod sessions;
mod tables;
mod teams;
mod users;

use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable, WriteTransaction};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use migrations::SCHEMA_VERSION;
pub use requests::Listing;

/// The store file's name inside the data directory.
pub const FILE_NAME: &str = "guichet.redb";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the data file {0} is in use by another Guichet process; stop it first (a running \
         server also offers backups at /admin/backup)"
    )]
    Locked(PathBuf),
    #[error("the data file {path} is damaged or is not a Guichet store: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "the data file was written by a newer Guichet (schema {found}, this version knows up to \
         {known}); upgrade Guichet or restore a backup"
    )]
    NewerSchema { found: u64, known: u64 },
    #[error("a stored {table} record cannot be read: {reason}")]
    Decode { table: &'static str, reason: String },
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
}

/// A consistent snapshot for reading; cheap to open.
pub struct Reader {
    txn: ReadTransaction,
}

/// The one write transaction of a use case. Dropped without commit, it changes nothing.
pub struct Writer {
    txn: WriteTransaction,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings it to the current schema.
    /// `cache_bytes` bounds redb's page cache, which otherwise grows with the file.
    pub fn open(path: &Path, cache_bytes: usize) -> Result<Store, Error> {
        Self::open_with(path, cache_bytes, migrations::MIGRATIONS)
    }

    fn open_with(
        path: &Path,
        cache_bytes: usize,
        steps: &[migrations::Migration],
    ) -> Result<Store, Error> {
        let db = Database::builder()
            .set_cache_size(cache_bytes)
            .create(path)
            .map_err(|e| open_error(path, e))?;
        let store = Store {
            db: Arc::new(db),
            path: path.to_owned(),
            batcher: Mutex::new(None),
        };
        migrations::run(&store.db, steps)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn read(&self) -> Result<Reader, Error> {
        Ok(Reader {
            txn: self.db.begin_read()?,
        })
    }

    /// Runs `f` in one write transaction and commits durably when it returns `Ok`; an `Err`
    /// aborts the transaction so that a refused use case changes nothing.
    pub fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Writer) -> Result<T, E>,
    ) -> Result<T, E> {
        let writer = Writer {
            txn: self.db.begin_write().map_err(Error::from)?,
        };
        let value = f(&writer)?;
        writer.txn.commit().map_err(Error::from)?;
        Ok(value)
    }

    /// Like `write`, but concurrent callers share one durable commit (group commit): the hot
    /// path of request submission and workflow actions. `f` may run twice (when another job of
    /// its batch is refused), so it must not consume what it captured.
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
                let started = batch::start(Arc::clone(&self.db)).map_err(|source| Error::Io {
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

    /// Verifies redb's checksums and that every record decodes. Needs exclusive access.
    pub fn check(&mut self) -> Result<CheckReport, Error> {
        let db = Arc::get_mut(&mut self.db)
            .ok_or_else(|| Error::Db("the store is in use by its writer".into()))?;
        let intact = db
            .check_integrity()
            .map_err(|e| open_error(&self.path, e))?;
        if !intact {
            return Err(Error::Corrupt {
                path: self.path.clone(),
                reason: "checksums do not match; the file was repaired in memory only".into(),
            });
        }
        let reader = self.read()?;
        Ok(CheckReport {
            schema_version: migrations::current_version(&reader.txn)?,
            users: reader.users()?.len(),
            teams: reader.teams()?.len(),
            sessions: reader.count_sessions()?,
        })
    }

    /// Writes a consistent copy of the store to `dest`. The copy is taken from one read snapshot
    /// table by table, so it can run while the server is answering.
    pub fn backup_to(&self, dest: &Path) -> Result<(), Error> {
        if dest.exists() {
            return Err(Error::Io {
                path: dest.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "refusing to overwrite an existing file",
                ),
            });
        }
        let copy = Database::builder()
            .set_cache_size(16 << 20)
            .create(dest)
            .map_err(|e| open_error(dest, e))?;
        let reader = self.read()?;
        backup::copy_all(&reader.txn, &copy)?;
        Ok(())
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

/// What `guichet check` reports.
#[derive(Debug)]
pub struct CheckReport {
    pub schema_version: u64,
    pub users: usize,
    pub teams: usize,
    pub sessions: u64,
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

impl Writer {
    /// Hands out the next id of a sequence. Ids start at 1 and are never reused.
    pub fn next_id(&self, sequence: &str) -> Result<u64, Error> {
        self.next_ids(sequence, 1)
    }

    /// Hands out `n` consecutive ids of a sequence; answers the first.
    pub fn next_ids(&self, sequence: &str, n: u64) -> Result<u64, Error> {
        let mut table = self.txn.open_table(tables::SEQUENCES)?;
        let first = table.get(sequence)?.map_or(0, |v| v.value()) + 1;
        table.insert(sequence, first + n.saturating_sub(1))?;
        Ok(first)
    }
}

#[cfg(test)]
mod request_tests;
#[cfg(test)]
mod tests;
