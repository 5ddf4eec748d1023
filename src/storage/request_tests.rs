//! Requests in the store: record round trips, index moves, inboxes, and group commit keeping a
//! refused job from changing anything or taking its batch down.

use super::*;
use crate::domain::notification::{NoticeKind, Notification};
use crate::domain::request::{Approver, Event, EventKind, FallbackReason, RequestId, Status};
use crate::domain::{Timestamp, UserId};

const CACHE: usize = 4 << 20;

pub(crate) fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    (dir, store)
}

/// A store at `path` (created) brought to `schema` only, as that release left it.
pub(crate) fn open_at_schema(path: &std::path::Path, schema: usize) -> Store {
    let opening = Opening {
        create: true,
        verify: Verify::AfterUncleanShutdown,
        migrate: true,
        cache_bytes: CACHE,
        journal_bytes: super::journal::SEGMENT_BYTES,
    };
    Store::open_with(path, opening, &migrations::MIGRATIONS[..schema]).expect("open")
}

pub(crate) use crate::domain::request::sample::request;

fn ids(reader: &Reader, listing: Listing) -> Vec<u64> {
    reader
        .request_ids(listing, None, true, 100)
        .expect("ids")
        .into_iter()
        .map(|id| id.0)
        .collect()
}

#[test]
fn requests_round_trip_and_indexes_follow_their_state() {
    let (_dir, store) = open();
    let pending = request(1, 3, Status::PendingApproval);
    let events = [
        Event {
            at: Timestamp(10),
            by: Some(UserId(3)),
            kind: EventKind::Submitted,
        },
        Event {
            at: Timestamp(10),
            by: None,
            kind: EventKind::ApproverFallback {
                step: 1,
                reason: FallbackReason::Inactive,
                to: Approver::Admins,
            },
        },
    ];
    store
        .write(|w| {
            w.put_request(None, &pending, &pending.summary())?;
            w.append_events(pending.id, 0, &events)?;
            w.put_attachment(pending.id, "scan", b"pdf")?;
            w.put_request(
                None,
                &request(2, 4, Status::New),
                &request(2, 4, Status::New).summary(),
            )
        })
        .expect("write");
    let reader = store.read().expect("read");
    assert_eq!(
        reader.request(RequestId(1)).expect("read"),
        Some(pending.clone())
    );
    assert_eq!(
        reader.events(RequestId(1)).expect("events"),
        events.to_vec()
    );
    assert_eq!(
        reader.summary(RequestId(1)).expect("summary"),
        Some(pending.summary())
    );
    assert_eq!(
        reader.attachment(RequestId(1), "scan").expect("file"),
        Some(b"pdf".to_vec())
    );
    assert_eq!(ids(&reader, Listing::Open), vec![2, 1]);
    assert_eq!(ids(&reader, Listing::PendingFor(Approver::Admins)), vec![1]);
    assert_eq!(ids(&reader, Listing::OpenOfRequester(UserId(3))), vec![1]);
    assert_eq!(ids(&reader, Listing::Assignee(None)), vec![2, 1]);
    assert_eq!(
        reader
            .request_ids(Listing::All, Some(RequestId(2)), true, 10)
            .expect("ids"),
        vec![RequestId(1)],
        "a cursor starts after itself"
    );
    drop(reader);

    let mut done = pending.clone();
    done.status = Status::Done;
    done.assignee = Some(UserId(5));
    done.closed_at = Some(Timestamp(90));
    store
        .write(|w| w.put_request(Some(&pending), &done, &done.summary()))
        .expect("write");
    let reader = store.read().expect("read");
    assert_eq!(ids(&reader, Listing::Open), vec![2]);
    assert!(ids(&reader, Listing::PendingFor(Approver::Admins)).is_empty());
    assert!(ids(&reader, Listing::OpenOfRequester(UserId(3))).is_empty());
    assert_eq!(ids(&reader, Listing::Requester(UserId(3))), vec![1]);
    assert_eq!(ids(&reader, Listing::ClosedOfRequester(UserId(3))), vec![1]);
    assert_eq!(ids(&reader, Listing::Status(Status::Done)), vec![1]);
    assert_eq!(ids(&reader, Listing::Assignee(Some(UserId(5)))), vec![1]);
    assert_eq!(ids(&reader, Listing::Assignee(None)), vec![2]);
    assert_eq!(reader.count_listing(Listing::All).expect("count"), 2);
    assert_eq!(
        reader
            .summary(RequestId(1))
            .expect("summary")
            .map(|s| s.status),
        Some(Status::Done),
        "the summary follows the request"
    );
}

