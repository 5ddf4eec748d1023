//! The journal: what a crash leaves is replayed up to the last sync and no further, a torn or
//! stale group ends the chain, reused segments replay in order, and a store that crashed
//! opens, checks and restores with every commit it acknowledged.

use super::*;
use crate::domain::request::{RequestId, Status};
use crate::storage::request_tests::request;
use crate::storage::{FILE_NAME, Store, before_restore_path, check, restore};

const CACHE: usize = 4 << 20;

/// A journaled file at `dir/store` holding `len` zero bytes.
fn journaled(dir: &Path, len: u64, capacity: u64) -> (PathBuf, Journaled) {
    let path = dir.join("store");
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .expect("create");
    file.set_len(len).expect("len");
    let storage = Journaled::new(file, &path, capacity).expect("journaled");
    (path, storage)
}

/// What the disk holds after a crash in which no write since the file was made reached the
/// store file itself: `len` zero bytes.
fn nothing_reached_the_file(dir: &Path, len: u64) -> PathBuf {
    let image = dir.join("image");
    File::create(&image)
        .and_then(|f| f.set_len(len))
        .expect("image");
    image
}

fn bytes_at(path: &Path, offset: u64, n: usize) -> Vec<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let mut out = vec![0; n];
    let mut file = File::open(path).expect("open");
    file.seek(SeekFrom::Start(offset)).expect("seek");
    file.read_exact(&mut out).expect("read");
    out
}

#[test]
fn a_crash_is_replayed_up_to_the_last_sync_and_no_further() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, storage) = journaled(dir.path(), 8192, SEGMENT_BYTES);
    storage.write(0, &[1; 4096]).expect("write");
    storage.set_len(16384).expect("grow");
    storage.write(12288, &[2; 10]).expect("write");
    storage.sync_data().expect("sync");
    storage.write(0, &[3; 4096]).expect("write");
    storage
        .write(4096, &[4; 4096])
        .expect("write, never synced");

    // The store file itself has every write (the page cache), its journal the synced ones.
    assert_eq!(bytes_at(&path, 4096, 1), [4]);
    let image = nothing_reached_the_file(dir.path(), 8192);
    assert_eq!(replay_onto(&path, &image).expect("replay"), 1);
    assert_eq!(std::fs::metadata(&image).expect("meta").len(), 16384);
    assert_eq!(bytes_at(&image, 0, 4096), vec![1; 4096]);
    assert_eq!(bytes_at(&image, 4096, 4096), vec![0; 4096], "never synced");
    assert_eq!(
        bytes_at(&image, 12288, 11),
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0]
    );

    // Replayed onto the file as it is, the synced value wins over the one that followed it.
    assert_eq!(replay_onto(&path, &path).expect("replay"), 1);
    assert_eq!(bytes_at(&path, 0, 1), [1]);
}

#[test]
fn a_torn_or_damaged_group_ends_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, storage) = journaled(dir.path(), 4096, SEGMENT_BYTES);
    for n in 1..=3u8 {
        storage.write(u64::from(n) * 100, &[n; 50]).expect("write");
        storage.sync_data().expect("sync");
    }
    let segment = std::fs::read(&segment_paths(&path)[0]).expect("segment");
    let seqs = |bytes: &[u8]| chain(bytes).iter().map(|g| g.seq).collect::<Vec<_>>();
    assert_eq!(seqs(&segment), [1, 2, 3]);
    assert_eq!(
        chain(&segment)[1].changes,
        [Change::Write(200, &[2; 50][..], 0)]
    );
    // Each group on a page of its own.
    assert_eq!(segment.len(), 3 * PAGE);
    // Torn: the last group's checksum is missing.
    assert_eq!(seqs(&segment[..2 * PAGE + 60]), [1, 2]);
    // Damaged: one byte of the second group's data.
    let mut damaged = segment.clone();
    damaged[PAGE + 40] ^= 0xff;
    assert_eq!(seqs(&damaged), [1]);
    // Garbage after the chain (an older group's bytes) is not a group.
    let mut stale = segment.clone();
    stale.extend_from_slice(&segment[..segment.len() / 3]);
    assert_eq!(seqs(&stale), [1, 2, 3]);
    // A group whose number does not follow ends the chain, even if whole.
    let mut reordered = segment.clone();
    reordered.extend_from_slice(&segment);
    assert_eq!(seqs(&reordered), [1, 2, 3]);
    assert_eq!(seqs(&[]), Vec::<u64>::new());
}

