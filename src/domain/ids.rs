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

/// How many digits `n` takes zero-padded to at least `width`: twenty at most, as a `u64` has.
pub fn padded_len(n: u64, width: usize) -> usize {
    n.checked_ilog10()
        .map_or(1, |log| log as usize + 1)
        .max(width)
        .min(20)
}

/// Writes the last `slot.len()` decimal digits of `n` into `slot`, zero-padded: a time or a
/// number written into a buffer on the stack.
pub fn fill_digits(slot: &mut [u8], n: u64) {
    let mut rest = n;
    for digit in slot.iter_mut().rev() {
        *digit = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn padded_len_is_the_length_format_pads_to(n in any::<u64>(), width in 0usize..=22) {
            prop_assert_eq!(padded_len(n, width), format!("{n:0w$}", w = width.min(20)).len());
        }

        #[test]
        fn fill_digits_keeps_the_last_digits(n in any::<u64>(), len in 1usize..=20) {
            let mut slot = vec![b'#'; len];
            fill_digits(&mut slot, n);
            let full = format!("{n:020}");
            prop_assert_eq!(std::str::from_utf8(&slot).expect("ascii"), &full[20 - len..]);
        }
    }
}
