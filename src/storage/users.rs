//! Users and the case-insensitive username index.

use super::records::{UserRecord, decode, encode};
use super::tables::USERS_BY_NAME;
use super::{Error, Reader, Writer};
use crate::domain::{User, UserId, Username};
use redb::{ReadableTable, ReadableTableMetadata};

macro_rules! user_reads {
    ($t:ty) => {
        impl $t {
            pub fn user(&self, id: UserId) -> Result<Option<User>, Error> {
                let table = self.users_table()?;
                let Some(bytes) = table.get(id.0)? else {
                    return Ok(None);
                };
                decode::<UserRecord, _>("users", id.0, bytes.value()).map(Some)
            }

            pub fn user_id_by_name(&self, name: &Username) -> Result<Option<UserId>, Error> {
                let table = self.txn.open_table(USERS_BY_NAME)?;
                Ok(table.get(name.as_str())?.map(|v| UserId(v.value())))
            }

            pub fn user_by_name(&self, name: &Username) -> Result<Option<User>, Error> {
                match self.user_id_by_name(name)? {
                    Some(id) => self.user(id),
                    None => Ok(None),
                }
            }

            /// Every user in id order. The user list is small (an organisation's staff).
            pub fn users(&self) -> Result<Vec<User>, Error> {
                let table = self.users_table()?;
                let mut users = Vec::new();
                for entry in table.iter()? {
                    let (key, bytes) = entry?;
                    users.push(decode::<UserRecord, _>(
                        "users",
                        key.value(),
                        bytes.value(),
                    )?);
                }
                Ok(users)
            }

            pub fn count_users(&self) -> Result<u64, Error> {
                Ok(self.users_table()?.len()?)
            }
        }
    };
}

user_reads!(Reader);
user_reads!(Writer<'_>);

/// The `meta` key of a number that grows with every change of a user or a team.
const PEOPLE_VERSION: &str = "people_version";

impl Reader {
    /// A number that grows with every change of a user or a team: what was read of them at
    /// one version is current while it stays the same.
    pub fn people_version(&self) -> Result<u64, Error> {
        let meta = self.meta_table()?;
        Ok(meta.get(PEOPLE_VERSION)?.map_or(0, |v| v.value()))
    }
}

impl Writer<'_> {
    /// Marks users or teams as changed; every write of either calls it.
    pub(super) fn bump_people_version(&self) -> Result<(), Error> {
        let mut meta = self.meta_table()?;
        let next = meta.get(PEOPLE_VERSION)?.map_or(0, |v| v.value()) + 1;
        meta.insert(PEOPLE_VERSION, next)?;
        Ok(())
    }

    /// Inserts or replaces a user and keeps the username index in step. The caller has
    /// checked that the username is free.
    pub fn put_user(&self, user: &User) -> Result<(), Error> {
        self.bump_people_version()?;
        let previous = self.user(user.id)?;
        let mut index = self.txn.open_table(USERS_BY_NAME)?;
        if let Some(previous) = previous.filter(|p| p.username != user.username) {
            index.remove(previous.username.as_str())?;
        }
        index.insert(user.username.as_str(), user.id.0)?;
        let mut table = self.users_table()?;
        table.insert(user.id.0, encode(&UserRecord::from(user))?.as_slice())?;
        Ok(())
    }
}
