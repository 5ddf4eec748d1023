//! The tables a write keeps open: redb looks a table up in its table tree and checks its
//! definition at each opening, which was a fifth of the writer's time when every job of a
//! batch opened its twenty-odd tables again. A `Writer` opens each of these at most once per
//! transaction and lends it out; a `Reader` opens each at most once too, and shares it. Both
//! answer through the same method names, so that the reads shared by the two
//! (`request_reads!` and the like) read the same way. Two loans of one table at once in a
//! write are refused with an error, as redb refuses a table opened twice.

use super::tables::{
    ATTACHMENTS, CALENDARS, META, NOTIFICATIONS, REQUEST_DUE, REQUEST_EVENTS, REQUEST_INDEX,
    REQUEST_SUMMARIES, REQUESTS, ROLLUPS, SEQUENCES, SERVICE_REQUESTS, SERVICES, SLA_POLICIES,
    TEAMS, UNREAD_ABOUT, UNREAD_COUNT, USERS,
};
use super::{Error, Reader, Writer};
use redb::{ReadOnlyTable, Table};
use std::cell::{OnceCell, RefCell, RefMut};

/// Lends `slot`'s table, opening it first if needed.
fn lend<'a, 't, K, V>(
    slot: &'a RefCell<Option<Table<'t, K, V>>>,
    name: &'static str,
    open: impl FnOnce() -> Result<Table<'t, K, V>, Error>,
) -> Result<RefMut<'a, Table<'t, K, V>>, Error>
where
    K: redb::Key + 'static,
    V: redb::Value + 'static,
{
    let mut slot = slot
        .try_borrow_mut()
        .map_err(|_| Error::Db(format!("table {name} is already in use in this write")))?;
    if slot.is_none() {
        *slot = Some(open()?);
    }
    RefMut::filter_map(slot, Option::as_mut)
        .map_err(|_| Error::Db(format!("table {name} could not be kept open")))
}

macro_rules! kept {
    ($($method:ident: $def:ident => ($k:ty, $v:ty);)*) => {
        /// The tables a write opened, each at most once.
        #[derive(Default)]
        pub(super) struct Kept<'t> {
            $($method: RefCell<Option<Table<'t, $k, $v>>>,)*
        }

        impl<'t> Writer<'t> {
            $(
                pub(super) fn $method(&self) -> Result<RefMut<'_, Table<'t, $k, $v>>, Error> {
                    lend(&self.kept.$method, stringify!($def), || Ok(self.txn.open_table($def)?))
                }
            )*
        }

        /// The tables a read opened, each at most once: a page that reads one table twice
        /// (my requests: the open ones, then the history) opens it once.
        #[derive(Default)]
        pub(super) struct ReadKept {
            $($method: OnceCell<ReadOnlyTable<$k, $v>>,)*
        }

        // Not every table is read outside a write.
        #[allow(dead_code)]
        impl Reader {
            $(
                pub(super) fn $method(&self) -> Result<&ReadOnlyTable<$k, $v>, Error> {
                    if let Some(table) = self.kept.$method.get() {
                        return Ok(table);
                    }
                    let table = self.txn.open_table($def)?;
                    Ok(self.kept.$method.get_or_init(|| table))
                }
            )*
        }
    };
}

kept! {
    meta_table: META => (&'static str, u64);
    sequences_table: SEQUENCES => (&'static str, u64);
    users_table: USERS => (u64, &'static [u8]);
    teams_table: TEAMS => (u64, &'static [u8]);
    services_table: SERVICES => (u64, &'static [u8]);
    service_requests_table: SERVICE_REQUESTS => (u64, u64);
    requests_table: REQUESTS => (u64, &'static [u8]);
    request_summaries_table: REQUEST_SUMMARIES => (u64, &'static [u8]);
    request_events_table: REQUEST_EVENTS => ((u64, u32), &'static [u8]);
    attachments_table: ATTACHMENTS => ((u64, &'static str), &'static [u8]);
    request_index_table: REQUEST_INDEX => ((u64, u64), ());
    notifications_table: NOTIFICATIONS => ((u64, u64), &'static [u8]);
    unread_about_table: UNREAD_ABOUT => ((u64, u64, u64), ());
    unread_count_table: UNREAD_COUNT => (u64, u64);
    calendars_table: CALENDARS => (u64, &'static [u8]);
    sla_policies_table: SLA_POLICIES => (u64, &'static [u8]);
    request_due_table: REQUEST_DUE => ((u8, i64, u64), ());
    rollups_table: ROLLUPS => ((i32, u64, u64, u64), &'static [u8]);
}

#[cfg(test)]
mod tests {
    use super::super::request_tests::open;
    use super::Error;
    use redb::ReadableTable;

    #[test]
    fn a_table_is_lent_once_at_a_time_and_kept_open_until_the_write_ends() {
        let (_dir, store) = open();
        store
            .write(|w| {
                let first = w.service_requests_table()?;
                let again = w.service_requests_table().map(|_| ());
                assert!(
                    again
                        .as_ref()
                        .is_err_and(|e| e.to_string().contains("already in use")),
                    "a second loan while the first is out: {again:?}"
                );
                drop(first);
                w.service_requests_table()?.insert(7, 3)?;
                // The same table, kept open: it holds what the write put in it.
                let count = w.service_requests_table()?.get(7)?.map(|v| v.value());
                assert_eq!(count, Some(3));
                Ok::<_, Error>(())
            })
            .expect("write");
        let reader = store.read().expect("read");
        let count = reader
            .service_requests_table()
            .expect("table")
            .get(7)
            .expect("get")
            .map(|v| v.value());
        assert_eq!(count, Some(3), "committed when the write ended");
    }
}
