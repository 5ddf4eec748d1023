//! Append-only schema migrations. `SCHEMA_VERSION` is the number of migrations; each runs in
//! its own write transaction at start-up, before anything is served, and records its number in
//! the `meta` table in that same transaction.

use super::{
    Error,
    records::{SessionRecord, decode},
    request_records::NotificationRecord,
    summary_records::SummaryRecord,
    tables::{self, META},
};
use crate::domain::Session;
use crate::domain::request::Summary;
use redb::{Database, ReadTransaction, ReadableTable, TableError, WriteTransaction};

pub struct Migration {
    pub name: &'static str,
    pub apply: fn(&WriteTransaction) -> Result<(), Error>,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "create the identity tables",
        apply: create_identity_tables,
    },
    Migration {
        name: "index sessions by user",
        apply: index_sessions_by_user,
    },
    Migration {
        name: "create the catalog tables",
        apply: create_catalog_tables,
    },
    Migration {
        name: "create the request and notification tables",
        apply: create_request_tables,
    },
    Migration {
        name: "create the SLA tables and index open requests by expected date",
        apply: create_sla_tables,
    },
    Migration {
        name: "create the metrics roll-ups (filled from the requests at the next start)",
        apply: create_rollups,
    },
    Migration {
        name: "create the mail outbox",
        apply: create_outbox,
    },
    Migration {
        name: "create the users' mail choices",
        apply: create_mail_choices,
    },
    Migration {
        name: "allow the events of a request's later life (reopened, released, moved, cancelled with a reason)",
        apply: allow_request_life_events,
    },
    Migration {
        name: "create the audit trail",
        apply: create_audit,
    },
    Migration {
        name: "index the unread notifications by request",
        apply: index_unread_by_request,
    },
    Migration {
        name: "drop the list of unread notifications, which the index by request holds too",
        apply: drop_unread_list,
    },
    Migration {
        name: "drop the request index's entries by requester and of open requests, which those by status and by open or closed requester hold too",
        apply: drop_merged_index_entries,
    },
];

pub const SCHEMA_VERSION: u64 = MIGRATIONS.len() as u64;

const VERSION_KEY: &str = "schema_version";

pub fn current_version(txn: &ReadTransaction) -> Result<u64, Error> {
    match txn.open_table(META) {
        Ok(table) => Ok(table.get(VERSION_KEY)?.map_or(0, |v| v.value())),
        Err(TableError::TableDoesNotExist(_)) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Applies the missing migrations of `steps` one transaction at a time.
pub fn run(db: &Database, steps: &[Migration]) -> Result<(), Error> {
    let known = steps.len() as u64;
    loop {
        let txn = db.begin_write()?;
        let version = {
            let meta = txn.open_table(META)?;
            meta.get(VERSION_KEY)?.map_or(0, |v| v.value())
        };
        if version > known {
            return Err(Error::NewerSchema {
                found: version,
                known,
            });
        }
        let Some(step) = usize::try_from(version).ok().and_then(|v| steps.get(v)) else {
            txn.abort()?;
            return Ok(());
        };
        tracing::info!(schema = version + 1, "migrating the store: {}", step.name);
        (step.apply)(&txn)?;
        txn.open_table(META)?.insert(VERSION_KEY, version + 1)?;
        txn.commit()?;
    }
}

fn create_identity_tables(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::SEQUENCES)?;
    txn.open_table(tables::USERS)?;
    txn.open_table(tables::USERS_BY_NAME)?;
    txn.open_table(tables::TEAMS)?;
    txn.open_table(tables::SESSIONS)?;
    Ok(())
}

fn create_catalog_tables(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::CATEGORIES)?;
    txn.open_table(tables::SERVICES)?;
    txn.open_multimap_table(tables::SERVICES_BY_CATEGORY)?;
    txn.open_table(tables::SERVICE_REQUESTS)?;
    Ok(())
}

