//! The outbox (schema 7): every mail to send or sent, and an index of the pending ones by the
//! instant they are due, so that the sender reads only what is due.

use super::codes::{notice_code, notice_from};
use super::records::{UserRecord, decode, encode};
use super::tables::{MAIL_CHOICES, OUTBOX, OUTBOX_DUE};
use super::{Error, Reader, Writer};
use crate::domain::mail::{Mail, MailBody, MailState};
use crate::domain::notification::{NoticeKind, Notification};
use crate::domain::request::RequestId;
use crate::domain::user::User;
use crate::domain::{Timestamp, UserId};
use redb::{ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};

/// Notifications to mail, each with the time it was queued at.
pub(super) type Noticed = std::cell::RefCell<Vec<(Notification, Timestamp)>>;

/// A stored mail. Frozen: a change is a new version.
#[derive(Serialize, Deserialize)]
pub enum MailRecord {
    V1(MailV1),
}

#[derive(Serialize, Deserialize)]
pub struct MailV1 {
    pub to: String,
    pub created_at: i64,
    pub body: MailBodyV1,
    pub attempts: u32,
    pub state: MailStateV1,
}

#[derive(Serialize, Deserialize)]
pub enum MailBodyV1 {
    Notice {
        user: u64,
        request: u64,
        /// A notification kind code (`codes.rs`).
        kind: u8,
        at: i64,
        by: Option<u64>,
    },
    Test {
        by: u64,
    },
    Digest {
        user: u64,
    },
    PasswordReset {
        user: u64,
    },
}

#[derive(Serialize, Deserialize)]
pub enum MailStateV1 {
    Pending {
        next_at: i64,
        last_error: Option<String>,
    },
    Sent {
        at: i64,
    },
    Failed {
        at: i64,
        error: String,
    },
}

impl From<&Mail> for MailRecord {
    fn from(m: &Mail) -> Self {
        MailRecord::V1(MailV1 {
            to: m.to.clone(),
            created_at: m.created_at.0,
            body: match &m.body {
                MailBody::Notice {
                    user,
                    request,
                    kind,
                    at,
                    by,
                } => MailBodyV1::Notice {
                    user: user.0,
                    request: request.0,
                    kind: notice_code(*kind),
                    at: at.0,
                    by: by.map(|b| b.0),
                },
                MailBody::Test { by } => MailBodyV1::Test { by: by.0 },
                MailBody::Digest { user } => MailBodyV1::Digest { user: user.0 },
                MailBody::PasswordReset { user } => MailBodyV1::PasswordReset { user: user.0 },
            },
            attempts: m.attempts,
            state: match &m.state {
                MailState::Pending {
                    next_at,
                    last_error,
                } => MailStateV1::Pending {
                    next_at: next_at.0,
                    last_error: last_error.clone(),
                },
                MailState::Sent { at } => MailStateV1::Sent { at: at.0 },
                MailState::Failed { at, error } => MailStateV1::Failed {
                    at: at.0,
                    error: error.clone(),
                },
            },
        })
    }
}

/// The id is the key, not part of the record: it is set by the reader.
impl TryFrom<MailRecord> for Mail {
    type Error = Error;
    fn try_from(record: MailRecord) -> Result<Mail, Error> {
        let MailRecord::V1(r) = record;
        Ok(Mail {
            id: 0,
            to: r.to,
            created_at: Timestamp(r.created_at),
            body: match r.body {
                MailBodyV1::Notice {
                    user,
                    request,
                    kind,
                    at,
                    by,
                } => MailBody::Notice {
                    user: UserId(user),
                    request: RequestId(request),
                    kind: notice_from("outbox", kind)?,
                    at: Timestamp(at),
                    by: by.map(UserId),
                },
                MailBodyV1::Test { by } => MailBody::Test { by: UserId(by) },
                MailBodyV1::Digest { user } => MailBody::Digest { user: UserId(user) },
                MailBodyV1::PasswordReset { user } => {
                    MailBody::PasswordReset { user: UserId(user) }
                }
            },
            attempts: r.attempts,
            state: match r.state {
                MailStateV1::Pending {
                    next_at,
                    last_error,
                } => MailState::Pending {
                    next_at: Timestamp(next_at),
                    last_error,
                },
                MailStateV1::Sent { at } => MailState::Sent { at: Timestamp(at) },
                MailStateV1::Failed { at, error } => MailState::Failed {
                    at: Timestamp(at),
                    error,
                },
            },
        })
    }
}

