//! The scheduled jobs as use cases: which are due, running them (one at a time), and what the
//! admin page shows of them. The loop that calls `run_due` lives in `app.rs`; tests call it
//! with the manual clock. A job's last run is kept in the store, so a restart neither repeats
//! it nor drops one that fell due while the server was down (it runs once, at start).

use super::{Admin, Error, Ops};
use crate::domain::Timestamp;
use crate::domain::schedule::{Job, JobRun, JobSchedule};

/// A job as the admin page shows it.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub job: Job,
    pub expression: String,
    pub last: Option<JobRun>,
    pub next: Option<Timestamp>,
}

/// How one run went: the job, and its error in words if it failed.
pub type Outcome = (Job, Result<(), String>);

impl Ops {
    fn schedules(&self) -> &[(Job, JobSchedule)] {
        &self.inner.settings.jobs
    }

    /// When `job` runs next: after its last run, or after the instant its schedule started.
    fn next_run(
        &self,
        last: Option<JobRun>,
        since: Option<Timestamp>,
        schedule: &JobSchedule,
    ) -> Option<Timestamp> {
        let base = match (last.map(|r| r.at), since) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b)?,
        };
        schedule.next_after(base, self.time_zone())
    }

    /// Every job with its expression, last run and next run.
    pub fn jobs(&self, _admin: Admin) -> Result<Vec<JobStatus>, Error> {
        let reader = self.store().read()?;
        let mut found = Vec::new();
        for (job, schedule) in self.schedules() {
            let last = reader.job_run(*job)?;
            // Before the scheduler's first look, the schedule counts from now.
            let since = reader.job_since(*job)?.or_else(|| Some(self.now()));
            found.push(JobStatus {
                job: *job,
                expression: schedule.expression().to_owned(),
                last,
                next: self.next_run(last, since, schedule),
            });
        }
        Ok(found)
    }

    /// The earliest next run of any job, for the loop's sleep.
    pub fn next_job_at(&self) -> Result<Option<Timestamp>, Error> {
        let reader = self.store().read()?;
        let mut earliest: Option<Timestamp> = None;
        for (job, schedule) in self.schedules() {
            let next = self.next_run(reader.job_run(*job)?, reader.job_since(*job)?, schedule);
            earliest = match (earliest, next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(earliest)
    }

    /// Runs, one after the other, every job due at `now`; a job missed several times runs
    /// once. Answers what ran and how it went. A failure is logged and recorded; the job runs
    /// again at its next time.
    pub async fn run_due(&self, now: Timestamp) -> Result<Vec<Outcome>, Error> {
        let _one_at_a_time = self.inner.jobs_running.lock().await;
        let mut ran = Vec::new();
        for (job, schedule) in self.schedules() {
            let job = *job;
            let (since, last) = {
                let reader = self.store().read()?;
                (reader.job_since(job)?, reader.job_run(job)?)
            };
            let since = match since {
                Some(since) => since,
                None => self.store().write(|w| w.record_job_since(job, now))?,
            };
            if self
                .next_run(last, Some(since), schedule)
                .is_none_or(|next| next > now)
            {
                continue;
            }
            let started = std::time::Instant::now();
            let outcome = self.run_job(job, now).await;
            let run = JobRun {
                at: now,
                duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                failed: outcome.is_err(),
            };
            if let Err(message) = &outcome {
                tracing::warn!("scheduled job {} failed: {message}", job.name());
            }
            self.store().write(|w| w.record_job_run(job, &run))?;
            ran.push((job, outcome));
        }
        Ok(ran)
    }

    async fn run_job(&self, job: Job, now: Timestamp) -> Result<(), String> {
        // How many things the job did, and the log line when it did any.
        let (done, line): (Result<usize, Error>, fn(usize) -> String) = match job {
            Job::SlaScan => (self.sla_scan(now).await, |n| {
                format!("the SLA scan wrote {n} timeline entries")
            }),
            Job::Rollups => (self.check_rollups(true).await, |n| {
                format!("{n} metrics roll-up rows differed from the requests: rebuilt")
            }),
            Job::PurgeSessions => (self.purge_expired_sessions().await, |n| {
                format!("removed {n} expired sessions")
            }),
            Job::Outbox => (self.send_outbox(now).await, |n| {
                format!("the relay accepted {n} mails")
            }),
            Job::Digest => (self.queue_digests(now).await, |n| {
                format!("queued {n} weekly digests")
            }),
        };
        if matches!(job, Job::SlaScan | Job::Digest) {
            // Escalations and digests may have queued mails.
            self.mail_queued();
        }
        match done {
            Ok(0) => Ok(()),
            Ok(n) if job == Job::Rollups => {
                tracing::warn!("{}", line(n));
                Ok(())
            }
            Ok(n) => {
                tracing::info!("{}", line(n));
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}
