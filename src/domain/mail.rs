//! A mail in the outbox: what it is about, where it goes, and where its delivery stands. The
//! rules of delivery are pure: how long to wait before the next attempt (exponential
//! back-off, capped) and when to give up.

use super::notification::{NoticeKind, Notification};
use super::request::RequestId;
use super::user::User;
use super::{Timestamp, UserId};

/// The first retry waits this long; each next one twice as long as the one before…
pub const FIRST_RETRY_SECONDS: i64 = 60;
/// …up to this.
pub const LONGEST_RETRY_SECONDS: i64 = 3600;

/// What a mail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailBody {
    /// One notification of the inbox, also mailed: rendered when it is sent, in the
    /// recipient's language, from the request as it is then.
    Notice {
        user: UserId,
        request: RequestId,
        kind: NoticeKind,
        at: Timestamp,
        by: Option<UserId>,
    },
    /// A test mail an admin sent from the outbox page.
    Test { by: UserId },
    /// The weekly digest of a member of the IT team: their open requests and the approvals
    /// waiting for them, as they stand when it is sent.
    Digest { user: UserId },
    /// A signed link to choose a new password, valid an hour from when it was asked for.
    PasswordReset { user: UserId },
}

/// Where a mail's delivery stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailState {
    /// Waiting for its next attempt; `last_error` is the relay's answer to the one before.
    Pending {
        next_at: Timestamp,
        last_error: Option<String>,
    },
    /// Accepted by the relay.
    Sent { at: Timestamp },
    /// Given up: refused for good, or not delivered within the give-up time.
    Failed { at: Timestamp, error: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: u64,
    /// The recipient's address when the mail was queued.
    pub to: String,
    pub created_at: Timestamp,
    pub body: MailBody,
    /// Attempts made so far.
    pub attempts: u32,
    pub state: MailState,
}

impl Mail {
    /// A new mail, due at once.
    pub fn new(to: String, body: MailBody, now: Timestamp) -> Mail {
        Mail {
            id: 0,
            to,
            created_at: now,
            body,
            attempts: 0,
            state: MailState::Pending {
                next_at: now,
                last_error: None,
            },
        }
    }

    /// The mail of notification `n` for `user`: none for an inactive account, one without an
    /// address, or a kind they chose not to get by mail (`chose_off`).
    pub fn of_notice(
        user: &User,
        chose_off: bool,
        n: &Notification,
        now: Timestamp,
    ) -> Option<Mail> {
        if !user.active || user.email.trim().is_empty() || chose_off {
            return None;
        }
        let body = MailBody::Notice {
            user: n.user,
            request: n.request,
            kind: n.kind,
            at: n.at,
            by: n.by,
        };
        Some(Mail::new(user.email.clone(), body, now))
    }

    /// When it is due, if it still waits.
    pub fn due_at(&self) -> Option<Timestamp> {
        match self.state {
            MailState::Pending { next_at, .. } => Some(next_at),
            _ => None,
        }
    }

    /// The request it is about, if any: mails of one request form one conversation.
    pub fn request(&self) -> Option<RequestId> {
        match self.body {
            MailBody::Notice { request, .. } => Some(request),
            MailBody::Test { .. } | MailBody::Digest { .. } | MailBody::PasswordReset { .. } => {
                None
            }
        }
    }

    /// Accepted by the relay at `now`.
    pub fn sent(&mut self, now: Timestamp) {
        self.attempts += 1;
        self.state = MailState::Sent { at: now };
    }

    /// An attempt failed at `now` with `error`: retried after a back-off, unless the relay
    /// refused it for good (`permanent`) or it has waited `give_up_hours` since it was queued.
    pub fn failed(&mut self, now: Timestamp, error: String, permanent: bool, give_up_hours: u32) {
        self.attempts += 1;
        let next_at = now.plus_seconds(retry_after(self.attempts));
        let deadline = self
            .created_at
            .plus_seconds(i64::from(give_up_hours) * 3600);
        self.state = if permanent || next_at > deadline {
            MailState::Failed { at: now, error }
        } else {
            MailState::Pending {
                next_at,
                last_error: Some(error),
            }
        };
    }

