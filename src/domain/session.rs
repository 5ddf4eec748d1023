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

/// Sign-in throttling, keyed so that an attacker cannot lock the owner out.
///
/// Three counters see every attempt: the account *and* address pair (an attacker's own
/// attempts: after a few, each waits twice as long as the one before, up to 15 minutes), the
/// address alone (many accounts tried from one place: capped), and the account alone (a
/// distributed attack: a gentle slowdown of a few seconds at most, so that the owner signing in
/// from elsewhere is never kept out for long). An attempt is counted when it starts, before the
/// slow password check, so parallel attempts cannot slip through together.
pub mod throttle {
    use super::Timestamp;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Policy {
        /// Attempts allowed without waiting.
        pub free: u32,
        /// The longest wait between two attempts, in seconds.
        pub max_wait: i64,
        /// After this long without an attempt, the counter starts afresh.
        pub forget_after: i64,
    }

    /// One account from one address.
    pub const PAIR: Policy = Policy {
        free: 3,
        max_wait: 15 * 60,
        forget_after: 60 * 60,
    };
    /// One address, whatever the account.
    pub const ADDRESS: Policy = Policy {
        free: 30,
        max_wait: 15 * 60,
        forget_after: 60 * 60,
    };
    /// One account, whatever the address.
    pub const ACCOUNT: Policy = Policy {
        free: 10,
        max_wait: 5,
        forget_after: 15 * 60,
    };

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Attempts {
        pub count: u32,
        pub last_at: Timestamp,
    }

    /// Seconds to wait before the next attempt, or `None` when it may start now.
    pub fn wait(state: Option<Attempts>, now: Timestamp, policy: Policy) -> Option<i64> {
        let state = state.filter(|s| now.0 - s.last_at.0 < policy.forget_after)?;
        let over = state.count.checked_sub(policy.free)?;
        let delay = 1i64
            .checked_shl(over.min(40))
            .unwrap_or(i64::MAX)
            .min(policy.max_wait);
        let allowed_at = state.last_at.0.saturating_add(delay);
        (now.0 < allowed_at).then_some(allowed_at - now.0)
    }

    /// The counter after one more attempt at `now`.
    pub fn record(state: Option<Attempts>, now: Timestamp, policy: Policy) -> Attempts {
        let count = state
            .filter(|s| now.0 - s.last_at.0 < policy.forget_after)
            .map_or(0, |s| s.count);
        Attempts {
            count: count.saturating_add(1),
            last_at: now,
        }
    }

    /// The address an attempt is counted under: IPv4 as it is, IPv6 by its /64 (one host
    /// commonly holds a whole /64).
    pub fn address_key(ip: std::net::IpAddr) -> std::net::IpAddr {
        match ip {
            std::net::IpAddr::V4(_) => ip,
            std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => std::net::IpAddr::V4(v4),
                None => {
                    let mut segments = v6.segments();
                    segments[4..].fill(0);
                    std::net::IpAddr::V6(segments.into())
                }
            },
        }
    }

    /// Whether the counter can be dropped: it would neither delay nor count any more.
    pub fn expired(state: Attempts, now: Timestamp, policy: Policy) -> bool {
        now.0 - state.last_at.0 >= policy.forget_after
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn attempts(n: u32, policy: Policy) -> (Option<Attempts>, Timestamp) {
            let mut state = None;
            let mut now = Timestamp(1000);
            for _ in 0..n {
                if let Some(w) = wait(state, now, policy) {
                    now = Timestamp(now.0 + w);
                }
                state = Some(record(state, now, policy));
            }
            (state, now)
        }

        #[test]
        fn waits_double_after_the_free_attempts_up_to_the_cap() {
            let (state, now) = attempts(PAIR.free, PAIR);
            assert_eq!(wait(state, now, PAIR), Some(1));
            let (state, now) = attempts(PAIR.free + 3, PAIR);
            assert_eq!(wait(state, now, PAIR), Some(8));
            let (state, now) = attempts(PAIR.free + 30, PAIR);
            assert_eq!(wait(state, now, PAIR), Some(PAIR.max_wait));
            // The owner's account on its own never waits more than a few seconds.
            let (state, now) = attempts(ACCOUNT.free + 50, ACCOUNT);
            assert_eq!(wait(state, now, ACCOUNT), Some(ACCOUNT.max_wait));
        }

        #[test]
        fn an_attempt_counts_at_once_and_old_ones_are_forgotten() {
            let mut state = None;
            let now = Timestamp(50);
            // Parallel attempts at the same instant: only the free ones start.
            let mut started = 0;
            for _ in 0..12 {
                if wait(state, now, PAIR).is_none() {
                    state = Some(record(state, now, PAIR));
                    started += 1;
                }
            }
            assert_eq!(started, PAIR.free);
            let later = Timestamp(now.0 + PAIR.forget_after);
            assert_eq!(wait(state, later, PAIR), None);
            assert!(expired(state.expect("state"), later, PAIR));
            assert_eq!(record(state, later, PAIR).count, 1);
        }
    }
}
