//! Golden bytes: every stored record type and version, as committed files under
//! `tests/golden/`. Each file must decode to a known value (forever: old files stay readable)
//! and today's encoder must write the same bytes (while that version is the current one).
//!
//! A failure here means a stored type changed. Never edit a `…V1` struct or reorder an enum
//! that is stored: add a new version (`V2`) with a migration, keep the old golden files, and
//! add new ones with `GUICHET_BLESS_GOLDEN=1 cargo test golden`, which writes only missing files.

use super::Error;
use super::catalog_records::{CategoryRecord, ServiceRecord};
use super::records::{SessionRecord, TeamRecord, UserRecord, decode, encode};
use super::request_records::{EventRecord, RequestRecord};
use super::summary_records::SummaryRecord;
use crate::domain::form::{Answer, FieldKind, FileMeta, FormField, Limits};
use crate::domain::request::{
    Approver, Attachment, Decision, Event, EventKind, FallbackReason, Request, RequestId,
    SlaSummary, Status, Step, Summary,
};
use crate::domain::service::{ApprovalRule, Delay, DelayUnit};
use crate::domain::sla::{Clock, Recipient};
use crate::domain::{
    Category, CategoryId, Locale, Role, Service, ServiceId, Session, SessionKind, Team, TeamId,
    Timestamp, User, UserId, Username,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::path::PathBuf;

const CHANGED: &str = "a stored type changed: add a new version and a migration, never change \
                       an existing version (see storage/golden_tests.rs)";

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.bin"))
}

/// Checks `value` against the golden file `name`: the file decodes to `value`, and `value`
/// encodes to the file's bytes.
pub(super) fn golden<R, T>(name: &str, value: &T)
where
    R: Serialize + DeserializeOwned + for<'a> From<&'a T>,
    T: TryFrom<R, Error = Error> + PartialEq + Debug,
{
    let path = golden_path(name);
    let bytes = encode(&R::from(value)).expect("encode");
    if !path.exists() {
        assert!(
            std::env::var_os("GUICHET_BLESS_GOLDEN").is_some(),
            "{} is missing; a new record version writes its golden file with \
             GUICHET_BLESS_GOLDEN=1 cargo test golden",
            path.display()
        );
        std::fs::write(&path, &bytes).expect("write golden file");
    }
    let stored = std::fs::read(&path).expect("read golden file");
    let decoded = decode::<R, T>("golden", name, &stored)
        .unwrap_or_else(|e| panic!("{name}: {e}; {CHANGED}"));
    assert_eq!(
        &decoded, value,
        "{name} decodes to another value: {CHANGED}"
    );
    assert_eq!(
        bytes, stored,
        "{name} is now encoded differently: {CHANGED}"
    );
}

/// An older version's golden file: it must still decode to `value` (which today's code writes as
/// a newer version).
pub(super) fn golden_old<R, T>(name: &str, value: &T)
where
    R: DeserializeOwned,
    T: TryFrom<R, Error = Error> + PartialEq + Debug,
{
    let stored = std::fs::read(golden_path(name)).expect("read golden file");
    let decoded = decode::<R, T>("golden", name, &stored)
        .unwrap_or_else(|e| panic!("{name}: {e}; {CHANGED}"));
    assert_eq!(
        &decoded, value,
        "{name} decodes to another value: {CHANGED}"
    );
}

fn user(role: Role, locale: Option<Locale>) -> User {
    User {
        id: UserId(42),
        username: Username::parse("lea.martin").expect("valid"),
        display_name: "Léa Martin".into(),
        email: "lea@example.org".into(),
        password_hash: "$argon2id$v=19$m=7168,t=5,p=1$c2FsdA$aGFzaA".into(),
        role,
        manager_id: Some(UserId(7)),
        locale,
        active: true,
        must_change_password: false,
        created_at: Timestamp(1_795_856_400),
    }
}

