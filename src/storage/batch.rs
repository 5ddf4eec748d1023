//! Group commit: concurrent use cases that ask for it share one durable commit. A single
//! writer thread takes every job waiting in its queue, runs them in one write transaction and
//! commits once; each caller hears its own answer only after that commit. If one job of a batch
//! is refused, the transaction is dropped and the batch runs again without it (`commit_batch`),
//! so a refusal never changes anything, never takes others down with it, and the batch still
//! shares one commit.

use super::{Error, Writer};
use redb::Database;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc::{Receiver, Sender, error::TryRecvError};

/// Most jobs committed together.
const MAX_BATCH: usize = 256;

pub(super) trait Job: Send {
    /// Runs the job in `w`; `false` when it was refused (its error is kept for `finish`).
    fn run(&mut self, w: &Writer) -> bool;
    /// Delivers the outcome: the job's own result if the commit succeeded, else the commit's
    /// error.
    fn finish(self: Box<Self>, committed: Result<(), Error>);
}

pub(super) struct Pending<T, E, F> {
    pub f: F,
    pub outcome: Option<Result<T, E>>,
    pub reply: tokio::sync::oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> Job for Pending<T, E, F>
where
    T: Send,
    E: From<Error> + Send,
    F: FnMut(&Writer) -> Result<T, E> + Send,
{
    fn run(&mut self, w: &Writer) -> bool {
        let outcome = (self.f)(w);
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), Error>) {
        let answer = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Err(e), Some(Err(refused))) => {
                drop(e);
                Err(refused)
            }
            (Err(e), _) => Err(E::from(e)),
            (Ok(()), None) => Err(E::from(Error::Db("the job did not run".into()))),
        };
        // The caller may have gone away (a closed connection); the work is committed anyway.
        let _ = self.reply.send(answer);
    }
}

pub(super) type Queue = Sender<Box<dyn Job>>;

pub(super) fn start(
    db: Arc<Database>,
    generation: Arc<AtomicU64>,
) -> std::io::Result<(Queue, std::thread::JoinHandle<()>)> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Box<dyn Job>>(4 * MAX_BATCH);
    let handle = std::thread::Builder::new()
        .name("guichet-writer".into())
        .spawn(move || run(&db, &generation, &mut rx))?;
    Ok((tx, handle))
}

fn run(db: &Database, generation: &AtomicU64, rx: &mut Receiver<Box<dyn Job>>) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        take_waiting(rx, &mut batch);
        let (jobs, started) = (batch.len(), std::time::Instant::now());
        commit_batch(db, generation, batch);
        // How the callers share the commits (`GUICHET_LOG=guichet::storage::batch=debug`):
        // the batches' sizes and what each cost, most of it the disk's flush.
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        tracing::debug!(jobs, micros, "group commit");
    }
}

fn take_waiting(rx: &mut Receiver<Box<dyn Job>>, batch: &mut Vec<Box<dyn Job>>) {
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
        }
    }
}

/// Runs the batch in one write transaction and commits it once. A refused job keeps the answer
/// it gave; the transaction it wrote into is dropped and the jobs run again without it, each
/// seeing what the accepted jobs before it wrote, as if they had come one by one. Each refusal
/// costs one more run of the jobs before it, never a commit: the batch is still one fsync.
/// (redb's savepoints cannot help here: one can be taken only before any table is opened.)
pub(super) fn commit_batch(db: &Database, generation: &AtomicU64, mut batch: Vec<Box<dyn Job>>) {
    let mut refused = vec![false; batch.len()];
    loop {
        let txn = match db.begin_write() {
            Ok(txn) => txn,
            Err(e) => return finish_all(batch, Err(Error::Db(e.to_string()))),
        };
        // The jobs share the writer, and with it the tables the first of them opened.
        let writer = Writer::new(&txn);
        let refusal = batch
            .iter_mut()
            .zip(&refused)
            .position(|(job, &skip)| !skip && !job.run(&writer));
        match refusal {
            Some(index) => {
                drop(writer);
                drop(txn);
                refused[index] = true;
            }
            None => {
                let committed = writer
                    .finish()
                    .and_then(|()| txn.commit().map_err(Error::from));
                if committed.is_ok() {
                    // Before anyone hears of the commit, so that a cache keyed on it never
                    // keeps what came before.
                    generation.fetch_add(1, Ordering::SeqCst);
                }
                return finish_all(batch, committed);
            }
        }
    }
}

