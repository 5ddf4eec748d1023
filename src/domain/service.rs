//! Services of the catalog: what a service promises (delay, approval) and what it asks (form).

use super::form::FormField;
use super::{CategoryId, FieldErrors, TeamId, UserId};

/// Who approves one step of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalRule {
    /// The requester's manager (the default).
    Manager,
    /// The lead of the service's fulfilling team.
    TeamLead,
    /// A designated approver.
    User(UserId),
}

impl ApprovalRule {
    /// The spelling used in forms: `manager`, `team_lead`, `user:ID`.
    pub fn code(self) -> String {
        match self {
            ApprovalRule::Manager => "manager".into(),
            ApprovalRule::TeamLead => "team_lead".into(),
            ApprovalRule::User(id) => format!("user:{id}"),
        }
    }

    pub fn parse(s: &str) -> Option<ApprovalRule> {
        match s.trim() {
            "manager" => Some(ApprovalRule::Manager),
            "team_lead" => Some(ApprovalRule::TeamLead),
            other => other
                .strip_prefix("user:")
                .and_then(|id| id.parse().ok())
                .map(|id| ApprovalRule::User(UserId(id))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayUnit {
    Hours,
    Days,
}

impl DelayUnit {
    pub fn code(self) -> &'static str {
        match self {
            DelayUnit::Hours => "hours",
            DelayUnit::Days => "days",
        }
    }

    pub fn parse(s: &str) -> Option<DelayUnit> {
        match s.trim() {
            "hours" => Some(DelayUnit::Hours),
            "days" => Some(DelayUnit::Days),
            _ => None,
        }
    }
}

/// An indicative delay, shown to requesters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    pub value: u32,
    pub unit: DelayUnit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: super::ServiceId,
    pub name: String,
    /// Plain text; line breaks are kept when shown.
    pub description: String,
    /// Other words users may type to find the service (synonyms), for search.
    pub keywords: String,
    pub category_id: CategoryId,
    pub active: bool,
    pub requires_approval: bool,
    pub approval_steps: Vec<ApprovalRule>,
    pub estimated_delay: Option<Delay>,
    pub sla_policy_id: Option<u64>,
    pub team_id: Option<TeamId>,
    pub order: i32,
    pub form: Vec<FormField>,
    /// When it was made; `None` for services made before this was recorded.
    pub created_at: Option<super::Timestamp>,
    /// Its page says how long it usually takes (the median of the last 90 days).
    pub show_usual_time: bool,
    /// The IT team and managers may file it for someone else.
    pub on_behalf: bool,
}

/// Everything an admin sets on a service except its form, which is edited field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInput {
    pub name: String,
    pub description: String,
    pub keywords: String,
    pub category_id: CategoryId,
    pub active: bool,
    pub requires_approval: bool,
    pub approval_steps: Vec<ApprovalRule>,
    pub estimated_delay: Option<Delay>,
    pub sla_policy_id: Option<u64>,
    pub team_id: Option<TeamId>,
    pub order: i32,
    pub show_usual_time: bool,
    pub on_behalf: bool,
}

pub const MAX_APPROVAL_STEPS: usize = 3;

impl ServiceInput {
    /// Rules that need no storage. A service that requires approval without steps gets the
    /// default step (the manager); one that does not require approval keeps no steps.
    pub fn check(mut self) -> Result<ServiceInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().replace("\r\n", "\n");
        self.keywords = self.keywords.trim().to_owned();
        if self.name.is_empty() {
            errors.add("name", "is required");
        } else if self.name.chars().count() > 120 {
            errors.add("name", "must be at most 120 characters long");
        }
        if self.description.chars().count() > 10_000 {
            errors.add("description", "must be at most 10000 characters long");
        }
        if self.keywords.chars().count() > 500 {
            errors.add("keywords", "must be at most 500 characters long");
        }
        if let Some(delay) = self.estimated_delay
            && (delay.value == 0 || delay.value > 1000)
        {
            errors.add("estimated_delay", "must be between 1 and 1000");
        }
        if self.approval_steps.len() > MAX_APPROVAL_STEPS {
            errors.add("approval_steps", "at most 3 steps");
        }
        if !self.requires_approval {
            self.approval_steps.clear();
        } else if self.approval_steps.is_empty() {
            self.approval_steps.push(ApprovalRule::Manager);
        }
        errors.into_result(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ServiceInput {
        ServiceInput {
            name: " Accès VPN ".into(),
            description: "a\r\nb".into(),
            keywords: String::new(),
            category_id: CategoryId(1),
            active: true,
            requires_approval: true,
            approval_steps: vec![],
            estimated_delay: Some(Delay {
                value: 2,
                unit: DelayUnit::Days,
            }),
            sla_policy_id: None,
            team_id: None,
            order: 0,
            show_usual_time: false,
            on_behalf: true,
        }
    }

    #[test]
    fn approval_defaults_to_the_manager_and_is_dropped_when_not_required() {
        let checked = input().check().expect("valid");
        assert_eq!(checked.name, "Accès VPN");
        assert_eq!(checked.description, "a\nb");
        assert_eq!(checked.approval_steps, vec![ApprovalRule::Manager]);
        let mut free = input();
        free.requires_approval = false;
        free.approval_steps = vec![ApprovalRule::TeamLead];
        assert!(free.check().expect("valid").approval_steps.is_empty());
    }

    #[test]
    fn bad_values_are_named() {
        let mut bad = input();
        bad.name = " ".into();
        bad.estimated_delay = Some(Delay {
            value: 0,
            unit: DelayUnit::Hours,
        });
        bad.approval_steps = vec![ApprovalRule::Manager; 4];
        let errors = bad.check().expect_err("invalid");
        for name in ["name", "estimated_delay", "approval_steps"] {
            assert!(errors.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn rules_round_trip_through_their_spelling() {
        for rule in [
            ApprovalRule::Manager,
            ApprovalRule::TeamLead,
            ApprovalRule::User(UserId(7)),
        ] {
            assert_eq!(ApprovalRule::parse(&rule.code()), Some(rule));
        }
        assert_eq!(ApprovalRule::parse("user:x"), None);
    }
}
