//! The workflow state machine, approval resolution and notices: unit and property tests.

use super::*;
use crate::domain::approval::{People, resolve_steps};
use crate::domain::notification::{Audience, NoticeKind, notices};
use proptest::prelude::*;

const REQUESTER: UserId = UserId(10);
const MANAGER: UserId = UserId(11);
const LEAD: UserId = UserId(12);
const TECH: UserId = UserId(13);
const ADMIN: UserId = UserId(14);
const OTHER: UserId = UserId(15);

fn actor(id: UserId) -> Actor {
    let role = match id {
        TECH | LEAD => Role::Technician,
        ADMIN => Role::Admin,
        _ => Role::Requester,
    };
    Actor { id, role }
}

fn people(active: &dyn Fn(UserId) -> bool) -> People<'_> {
    People {
        requester: REQUESTER,
        manager: Some(MANAGER),
        team_lead: Some(LEAD),
        active,
    }
}

fn request(rules: &[ApprovalRule]) -> Request {
    let all = |_| true;
    let (steps, fallbacks) = resolve_steps(rules, &people(&all));
    let (request, _) = submit(
        NewRequest {
            id: RequestId(42),
            service_id: ServiceId(1),
            service_name: "VPN".into(),
            requester: REQUESTER,
            filed_by: REQUESTER,
            data: RequestData::new(),
            form: Vec::new(),
            attachments: Vec::new(),
            team: Some(TeamId(1)),
            steps,
            fallbacks,
            due_at: None,
        },
        Timestamp(1000),
    );
    request
}

#[test]
fn numbers_read_and_print() {
    assert_eq!(RequestId(42).number(), "REQ-000042");
    assert_eq!(RequestId(1_234_567).number(), "REQ-1234567");
    assert_eq!(RequestId::parse("REQ-000042"), Some(RequestId(42)));
    assert_eq!(RequestId::parse("req-42"), Some(RequestId(42)));
    assert_eq!(RequestId::parse("42"), Some(RequestId(42)));
    for bad in ["", "REQ-", "REQ-0", "0", "-1", "REQ-12a", "x42", "REQ-+1"] {
        assert_eq!(RequestId::parse(bad), None, "{bad}");
    }
}

#[test]
fn submission_sets_the_first_status() {
    assert_eq!(request(&[]).status, Status::New);
    let with = request(&[ApprovalRule::Manager]);
    assert_eq!(with.status, Status::PendingApproval);
    assert_eq!(with.current_approver(), Some(Approver::User(MANAGER)));
}

#[test]
fn approval_path_to_done() {
    let mut r = request(&[ApprovalRule::Manager, ApprovalRule::TeamLead]);
    let comment = Action::Approve {
        comment: String::new(),
    };
    apply(&mut r, actor(MANAGER), comment.clone(), Timestamp(2000)).expect("manager approves");
    assert_eq!(r.status, Status::PendingApproval);
    assert_eq!(r.current_approver(), Some(Approver::User(LEAD)));
    apply(&mut r, actor(LEAD), comment, Timestamp(3000)).expect("lead approves");
    assert_eq!(r.status, Status::Approved);
    apply(&mut r, actor(TECH), Action::Take, Timestamp(4000)).expect("take");
    assert_eq!((r.status, r.assignee), (Status::InProgress, Some(TECH)));
    let refused = apply(
        &mut r,
        actor(TECH),
        Action::Complete {
            resolution: "  ".into(),
        },
        Timestamp(5000),
    );
    assert!(matches!(refused, Err(Refusal::Invalid(_))));
    let done = Action::Complete {
        resolution: "Configured".into(),
    };
    apply(&mut r, actor(TECH), done, Timestamp(5000)).expect("complete");
    assert_eq!(
        (r.status, r.closed_at),
        (Status::Done, Some(Timestamp(5000)))
    );
    assert_eq!(r.events, 5);
}