fn groups(seqs: std::ops::RangeInclusive<u64>) -> Vec<Group<'static>> {
    seqs.map(|seq| Group {
        seq,
        changes: Vec::new(),
    })
    .collect()
}

#[test]
fn the_older_segment_is_replayed_only_when_it_leads_up_to_the_newer() {
    let seqs = |chains: Vec<Vec<Group<'static>>>| {
        to_replay(chains).iter().map(|g| g.seq).collect::<Vec<_>>()
    };
    assert_eq!(seqs(vec![groups(5..=6), groups(1..=4)]), [1, 2, 3, 4, 5, 6]);
    assert_eq!(seqs(vec![groups(1..=2), groups(5..=6)]), [5, 6]);
    assert_eq!(seqs(vec![groups(1..=2), Vec::new()]), [1, 2]);
    assert_eq!(seqs(vec![Vec::new(), Vec::new()]), Vec::<u64>::new());
}

#[test]
fn after_a_failed_write_the_journal_takes_no_more_and_is_kept_for_the_next_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Each sync fills its segment; the second segment cannot be made.
    let (path, storage) = journaled(dir.path(), 4096, 1);
    std::fs::create_dir(&segment_paths(&path)[1]).expect("in the way");
    storage.write(0, &[1; 10]).expect("write");
    storage.sync_data().expect("the first group");
    storage.write(0, &[2; 10]).expect("gathered");
    assert!(
        storage.sync_data().is_err(),
        "the second group has no segment"
    );
    assert!(storage.write(0, &[3; 10]).is_err());
    assert!(storage.sync_data().is_err());
    assert!(storage.close().is_err(), "not closed as if all went well");
    assert!(segment_paths(&path)[0].exists());
    std::fs::remove_dir(&segment_paths(&path)[1]).expect("out of the way");
    let image = nothing_reached_the_file(dir.path(), 4096);
    assert_eq!(replay_onto(&path, &image).expect("replay"), 1);
    assert_eq!(bytes_at(&image, 0, 11), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
}

#[test]
fn the_older_segment_is_removed_first() {
    assert_eq!(older_first(&[groups(5..=6), groups(1..=4)]), [1, 0]);
    assert_eq!(older_first(&[groups(1..=4), groups(5..=6)]), [0, 1]);
    assert_eq!(older_first(&[groups(3..=3), Vec::new()]), [1, 0]);
    assert_eq!(older_first(&[Vec::new(), groups(3..=3)]), [0, 1]);
}

#[test]
fn reused_segments_replay_in_order_from_before_the_last_checkpoint() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two groups (a page each) fill a segment: each second group is followed by a
    // checkpoint and a switch, and each segment is written over twice.
    let (path, storage) = journaled(dir.path(), 8192, 2 * PAGE as u64);
    for n in 1..=9u8 {
        storage.write(0, &[n; 16]).expect("write");
        storage.write(u64::from(n) * 16, &[n; 16]).expect("write");
        storage.sync_data().expect("sync");
    }
    storage.write(0, &[99; 16]).expect("never synced");
    let [a, b] = segment_paths(&path).map(|p| std::fs::read(p).expect("segment"));
    let chains = [chain(&a), chain(&b)].map(|c| c.iter().map(|g| g.seq).collect::<Vec<_>>());
    assert_eq!(
        chains,
        [vec![9], vec![7, 8]],
        "each segment was written over"
    );

    assert_eq!(replay_onto(&path, &path).expect("replay"), 3);
    assert_eq!(bytes_at(&path, 0, 16), vec![9; 16]);
    for n in 1..=9u8 {
        assert_eq!(bytes_at(&path, u64::from(n) * 16, 16), vec![n; 16]);
    }
}

#[test]
fn a_segment_a_large_commit_grew_is_cut_back_when_it_is_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, storage) = journaled(dir.path(), 1 << 20, 4096);
    let len = |n: usize| std::fs::metadata(&segment_paths(&path)[n]).map_or(0, |m| m.len());
    storage.write(0, &[7; 64 << 10]).expect("a large commit");
    storage.sync_data().expect("sync");
    assert!(len(0) > 64 << 10);
    for n in 0..2u8 {
        storage.write(0, &[n; 5000]).expect("write");
        storage.sync_data().expect("sync");
    }
    assert_eq!(len(0), 2 * PAGE as u64, "cut back to one group");
    assert_eq!(replay_onto(&path, &path).expect("replay"), 2);
    assert_eq!(bytes_at(&path, 0, 5000), vec![1; 5000]);
}

