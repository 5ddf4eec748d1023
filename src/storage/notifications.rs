//! Each user's notifications: adding them (unread), marking them read, and the demo's
//! reordering. Reads are with the other request reads (`requests.rs`).

use super::records::{decode, encode};
use super::request_records::NotificationRecord;
use super::{Error, Reader, Writer};
use crate::domain::UserId;
use crate::domain::notification::Notification;
use redb::ReadableTable;
use std::collections::BTreeMap;

/// Notifications added in a write and not yet counted, by user. A commit shared by many
/// submissions notifies the same people again and again (a team's members, an approver):
/// their unread count is read and written once for all of them (`count_unread`), not once
/// per notification.
pub(super) type Added = std::cell::RefCell<BTreeMap<u64, u64>>;

impl Reader {
    /// A reader sees only what was committed: nothing is left to count (`Writer::count_unread`).
    pub(super) fn count_unread(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Writer<'_> {
    /// Adds a notification (its id taken from the `notification` sequence), read or not as it
    /// says.
    pub fn add_notification(&self, notification: Notification) -> Result<u64, Error> {
        Ok(self.add_notifications(vec![notification])?[0])
    }

    /// Adds notifications, opening each table once; answers their ids. An unread one is also
    /// entered by request and counted; one that is read already (the confirmation of one's own
    /// submission) is only kept in the inbox.
    pub fn add_notifications(&self, notifications: Vec<Notification>) -> Result<Vec<u64>, Error> {
        let mut ids = Vec::with_capacity(notifications.len());
        if notifications.is_empty() {
            return Ok(ids);
        }
        let first = self.next_ids("notification", notifications.len() as u64)?;
        let mut table = self.notifications_table()?;
        let mut about = self.unread_about_table()?;
        let mut added = self.unread.borrow_mut();
        for (id, mut notification) in (first..).zip(notifications) {
            notification.id = id;
            let user = notification.user.0;
            table.insert(
                (user, id),
                encode(&NotificationRecord::from(&notification))?.as_slice(),
            )?;
            if !notification.read {
                about.insert((user, notification.request.0, id), ())?;
                *added.entry(user).or_default() += 1;
            }
            ids.push(id);
        }
        Ok(ids)
    }

    /// Adds the notifications added since to their users' unread counts: before the commit,
    /// and before anything reads or changes a count.
    pub(super) fn count_unread(&self) -> Result<(), Error> {
        let added = self.unread.take();
        if added.is_empty() {
            return Ok(());
        }
        let mut counts = self.unread_count_table()?;
        for (user, n) in added {
            let count = counts.get(user)?.map_or(0, |v| v.value());
            counts.insert(user, count + n)?;
        }
        Ok(())
    }

    /// Marks one notification read; answers whether it existed.
    pub fn mark_read(&self, user: UserId, id: u64) -> Result<bool, Error> {
        self.count_unread()?;
        let Some(mut notification) = self.notification(user, id)? else {
            return Ok(false);
        };
        if !notification.read {
            notification.read = true;
            self.notifications_table()?.insert(
                (user.0, id),
                encode(&NotificationRecord::from(&notification))?.as_slice(),
            )?;
            self.unread_about_table()?
                .remove((user.0, notification.request.0, id))?;
            let mut counts = self.unread_count_table()?;
            let count = counts.get(user.0)?.map_or(0, |v| v.value());
            counts.insert(user.0, count.saturating_sub(1))?;
        }
        Ok(true)
    }

    /// The ids of `user`'s unread notifications, by request.
    fn unread_ids(&self, user: UserId) -> Result<Vec<u64>, Error> {
        let table = self.unread_about_table()?;
        let mut ids = Vec::new();
        for entry in table.range((user.0, 0, 0)..=(user.0, u64::MAX, u64::MAX))? {
            ids.push(entry?.0.value().2);
        }
        Ok(ids)
    }

    /// Marks every unread notification of `user` read; answers how many.
    pub fn mark_all_read(&self, user: UserId) -> Result<usize, Error> {
        let unread = self.unread_ids(user)?;
        for id in &unread {
            self.mark_read(user, *id)?;
        }
        Ok(unread.len())
    }

    /// Gives each user's notifications ids in the order of their times (the demo's history is
    /// played request by request, so its notices are created out of time order).
    pub fn order_notifications_by_time(&self) -> Result<(), Error> {
        let mut by_user: BTreeMap<u64, Vec<Notification>> = BTreeMap::new();
        {
            let table = self.notifications_table()?;
            for entry in table.iter()? {
                let (key, bytes) = entry?;
                let n: Notification = decode::<NotificationRecord, _>(
                    "notifications",
                    super::pair(key.value()),
                    bytes.value(),
                )?;
                by_user.entry(n.user.0).or_default().push(n);
            }
        }
        let mut table = self.notifications_table()?;
        let mut about = self.unread_about_table()?;
        for (user, mut notifications) in by_user {
            let mut ids: Vec<u64> = notifications.iter().map(|n| n.id).collect();
            ids.sort_unstable();
            notifications.sort_by_key(|n| (n.at, n.id));
            for n in &notifications {
                table.remove((user, n.id))?;
                about.remove((user, n.request.0, n.id))?;
            }
            for (id, mut n) in ids.into_iter().zip(notifications) {
                n.id = id;
                table.insert(
                    (user, id),
                    encode(&NotificationRecord::from(&n))?.as_slice(),
                )?;
                if !n.read {
                    about.insert((user, n.request.0, id), ())?;
                }
            }
        }
        Ok(())
    }

    /// Marks read the unread notifications of `user` from before `cutoff`.
    pub fn mark_read_before(
        &self,
        user: UserId,
        cutoff: crate::domain::Timestamp,
    ) -> Result<(), Error> {
        let unread = self.unread_ids(user)?;
        for id in unread {
            if self.notification(user, id)?.is_some_and(|n| n.at < cutoff) {
                self.mark_read(user, id)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::request_tests::open;
    use crate::domain::notification::{NoticeKind, Notification};
    use crate::domain::request::RequestId;
    use crate::domain::{Timestamp, UserId};
    use crate::storage::Error;

    #[test]
    fn a_writes_notifications_are_counted_together_and_seen_counted_within_it() {
        let (_dir, store) = open();
        let notice = |user, request| Notification {
            id: 0,
            user: UserId(user),
            request: RequestId(request),
            kind: NoticeKind::Submitted,
            at: Timestamp(10),
            by: None,
            read: false,
        };
        store
            .write(|w| {
                let first = w.add_notification(notice(3, 1))?;
                w.add_notifications(vec![notice(3, 2), notice(4, 2), notice(3, 3)])?;
                w.add_notification(notice(4, 3))?;
                assert_eq!(w.unread_count(UserId(3))?, 3, "counted before it is read");
                assert!(w.mark_read(UserId(3), first)?);
                assert_eq!(w.unread_count(UserId(3))?, 2);
                w.add_notification(notice(3, 4))?;
                // Born read (one's own submission confirmed): kept, neither counted nor
                // entered by request.
                w.add_notification(Notification {
                    read: true,
                    ..notice(3, 5)
                })?;
                Ok::<_, Error>(())
            })
            .expect("write");
        let reader = store.read().expect("read");
        assert_eq!(reader.unread_count(UserId(3)).expect("count"), 3);
        assert_eq!(reader.unread_count(UserId(4)).expect("count"), 2);
        let about = reader.unread_about(UserId(3), RequestId(2)).expect("about");
        assert_eq!(about.len(), 1);
        let about = reader.unread_about(UserId(3), RequestId(5)).expect("about");
        assert!(about.is_empty(), "{about:?}");
        let newest = reader.notifications(UserId(3), None, 1).expect("page");
        assert_eq!(
            newest
                .iter()
                .map(|n| (n.request.0, n.read))
                .collect::<Vec<_>>(),
            vec![(5, true)]
        );
    }
}
