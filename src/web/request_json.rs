//! How the API writes a request, its timeline entries and notifications as JSON.

use super::api::time;
use super::state::AppState;
use crate::domain::form::RequestData;
use crate::domain::ids::fill_digits;
use crate::domain::notification::Notification;
use crate::domain::request::{Approver, Event, EventKind, Request, RequestId, Summary};
use crate::domain::service::ApprovalRule;
use crate::domain::{ServiceId, TeamId, Timestamp, UserId};
use crate::ops::Error;
use serde::Serialize;
use serde_json::{Value, json};

#[path = "detail_json.rs"]
mod detail_json;

/// `value` as a JSON answer, written into one buffer sized for a page of a listing (the
/// notifications'; the requests' is written by hand, `listing_json.rs`). axum's `Json` writes
/// through `BytesMut`'s writer from 128 bytes up, a call per fragment, which cost a listing of
/// 25 requests more than the rest of its answer.
pub(super) fn json_answer<T: Serialize>(value: &T) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let mut body = Vec::with_capacity(16 * 1024);
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => json_body(body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// JSON already written, as an answer.
pub(super) fn json_body(body: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// A request with its SLA facts, as `viewer` may read them.
pub(super) fn request_value<'a>(
    state: &AppState,
    viewer: &crate::domain::User,
    r: &'a Request,
) -> Result<Detail<'a>, Error> {
    let facts = state.ops.sla_facts(viewer, r)?;
    Ok(Detail::of(r, facts))
}

/// A request's own document (`GET /api/v1/requests/{id}`, and the answer to a submission or
/// an action), written straight from typed fields rather than through `serde_json::Value`,
/// which sorted its keys: the fields are declared in that order, so the document reads as it
/// did.
#[derive(Serialize)]
pub(super) struct Detail<'a> {
    approval_steps: Vec<StepDoc>,
    assignee_id: Option<UserId>,
    attachments: Vec<AttachmentDoc<'a>>,
    breached: bool,
    closed_at: Option<Rfc3339>,
    created_at: Rfc3339,
    data: &'a RequestData,
    due_at: Option<Rfc3339>,
    #[serde(skip_serializing_if = "Option::is_none")]
    escalations: Option<Vec<EscalationDoc>>,
    /// The estimate, indicative; the SLA deadlines are `due_at` and `response_due_at`.
    expected_at: Option<Rfc3339>,
    form: Vec<FieldDoc<'a>>,
    id: u64,
    number: Number,
    paused: bool,
    requester_id: UserId,
    response_due_at: Option<Rfc3339>,
    service_id: ServiceId,
    service_name: &'a str,
    sla_policy_id: Option<u64>,
    status: &'static str,
    team_id: Option<TeamId>,
    updated_at: Rfc3339,
}

#[derive(Serialize)]
struct FieldDoc<'a> {
    kind: &'static str,
    key: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct AttachmentDoc<'a> {
    key: &'a str,
    name: &'a str,
    size: u64,
    url: String,
}

#[derive(Serialize)]
struct StepDoc {
    approver_id: ApproverDoc,
    decision: Option<DecisionDoc>,
    rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<UserId>,
}

/// A user's id, or `"admins"` for "any administrator".
struct ApproverDoc(Approver);

impl Serialize for ApproverDoc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Approver::User(id) => id.serialize(serializer),
            Approver::Admins => serializer.serialize_str("admins"),
        }
    }
}

#[derive(Serialize)]
struct DecisionDoc {
    at: Rfc3339,
    approved: bool,
    by: UserId,
    overridden: bool,
}

#[derive(Serialize)]
struct EscalationDoc {
    at: Rfc3339,
    percent: u16,
    target: &'static str,
}