#[test]
fn rejection_needs_a_reason_and_ends_the_request() {
    let mut r = request(&[ApprovalRule::Manager]);
    let empty = Action::Reject { reason: " ".into() };
    assert!(matches!(
        apply(&mut r, actor(MANAGER), empty, Timestamp(2000)),
        Err(Refusal::Invalid(_))
    ));
    assert_eq!(r.status, Status::PendingApproval);
    let reason = Action::Reject {
        reason: "Not needed".into(),
    };
    apply(&mut r, actor(MANAGER), reason, Timestamp(2000)).expect("reject");
    assert_eq!(r.status, Status::Rejected);
    assert_eq!(
        apply(&mut r, actor(TECH), Action::Take, Timestamp(3000)),
        Err(Refusal::Illegal {
            action: "take",
            status: Status::Rejected
        })
    );
}

#[test]
fn only_the_approver_or_an_admin_decides_and_never_on_their_own_request() {
    let approve = Action::Approve {
        comment: String::new(),
    };
    let mut r = request(&[ApprovalRule::Manager]);
    for who in [REQUESTER, OTHER, TECH] {
        assert!(matches!(
            apply(&mut r, actor(who), approve.clone(), Timestamp(2000)),
            Err(Refusal::NotAllowed(_))
        ));
    }
    let events = apply(&mut r, actor(ADMIN), approve.clone(), Timestamp(2000)).expect("override");
    assert!(matches!(
        events[0].kind,
        EventKind::Approved {
            overridden: true,
            ..
        }
    ));
    // An administrator's own request: no override of their own approval.
    let mut own = request(&[ApprovalRule::Manager]);
    own.requester = ADMIN;
    assert!(matches!(
        apply(&mut own, actor(ADMIN), approve, Timestamp(2000)),
        Err(Refusal::NotAllowed(_))
    ));
}

#[test]
fn approvers_fall_back_and_never_resolve_to_the_requester() {
    let all = |_| true;
    // The requester is their own team's lead and has no manager: admins decide.
    let lonely = People {
        requester: LEAD,
        manager: None,
        team_lead: Some(LEAD),
        active: &all,
    };
    let (steps, fallbacks) = resolve_steps(&[ApprovalRule::Manager], &lonely);
    assert_eq!(steps[0].approver, Approver::Admins);
    assert_eq!(
        fallbacks,
        vec![EventKind::ApproverFallback {
            step: 0,
            reason: FallbackReason::Nobody,
            to: Approver::Admins
        }]
    );
    // No manager: the team lead.
    let no_manager = People {
        manager: None,
        ..people(&all)
    };
    let (steps, fallbacks) = resolve_steps(&[ApprovalRule::Manager], &no_manager);
    assert_eq!(steps[0].approver, Approver::User(LEAD));
    assert_eq!(fallbacks.len(), 1);
    // A designated approver who is the requester, or inactive.
    let (steps, _) = resolve_steps(&[ApprovalRule::User(REQUESTER)], &people(&all));
    assert_eq!(steps[0].approver, Approver::Admins);
    let manager_gone = |id| id != MANAGER;
    let (steps, fallbacks) = resolve_steps(&[ApprovalRule::Manager], &people(&manager_gone));
    assert_eq!(steps[0].approver, Approver::User(LEAD));
    assert!(matches!(
        fallbacks[0],
        EventKind::ApproverFallback {
            reason: FallbackReason::Inactive,
            ..
        }
    ));
    // Nothing to record when the rule gives its approver.
    assert!(
        resolve_steps(&[ApprovalRule::Manager], &people(&all))
            .1
            .is_empty()
    );
}

#[test]
fn cancel_before_work_starts_only() {
    let mut r = request(&[]);
    assert!(matches!(
        apply(
            &mut r,
            actor(OTHER),
            Action::Cancel {
                reason: String::new()
            },
            Timestamp(2000)
        ),
        Err(Refusal::NotAllowed(_))
    ));
    apply(&mut r, actor(TECH), Action::Take, Timestamp(2000)).expect("take");
    assert_eq!(
        apply(
            &mut r,
            actor(REQUESTER),
            Action::Cancel {
                reason: String::new()
            },
            Timestamp(3000)
        ),
        Err(Refusal::Illegal {
            action: "cancel",
            status: Status::InProgress
        })
    );
    let mut fresh = request(&[ApprovalRule::Manager]);
    apply(
        &mut fresh,
        actor(REQUESTER),
        Action::Cancel {
            reason: String::new(),
        },
        Timestamp(2000),
    )
    .expect("cancel");
    assert_eq!(fresh.status, Status::Cancelled);
}

