//! The store file itself: opening it without ever creating one by mistake, verifying it
//! (redb's checksums, then every record of every table), and putting a backup in its place.
//!
//! Invariant: a command that refuses a file changes nothing: no directory, file or record is
//! created, and the file is not migrated.

use super::{Error, journal, migrations, open_error, registry};
use crate::domain::SessionKind;
use redb::{Database, ReadableDatabase};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// When opening a store reads every record first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    Always,
    /// Only when redb had to recover the file from an unclean shutdown.
    AfterUncleanShutdown,
}

/// How a command opens the store.
#[derive(Debug, Clone, Copy)]
pub struct Opening {
    /// Only `serve` and `user add` create a store where none exists.
    pub create: bool,
    pub verify: Verify,
    /// Bring the file to the current schema; `check` and `backup` read it as it is.
    pub migrate: bool,
    /// Bounds redb's page cache, which otherwise grows with the file.
    pub cache_bytes: usize,
    /// Each of the journal's two segments (`journal.rs`).
    pub journal_bytes: u64,
}

/// What verifying a store found: its schema and the entries of each table.
#[derive(Debug)]
pub struct CheckReport {
    pub schema_version: u64,
    pub tables: Vec<(String, u64)>,
}

impl CheckReport {
    pub fn entries(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|(name, _)| name == table)
            .map_or(0, |(_, n)| *n)
    }
}

pub fn open(path: &Path, opening: Opening) -> Result<Database, Error> {
    let exists = existing_file(path)?;
    if !exists && !opening.create {
        return Err(Error::Missing(path.to_owned()));
    }
    // Verified on a copy, so that a refused file is left exactly as it was: redb writes to a
    // file it opens for writing, if only to record its free pages when it closes.
    let verified = exists && opening.verify == Verify::Always;
    let mut replayed = 0;
    if exists {
        // Nothing else may use the file or its journal while the journal is replayed.
        let _lock = lock(path)?;
        if verified {
            verify_locked(path)?;
        }
        replayed = journal::settle(path).map_err(io(path))?;
        if replayed > 0 {
            tracing::warn!(
                commits = replayed,
                "{} was not closed: its journal was replayed into it",
                path.display()
            );
        }
    } else {
        discard_orphan_journal(path)?;
    }
    let recovered = Arc::new(AtomicBool::new(replayed > 0));
    let open_db = || -> Result<Database, Error> {
        let repaired = Arc::clone(&recovered);
        let mut builder = Database::builder();
        builder
            .set_cache_size(opening.cache_bytes)
            .set_repair_callback(move |_| repaired.store(true, Ordering::Relaxed));
        let file = std::fs::File::options()
            .read(true)
            .write(true)
            .create(!exists)
            .truncate(false)
            .open(path)
            .map_err(io(path))?;
        let storage =
            journal::Journaled::new(file, path, opening.journal_bytes).map_err(io(path))?;
        let db = builder
            .create_with_backend(storage)
            .map_err(|e| open_error(path, e))?;
        refuse_newer(&db)?;
        Ok(db)
    };
    let mut db = open_db()?;
    if recovered.load(Ordering::Relaxed) && !verified {
        // redb has just repaired the file in place; read every record before trusting it.
        tracing::warn!(
            "{} was not closed cleanly; verifying every record",
            path.display()
        );
        verify(&mut db, path)?;
        // That read every record through the store's cache, which would stay full while
        // the server idles: closed, cleanly now, and opened again, the store starts with
        // its cache empty, as after any clean stop.
        drop(db);
        db = open_db()?;
    }
    Ok(db)
}

/// The file system error `source` met on `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_owned();
    move |source| Error::Io { path, source }
}

fn discard_orphan_journal(store: &Path) -> Result<(), Error> {
    if journal::discard_orphan(store).map_err(io(store))? {
        tracing::warn!(
            "{} is missing but its journal was there; the journal was removed",
            store.display()
        );
    }
    Ok(())
}

/// Verifies a copy of the store at `path`, made beside it while holding the file's lock (a
/// running server holds it too, so this refuses a store in use).
fn verify_copy(path: &Path) -> Result<CheckReport, Error> {
    let _lock = lock(path)?;
    verify_locked(path)
}

/// Verifies a copy of the store at `path`, with the journal a crash left replayed onto the
/// copy; the caller holds the file's lock.
fn verify_locked(path: &Path) -> Result<CheckReport, Error> {
    let copy = TempCopy::of(path, "verify")?;
    journal::replay_onto(path, &copy.0).map_err(io(path))?;
    let mut db = Database::builder()
        .set_cache_size(16 << 20)
        .open(&copy.0)
        .map_err(|e| open_error(path, e))?;
    refuse_newer(&db)?;
    verify(&mut db, path)
}

/// A copy of a store beside it, removed when dropped.
struct TempCopy(PathBuf);

