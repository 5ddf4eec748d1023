//! Each scheduled job's last run, and the instant it was first scheduled from, in the `meta`
//! table (`job.<name>.at|ms|failed|since`), so that a restart neither repeats a run nor drops
//! one that fell due while the server was down.

use super::{Error, Reader, Writer};
use crate::domain::Timestamp;
use crate::domain::schedule::{Job, JobRun};
use redb::ReadableTable;

fn key(job: Job, field: &str) -> String {
    format!("job.{}.{field}", job.name())
}

fn seconds(at: Timestamp) -> u64 {
    u64::try_from(at.0).unwrap_or(0)
}

fn instant(value: u64) -> Timestamp {
    Timestamp(i64::try_from(value).unwrap_or(i64::MAX))
}

impl Writer<'_> {
    pub fn record_job_run(&self, job: Job, run: &JobRun) -> Result<(), Error> {
        let mut meta = self.meta_table()?;
        meta.insert(key(job, "at").as_str(), seconds(run.at))?;
        meta.insert(key(job, "ms").as_str(), run.duration_ms)?;
        meta.insert(key(job, "failed").as_str(), u64::from(run.failed))?;
        Ok(())
    }

    /// Records, once, the instant a job's schedule starts from; answers the recorded one.
    pub fn record_job_since(&self, job: Job, now: Timestamp) -> Result<Timestamp, Error> {
        let mut meta = self.meta_table()?;
        let field = key(job, "since");
        if let Some(since) = meta.get(field.as_str())?.map(|v| v.value()) {
            return Ok(instant(since));
        }
        meta.insert(field.as_str(), seconds(now))?;
        Ok(now)
    }
}

impl Reader {
    /// The instant a job's schedule started from, once recorded.
    pub fn job_since(&self, job: Job) -> Result<Option<Timestamp>, Error> {
        let meta = self.meta_table()?;
        Ok(meta
            .get(key(job, "since").as_str())?
            .map(|v| instant(v.value())))
    }

    pub fn job_run(&self, job: Job) -> Result<Option<JobRun>, Error> {
        let meta = self.meta_table()?;
        let get = |field: &str| -> Result<Option<u64>, Error> {
            Ok(meta.get(key(job, field).as_str())?.map(|v| v.value()))
        };
        let Some(at) = get("at")? else {
            return Ok(None);
        };
        Ok(Some(JobRun {
            at: instant(at),
            duration_ms: get("ms")?.unwrap_or(0),
            failed: get("failed")?.unwrap_or(0) != 0,
        }))
    }
}