/// Opens the store at `path`, commits requests `ids` one commit each, and leaves without
/// closing: the journal stays as a crash leaves it.
fn commit_then_crash(path: &Path, ids: std::ops::RangeInclusive<u64>) {
    let store = Store::open(path, CACHE).expect("open");
    for id in ids {
        let new = request(id, 3, Status::New);
        store
            .write(|w| w.put_request(None, &new, &new.summary()))
            .expect("commit");
    }
    // Neither the store nor its file is closed: no checkpoint, no removal of the journal.
    std::mem::forget(store);
}

fn has_request(path: &Path, id: u64) -> bool {
    let store = Store::open(path, CACHE).expect("open");
    let read = store.read().expect("read");
    read.request(RequestId(id)).expect("request").is_some()
}

/// The crash of a store at `path`: its file as it was when last closed (`closed`), and its
/// journal, copied to `dir/crashed`.
fn crashed_copy(dir: &Path, closed: &Path, path: &Path) -> PathBuf {
    let crashed = dir.join("crashed");
    std::fs::create_dir(&crashed).expect("dir");
    let store = crashed.join(FILE_NAME);
    std::fs::copy(closed, &store).expect("copy");
    for (from, to) in segment_paths(path).iter().zip(segment_paths(&store)) {
        if from.exists() {
            std::fs::copy(from, to).expect("segment");
        }
    }
    store
}

#[test]
fn a_crashed_store_opens_with_every_commit_its_journal_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    drop(Store::open(&path, CACHE).expect("create"));
    assert!(
        segment_paths(&path).iter().all(|p| !p.exists()),
        "a closed store has no journal"
    );
    let closed = dir.path().join("closed.redb");
    std::fs::copy(&path, &closed).expect("copy");
    commit_then_crash(&path, 1..=20);
    assert!(segment_paths(&path)[0].exists());

    // The worst crash: not one of the store file's writes since it was closed reached the disk.
    let store = crashed_copy(dir.path(), &closed, &path);
    let report = check(&store).expect("check sees the journal");
    assert_eq!(report.entries("requests"), 20);
    assert!(segment_paths(&store)[0].exists(), "check changes nothing");
    for id in [1, 20] {
        assert!(has_request(&store, id), "request {id}");
    }
    assert!(segment_paths(&store).iter().all(|p| !p.exists()));
}

#[test]
fn a_journal_without_its_store_is_never_replayed_onto_a_new_or_restored_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    commit_then_crash(&path, 1..=3);
    let backup = dir.path().join("backup.redb");
    drop(Store::open(&backup, CACHE).expect("an empty store"));
    for (n, into) in ["new", "restored"].iter().enumerate() {
        let data = dir.path().join(into);
        std::fs::create_dir(&data).expect("dir");
        let store = data.join(FILE_NAME);
        // The store file was removed by hand after the crash; its journal was left.
        for (from, to) in segment_paths(&path).iter().zip(segment_paths(&store)) {
            if from.exists() {
                std::fs::copy(from, to).expect("segment");
            }
        }
        if n == 1 {
            restore(&backup, &store).expect("restore");
        }
        let opened = Store::open(&store, CACHE).expect("open");
        assert!(
            opened
                .read()
                .expect("read")
                .request(RequestId(1))
                .expect("read")
                .is_none()
        );
        drop(opened);
        assert_eq!(
            check(&store).expect("check").entries("requests"),
            0,
            "{into}"
        );
    }
}

#[test]
fn a_restore_puts_the_journal_into_the_store_it_replaces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    let backup = dir.path().join("backup.redb");
    {
        let store = Store::open(&path, CACHE).expect("open");
        let new = request(1, 3, Status::New);
        store
            .write(|w| w.put_request(None, &new, &new.summary()))
            .expect("commit");
        store.backup_to(&backup, 0).expect("backup");
    }
    let closed = dir.path().join("closed.redb");
    std::fs::copy(&path, &closed).expect("copy");
    commit_then_crash(&path, 2..=2);
    let store = crashed_copy(dir.path(), &closed, &path);

    restore(&backup, &store).expect("restore");
    assert!(segment_paths(&store).iter().all(|p| !p.exists()));
    assert!(has_request(&store, 1));
    assert!(!has_request(&store, 2), "the backup was taken before");
    let replaced = dir.path().join("replaced.redb");
    std::fs::rename(before_restore_path(&store), &replaced).expect("move");
    assert!(
        has_request(&replaced, 2),
        "the replaced store kept its journal's commit"
    );
}

