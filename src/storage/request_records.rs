//! Stored forms of requests, timeline events and notifications (schema 4). Frozen: a change is
//! a new version.

use super::Error;
use super::catalog_records::{FieldV1, field_from_record, field_record};
use super::codes::{
    RULE_MANAGER, RULE_TEAM_LEAD, RULE_USER, clock_code, clock_from, notice_code, notice_from,
    reason_code, reason_from, recipient_code, recipient_from, status_code, status_from, unknown,
};
use crate::domain::form::{Answer, FileMeta};
use crate::domain::notification::Notification;
use crate::domain::request::{
    Approver, Attachment, Decision, Event, EventKind, Request, RequestId, Step,
};
use crate::domain::service::ApprovalRule;
use crate::domain::{ServiceId, TeamId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

const TABLE: &str = "requests";

#[derive(Serialize, Deserialize)]
pub enum RequestRecord {
    V1(RequestV1),
}

#[derive(Serialize, Deserialize)]
pub struct RequestV1 {
    pub id: u64,
    pub service_id: u64,
    pub service_name: String,
    pub requester: u64,
    pub status: u8,
    pub data: Vec<(String, AnswerV1)>,
    pub form: Vec<FieldV1>,
    pub attachments: Vec<(String, String, u64)>,
    pub assignee: Option<u64>,
    pub team: Option<u64>,
    pub steps: Vec<StepV1>,
    pub created_at: i64,
    pub updated_at: i64,
    pub due_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub events: u32,
}

#[derive(Serialize, Deserialize)]
pub enum AnswerV1 {
    Text(String),
    Number(f64),
    Choices(Vec<String>),
    Flag(bool),
    File(String, u64),
}

#[derive(Serialize, Deserialize)]
pub struct StepV1 {
    /// `codes::RULE_*`: manager, team lead, designated user (`rule_user`).
    pub rule: u8,
    pub rule_user: u64,
    /// 0 for "any administrator".
    pub approver: u64,
    pub decision: Option<DecisionV1>,
}

#[derive(Serialize, Deserialize)]
pub struct DecisionV1 {
    pub by: u64,
    pub approved: bool,
    pub at: i64,
    pub overridden: bool,
}

fn approver_code(a: Approver) -> u64 {
    match a {
        Approver::User(id) => id.0,
        Approver::Admins => 0,
    }
}

fn approver_from(code: u64) -> Approver {
    if code == 0 {
        Approver::Admins
    } else {
        Approver::User(UserId(code))
    }
}

impl From<&Request> for RequestRecord {
    fn from(r: &Request) -> Self {
        RequestRecord::V1(RequestV1 {
            id: r.id.0,
            service_id: r.service_id.0,
            service_name: r.service_name.clone(),
            requester: r.requester.0,
            status: status_code(r.status),
            data: r
                .data
                .iter()
                .map(|(k, a)| {
                    let answer = match a {
                        Answer::Text(t) => AnswerV1::Text(t.clone()),
                        Answer::Number(n) => AnswerV1::Number(*n),
                        Answer::Choices(c) => AnswerV1::Choices(c.clone()),
                        Answer::Flag(f) => AnswerV1::Flag(*f),
                        Answer::File(f) => AnswerV1::File(f.name.clone(), f.size),
                    };
                    (k.clone(), answer)
                })
                .collect(),
            form: r.form.iter().map(field_record).collect(),
            attachments: r
                .attachments
                .iter()
                .map(|a| (a.key.clone(), a.name.clone(), a.size))
                .collect(),
            assignee: r.assignee.map(|u| u.0),
            team: r.team.map(|t| t.0),
            steps: r
                .steps
                .iter()
                .map(|s| {
                    let (rule, rule_user) = match s.rule {
                        ApprovalRule::Manager => (RULE_MANAGER, 0),
                        ApprovalRule::TeamLead => (RULE_TEAM_LEAD, 0),
                        ApprovalRule::User(id) => (RULE_USER, id.0),
                    };
                    StepV1 {
                        rule,
                        rule_user,
                        approver: approver_code(s.approver),
                        decision: s.decision.as_ref().map(|d| DecisionV1 {
                            by: d.by.0,
                            approved: d.approved,
                            at: d.at.0,
                            overridden: d.overridden,
                        }),
                    }
                })
                .collect(),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            due_at: r.due_at.map(|t| t.0),
            closed_at: r.closed_at.map(|t| t.0),
            events: r.events,
        })
    }
}

impl TryFrom<RequestRecord> for Request {
    type Error = Error;
    fn try_from(record: RequestRecord) -> Result<Request, Error> {
        let RequestRecord::V1(r) = record;
        let mut steps = Vec::with_capacity(r.steps.len());
        for s in r.steps {
            let rule = match s.rule {
                RULE_MANAGER => ApprovalRule::Manager,
                RULE_TEAM_LEAD => ApprovalRule::TeamLead,
                RULE_USER => ApprovalRule::User(UserId(s.rule_user)),
                other => return Err(unknown(TABLE, "approval rule", other)),
            };
            steps.push(Step {
                rule,
                approver: approver_from(s.approver),
                decision: s.decision.map(|d| Decision {
                    by: UserId(d.by),
                    approved: d.approved,
                    at: Timestamp(d.at),
                    overridden: d.overridden,
                }),
            });
        }
        Ok(Request {
            id: RequestId(r.id),
            service_id: ServiceId(r.service_id),
            service_name: r.service_name,
            requester: UserId(r.requester),
            status: status_from(TABLE, r.status)?,
            data: r
                .data
                .into_iter()
                .map(|(k, a)| {
                    let answer = match a {
                        AnswerV1::Text(t) => Answer::Text(t),
                        AnswerV1::Number(n) => Answer::Number(n),
                        AnswerV1::Choices(c) => Answer::Choices(c),
                        AnswerV1::Flag(f) => Answer::Flag(f),
                        AnswerV1::File(name, size) => Answer::File(FileMeta { name, size }),
                    };
                    (k, answer)
                })
                .collect(),
            form: r
                .form
                .into_iter()
                .map(|f| field_from_record(f, TABLE))
                .collect::<Result<_, _>>()?,
            attachments: r
                .attachments
                .into_iter()
                .map(|(key, name, size)| Attachment { key, name, size })
                .collect(),
            assignee: r.assignee.map(UserId),
            team: r.team.map(TeamId),
            steps,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            due_at: r.due_at.map(Timestamp),
            closed_at: r.closed_at.map(Timestamp),
            events: r.events,
        })
    }
}

#[derive(Serialize, Deserialize)]
pub enum EventRecord {
    V1(EventV1),
}

#[derive(Serialize, Deserialize)]
pub struct EventV1 {
    pub at: i64,
    pub by: Option<u64>,
    pub kind: EventKindV1,
}

#[derive(Serialize, Deserialize)]
pub enum EventKindV1 {
    Submitted,
    /// Step, reason (`codes::reason_code`), approver (0 admins).
    ApproverFallback(u32, u8, u64),
    Approved(u32, String, bool),
    Rejected(u32, String, bool),
    Taken,
    Assigned(u64),
    Completed(String),
    Cancelled,
    Comment(String, bool),
    // Schema 5: appended (postcard numbers variants in order, so earlier ones read unchanged).
    Waiting(String),
    Resumed,
    /// Clock (`codes::clock_code`), percent, the instant it fell on, who was told
    /// (`codes::recipient_code`).
    Escalated(u8, u16, i64, Vec<u8>),
    Reminded,
    ClosedUnanswered(u32),
    // Schema 7: appended.
    DecidedByMail,
    // Schema 9: appended.
    /// Cancelled with a reason (without one: `Cancelled`, as before).
    CancelledBecause(String),
    /// Reason, the ended cycle's SLA result (0 none, 1 met, 2 breached).
    Reopened(String, u8),
    Released,
    /// The team it went to.
    Transferred(u64),
    ApprovedWhenFiled,
}

fn step_u32(step: usize) -> u32 {
    u32::try_from(step).unwrap_or(u32::MAX)
}

fn step_usize(step: u32) -> usize {
    usize::try_from(step).unwrap_or(usize::MAX)
}

impl From<&Event> for EventRecord {
    fn from(e: &Event) -> Self {
        let kind = match &e.kind {
            EventKind::Submitted => EventKindV1::Submitted,
            EventKind::ApproverFallback { step, reason, to } => EventKindV1::ApproverFallback(
                step_u32(*step),
                reason_code(*reason),
                approver_code(*to),
            ),
            EventKind::Approved {
                step,
                comment,
                overridden,
            } => EventKindV1::Approved(step_u32(*step), comment.clone(), *overridden),
            EventKind::Rejected {
                step,
                reason,
                overridden,
            } => EventKindV1::Rejected(step_u32(*step), reason.clone(), *overridden),
            EventKind::Taken => EventKindV1::Taken,
            EventKind::Assigned { to } => EventKindV1::Assigned(to.0),
            EventKind::Completed { resolution } => EventKindV1::Completed(resolution.clone()),
            EventKind::Cancelled { reason } if reason.is_empty() => EventKindV1::Cancelled,
            EventKind::Cancelled { reason } => EventKindV1::CancelledBecause(reason.clone()),
            EventKind::Comment { body, internal } => EventKindV1::Comment(body.clone(), *internal),
            EventKind::Waiting { body } => EventKindV1::Waiting(body.clone()),
            EventKind::Resumed => EventKindV1::Resumed,
            EventKind::Escalated {
                target,
                percent,
                due,
                notify,
            } => EventKindV1::Escalated(
                clock_code(*target),
                *percent,
                due.0,
                notify.iter().map(|r| recipient_code(*r)).collect(),
            ),
            EventKind::Reminded => EventKindV1::Reminded,
            EventKind::ClosedUnanswered { days } => EventKindV1::ClosedUnanswered(*days),
            EventKind::DecidedByMail => EventKindV1::DecidedByMail,
            EventKind::Reopened {
                reason,
                first_breached,
            } => EventKindV1::Reopened(
                reason.clone(),
                match first_breached {
                    None => 0,
                    Some(false) => 1,
                    Some(true) => 2,
                },
            ),
            EventKind::Released => EventKindV1::Released,
            EventKind::Transferred { team } => EventKindV1::Transferred(team.0),
            EventKind::ApprovedWhenFiled => EventKindV1::ApprovedWhenFiled,
        };
        EventRecord::V1(EventV1 {
            at: e.at.0,
            by: e.by.map(|u| u.0),
            kind,
        })
    }
}

impl TryFrom<EventRecord> for Event {
    type Error = Error;
    fn try_from(record: EventRecord) -> Result<Event, Error> {
        let EventRecord::V1(e) = record;
        let kind = match e.kind {
            EventKindV1::Submitted => EventKind::Submitted,
            EventKindV1::ApproverFallback(step, reason, to) => EventKind::ApproverFallback {
                step: step_usize(step),
                reason: reason_from("request_events", reason)?,
                to: approver_from(to),
            },
            EventKindV1::Approved(step, comment, overridden) => EventKind::Approved {
                step: step_usize(step),
                comment,
                overridden,
            },
            EventKindV1::Rejected(step, reason, overridden) => EventKind::Rejected {
                step: step_usize(step),
                reason,
                overridden,
            },
            EventKindV1::Taken => EventKind::Taken,
            EventKindV1::Assigned(to) => EventKind::Assigned { to: UserId(to) },
            EventKindV1::Completed(resolution) => EventKind::Completed { resolution },
            EventKindV1::Cancelled => EventKind::Cancelled {
                reason: String::new(),
            },
            EventKindV1::CancelledBecause(reason) => EventKind::Cancelled { reason },
            EventKindV1::Reopened(reason, result) => EventKind::Reopened {
                reason,
                first_breached: match result {
                    0 => None,
                    1 => Some(false),
                    2 => Some(true),
                    other => return Err(unknown("request_events", "SLA result", other)),
                },
            },
            EventKindV1::Released => EventKind::Released,
            EventKindV1::Transferred(team) => EventKind::Transferred { team: TeamId(team) },
            EventKindV1::ApprovedWhenFiled => EventKind::ApprovedWhenFiled,
            EventKindV1::Comment(body, internal) => EventKind::Comment { body, internal },
            EventKindV1::Waiting(body) => EventKind::Waiting { body },
            EventKindV1::Resumed => EventKind::Resumed,
            EventKindV1::DecidedByMail => EventKind::DecidedByMail,
            EventKindV1::Escalated(clock, percent, due, notify) => EventKind::Escalated {
                target: clock_from("request_events", clock)?,
                percent,
                due: Timestamp(due),
                notify: notify
                    .into_iter()
                    .map(|r| recipient_from("request_events", r))
                    .collect::<Result<_, _>>()?,
            },
            EventKindV1::Reminded => EventKind::Reminded,
            EventKindV1::ClosedUnanswered(days) => EventKind::ClosedUnanswered { days },
        };
        Ok(Event {
            at: Timestamp(e.at),
            by: e.by.map(UserId),
            kind,
        })
    }
}

#[derive(Serialize, Deserialize)]
pub enum NotificationRecord {
    V1(NotificationV1),
}

#[derive(Serialize, Deserialize)]
pub struct NotificationV1 {
    pub id: u64,
    pub user: u64,
    pub request: u64,
    pub kind: u8,
    pub at: i64,
    pub by: Option<u64>,
    pub read: bool,
}

impl From<&Notification> for NotificationRecord {
    fn from(n: &Notification) -> Self {
        NotificationRecord::V1(NotificationV1 {
            id: n.id,
            user: n.user.0,
            request: n.request.0,
            kind: notice_code(n.kind),
            at: n.at.0,
            by: n.by.map(|u| u.0),
            read: n.read,
        })
    }
}

impl TryFrom<NotificationRecord> for Notification {
    type Error = Error;
    fn try_from(record: NotificationRecord) -> Result<Notification, Error> {
        let NotificationRecord::V1(n) = record;
        Ok(Notification {
            id: n.id,
            user: UserId(n.user),
            request: RequestId(n.request),
            kind: notice_from("notifications", n.kind)?,
            at: Timestamp(n.at),
            by: n.by.map(UserId),
            read: n.read,
        })
    }
}