fn read_mail(id: u64, bytes: &[u8]) -> Result<Mail, Error> {
    let mut mail: Mail = decode::<MailRecord, _>("outbox", id, bytes)?;
    mail.id = id;
    Ok(mail)
}

/// The kinds no user gets by mail unless they chose otherwise (a bit per kind code).
const DEFAULT_OFF: &str = "mail.default_off";

/// The bit of `kind` in a set of mail choices.
pub fn notice_bit(kind: NoticeKind) -> u64 {
    1u64 << notice_code(kind)
}

/// Set in a restored store: its outbox waits for an admin to release it, so that mails the
/// old copy still held are not sent a second time.
const HELD: &str = "outbox.held";

macro_rules! outbox_reads {
    ($t:ty) => {
        impl $t {
            pub fn mail(&self, id: u64) -> Result<Option<Mail>, Error> {
                let table = self.txn.open_table(OUTBOX)?;
                let found = table.get(id)?;
                found.map(|bytes| read_mail(id, bytes.value())).transpose()
            }

            /// The key approval links are signed with, once made.
            pub fn mail_link_key(&self) -> Result<Option<[u8; 32]>, Error> {
                let meta = self.meta_table()?;
                let mut key = [0u8; 32];
                for (i, word) in KEY_WORDS.iter().enumerate() {
                    let Some(value) = meta.get(*word)? else {
                        return Ok(None);
                    };
                    key[i * 8..i * 8 + 8].copy_from_slice(&value.value().to_be_bytes());
                }
                Ok(Some(key))
            }

            /// Whether the outbox waits for an admin's release (a restored store).
            pub fn outbox_held(&self) -> Result<bool, Error> {
                let meta = self.meta_table()?;
                Ok(meta.get(HELD)?.is_some_and(|v| v.value() == 1))
            }

            /// The kinds `user` chose not to get by mail; `None`: the defaults.
            pub fn mail_off(&self, user: UserId) -> Result<Option<u64>, Error> {
                let table = self.txn.open_table(MAIL_CHOICES)?;
                Ok(table.get(user.0)?.map(|v| v.value()))
            }

            /// The kinds nobody gets by mail unless they chose otherwise.
            pub fn default_mail_off(&self) -> Result<u64, Error> {
                let meta = self.meta_table()?;
                Ok(meta.get(DEFAULT_OFF)?.map_or(0, |v| v.value()))
            }

            /// The ids of pending mails due at `now`, earliest first, at most `limit`.
            pub fn due_mails(&self, now: Timestamp, limit: usize) -> Result<Vec<u64>, Error> {
                let table = self.txn.open_table(OUTBOX_DUE)?;
                let mut ids = Vec::new();
                for entry in table.range((i64::MIN, 0)..=(now.0, u64::MAX))?.take(limit) {
                    ids.push(entry?.0.value().1);
                }
                Ok(ids)
            }
        }
    };
}

