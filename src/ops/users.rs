//! Managing users: create, edit, deactivate, reset passwords. Admin only, except where noted.

use super::audit::{COMMAND_LINE, audit};
use super::secrets::random_password;
use super::{Admin, Error, Ops};
use crate::domain::audit::AuditKind;
use crate::domain::password::check_new_password;
use crate::domain::user::{check_display_name, check_email, creates_manager_cycle};
use crate::domain::{FieldErrors, Locale, Role, User, UserId, UserInput, Username};
use crate::storage::Writer;

/// Fields as a form or a JSON body gives them; `None` keeps the current value on edit and takes
/// the default on create.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub manager_id: Option<Option<u64>>,
    pub locale: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone)]
pub enum NewPassword {
    /// Keep the current password (edits only).
    Keep,
    /// The given password; `must_change` forces a change at next sign-in.
    Given { password: String, must_change: bool },
    /// A random password, returned once and to be changed at first sign-in.
    Generate,
}

impl UserChanges {
    /// Parses the changes over `base` (the current user, or defaults for a new one).
    fn parse(&self, base: &UserInput) -> Result<UserInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut input = base.clone();
        if let Some(raw) = &self.username {
            match Username::parse(raw) {
                Ok(name) => input.username = name,
                Err(message) => errors.add("username", message),
            }
        }
        if let Some(raw) = &self.display_name {
            match check_display_name(raw) {
                Ok(name) => input.display_name = name,
                Err(message) => errors.add("display_name", message),
            }
        }
        if let Some(raw) = &self.email {
            match check_email(raw) {
                Ok(email) => input.email = email,
                Err(message) => errors.add("email", message),
            }
        }
        if let Some(raw) = &self.role {
            match Role::parse(raw) {
                Some(role) => input.role = role,
                None => errors.add("role", "must be requester, technician or admin"),
            }
        }
        if let Some(manager) = self.manager_id {
            input.manager_id = manager.map(UserId);
        }
        if let Some(raw) = &self.locale {
            match Locale::parse_choice(raw) {
                Some(locale) => input.locale = locale,
                None => errors.add("locale", "must be fr, en or auto"),
            }
        }
        if let Some(active) = self.active {
            input.active = active;
        }
        errors.into_result(input)
    }
}

fn input_of(user: &User) -> UserInput {
    UserInput {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        email: user.email.clone(),
        role: user.role,
        manager_id: user.manager_id,
        locale: user.locale,
        active: user.active,
    }
}

/// The checks that need the store, run inside the write transaction that applies the change.
fn check_against_store(
    w: &Writer,
    input: &UserInput,
    editing: Option<&User>,
    errors: &mut FieldErrors,
) -> Result<(), Error> {
    let id = editing.map(|u| u.id);
    if let Some(existing) = w.user_id_by_name(&input.username)?
        && Some(existing) != id
    {
        errors.add("username", "is already taken");
    }
    if let Some(manager) = input.manager_id {
        match w.user(manager)? {
            None => errors.add("manager_id", "no such user"),
            Some(_) => {
                if let Some(id) = id {
                    let manager_of =
                        |u: UserId| w.user(u).ok().flatten().and_then(|u| u.manager_id);
                    if creates_manager_cycle(id, manager, manager_of) {
                        errors.add("manager_id", "would make a loop in the manager chain");
                    }
                }
            }
        }
    }
    let was_active_admin = editing.is_some_and(|u| u.role == Role::Admin && u.active);
    let stays_admin = input.role == Role::Admin && input.active;
    if was_active_admin && !stays_admin && active_admins(w)? <= 1 {
        let field = if input.active { "role" } else { "active" };
        errors.add(field, "this is the last active administrator");
    }
    Ok(())
}

fn active_admins(w: &Writer) -> Result<usize, Error> {
    Ok(w.users()?
        .iter()
        .filter(|u| u.active && u.role == Role::Admin)
        .count())
}

impl Ops {
    pub fn users(&self, _admin: Admin) -> Result<Vec<User>, Error> {
        Ok(self.store().read()?.users()?)
    }

    pub fn user(&self, _admin: Admin, id: UserId) -> Result<User, Error> {
        self.store().read()?.user(id)?.ok_or(Error::NotFound)
    }

    /// Creates a user; answers it with the generated password when one was asked for.
    pub async fn create_user(
        &self,
        admin: Admin,
        changes: UserChanges,
        password: NewPassword,
    ) -> Result<(User, Option<String>), Error> {
        self.create_user_by(admin.id, changes, password).await
    }

    /// Creates a user without an admin capability: for the command line (which has the data
    /// directory, hence every right) and for first start-up.
    pub async fn create_user_unchecked(
        &self,
        changes: UserChanges,
        password: NewPassword,
    ) -> Result<(User, Option<String>), Error> {
        self.create_user_by(COMMAND_LINE, changes, password).await
    }

