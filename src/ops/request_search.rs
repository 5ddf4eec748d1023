//! Finding requests by their words: the request index follows submissions a moment later,
//! in batches, from a background task (never inside a request's transaction); listings with a
//! text filter walk its hits newest first through the same filters and visibility as any
//! listing, so a hit never shows a request its viewer may not see.

use super::kept_summaries::KeptSummaries;
use super::listing::{self, DeskFilter};
use super::request_views::Page;
use super::{Error, Ops};
use crate::domain::form::Answer;
use crate::domain::request::{RequestId, Summary};
use crate::domain::{Timestamp, User, UserId};
use crate::search::{RequestDoc, RequestIndex};
use crate::storage::{Listing, Reader};
use std::collections::HashMap;

/// Requests indexed per commit when catching up. Each commit makes a segment, and tantivy makes
/// each segment's writer anew, zeroing about 12 MB of tables that are given back to the system
/// after the commit (`main.rs`): 100,000 requests took 1.75 s of CPU in commits of 2,000 and
/// 1.0 s in commits of 5,000, for a peak 4 MB higher (`cargo bench --bench word_index`); but
/// what a commit holds is in memory at once, and commits of 10,000 raised the server's peak
/// after a burst of 100,000 submissions to 63-65 MB (`benches/README.md`).
const INDEX_BATCH: usize = 5_000;
/// How long the indexer gathers submissions before one commit: under a burst of submissions,
/// fewer and larger commits cost the request path less.
const GATHER_MS: u64 = 900;
/// While more submissions than this arrive during each gathering pause, indexing waits: on a
/// small machine its CPU is taken from the submissions and pages themselves (issue 17 measured
/// a third of the submission rate). It waits at most `MOST_DEFERRED_MS` since the first
/// submission it has not indexed, so a request is found by its words within seconds anyway.
const BUSY_PER_GATHER: u64 = 100;
const MOST_DEFERRED_MS: u64 = 10_000;

/// Whether the indexer waits another gathering pause, `arrived` submissions having come during
/// the last one and `waited` passed since the first it has not indexed.
fn keep_deferring(arrived: u64, waited: std::time::Duration) -> bool {
    arrived > BUSY_PER_GATHER && waited.as_millis() < u128::from(MOST_DEFERRED_MS)
}

/// How the indexing thread hears that it has work, and tells how many it indexed.
type Done = tokio::sync::oneshot::Sender<Result<usize, Error>>;

/// The indexing thread's priority, as a nice value: `nice`'s default. The kernel then gives
/// it about a tenth of the share of a thread at the default (0) when both want a core.
const INDEX_NICE: i32 = 10;

/// Lowers the calling thread's priority to `INDEX_NICE`; threads it starts inherit it. Where
/// that fails (or on another system), indexing runs as any thread, as it did before.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(None, INDEX_NICE) {
        tracing::debug!("the request index runs at the server's priority: {e}");
    }
}

/// The indexing thread's loop: runs `pass` each time it is asked, until nobody can ask any
/// more. A pass that panicked is answered as a failed one and the next one runs all the same,
/// as when each pass had a blocking thread of tokio's.
fn run_passes(asked: &std::sync::mpsc::Receiver<Done>, pass: impl Fn() -> Result<usize, Error>) {
    while let Ok(done) = asked.recv() {
        let indexed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&pass))
            .unwrap_or_else(|_| Err(Error::Internal("the request index's pass panicked".into())));
        let _ = done.send(indexed);
    }
}

/// The request index's task and thread, running until `stop`.
pub struct IndexThread {
    task: tokio::task::JoinHandle<()>,
    thread: std::thread::JoinHandle<()>,
}

