//! Listings with filters: the IT desk (status, service, assignee, requester) and the choices
//! its filters offer, and "my requests" filtered the same way.

use super::listing::DeskFilter;
use super::request_views::{Page, RequestRow};
use super::snapshots::People;
use super::{Error, Ops};
use crate::domain::User;
use std::sync::Arc;

/// What the desk's filters offer.
pub struct DeskOptions {
    /// Every service, by name.
    pub services: Arc<[(crate::domain::ServiceId, String)]>,
    /// Every user by name (requesters), the IT team among them (`People::staff`).
    pub people: Arc<People>,
}

impl Ops {
    /// The desk, for the IT team only.
    pub fn desk(
        &self,
        viewer: &User,
        filter: DeskFilter,
    ) -> Result<(Page<RequestRow>, DeskOptions), Error> {
        if !viewer.role.is_staff() {
            return Err(Error::Forbidden("the desk is for the IT team"));
        }
        let reader = self.store().read()?;
        let page = self.summaries_of(&reader, viewer, filter, self.now())?;
        let page = self.rows(&reader, page)?;
        let services = Arc::clone(&self.catalog(&reader)?.choices);
        let people = self.people(&reader)?;
        Ok((page, DeskOptions { services, people }))
    }

    /// `user`'s own requests that `filter` lets through (its status, service and cursor), a
    /// page at a time, whatever their role.
    pub fn my_requests_filtered(
        &self,
        user: &User,
        mut filter: DeskFilter,
    ) -> Result<Page<RequestRow>, Error> {
        filter.requester = Some(user.id);
        filter.assignee = None;
        filter.due = None;
        filter.urgent = false;
        let reader = self.store().read()?;
        let page = self.summaries_of(&reader, user, filter, self.now())?;
        self.rows(&reader, page)
    }

    /// Every service by name, for the filters of a list.
    pub fn service_choices(&self) -> Result<Arc<[(crate::domain::ServiceId, String)]>, Error> {
        Ok(Arc::clone(
            &self.catalog_at(self.store().generation())?.choices,
        ))
    }
}