#[test]
fn comments_follow_the_visibility_rules() {
    let mut r = request(&[]);
    let internal = |body: &str| Action::Comment {
        body: body.into(),
        internal: true,
    };
    assert!(matches!(
        apply(&mut r, actor(REQUESTER), internal("x"), Timestamp(2000)),
        Err(Refusal::NotAllowed(_))
    ));
    let external = Action::Comment {
        body: "hello".into(),
        internal: false,
    };
    assert!(matches!(
        apply(&mut r, actor(OTHER), external.clone(), Timestamp(2000)),
        Err(Refusal::NotAllowed(_))
    ));
    apply(&mut r, actor(REQUESTER), external, Timestamp(2000)).expect("own request");
    apply(&mut r, actor(TECH), internal("note"), Timestamp(2000)).expect("staff");
    assert!(may_view(actor(TECH), &r) && may_view(actor(REQUESTER), &r));
    assert!(!may_view(actor(OTHER), &r));
}

#[test]
fn notices_reach_the_right_people() {
    let team = [TECH, LEAD];
    let admins = [ADMIN];
    let audience = Audience {
        team_members: &team,
        admins: &admins,
        team_lead: Some(LEAD),
    };
    let mut r = request(&[ApprovalRule::Manager]);
    let submitted = Event {
        at: Timestamp(1000),
        by: Some(REQUESTER),
        kind: EventKind::Submitted,
    };
    assert_eq!(
        notices(&r, &submitted, &audience),
        vec![
            (REQUESTER, NoticeKind::Submitted),
            (MANAGER, NoticeKind::ApprovalNeeded)
        ]
    );
    let approve = Action::Approve {
        comment: String::new(),
    };
    let events = apply(&mut r, actor(MANAGER), approve, Timestamp(2000)).expect("approve");
    assert_eq!(
        notices(&r, &events[0], &audience),
        vec![
            (REQUESTER, NoticeKind::Approved),
            (TECH, NoticeKind::InQueue),
            (LEAD, NoticeKind::InQueue)
        ]
    );
    let events = apply(&mut r, actor(TECH), Action::Take, Timestamp(3000)).expect("take");
    assert_eq!(
        notices(&r, &events[0], &audience),
        vec![(REQUESTER, NoticeKind::Taken)]
    );
    let comment = Action::Comment {
        body: "when?".into(),
        internal: false,
    };
    let events = apply(&mut r, actor(REQUESTER), comment, Timestamp(4000)).expect("comment");
    assert_eq!(
        notices(&r, &events[0], &audience),
        vec![(TECH, NoticeKind::Comment)]
    );
    let internal = Action::Comment {
        body: "note".into(),
        internal: true,
    };
    let events = apply(&mut r, actor(TECH), internal, Timestamp(4000)).expect("internal");
    assert!(notices(&r, &events[0], &audience).is_empty());
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Approve {
            comment: String::new()
        }),
        prop_oneof![Just(""), Just("no")].prop_map(|r| Action::Reject { reason: r.into() }),
        Just(Action::Take),
        any::<bool>().prop_map(|to_staff| Action::Assign { to: TECH, to_staff }),
        prop_oneof![Just(""), Just("done")].prop_map(|r| Action::Complete {
            resolution: r.into()
        }),
        Just(Action::Cancel {
            reason: String::new()
        }),
        any::<bool>().prop_map(|internal| Action::Comment {
            body: "c".into(),
            internal
        }),
        prop_oneof![Just(""), Just("?")].prop_map(|b| Action::Wait { body: b.into() }),
        Just(Action::Resume),
        (prop_oneof![Just(""), Just("still broken")], 0u32..2).prop_map(|(r, days)| {
            Action::Reopen {
                reason: r.into(),
                window_days: days,
                first_breached: None,
            }
        }),
        Just(Action::Release),
        (1u64..3, any::<bool>()).prop_map(|(team, exists)| Action::Transfer {
            team: crate::domain::TeamId(team),
            exists,
        }),
    ]
}

