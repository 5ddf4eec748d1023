//! A request as lists show and filter it: kept apart from the full request (its form snapshot,
//! answers and steps) so that a page of a list decodes little.

use super::{Request, RequestId, Status};
use crate::domain::{ServiceId, Timestamp, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub id: RequestId,
    pub service_id: ServiceId,
    pub service_name: String,
    pub requester: UserId,
    pub status: Status,
    pub assignee: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub due_at: Option<Timestamp>,
}

impl Request {
    pub fn summary(&self) -> Summary {
        Summary {
            id: self.id,
            service_id: self.service_id,
            service_name: self.service_name.clone(),
            requester: self.requester,
            status: self.status,
            assignee: self.assignee,
            created_at: self.created_at,
            updated_at: self.updated_at,
            due_at: self.due_at,
        }
    }
}
