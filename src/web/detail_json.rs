//! A request's own document as JSON, written by hand into one buffer, as the listing is
//! (`listing_json.rs`): the answer to every submission and action, and
//! `GET /api/v1/requests/{id}`. Through serde_json and axum's `Json`, a submission's answer
//! cost 14,000 instructions, a fifth of what the server does for it outside the writer.
//! `Detail`'s `Serialize` stays what the answer reads as: a property test holds the two to the
//! same bytes.

use super::super::listing_json::{boolean, number, optional, string, time};
use super::{ApproverDoc, Detail, StepDoc};
use crate::domain::form::Answer;
use crate::domain::request::Approver;

impl Detail<'_> {
    /// The document as `serde_json::to_vec` writes it.
    pub(in crate::web) fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2048);
        out.extend_from_slice(b"{\"approval_steps\":[");
        for (n, step) in self.approval_steps.iter().enumerate() {
            comma(&mut out, n);
            step.write(&mut out);
        }
        out.extend_from_slice(b"],\"assignee_id\":");
        optional(&mut out, self.assignee_id.map(|u| u.0), number);
        out.extend_from_slice(b",\"attachments\":[");
        for (n, a) in self.attachments.iter().enumerate() {
            comma(&mut out, n);
            out.extend_from_slice(b"{\"key\":");
            string(&mut out, a.key);
            out.extend_from_slice(b",\"name\":");
            string(&mut out, a.name);
            out.extend_from_slice(b",\"size\":");
            number(&mut out, a.size);
            out.extend_from_slice(b",\"url\":");
            string(&mut out, &a.url);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"breached\":");
        boolean(&mut out, self.breached);
        out.extend_from_slice(b",\"closed_at\":");
        optional(&mut out, self.closed_at.as_ref(), time);
        out.extend_from_slice(b",\"created_at\":");
        time(&mut out, &self.created_at);
        out.extend_from_slice(b",\"data\":{");
        for (n, (key, answer)) in self.data.iter().enumerate() {
            comma(&mut out, n);
            string(&mut out, key);
            out.push(b':');
            write_answer(&mut out, answer);
        }
        out.extend_from_slice(b"},\"due_at\":");
        optional(&mut out, self.due_at.as_ref(), time);
        if let Some(escalations) = &self.escalations {
            out.extend_from_slice(b",\"escalations\":[");
            for (n, e) in escalations.iter().enumerate() {
                comma(&mut out, n);
                out.extend_from_slice(b"{\"at\":");
                time(&mut out, &e.at);
                out.extend_from_slice(b",\"percent\":");
                number(&mut out, u64::from(e.percent));
                out.extend_from_slice(b",\"target\":");
                string(&mut out, e.target);
                out.push(b'}');
            }
            out.push(b']');
        }
        out.extend_from_slice(b",\"expected_at\":");
        optional(&mut out, self.expected_at.as_ref(), time);
        out.extend_from_slice(b",\"form\":[");
        for (n, f) in self.form.iter().enumerate() {
            comma(&mut out, n);
            out.extend_from_slice(b"{\"kind\":");
            string(&mut out, f.kind);
            out.extend_from_slice(b",\"key\":");
            string(&mut out, f.key);
            out.extend_from_slice(b",\"label\":");
            string(&mut out, f.label);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"id\":");
        number(&mut out, self.id);
        out.extend_from_slice(b",\"number\":");
        string(&mut out, self.number.0.number_text().as_str());
        out.extend_from_slice(b",\"paused\":");
        boolean(&mut out, self.paused);
        out.extend_from_slice(b",\"requester_id\":");
        number(&mut out, self.requester_id.0);
        out.extend_from_slice(b",\"response_due_at\":");
        optional(&mut out, self.response_due_at.as_ref(), time);
        out.extend_from_slice(b",\"service_id\":");
        number(&mut out, self.service_id.0);
        out.extend_from_slice(b",\"service_name\":");
        string(&mut out, self.service_name);
        out.extend_from_slice(b",\"sla_policy_id\":");
        optional(&mut out, self.sla_policy_id, number);
        out.extend_from_slice(b",\"status\":");
        string(&mut out, self.status);
        out.extend_from_slice(b",\"team_id\":");
        optional(&mut out, self.team_id.map(|t| t.0), number);
        out.extend_from_slice(b",\"updated_at\":");
        time(&mut out, &self.updated_at);
        out.push(b'}');
        out
    }
}

