//! Requests, their timelines and attachments, the indexes pages read them through, and each
//! user's notifications. Pages read an index range in id order and load only what they show.

use super::codes::status_code;
use super::records::{decode, encode};
use super::request_records::{EventRecord, NotificationRecord, RequestRecord};
use super::summary_records::SummaryRecord;
use super::{Error, Reader, Writer};
use crate::domain::notification::Notification;
use crate::domain::request::{Approver, Event, Request, RequestId, Status, Summary};
use crate::domain::{ServiceId, UserId};
use redb::{ReadableTable, ReadableTableMetadata};
use std::ops::Bound;

/// Which requests a listing walks, in id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listing {
    All,
    Open,
    Status(Status),
    Requester(UserId),
    OpenOfRequester(UserId),
    ClosedOfRequester(UserId),
    /// `None`: unassigned.
    Assignee(Option<UserId>),
    Service(ServiceId),
    PendingFor(Approver),
}

fn approver_key(approver: Approver) -> u64 {
    match approver {
        Approver::User(id) => id.0,
        Approver::Admins => 0,
    }
}

/// The kinds of the request index, in the top byte of its keys' first part. Kinds 1 (every
/// request of a requester) and 5 (every open request) are no longer written since schema 13:
/// their listings merge the entries of kinds 2 and 3, and of kind 4 for each open status, which
/// hold the same requests (a submission wrote seven entries, now five). A kind's number is
/// never given to another.
pub(super) const BY_REQUESTER: u64 = 1;
const OPEN_BY_REQUESTER: u64 = 2;
const CLOSED_BY_REQUESTER: u64 = 3;
const BY_STATUS: u64 = 4;
pub(super) const OPEN: u64 = 5;
const BY_ASSIGNEE: u64 = 6;
const BY_SERVICE: u64 = 7;
const PENDING_FOR: u64 = 8;

/// The first part of an index key: the kind above, the indexed value (an id, below 2^56)
/// beneath.
pub(super) fn at(kind: u64, value: u64) -> u64 {
    (kind << 56) | (value & ((1 << 56) - 1))
}

impl Listing {
    /// The prefixes of its keys in the request index, whose entries it merges in id order (a
    /// request is under one of them at most); `None` walks the requests table itself.
    fn prefixes(self) -> Option<Vec<u64>> {
        let prefix = match self {
            Listing::All => return None,
            Listing::Open => {
                let open = Status::ALL.into_iter().filter(|s| s.is_open());
                return Some(
                    open.map(|s| at(BY_STATUS, u64::from(status_code(s))))
                        .collect(),
                );
            }
            Listing::Requester(u) => {
                return Some(vec![
                    at(OPEN_BY_REQUESTER, u.0),
                    at(CLOSED_BY_REQUESTER, u.0),
                ]);
            }
            Listing::Status(s) => at(BY_STATUS, u64::from(status_code(s))),
            Listing::OpenOfRequester(u) => at(OPEN_BY_REQUESTER, u.0),
            Listing::ClosedOfRequester(u) => at(CLOSED_BY_REQUESTER, u.0),
            Listing::Assignee(u) => at(BY_ASSIGNEE, u.map_or(0, |u| u.0)),
            Listing::Service(s) => at(BY_SERVICE, s.0),
            Listing::PendingFor(a) => at(PENDING_FOR, approver_key(a)),
        };
        Some(vec![prefix])
    }
}

/// The index entries a request has in its current state.
fn index_entries(r: &Request) -> Vec<(u64, u64)> {
    let id = r.id.0;
    let mut entries = vec![
        (at(BY_STATUS, u64::from(status_code(r.status))), id),
        (at(BY_ASSIGNEE, r.assignee.map_or(0, |u| u.0)), id),
        (at(BY_SERVICE, r.service_id.0), id),
    ];
    if r.status.is_open() {
        entries.push((at(OPEN_BY_REQUESTER, r.requester.0), id));
    } else {
        entries.push((at(CLOSED_BY_REQUESTER, r.requester.0), id));
    }
    if let Some(approver) = r.current_approver() {
        entries.push((at(PENDING_FOR, approver_key(approver)), id));
    }
    entries
}