    async fn create_user_by(
        &self,
        by: UserId,
        changes: UserChanges,
        password: NewPassword,
    ) -> Result<(User, Option<String>), Error> {
        let mut errors = FieldErrors::new();
        if changes.username.is_none() {
            errors.add("username", "is required");
        }
        if changes.display_name.is_none() {
            errors.add("display_name", "is required");
        }
        let placeholder = UserInput {
            username: Username::parse("new").map_err(|e| Error::Internal(e.into()))?,
            display_name: String::new(),
            email: String::new(),
            role: Role::Requester,
            manager_id: None,
            locale: None,
            active: true,
        };
        let input = match changes.parse(&placeholder) {
            Ok(input) if errors.is_empty() => input,
            Ok(_) => return Err(errors.into()),
            Err(more) => {
                for (k, v) in more.iter() {
                    errors.add(k, v);
                }
                return Err(errors.into());
            }
        };
        // A chosen password is never sent back; only a generated one is shown, once.
        let (plain, must_change, generated) = match password {
            NewPassword::Given {
                password,
                must_change,
            } => {
                if let Err(m) = check_new_password(&password, input.username.as_str()) {
                    return Err(FieldErrors::single("password", m).into());
                }
                (password, must_change, None)
            }
            NewPassword::Generate | NewPassword::Keep => {
                let plain = random_password()?;
                (plain.clone(), true, Some(plain))
            }
        };
        let hash = self.passwords().hash(&plain).await?;
        self.blocking(move |ops| {
            let now = ops.now();
            ops.store().write(|w| {
                let mut errors = FieldErrors::new();
                check_against_store(w, &input, None, &mut errors)?;
                if !errors.is_empty() {
                    return Err(errors.into());
                }
                let user = User {
                    id: UserId(w.next_id("user")?),
                    username: input.username,
                    display_name: input.display_name,
                    email: input.email,
                    password_hash: hash,
                    role: input.role,
                    manager_id: input.manager_id,
                    locale: input.locale,
                    active: input.active,
                    must_change_password: must_change,
                    created_at: now,
                };
                w.put_user(&user)?;
                let what = (AuditKind::User, user.id.0, "created");
                audit(w, by, now, what, None, Some(&user))?;
                Ok((user, generated))
            })
        })
        .await
    }

    /// Edits a user. Deactivating ends all their sessions and tokens in the same transaction.
    pub async fn update_user(
        &self,
        admin: Admin,
        id: UserId,
        changes: UserChanges,
    ) -> Result<User, Error> {
        if id == admin.id && changes.active == Some(false) {
            return Err(FieldErrors::single("active", "you cannot deactivate yourself").into());
        }
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let mut user = w.user(id)?.ok_or(Error::NotFound)?;
                let before = user.clone();
                let input = changes.parse(&input_of(&user))?;
                let mut errors = input.validate(Some(id)).err().unwrap_or_default();
                check_against_store(w, &input, Some(&user), &mut errors)?;
                if !errors.is_empty() {
                    return Err(errors.into());
                }
                let deactivated = user.active && !input.active;
                user.username = input.username;
                user.display_name = input.display_name;
                user.email = input.email;
                user.role = input.role;
                user.manager_id = input.manager_id;
                user.locale = input.locale;
                user.active = input.active;
                w.put_user(&user)?;
                let what = (AuditKind::User, id.0, "updated");
                audit(w, admin.id, ops.now(), what, Some(&before), Some(&user))?;
                if deactivated {
                    w.delete_sessions_of(id, |_, _| true)?;
                }
                Ok(user)
            })
        })
        .await
    }

    /// Sets a new password for someone else (admin) or by the command line. All of the user's
    /// sessions and personal API tokens end. Answers the generated password when one was asked
    /// for; a chosen one is never answered.
    pub async fn reset_password(
        &self,
        admin: Admin,
        id: UserId,
        password: NewPassword,
    ) -> Result<Option<String>, Error> {
        self.reset_password_by(admin.id, id, password).await
    }

    pub async fn reset_password_unchecked(
        &self,
        id: UserId,
        password: NewPassword,
    ) -> Result<Option<String>, Error> {
        self.reset_password_by(COMMAND_LINE, id, password).await
    }

    async fn reset_password_by(
        &self,
        by: UserId,
        id: UserId,
        password: NewPassword,
    ) -> Result<Option<String>, Error> {
        let username = self
            .store()
            .read()?
            .user(id)?
            .ok_or(Error::NotFound)?
            .username;
        let (plain, must_change, generated) = match password {
            NewPassword::Keep => return Ok(None),
            NewPassword::Given {
                password,
                must_change,
            } => {
                if let Err(m) = check_new_password(&password, username.as_str()) {
                    return Err(FieldErrors::single("password", m).into());
                }
                (password, must_change, None)
            }
            NewPassword::Generate => {
                let plain = random_password()?;
                (plain.clone(), true, Some(plain))
            }
        };
        let hash = self.passwords().hash(&plain).await?;
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let mut user = w.user(id)?.ok_or(Error::NotFound)?;
                user.password_hash = hash;
                user.must_change_password = must_change;
                w.put_user(&user)?;
                w.delete_sessions_of(id, |_, _| true)?;
                // The trail says that it happened, never what the password is.
                let what = (AuditKind::User, id.0, "password_reset");
                audit(w, by, ops.now(), what, Some(&user), Some(&user))?;
                Ok::<_, Error>(())
            })
        })
        .await?;
        Ok(generated)
    }

    /// Finds a user by username without a capability: for the command line.
    pub fn user_by_name_unchecked(&self, name: &str) -> Result<User, Error> {
        let name = Username::parse(name).map_err(|_| Error::NotFound)?;
        self.store()
            .read()?
            .user_by_name(&name)?
            .ok_or(Error::NotFound)
    }

    pub fn users_unchecked(&self) -> Result<Vec<User>, Error> {
        Ok(self.store().read()?.users()?)
    }

    /// A user's display name, to show beside an id (a manager, a team lead). Any signed-in
    /// user may see another's display name.
    pub fn display_name(&self, id: UserId) -> Result<Option<String>, Error> {
        Ok(self.store().read()?.user(id)?.map(|u| u.display_name))
    }
}
