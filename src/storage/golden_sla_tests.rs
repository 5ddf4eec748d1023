//! Golden bytes of calendars and SLA policies (schema 5), of the metrics roll-ups (schema 6),
//! the outbox's mails (schema 7), every kind of notification, and the events of a request's later
//! life (schema 9), held still like every stored record.

use super::golden_tests::golden;
use super::sla_records::{CalendarRecord, PolicyRecord};
use crate::domain::sla::{
    CalendarDef, CalendarInput, Clock, Recipient, SlaPolicy, Target, TargetUnit, Threshold,
};

#[test]
fn calendars_and_policies() {
    let (name, calendar) = CalendarInput {
        name: "Heures de bureau".into(),
        time_zone: "Europe/Paris".into(),
        hours: vec![
            ("mon".into(), "09:00".into(), "12:30".into()),
            ("mon".into(), "13:30".into(), "18:00".into()),
            ("sun".into(), "00:00".into(), "24:00".into()),
        ],
        holidays: vec![
            ("2000-12-25".into(), "Noël".into(), true),
            ("2027-03-29".into(), "Lundi de Pâques".into(), false),
        ],
    }
    .check()
    .expect("valid");
    golden::<CalendarRecord, _>(
        "calendar-v1",
        &CalendarDef {
            id: 3,
            name,
            calendar,
        },
    );
    let (name, calendar) = CalendarInput {
        name: "24/7 New York".into(),
        time_zone: "America/New_York".into(),
        ..CalendarInput::default()
    }
    .check()
    .expect("valid");
    golden::<CalendarRecord, _>(
        "calendar-v1-always",
        &CalendarDef {
            id: 4,
            name,
            calendar,
        },
    );
    let policy = SlaPolicy {
        id: 2,
        name: "Critique".into(),
        calendar_id: Some(3),
        response: Some(Target {
            value: 30,
            unit: TargetUnit::Minutes,
        }),
        resolution: Some(Target {
            value: 2,
            unit: TargetUnit::Days,
        }),
        thresholds: vec![
            Threshold {
                target: Clock::Response,
                percent: 100,
                notify: vec![Recipient::Team, Recipient::TeamLead],
            },
            Threshold {
                target: Clock::Resolution,
                percent: 150,
                notify: vec![Recipient::Assignee, Recipient::Admins],
            },
        ],
    };
    golden::<PolicyRecord, _>("sla-policy-v1", &policy);
    let bare = SlaPolicy {
        id: 5,
        name: "Réponse seulement".into(),
        calendar_id: None,
        response: Some(Target {
            value: 4,
            unit: TargetUnit::Hours,
        }),
        resolution: None,
        thresholds: Vec::new(),
    };
    golden::<PolicyRecord, _>("sla-policy-v1-bare", &bare);
}

#[test]
fn rollups() {
    use super::rollups::RollupRecord;
    use crate::domain::metrics::Counters;
    let counters = Counters {
        submitted: 3,
        finished: 2,
        cancelled: 1,
        rejected: 0,
        reopened: 0,
        total_seconds: 90_000,
        approval_seconds: 3_600,
        queue_seconds: 7_200,
        work_seconds: 72_000,
        paused_seconds: 7_200,
        responded: 2,
        response_seconds: 7_200,
        sla_met: 1,
        sla_breached: 1,
        estimate_met: 0,
        estimate_late: 0,
        histogram: [(102, 1), (115, 1)].into_iter().collect(),
    };
    golden::<RollupRecord, _>("rollup-v1", &counters);
    golden::<RollupRecord, _>("rollup-v1-empty", &Counters::default());
}

/// Services as written by issue 14 (version 2, read as they were: they may be filed for
/// someone else) and since issue 16 (version 3), from the version-1 golden service with all
/// its fields: with and without the new ones set.
pub(super) fn services_v2(service: &crate::domain::Service) {
    use super::catalog_records::ServiceRecord;
    use super::golden_tests::golden_old;
    let mut v2 = service.clone();
    v2.created_at = Some(crate::domain::Timestamp(1_796_025_600));
    v2.show_usual_time = true;
    golden_old::<ServiceRecord, _>("service-v2-every-field", &v2);
    let mut v3 = v2.clone();
    v3.on_behalf = false;
    golden::<ServiceRecord, _>("service-v3-every-field", &v3);
    v2.form.clear();
    v2.created_at = None;
    v2.show_usual_time = false;
    golden_old::<ServiceRecord, _>("service-v2-plain", &v2);
    golden::<ServiceRecord, _>("service-v3-plain", &v2);
}