/// A range of `(prefix, id)` keys.
type KeyRange = (Bound<(u64, u64)>, Bound<(u64, u64)>);

/// Bounds of a walk after `cursor` (exclusive), in either direction, within one prefix.
pub(super) fn bounds(prefix: u64, cursor: Option<u64>, newest_first: bool) -> KeyRange {
    match (cursor, newest_first) {
        (None, _) => (
            Bound::Included((prefix, 0)),
            Bound::Included((prefix, u64::MAX)),
        ),
        (Some(c), true) => (Bound::Included((prefix, 0)), Bound::Excluded((prefix, c))),
        (Some(c), false) => (
            Bound::Excluded((prefix, c)),
            Bound::Included((prefix, u64::MAX)),
        ),
    }
}

#[path = "index_walks.rs"]
mod walks;
use walks::{first_ids, merged_ids};

macro_rules! request_reads {
    ($t:ty) => {
        impl $t {
            pub fn request(&self, id: RequestId) -> Result<Option<Request>, Error> {
                let table = self.requests_table()?;
                let Some(bytes) = table.get(id.0)? else {
                    return Ok(None);
                };
                decode::<RequestRecord, _>("requests", id.0, bytes.value()).map(Some)
            }

            /// What lists show of a request.
            pub fn summary(&self, id: RequestId) -> Result<Option<Summary>, Error> {
                summary_in(&*self.request_summaries_table()?, id)
            }

            /// Up to `n` request ids of a listing after `cursor`, newest or oldest first.
            pub fn request_ids(
                &self,
                listing: Listing,
                cursor: Option<RequestId>,
                newest_first: bool,
                n: usize,
            ) -> Result<Vec<RequestId>, Error> {
                let cursor = cursor.map(|c| c.0);
                let Some(prefixes) = listing.prefixes() else {
                    let table = self.requests_table()?;
                    let range = match cursor {
                        None => table.range::<u64>(..)?,
                        Some(c) if newest_first => table.range(..c)?,
                        Some(c) => table.range((Bound::Excluded(c), Bound::Unbounded))?,
                    };
                    return first_ids(range, newest_first, n, |(id, _)| id.value());
                };
                let table = self.request_index_table()?;
                if let [prefix] = prefixes[..] {
                    let range = table.range(bounds(prefix, cursor, newest_first))?;
                    return first_ids(range, newest_first, n, |(key, _)| key.value().1);
                }
                let mut walks = Vec::with_capacity(prefixes.len());
                for prefix in prefixes {
                    let range = table.range(bounds(prefix, cursor, newest_first))?;
                    let ids = range.map(|entry| entry.map(|(key, _)| key.value().1));
                    walks.push(if newest_first {
                        Box::new(ids.rev()) as Box<dyn Iterator<Item = _>>
                    } else {
                        Box::new(ids)
                    });
                }
                merged_ids(walks, newest_first, n)
            }

            /// How many entries a listing holds (an index range count; for small listings
            /// such as one person's pending approvals).
            pub fn count_listing(&self, listing: Listing) -> Result<u64, Error> {
                let Some(prefixes) = listing.prefixes() else {
                    return Ok(self.requests_table()?.len()?);
                };
                let table = self.request_index_table()?;
                let mut count = 0;
                for prefix in prefixes {
                    for entry in table.range(bounds(prefix, None, true))? {
                        entry?;
                        count += 1;
                    }
                }
                Ok(count)
            }

            /// The whole timeline of a request, oldest first.
            pub fn events(&self, id: RequestId) -> Result<Vec<Event>, Error> {
                let table = self.request_events_table()?;
                let mut found = Vec::new();
                for entry in table.range((id.0, 0)..=(id.0, u32::MAX))? {
                    let (key, bytes) = entry?;
                    found.push(decode::<EventRecord, _>(
                        "request_events",
                        super::pair(key.value()),
                        bytes.value(),
                    )?);
                }
                Ok(found)
            }

            pub fn attachment(&self, id: RequestId, key: &str) -> Result<Option<Vec<u8>>, Error> {
                let table = self.attachments_table()?;
                Ok(table.get((id.0, key))?.map(|b| b.value().to_vec()))
            }

            /// A user's notifications, newest first, before the `cursor` id.
            pub fn notifications(
                &self,
                user: UserId,
                cursor: Option<u64>,
                n: usize,
            ) -> Result<Vec<Notification>, Error> {
                let table = self.notifications_table()?;
                let mut found = Vec::new();
                for entry in table.range(bounds(user.0, cursor, true))?.rev().take(n) {
                    let (key, bytes) = entry?;
                    found.push(decode::<NotificationRecord, _>(
                        "notifications",
                        super::pair(key.value()),
                        bytes.value(),
                    )?);
                }
                Ok(found)
            }

            pub fn notification(
                &self,
                user: UserId,
                id: u64,
            ) -> Result<Option<Notification>, Error> {
                let table = self.notifications_table()?;
                let Some(bytes) = table.get((user.0, id))? else {
                    return Ok(None);
                };
                decode::<NotificationRecord, _>(
                    "notifications",
                    super::pair((user.0, id)),
                    bytes.value(),
                )
                .map(Some)
            }

            pub fn unread_count(&self, user: UserId) -> Result<u64, Error> {
                self.count_unread()?;
                let table = self.unread_count_table()?;
                Ok(table.get(user.0)?.map_or(0, |v| v.value()))
            }

            /// The ids of `user`'s unread notifications about `request`: O(those).
            pub fn unread_about(
                &self,
                user: UserId,
                request: RequestId,
            ) -> Result<Vec<u64>, Error> {
                let about = self.unread_about_table()?;
                let mut ids = Vec::new();
                for entry in about.range((user.0, request.0, 0)..=(user.0, request.0, u64::MAX))? {
                    ids.push(entry?.0.value().2);
                }
                Ok(ids)
            }
        }
    };
}