fn create_request_tables(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::REQUESTS)?;
    txn.open_table(tables::REQUEST_SUMMARIES)?;
    txn.open_table(tables::REQUEST_EVENTS)?;
    txn.open_table(tables::ATTACHMENTS)?;
    for index in tables::REQUEST_INDEXES {
        txn.open_table(index)?;
    }
    txn.open_table(tables::NOTIFICATIONS)?;
    txn.open_table(tables::UNREAD_COUNT)?;
    Ok(())
}

/// Schema 5: calendars, policies and the due index. Stores before it had no SLA, so each open
/// request enters the index by its expected date.
fn create_sla_tables(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::CALENDARS)?;
    txn.open_table(tables::SLA_POLICIES)?;
    let summaries = txn.open_table(tables::REQUEST_SUMMARIES)?;
    let mut due = txn.open_table(tables::REQUEST_DUE)?;
    for entry in summaries.iter()? {
        let (id, bytes) = entry?;
        let summary: Summary =
            decode::<SummaryRecord, _>("request_summaries", id.value(), bytes.value())?;
        for key in super::sla::due_entries(&summary) {
            due.insert(key, ())?;
        }
    }
    Ok(())
}

/// Schema 6: the roll-ups table, empty. Its days are counted in the instance's time zone,
/// which only the configuration knows: `Ops` fills it at start-up from the requests (as it does
/// whenever the zone changes).
fn create_rollups(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::ROLLUPS)?;
    Ok(())
}

fn create_outbox(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::OUTBOX)?;
    txn.open_table(tables::OUTBOX_DUE)?;
    Ok(())
}

/// Schema 9: new event and notification kinds, appended to their records; no table changes.
/// The version tells an older binary that it can no longer read this store.
fn allow_request_life_events(_txn: &WriteTransaction) -> Result<(), Error> {
    Ok(())
}

fn create_audit(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::AUDIT)?;
    Ok(())
}

/// Schema 11: each unread notification also under its request, read from the notification.
fn index_unread_by_request(txn: &WriteTransaction) -> Result<(), Error> {
    let unread = txn.open_table(tables::UNREAD)?;
    let notifications = txn.open_table(tables::NOTIFICATIONS)?;
    let mut about = txn.open_table(tables::UNREAD_ABOUT)?;
    for entry in unread.iter()? {
        let (user, id) = entry?.0.value();
        let Some(bytes) = notifications.get((user, id))? else {
            continue;
        };
        let n: crate::domain::notification::Notification = decode::<NotificationRecord, _>(
            "notifications",
            super::pair_key((user, id)),
            bytes.value(),
        )?;
        about.insert((user, n.request.0, id), ())?;
    }
    Ok(())
}

/// Schema 12: the unread notifications are found through their index by request (schema 11),
/// which holds the same entries.
fn drop_unread_list(txn: &WriteTransaction) -> Result<(), Error> {
    txn.delete_table(tables::UNREAD)?;
    Ok(())
}

/// Schema 13: a requester's listing merges their open and closed requests' entries, the open
/// requests' listing the entries of each open status; the entries of kinds 1 and 5 go.
fn drop_merged_index_entries(txn: &WriteTransaction) -> Result<(), Error> {
    use super::requests::{BY_REQUESTER, OPEN, at};
    let mut index = txn.open_table(tables::REQUEST_INDEX)?;
    for kind in [BY_REQUESTER, OPEN] {
        index.retain_in((at(kind, 0), 0)..(at(kind + 1, 0), 0), |_, ()| false)?;
    }
    Ok(())
}

fn create_mail_choices(txn: &WriteTransaction) -> Result<(), Error> {
    txn.open_table(tables::MAIL_CHOICES)?;
    Ok(())
}

fn index_sessions_by_user(txn: &WriteTransaction) -> Result<(), Error> {
    let sessions = txn.open_table(tables::SESSIONS)?;
    let mut index = txn.open_multimap_table(tables::SESSIONS_BY_USER)?;
    for entry in sessions.iter()? {
        let (hash, bytes) = entry?;
        let session: Session =
            decode::<SessionRecord, _>("sessions", super::hex_key(hash.value()), bytes.value())?;
        index.insert(session.user_id.0, hash.value())?;
    }
    Ok(())
}
