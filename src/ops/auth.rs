//! Signing in and out, sessions, throttling, password changes and personal API tokens.

use super::secrets::{hash_token, hex, new_token, random_bytes};
use super::{Error, Ops};
use crate::domain::password::check_new_password;
use crate::domain::{FieldErrors, Locale, Session, SessionKind, User, Username};
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKind {
    Web,
    Api,
}

/// A new session: the secret to hand to the client once, and what it stands for.
pub struct SignedIn {
    pub token: String,
    pub user: User,
    pub session: Session,
}

impl Ops {
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: LoginKind,
        ip: Option<IpAddr>,
    ) -> Result<SignedIn, Error> {
        let attempt = self.inner.throttle.begin(username, ip, self.now())?;
        let user = match Username::parse(username) {
            Ok(name) => self.store().read()?.user_by_name(&name)?,
            Err(_) => None,
        };
        let hash = user.as_ref().map(|u| u.password_hash.as_str());
        let matches = self.passwords().verify(password, hash).await?;
        let Some(user) = user.filter(|_| matches) else {
            return Err(Error::BadCredentials);
        };
        self.inner.throttle.succeeded(attempt);
        if !user.active {
            return Err(Error::Forbidden("this account is deactivated"));
        }
        let kind = match kind {
            LoginKind::Web => SessionKind::Web,
            LoginKind::Api => SessionKind::ApiLogin,
        };
        let (token, session) = self.new_session(&user, kind, String::new()).await?;
        Ok(SignedIn {
            token,
            user,
            session,
        })
    }

    async fn new_session(
        &self,
        user: &User,
        kind: SessionKind,
        name: String,
    ) -> Result<(String, Session), Error> {
        let (token, hash) = new_token()?;
        let now = self.now();
        let expires_at = match kind {
            SessionKind::Personal => None,
            SessionKind::Web | SessionKind::ApiLogin => {
                Some(now.plus_seconds(self.inner.settings.session_seconds))
            }
        };
        let mut session = Session {
            id: 0,
            user_id: user.id,
            kind,
            name,
            csrf: hex(&random_bytes::<16>()?),
            created_at: now,
            expires_at,
        };
        self.blocking(move |ops| {
            ops.store().write(|w| {
                session.id = w.next_id("session")?;
                w.put_session(&hash, &session)?;
                Ok::<_, Error>(session)
            })
        })
        .await
        .map(|session| (token, session))
    }

    /// Resolves a session cookie or bearer token to its active user. Expired sessions and
    /// deactivated users answer `None`. A read only, kept until the next commit (signing out,
    /// a deactivation, a role change are commits): this runs on every request.
    pub fn authenticate(&self, token: &str) -> Result<Option<(User, Session)>, Error> {
        // The generation first: a commit after it makes the next call read again.
        let generation = self.store().generation();
        let hash = hash_token(token);
        let found = self.inner.sessions.get(generation, hash, || {
            let reader = self.store().read()?;
            let Some(session) = reader.session(&hash)? else {
                return Ok(None);
            };
            Ok(reader
                .user(session.user_id)?
                .filter(|u| u.active)
                .map(|u| (u, session)))
        })?;
        // Expiry is a matter of time, not of commits: checked on every request.
        Ok(found.filter(|(_, session)| !session.is_expired(self.now())))
    }

    pub async fn logout(&self, token: &str) -> Result<(), Error> {
        let hash = hash_token(token);
        self.blocking(move |ops| {
            ops.store().write(|w| w.delete_session(&hash))?;
            Ok(())
        })
        .await
    }

    /// Changes one's own password. Every other session ends, personal API tokens included; the
    /// current one (identified by its token) stays.
    pub async fn change_password(
        &self,
        user: &User,
        current_token: &str,
        current: &str,
        new: &str,
        ip: Option<IpAddr>,
    ) -> Result<(), Error> {
        let mut errors = FieldErrors::new();
        // Guessing the current password here is throttled like signing in.
        let attempt = self
            .inner
            .throttle
            .begin(user.username.as_str(), ip, self.now())?;
        if self
            .passwords()
            .verify(current, Some(&user.password_hash))
            .await?
        {
            self.inner.throttle.succeeded(attempt);
        } else {
            errors.add("current", "is not your current password");
        }
        if let Err(message) = check_new_password(new, user.username.as_str()) {
            errors.add("new", message);
        } else if new == current {
            errors.add("new", "must differ from the current password");
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let keep = hash_token(current_token);
        let id = user.id;
        let hash = self.passwords().hash(new).await?;
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let mut user = w.user(id)?.ok_or(Error::NotFound)?;
                user.password_hash = hash;
                user.must_change_password = false;
                w.put_user(&user)?;
                // Personal API tokens end too: whoever knew the old password may have made one.
                w.delete_sessions_of(id, |h, _| *h != keep)?;
                Ok(())
            })
        })
        .await
    }

    pub async fn set_locale(&self, user: &User, locale: Option<Locale>) -> Result<(), Error> {
        let id = user.id;
        self.blocking(move |ops| {
            ops.store().write(|w| {
                let mut user = w.user(id)?.ok_or(Error::NotFound)?;
                user.locale = locale;
                w.put_user(&user)?;
                Ok(())
            })
        })
        .await
    }

    /// Creates a named personal API token. The secret is shown once and never stored.
    pub async fn create_personal_token(
        &self,
        user: &User,
        name: &str,
    ) -> Result<(String, Session), Error> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(FieldErrors::single("name", "must be 1 to 60 characters long").into());
        }
        self.new_session(user, SessionKind::Personal, name.to_owned())
            .await
    }

    pub fn personal_tokens(&self, user: &User) -> Result<Vec<Session>, Error> {
        let mut tokens: Vec<Session> = self
            .store()
            .read()?
            .sessions_of(user.id)?
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.kind == SessionKind::Personal)
            .collect();
        tokens.sort_by_key(|s| s.id);
        Ok(tokens)
    }

    pub async fn revoke_personal_token(&self, user: &User, token_id: u64) -> Result<(), Error> {
        let owner = user.id;
        self.blocking(move |ops| {
            let removed = ops.store().write(|w| {
                w.delete_sessions_of(owner, |_, s| {
                    s.kind == SessionKind::Personal && s.id == token_id
                })
            })?;
            if removed == 0 {
                Err(Error::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }
}