request_reads!(Reader);
request_reads!(Writer<'_>);

/// The summaries table opened once, for a listing that reads many of them.
pub struct Summaries<'r>(&'r redb::ReadOnlyTable<u64, &'static [u8]>);

impl Summaries<'_> {
    pub fn get(&self, id: RequestId) -> Result<Option<Summary>, Error> {
        summary_in(self.0, id)
    }

    /// The summaries of `ids`, in their order, for ids in a listing's order (ascending or
    /// descending). Ids close together, as most pages' are, are read in one pass over the
    /// table, which costs a step per entry instead of a descent from the root per id.
    pub fn of_listed(&self, ids: &[RequestId]) -> Result<Vec<Option<Summary>>, Error> {
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        let descending = first.0 > last.0;
        let ordered = ids.windows(2).all(|w| match descending {
            true => w[0].0 > w[1].0,
            false => w[0].0 < w[1].0,
        });
        let (low, high) = (first.0.min(last.0), first.0.max(last.0));
        // A step along the table costs about half a descent (measured): up to two entries
        // per id.
        let dense = (high - low) / 2 <= ids.len() as u64 + 4;
        if !(ordered && dense) {
            return ids.iter().map(|id| self.get(*id)).collect();
        }
        let mut found = Vec::with_capacity(ids.len());
        let mut wanted = ids.iter().map(|id| id.0).peekable();
        let range = self.0.range(low..=high)?;
        let entries: Box<dyn Iterator<Item = _>> = match descending {
            true => Box::new(range.rev()),
            false => Box::new(range),
        };
        for entry in entries {
            let (key, bytes) = entry?;
            let id = key.value();
            // The wanted ids the table went past have no summary.
            while wanted
                .next_if(|w| if descending { *w > id } else { *w < id })
                .is_some()
            {
                found.push(None);
            }
            if wanted.next_if_eq(&id).is_some() {
                found.push(Some(decode_summary(id, bytes.value())?));
            }
            if wanted.peek().is_none() {
                break;
            }
        }
        found.extend(wanted.map(|_| None));
        Ok(found)
    }
}