#[test]
fn users_teams_and_sessions() {
    let fr = Some(Locale::Fr);
    let en = Some(Locale::En);
    golden_old::<UserRecord, _>("user-v1-requester-fr", &user(Role::Requester, fr));
    golden_old::<UserRecord, _>("user-v1-technician-en", &user(Role::Technician, en));
    let mut admin = user(Role::Admin, fr);
    admin.manager_id = None;
    admin.active = false;
    admin.must_change_password = true;
    golden_old::<UserRecord, _>("user-v1-admin", &admin);
    golden::<UserRecord, _>("user-v2-requester-fr", &user(Role::Requester, fr));
    golden::<UserRecord, _>("user-v2-technician-en", &user(Role::Technician, en));
    golden::<UserRecord, _>("user-v2-requester-auto", &user(Role::Requester, None));
    admin.locale = None;
    golden::<UserRecord, _>("user-v2-admin-auto", &admin);
    golden::<TeamRecord, _>(
        "team-v1",
        &Team {
            id: TeamId(3),
            name: "Support poste de travail".into(),
            lead_id: Some(UserId(4)),
            member_ids: vec![UserId(4), UserId(5)],
        },
    );
    for (name, kind, expires_at) in [
        (
            "session-v1-web",
            SessionKind::Web,
            Some(Timestamp(1_795_900_000)),
        ),
        (
            "session-v1-api-login",
            SessionKind::ApiLogin,
            Some(Timestamp(1_795_900_000)),
        ),
        ("session-v1-personal", SessionKind::Personal, None),
    ] {
        let session = Session {
            id: 9,
            user_id: UserId(42),
            kind,
            name: "sauvegarde nocturne".into(),
            csrf: "0f1e2d3c".into(),
            created_at: Timestamp(1_795_856_400),
            expires_at,
        };
        golden::<SessionRecord, _>(name, &session);
    }
}

fn every_kind_of_field() -> Vec<FormField> {
    let kinds = [
        FieldKind::Text,
        FieldKind::Textarea,
        FieldKind::Number,
        FieldKind::Select,
        FieldKind::Multiselect,
        FieldKind::Checkbox,
        FieldKind::Date,
        FieldKind::File,
    ];
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| FormField {
            key: format!("champ_{i}"),
            label: format!("Champ n° {i}"),
            help: if i % 2 == 0 {
                "aide".into()
            } else {
                String::new()
            },
            kind: *kind,
            required: i % 3 == 0,
            options: if i == 3 || i == 4 {
                vec!["Oui".into(), "Non".into()]
            } else {
                Vec::new()
            },
            limits: Limits {
                max_length: (i == 0).then_some(120),
                min: (i == 2).then_some(-1.5),
                max: (i == 2).then_some(64.0),
                not_in_past: i == 6,
                max_size_mb: (i == 7).then_some(5),
                allowed_types: if i == 7 {
                    vec!["pdf".into(), "png".into()]
                } else {
                    Vec::new()
                },
            },
        })
        .collect()
}

#[test]
fn categories_and_services() {
    golden::<CategoryRecord, _>(
        "category-v1",
        &Category {
            id: CategoryId(12),
            name: "Accès et comptes".into(),
            description: "Comptes, VPN, droits".into(),
            parent_id: Some(CategoryId(2)),
            icon: "key-round".into(),
            order: -3,
        },
    );
    let mut service = Service {
        id: ServiceId(8),
        name: "Création de VM".into(),
        description: "Une machine virtuelle\nsur le cluster".into(),
        keywords: "vm serveur".into(),
        category_id: CategoryId(12),
        active: true,
        requires_approval: true,
        approval_steps: vec![
            ApprovalRule::Manager,
            ApprovalRule::TeamLead,
            ApprovalRule::User(UserId(3)),
        ],
        estimated_delay: Some(Delay {
            value: 2,
            unit: DelayUnit::Days,
        }),
        sla_policy_id: Some(1),
        team_id: Some(TeamId(3)),
        order: 5,
        form: every_kind_of_field(),
        created_at: None,
        show_usual_time: false,
        on_behalf: true,
    };
    // Versions 1 and 2 are read as they were; services are written as version 3 since issue
    // 16 (golden_sla_tests.rs).
    golden_old::<ServiceRecord, _>("service-v1-every-field", &service);
    super::golden_sla_tests::services_v2(&service);
    service.active = false;
    service.requires_approval = false;
    service.approval_steps.clear();
    service.estimated_delay = Some(Delay {
        value: 4,
        unit: DelayUnit::Hours,
    });
    service.sla_policy_id = None;
    service.team_id = None;
    service.form.clear();
    golden_old::<ServiceRecord, _>("service-v1-plain", &service);
}