fn any_rules() -> impl Strategy<Value = Vec<ApprovalRule>> {
    prop::collection::vec(
        prop_oneof![
            Just(ApprovalRule::Manager),
            Just(ApprovalRule::TeamLead),
            Just(ApprovalRule::User(REQUESTER)),
            Just(ApprovalRule::User(OTHER)),
        ],
        0..3,
    )
}

/// The transitions of DESIGN §3; staying in the same status is always allowed.
fn allowed(from: Status, to: Status) -> bool {
    use Status::*;
    from == to
        || matches!(
            (from, to),
            (New, InProgress)
                | (PendingApproval, Approved)
                | (PendingApproval, Rejected)
                | (Approved, InProgress)
                | (InProgress, Done)
                | (InProgress, WaitingForRequester)
                | (WaitingForRequester, InProgress | Done | Cancelled)
                | (New | PendingApproval | Approved, Cancelled)
                // Reopened; given back to the queue or moved to another team's.
                | (Done, InProgress)
                | (InProgress | WaitingForRequester, New | Approved)
        )
}

proptest! {
    #[test]
    fn no_sequence_of_actions_reaches_an_illegal_state(
        rules in any_rules(),
        script in prop::collection::vec(
            (prop::sample::select(vec![REQUESTER, MANAGER, LEAD, TECH, ADMIN, OTHER]), any_action()),
            0..25,
        ),
    ) {
        let mut r = request(&rules);
        prop_assert!(r.steps.iter().all(|s| s.approver != Approver::User(REQUESTER)));
        for (i, (who, action)) in script.into_iter().enumerate() {
            let before = r.clone();
            let now = Timestamp(2000 + i64::try_from(i).unwrap_or(0));
            let is_comment = matches!(action, Action::Comment { .. });
            let is_reopen = matches!(action, Action::Reopen { .. });
            match apply(&mut r, actor(who), action, now) {
                Ok(events) => {
                    // A requester's answer while waiting also resumes the request.
                    let answered = before.status == Status::WaitingForRequester
                        && r.status == Status::InProgress
                        && is_comment;
                    prop_assert_eq!(events.len(), if answered { 2 } else { 1 });
                    prop_assert_eq!(r.events, before.events + u32::try_from(events.len()).unwrap_or(0));
                    prop_assert!(allowed(before.status, r.status), "{:?} -> {:?}", before.status, r.status);
                    prop_assert!(
                        before.status.is_open() || is_comment || is_reopen && before.status == Status::Done,
                        "closed requests take comments only, and done ones a reopening"
                    );
                }
                Err(_) => prop_assert_eq!(&r, &before),
            }
            // Invariants of every reachable state.
            prop_assert_eq!(r.closed_at.is_some(), !r.status.is_open());
            let decided = r.steps.iter().filter(|s| s.decision.is_some()).count();
            let rejected = r.steps.iter().filter(|s| s.decision.as_ref().is_some_and(|d| !d.approved)).count();
            prop_assert!(r.steps.iter().all(|s| s.decision.as_ref().is_none_or(|d| d.by != REQUESTER)));
            match r.status {
                Status::New => prop_assert!(r.steps.is_empty()),
                Status::PendingApproval => prop_assert!(decided < r.steps.len() && rejected == 0),
                Status::Approved => prop_assert!(decided == r.steps.len() && rejected == 0 && !r.steps.is_empty()),
                Status::Rejected => prop_assert_eq!(rejected, 1),
                Status::InProgress | Status::Done | Status::WaitingForRequester => {
                    prop_assert!(r.assignee.is_some());
                    prop_assert!(rejected == 0 && decided == r.steps.len());
                }
                Status::Cancelled => prop_assert_eq!(rejected, 0),
            }
        }
    }
}
