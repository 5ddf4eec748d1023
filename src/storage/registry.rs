//! Every table of the store, declared once with what a backup does with it and how its records
//! are verified. Backups and `check` walk this list and cross-check it against the tables the
//! file itself lists, so a table that a migration adds and this list forgets fails the backup
//! and the tests instead of going missing from every backup.

use super::audit::AuditRecord;
use super::catalog_records::{CategoryRecord, ServiceRecord};
use super::outbox::MailRecord;
use super::records::{SessionRecord, TeamRecord, UserRecord, decode};
use super::request_records::{EventRecord, NotificationRecord, RequestRecord};
use super::rollups::{RollupRecord, key_text};
use super::sla_records::{CalendarRecord, PolicyRecord};
use super::summary_records::SummaryRecord;
use super::tables;
use super::{Error, hex_key, pair_key};
use crate::domain::audit::AuditEntry;
use crate::domain::mail::Mail;
use crate::domain::metrics::Counters;
use crate::domain::notification::Notification;
use crate::domain::request::{Event, Request, Summary};
use crate::domain::sla::{CalendarDef, SlaPolicy};
use crate::domain::{Category, Service, Session, SessionKind, Team, User};
use redb::{
    Database, Key, MultimapTableDefinition, MultimapTableHandle, ReadTransaction,
    ReadableMultimapTable, ReadableTable, TableDefinition, TableHandle, Value,
};

/// One table: its name, how a backup copies it, how `check` reads every record of it.
pub struct Entry {
    pub name: String,
    /// Copies what a backup keeps of the table from a snapshot into the backup.
    copy: fn(&ReadTransaction, &Database) -> Result<(), Error>,
    /// Reads every entry, decoding records into their domain types; answers how many there
    /// are and adds one line per entry that cannot be read.
    verify: fn(&ReadTransaction, &mut Vec<String>) -> Result<u64, Error>,
}

fn plain<K: Key + 'static, V: Value + 'static>(
    def: TableDefinition<'static, K, V>,
    copy: fn(&ReadTransaction, &Database) -> Result<(), Error>,
    verify: fn(&ReadTransaction, &mut Vec<String>) -> Result<u64, Error>,
) -> Entry {
    Entry {
        name: def.name().to_owned(),
        copy,
        verify,
    }
}

fn multimap<K: Key + 'static, V: Key + 'static>(
    def: MultimapTableDefinition<'static, K, V>,
    copy: fn(&ReadTransaction, &Database) -> Result<(), Error>,
    verify: fn(&ReadTransaction, &mut Vec<String>) -> Result<u64, Error>,
) -> Entry {
    Entry {
        name: def.name().to_owned(),
        copy,
        verify,
    }
}

