//! Sequences hand out ids: requests, notifications, mails, users… A commit shared by many
//! submissions takes ids from the same sequences again and again, so a write reads each
//! sequence once, hands its ids out from memory, and writes where it stopped once, before
//! its commit (`Writer::finish`). A refused job's write is dropped whole, with what it handed
//! out, so an id is never given twice.

use super::{Error, Writer};
use redb::ReadableTable;

/// The last id handed out by each sequence a write used, not yet written.
pub(super) type Issued = std::cell::RefCell<Vec<(String, u64)>>;

impl Writer<'_> {
    /// Hands out the next id of a sequence. Ids start at 1 and are never reused.
    pub fn next_id(&self, sequence: &str) -> Result<u64, Error> {
        self.next_ids(sequence, 1)
    }

    /// Hands out `n` consecutive ids of a sequence; answers the first.
    pub fn next_ids(&self, sequence: &str, n: u64) -> Result<u64, Error> {
        let mut issued = self.issued.borrow_mut();
        let last = match issued.iter_mut().find(|(name, _)| name == sequence) {
            Some((_, last)) => last,
            None => {
                let stored = self
                    .sequences_table()?
                    .get(sequence)?
                    .map_or(0, |v| v.value());
                issued.push((sequence.to_owned(), stored));
                &mut issued
                    .last_mut()
                    .ok_or_else(|| Error::Db(format!("sequence {sequence} not kept")))?
                    .1
            }
        };
        let first = *last + 1;
        *last = first + n.saturating_sub(1);
        Ok(first)
    }

    /// Writes where each sequence used stopped: before the commit.
    pub(super) fn write_sequences(&self) -> Result<(), Error> {
        let issued = self.issued.take();
        if issued.is_empty() {
            return Ok(());
        }
        let mut table = self.sequences_table()?;
        for (name, last) in issued {
            table.insert(name.as_str(), last)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::request_tests::open;
    use crate::storage::Error;

    #[test]
    fn ids_follow_on_within_a_write_and_from_one_write_to_the_next() {
        let (_dir, store) = open();
        let first = store
            .write(|w| {
                let ids = (w.next_id("a")?, w.next_ids("a", 3)?, w.next_id("b")?);
                assert_eq!(ids, (1, 2, 1));
                w.next_id("a")
            })
            .expect("write");
        assert_eq!(first, 5);
        let next = store
            .write(|w| Ok::<_, Error>((w.next_id("a")?, w.next_id("b")?)))
            .expect("write");
        assert_eq!(
            next,
            (6, 2),
            "each sequence goes on where the last write stopped"
        );
        let refused = store.write(|w| {
            w.next_ids("a", 10)?;
            Err::<(), _>(Error::Db("refused".into()))
        });
        assert!(refused.is_err());
        let after = store.write(|w| w.next_id("a")).expect("write");
        assert_eq!(after, 7, "a refused write hands out nothing");
    }
}
