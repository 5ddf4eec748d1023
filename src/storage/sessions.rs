//! Sessions and API tokens, keyed by the SHA-256 of their secret, indexed by user.

use super::records::{SessionRecord, decode, encode};
use super::tables::{SESSIONS, SESSIONS_BY_USER};
use super::{Error, Reader, Writer};
use crate::domain::{Session, Timestamp, UserId};
use redb::{ReadableMultimapTable, ReadableTable, ReadableTableMetadata};

/// The SHA-256 of a token: the only form in which a secret is stored.
pub type TokenHash = [u8; 32];

macro_rules! session_reads {
    ($t:ty) => {
        impl $t {
            pub fn session(&self, hash: &TokenHash) -> Result<Option<Session>, Error> {
                let table = self.txn.open_table(SESSIONS)?;
                let Some(bytes) = table.get(hash.as_slice())? else {
                    return Ok(None);
                };
                decode::<SessionRecord, _>("sessions", super::hex_key(hash), bytes.value())
                    .map(Some)
            }

            /// The sessions and tokens of one user, with their hashes.
            pub fn sessions_of(&self, user: UserId) -> Result<Vec<(TokenHash, Session)>, Error> {
                let index = self.txn.open_multimap_table(SESSIONS_BY_USER)?;
                let mut found = Vec::new();
                for hash in index.get(user.0)? {
                    let hash = hash?;
                    let Ok(key) = TokenHash::try_from(hash.value()) else {
                        continue;
                    };
                    if let Some(session) = self.session(&key)? {
                        found.push((key, session));
                    }
                }
                Ok(found)
            }

            pub fn count_sessions(&self) -> Result<u64, Error> {
                Ok(self.txn.open_table(SESSIONS)?.len()?)
            }
        }
    };
}

session_reads!(Reader);
session_reads!(Writer<'_>);

impl Writer<'_> {
    pub fn put_session(&self, hash: &TokenHash, session: &Session) -> Result<(), Error> {
        let mut table = self.txn.open_table(SESSIONS)?;
        table.insert(
            hash.as_slice(),
            encode(&SessionRecord::from(session))?.as_slice(),
        )?;
        let mut index = self.txn.open_multimap_table(SESSIONS_BY_USER)?;
        index.insert(session.user_id.0, hash.as_slice())?;
        Ok(())
    }

    /// Removes a session; answers whether it existed.
    pub fn delete_session(&self, hash: &TokenHash) -> Result<bool, Error> {
        let Some(session) = self.session(hash)? else {
            return Ok(false);
        };
        self.txn.open_table(SESSIONS)?.remove(hash.as_slice())?;
        let mut index = self.txn.open_multimap_table(SESSIONS_BY_USER)?;
        index.remove(session.user_id.0, hash.as_slice())?;
        Ok(true)
    }

    /// Removes every session and token of `user` for which `doomed` answers true.
    pub fn delete_sessions_of(
        &self,
        user: UserId,
        doomed: impl Fn(&TokenHash, &Session) -> bool,
    ) -> Result<usize, Error> {
        let mut removed = 0;
        for (hash, session) in self.sessions_of(user)? {
            if doomed(&hash, &session) && self.delete_session(&hash)? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Housekeeping: removes every expired session. Scans the table, so it runs from the
    /// scheduler, never on a request path.
    pub fn purge_expired_sessions(&self, now: Timestamp) -> Result<usize, Error> {
        self.purge_sessions(|session| session.is_expired(now))
    }

    /// Removes every session for which `doomed` answers true; answers how many went.
    pub fn purge_sessions(&self, doomed: impl Fn(&Session) -> bool) -> Result<usize, Error> {
        let expired: Vec<TokenHash> = {
            let table = self.txn.open_table(SESSIONS)?;
            let mut expired = Vec::new();
            for entry in table.iter()? {
                let (hash, bytes) = entry?;
                let session: Session = decode::<SessionRecord, _>(
                    "sessions",
                    super::hex_key(hash.value()),
                    bytes.value(),
                )?;
                if let (true, Ok(key)) = (doomed(&session), TokenHash::try_from(hash.value())) {
                    expired.push(key);
                }
            }
            expired
        };
        for hash in &expired {
            self.delete_session(hash)?;
        }
        Ok(expired.len())
    }
}
