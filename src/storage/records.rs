//! Stored forms of domain types. postcard has no field tags, so a struct that gains a field
//! would break old files: each record is an enum of versions, a new version is appended and
//! older ones convert forward with `From`. The enum's variant index is the version tag.

use crate::domain::{Session, Team, TeamId, Timestamp, User, UserId, Username};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::Error;
use super::codes::{
    locale_code, locale_from, role_code, role_from, session_kind_code, session_kind_from,
};

pub fn encode<T: Serialize>(record: &T) -> Result<Vec<u8>, Error> {
    postcard::to_allocvec(record).map_err(|e| Error::Encode(e.to_string()))
}

/// Decodes the record stored under `key` in `table` and converts it to its domain type; every
/// failure names the table and the key.
pub fn decode<R, T>(table: &str, key: impl std::fmt::Display, bytes: &[u8]) -> Result<T, Error>
where
    R: DeserializeOwned,
    T: TryFrom<R, Error = Error>,
{
    let keyed = |reason: String| Error::Decode {
        table: table.to_owned(),
        key: key.to_string(),
        reason,
    };
    let record: R = postcard::from_bytes(bytes).map_err(|e| keyed(e.to_string()))?;
    T::try_from(record).map_err(|e| match e {
        Error::Decode { reason, .. } => keyed(reason),
        other => other,
    })
}

#[derive(Serialize, Deserialize)]
pub enum UserRecord {
    V1(UserV1),
    V2(UserV2),
}

#[derive(Serialize, Deserialize)]
pub struct UserV1 {
    pub id: u64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: String,
    /// 0 requester, 1 technician, 2 admin.
    pub role: u8,
    pub manager_id: Option<u64>,
    /// 0 fr, 1 en.
    pub locale: u8,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: i64,
}

/// Version 2: the language is a choice the user may not have made (`None` follows the
/// browser). A version-1 user's language reads as chosen, unchanged.
#[derive(Serialize, Deserialize)]
pub struct UserV2 {
    pub id: u64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: String,
    pub role: u8,
    pub manager_id: Option<u64>,
    pub locale: Option<u8>,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: i64,
}

impl From<UserV1> for UserV2 {
    fn from(u: UserV1) -> Self {
        UserV2 {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            password_hash: u.password_hash,
            role: u.role,
            manager_id: u.manager_id,
            locale: Some(u.locale),
            active: u.active,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
        }
    }
}

impl From<&User> for UserRecord {
    fn from(u: &User) -> Self {
        UserRecord::V2(UserV2 {
            id: u.id.0,
            username: u.username.as_str().to_owned(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            password_hash: u.password_hash.clone(),
            role: role_code(u.role),
            manager_id: u.manager_id.map(|m| m.0),
            locale: u.locale.map(locale_code),
            active: u.active,
            must_change_password: u.must_change_password,
            created_at: u.created_at.0,
        })
    }
}

impl TryFrom<UserRecord> for User {
    type Error = Error;
    fn try_from(record: UserRecord) -> Result<User, Error> {
        let u = match record {
            UserRecord::V1(v1) => UserV2::from(v1),
            UserRecord::V2(v2) => v2,
        };
        let bad = |reason: &str| Error::Decode {
            table: "users".into(),
            key: String::new(),
            reason: reason.to_owned(),
        };
        Ok(User {
            id: UserId(u.id),
            username: Username::parse(&u.username).map_err(|_| bad("invalid username"))?,
            display_name: u.display_name,
            email: u.email,
            password_hash: u.password_hash,
            role: role_from("users", u.role)?,
            manager_id: u.manager_id.map(UserId),
            locale: u.locale.map(|l| locale_from("users", l)).transpose()?,
            active: u.active,
            must_change_password: u.must_change_password,
            created_at: Timestamp(u.created_at),
        })
    }
}

#[derive(Serialize, Deserialize)]
pub enum TeamRecord {
    V1(TeamV1),
}

#[derive(Serialize, Deserialize)]
pub struct TeamV1 {
    pub id: u64,
    pub name: String,
    pub lead_id: Option<u64>,
    pub member_ids: Vec<u64>,
}

impl From<&Team> for TeamRecord {
    fn from(t: &Team) -> Self {
        TeamRecord::V1(TeamV1 {
            id: t.id.0,
            name: t.name.clone(),
            lead_id: t.lead_id.map(|l| l.0),
            member_ids: t.member_ids.iter().map(|m| m.0).collect(),
        })
    }
}

impl TryFrom<TeamRecord> for Team {
    type Error = Error;
    fn try_from(record: TeamRecord) -> Result<Team, Error> {
        let TeamRecord::V1(t) = record;
        Ok(Team {
            id: TeamId(t.id),
            name: t.name,
            lead_id: t.lead_id.map(UserId),
            member_ids: t.member_ids.into_iter().map(UserId).collect(),
        })
    }
}

#[derive(Serialize, Deserialize)]
pub enum SessionRecord {
    V1(SessionV1),
}

#[derive(Serialize, Deserialize)]
pub struct SessionV1 {
    pub id: u64,
    pub user_id: u64,
    /// 0 web, 1 API login, 2 personal token.
    pub kind: u8,
    pub name: String,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

impl From<&Session> for SessionRecord {
    fn from(s: &Session) -> Self {
        SessionRecord::V1(SessionV1 {
            id: s.id,
            user_id: s.user_id.0,
            kind: session_kind_code(s.kind),
            name: s.name.clone(),
            csrf: s.csrf.clone(),
            created_at: s.created_at.0,
            expires_at: s.expires_at.map(|t| t.0),
        })
    }
}

impl TryFrom<SessionRecord> for Session {
    type Error = Error;
    fn try_from(record: SessionRecord) -> Result<Session, Error> {
        let SessionRecord::V1(s) = record;
        Ok(Session {
            id: s.id,
            user_id: UserId(s.user_id),
            kind: session_kind_from("sessions", s.kind)?,
            name: s.name,
            csrf: s.csrf,
            created_at: Timestamp(s.created_at),
            expires_at: s.expires_at.map(Timestamp),
        })
    }
}