/// Whether the current segment of `storage` is written around the page cache.
fn writes_directly(storage: &Journaled) -> bool {
    let state = storage.state.lock().expect("state");
    state.segments[state.current]
        .as_ref()
        .expect("a segment")
        .is_direct()
}

/// Whether the file system holding `dir` opens files for direct I/O.
fn takes_direct_io(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flag = rustix::fs::OFlags::DIRECT.bits().cast_signed();
        let probe = File::options()
            .write(true)
            .create(true)
            .custom_flags(flag)
            .open(dir.join("probe"));
        probe.is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    false
}

#[test]
fn a_group_larger_than_the_buffer_is_written_in_steps_and_replayed_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Segments longer than the group, which stays in the current one.
    let (path, storage) = journaled(dir.path(), 8192, 16 << 20);
    let large: Vec<u8> = (0..(5 << 19) + 100).map(|i: u32| (i % 251) as u8).collect();
    storage.write(4096, &large).expect("2.5 MiB in one write");
    storage.write(2, &[9; 3]).expect("a small one after it");
    storage.sync_data().expect("sync");
    assert_eq!(writes_directly(&storage), takes_direct_io(dir.path()));

    let image = nothing_reached_the_file(dir.path(), 8192);
    assert_eq!(replay_onto(&path, &image).expect("replay"), 1);
    assert_eq!(bytes_at(&image, 4096, large.len()), large);
    assert_eq!(bytes_at(&image, 0, 6), [0, 0, 9, 9, 9, 0]);
}

#[test]
fn a_write_refused_for_its_alignment_goes_through_the_page_cache_from_then_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, storage) = journaled(dir.path(), 8192, SEGMENT_BYTES);
    storage.write(0, &[5; 4096]).expect("write");
    storage.sync_data().expect("sync");
    if !writes_directly(&storage) {
        eprintln!("skipped: the temporary directory's file system takes no direct I/O");
        return;
    }
    {
        // As a device whose blocks are larger than a page would refuse a group's write.
        let mut state = storage.state.lock().expect("state");
        let (at, current) = (state.at, state.current);
        let segment = state.segments[current].as_mut().expect("segment");
        segment
            .write(&[1; 100], at)
            .expect("written through the page cache");
        assert!(!segment.is_direct());
    }
    storage.write(0, &[6; 4096]).expect("write");
    storage.sync_data().expect("sync, through the page cache");
    assert!(!writes_directly(&storage));

    let image = nothing_reached_the_file(dir.path(), 8192);
    assert_eq!(replay_onto(&path, &image).expect("replay"), 2);
    assert_eq!(bytes_at(&image, 0, 4096), vec![6; 4096]);
}

#[test]
fn the_zeros_a_write_ends_with_are_journaled_by_their_count_and_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, storage) = journaled(dir.path(), 3 * 4096, SEGMENT_BYTES);
    let mut page = vec![0u8; 4096];
    page[..1000].fill(7);
    page[999] = 0;
    page[998] = 0;
    storage.write(4096, &page).expect("a page ending in zeros");
    storage.write(8192, &[0; 4096]).expect("a page of zeros");
    storage.write(0, &[3; 100]).expect("no zeros at the end");
    storage.sync_data().expect("sync");

    let segment = std::fs::read(&segment_paths(&path)[0]).expect("segment");
    assert_eq!(
        chain(&segment)[0].changes,
        [
            Change::Write(4096, &page[..998], 4096 - 998),
            Change::Write(8192, &[][..], 4096),
            Change::Write(0, &[3; 100][..], 0),
        ]
    );
    assert_eq!(
        segment.len(),
        PAGE,
        "three writes, 8 KiB of them zeros, in one page"
    );

    // Replayed onto a file whose bytes are all ones, the zeros are written too.
    let image = dir.path().join("image");
    std::fs::write(&image, vec![0xff; 3 * 4096]).expect("image");
    assert_eq!(replay_onto(&path, &image).expect("replay"), 1);
    assert_eq!(bytes_at(&image, 4096, 4096), page);
    assert_eq!(bytes_at(&image, 8192, 4096), vec![0; 4096]);
    assert_eq!(bytes_at(&image, 0, 101), [&[3; 100][..], &[0xff]].concat());
}
