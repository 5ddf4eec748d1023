//! The store's journal: a durable commit costs one sequential write and flush instead of a
//! flush of every page it changed, wherever those pages lie in the store file.
//!
//! redb writes a commit's pages copy on write, scattered over the file, then asks its storage
//! to sync. On a disk like this machine's, a flush after 54 scattered pages (a commit of 16
//! submissions) takes 2–4 ms; the same bytes written side by side, over a file written once
//! already, flush in about 0.6 ms (`benches/disk.sh`, benches/README.md). `Journaled` is redb's
//! own file storage with one change: every write also goes to the journal, and redb's sync
//! flushes the journal only. The store file is flushed in the background each time the journal
//! fills one of its two segments (a checkpoint), and when the store is closed.
//!
//! Recovery (`settle`, before redb opens the file): after a crash the store file holds every
//! write up to the last checkpoint, and any subset of those after it; the journal holds, in
//! order, every write from before that checkpoint up to the last sync. Replayed in order onto
//! the file, it leaves each page it names as it was at the last sync and every other page as
//! it was: a state redb's own crash model allows (writes not yet synced may or may not have
//! reached the disk), from which redb's recovery goes on as after any crash. A closed store
//! has no journal.
//!
//! A segment holds groups, one per sync, each starting on a 4 KiB page: `GJ01`, the sequence
//! number (u64), the writes (`1`, offset u64, length u32, bytes; or, for a write that ends in
//! zeros, `4`, offset u64, length u32, kept u32, its first `kept` bytes: the rest are zeros)
//! and length changes (`2`, length u64), then `3` and a CRC-32 of everything from `GJ01` on,
//! then zeros to the end of the page. Half of what redb writes for a submission is the zeros
//! that end its pages (a page's free room), so the journal leaves them out. The kind `4` came
//! after `1`: an earlier version stops at a group holding one, so a journal is read by the
//! version that wrote it or a later one. Numbers are little-endian. Segments are written
//! around the page cache where the file system allows it (`journal_direct.rs`); otherwise,
//! once flushed, a group's pages are dropped from the cache. A segment is written over from
//! its start once a checkpoint covers it, so older bytes may follow its last group: a chain of
//! groups stops at the first one that is not whole, fails its checksum or does not follow the
//! one before.

use redb::backends::FileBackend;
use redb::{BackendError, StorageBackend};
use std::fs::File;
use std::io;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

const MAGIC: &[u8; 4] = b"GJ01";
const WRITE: u8 = 1;
const SET_LEN: u8 = 2;
const END: u8 = 3;
const ZERO_TAIL: u8 = 4;

/// A segment is checkpointed and the other one taken once it holds this much, unless the
/// store is opened with another size (`journal_mb`, for `serve`). A checkpoint's flush holds
/// up the journal's own flushes that share the disk with it, the longer the more the store
/// file changed since the last one: with segments of 16 MiB, one every 0.3 s under durable
/// submissions, their p99 was 3–3.7 times their median; with 2 MiB, 2.2–2.4 times, at the
/// same rate and for a tenth more bytes written (`benches/README.md`).
pub(super) const SEGMENT_BYTES: u64 = (crate::config::DEFAULT_JOURNAL_MB as u64) << 20;
/// Groups start on a page of the segment and fill their last page with zeros, so that every
/// write to a segment is of whole pages: written over, a page the cache has dropped (below)
/// is never read back first.
const PAGE: usize = 4096;

#[path = "journal_direct.rs"]
mod direct;
use direct::{Buffer, Segment};

/// The journal's two segments beside the store file.
pub(super) fn segment_paths(store: &Path) -> [PathBuf; 2] {
    ["0", "1"].map(|n| {
        let mut name = store.as_os_str().to_owned();
        name.push(format!(".journal.{n}"));
        PathBuf::from(name)
    })
}

/// redb's file storage, each sync made durable through the journal.
#[derive(Debug)]
pub(super) struct Journaled {
    inner: FileBackend,
    /// The store file again, for checkpoints.
    store: File,
    dir: PathBuf,
    paths: [PathBuf; 2],
    capacity: u64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    segments: [Option<Segment>; 2],
    current: usize,
    /// Where the next group starts in the current segment.
    at: u64,
    /// Bytes of the open group already in the segment, after `at`.
    written: u64,
    buffer: Buffer,
    crc: crc32fast::Hasher,
    seq: u64,
    /// The flush of the store file that covers the segment not in use.
    checkpoint: Option<JoinHandle<io::Result<()>>>,
    /// A write to the journal failed: where its next group would start is not known.
    failed: bool,
}

