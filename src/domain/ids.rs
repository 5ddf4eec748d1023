//! Identifier newtypes and the timestamp type shared by every entity.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Seconds since the Unix epoch, UTC. The domain never reads the clock: callers pass it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds))
    }
}

/// Appends `n` in decimal to `out`, zero-padded to at least `width` digits: how tracking
/// numbers and times are written where many are written at once (`format!` with its padding
/// took a tenth of a listing).
pub fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut rest = n;
    let mut from = digits.len();
    while rest > 0 || from == digits.len() {
        from -= 1;
        digits[from] = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
    }
    // The array is zeros before the number's own digits.
    let from = from.min(digits.len().saturating_sub(width));
    out.extend(digits[from..].iter().map(|&d| char::from(d)));
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_type!(
    /// A user's id, assigned from the `user` sequence and never reused.
    UserId
);
id_type!(
    /// A team's id, assigned from the `team` sequence and never reused.
    TeamId
);
id_type!(
    /// A category's id, assigned from the `category` sequence and never reused.
    CategoryId
);
id_type!(
    /// A service's id, assigned from the `service` sequence and never reused.
    ServiceId
);