/// Mails of the outbox (schema 7): a notice waiting for its next attempt, a test mail sent, a
/// mail given up. The id is the key, not part of the record.
#[test]
fn mails() {
    use super::outbox::MailRecord;
    use crate::domain::mail::{Mail, MailBody, MailState};
    use crate::domain::notification::NoticeKind;
    use crate::domain::request::RequestId;
    use crate::domain::{Timestamp, UserId};
    let notice = MailBody::Notice {
        user: UserId(3),
        request: RequestId(321),
        kind: NoticeKind::ApprovalNeeded,
        at: Timestamp(1_796_025_600),
        by: Some(UserId(2)),
    };
    let mut mail = Mail::new("bob@example.org".into(), notice, Timestamp(1_796_025_600));
    mail.attempts = 2;
    mail.state = MailState::Pending {
        next_at: Timestamp(1_796_025_780),
        last_error: Some("451 4.3.0 try again later".into()),
    };
    golden::<MailRecord, _>("mail-v1-pending", &mail);
    let mut test = Mail::new(
        "camille@example.org".into(),
        MailBody::Test { by: UserId(1) },
        Timestamp(1_796_025_600),
    );
    test.sent(Timestamp(1_796_025_601));
    golden::<MailRecord, _>("mail-v1-sent", &test);
    mail.state = MailState::Failed {
        at: Timestamp(1_796_032_800),
        error: "550 5.1.1 no such mailbox".into(),
    };
    golden::<MailRecord, _>("mail-v1-failed", &mail);
    let digest = Mail::new(
        "tom@example.org".into(),
        MailBody::Digest { user: UserId(4) },
        Timestamp(1_796_025_600),
    );
    golden::<MailRecord, _>("mail-v1-digest", &digest);
    let reset = Mail::new(
        "alice@example.org".into(),
        MailBody::PasswordReset { user: UserId(3) },
        Timestamp(1_796_025_600),
    );
    golden::<MailRecord, _>("mail-v1-password-reset", &reset);
    // The timeline entry of a decision taken from an approval mail (appended in schema 7).
    let by_mail = crate::domain::request::Event {
        at: Timestamp(1_796_025_600),
        by: Some(UserId(2)),
        kind: crate::domain::request::EventKind::DecidedByMail,
    };
    golden::<super::request_records::EventRecord, _>("event-v1-decided_by_mail", &by_mail);
}

/// The events of a request's later life (appended in schema 9).
#[test]
fn request_life_events() {
    use crate::domain::request::{Event, EventKind};
    use crate::domain::{TeamId, Timestamp, UserId};
    let kinds = [
        (
            "cancelled-with-reason",
            EventKind::Cancelled {
                reason: "Doublon de REQ-000120".into(),
            },
        ),
        (
            "reopened-no-sla",
            EventKind::Reopened {
                reason: "L’écran clignote encore".into(),
                first_breached: None,
            },
        ),
        (
            "reopened-met",
            EventKind::Reopened {
                reason: "Toujours pas".into(),
                first_breached: Some(false),
            },
        ),
        (
            "reopened-breached",
            EventKind::Reopened {
                reason: "Encore".into(),
                first_breached: Some(true),
            },
        ),
        ("released", EventKind::Released),
        ("transferred", EventKind::Transferred { team: TeamId(4) }),
        ("approved-when-filed", EventKind::ApprovedWhenFiled),
    ];
    for (name, kind) in kinds {
        let event = Event {
            at: Timestamp(1_796_112_000),
            by: Some(UserId(4)),
            kind,
        };
        golden::<super::request_records::EventRecord, _>(&format!("event-v1-{name}"), &event);
    }
}

#[test]
fn every_kind_of_notification() {
    use super::request_records::NotificationRecord;
    use crate::domain::notification::{NoticeKind, Notification};
    use crate::domain::request::RequestId;
    use crate::domain::{Timestamp, UserId};
    for (i, kind) in NoticeKind::ALL.into_iter().enumerate() {
        let notification = Notification {
            id: 1000 + u64::try_from(i).expect("small"),
            user: UserId(42),
            request: RequestId(321),
            kind,
            at: Timestamp(1_795_856_400),
            by: (i % 2 == 0).then_some(UserId(7)),
            read: i % 3 == 0,
        };
        golden::<NotificationRecord, _>(&format!("notification-v1-{}", kind.code()), &notification);
    }
}

/// An entry of the audit trail (schema 10).
#[test]
fn an_audit_entry() {
    use crate::domain::audit::{AuditEntry, AuditKind};
    use crate::domain::{Timestamp, UserId};
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let entry = AuditEntry {
        id: 0,
        at: Timestamp(1_796_112_000),
        by: UserId(1),
        kind: AuditKind::User,
        target: 3,
        target_name: "alice".into(),
        action: "updated".into(),
        before: vec![pair("role", "requester"), pair("active", "true")],
        after: vec![pair("role", "admin"), pair("active", "true")],
    };
    golden::<super::audit::AuditRecord, _>("audit-v1", &entry);
}