impl<'a> Detail<'a> {
    pub(super) fn of(r: &'a Request, facts: crate::ops::SlaFacts) -> Self {
        let number = r.id.number();
        Detail {
            approval_steps: r
                .steps
                .iter()
                .map(|s| {
                    let (rule, user_id) = match s.rule {
                        ApprovalRule::Manager => ("manager", None),
                        ApprovalRule::TeamLead => ("team_lead", None),
                        ApprovalRule::User(id) => ("user", Some(id)),
                    };
                    StepDoc {
                        approver_id: ApproverDoc(s.approver),
                        decision: s.decision.as_ref().map(|d| DecisionDoc {
                            at: Rfc3339(d.at),
                            approved: d.approved,
                            by: d.by,
                            overridden: d.overridden,
                        }),
                        rule,
                        user_id,
                    }
                })
                .collect(),
            assignee_id: r.assignee,
            attachments: r
                .attachments
                .iter()
                .map(|a| AttachmentDoc {
                    key: &a.key,
                    name: &a.name,
                    size: a.size,
                    url: format!("/api/v1/requests/{number}/attachments/{}", a.key),
                })
                .collect(),
            breached: facts.breached,
            closed_at: r.closed_at.map(Rfc3339),
            created_at: Rfc3339(r.created_at),
            data: &r.data,
            due_at: facts.resolution_due.map(Rfc3339),
            escalations: facts.escalations.map(|list| {
                list.into_iter()
                    .map(|(target, percent, at)| EscalationDoc {
                        at: Rfc3339(at),
                        percent,
                        target: target.code(),
                    })
                    .collect()
            }),
            expected_at: r.due_at.map(Rfc3339),
            form: r
                .form
                .iter()
                .map(|f| FieldDoc {
                    kind: f.kind.code(),
                    key: &f.key,
                    label: &f.label,
                })
                .collect(),
            id: r.id.0,
            number: Number(r.id),
            paused: facts.paused,
            requester_id: r.requester,
            response_due_at: facts.response_due.map(Rfc3339),
            service_id: r.service_id,
            service_name: &r.service_name,
            sla_policy_id: facts.policy_id,
            status: r.status.code(),
            team_id: r.team,
            updated_at: Rfc3339(r.updated_at),
        }
    }
}

pub(super) fn event_json(e: &Event) -> Value {
    let mut v = json!({ "type": e.kind.code(), "at": time(e.at), "by": e.by });
    let extra = match &e.kind {
        EventKind::ApproverFallback { step, to, .. } => json!({ "step": step, "to": match to {
            Approver::User(id) => json!(id),
            Approver::Admins => json!("admins"),
        }}),
        EventKind::Approved {
            step,
            comment,
            overridden,
        } => json!({ "step": step, "comment": comment, "overridden": overridden }),
        EventKind::Rejected {
            step,
            reason,
            overridden,
        } => json!({ "step": step, "reason": reason, "overridden": overridden }),
        EventKind::Assigned { to } => json!({ "to": to }),
        EventKind::Completed { resolution } => json!({ "resolution": resolution }),
        EventKind::Comment { body, internal } => json!({ "body": body, "internal": internal }),
        EventKind::Waiting { body } => json!({ "body": body }),
        EventKind::Escalated {
            target,
            percent,
            due,
            notify,
        } => json!({
            "target": target.code(), "percent": percent, "due": time(*due),
            "notify": notify.iter().map(|r| r.code()).collect::<Vec<_>>(),
        }),
        EventKind::ClosedUnanswered { days } => json!({ "days": days }),
        EventKind::Cancelled { reason } => json!({ "reason": reason }),
        EventKind::Reopened {
            reason,
            first_breached,
        } => json!({ "reason": reason, "first_cycle_breached": first_breached }),
        EventKind::Transferred { team } => json!({ "team_id": team.0 }),
        EventKind::Submitted
        | EventKind::Taken
        | EventKind::Released
        | EventKind::Resumed
        | EventKind::DecidedByMail
        | EventKind::ApprovedWhenFiled
        | EventKind::Reminded => json!({}),
    };
    if let (Some(target), Value::Object(fields)) = (v.as_object_mut(), extra) {
        target.extend(fields);
    }
    v
}

pub(super) fn notification_json(n: &Notification, service: &str) -> Value {
    json!({
        "id": n.id,
        "kind": n.kind.code(),
        "request_id": n.request.0,
        "request_number": n.request.number(),
        "service_name": service,
        "by": n.by,
        "at": time(n.at),
        "read": n.read,
    })
}

/// A page of a listing of requests.
#[derive(Serialize)]
pub(super) struct Listing<'a> {
    pub items: Vec<Listed<'a>>,
    /// The number to pass as `before` for the next page.
    pub next: Option<String>,
}

/// A request as a listing shows it: what its summary holds. Its answers, form, approval steps
/// and escalations are in its own document (`GET /api/v1/requests/{id}`).
#[derive(Serialize)]
pub(super) struct Listed<'a> {
    pub(super) id: u64,
    pub(super) number: Number,
    pub(super) service_id: u64,
    pub(super) service_name: &'a str,
    pub(super) status: &'static str,
    pub(super) requester_id: u64,
    pub(super) assignee_id: Option<u64>,
    pub(super) created_at: Rfc3339,
    pub(super) updated_at: Rfc3339,
    pub(super) expected_at: Option<Rfc3339>,
    pub(super) sla_policy_id: Option<u64>,
    pub(super) due_at: Option<Rfc3339>,
    pub(super) response_due_at: Option<Rfc3339>,
    pub(super) breached: bool,
    pub(super) paused: bool,
}