impl Journaled {
    /// Wraps the store `file` at `path`, whose journal must have been settled.
    pub(super) fn new(file: File, path: &Path, capacity: u64) -> io::Result<Journaled> {
        let store = file.try_clone()?;
        let inner = FileBackend::new(file).map_err(io::Error::other)?;
        Ok(Journaled {
            inner,
            store,
            dir: parent(path).to_owned(),
            paths: segment_paths(path),
            capacity,
            state: Mutex::new(State::default()),
        })
    }

    /// The journal's state, unless one of its writes failed: then nothing more is written
    /// and the store is not closed as if all went well, so that the next start replays
    /// what was flushed.
    fn state(&self) -> io::Result<std::sync::MutexGuard<'_, State>> {
        let state = self
            .state
            .lock()
            .map_err(|_| io::Error::other("the journal's lock is poisoned"))?;
        if state.failed {
            return Err(io::Error::other(
                "an earlier write to the store's journal failed; restart the server",
            ));
        }
        Ok(state)
    }

    /// Adds `bytes` to the open group, opening it first if needed.
    fn append(&self, state: &mut State, bytes: &[&[u8]]) -> io::Result<()> {
        if state.written == 0 && state.buffer.is_empty() {
            state.seq += 1;
            state.crc = crc32fast::Hasher::new();
            let seq = state.seq.to_le_bytes();
            self.push(state, &[MAGIC, &seq])?;
        }
        self.push(state, bytes)
    }

    /// Adds `bytes` to the checksum and the group.
    fn push(&self, state: &mut State, bytes: &[&[u8]]) -> io::Result<()> {
        for part in bytes {
            state.crc.update(part);
            self.put(state, part)?;
        }
        Ok(())
    }

    /// Adds `bytes` to the group, writing the buffer out each time it fills.
    fn put(&self, state: &mut State, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            bytes = &bytes[state.buffer.take(bytes)?..];
            if state.buffer.is_full() {
                self.spill(state)?;
            }
        }
        Ok(())
    }

    /// Writes the buffer to the current segment: whole pages, since it is written only when
    /// full or padded.
    fn spill(&self, state: &mut State) -> io::Result<()> {
        let current = state.current;
        if state.segments[current].is_none() {
            state.segments[current] = Some(self.create_segment(current)?);
        }
        let Some(segment) = &mut state.segments[current] else {
            return Err(io::Error::other("the journal segment is not open"));
        };
        let bytes = state.buffer.bytes();
        segment.write(bytes, state.at + state.written)?;
        state.written += bytes.len() as u64;
        state.buffer.clear();
        Ok(())
    }

    fn create_segment(&self, n: usize) -> io::Result<Segment> {
        let segment = Segment::create(&self.paths[n])?;
        // The segment's name must outlive a crash as much as its bytes.
        sync_dir(&self.dir)?;
        Ok(segment)
    }

    /// Closes the open group and flushes it: what redb's sync asks for.
    fn commit(&self, state: &mut State) -> io::Result<()> {
        if state.written == 0 && state.buffer.is_empty() {
            return Ok(());
        }
        self.push(state, &[&[END]])?;
        let crc = std::mem::take(&mut state.crc).finalize().to_le_bytes();
        self.put(state, &crc)?;
        state.buffer.pad();
        self.spill(state)?;
        if let Some(segment) = &state.segments[state.current] {
            segment.flush(state.at, state.written)?;
        }
        state.at += state.written;
        state.written = 0;
        if state.at >= self.capacity {
            self.rotate(state)?;
        }
        Ok(())
    }

    /// Starts a flush of the store file, which covers every group of the current segment, and
    /// goes on in the other segment once the flush that covers it has finished.
    fn rotate(&self, state: &mut State) -> io::Result<()> {
        let waited = std::time::Instant::now();
        if let Some(done) = state.checkpoint.take() {
            done.join()
                .map_err(|_| io::Error::other("the checkpoint thread panicked"))??;
        }
        tracing::debug!(waited = ?waited.elapsed(), "journal rotation");
        let store = self.store.try_clone()?;
        state.checkpoint = Some(
            std::thread::Builder::new()
                .name("guichet-checkpoint".into())
                .spawn(move || {
                    let started = std::time::Instant::now();
                    let flushed = store.sync_data();
                    tracing::debug!(took = ?started.elapsed(), "checkpoint");
                    flushed
                })?,
        );
        state.current = 1 - state.current;
        state.at = 0;
        // A segment that one large commit (a migration, a restore's first start) made much
        // longer than the others is cut back: its groups are all covered by a checkpoint.
        if let Some(segment) = &state.segments[state.current]
            && segment.file.metadata()?.len() > 2 * self.capacity
        {
            segment.file.set_len(0)?;
        }
        Ok(())
    }

    /// Flushes the store file, then drops the journal: a closed store needs none.
    fn checkpoint_and_drop(&self) -> io::Result<()> {
        let mut state = self.state()?;
        if let Some(done) = state.checkpoint.take() {
            done.join()
                .map_err(|_| io::Error::other("the checkpoint thread panicked"))??;
        }
        self.store.sync_data()?;
        state.segments = [None, None];
        let newer = state.current;
        remove_segments([&self.paths[1 - newer], &self.paths[newer]], &self.dir)?;
        Ok(())
    }
}

