//! Approval steps resolved to people at submission: each rule gives an approver, never the
//! requester; a rule that cannot falls back to the next one, and the fallback is recorded.

use super::UserId;
use super::request::{Approver, EventKind, FallbackReason, Step};
use super::service::ApprovalRule;

/// The facts approval resolution needs about people, looked up by the caller.
pub struct People<'a> {
    pub requester: UserId,
    pub manager: Option<UserId>,
    pub team_lead: Option<UserId>,
    /// Whether an account exists and is active.
    pub active: &'a dyn Fn(UserId) -> bool,
}

/// Resolves each rule to an approver, never the requester: a rule that names nobody, the
/// requester or an inactive account falls back to the next one (manager → team lead →
/// admins; a designated user falls back to the admins). Answers the steps and the fallbacks to
/// record.
pub fn resolve_steps(rules: &[ApprovalRule], people: &People) -> (Vec<Step>, Vec<EventKind>) {
    let mut steps = Vec::new();
    let mut fallbacks = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let chain: Vec<Option<UserId>> = match rule {
            ApprovalRule::Manager => vec![people.manager, people.team_lead],
            ApprovalRule::TeamLead => vec![people.team_lead],
            ApprovalRule::User(id) => vec![Some(*id)],
        };
        let mut approver = Approver::Admins;
        let mut first_reason = None;
        for candidate in chain {
            let reason = match candidate {
                None => FallbackReason::Nobody,
                Some(id) if id == people.requester => FallbackReason::Requester,
                Some(id) if !(people.active)(id) => FallbackReason::Inactive,
                Some(id) => {
                    approver = Approver::User(id);
                    break;
                }
            };
            first_reason.get_or_insert(reason);
        }
        if let Some(reason) = first_reason {
            fallbacks.push(EventKind::ApproverFallback {
                step: index,
                reason,
                to: approver,
            });
        }
        steps.push(Step {
            rule: *rule,
            approver,
            decision: None,
        });
    }
    (steps, fallbacks)
}
