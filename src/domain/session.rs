//! Sign-in sessions and API tokens: both are bearer secrets stored only as hashes.

use super::{Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser session, carried by the session cookie; its CSRF token guards every form.
    Web,
    /// A token from `POST /api/v1/login`; expires like a browser session.
    ApiLogin,
    /// A named personal API token created by its owner; lasts until revoked.
    Personal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// A small number used to name a personal token in listings and revocation, never the secret.
    pub id: u64,
    pub user_id: UserId,
    pub kind: SessionKind,
    /// The owner's label for a personal token; empty for the other kinds.
    pub name: String,
    /// The form token of a browser session (hex), compared on every state-changing form.
    pub csrf: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

impl Session {
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// Login throttling: after `MAX_FAILURES` failed sign-ins for one key within `WINDOW_SECONDS`,
/// further attempts are refused until the window that began with the first failure ends.
pub mod throttle {
    use super::Timestamp;

    pub const MAX_FAILURES: u32 = 5;
    pub const WINDOW_SECONDS: i64 = 15 * 60;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Failures {
        pub first_at: Timestamp,
        pub count: u32,
    }

    /// Seconds to wait before trying again, or `None` when an attempt is allowed now.
    pub fn retry_after(state: Option<Failures>, now: Timestamp, max: u32) -> Option<i64> {
        let state = state?;
        let ends = state.first_at.0 + WINDOW_SECONDS;
        (state.count >= max && now.0 < ends).then_some(ends - now.0)
    }

    /// The state after one more failure at `now`; a window that has ended starts afresh.
    pub fn record_failure(state: Option<Failures>, now: Timestamp) -> Failures {
        match state {
            Some(s) if now.0 < s.first_at.0 + WINDOW_SECONDS => Failures {
                first_at: s.first_at,
                count: s.count.saturating_add(1),
            },
            _ => Failures {
                first_at: now,
                count: 1,
            },
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn locks_after_max_failures_until_window_ends() {
            let mut state = None;
            for i in 0..MAX_FAILURES {
                assert_eq!(
                    retry_after(state, Timestamp(100 + i64::from(i)), MAX_FAILURES),
                    None
                );
                state = Some(record_failure(state, Timestamp(100 + i64::from(i))));
            }
            assert_eq!(
                retry_after(state, Timestamp(200), MAX_FAILURES),
                Some(WINDOW_SECONDS - 100)
            );
            assert_eq!(
                retry_after(state, Timestamp(100 + WINDOW_SECONDS), MAX_FAILURES),
                None
            );
            let fresh = record_failure(state, Timestamp(100 + WINDOW_SECONDS));
            assert_eq!(fresh.count, 1);
        }
    }
}