#[test]
fn inboxes_count_what_is_unread() {
    let (_dir, store) = open();
    let notice = |at| Notification {
        id: 0,
        user: UserId(3),
        request: RequestId(1),
        kind: NoticeKind::Approved,
        at: Timestamp(at),
        by: Some(UserId(2)),
        read: false,
    };
    let first = store
        .write(|w| {
            let first = w.add_notification(notice(10))?;
            w.add_notification(notice(20))?;
            w.add_notification(notice(30))?;
            Ok::<_, Error>(first)
        })
        .expect("write");
    let reader = store.read().expect("read");
    assert_eq!(reader.unread_count(UserId(3)).expect("count"), 3);
    assert_eq!(reader.unread_count(UserId(4)).expect("count"), 0);
    let newest = reader.notifications(UserId(3), None, 2).expect("page");
    assert_eq!(
        newest.iter().map(|n| n.at.0).collect::<Vec<_>>(),
        vec![30, 20]
    );
    assert!(newest.iter().all(|n| !n.read), "stored unread");
    drop(reader);
    store
        .write(|w| {
            assert!(w.mark_read(UserId(3), first)?);
            assert!(!w.mark_read(UserId(4), first)?, "not another user's");
            w.mark_read_before(UserId(3), Timestamp(25))?;
            Ok::<_, Error>(())
        })
        .expect("write");
    assert_eq!(
        store
            .read()
            .expect("read")
            .unread_count(UserId(3))
            .expect("count"),
        1
    );
    store
        .write(|w| w.mark_all_read(UserId(3)).map(|_| ()))
        .expect("write");
    assert_eq!(
        store
            .read()
            .expect("read")
            .unread_count(UserId(3))
            .expect("count"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn group_commit_isolates_a_refused_job() {
    let (_dir, store) = open();
    let store = std::sync::Arc::new(store);
    let mut tasks = Vec::new();
    for i in 1..=64u64 {
        let store = std::sync::Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .write_batched(move |w| {
                    w.put_request(
                        None,
                        &request(i, 3, Status::New),
                        &request(i, 3, Status::New).summary(),
                    )?;
                    if i % 10 == 0 {
                        return Err(Error::Db(format!("job {i} refused")));
                    }
                    Ok(i)
                })
                .await
        }));
    }
    let mut refused = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => {}
            Err(Error::Db(message)) => refused.push(message),
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(refused.len(), 6);
    assert!(
        refused.iter().all(|m| m.ends_with("refused")),
        "each hears its own error"
    );
    let reader = store.read().expect("read");
    let stored = ids(&reader, Listing::All);
    assert_eq!(stored.len(), 58);
    assert!(
        stored.iter().all(|id| id % 10 != 0),
        "refused jobs changed nothing"
    );
}

/// `user`'s unread notifications about `request`, by the index and by reading them all.
fn unread_both_ways(store: &Store, user: u64, request: u64) -> (Vec<u64>, Vec<u64>) {
    let reader = store.read().expect("read");
    let indexed = reader
        .unread_about(UserId(user), RequestId(request))
        .expect("index");
    let mut read = Vec::new();
    let mut cursor = None;
    loop {
        let page = reader
            .notifications(UserId(user), cursor, 50)
            .expect("page");
        read.extend(
            page.iter()
                .filter(|n| !n.read && n.request == RequestId(request))
                .map(|n| n.id),
        );
        match page.last() {
            Some(last) if page.len() == 50 => cursor = Some(last.id),
            _ => break,
        }
    }
    read.sort_unstable();
    (indexed, read)
}