/// The whole store. Web sessions and API sign-in tokens (with their form tokens) are left out
/// of backups: restoring an old copy must not bring back sign-ins revoked since. Personal API
/// tokens are kept, so that scheduled scripts keep working after a restore.
pub fn tables() -> Vec<Entry> {
    use tables::*;
    vec![
        plain(META, |s, d| copy(s, d, META), |s, p| raw(s, META, p)),
        plain(
            SEQUENCES,
            |s, d| copy(s, d, SEQUENCES),
            |s, p| raw(s, SEQUENCES, p),
        ),
        plain(
            USERS,
            |s, d| copy(s, d, USERS),
            |s, p| records::<u64, UserRecord, User>(s, USERS, p, |k| k.to_string()),
        ),
        plain(
            USERS_BY_NAME,
            |s, d| copy(s, d, USERS_BY_NAME),
            |s, p| raw(s, USERS_BY_NAME, p),
        ),
        plain(
            TEAMS,
            |s, d| copy(s, d, TEAMS),
            |s, p| records::<u64, TeamRecord, Team>(s, TEAMS, p, |k| k.to_string()),
        ),
        plain(SESSIONS, copy_personal_tokens, |s, p| {
            records::<&[u8], SessionRecord, Session>(s, SESSIONS, p, hex_key)
        }),
        // Copied with the sessions it indexes, by `copy_personal_tokens`.
        multimap(
            SESSIONS_BY_USER,
            |_, _| Ok(()),
            |s, p| raw_multimap(s, SESSIONS_BY_USER, p),
        ),
        plain(
            CATEGORIES,
            |s, d| copy(s, d, CATEGORIES),
            |s, p| records::<u64, CategoryRecord, Category>(s, CATEGORIES, p, |k| k.to_string()),
        ),
        plain(
            SERVICES,
            |s, d| copy(s, d, SERVICES),
            |s, p| records::<u64, ServiceRecord, Service>(s, SERVICES, p, |k| k.to_string()),
        ),
        multimap(
            SERVICES_BY_CATEGORY,
            |s, d| copy_multimap(s, d, SERVICES_BY_CATEGORY),
            |s, p| raw_multimap(s, SERVICES_BY_CATEGORY, p),
        ),
        plain(
            SERVICE_REQUESTS,
            |s, d| copy(s, d, SERVICE_REQUESTS),
            |s, p| raw(s, SERVICE_REQUESTS, p),
        ),
        plain(
            REQUESTS,
            |s, d| copy(s, d, REQUESTS),
            |s, p| records::<u64, RequestRecord, Request>(s, REQUESTS, p, |k| k.to_string()),
        ),
        plain(
            REQUEST_SUMMARIES,
            |s, d| copy(s, d, REQUEST_SUMMARIES),
            |s, p| {
                records::<u64, SummaryRecord, Summary>(s, REQUEST_SUMMARIES, p, |k| k.to_string())
            },
        ),
        plain(
            REQUEST_EVENTS,
            |s, d| copy(s, d, REQUEST_EVENTS),
            |s, p| records::<(u64, u32), EventRecord, Event>(s, REQUEST_EVENTS, p, pair_key),
        ),
        plain(
            ATTACHMENTS,
            |s, d| copy(s, d, ATTACHMENTS),
            |s, p| raw(s, ATTACHMENTS, p),
        ),
        plain(
            REQUEST_INDEX,
            |s, d| copy(s, d, REQUEST_INDEX),
            |s, p| raw(s, REQUEST_INDEX, p),
        ),
        plain(
            NOTIFICATIONS,
            |s, d| copy(s, d, NOTIFICATIONS),
            |s, p| {
                records::<(u64, u64), NotificationRecord, Notification>(
                    s,
                    NOTIFICATIONS,
                    p,
                    pair_key,
                )
            },
        ),
        // Dropped by schema 12: still known, so that a store or a backup of an
        // earlier schema is checked, backed up and restored as it was.
        plain(UNREAD, |s, d| copy(s, d, UNREAD), |s, p| raw(s, UNREAD, p)),
        plain(
            UNREAD_ABOUT,
            |s, d| copy(s, d, UNREAD_ABOUT),
            |s, p| raw(s, UNREAD_ABOUT, p),
        ),
        plain(
            UNREAD_COUNT,
            |s, d| copy(s, d, UNREAD_COUNT),
            |s, p| raw(s, UNREAD_COUNT, p),
        ),
        plain(
            CALENDARS,
            |s, d| copy(s, d, CALENDARS),
            |s, p| records::<u64, CalendarRecord, CalendarDef>(s, CALENDARS, p, |k| k.to_string()),
        ),
        plain(
            SLA_POLICIES,
            |s, d| copy(s, d, SLA_POLICIES),
            |s, p| records::<u64, PolicyRecord, SlaPolicy>(s, SLA_POLICIES, p, |k| k.to_string()),
        ),
        plain(
            REQUEST_DUE,
            |s, d| copy(s, d, REQUEST_DUE),
            |s, p| raw(s, REQUEST_DUE, p),
        ),
        // The outbox stays in a backup; a restored store holds it until an admin releases it.
        plain(
            OUTBOX,
            |s, d| copy(s, d, OUTBOX),
            |s, p| records::<u64, MailRecord, Mail>(s, OUTBOX, p, |k| k.to_string()),
        ),
        plain(
            OUTBOX_DUE,
            |s, d| copy(s, d, OUTBOX_DUE),
            |s, p| raw(s, OUTBOX_DUE, p),
        ),
        plain(
            MAIL_CHOICES,
            |s, d| copy(s, d, MAIL_CHOICES),
            |s, p| raw(s, MAIL_CHOICES, p),
        ),
        plain(
            AUDIT,
            |s, d| copy(s, d, AUDIT),
            |s, p| records::<u64, AuditRecord, AuditEntry>(s, AUDIT, p, |k| k.to_string()),
        ),
        plain(
            ROLLUPS,
            |s, d| copy(s, d, ROLLUPS),
            |s, p| records::<(i32, u64, u64, u64), RollupRecord, Counters>(s, ROLLUPS, p, key_text),
        ),
    ]
}

