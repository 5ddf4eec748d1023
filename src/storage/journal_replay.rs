//! Reading the journal back: the chains of whole groups in its segments, which of them to
//! replay, replaying them onto the store file or a copy, and removing the journal after.

use super::{
    END, MAGIC, PAGE, SET_LEN, WRITE, ZERO_TAIL, parent, remove_segments, segment_paths, write_at,
};
use std::fs::File;
use std::io;
use std::path::Path;

/// One change a group makes to the store file.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Change<'a> {
    /// At an offset, bytes then as many zeros.
    Write(u64, &'a [u8], usize),
    SetLen(u64),
}

/// A whole group of a segment.
#[derive(Debug)]
pub(super) struct Group<'a> {
    pub(super) seq: u64,
    pub(super) changes: Vec<Change<'a>>,
}

/// The groups of a segment that follow one another from its start, each on a new page.
pub(super) fn chain(segment: &[u8]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut at = 0;
    while let Some((group, end)) = group_at(segment, at) {
        if groups.last().is_some_and(|last| group.seq != last.seq + 1) {
            break;
        }
        groups.push(group);
        at = end.next_multiple_of(PAGE);
    }
    groups
}

/// The group starting at `at`, if it is whole and its checksum holds, and where the next one
/// starts.
fn group_at(segment: &[u8], at: usize) -> Option<(Group<'_>, usize)> {
    let mut cursor = Cursor { bytes: segment, at };
    if cursor.take(4)? != MAGIC {
        return None;
    }
    let seq = cursor.u64()?;
    let mut changes = Vec::new();
    loop {
        match cursor.take(1)?[0] {
            WRITE => {
                let offset = cursor.u64()?;
                let length = usize::try_from(cursor.u32()?).ok()?;
                changes.push(Change::Write(offset, cursor.take(length)?, 0));
            }
            ZERO_TAIL => {
                let offset = cursor.u64()?;
                let length = usize::try_from(cursor.u32()?).ok()?;
                let kept = usize::try_from(cursor.u32()?).ok()?;
                let zeros = length.checked_sub(kept)?;
                changes.push(Change::Write(offset, cursor.take(kept)?, zeros));
            }
            SET_LEN => changes.push(Change::SetLen(cursor.u64()?)),
            END => break,
            _ => return None,
        }
    }
    let summed = &segment[at..cursor.at];
    let crc = cursor.u32()?;
    (crc32fast::hash(summed) == crc).then_some((Group { seq, changes }, cursor.at))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let taken = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(taken)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

/// The groups to replay, oldest first: the newer segment's chain, after the older one's if
/// that one leads up to it (the older one may be needed: its checkpoint may not have ended).
pub(super) fn to_replay<'a>(mut chains: Vec<Vec<Group<'a>>>) -> Vec<Group<'a>> {
    chains.retain(|chain| !chain.is_empty());
    chains.sort_by_key(|chain| chain[0].seq);
    let mut replay: Vec<Group<'a>> = Vec::new();
    for chain in chains {
        let follows = replay
            .last()
            .is_some_and(|last| last.seq + 1 == chain[0].seq);
        if !follows {
            replay.clear();
        }
        replay.extend(chain);
    }
    replay
}

/// Replays the journal of the store at `store` onto `target` (the store itself, or a copy of
/// it) and flushes it; answers how many groups were replayed. The journal is left as it is.
pub(in crate::storage) fn replay_onto(store: &Path, target: &Path) -> io::Result<usize> {
    let segments = read_segments(store)?;
    replay(segments.iter().map(|s| chain(s)).collect(), target)
}

/// The segments of the journal of `store`, empty where there is none.
fn read_segments(store: &Path) -> io::Result<[Vec<u8>; 2]> {
    let mut segments = [Vec::new(), Vec::new()];
    for (bytes, path) in segments.iter_mut().zip(segment_paths(store)) {
        match std::fs::read(&path) {
            Ok(read) => *bytes = read,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(segments)
}

fn replay(chains: Vec<Vec<Group<'_>>>, target: &Path) -> io::Result<usize> {
    let groups = to_replay(chains);
    if groups.is_empty() {
        return Ok(0);
    }
    let file = File::options().write(true).open(target)?;
    for group in &groups {
        for change in &group.changes {
            match change {
                Change::Write(offset, bytes, zeros) => {
                    write_at(&file, bytes, *offset)?;
                    if *zeros > 0 {
                        write_at(&file, &vec![0; *zeros], *offset + bytes.len() as u64)?;
                    }
                }
                Change::SetLen(len) => file.set_len(*len)?,
            }
        }
    }
    file.sync_all()?;
    Ok(groups.len())
}

/// Replays the journal left by a crash onto the store file and removes it; answers how many
/// groups were replayed. The caller holds the store's lock.
pub(in crate::storage) fn settle(store: &Path) -> io::Result<usize> {
    let segments = read_segments(store)?;
    let chains: Vec<_> = segments.iter().map(|s| chain(s)).collect();
    let paths = segment_paths(store);
    let [older, newer] = older_first(&chains).map(|n| paths[n].as_path());
    let replayed = replay(chains, store)?;
    remove_segments([older, newer], parent(store))?;
    Ok(replayed)
}

/// Removes a journal left where there is no store file (removed by hand after a crash):
/// it belongs to no store, and replayed onto a new or restored one it would damage it.
/// Answers whether there was one.
pub(in crate::storage) fn discard_orphan(store: &Path) -> io::Result<bool> {
    let paths = segment_paths(store);
    remove_segments([&paths[0], &paths[1]], parent(store))
}

/// The segments' numbers, the one whose chain starts earlier (or is empty) first.
pub(super) fn older_first(chains: &[Vec<Group<'_>>]) -> [usize; 2] {
    let first = |n: usize| chains.get(n).and_then(|c| c.first()).map_or(0, |g| g.seq);
    if first(1) < first(0) { [1, 0] } else { [0, 1] }
}
