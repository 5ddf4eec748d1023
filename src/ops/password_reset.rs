//! A forgotten password, when mail is on: the sign-in page asks for an account's name or
//! address and answers the same whether it exists or not; the mail holds a link signed like
//! the approval links, valid an hour from the asking, and bound to a fingerprint of the
//! password it replaces, so that it works once (a new password changes the fingerprint). Asking
//! is throttled per account and per client; a reset ends every session of the account.

use super::mail_links::{seal, unseal};
use super::users::NewPassword;
use super::{Error, Ops};
use crate::domain::mail::{Mail, MailBody};
use crate::domain::{Timestamp, User, UserId};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// How long a reset link stays valid.
pub const RESET_SECONDS: i64 = 3600;
/// Marks a reset claim, so that it can never pass for an approval link.
const PURPOSE: u8 = 3;
const CLAIM_BYTES: usize = 1 + 8 + 8 + 8;

/// Why a reset link does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRefusal {
    /// Altered, or for an account that is gone or deactivated.
    Invalid,
    Expired,
    /// The password changed since the link was made (this link or another was used).
    Used,
}

fn fingerprint(user: &User) -> [u8; 8] {
    let digest = Sha256::digest(user.password_hash.as_bytes());
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

fn claim(user: &User, expires: Timestamp) -> [u8; CLAIM_BYTES] {
    let mut out = [0u8; CLAIM_BYTES];
    out[0] = PURPOSE;
    out[1..9].copy_from_slice(&user.id.0.to_be_bytes());
    out[9..17].copy_from_slice(&expires.0.to_be_bytes());
    out[17..25].copy_from_slice(&fingerprint(user));
    out
}

/// A reset link's token for `user`, valid until `expires`.
pub(super) fn reset_token(key: &[u8; 32], user: &User, expires: Timestamp) -> String {
    seal(key, &claim(user, expires))
}

/// The user and expiry a token names, if its signature holds.
fn read_token(key: &[u8; 32], token: &str) -> Option<(UserId, Timestamp, [u8; 8])> {
    let claim = unseal(key, token, CLAIM_BYTES)?;
    if claim.first() != Some(&PURPOSE) {
        return None;
    }
    let user = UserId(u64::from_be_bytes(claim.get(1..9)?.try_into().ok()?));
    let expires = Timestamp(i64::from_be_bytes(claim.get(9..17)?.try_into().ok()?));
    Some((user, expires, claim.get(17..25)?.try_into().ok()?))
}

impl Ops {
    /// Asks for a reset link for the account named `who` (its username or address). Answers
    /// the same whether it exists or not; only the throttle answers otherwise.
    pub async fn ask_password_reset(&self, who: &str, ip: Option<IpAddr>) -> Result<(), Error> {
        if !self.mail_on() {
            return Err(Error::NotFound);
        }
        let who = who.trim().to_lowercase();
        // Counted like a failed sign-in, and never cleared: each ask spends an attempt.
        self.inner.reset_throttle.begin(&who, ip, self.now())?;
        let now = self.now();
        let queued = self
            .blocking(move |ops| {
                let reader = ops.store().read()?;
                let found = reader.users()?.into_iter().find(|u| {
                    u.active
                        && !u.email.trim().is_empty()
                        && (u.username.as_str().to_lowercase() == who
                            || u.email.trim().to_lowercase() == who)
                });
                let Some(user) = found else {
                    return Ok(false);
                };
                let body = MailBody::PasswordReset { user: user.id };
                ops.store()
                    .write(|w| w.put_mail(&Mail::new(user.email.clone(), body, now)))?;
                Ok(true)
            })
            .await?;
        if queued {
            self.mail_queued();
        }
        Ok(())
    }

    /// The account a reset link is for, if the link still works; changes nothing.
    pub fn reset_link(&self, token: &str) -> Result<Result<User, ResetRefusal>, Error> {
        let key = self.link_key()?;
        let Some((id, expires, print)) = read_token(&key, token) else {
            return Ok(Err(ResetRefusal::Invalid));
        };
        let Some(user) = self.store().read()?.user(id)?.filter(|u| u.active) else {
            return Ok(Err(ResetRefusal::Invalid));
        };
        if expires < self.now() {
            return Ok(Err(ResetRefusal::Expired));
        }
        if fingerprint(&user) != print {
            return Ok(Err(ResetRefusal::Used));
        }
        Ok(Ok(user))
    }

    /// Sets the new password a reset link's form sent, and ends every session of the account.
    pub async fn reset_by_link(
        &self,
        token: &str,
        password: String,
    ) -> Result<Result<User, ResetRefusal>, Error> {
        let user = match self.reset_link(token)? {
            Ok(user) => user,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let given = NewPassword::Given {
            password,
            must_change: false,
        };
        self.reset_password_unchecked(user.id, given).await?;
        Ok(Ok(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_token_reads_back_only_unaltered_and_not_as_an_approval() {
        let key = [9u8; 32];
        let mut user = User {
            id: UserId(3),
            username: crate::domain::Username::parse("alice").expect("name"),
            display_name: "Alice".into(),
            email: "alice@example.org".into(),
            password_hash: "argon2-hash".into(),
            role: crate::domain::Role::Requester,
            manager_id: None,
            locale: None,
            active: true,
            must_change_password: false,
            created_at: Timestamp(0),
        };
        let token = reset_token(&key, &user, Timestamp(100));
        assert_eq!(
            read_token(&key, &token),
            Some((UserId(3), Timestamp(100), fingerprint(&user)))
        );
        assert_eq!(read_token(&[1u8; 32], &token), None);
        let mut altered = token.clone().into_bytes();
        altered[4] = if altered[4] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            read_token(&key, &String::from_utf8(altered).expect("ascii")),
            None
        );
        user.password_hash = "another".into();
        assert_ne!(
            read_token(&key, &token).map(|t| t.2),
            Some(fingerprint(&user))
        );
    }
}