/// Writes all of `bytes` at `offset` in `file`.
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
    }
    #[cfg(windows)]
    {
        let (mut bytes, mut offset) = (bytes, offset);
        while !bytes.is_empty() {
            let n = std::os::windows::fs::FileExt::seek_write(file, bytes, offset)?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            bytes = &bytes[n..];
            offset += n as u64;
        }
        Ok(())
    }
}

/// `result`, the journal marked failed if it is an error.
fn failing(state: &mut State, result: io::Result<()>) -> io::Result<()> {
    state.failed |= result.is_err();
    result
}

/// The length of `bytes` as a journal record holds it.
fn journaled_len(bytes: &[u8]) -> io::Result<u32> {
    u32::try_from(bytes.len())
        .map_err(|_| io::Error::other("a write of 4 GiB or more cannot be journaled"))
}

/// `data` without the zeros it ends with, looked for a word at a time.
fn without_zero_tail(data: &[u8]) -> &[u8] {
    let mut end = data.len();
    while end >= 8 && data[end - 8..end] == [0; 8] {
        end -= 8;
    }
    while end > 0 && data[end - 1] == 0 {
        end -= 1;
    }
    &data[..end]
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Removes the segments of a journal whose every group the store file holds, the older one
/// (by its groups) first, each removal made durable before the next: should the newer one
/// outlive a crash, replaying it again changes nothing, where the older one alone would take
/// pages back to before the newer one's groups. Answers whether there was any.
fn remove_segments(older_first: [&Path; 2], dir: &Path) -> io::Result<bool> {
    let mut removed = false;
    for path in older_first {
        match std::fs::remove_file(path) {
            Ok(()) => {
                sync_dir(dir)?;
                removed = true;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

impl StorageBackend for Journaled {
    fn len(&self) -> Result<u64, io::Error> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), io::Error> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        let mut state = self.state()?;
        self.inner.set_len(len)?;
        let appended = self.append(&mut state, &[&[SET_LEN], &len.to_le_bytes()]);
        failing(&mut state, appended)
    }

    fn sync_data(&self) -> Result<(), io::Error> {
        let mut state = self.state()?;
        let committed = self.commit(&mut state);
        failing(&mut state, committed)
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        let length = journaled_len(data)?;
        let mut state = self.state()?;
        self.inner.write(offset, data)?;
        let (offset, length) = (offset.to_le_bytes(), length.to_le_bytes());
        let kept = without_zero_tail(data);
        let appended = if kept.len() == data.len() {
            self.append(&mut state, &[&[WRITE], &offset, &length, data])
        } else {
            let kept_len = journaled_len(kept)?.to_le_bytes();
            self.append(
                &mut state,
                &[&[ZERO_TAIL], &offset, &length, &kept_len, kept],
            )
        };
        failing(&mut state, appended)
    }

    fn close(&self) -> Result<(), io::Error> {
        let flushed = self.checkpoint_and_drop();
        let closed = self.inner.close();
        flushed.and(closed)
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

#[path = "journal_replay.rs"]
mod replay;
#[cfg(test)]
use replay::{Change, Group, chain, older_first, to_replay};
pub(super) use replay::{discard_orphan, replay_onto, settle};

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