/// A time as `time_text` writes it (RFC 3339 in UTC, to the second), written digit by digit: a
/// listing has up to five per item, and formatting each through jiff's `Display` was a fifth
/// of the listing's own work.
pub(super) struct Rfc3339(pub Timestamp);

impl Rfc3339 {
    /// The time as written, or none where jiff has no time for it (then `null`).
    pub(super) fn text(&self) -> Option<TimeText> {
        let at = jiff::Timestamp::from_second(self.0.0).ok()?;
        let t = jiff::tz::Offset::UTC.to_datetime(at);
        // jiff's years end at 9999: four digits; before year 0, as jiff writes it.
        let Ok(year) = u64::try_from(t.year()) else {
            return Some(TimeText::Other(at.to_string()));
        };
        let field = |n: i8| u64::from(n.unsigned_abs());
        let mut out = *b"0000-00-00T00:00:00Z";
        fill_digits(&mut out[..4], year);
        for (from, n) in [
            (5, field(t.month())),
            (8, field(t.day())),
            (11, field(t.hour())),
            (14, field(t.minute())),
            (17, field(t.second())),
        ] {
            fill_digits(&mut out[from..from + 2], n);
        }
        Some(TimeText::Digits(out))
    }
}

/// A time's text: its digits on the stack, or jiff's own writing before year 0.
pub(super) enum TimeText {
    Digits([u8; 20]),
    Other(String),
}

impl TimeText {
    pub(super) fn as_str(&self) -> &str {
        match self {
            TimeText::Digits(digits) => std::str::from_utf8(digits).unwrap_or_default(),
            TimeText::Other(text) => text,
        }
    }
}

impl Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.text() {
            Some(text) => serializer.serialize_str(text.as_str()),
            None => serializer.serialize_none(),
        }
    }
}

/// A tracking number (`REQ-000042`), written on the stack rather than in a `String` per item.
pub(super) struct Number(pub RequestId);

impl Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.number_text().as_str())
    }
}

impl<'a> Listed<'a> {
    pub fn of(s: &'a Summary) -> Listed<'a> {
        let sla = s.sla.as_ref();
        Listed {
            id: s.id.0,
            number: Number(s.id),
            service_id: s.service_id.0,
            service_name: &s.service_name,
            status: s.status.code(),
            requester_id: s.requester.0,
            assignee_id: s.assignee.map(|a| a.0),
            created_at: Rfc3339(s.created_at),
            updated_at: Rfc3339(s.updated_at),
            expected_at: s.due_at.map(Rfc3339),
            sla_policy_id: sla.map(|x| x.policy_id),
            due_at: sla.and_then(|x| x.resolution_due).map(Rfc3339),
            response_due_at: sla.and_then(|x| x.response_due).map(Rfc3339),
            breached: sla.is_some_and(|x| x.breached),
            paused: s.paused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::api::time_text as text;
    use proptest::prelude::*;

    fn written(at: i64) -> Value {
        serde_json::to_value(Rfc3339(Timestamp(at))).expect("json")
    }

    #[test]
    fn times_read_as_time_text_writes_them() {
        assert_eq!(written(0), json!("1970-01-01T00:00:00Z"));
        assert_eq!(
            written(1_795_992_264),
            json!(text(Timestamp(1_795_992_264)))
        );
        assert_eq!(
            written(i64::MAX),
            Value::Null,
            "out of range: null, as before"
        );
        assert_eq!(
            written(-62_198_755_200),
            json!(text(Timestamp(-62_198_755_200)))
        );
    }

    proptest! {
        #[test]
        fn every_time_reads_as_time_text_writes_it(at in -377_705_116_800_i64..253_402_300_799) {
            prop_assert_eq!(written(at), json!(text(Timestamp(at))));
        }

        #[test]
        fn every_number_reads_as_the_request_writes_it(id in any::<u64>()) {
            let number = serde_json::to_value(Number(RequestId(id))).expect("json");
            prop_assert_eq!(number, json!(RequestId(id).number()));
        }
    }

    #[test]
    fn numbers_are_padded_to_six_digits_and_never_cut() {
        for (id, number) in [
            (0, "REQ-000000"),
            (42, "REQ-000042"),
            (999_999, "REQ-999999"),
            (1_234_567, "REQ-1234567"),
            (u64::MAX, "REQ-18446744073709551615"),
        ] {
            assert_eq!(
                serde_json::to_value(Number(RequestId(id))).expect("json"),
                number
            );
        }
    }
}