fn request(status: Status) -> Request {
    Request {
        id: RequestId(321),
        service_id: ServiceId(8),
        service_name: "Création de VM".into(),
        requester: UserId(42),
        status,
        data: [
            ("champ_0", Answer::Text("Serveur de recette".into())),
            ("champ_2", Answer::Number(8.5)),
            ("champ_4", Answer::Choices(vec!["Oui".into(), "Non".into()])),
            ("champ_5", Answer::Flag(true)),
            (
                "champ_7",
                Answer::File(FileMeta {
                    name: "schéma.pdf".into(),
                    size: 48_213,
                }),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        form: every_kind_of_field(),
        attachments: vec![Attachment {
            key: "champ_7".into(),
            name: "schéma.pdf".into(),
            size: 48_213,
        }],
        assignee: Some(UserId(5)),
        team: Some(TeamId(3)),
        steps: vec![
            Step {
                rule: ApprovalRule::Manager,
                approver: Approver::User(UserId(7)),
                decision: Some(Decision {
                    by: UserId(7),
                    approved: true,
                    at: Timestamp(1_795_860_000),
                    overridden: false,
                }),
            },
            Step {
                rule: ApprovalRule::User(UserId(3)),
                approver: Approver::Admins,
                decision: Some(Decision {
                    by: UserId(1),
                    approved: false,
                    at: Timestamp(1_795_861_000),
                    overridden: true,
                }),
            },
            Step {
                rule: ApprovalRule::TeamLead,
                approver: Approver::User(UserId(4)),
                decision: None,
            },
        ],
        created_at: Timestamp(1_795_856_400),
        updated_at: Timestamp(1_795_861_000),
        due_at: Some(Timestamp(1_796_029_200)),
        closed_at: Some(Timestamp(1_795_861_000)),
        events: 6,
    }
}

#[test]
fn requests_and_their_summaries_in_every_status() {
    golden::<RequestRecord, _>("request-v1", &request(Status::Rejected));
    let mut bare = request(Status::New);
    bare.data.clear();
    bare.form.clear();
    bare.attachments.clear();
    bare.steps.clear();
    bare.assignee = None;
    bare.team = None;
    bare.due_at = None;
    bare.closed_at = None;
    golden::<RequestRecord, _>("request-v1-bare", &bare);
    for status in Status::ALL {
        let mut summary = request(status).summary();
        if status == Status::New {
            summary.assignee = None;
            summary.due_at = None;
        }
        // Version 1 (schema 4) knew no SLA: it reads as a summary without one.
        if status != Status::WaitingForRequester {
            golden_old::<SummaryRecord, Summary>(
                &format!("summary-v1-{}", status.code()),
                &summary,
            );
        }
        if matches!(
            status,
            Status::InProgress | Status::WaitingForRequester | Status::Done
        ) {
            summary.sla = Some(SlaSummary {
                policy_id: 3,
                response_due: Some(Timestamp(1_795_860_000)),
                resolution_due: Some(Timestamp(1_795_946_400)),
                next_due: (status != Status::Done).then_some(Timestamp(1_795_946_400)),
                breached: status == Status::Done,
            });
            summary.wake_at = Some(Timestamp(1_795_900_000));
        }
        golden::<SummaryRecord, Summary>(&format!("summary-v2-{}", status.code()), &summary);
    }
}

#[test]
fn every_kind_of_event() {
    let kinds = [
        EventKind::Submitted,
        EventKind::ApproverFallback {
            step: 0,
            reason: FallbackReason::Nobody,
            to: Approver::User(UserId(4)),
        },
        EventKind::ApproverFallback {
            step: 1,
            reason: FallbackReason::Requester,
            to: Approver::Admins,
        },
        EventKind::ApproverFallback {
            step: 2,
            reason: FallbackReason::Inactive,
            to: Approver::Admins,
        },
        EventKind::Approved {
            step: 0,
            comment: "D’accord".into(),
            overridden: false,
        },
        EventKind::Rejected {
            step: 1,
            reason: "Budget épuisé".into(),
            overridden: true,
        },
        EventKind::Taken,
        EventKind::Assigned { to: UserId(5) },
        EventKind::Completed {
            resolution: "VM livrée".into(),
        },
        EventKind::Cancelled {
            reason: String::new(),
        },
        EventKind::Comment {
            body: "Merci !".into(),
            internal: false,
        },
        EventKind::Comment {
            body: "Note interne".into(),
            internal: true,
        },
        // Schema 5.
        EventKind::Waiting {
            body: "Quelle taille de disque ?".into(),
        },
        EventKind::Resumed,
        EventKind::Escalated {
            target: Clock::Resolution,
            percent: 75,
            due: Timestamp(1_795_900_000),
            notify: vec![Recipient::Assignee, Recipient::TeamLead],
        },
        EventKind::Escalated {
            target: Clock::Response,
            percent: 100,
            due: Timestamp(1_795_860_000),
            notify: vec![Recipient::Team, Recipient::Admins],
        },
        EventKind::Reminded,
        EventKind::ClosedUnanswered { days: 14 },
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        let event = Event {
            at: Timestamp(1_795_856_400 + 60 * i64::try_from(i).expect("small")),
            by: (i % 4 != 1).then_some(UserId(42)),
            kind,
        };
        let name = format!("event-v1-{i:02}-{}", event.kind.code());
        golden::<EventRecord, _>(&name, &event);
    }
}