impl TempCopy {
    fn of(path: &Path, purpose: &str) -> Result<TempCopy, Error> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let copy = TempCopy(dir.join(format!(".{purpose}-{}.redb", std::process::id())));
        std::fs::copy(path, &copy.0).map_err(|source| Error::Io {
            path: copy.0.clone(),
            source,
        })?;
        Ok(copy)
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Whether `path` holds a store; an empty file is refused, never re-initialised.
fn existing_file(path: &Path) -> Result<bool, Error> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() == 0 => Err(Error::Corrupt {
            path: path.to_owned(),
            reason: "the file is empty (0 bytes), so it holds no data (to start afresh \
                     instead, remove the empty file)"
                .into(),
        }),
        Ok(meta) if meta.is_dir() => Err(Error::Corrupt {
            path: path.to_owned(),
            reason: "it is a directory".into(),
        }),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

fn refuse_newer(db: &Database) -> Result<u64, Error> {
    let version = migrations::current_version(&db.begin_read()?)?;
    let known = migrations::SCHEMA_VERSION;
    if version > known {
        return Err(Error::NewerSchema {
            found: version,
            known,
        });
    }
    Ok(version)
}

/// redb's own integrity check (every page's checksum), then every record of every table
/// decoded. Needs the only handle on the file, with no transaction open.
pub fn verify(db: &mut Database, path: &Path) -> Result<CheckReport, Error> {
    match db.check_integrity() {
        Ok(true) => {}
        Ok(false) => {
            return Err(Error::Corrupt {
                path: path.to_owned(),
                reason: "checksums do not match (redb repaired what it could in place)".into(),
            });
        }
        Err(e) => return Err(open_error(path, e)),
    }
    let schema_version = refuse_newer(db)?;
    let read = registry::verify_all(&db.begin_read()?)?;
    if !read.problems.is_empty() {
        return Err(Error::Damaged {
            path: path.to_owned(),
            problems: read.problems,
        });
    }
    Ok(CheckReport {
        schema_version,
        tables: read.entries,
    })
}

/// `guichet check`: verifies the store at `path` as it is, on a copy: the file itself is
/// neither migrated nor written.
pub fn check(path: &Path) -> Result<CheckReport, Error> {
    if !existing_file(path)? {
        return Err(Error::Missing(path.to_owned()));
    }
    verify_copy(path)
}

/// Where the replaced store is kept by a restore.
pub fn before_restore_path(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(".before-restore");
    PathBuf::from(name)
}

/// `guichet restore`: verifies a copy of `from` beside the store, then puts it in the store's
/// place, keeping the replaced store as `guichet.redb.before-restore`. The restored file is
/// migrated at the next start. Web sessions and API sign-in tokens in the restored file are
/// dropped, and its outbox is held until an admin resumes it. Answers the verified report of the restored file.
pub fn restore(from: &Path, store: &Path) -> Result<CheckReport, Error> {
    let data_dir = store.parent().unwrap_or(Path::new("."));
    if !data_dir.is_dir() {
        return Err(Error::Missing(data_dir.to_owned()));
    }
    let kept = before_restore_path(store);
    if kept.exists() {
        return Err(Error::Io {
            path: kept,
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a store kept by an earlier restore is in the way; move it elsewhere first",
            ),
        });
    }
    // Refuse a store in use: a running server holds the file's lock. The current store is not
    // read otherwise: replacing a damaged store is what a restore is for.
    let _lock = lock(store)?;
    let staged = data_dir.join(".restore.redb");
    let _ = std::fs::remove_file(&staged);
    let staged_result = stage(from, &staged);
    let report = match staged_result {
        Ok(report) => report,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    if store.exists() {
        // The replaced store's journal goes into it first: left beside the restored file, it
        // would be replayed onto it at the next start.
        journal::settle(store).map_err(io(store))?;
        std::fs::rename(store, &kept).map_err(io(store))?;
    } else {
        discard_orphan_journal(store)?;
    }
    std::fs::rename(&staged, store).map_err(io(store))?;
    std::fs::File::open(data_dir)
        .and_then(|dir| dir.sync_all())
        .map_err(io(data_dir))?;
    Ok(report)
}

/// Copies `from` to `staged`, verifies the copy and drops its sign-ins; the original backup
/// file is only read.
fn stage(from: &Path, staged: &Path) -> Result<CheckReport, Error> {
    existing_file(from)?;
    std::fs::copy(from, staged).map_err(|source| Error::Io {
        path: from.to_owned(),
        source,
    })?;
    let mut db = Database::builder()
        .set_cache_size(16 << 20)
        .open(staged)
        .map_err(|e| open_error(from, e))?;
    refuse_newer(&db)?;
    let report = verify(&mut db, from)?;
    super::write_in(&db, |writer| {
        writer.purge_sessions(|session| session.kind != SessionKind::Personal)?;
        // Mails the copy still held as pending may have left since it was taken: they wait
        // for an admin to resume sending.
        writer.hold_outbox(true)?;
        // The old copy's approval links must not decide anything any more.
        writer.drop_mail_link_key()
    })?;
    drop(db);
    std::fs::File::open(staged)
        .and_then(|f| f.sync_all())
        .map_err(|source| Error::Io {
            path: staged.to_owned(),
            source,
        })?;
    Ok(report)
}

/// Takes the lock redb takes on the store file, if there is one, so that no server runs on it
/// while it is replaced.
fn lock(store: &Path) -> Result<Option<std::fs::File>, Error> {
    let file = match std::fs::File::open(store) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                path: store.to_owned(),
                source,
            });
        }
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked(store.to_owned())),
        Err(std::fs::TryLockError::Error(source)) => Err(Error::Io {
            path: store.to_owned(),
            source,
        }),
    }
}

impl Opening {
    /// An existing store, read as it is.
    pub fn existing(verify: Verify) -> Opening {
        Opening {
            create: false,
            verify,
            migrate: false,
            cache_bytes: 16 << 20,
            journal_bytes: journal::SEGMENT_BYTES,
        }
    }
}
