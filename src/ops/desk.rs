//! The IT desk: requests filtered by status, service, assignee and requester, and the choices
//! its filters offer.

use super::listing::DeskFilter;
use super::request_views::{Page, RequestRow};
use super::{Error, Ops};
use crate::domain::User;

/// What the desk's filters offer.
pub struct DeskOptions {
    pub services: Vec<crate::domain::Service>,
    pub staff: Vec<User>,
    pub requesters: Vec<User>,
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
        let page = self.list_requests(viewer, filter)?;
        let reader = self.store().read()?;
        let mut users = reader.users()?;
        users.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        let staff = users
            .iter()
            .filter(|u| u.active && u.role.is_staff())
            .cloned()
            .collect();
        let mut services = reader.services()?;
        services.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((
            page,
            DeskOptions {
                services,
                staff,
                requesters: users,
            },
        ))
    }
}
