//! First start-up: the initial administrator, or the demo organisation of DESIGN §7.

use super::users::{NewPassword, UserChanges};
use super::{Admin, Error, Ops};
use crate::domain::Team;
use crate::domain::{TeamId, TeamInput, UserId};

/// Every demo user signs in with this password.
pub const DEMO_PASSWORD: &str = "demo";

/// The demo users: username, display name, role, manager's username.
const DEMO_USERS: &[(&str, &str, &str, Option<&str>)] = &[
    ("admin", "Camille Admin", "admin", None),
    ("bob", "Bob Martin", "requester", None),
    ("alice", "Alice Durand", "requester", Some("bob")),
    ("tom", "Tom Bernard", "technician", None),
    ("lea", "Léa Petit", "technician", None),
];

impl Ops {
    /// On an empty store, creates `admin` with a random password that must be changed at first
    /// sign-in, and answers that password so it can be printed once.
    pub async fn ensure_initial_admin(&self) -> Result<Option<String>, Error> {
        if self.store().read()?.count_users()? > 0 {
            return Ok(None);
        }
        let changes = UserChanges {
            username: Some("admin".into()),
            display_name: Some("Administrator".into()),
            role: Some("admin".into()),
            ..UserChanges::default()
        };
        let (_, password) = self
            .create_user_unchecked(changes, NewPassword::Generate)
            .await?;
        Ok(password)
    }

    /// Fills an empty store with the demo organisation. Answers false (and changes nothing) when
    /// the store already holds users.
    pub async fn seed_demo(&self) -> Result<bool, Error> {
        if self.store().read()?.count_users()? > 0 {
            return Ok(false);
        }
        let mut ids: Vec<(&str, UserId)> = Vec::new();
        for (username, name, role, manager) in DEMO_USERS {
            let manager_id = manager
                .and_then(|m| ids.iter().find(|(u, _)| *u == m))
                .map(|(_, id)| id.0);
            let changes = UserChanges {
                username: Some((*username).into()),
                display_name: Some((*name).into()),
                email: Some(format!("{username}@demo.guichet.test")),
                role: Some((*role).into()),
                manager_id: Some(manager_id),
                ..UserChanges::default()
            };
            // "demo" is shorter than the policy allows: demo users are seeded with a longer
            // password first, then set to the demo one directly below.
            let (user, _) = self
                .create_user_unchecked(
                    changes,
                    NewPassword::Given {
                        password: "demo-seed-password".into(),
                        must_change: false,
                    },
                )
                .await?;
            ids.push((username, user.id));
        }
        self.set_demo_passwords(ids.iter().map(|(_, id)| *id).collect())
            .await?;
        let id_of = |name: &str| ids.iter().find(|(u, _)| *u == name).map(|(_, id)| *id);
        let support = self
            .put_demo_team("Support", None, vec![id_of("tom")])
            .await?;
        let infrastructure = self
            .put_demo_team("Infrastructure", id_of("lea"), vec![id_of("lea")])
            .await?;
        let admin = Admin {
            id: id_of("admin").ok_or_else(|| Error::Internal("demo admin missing".into()))?,
        };
        let teams = [
            (support.name, support.id),
            (infrastructure.name, infrastructure.id),
        ];
        let policies = self.seed_demo_sla(admin, self.now()).await?;
        self.seed_demo_catalog(admin, &teams, &policies).await?;
        self.seed_demo_history().await?;
        Ok(true)
    }

    /// Every demo user gets a hash of their own (their own salt), as any user would.
    async fn set_demo_passwords(&self, users: Vec<UserId>) -> Result<(), Error> {
        let mut hashes = Vec::with_capacity(users.len());
        for id in users {
            hashes.push((id, self.passwords().hash(DEMO_PASSWORD).await?));
        }
        self.blocking(move |ops| {
            ops.store().write(|w| {
                for (id, hash) in &hashes {
                    let mut user = w.user(*id)?.ok_or(Error::NotFound)?;
                    user.password_hash.clone_from(hash);
                    w.put_user(&user)?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn put_demo_team(
        &self,
        name: &str,
        lead_id: Option<UserId>,
        members: Vec<Option<UserId>>,
    ) -> Result<Team, Error> {
        let input = TeamInput {
            name: name.into(),
            lead_id,
            member_ids: members.into_iter().flatten().collect(),
        }
        .normalise()?;
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let team = Team {
                    id: TeamId(w.next_id("team")?),
                    name: input.name,
                    lead_id: input.lead_id,
                    member_ids: input.member_ids,
                };
                w.put_team(&team)?;
                Ok(team)
            })
        })
        .await
    }
}