impl StepDoc {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"approver_id\":");
        match self.approver_id {
            ApproverDoc(Approver::User(id)) => number(out, id.0),
            ApproverDoc(Approver::Admins) => string(out, "admins"),
        }
        out.extend_from_slice(b",\"decision\":");
        match &self.decision {
            Some(d) => {
                out.extend_from_slice(b"{\"at\":");
                time(out, &d.at);
                out.extend_from_slice(b",\"approved\":");
                boolean(out, d.approved);
                out.extend_from_slice(b",\"by\":");
                number(out, d.by.0);
                out.extend_from_slice(b",\"overridden\":");
                boolean(out, d.overridden);
                out.push(b'}');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"rule\":");
        string(out, self.rule);
        if let Some(user) = self.user_id {
            out.extend_from_slice(b",\"user_id\":");
            number(out, user.0);
        }
        out.push(b'}');
    }
}

/// An answer as its untagged `Serialize` writes it.
fn write_answer(out: &mut Vec<u8>, answer: &Answer) {
    match answer {
        Answer::Text(text) => string(out, text),
        // serde_json's own writing of a float (shortest digits, `null` when not finite):
        // rare, and it cannot fail into a `Vec`.
        Answer::Number(n) => {
            if serde_json::to_writer(&mut *out, n).is_err() {
                out.extend_from_slice(b"null");
            }
        }
        Answer::Choices(choices) => {
            out.push(b'[');
            for (n, choice) in choices.iter().enumerate() {
                comma(out, n);
                string(out, choice);
            }
            out.push(b']');
        }
        Answer::Flag(flag) => boolean(out, *flag),
        Answer::File(file) => {
            out.extend_from_slice(b"{\"name\":");
            string(out, &file.name);
            out.extend_from_slice(b",\"size\":");
            number(out, file.size);
            out.push(b'}');
        }
    }
}

fn comma(out: &mut Vec<u8>, n: usize) {
    if n > 0 {
        out.push(b',');
    }
}

#[cfg(test)]
mod tests {
    use super::super::Detail;
    use crate::domain::form::{Answer, FileMeta};
    use crate::domain::request::sample::request;
    use crate::domain::request::{Approver, Attachment, Decision, Request, Status, Step};
    use crate::domain::service::ApprovalRule;
    use crate::domain::sla::Clock;
    use crate::domain::{TeamId, Timestamp, UserId};
    use crate::ops::SlaFacts;
    use crate::web::listing_json::tests::times;
    use proptest::prelude::*;

    fn answers() -> impl Strategy<Value = Answer> {
        prop_oneof![
            any::<String>().prop_map(Answer::Text),
            any::<f64>().prop_map(Answer::Number),
            proptest::collection::vec(any::<String>(), 0..3).prop_map(Answer::Choices),
            any::<bool>().prop_map(Answer::Flag),
            (any::<String>(), any::<u64>())
                .prop_map(|(name, size)| Answer::File(FileMeta { name, size })),
        ]
    }

    fn steps() -> impl Strategy<Value = Step> {
        let decision = (any::<u64>(), any::<bool>(), times(), any::<bool>()).prop_map(
            |(by, approved, at, overridden)| Decision {
                by: UserId(by),
                approved,
                at,
                overridden,
            },
        );
        (
            prop_oneof![
                Just(ApprovalRule::Manager),
                Just(ApprovalRule::TeamLead),
                any::<u64>().prop_map(|u| ApprovalRule::User(UserId(u))),
            ],
            prop_oneof![
                Just(Approver::Admins),
                any::<u64>().prop_map(|u| Approver::User(UserId(u)))
            ],
            proptest::option::of(decision),
        )
            .prop_map(|(rule, approver, decision)| Step {
                rule,
                approver,
                decision,
            })
    }