    /// An admin asks for another try of a failed mail: due at once, with a new give-up time.
    pub fn retry(&mut self, now: Timestamp) -> bool {
        let MailState::Failed { error, .. } = &self.state else {
            return false;
        };
        self.state = MailState::Pending {
            next_at: now,
            last_error: Some(error.clone()),
        };
        self.created_at = now;
        true
    }
}

/// Seconds to wait after the `attempts`-th failed attempt: 1, 2, 4… minutes, at most an hour.
pub fn retry_after(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(16);
    (FIRST_RETRY_SECONDS << doublings).min(LONGEST_RETRY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail::new(
            "a@example.org".into(),
            MailBody::Test { by: UserId(1) },
            Timestamp(0),
        )
    }

    #[test]
    fn a_notice_is_mailed_only_to_an_active_address_that_wants_it() {
        let user = User {
            id: UserId(3),
            username: crate::domain::user::Username::parse("alice").expect("name"),
            display_name: "Alice".into(),
            email: "alice@example.org".into(),
            password_hash: String::new(),
            role: crate::domain::user::Role::Requester,
            manager_id: None,
            locale: None,
            active: true,
            must_change_password: false,
            created_at: Timestamp(0),
        };
        let n = Notification {
            id: 9,
            user: UserId(3),
            request: RequestId(7),
            kind: NoticeKind::Submitted,
            at: Timestamp(5),
            by: Some(UserId(3)),
            read: false,
        };
        let mail = Mail::of_notice(&user, false, &n, Timestamp(6)).expect("mailed");
        assert_eq!(mail.to, "alice@example.org");
        assert_eq!(mail.request(), Some(RequestId(7)));
        assert_eq!(mail.due_at(), Some(Timestamp(6)));
        assert_eq!(Mail::of_notice(&user, true, &n, Timestamp(6)), None);
        let inactive = User {
            active: false,
            ..user.clone()
        };
        assert_eq!(Mail::of_notice(&inactive, false, &n, Timestamp(6)), None);
        let no_address = User {
            email: " ".into(),
            ..user
        };
        assert_eq!(Mail::of_notice(&no_address, false, &n, Timestamp(6)), None);
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let waits: Vec<i64> = (1..=8).map(retry_after).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_after(u32::MAX), 3600);
        for n in 1..100 {
            assert!(retry_after(n + 1) >= retry_after(n));
        }
    }

    #[test]
    fn a_failure_is_retried_until_the_give_up_time_then_failed() {
        let mut m = mail();
        let mut now = Timestamp(0);
        let mut attempts = 0;
        while let Some(next) = m.due_at() {
            now = next;
            m.failed(now, "451 try later".into(), false, 2);
            attempts += 1;
        }
        // 1+2+4+8+16+32+60+60 minutes would pass two hours: the eighth attempt gives up.
        assert_eq!(attempts, m.attempts);
        assert!(now.0 <= 2 * 3600, "gave up at {now:?}");
        assert!(matches!(&m.state, MailState::Failed { error, .. } if error == "451 try later"));
        // Retried by an admin: due at once, counted from now.
        assert!(m.retry(Timestamp(10_000)));
        assert_eq!(m.due_at(), Some(Timestamp(10_000)));
        assert!(!m.retry(Timestamp(10_001)), "only a failed mail is retried");
    }

    #[test]
    fn a_permanent_refusal_fails_at_once_and_a_success_ends_it() {
        let mut m = mail();
        m.failed(Timestamp(5), "550 no such user".into(), true, 48);
        assert!(matches!(m.state, MailState::Failed { .. }));
        let mut m = mail();
        m.failed(Timestamp(5), "connection refused".into(), false, 48);
        assert_eq!(m.due_at(), Some(Timestamp(65)));
        m.sent(Timestamp(70));
        assert_eq!(
            (m.state.clone(), m.attempts),
            (MailState::Sent { at: Timestamp(70) }, 2)
        );
        assert_eq!(m.due_at(), None);
    }
}
