//! Walking the request index: the first ids of one range, or of several merged in id order
//! (a listing whose requests lie under several prefixes, schema 13).

use super::Error;
use crate::domain::request::RequestId;

/// The first `n` ids of a range, from its end when `newest_first`; `id` reads an entry's id.
pub(super) fn first_ids<E>(
    range: impl DoubleEndedIterator<Item = Result<E, redb::StorageError>>,
    newest_first: bool,
    n: usize,
    id: impl Fn(E) -> u64,
) -> Result<Vec<RequestId>, Error> {
    let mut ids = Vec::new();
    if newest_first {
        for entry in range.rev().take(n) {
            ids.push(RequestId(id(entry?)));
        }
    } else {
        for entry in range.take(n) {
            ids.push(RequestId(id(entry?)));
        }
    }
    Ok(ids)
}

/// The first `n` ids of several walks in the same order (newest first or oldest first), merged
/// in that order: each walk is read only as far as the ids taken from it.
pub(super) fn merged_ids(
    mut walks: Vec<Box<dyn Iterator<Item = Result<u64, redb::StorageError>> + '_>>,
    newest_first: bool,
    n: usize,
) -> Result<Vec<RequestId>, Error> {
    let mut heads = Vec::with_capacity(walks.len());
    for walk in &mut walks {
        heads.push(walk.next().transpose()?);
    }
    let mut ids = Vec::new();
    while ids.len() < n {
        let next = heads
            .iter()
            .enumerate()
            .filter_map(|(walk, head)| head.map(|id| (walk, id)))
            .reduce(|a, b| if (b.1 > a.1) == newest_first { b } else { a });
        let Some((walk, id)) = next else {
            break;
        };
        ids.push(RequestId(id));
        heads[walk] = walks[walk].next().transpose()?;
    }
    Ok(ids)
}
