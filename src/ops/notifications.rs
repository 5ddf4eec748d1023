//! Each user's inbox: the notices of the events that concern them, the unread count in the
//! header, and marking them read.

use super::request_views::{MAX_PAGE, Page};
use super::{Error, Ops};
use crate::domain::notification::Notification;
use crate::domain::request::{Approver, RequestId};
use crate::domain::{Role, User};
use crate::storage::Listing;

impl Ops {
    /// The header's counters: unread notifications and requests waiting for my decision.
    /// Kept until the next commit.
    pub fn header_counts(&self, user: &User) -> Result<(u64, u64), Error> {
        let generation = self.store().generation();
        let admin = user.role == Role::Admin;
        let counts = self
            .inner
            .header_counts
            .get(generation, (user.id, admin), || {
                let reader = self.store().read()?;
                let mut approvals =
                    reader.count_listing(Listing::PendingFor(Approver::User(user.id)))?;
                if admin {
                    approvals += reader.count_listing(Listing::PendingFor(Approver::Admins))?;
                }
                Ok(Some((reader.unread_count(user.id)?, approvals)))
            })?;
        Ok(counts.unwrap_or_default())
    }

    /// A user's inbox, newest first, with each request's service name.
    pub fn notifications(
        &self,
        user: &User,
        cursor: Option<u64>,
        limit: usize,
    ) -> Result<Page<(Notification, String)>, Error> {
        let reader = self.store().read()?;
        let limit = limit.clamp(1, MAX_PAGE);
        let mut found = reader.notifications(user.id, cursor, limit + 1)?;
        let next = (found.len() > limit).then(|| found[limit - 1].id);
        found.truncate(limit);
        // The service's name from each request's summary (not the request with its answers),
        // through the listings' memo of this generation: a page names the same requests again.
        let mut requests: Vec<_> = found.iter().map(|n| n.request).collect();
        requests.sort_unstable();
        requests.dedup();
        let summaries = self.inner.summaries.over(&reader)?.of_listed(&requests)?;
        let mut items = Vec::with_capacity(found.len());
        for n in found {
            let service = requests
                .binary_search(&n.request)
                .ok()
                .and_then(|at| summaries[at].as_ref())
                .map(|s| s.service_name.clone())
                .unwrap_or_default();
            items.push((n, service));
        }
        Ok(Page { items, next })
    }

    /// Marks one of `user`'s notifications read and answers it.
    pub async fn mark_read(&self, user: &User, id: u64) -> Result<Notification, Error> {
        let user = user.id;
        self.store()
            .write_batched(move |w| {
                if !w.mark_read(user, id)? {
                    return Err(Error::NotFound);
                }
                w.notification(user, id)?.ok_or(Error::NotFound)
            })
            .await
    }

    /// Marks read `user`'s notifications about `request`, once it has been opened. Answers how
    /// many; writes nothing when there are none.
    pub async fn mark_request_read(&self, user: &User, request: RequestId) -> Result<usize, Error> {
        let unread = self.store().read()?.unread_about(user.id, request)?;
        if unread.is_empty() {
            return Ok(0);
        }
        let user = user.id;
        self.store()
            .write_batched(move |w| {
                for id in &unread {
                    w.mark_read(user, *id)?;
                }
                Ok::<_, Error>(unread.len())
            })
            .await
    }

    pub async fn mark_all_read(&self, user: &User) -> Result<usize, Error> {
        let user = user.id;
        self.store()
            .write_batched(move |w| Ok::<_, Error>(w.mark_all_read(user)?))
            .await
    }
}
