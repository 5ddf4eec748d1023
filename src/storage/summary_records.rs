//! Stored forms of request summaries: version 1 (schema 4), and version 2 (schema 5) with the
//! SLA facts lists show, filter and sort on. Frozen: a change is a new version.

use super::Error;
use super::codes::{status_code, status_from};
use crate::domain::request::{RequestId, SlaSummary, Summary};
use crate::domain::{ServiceId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub enum SummaryRecord {
    V1(SummaryV1),
    /// Schema 5: with the SLA facts lists show, filter and sort on.
    V2(SummaryV2),
}

#[derive(Serialize, Deserialize)]
pub struct SummaryV1 {
    pub id: u64,
    pub service_id: u64,
    pub service_name: String,
    pub requester: u64,
    pub status: u8,
    pub assignee: Option<u64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub due_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
pub struct SummaryV2 {
    pub base: SummaryV1,
    pub sla: Option<SlaSummaryV1>,
    pub paused: bool,
    pub wake_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
pub struct SlaSummaryV1 {
    pub policy_id: u64,
    pub response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    pub next_due: Option<i64>,
    pub breached: bool,
}

impl From<&Summary> for SummaryRecord {
    fn from(s: &Summary) -> Self {
        SummaryRecord::V2(SummaryV2 {
            base: SummaryV1 {
                id: s.id.0,
                service_id: s.service_id.0,
                service_name: s.service_name.clone(),
                requester: s.requester.0,
                status: status_code(s.status),
                assignee: s.assignee.map(|u| u.0),
                created_at: s.created_at.0,
                updated_at: s.updated_at.0,
                due_at: s.due_at.map(|t| t.0),
            },
            sla: s.sla.as_ref().map(|sla| SlaSummaryV1 {
                policy_id: sla.policy_id,
                response_due: sla.response_due.map(|t| t.0),
                resolution_due: sla.resolution_due.map(|t| t.0),
                next_due: sla.next_due.map(|t| t.0),
                breached: sla.breached,
            }),
            paused: s.paused,
            wake_at: s.wake_at.map(|t| t.0),
        })
    }
}

impl TryFrom<SummaryRecord> for Summary {
    type Error = Error;
    fn try_from(record: SummaryRecord) -> Result<Summary, Error> {
        let (s, sla, paused, wake_at) = match record {
            // Written before SLA policies existed: no SLA, never paused.
            SummaryRecord::V1(s) => (s, None, false, None),
            SummaryRecord::V2(v) => (v.base, v.sla, v.paused, v.wake_at),
        };
        Ok(Summary {
            sla: sla.map(|sla| SlaSummary {
                policy_id: sla.policy_id,
                response_due: sla.response_due.map(Timestamp),
                resolution_due: sla.resolution_due.map(Timestamp),
                next_due: sla.next_due.map(Timestamp),
                breached: sla.breached,
            }),
            paused,
            wake_at: wake_at.map(Timestamp),
            id: RequestId(s.id),
            service_id: ServiceId(s.service_id),
            service_name: s.service_name,
            requester: UserId(s.requester),
            status: status_from("request_summaries", s.status)?,
            assignee: s.assignee.map(UserId),
            created_at: Timestamp(s.created_at),
            updated_at: Timestamp(s.updated_at),
            due_at: s.due_at.map(Timestamp),
        })
    }
}