/// The names of the tables the file holds, plain and multimap.
pub fn names_in(txn: &ReadTransaction) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = txn.list_tables()?.map(|t| t.name().to_owned()).collect();
    names.extend(txn.list_multimap_tables()?.map(|t| t.name().to_owned()));
    names.sort();
    Ok(names)
}

/// Refuses a file holding a table this version does not know: it would be left out of a
/// backup, or it was written by a newer Guichet.
pub fn unknown_tables(txn: &ReadTransaction, known: &[Entry]) -> Result<Vec<String>, Error> {
    Ok(names_in(txn)?
        .into_iter()
        .filter(|name| !known.iter().any(|e| e.name == *name))
        .collect())
}

/// Copies the tables the snapshot holds; a table missing from it (an older schema) is skipped.
pub fn copy_all(src: &ReadTransaction, dest: &Database) -> Result<(), Error> {
    let known = tables();
    let unknown = unknown_tables(src, &known)?;
    if !unknown.is_empty() {
        return Err(Error::UnknownTables(unknown));
    }
    let present = names_in(src)?;
    for entry in known.iter().filter(|e| present.contains(&e.name)) {
        (entry.copy)(src, dest)?;
    }
    Ok(())
}

/// What reading every record found.
pub struct Verified {
    /// Entries per table.
    pub entries: Vec<(String, u64)>,
    /// One line per entry that cannot be read.
    pub problems: Vec<String>,
}

/// Reads every table the snapshot holds.
pub fn verify_all(src: &ReadTransaction) -> Result<Verified, Error> {
    let known = tables();
    let mut problems: Vec<String> = unknown_tables(src, &known)?
        .into_iter()
        .map(|name| format!("table {name}: unknown to this version of Guichet"))
        .collect();
    let present = names_in(src)?;
    let mut counts = Vec::new();
    for entry in known.iter().filter(|e| present.contains(&e.name)) {
        let before = problems.len();
        match (entry.verify)(src, &mut problems) {
            Ok(n) => counts.push((entry.name.clone(), n)),
            Err(e) => problems.push(format!("table {}: {e}", entry.name)),
        }
        if problems.len() - before > 20 {
            // One damaged page can spoil thousands of entries: keep the report readable.
            let more = problems.len() - before - 20;
            problems.truncate(before + 20);
            problems.push(format!("table {}: {more} more damaged entries", entry.name));
        }
    }
    Ok(Verified {
        entries: counts,
        problems,
    })
}

/// How much a backup writes before it commits: the copy's memory stays about this size, whatever
/// the size of the store.
const COPY_CHUNK_BYTES: usize = 8 << 20;

