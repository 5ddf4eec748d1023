//! The sign-in throttle's counters, in memory on purpose: a restart forgetting them is
//! acceptable, and it keeps failed sign-ins off the disk. Keys are bounded in size and number,
//! so an attacker cannot grow the table without end.

use super::Error;
use crate::domain::Timestamp;
use crate::domain::session::throttle::{
    ACCOUNT, ADDRESS, Attempts, PAIR, Policy, address_key, expired, record, wait,
};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Most counters kept at once; past it, the oldest are dropped.
const MAX_KEYS: usize = 100_000;
/// Longest account name kept in a key, in bytes; longer names are cut (never a valid username).
const MAX_NAME: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, IpAddr),
    Address(IpAddr),
    Account(String),
}

impl Key {
    fn policy(&self) -> Policy {
        match self {
            Key::Pair(..) => PAIR,
            Key::Address(_) => ADDRESS,
            Key::Account(_) => ACCOUNT,
        }
    }
}

#[derive(Default)]
pub struct Throttle {
    counters: Mutex<HashMap<Key, Attempts>>,
}

/// An attempt under way: its keys, to settle once the password is checked.
pub struct Attempt {
    keys: Vec<Key>,
}

fn account_key(account: &str) -> String {
    let mut name = account.trim().to_lowercase();
    if name.len() > MAX_NAME {
        let mut end = MAX_NAME;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

impl Throttle {
    /// Starts an attempt on `account` from `ip`: refused with the seconds to wait, or counted
    /// now (before the password is checked, so that parallel attempts cannot slip through).
    pub fn begin(
        &self,
        account: &str,
        ip: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<Attempt, Error> {
        let account = account_key(account);
        let mut keys = vec![Key::Account(account.clone())];
        if let Some(ip) = ip.map(address_key) {
            keys.push(Key::Pair(account, ip));
            keys.push(Key::Address(ip));
        }
        let mut counters = self
            .counters
            .lock()
            .map_err(|_| Error::Internal("throttle state poisoned".into()))?;
        let longest = keys
            .iter()
            .filter_map(|k| wait(counters.get(k).copied(), now, k.policy()))
            .max();
        if let Some(retry_after) = longest {
            return Err(Error::Throttled { retry_after });
        }
        if counters.len() + keys.len() > MAX_KEYS {
            make_room(&mut counters, now);
        }
        for key in &keys {
            let next = record(counters.get(key).copied(), now, key.policy());
            counters.insert(key.clone(), next);
        }
        Ok(Attempt { keys })
    }

    /// The password was right: the attempt no longer counts against the account or the pair,
    /// nor against the address.
    pub fn succeeded(&self, attempt: Attempt) {
        if let Ok(mut counters) = self.counters.lock() {
            for key in attempt.keys {
                match key {
                    Key::Address(_) => {
                        if let Some(c) = counters.get_mut(&key) {
                            c.count = c.count.saturating_sub(1);
                        }
                    }
                    Key::Pair(..) | Key::Account(_) => {
                        counters.remove(&key);
                    }
                }
            }
        }
    }
}

/// Drops forgotten counters, then the oldest tenth if that is not enough.
fn make_room(counters: &mut HashMap<Key, Attempts>, now: Timestamp) {
    counters.retain(|key, state| !expired(*state, now, key.policy()));
    if counters.len() + 3 > MAX_KEYS {
        let mut ages: Vec<i64> = counters.values().map(|s| s.last_at.0).collect();
        let cut = ages.len() / 10;
        ages.select_nth_unstable(cut);
        let oldest_kept = ages[cut];
        counters.retain(|_, state| state.last_at.0 > oldest_kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_in_size_and_number() {
        let throttle = Throttle::default();
        let huge = "x".repeat(1_500_000);
        let attempt = throttle
            .begin(&huge, Some("10.0.0.1".parse().expect("ip")), Timestamp(1))
            .expect("first attempt");
        assert!(attempt.keys.iter().all(|k| match k {
            Key::Account(name) | Key::Pair(name, _) => name.len() <= MAX_NAME,
            Key::Address(_) => true,
        }));
        for i in 0..50_000u32 {
            let ip = IpAddr::from(i.to_be_bytes());
            let _ = throttle.begin(&format!("user{i}"), Some(ip), Timestamp(2 + i64::from(i)));
        }
        let kept = throttle.counters.lock().expect("lock").len();
        assert!(kept <= MAX_KEYS, "{kept}");
    }
}
