//! Group commit: concurrent use cases that ask for it share one durable commit. A single
//! writer thread takes every job waiting in its queue, runs them in one write transaction and
//! commits once; each caller hears its own answer only after that commit. If one job of a batch
//! is refused, the transaction is dropped and the jobs run again one transaction each, so a
//! refusal never changes anything and never takes others down with it.

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
        commit_batch(db, generation, batch);
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

fn commit_batch(db: &Database, generation: &AtomicU64, mut batch: Vec<Box<dyn Job>>) {
    let writer = match db.begin_write() {
        Ok(txn) => Writer::new(txn),
        Err(e) => {
            let message = e.to_string();
            for job in batch {
                job.finish(Err(Error::Db(message.clone())));
            }
            return;
        }
    };
    let all_ran = batch.iter_mut().all(|job| job.run(&writer));
    if all_ran {
        match writer.commit() {
            Ok(()) => {
                // Before anyone hears of the commit, so that a cache keyed on it never keeps
                // what came before.
                generation.fetch_add(1, Ordering::SeqCst);
                batch.into_iter().for_each(|job| job.finish(Ok(())));
            }
            Err(e) => {
                let message = e.to_string();
                for job in batch {
                    job.finish(Err(Error::Db(message.clone())));
                }
            }
        }
    } else if batch.len() == 1 {
        drop(writer);
        for job in batch {
            job.finish(Err(Error::Db("refused".into())));
        }
    } else {
        drop(writer);
        for job in batch {
            commit_batch(db, generation, vec![job]);
        }
    }
}
