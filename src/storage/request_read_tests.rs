//! Reading requests back: the listing fixture the storage and memo tests share, and what a
//! record that cannot be read says of itself.

use super::request_tests::{open, request};
use super::*;
use crate::domain::request::{RequestId, Status};

/// A store holding requests 1 to 300 (of requester 3, new) but those in `gaps`.
pub(crate) fn store_with_gaps(gaps: &[u64]) -> (tempfile::TempDir, Store) {
    let (dir, store) = open();
    store
        .write(|w| {
            for id in (1..=300u64).filter(|id| !gaps.contains(id)) {
                let r = request(id, 3, Status::New);
                w.put_request(None, &r, &r.summary())?;
            }
            Ok::<_, Error>(())
        })
        .expect("write");
    (dir, store)
}

#[test]
fn an_unreadable_event_names_its_request_and_place() {
    let (_dir, store) = open();
    store
        .write(|w| {
            let garbage: &[u8] = &[0xff, 0xff, 0xff];
            w.request_events_table()?.insert((7u64, 2u32), garbage)?;
            Ok::<_, Error>(())
        })
        .expect("write");
    let reader = store.read().expect("read");
    let text = reader
        .events(RequestId(7))
        .expect_err("unreadable")
        .to_string();
    assert!(
        text.contains("request_events") && text.contains("(7, 2)"),
        "{text}"
    );
}
