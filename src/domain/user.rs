//! Users, their roles and the rules a user record must satisfy.

use super::{FieldErrors, Locale, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Requester,
    Technician,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Requester, Role::Technician, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Technician => "technician",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    /// Technicians and admins form the IT team: they see the desk, internal comments and metrics.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Technician | Role::Admin)
    }
}

/// A login name: 2–32 characters of lowercase ASCII letters, digits, `.`, `-`, `_`, starting
/// with a letter or digit. Stored lowercased so that uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, &'static str> {
        let name = raw.trim().to_lowercase();
        if name.len() < 2 || name.len() > 32 {
            return Err("must be 2 to 32 characters long");
        }
        let mut chars = name.chars();
        if !chars.next().is_some_and(|c| c.is_ascii_alphanumeric()) {
            return Err("must start with a letter or a digit");
        }
        if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            return Err("may contain only letters a-z, digits, '.', '-' and '_'");
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub email: String,
    /// An argon2id PHC string; never leaves the server.
    pub password_hash: String,
    pub role: Role,
    pub manager_id: Option<UserId>,
    /// The language the user chose; `None` follows the browser.
    pub locale: Option<Locale>,
    pub active: bool,
    /// Set for generated passwords: every page leads to the password form until it is changed.
    pub must_change_password: bool,
    pub created_at: Timestamp,
}

/// What an admin may set on a user, already parsed; `validate` checks the cross-field rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    pub username: Username,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub manager_id: Option<UserId>,
    pub locale: Option<Locale>,
    pub active: bool,
}

pub const MAX_NAME_LEN: usize = 100;

/// Checks a display name: trimmed, non-empty, at most `MAX_NAME_LEN` characters.
pub fn check_display_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("is required");
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err("must be at most 100 characters long");
    }
    Ok(name.to_owned())
}

/// A deliberately small e-mail check: one `@`, something on both sides, a dot in the domain,
/// no spaces. Empty is allowed (users without mail only get in-app notifications).
pub fn check_email(email: &str) -> Result<String, &'static str> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email.to_owned())
    } else {
        Err("is not a valid e-mail address")
    }
}

impl UserInput {
    /// Rules that need no storage: a user cannot be their own manager.
    pub fn validate(&self, editing: Option<UserId>) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if editing.is_some() && self.manager_id == editing {
            errors.add("manager_id", "a user cannot be their own manager");
        }
        errors.into_result(())
    }
}

/// Would setting `manager` as the manager of `user` create a loop in the manager chain?
/// `manager_of` answers each user's current manager.
pub fn creates_manager_cycle(
    user: UserId,
    manager: UserId,
    manager_of: impl Fn(UserId) -> Option<UserId>,
) -> bool {
    let mut current = Some(manager);
    // The chain is at most as long as the number of users; the bound guards a corrupt store.
    for _ in 0..10_000 {
        match current {
            None => return false,
            Some(id) if id == user => return true,
            Some(id) => current = manager_of(id),
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_folded_and_checked() {
        assert_eq!(Username::parse(" Alice ").map(|u| u.0), Ok("alice".into()));
        assert_eq!(
            Username::parse("j.doe-2_x").map(|u| u.0),
            Ok("j.doe-2_x".into())
        );
        assert!(Username::parse("a").is_err());
        assert!(Username::parse(".alice").is_err());
        assert!(Username::parse("alice smith").is_err());
        assert!(Username::parse("élise").is_err());
        assert!(Username::parse(&"x".repeat(33)).is_err());
    }

    #[test]
    fn emails_are_loosely_checked_and_optional() {
        assert_eq!(check_email(""), Ok(String::new()));
        assert!(check_email("alice@example.org").is_ok());
        assert!(check_email("alice@example").is_err());
        assert!(check_email("alice@@example.org").is_err());
        assert!(check_email("al ice@example.org").is_err());
        assert!(check_email("@example.org").is_err());
    }

    #[test]
    fn manager_cycles_are_detected() {
        // 1 is managed by 2, 2 by 3.
        let chain = |id: UserId| match id.0 {
            1 => Some(UserId(2)),
            2 => Some(UserId(3)),
            _ => None,
        };
        assert!(creates_manager_cycle(UserId(3), UserId(1), chain));
        assert!(creates_manager_cycle(UserId(1), UserId(1), chain));
        assert!(!creates_manager_cycle(UserId(4), UserId(1), chain));
    }

    #[test]
    fn display_names_are_required_and_bounded() {
        assert_eq!(check_display_name("  Bob  "), Ok("Bob".into()));
        assert!(check_display_name("   ").is_err());
        assert!(check_display_name(&"é".repeat(101)).is_err());
        assert!(check_display_name(&"é".repeat(100)).is_ok());
    }
}
