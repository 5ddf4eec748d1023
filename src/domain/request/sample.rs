//! A request to test with: an answer of each kind, an attachment, an approval decided and one
//! waiting. Shared by the tests of the store and of the API's documents.

use super::{Approver, Attachment, Decision, Request, RequestId, Status, Step};
use crate::domain::form::{Answer, FieldKind, FileMeta, FormField, Limits};
use crate::domain::service::ApprovalRule;
use crate::domain::{ServiceId, TeamId, Timestamp, UserId};

pub(crate) fn request(id: u64, requester: u64, status: Status) -> Request {
    let mut data = crate::domain::form::RequestData::new();
    data.insert("why".into(), Answer::Text("Remote work".into()));
    data.insert("count".into(), Answer::Number(2.5));
    data.insert("tags".into(), Answer::Choices(vec!["a".into(), "b".into()]));
    data.insert("ok".into(), Answer::Flag(true));
    data.insert(
        "scan".into(),
        Answer::File(FileMeta {
            name: "scan.pdf".into(),
            size: 3,
        }),
    );
    Request {
        id: RequestId(id),
        service_id: ServiceId(7),
        service_name: "VPN".into(),
        requester: UserId(requester),
        status,
        data,
        form: vec![FormField {
            key: "why".into(),
            label: "Why?".into(),
            help: String::new(),
            kind: FieldKind::Textarea,
            required: true,
            options: Vec::new(),
            limits: Limits::default(),
        }],
        attachments: vec![Attachment {
            key: "scan".into(),
            name: "scan.pdf".into(),
            size: 3,
        }],
        assignee: None,
        team: Some(TeamId(1)),
        steps: vec![
            Step {
                rule: ApprovalRule::Manager,
                approver: Approver::User(UserId(2)),
                decision: Some(Decision {
                    by: UserId(2),
                    approved: true,
                    at: Timestamp(50),
                    overridden: false,
                }),
            },
            Step {
                rule: ApprovalRule::User(UserId(9)),
                approver: Approver::Admins,
                decision: None,
            },
        ],
        created_at: Timestamp(10),
        updated_at: Timestamp(50),
        due_at: Some(Timestamp(1000)),
        closed_at: None,
        events: 2,
    }
}
