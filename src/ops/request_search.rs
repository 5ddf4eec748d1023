//! Finding requests by their words: the request index follows submissions a moment later,
//! in batches, from a background task (never inside a request's transaction); listings with a
//! text filter walk its hits newest first through the same filters and visibility as any
//! listing, so a hit never shows a request its viewer may not see.

use super::listing::{DeskFilter, summaries};
use super::request_views::Page;
use super::{Error, Ops};
use crate::domain::form::Answer;
use crate::domain::request::{RequestId, Summary};
use crate::domain::{Timestamp, User, UserId};
use crate::search::{RequestDoc, RequestIndex};
use crate::storage::{Listing, Reader};
use std::collections::HashMap;

/// Requests indexed per commit when catching up.
const INDEX_BATCH: usize = 2000;
/// How long the indexer gathers submissions before one commit: under a burst of submissions,
/// fewer and larger commits cost the request path less.
const GATHER_MS: u64 = 900;

fn search_error(e: crate::search::Error) -> Error {
    Error::Internal(e.to_string())
}

impl Ops {
    /// Attaches the request index (the server does) and catches up on what it misses.
    pub fn attach_request_index(&self, index: RequestIndex) -> Result<(), Error> {
        let _ = self.inner.request_index.set(index);
        let started = std::time::Instant::now();
        let added = self.index_requests_now()?;
        if added > 0 {
            tracing::info!(
                "request index: {added} requests indexed in {} ms",
                started.elapsed().as_millis()
            );
        }
        Ok(())
    }

    /// Indexes every request submitted since the last one the index holds; answers how many.
    /// The background task calls it a moment after submissions; tests call it directly.
    pub fn index_requests_now(&self) -> Result<usize, Error> {
        let Some(index) = self.inner.request_index.get() else {
            return Ok(0);
        };
        let _one_at_a_time = self
            .inner
            .index_catching_up
            .lock()
            .map_err(|_| Error::Internal("request index lock poisoned".into()))?;
        let mut added = 0;
        let mut names: HashMap<UserId, String> = HashMap::new();
        loop {
            let reader = self.store().read()?;
            let last = RequestId(index.last());
            let ids = reader.request_ids(Listing::All, Some(last), false, INDEX_BATCH)?;
            let Some(up_to) = ids.last().map(|id| id.0) else {
                return Ok(added);
            };
            let mut docs = Vec::with_capacity(ids.len());
            for id in &ids {
                let Some(request) = reader.request(*id)? else {
                    continue;
                };
                let requester = match names.get(&request.requester) {
                    Some(name) => name.clone(),
                    None => {
                        let name = reader
                            .user(request.requester)?
                            .map(|u| format!("{} {}", u.display_name, u.username))
                            .unwrap_or_default();
                        names.insert(request.requester, name.clone());
                        name
                    }
                };
                let answers: Vec<String> = request
                    .data
                    .values()
                    .map(|answer| match answer {
                        Answer::Text(text) => text.clone(),
                        Answer::Number(n) => n.to_string(),
                        Answer::Choices(list) => list.join(" "),
                        Answer::Flag(_) => String::new(),
                        Answer::File(file) => file.name.clone(),
                    })
                    .collect();
                docs.push(RequestDoc {
                    id: id.0,
                    service: request.service_name.clone(),
                    requester,
                    answers: answers.join("\n"),
                });
            }
            index.add(&docs, up_to).map_err(search_error)?;
            added += docs.len();
        }
    }

    /// Wakes the indexer: a request was submitted.
    pub(super) fn request_submitted(&self) {
        self.inner.index_wake.notify_one();
    }

    /// Runs until the server stops: a moment after submissions, indexes them in one commit.
    pub async fn request_indexer(&self) {
        loop {
            self.inner.index_wake.notified().await;
            tokio::time::sleep(std::time::Duration::from_millis(GATHER_MS)).await;
            let ops = self.clone();
            match tokio::task::spawn_blocking(move || ops.index_requests_now()).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!("request index not updated: {e}"),
                Err(e) => tracing::error!("request indexer stopped: {e}"),
            }
        }
    }

    /// The summaries `filter` lists, through its text when it has one.
    pub(super) fn summaries_of(
        &self,
        reader: &Reader,
        viewer: &User,
        filter: DeskFilter,
        now: Timestamp,
    ) -> Result<Page<Summary>, Error> {
        let Some(text) = filter.text.clone() else {
            return summaries(reader, viewer, filter, now);
        };
        let Some(index) = self.inner.request_index.get() else {
            return Err(Error::Internal("request search is not available".into()));
        };
        let filter = filter.seen_by(viewer);
        // The newest ids first, in a window that widens while it finds too little: a common
        // word costs the window's requests, not every request that holds it.
        let summaries = reader.summaries()?;
        let mut items = Vec::new();
        let mut below = filter.cursor.map(|c| c.0);
        let mut window = (filter.limit as u64 + 1) * 8;
        let want = (filter.limit + 1) * 4;
        loop {
            let top = below.unwrap_or(index.last() + 1);
            let from = top.saturating_sub(window);
            let hits = index
                .search(&text, (from, below), want)
                .map_err(search_error)?;
            // Fewer than asked: the window holds no more; otherwise keep on below the last.
            let exhausted = hits.len() < want && from == 0;
            let short = hits.len() < want;
            for id in hits {
                below = Some(id);
                let Some(summary) = summaries.get(RequestId(id))? else {
                    continue;
                };
                if !filter.matches(&summary) {
                    continue;
                }
                if items.len() == filter.limit {
                    let next = items.last().map(|s: &Summary| s.id.0);
                    return Ok(Page { items, next });
                }
                items.push(summary);
            }
            if exhausted {
                return Ok(Page { items, next: None });
            }
            if short {
                // The window is spent: the next one starts below it, eight times as wide.
                below = Some(from);
                window = window.saturating_mul(8);
            }
        }
    }
}
