//! The password policy. Hashing itself lives in `ops::auth`, because it needs randomness.

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 256;

/// Checks a new password against the policy. Length is the rule that matters (NIST 800-63B);
/// the username itself is refused because it is the first thing an attacker tries.
pub fn check_new_password(password: &str, username: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err("must be at least 8 characters long");
    }
    if len > MAX_LEN {
        return Err("must be at most 256 characters long");
    }
    if password.trim().to_lowercase() == username.to_lowercase() {
        return Err("must not be the username");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_checks_length_and_username() {
        assert!(check_new_password("short", "bob").is_err());
        assert!(check_new_password("Bobby-Tables", "bobby-tables").is_err());
        assert!(check_new_password("correct horse", "bob").is_ok());
        assert!(check_new_password(&"x".repeat(257), "bob").is_err());
    }
}
