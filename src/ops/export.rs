//! The desk's listing exported whole, a page at a time from one snapshot, so that a hundred
//! thousand rows never sit in memory together and read as of one instant.

use super::listing::DeskFilter;
use super::request_views::RequestRow;
use super::{Error, Ops};
use crate::domain::{Timestamp, User};
use crate::storage::Reader;

/// Rows read per page of an export.
const EXPORT_PAGE: usize = 500;

/// An export under way: the snapshot it reads and where it stands.
pub struct Export {
    reader: Reader,
    viewer: User,
    filter: DeskFilter,
    now: Timestamp,
    done: bool,
}

impl Ops {
    /// Starts exporting what `filter` lists, from its first row; for the IT team only.
    pub fn export_requests(&self, viewer: &User, mut filter: DeskFilter) -> Result<Export, Error> {
        if !viewer.role.is_staff() {
            return Err(Error::Forbidden("exports are for the IT team"));
        }
        filter.cursor = None;
        filter.limit = EXPORT_PAGE;
        Ok(Export {
            reader: self.store().read()?,
            viewer: viewer.clone(),
            filter,
            now: self.now(),
            done: false,
        })
    }

    /// The export's next rows; `None` once every row was given.
    pub fn export_page(&self, export: &mut Export) -> Result<Option<Vec<RequestRow>>, Error> {
        if export.done {
            return Ok(None);
        }
        // Every request once: through the memo it would only push out what pages keep there.
        let summaries = super::kept_summaries::KeptSummaries::unkept(&export.reader)?;
        let page = self.summaries_through(
            &export.reader,
            &summaries,
            &export.viewer,
            export.filter.clone(),
            export.now,
        )?;
        match page.next {
            Some(next) => export.filter.cursor = Some(crate::domain::request::RequestId(next)),
            None => export.done = true,
        }
        let rows = self.rows(&export.reader, page)?;
        Ok(Some(rows.items))
    }
}
