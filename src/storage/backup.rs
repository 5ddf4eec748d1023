//! Online backup: copies every table of one read snapshot into a fresh store file.

use super::{Error, tables};
use redb::{
    Database, Key, MultimapTableDefinition, ReadTransaction, ReadableMultimapTable, ReadableTable,
    TableDefinition, Value, WriteTransaction,
};

pub fn copy_all(src: &ReadTransaction, dest: &Database) -> Result<(), Error> {
    let txn = dest.begin_write()?;
    copy(src, &txn, tables::META)?;
    copy(src, &txn, tables::SEQUENCES)?;
    copy(src, &txn, tables::USERS)?;
    copy(src, &txn, tables::USERS_BY_NAME)?;
    copy(src, &txn, tables::TEAMS)?;
    copy(src, &txn, tables::SESSIONS)?;
    copy_multimap(src, &txn, tables::SESSIONS_BY_USER)?;
    copy(src, &txn, tables::CATEGORIES)?;
    copy(src, &txn, tables::SERVICES)?;
    copy_multimap(src, &txn, tables::SERVICES_BY_CATEGORY)?;
    copy(src, &txn, tables::SERVICE_REQUESTS)?;
    copy(src, &txn, tables::REQUESTS)?;
    copy(src, &txn, tables::REQUEST_SUMMARIES)?;
    copy(src, &txn, tables::REQUEST_EVENTS)?;
    copy(src, &txn, tables::ATTACHMENTS)?;
    for index in tables::REQUEST_INDEXES {
        copy(src, &txn, index)?;
    }
    copy(src, &txn, tables::NOTIFICATIONS)?;
    copy(src, &txn, tables::UNREAD_COUNT)?;
    txn.commit()?;
    Ok(())
}

fn copy<K: Key + 'static, V: Value + 'static>(
    src: &ReadTransaction,
    dest: &WriteTransaction,
    def: TableDefinition<K, V>,
) -> Result<(), Error> {
    let from = src.open_table(def)?;
    let mut to = dest.open_table(def)?;
    for entry in from.iter()? {
        let (k, v) = entry?;
        to.insert(k.value(), v.value())?;
    }
    Ok(())
}

fn copy_multimap<K: Key + 'static, V: Key + 'static>(
    src: &ReadTransaction,
    dest: &WriteTransaction,
    def: MultimapTableDefinition<K, V>,
) -> Result<(), Error> {
    let from = src.open_multimap_table(def)?;
    let mut to = dest.open_multimap_table(def)?;
    for entry in from.iter()? {
        let (k, values) = entry?;
        for v in values {
            to.insert(k.value(), v?.value())?;
        }
    }
    Ok(())
}
