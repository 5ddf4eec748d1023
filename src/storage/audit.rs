//! The audit trail (schema 10): entries appended in the transaction of the change they record,
//! read newest first with filters. Nothing here edits or removes an entry.

use super::codes::{audit_kind_code, audit_kind_from};
use super::records::{decode, encode};
use super::tables::AUDIT;
use super::{Error, Reader, Writer};
use crate::domain::audit::{AuditEntry, AuditKind};
use crate::domain::{Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// A stored entry. Frozen: a change is a new version.
#[derive(Serialize, Deserialize)]
pub enum AuditRecord {
    V1(AuditV1),
}

#[derive(Serialize, Deserialize)]
pub struct AuditV1 {
    pub at: i64,
    pub by: u64,
    /// `codes::audit_kind_code`.
    pub kind: u8,
    pub target: u64,
    pub target_name: String,
    pub action: String,
    pub before: Vec<(String, String)>,
    pub after: Vec<(String, String)>,
}

impl From<&AuditEntry> for AuditRecord {
    fn from(e: &AuditEntry) -> Self {
        AuditRecord::V1(AuditV1 {
            at: e.at.0,
            by: e.by.0,
            kind: audit_kind_code(e.kind),
            target: e.target,
            target_name: e.target_name.clone(),
            action: e.action.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
        })
    }
}

/// The id is the key, not part of the record: it is set by the reader.
impl TryFrom<AuditRecord> for AuditEntry {
    type Error = Error;
    fn try_from(record: AuditRecord) -> Result<AuditEntry, Error> {
        let AuditRecord::V1(e) = record;
        Ok(AuditEntry {
            id: 0,
            at: Timestamp(e.at),
            by: UserId(e.by),
            kind: audit_kind_from("audit", e.kind)?,
            target: e.target,
            target_name: e.target_name,
            action: e.action,
            before: e.before,
            after: e.after,
        })
    }
}

/// Which entries to list: each filter left `None` lets all through.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub kind: Option<AuditKind>,
    pub by: Option<UserId>,
    /// From this instant (included) to that one (excluded).
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Entries before this id (the next page).
    pub before: Option<u64>,
}

impl Writer<'_> {
    /// Appends an entry; answers its id.
    pub fn add_audit(&self, entry: &AuditEntry) -> Result<u64, Error> {
        let id = self.next_id("audit")?;
        self.txn
            .open_table(AUDIT)?
            .insert(id, encode(&AuditRecord::from(entry))?.as_slice())?;
        Ok(id)
    }
}

impl Reader {
    /// Up to `limit` entries matching `filter`, newest first, and the id to continue from.
    pub fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<(Vec<AuditEntry>, Option<u64>), Error> {
        let table = self.txn.open_table(AUDIT)?;
        let mut found = Vec::new();
        let upper = filter.before.unwrap_or(u64::MAX);
        for entry in table.range(..upper)?.rev() {
            let (id, bytes) = entry?;
            let mut e: AuditEntry = decode::<AuditRecord, _>("audit", id.value(), bytes.value())?;
            e.id = id.value();
            if filter.to.is_some_and(|to| e.at >= to) {
                continue;
            }
            // Ids follow time: past the start, nothing older matches.
            if filter.from.is_some_and(|from| e.at < from) {
                break;
            }
            if filter.kind.is_some_and(|k| k != e.kind) || filter.by.is_some_and(|b| b != e.by) {
                continue;
            }
            if found.len() == limit {
                let next = found.last().map(|f: &AuditEntry| f.id);
                return Ok((found, next));
            }
            found.push(e);
        }
        Ok((found, None))
    }
}