    fn requests() -> impl Strategy<Value = Request> {
        (
            (
                any::<u64>(),
                any::<u64>(),
                0..Status::ALL.len(),
                any::<String>(),
            ),
            (
                proptest::collection::btree_map(any::<String>(), answers(), 0..4),
                proptest::collection::vec(steps(), 0..3),
                proptest::collection::vec((any::<String>(), any::<String>(), any::<u64>()), 0..2),
                proptest::collection::vec((any::<String>(), any::<String>()), 0..3),
            ),
            (
                proptest::option::of(any::<u64>()),
                proptest::option::of(any::<u64>()),
                (times(), times()),
                (proptest::option::of(times()), proptest::option::of(times())),
            ),
        )
            .prop_map(
                |(
                    (id, requester, status, name),
                    (data, steps, attachments, labels),
                    (assignee, team, (created, updated), (due, closed)),
                )| {
                    let mut r = request(id, requester, Status::ALL[status]);
                    r.service_name = name;
                    r.data = data;
                    r.steps = steps;
                    r.attachments = attachments
                        .into_iter()
                        .map(|(key, name, size)| Attachment { key, name, size })
                        .collect();
                    let field = r.form[0].clone();
                    r.form = labels
                        .into_iter()
                        .map(|(key, label)| {
                            let mut f = field.clone();
                            (f.key, f.label) = (key, label);
                            f
                        })
                        .collect();
                    r.assignee = assignee.map(UserId);
                    r.team = team.map(TeamId);
                    (r.created_at, r.updated_at) = (created, updated);
                    (r.due_at, r.closed_at) = (due, closed);
                    r
                },
            )
    }

    fn facts() -> impl Strategy<Value = SlaFacts> {
        let escalation = (
            prop_oneof![Just(Clock::Response), Just(Clock::Resolution)],
            any::<u16>(),
            times(),
        );
        (
            proptest::option::of(any::<u64>()),
            (proptest::option::of(times()), proptest::option::of(times())),
            (any::<bool>(), any::<bool>()),
            proptest::option::of(proptest::collection::vec(escalation, 0..3)),
        )
            .prop_map(
                |(policy_id, (response_due, resolution_due), (breached, paused), escalations)| {
                    SlaFacts {
                        policy_id,
                        response_due,
                        resolution_due,
                        breached,
                        paused,
                        escalations,
                    }
                },
            )
    }

    proptest! {
        /// Whatever the request and its SLA facts hold, the document reads byte for byte as
        /// serde_json writes it.
        #[test]
        fn a_request_is_written_as_serde_json_writes_it(r in requests(), facts in facts()) {
            let detail = Detail::of(&r, facts);
            prop_assert_eq!(
                String::from_utf8(detail.to_json()).expect("utf-8"),
                serde_json::to_string(&detail).expect("json")
            );
        }
    }

    #[test]
    fn a_request_of_every_kind_of_answer_reads_as_serde_json_writes_it() {
        let mut r = request(42, 3, Status::PendingApproval);
        r.data.insert("nan".into(), Answer::Number(f64::NAN));
        let facts = SlaFacts {
            policy_id: Some(1),
            response_due: Some(Timestamp(1_700_000_000)),
            resolution_due: None,
            breached: true,
            paused: false,
            escalations: Some(vec![(Clock::Resolution, 75, Timestamp(1_700_000_600))]),
        };
        let detail = Detail::of(&r, facts);
        let written = String::from_utf8(detail.to_json()).expect("utf-8");
        assert_eq!(written, serde_json::to_string(&detail).expect("json"));
        assert!(written.contains("\"nan\":null"), "{written}");
        assert!(written.contains("\"escalations\":[{\"at\":"), "{written}");
    }
}