impl IndexThread {
    /// Stops following submissions and waits for the pass under way, so that the store is
    /// closed when the server returns.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        let thread = self.thread;
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
}

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
        self.index_requests_by(INDEX_BATCH)
    }

    /// `index_requests_now` in commits of `batch` requests (tests go through several).
    pub fn index_requests_by(&self, batch: usize) -> Result<usize, Error> {
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
            let reading = std::time::Instant::now();
            let reader = self.store().read()?;
            let last = RequestId(index.last());
            let ids = reader.request_ids(Listing::All, Some(last), false, batch.max(1))?;
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
                    requester_id: request.requester.0,
                    service: request.service_name.clone(),
                    requester,
                    answers: answers.join("\n"),
                });
            }
            // The index's commit takes 20-200 ms: a read transaction open meanwhile kept the
            // store from reusing the pages the submissions' commits freed, and its checkpoints
            // took 10-18 ms instead of 2-3 while the index caught up after a burst (issue 17).
            drop(reader);
            let read = reading.elapsed();
            index.add(&docs, up_to).map_err(search_error)?;
            added += docs.len();
            tracing::debug!(
                requests = docs.len(),
                ?read,
                indexed = ?(reading.elapsed() - read),
                "request index pass"
            );
        }
    }

    /// Wakes the indexer: a request was submitted.
    pub(super) fn request_submitted(&self) {
        self.inner
            .submitted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.index_wake.notify_one();
    }

    /// Starts keeping the request index up to date: a task that waits for submissions and a
    /// thread of its own that indexes them, a moment later, in commits of `INDEX_BATCH`.
    /// That thread (and tantivy's, which it starts) runs at a lower priority than the rest
    /// of the server (`lower_priority`): on a small machine busy with submissions, indexing
    /// then waits for a spare moment instead of taking its share of the cores from the
    /// submissions and pages (`benches/README.md`). `IndexThread::stop` ends both.
    pub fn start_request_indexer(&self) -> std::io::Result<IndexThread> {
        let (ask, asked) = std::sync::mpsc::channel::<Done>();
        let ops = self.clone();
        let thread = std::thread::Builder::new()
            .name("guichet-index".into())
            .spawn(move || {
                lower_priority();
                run_passes(&asked, || ops.index_requests_now());
            })?;
        let ops = self.clone();
        let task = tokio::spawn(async move { ops.follow_submissions(ask).await });
        Ok(IndexThread { task, thread })
    }

    /// Runs until the server stops: a moment after submissions, has them indexed in one go.
    async fn follow_submissions(&self, ask: std::sync::mpsc::Sender<Done>) {
        let submitted = || {
            self.inner
                .submitted
                .load(std::sync::atomic::Ordering::Relaxed)
        };
        loop {
            self.inner.index_wake.notified().await;
            let first = std::time::Instant::now();
            loop {
                let before = submitted();
                tokio::time::sleep(std::time::Duration::from_millis(GATHER_MS)).await;
                if !keep_deferring(submitted().saturating_sub(before), first.elapsed()) {
                    break;
                }
            }
            let (done, indexed) = tokio::sync::oneshot::channel();
            let answer = match ask.send(done) {
                Ok(()) => indexed.await.ok(),
                Err(_) => None,
            };
            match answer {
                Some(Ok(_)) => {}
                Some(Err(e)) => tracing::error!("request index not updated: {e}"),
                None => {
                    tracing::error!("request indexer stopped");
                    return;
                }
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
        let summaries = self.inner.summaries.over(reader)?;
        self.summaries_through(reader, &summaries, viewer, filter, now)
    }

    /// `summaries_of`, a listing's summaries read through `summaries` (a word search keeps only
    /// the rows it shows).
    pub(super) fn summaries_through(
        &self,
        reader: &Reader,
        summaries: &KeptSummaries,
        viewer: &User,
        filter: DeskFilter,
        now: Timestamp,
    ) -> Result<Page<Summary>, Error> {
        let Some(text) = filter.text.clone() else {
            return listing::summaries(reader, summaries, viewer, filter, now);
        };
        let Some(index) = self.inner.request_index.get() else {
            return Err(Error::Internal("request search is not available".into()));
        };
        let filter = filter.seen_by(viewer);
        // The hits are read through the memo but only the rows shown are kept: a common word
        // reads hundreds of summaries a page, which would push out those the listings keep.
        // The newest ids first, in a window that widens while it finds too little: a common
        // word costs the window's requests, not every request that holds it.
        let mut items = Vec::new();
        let mut below = filter.cursor.map(|c| c.0);
        let wide = (filter.limit as u64 + 1) * 8;
        let mut window = wide;
        let narrow = usize::try_from(wide).unwrap_or(usize::MAX);
        let want = (filter.limit + 1) * 4;
        let words = index.words(&text).map_err(search_error)?;
        // A word held by fewer requests than a window costs no more searched everywhere at
        // once, and spares the widening windows that would find it.
        let fewest = index.fewest_holding(&words).map_err(search_error)?;
        if fewest <= wide {
            window = u64::MAX;
        }
        let many = window.saturating_mul(4);
        let (listing, mut probed) = (filter.listing(), false);
        if listing == Listing::All && window != u64::MAX {
            // Every request is in the listing: a common word fills the page from a first
            // window twice its size, where a narrower listing holds a part of each window.
            window = (filter.limit as u64 + 1) * 2;
        }
        // A listing narrower than every request (one person's, a status, an assignee…) holds
        // none above its newest: the windows start there, not among newer requests of others
        // searched for nothing (alice's below 50,000 newer ones of bob's: an empty window,
        // then the halving, 650,000 instructions a page).
        if listing != Listing::All {
            // Through the memo: the same search asked again before the next commit (the
            // next page's cursor aside) does not descend the index for it again.
            match summaries
                .request_ids(listing, below.map(RequestId), true, 1)?
                .first()
            {
                Some(newest) => below = Some((newest.0 + 1).min(index.last() + 1)),
                None => return Ok(Page { items, next: None }),
            }
        }
        loop {
            let top = below.unwrap_or(index.last() + 1);
            let from = top.saturating_sub(window);
            let hits = index
                .search(&words, (from, below), filter.requester.map(|u| u.0), want)
                .map_err(search_error)?;
            // Fewer than asked: the window holds no more; otherwise keep on below the last.
            let exhausted = hits.len() < want && from == 0;
            let short = hits.len() < want;
            if let Some(page) = fill(summaries, &filter, &hits, &mut items)? {
                return Ok(page);
            }
            below = hits.last().copied().or(below);
            if exhausted {
                summaries.keep(&items);
                return Ok(Page { items, next: None });
            }
            if hits.is_empty() && fewest > many {
                // None in the window: the next one, as wide, starts at the newest request below
                // it that holds the words (one whose words are only in old requests would
                // otherwise be searched in a last window holding every older one). Words held
                // by a few windows' worth cost less found by widening than by the halving's
                // probes (276 old hits: 414,000 instructions a page against 372,000).
                let requester = filter.requester.map(|u| u.0);
                match index
                    .newest_below(&words, from, requester)
                    .map_err(search_error)?
                {
                    Some(newest) => below = Some(newest + 1),
                    None => {
                        summaries.keep(&items);
                        return Ok(Page { items, next: None });
                    }
                }
            } else if short {
                // The window is spent: the next one starts below it, eight times as wide (after
                // the small first window of every request, as wide as the others' second).
                below = Some(from);
                window = window.max(wide).saturating_mul(8);
            }
            // The first window did not fill the page: a listing narrower than a window (one
            // person's open requests, say, when most of theirs are finished) is read whole
            // and searched at once, rather than reading the summary of every request that
            // holds the words until the page fills.
            if !probed && listing != Listing::All {
                probed = true;
                let ids = reader.request_ids(listing, below.map(RequestId), true, narrow + 1)?;
                if ids.len() <= narrow {
                    let ids: Vec<u64> = ids.into_iter().map(|id| id.0).collect();
                    let held = index.holding(&words, &ids).map_err(search_error)?;
                    if let Some(page) = fill(summaries, &filter, &held, &mut items)? {
                        return Ok(page);
                    }
                    summaries.keep(&items);
                    return Ok(Page { items, next: None });
                }
            }
        }
    }
}

/// Adds to `items` the summaries of `hits` (ids, newest first) that `filter` lets through, a
/// page's worth read at a time (the page may fill before the hits run out); answers the page
/// once it is full and one more follows, keeping the rows it shows.
fn fill(
    summaries: &KeptSummaries,
    filter: &DeskFilter,
    hits: &[u64],
    items: &mut Vec<Summary>,
) -> Result<Option<Page<Summary>>, Error> {
    let ids: Vec<RequestId> = hits.iter().copied().map(RequestId).collect();
    for chunk in ids.chunks(filter.limit + 1) {
        let found = summaries.of_hits(chunk)?;
        for summary in found.into_iter().flatten() {
            if !filter.matches(&summary) {
                continue;
            }
            if items.len() == filter.limit {
                let next = items.last().map(|s: &Summary| s.id.0);
                summaries.keep(items);
                return Ok(Some(Page {
                    items: std::mem::take(items),
                    next,
                }));
            }
            items.push(summary);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn indexing_waits_for_a_burst_to_pass_but_not_for_long() {
        let second = Duration::from_secs(1);
        assert!(!keep_deferring(0, second), "quiet: index now");
        assert!(
            !keep_deferring(BUSY_PER_GATHER, second),
            "a steady trickle: index now"
        );
        assert!(keep_deferring(BUSY_PER_GATHER + 1, second), "a burst: wait");
        assert!(keep_deferring(
            10_000,
            Duration::from_millis(MOST_DEFERRED_MS - 1)
        ));
        assert!(
            !keep_deferring(10_000, Duration::from_millis(MOST_DEFERRED_MS)),
            "never more than MOST_DEFERRED_MS behind"
        );
    }

    #[test]
    fn a_pass_that_panics_is_answered_as_failed_and_the_next_one_runs() {
        let (ask, asked) = std::sync::mpsc::channel::<Done>();
        let mut answers = Vec::new();
        for _ in 0..3 {
            let (done, answer) = tokio::sync::oneshot::channel();
            ask.send(done).expect("asked");
            answers.push(answer);
        }
        drop(ask);
        let passes = std::cell::Cell::new(0);
        run_passes(&asked, || {
            passes.set(passes.get() + 1);
            match passes.get() {
                2 => panic!("a pass that panics"),
                n => Ok(n),
            }
        });
        let heard: Vec<Result<usize, String>> = answers
            .into_iter()
            .map(|mut a| a.try_recv().expect("answered").map_err(|e| e.to_string()))
            .collect();
        assert_eq!(heard[0], Ok(1));
        assert!(
            heard[1].as_ref().is_err_and(|e| e.contains("panicked")),
            "{:?}",
            heard[1]
        );
        assert_eq!(heard[2], Ok(3), "the loop goes on after a panic");
    }
}
