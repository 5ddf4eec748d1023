//! Managing teams. Admin only.

use super::audit::audit;
use super::{Admin, Error, Ops};
use crate::domain::audit::AuditKind;
use crate::domain::{FieldErrors, Team, TeamId, TeamInput};
use crate::storage::Writer;

/// Checks that the lead and members exist and that no other team has the name.
fn check_team(w: &Writer, input: &TeamInput, editing: Option<TeamId>) -> Result<(), Error> {
    let mut errors = FieldErrors::new();
    if let Some(lead) = input.lead_id
        && w.user(lead)?.is_none()
    {
        errors.add("lead_id", "no such user");
    }
    for member in &input.member_ids {
        if w.user(*member)?.is_none() {
            errors.add("member_ids", format!("no user with id {member}"));
        }
    }
    let name = input.name.to_lowercase();
    let taken = w
        .teams()?
        .into_iter()
        .any(|t| Some(t.id) != editing && t.name.to_lowercase() == name);
    if taken {
        errors.add("name", "is already taken");
    }
    errors.into_result(()).map_err(Error::from)
}

impl Ops {
    pub fn teams(&self, _admin: Admin) -> Result<Vec<Team>, Error> {
        Ok(self.store().read()?.teams()?)
    }

    pub fn team(&self, _admin: Admin, id: TeamId) -> Result<Team, Error> {
        self.store().read()?.team(id)?.ok_or(Error::NotFound)
    }

    pub async fn create_team(&self, admin: Admin, input: TeamInput) -> Result<Team, Error> {
        let input = input.normalise()?;
        self.blocking(move |ops| {
            ops.store().write(|w| {
                check_team(w, &input, None)?;
                let team = Team {
                    id: TeamId(w.next_id("team")?),
                    name: input.name,
                    lead_id: input.lead_id,
                    member_ids: input.member_ids,
                };
                w.put_team(&team)?;
                let what = (AuditKind::Team, team.id.0, "created");
                audit(w, admin.id, ops.now(), what, None, Some(&team))?;
                Ok(team)
            })
        })
        .await
    }

    pub async fn update_team(
        &self,
        admin: Admin,
        id: TeamId,
        input: TeamInput,
    ) -> Result<Team, Error> {
        let input = input.normalise()?;
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let mut team = w.team(id)?.ok_or(Error::NotFound)?;
                let before = team.clone();
                check_team(w, &input, Some(id))?;
                team.name = input.name;
                team.lead_id = input.lead_id;
                team.member_ids = input.member_ids;
                w.put_team(&team)?;
                let what = (AuditKind::Team, id.0, "updated");
                audit(w, admin.id, ops.now(), what, Some(&before), Some(&team))?;
                Ok(team)
            })
        })
        .await
    }
}