/// Request `id`'s summary in `table`, the summaries table of a read or a write.
fn summary_in(
    table: &impl redb::ReadableTable<u64, &'static [u8]>,
    id: RequestId,
) -> Result<Option<Summary>, Error> {
    let Some(bytes) = table.get(id.0)? else {
        return Ok(None);
    };
    decode_summary(id.0, bytes.value()).map(Some)
}

/// A stored summary, read back.
fn decode_summary(id: u64, bytes: &[u8]) -> Result<Summary, Error> {
    decode::<SummaryRecord, _>("request_summaries", id, bytes)
}

impl Reader {
    /// The summaries, their table opened once (opening it per summary was a third of a
    /// listing page's time).
    pub fn summaries(&self) -> Result<Summaries<'_>, Error> {
        Ok(Summaries(self.request_summaries_table()?))
    }
}

impl Writer<'_> {
    /// Stores a request with what lists show of it (`summary`, SLA facts included) and moves
    /// its index entries from `previous` (its stored state, if any) to its new state.
    pub fn put_request(
        &self,
        previous: Option<&Request>,
        request: &Request,
        summary: &Summary,
    ) -> Result<(), Error> {
        let old = previous.map(index_entries).unwrap_or_default();
        let new = index_entries(request);
        let mut index = self.request_index_table()?;
        for key in old.iter().filter(|k| !new.contains(k)) {
            index.remove(*key)?;
        }
        for key in new.iter().filter(|k| !old.contains(k)) {
            index.insert(*key, ())?;
        }
        drop(index);
        let mut table = self.requests_table()?;
        table.insert(
            request.id.0,
            encode(&RequestRecord::from(request))?.as_slice(),
        )?;
        let old = match previous {
            Some(_) => self.summary(request.id)?,
            None => None,
        };
        self.move_due_entries(old.as_ref(), summary)?;
        self.request_summaries_table()?.insert(
            request.id.0,
            encode(&SummaryRecord::from(summary))?.as_slice(),
        )?;
        Ok(())
    }

    /// Appends events to a request's timeline from sequence number `first`.
    pub fn append_events(&self, id: RequestId, first: u32, events: &[Event]) -> Result<(), Error> {
        let mut table = self.request_events_table()?;
        for (seq, event) in (first..).zip(events) {
            table.insert((id.0, seq), encode(&EventRecord::from(event))?.as_slice())?;
        }
        Ok(())
    }

    pub fn put_attachment(&self, id: RequestId, key: &str, bytes: &[u8]) -> Result<(), Error> {
        self.attachments_table()?.insert((id.0, key), bytes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::request_read_tests::store_with_gaps;
    use crate::domain::request::RequestId;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Read in one pass or one by one, a listing's summaries are the same, in its order,
        /// with `None` for ids without one.
        #[test]
        fn summaries_of_a_listing_are_those_of_each_id(
            gaps in proptest::collection::btree_set(1u64..=300, 0..40),
            picked in proptest::collection::btree_set(1u64..=340, 0..60),
            descending: bool,
        ) {
            let gaps: Vec<u64> = gaps.into_iter().collect();
            let (_dir, store) = store_with_gaps(&gaps);
            let mut ids: Vec<RequestId> = picked.into_iter().map(RequestId).collect();
            if descending {
                ids.reverse();
            }
            let reader = store.read().expect("read");
            let summaries = reader.summaries().expect("table");
            let listed = summaries.of_listed(&ids).expect("listed");
            let each: Vec<_> = ids.iter().map(|id| summaries.get(*id).expect("get")).collect();
            prop_assert_eq!(listed.len(), ids.len());
            for ((id, a), b) in ids.iter().zip(&listed).zip(&each) {
                prop_assert_eq!(a, b, "id {}", id.0);
                prop_assert_eq!(a.is_some(), !gaps.contains(&id.0) && id.0 <= 300);
            }
        }
    }
}