#[test]
fn the_unread_index_by_request_follows_adding_reading_and_reordering() {
    let (_dir, store) = open();
    let notice = |user: u64, request: u64, at: i64| Notification {
        id: 0,
        user: UserId(user),
        request: RequestId(request),
        kind: NoticeKind::Approved,
        at: Timestamp(at),
        by: None,
        read: false,
    };
    store
        .write(|w| {
            // Out of time order, as the demo's history adds them.
            w.add_notifications(vec![
                notice(3, 1, 40),
                notice(3, 2, 10),
                notice(4, 1, 20),
                notice(3, 1, 30),
                notice(3, 2, 50),
            ])?;
            Ok::<_, Error>(())
        })
        .expect("write");
    let check = |user, request, count: usize| {
        let (indexed, read) = unread_both_ways(&store, user, request);
        assert_eq!(indexed, read, "user {user}, request {request}");
        assert_eq!(indexed.len(), count, "user {user}, request {request}");
    };
    check(3, 1, 2);
    check(3, 2, 2);
    check(4, 1, 1);
    store
        .write(|w| w.order_notifications_by_time())
        .expect("reorder");
    check(3, 1, 2);
    check(3, 2, 2);
    let first = store
        .read()
        .expect("read")
        .unread_about(UserId(3), RequestId(2))
        .expect("index")[0];
    store
        .write(|w| w.mark_read(UserId(3), first).map(|_| ()))
        .expect("mark");
    check(3, 2, 1);
    check(3, 1, 2);
    store
        .write(|w| w.mark_all_read(UserId(3)).map(|_| ()))
        .expect("all");
    check(3, 1, 0);
    check(3, 2, 0);
    check(4, 1, 1);
}

#[test]
fn migrations_11_and_12_index_the_unread_notifications_by_request_then_drop_their_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    let notice = |request: u64| Notification {
        id: 0,
        user: UserId(3),
        request: RequestId(request),
        kind: NoticeKind::Approved,
        at: crate::domain::Timestamp(10),
        by: None,
        read: false,
    };
    {
        // Schema 10: notifications, their unread index, no index by request.
        let store = open_at_schema(&path, 10);
        let ids = store
            .write(|w| w.add_notifications(vec![notice(1), notice(2), notice(1)]))
            .expect("write");
        store
            .write(|w| w.mark_read(UserId(3), ids[2]).map(|_| ()))
            .expect("write");
        // As schema 10 wrote them: the unread ones in the unread list, no index by request.
        // In a write of its own: a write keeps the tables it opened open until it ends.
        store
            .write(|w| {
                w.txn.delete_table(tables::UNREAD_ABOUT)?;
                let mut unread = w.txn.open_table(tables::UNREAD)?;
                for id in &ids[..2] {
                    unread.insert((3, *id), ())?;
                }
                Ok::<_, Error>(())
            })
            .expect("write");
    }
    // Schema 11 indexes them by request from the list, then schema 12 drops the list.
    let store = Store::open(&path, CACHE).expect("migrate");
    let reader = store.read().expect("read");
    let about = |request| {
        reader
            .unread_about(UserId(3), RequestId(request))
            .expect("index")
    };
    assert_eq!(about(1), vec![1], "the unread one only");
    assert_eq!(about(2), vec![2]);
    let names = registry::names_in(&reader.txn).expect("tables");
    assert!(
        !names.iter().any(|n| n == "unread_notifications"),
        "{names:?}"
    );
    drop(reader);
    let marked = store
        .write(|w| w.mark_all_read(UserId(3)))
        .expect("mark all read");
    assert_eq!(
        marked, 2,
        "the two unread ones, found through the index by request"
    );
    let reader = store.read().expect("read");
    assert_eq!(
        reader.unread_about(UserId(3), RequestId(1)).expect("index"),
        Vec::<u64>::new()
    );
}
