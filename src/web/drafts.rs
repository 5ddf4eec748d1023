//! What a person typed in a request form when their session had ended: kept in memory for an
//! hour, tied to their browser by a cookie, and put back in the same form after they sign in
//! again. Files cannot be kept (the form says to choose them again). Bounded: at most
//! `MAX_DRAFTS` drafts of at most `MAX_BYTES` each; a draft is given back once.

use crate::domain::Timestamp;
use crate::views::request_form::Values;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a draft waits for its author to sign in again.
pub const DRAFT_SECONDS: i64 = 3600;
const MAX_DRAFTS: usize = 1000;
const MAX_BYTES: usize = 64 * 1024;

struct Draft {
    /// The form's page, where the draft goes back.
    path: String,
    values: Values,
    at: Timestamp,
}

#[derive(Default)]
pub struct Drafts {
    kept: Mutex<HashMap<String, Draft>>,
}

impl Drafts {
    /// Keeps `values` typed on `path` under `token`; answers false (keeping nothing) when the
    /// draft is too large or too many are waiting.
    pub fn keep(&self, token: String, path: &str, values: Values, now: Timestamp) -> bool {
        let size: usize = values
            .iter()
            .map(|(k, v)| k.len() + v.iter().map(String::len).sum::<usize>())
            .sum();
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|_, d| now.0 - d.at.0 < DRAFT_SECONDS);
        if size > MAX_BYTES || kept.len() >= MAX_DRAFTS {
            return false;
        }
        let draft = Draft {
            path: path.to_owned(),
            values,
            at: now,
        };
        kept.insert(token, draft);
        true
    }

    /// Gives back, once, the draft kept under `token` for `path`, if still fresh.
    pub fn take(&self, token: &str, path: &str, now: Timestamp) -> Option<Values> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = kept
            .get(token)
            .is_some_and(|d| d.path == path && now.0 - d.at.0 < DRAFT_SECONDS);
        if !fresh {
            return None;
        }
        kept.remove(token).map(|d| d.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Values {
        Values::from([("motif".to_owned(), vec![text.to_owned()])])
    }

    #[test]
    fn a_draft_comes_back_once_on_its_own_page_within_the_hour() {
        let drafts = Drafts::default();
        let t0 = Timestamp(1_000_000);
        assert!(drafts.keep("a".into(), "/services/3", values("x"), t0));
        assert_eq!(drafts.take("a", "/services/4", t0), None, "another page");
        assert_eq!(drafts.take("b", "/services/3", t0), None, "another browser");
        assert_eq!(drafts.take("a", "/services/3", t0), Some(values("x")));
        assert_eq!(drafts.take("a", "/services/3", t0), None, "only once");
        assert!(drafts.keep("c".into(), "/services/3", values("y"), t0));
        let later = Timestamp(t0.0 + DRAFT_SECONDS);
        assert_eq!(drafts.take("c", "/services/3", later), None, "too old");
    }

    #[test]
    fn drafts_are_bounded_in_size_and_number() {
        let drafts = Drafts::default();
        let t0 = Timestamp(1_000_000);
        assert!(!drafts.keep("big".into(), "/s", values(&"x".repeat(MAX_BYTES + 1)), t0));
        for i in 0..MAX_DRAFTS {
            assert!(drafts.keep(i.to_string(), "/s", values("x"), t0));
        }
        assert!(!drafts.keep("one more".into(), "/s", values("x"), t0));
        // Once they are old, they make room.
        let later = Timestamp(t0.0 + DRAFT_SECONDS);
        assert!(drafts.keep("one more".into(), "/s", values("x"), later));
    }
}