outbox_reads!(Reader);
outbox_reads!(Writer<'_>);

impl Reader {
    /// The newest mails, newest first, at most `limit`.
    pub fn latest_mails(&self, limit: usize) -> Result<Vec<Mail>, Error> {
        let table = self.txn.open_table(OUTBOX)?;
        let mut found = Vec::new();
        for entry in table.iter()?.rev().take(limit) {
            let (id, bytes) = entry?;
            found.push(read_mail(id.value(), bytes.value())?);
        }
        Ok(found)
    }

    /// How many mails wait for their next attempt.
    pub fn pending_mails(&self) -> Result<u64, Error> {
        Ok(self.txn.open_table(OUTBOX_DUE)?.len()?)
    }
}

/// The approval links' key, as four words of `meta` (a restore removes them).
const KEY_WORDS: [&str; 4] = ["mail.key.0", "mail.key.1", "mail.key.2", "mail.key.3"];

impl Writer<'_> {
    /// Records `user`'s choice (`None`: back to the defaults).
    pub fn set_mail_off(&self, user: UserId, off: Option<u64>) -> Result<(), Error> {
        let mut table = self.txn.open_table(MAIL_CHOICES)?;
        match off {
            Some(off) => table.insert(user.0, off)?,
            None => table.remove(user.0)?,
        };
        Ok(())
    }

    pub fn set_default_mail_off(&self, off: u64) -> Result<(), Error> {
        self.meta_table()?.insert(DEFAULT_OFF, off)?;
        Ok(())
    }

    /// Keeps `fresh` as the approval links' key unless one is there; answers the key kept.
    pub fn ensure_mail_link_key(&self, fresh: [u8; 32]) -> Result<[u8; 32], Error> {
        if let Some(key) = self.mail_link_key()? {
            return Ok(key);
        }
        let mut meta = self.meta_table()?;
        for (word, bytes) in KEY_WORDS.iter().zip(fresh.chunks_exact(8)) {
            let mut value = [0u8; 8];
            value.copy_from_slice(bytes);
            meta.insert(*word, u64::from_be_bytes(value))?;
        }
        Ok(fresh)
    }

    /// Drops the approval links' key: every link signed with it stops working.
    pub fn drop_mail_link_key(&self) -> Result<(), Error> {
        let mut meta = self.meta_table()?;
        for word in KEY_WORDS {
            meta.remove(word)?;
        }
        Ok(())
    }

    /// Holds the outbox (after a restore) or releases it.
    pub fn hold_outbox(&self, held: bool) -> Result<(), Error> {
        self.meta_table()?.insert(HELD, u64::from(held))?;
        Ok(())
    }

    /// Stores new mails (their ids are given here), opening each table once: the request
    /// path queues its mails this way.
    /// Mails notification `n` (made at `now`) when the transaction commits, if its recipient
    /// is active, has an address and wants that kind by mail (decided then).
    pub fn mail_notices(&self, notices: &[Notification], now: Timestamp) {
        let mut queued = self.notices.borrow_mut();
        queued.extend(notices.iter().map(|n| (n.clone(), now)));
    }

    /// Turns the notifications queued by `mail_notices` into mails, reading each table once.
    pub(super) fn queue_noticed_mails(&self) -> Result<(), Error> {
        let notices = self.notices.take();
        if notices.is_empty() {
            return Ok(());
        }
        let mut mails = Vec::with_capacity(notices.len());
        {
            let default_off = self.default_mail_off()?;
            let users = self.users_table()?;
            let choices = self.txn.open_table(MAIL_CHOICES)?;
            for (n, now) in &notices {
                let Some(bytes) = users.get(n.user.0)? else {
                    continue;
                };
                let user: User = decode::<UserRecord, _>("users", n.user.0, bytes.value())?;
                // Their choice in "my account", else the admins' defaults.
                let off = choices.get(n.user.0)?.map_or(default_off, |v| v.value());
                let chose_off = off & notice_bit(n.kind) != 0;
                mails.extend(Mail::of_notice(&user, chose_off, n, *now));
            }
        }
        self.put_new_mails(&mails)
    }

    pub fn put_new_mails(&self, mails: &[Mail]) -> Result<(), Error> {
        if mails.is_empty() {
            return Ok(());
        }
        let first = self.next_ids("mail", u64::try_from(mails.len()).unwrap_or(u64::MAX))?;
        let mut due = self.txn.open_table(OUTBOX_DUE)?;
        let mut table = self.txn.open_table(OUTBOX)?;
        for (id, mail) in (first..).zip(mails) {
            if let Some(at) = mail.due_at() {
                due.insert((at.0, id), ())?;
            }
            table.insert(id, encode(&MailRecord::from(mail))?.as_slice())?;
        }
        Ok(())
    }

    /// Stores a mail (a new one when its id is 0: answers the id it was given) and keeps the
    /// due index in step with its state.
    pub fn put_mail(&self, mail: &Mail) -> Result<u64, Error> {
        let id = match mail.id {
            0 => self.next_id("mail")?,
            id => id,
        };
        let mut due = self.txn.open_table(OUTBOX_DUE)?;
        if let Some(old) = self.mail(id)?.and_then(|m| m.due_at()) {
            due.remove((old.0, id))?;
        }
        if let Some(at) = mail.due_at() {
            due.insert((at.0, id), ())?;
        }
        self.txn
            .open_table(OUTBOX)?
            .insert(id, encode(&MailRecord::from(mail))?.as_slice())?;
        Ok(id)
    }
}
