//! The request index's merged listings (schema 13): a requester's requests from their open and
//! closed entries, the open requests from each open status's entries, in id order from any
//! cursor either way; and the migration that drops the entries they replace.

use super::request_tests::{open_at_schema, request};
use super::requests::{BY_REQUESTER, OPEN, at};
use super::*;
use crate::domain::UserId;
use crate::domain::request::{Request, RequestId, Status};
use redb::ReadableTableMetadata;

const CACHE: usize = 4 << 20;

/// Whether a request belongs to a listing, by hand.
type Holds = Box<dyn Fn(&Request) -> bool>;

/// 60 requests by three requesters in every status, some moved between statuses after they
/// were first written (so that their entries moved too).
fn requests() -> Vec<Request> {
    let mut seed = 7u64;
    let mut draw = |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % n
    };
    (1..=60)
        .map(|id| {
            let status = Status::ALL[usize::try_from(draw(8)).unwrap_or(0)];
            request(id, 3 + draw(3), status)
        })
        .collect()
}

fn store_requests(store: &Store, all: &[Request]) {
    for r in all {
        let first = request(r.id.0, r.requester.0, Status::New);
        store
            .write(|w| w.put_request(None, &first, &first.summary()))
            .expect("write");
        store
            .write(|w| w.put_request(Some(&first), r, &r.summary()))
            .expect("move");
    }
}

/// Every listing merged from several prefixes, from every cursor, both ways, in pages of 1, 2,
/// 7 and more than it holds, reads as the requests filtered, sorted and cut by hand.
fn check_merged_listings(store: &Store, all: &[Request]) {
    let reader = store.read().expect("read");
    let mut listings: Vec<(Listing, Holds)> =
        vec![(Listing::Open, Box::new(|r| r.status.is_open()))];
    for user in 3..6 {
        listings.push((
            Listing::Requester(UserId(user)),
            Box::new(move |r| r.requester == UserId(user)),
        ));
    }
    for (listing, holds) in &listings {
        let ids: Vec<u64> = all.iter().filter(|r| holds(r)).map(|r| r.id.0).collect();
        assert_eq!(
            reader.count_listing(*listing).expect("count"),
            ids.len() as u64,
            "{listing:?}"
        );
        for newest_first in [true, false] {
            for cursor in std::iter::once(None).chain((0..=61).map(Some)) {
                for n in [1, 2, 7, 100] {
                    let mut expected: Vec<u64> = ids
                        .iter()
                        .copied()
                        .filter(|&id| match cursor {
                            None => true,
                            Some(c) if newest_first => id < c,
                            Some(c) => id > c,
                        })
                        .collect();
                    if newest_first {
                        expected.reverse();
                    }
                    expected.truncate(n);
                    let got: Vec<u64> = reader
                        .request_ids(*listing, cursor.map(RequestId), newest_first, n)
                        .expect("ids")
                        .into_iter()
                        .map(|id| id.0)
                        .collect();
                    assert_eq!(got, expected, "{listing:?} {cursor:?} {newest_first} {n}");
                }
            }
        }
    }
}

#[test]
fn merged_listings_read_in_id_order_from_any_cursor_either_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    let all = requests();
    assert!(all.iter().any(|r| r.status.is_open()) && all.iter().any(|r| !r.status.is_open()));
    store_requests(&store, &all);
    check_merged_listings(&store, &all);
    // Nothing is written under the kinds the merges replace.
    let reader = store.read().expect("read");
    let index = reader.txn.open_table(tables::REQUEST_INDEX).expect("index");
    for kind in [BY_REQUESTER, OPEN] {
        let under = index
            .range((at(kind, 0), 0)..(at(kind + 1, 0), 0))
            .expect("range")
            .count();
        assert_eq!(under, 0, "kind {kind}");
    }
}

#[test]
fn migration_13_drops_the_entries_the_merges_replace_and_the_listings_read_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    let all = requests();
    let entries = {
        // Schema 12, with the entries it wrote by requester and for open requests.
        let store = open_at_schema(&path, 12);
        store_requests(&store, &all);
        store
            .write(|w| {
                let mut index = w.txn.open_table(tables::REQUEST_INDEX)?;
                for r in &all {
                    index.insert((at(BY_REQUESTER, r.requester.0), r.id.0), ())?;
                    if r.status.is_open() {
                        index.insert((at(OPEN, 0), r.id.0), ())?;
                    }
                }
                Ok::<_, Error>(())
            })
            .expect("write");
        let reader = store.read().expect("read");
        let index = reader.txn.open_table(tables::REQUEST_INDEX).expect("index");
        index.len().expect("len")
    };
    let store = Store::open(&path, CACHE).expect("migrate");
    let reader = store.read().expect("read");
    let index = reader.txn.open_table(tables::REQUEST_INDEX).expect("index");
    let open = all.iter().filter(|r| r.status.is_open()).count() as u64;
    assert_eq!(
        index.len().expect("len"),
        entries - all.len() as u64 - open,
        "one entry by requester per request and one per open request gone, nothing else"
    );
    drop((index, reader));
    check_merged_listings(&store, &all);
}
