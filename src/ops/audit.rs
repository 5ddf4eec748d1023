//! The audit trail: every admin change records who made it, when, and each field before and
//! after, in the change's own transaction; admins read it with filters.

use super::{Admin, Error, Ops};
use crate::domain::audit::{AuditEntry, AuditKind, Audited};
use crate::domain::{Timestamp, UserId};
use crate::storage::{AuditFilter, Writer};

/// How many entries a page of the trail shows.
pub const AUDIT_PAGE: usize = 50;

/// Who the command line acts as in the trail (it has the data directory, hence every right).
pub const COMMAND_LINE: UserId = UserId(0);

/// Records `action` by `by` (an admin, or `COMMAND_LINE`) on `kind` `target`, from `before` to
/// `after` (`None` before a creation and after a deletion). An update that changes nothing
/// records nothing.
pub(super) fn audit<T: Audited + ?Sized>(
    w: &Writer,
    by: UserId,
    now: Timestamp,
    (kind, target, action): (AuditKind, u64, &str),
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), Error> {
    let before_fields = before.map(Audited::audit_fields).unwrap_or_default();
    let after_fields = after.map(Audited::audit_fields).unwrap_or_default();
    if action == "updated" && before_fields == after_fields {
        return Ok(());
    }
    let target_name = after
        .or(before)
        .map(Audited::audit_name)
        .unwrap_or_default();
    w.add_audit(&AuditEntry {
        id: 0,
        at: now,
        by,
        kind,
        target,
        target_name,
        action: action.to_owned(),
        before: before_fields,
        after: after_fields,
    })?;
    Ok(())
}

impl Ops {
    /// A page of the trail, newest first, and where the next one starts.
    pub fn audit_trail(
        &self,
        _admin: Admin,
        filter: &AuditFilter,
    ) -> Result<(Vec<AuditEntry>, Option<u64>), Error> {
        Ok(self.store().read()?.audit_entries(filter, AUDIT_PAGE)?)
    }
}
