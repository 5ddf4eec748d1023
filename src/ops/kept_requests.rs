//! Requests and their timelines as a request page reads them, kept until the next commit. A
//! request page read its request (its answers and the form they were given on) and its
//! timeline from the store each time: two B-tree descents and decodes, a fifth of the page's
//! instructions (`benches/README.md`), for a page that is opened again and again between two
//! changes (the requester following it, technicians coming back to it). What is read at one
//! store generation is kept for the readers of that generation only; every commit bumps the
//! generation before its caller hears of it, so a change shows on the very next request.
//! Who may see what is checked by the caller on every read, kept or not.

use super::Error;
use super::snapshots::ByGeneration;
use crate::domain::request::{Event, Request, RequestId};
use crate::storage::Reader;
use std::sync::Arc;

/// Most requests kept at once (a few kilobytes each with their form and timeline).
const KEPT: usize = 128;

/// A request and its whole timeline, as stored.
pub(super) type KeptRequest = (Arc<Request>, Arc<[Event]>);

/// Requests read at one store generation (only those found: made-up numbers cannot fill it).
pub struct RequestMemo(ByGeneration<RequestId, KeptRequest>);

impl Default for RequestMemo {
    fn default() -> Self {
        RequestMemo(ByGeneration::bounded(KEPT))
    }
}

impl RequestMemo {
    /// Request `id` and its timeline as `reader` sees them: from the memo when they were read
    /// at `reader`'s generation, else from its snapshot (then kept).
    pub(super) fn read(
        &self,
        reader: &Reader,
        id: RequestId,
    ) -> Result<Option<KeptRequest>, Error> {
        self.0.get(reader.generation(), id, || {
            let Some(request) = reader.request(id)? else {
                return Ok(None);
            };
            Ok(Some((Arc::new(request), reader.events(id)?.into())))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::Status;
    use crate::storage::request_tests::{open, request};

    fn put(store: &crate::storage::Store, id: u64, status: Status) {
        store
            .write(|w| {
                let before = w.request(RequestId(id))?;
                let after = request(id, 3, status);
                w.put_request(before.as_ref(), &after, &after.summary())
            })
            .expect("write");
    }

    #[test]
    fn a_reader_sees_its_own_generation_only() {
        let (_dir, store) = open();
        let memo = RequestMemo::default();
        put(&store, 1, Status::New);
        let before = store.read().expect("read");
        put(&store, 1, Status::InProgress);
        let after = store.read().expect("read");
        // The newer reader fills the memo; the older one neither takes from it nor fills it.
        let status = |reader: &Reader| {
            let (request, _) = memo
                .read(reader, RequestId(1))
                .expect("read")
                .expect("found");
            request.status
        };
        assert_eq!(status(&after), Status::InProgress);
        assert_eq!(status(&before), Status::New);
        assert_eq!(memo.0.held().0, after.generation());
        assert_eq!(status(&after), Status::InProgress);
        // A commit later, the next reader reads the store again.
        put(&store, 1, Status::Done);
        assert_eq!(status(&store.read().expect("read")), Status::Done);
    }

    #[test]
    fn only_requests_found_are_kept_and_the_memo_stays_bounded() {
        let (_dir, store) = open();
        for id in 1..=(KEPT as u64 + 10) {
            put(&store, id, Status::New);
        }
        let memo = RequestMemo::default();
        let reader = store.read().expect("read");
        assert!(
            memo.read(&reader, RequestId(9_999))
                .expect("read")
                .is_none()
        );
        assert_eq!(memo.0.held().1, 0);
        for id in 1..=(KEPT as u64 + 10) {
            let (request, _) = memo
                .read(&reader, RequestId(id))
                .expect("read")
                .expect("found");
            assert_eq!(request.id, RequestId(id));
        }
        assert!(memo.0.held().1 <= KEPT);
    }
}
