//! Backups taken while the server runs, for an admin to download, and what the admin page
//! says of the last one.

use super::{Admin, Error, Ops, hex, secrets};
use crate::domain::Timestamp;

/// A finished backup, ready to be streamed. Its file has no name any more: it is removed from
/// the directory as soon as it is written, so the disk space returns to the system when this
/// handle is dropped, whether the download ends or the client goes away.
pub struct BackupFile {
    pub file: std::fs::File,
    pub bytes: u64,
}

/// When the last backup was taken and how large it was.
#[derive(Debug, Clone, Copy)]
pub struct LastBackup {
    pub at: Timestamp,
    pub bytes: u64,
}

impl Ops {
    /// A consistent copy of the whole store, taken while the server keeps answering. The copy
    /// is built in a temporary file beside the store and handed over open and unlinked, so
    /// that memory stays constant whatever the size of the store.
    pub async fn backup(&self, _admin: Admin) -> Result<BackupFile, Error> {
        self.blocking(|ops| {
            let name = format!(".backup-{}.redb", hex(&secrets::random_bytes::<8>()?));
            let dest = ops.store().path().with_file_name(name);
            let copied = ops.store().backup_to(&dest, ops.now().0);
            let opened = copied.map_err(Error::from).and_then(|bytes| {
                let file = std::fs::File::open(&dest)
                    .map_err(|e| Error::Internal(format!("opening the backup: {e}")))?;
                Ok(BackupFile { file, bytes })
            });
            let _ = std::fs::remove_file(&dest);
            opened
        })
        .await
    }

    pub fn last_backup(&self, _admin: Admin) -> Result<Option<LastBackup>, Error> {
        Ok(self
            .store()
            .read()?
            .last_backup()?
            .map(|(at, bytes)| LastBackup {
                at: Timestamp(at),
                bytes,
            }))
    }
}
