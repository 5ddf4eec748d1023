//! Teams: who fulfils a service, and who leads them (a possible approver).

use super::{FieldErrors, TeamId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub lead_id: Option<UserId>,
    pub member_ids: Vec<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInput {
    pub name: String,
    pub lead_id: Option<UserId>,
    pub member_ids: Vec<UserId>,
}

impl TeamInput {
    /// Normalises the input: trims the name, sorts and deduplicates members, and makes the lead
    /// a member (a lead outside their own team would be surprising everywhere else).
    pub fn normalise(mut self) -> Result<TeamInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            errors.add("name", "is required");
        } else if self.name.chars().count() > 100 {
            errors.add("name", "must be at most 100 characters long");
        }
        if let Some(lead) = self.lead_id {
            self.member_ids.push(lead);
        }
        self.member_ids.sort_unstable();
        self.member_ids.dedup();
        errors.into_result(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_adds_the_lead_and_dedups_members() {
        let input = TeamInput {
            name: "  Support ".into(),
            lead_id: Some(UserId(3)),
            member_ids: vec![UserId(5), UserId(3), UserId(5)],
        };
        let team = input.normalise().expect("valid");
        assert_eq!(team.name, "Support");
        assert_eq!(team.member_ids, vec![UserId(3), UserId(5)]);
    }

    #[test]
    fn empty_names_are_refused() {
        let input = TeamInput {
            name: " ".into(),
            lead_id: None,
            member_ids: vec![],
        };
        assert!(input.normalise().unwrap_err().get("name").is_some());
    }
}