fn copy<K: Key + 'static, V: Value + 'static>(
    src: &ReadTransaction,
    dest: &Database,
    def: TableDefinition<K, V>,
) -> Result<(), Error> {
    let from = src.open_table(def)?;
    let mut entries = from.iter()?;
    loop {
        let txn = dest.begin_write()?;
        let mut written = 0;
        let mut more = false;
        {
            let mut to = txn.open_table(def)?;
            for entry in entries.by_ref() {
                let (k, v) = entry?;
                to.insert(k.value(), v.value())?;
                written += V::as_bytes(&v.value()).as_ref().len() + 16;
                if written >= COPY_CHUNK_BYTES {
                    more = true;
                    break;
                }
            }
        }
        txn.commit()?;
        if !more {
            return Ok(());
        }
    }
}

fn copy_multimap<K: Key + 'static, V: Key + 'static>(
    src: &ReadTransaction,
    dest: &Database,
    def: MultimapTableDefinition<K, V>,
) -> Result<(), Error> {
    let from = src.open_multimap_table(def)?;
    let txn = dest.begin_write()?;
    {
        let mut to = txn.open_multimap_table(def)?;
        for entry in from.iter()? {
            let (k, values) = entry?;
            for v in values {
                to.insert(k.value(), v?.value())?;
            }
        }
    }
    txn.commit()?;
    Ok(())
}

/// Copies personal API tokens and their index entries; every other session stays behind.
fn copy_personal_tokens(src: &ReadTransaction, dest: &Database) -> Result<(), Error> {
    let from = src.open_table(tables::SESSIONS)?;
    let txn = dest.begin_write()?;
    let mut to = txn.open_table(tables::SESSIONS)?;
    let mut index = txn.open_multimap_table(tables::SESSIONS_BY_USER)?;
    for entry in from.iter()? {
        let (hash, bytes) = entry?;
        let session: Session =
            decode::<SessionRecord, _>("sessions", hex_key(hash.value()), bytes.value())?;
        if session.kind == SessionKind::Personal {
            to.insert(hash.value(), bytes.value())?;
            index.insert(session.user_id.0, hash.value())?;
        }
    }
    drop((to, index));
    txn.commit()?;
    Ok(())
}

/// Reads every entry of a table whose values are plain redb types.
fn raw<K: Key + 'static, V: Value + 'static>(
    src: &ReadTransaction,
    def: TableDefinition<K, V>,
    problems: &mut Vec<String>,
) -> Result<u64, Error> {
    let mut n = 0;
    for entry in src.open_table(def)?.iter()? {
        match entry {
            Ok(_) => n += 1,
            Err(e) => problems.push(format!("table {}: {e}", def.name())),
        }
    }
    Ok(n)
}

fn raw_multimap<K: Key + 'static, V: Key + 'static>(
    src: &ReadTransaction,
    def: MultimapTableDefinition<K, V>,
    problems: &mut Vec<String>,
) -> Result<u64, Error> {
    let mut n = 0;
    for entry in src.open_multimap_table(def)?.iter()? {
        match entry {
            Ok((_, values)) => {
                for value in values {
                    match value {
                        Ok(_) => n += 1,
                        Err(e) => problems.push(format!("table {}: {e}", def.name())),
                    }
                }
            }
            Err(e) => problems.push(format!("table {}: {e}", def.name())),
        }
    }
    Ok(n)
}

/// Decodes every record of a table into its domain type, naming each one that fails by key.
fn records<K, R, T>(
    src: &ReadTransaction,
    def: TableDefinition<K, &'static [u8]>,
    problems: &mut Vec<String>,
    key_text: fn(K::SelfType<'_>) -> String,
) -> Result<u64, Error>
where
    K: Key + 'static,
    R: serde::de::DeserializeOwned,
    T: TryFrom<R, Error = Error>,
{
    let mut n = 0;
    for entry in src.open_table(def)?.iter()? {
        let (key, bytes) = match entry {
            Ok(found) => found,
            Err(e) => {
                problems.push(format!("table {}: {e}", def.name()));
                continue;
            }
        };
        n += 1;
        if let Err(e) = decode::<R, T>(def.name(), key_text(key.value()), bytes.value()) {
            problems.push(e.to_string());
        }
    }
    Ok(n)
}