fn finish_all(batch: Vec<Box<dyn Job>>, committed: Result<(), Error>) {
    match committed {
        Ok(()) => batch.into_iter().for_each(|job| job.finish(Ok(()))),
        Err(e) => {
            let message = e.to_string();
            for job in batch {
                job.finish(Err(Error::Db(message.clone())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notification::{NoticeKind, Notification};
    use crate::domain::request::{RequestId, Status};
    use crate::domain::{Timestamp, UserId};
    use crate::storage::request_tests::{open, request};
    use tokio::sync::oneshot;

    type Answer = oneshot::Receiver<Result<u64, Error>>;

    /// A job that writes request `id`, refused after writing when `refuse` says so given what
    /// the transaction holds at that point.
    fn job(id: u64, refuse: impl Fn(&Writer) -> bool + Send + 'static) -> (Box<dyn Job>, Answer) {
        let (reply, answer) = oneshot::channel();
        let f = move |w: &Writer| {
            let new = request(id, 3, Status::New);
            w.put_request(None, &new, &new.summary())?;
            w.add_notification(notice(id))?;
            if refuse(w) {
                return Err(Error::Db(format!("job {id} refused")));
            }
            Ok(id)
        };
        let pending = Pending {
            f,
            outcome: None,
            reply,
        };
        (Box::new(pending), answer)
    }

    /// The notice each job gives user 9 about its request.
    fn notice(id: u64) -> Notification {
        Notification {
            id: 0,
            user: UserId(9),
            request: RequestId(id),
            kind: NoticeKind::Submitted,
            at: Timestamp(1),
            by: None,
            read: false,
        }
    }

    fn stored(w: &Writer, id: u64) -> bool {
        w.request(RequestId(id)).expect("read").is_some()
    }

    #[test]
    fn a_refused_job_leaves_its_batch_one_commit_as_if_the_jobs_came_one_by_one() {
        let (_dir, store) = open();
        let generation = AtomicU64::new(0);
        let mut batch = Vec::new();
        let mut answers = Vec::new();
        for id in 1..=10u64 {
            let (job, answer) = match id {
                3 | 7 => job(id, |_| true),
                // Accepted only if job 3's write is not there: a refused job is invisible.
                4 => job(id, |w| stored(w, 3)),
                // Refused because job 5, accepted before it, wrote its request.
                8 => job(id, |w| stored(w, 5)),
                _ => job(id, |_| false),
            };
            batch.push(job);
            answers.push(answer);
        }
        commit_batch(&store.db, &generation, batch);

        assert_eq!(
            generation.load(Ordering::SeqCst),
            1,
            "one commit for the batch"
        );
        let heard: Vec<Result<u64, String>> = answers
            .into_iter()
            .map(|mut a| a.try_recv().expect("answered").map_err(|e| e.to_string()))
            .collect();
        for (id, answer) in (1..=10u64).zip(&heard) {
            match id {
                3 | 7 | 8 => assert!(
                    answer
                        .as_ref()
                        .is_err_and(|e| e.contains(&format!("job {id} refused"))),
                    "job {id} hears its own refusal: {answer:?}"
                ),
                _ => assert_eq!(answer, &Ok(id), "job {id}"),
            }
        }
        let reader = store.read().expect("read");
        let kept: Vec<u64> = (1..=10u64)
            .filter(|&id| reader.request(RequestId(id)).expect("read").is_some())
            .collect();
        assert_eq!(
            kept,
            vec![1, 2, 4, 5, 6, 9, 10],
            "refused jobs wrote nothing"
        );
        assert_eq!(
            reader.unread_count(UserId(9)).expect("count"),
            7,
            "nor counted a notice"
        );
    }
}
