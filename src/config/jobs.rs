//! The `[jobs]` table: when each scheduled job runs, as a cron expression in the instance's
//! time zone (`time_zone`). Each is checked when the configuration is read, so a bad one stops
//! the start with a message naming its key.

use super::ConfigError;
use crate::domain::schedule::{Job, JobSchedule};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Jobs {
    /// Removing expired sign-ins: every hour on the hour by default.
    pub purge_sessions: String,
    /// The SLA scan (escalations, breaches, reminders, closing unanswered requests): every
    /// minute by default.
    pub sla_scan: String,
    /// Checking the metrics roll-ups against the requests: every night at 03:30 by default.
    pub rollups: String,
    /// Sending the mails that are due (retries; new mails leave at once): every minute.
    pub outbox: String,
    /// Queuing the IT team's weekly digest (when mail is on): Mondays at 08:00.
    pub digest: String,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            purge_sessions: "0 * * * *".into(),
            sla_scan: "* * * * *".into(),
            rollups: "30 3 * * *".into(),
            outbox: "* * * * *".into(),
            digest: "0 8 * * Mon".into(),
        }
    }
}

impl Jobs {
    pub fn expression(&self, job: Job) -> &str {
        match job {
            Job::PurgeSessions => &self.purge_sessions,
            Job::SlaScan => &self.sla_scan,
            Job::Rollups => &self.rollups,
            Job::Outbox => &self.outbox,
            Job::Digest => &self.digest,
        }
    }

    fn set(&mut self, job: Job, expression: String) {
        match job {
            Job::PurgeSessions => self.purge_sessions = expression,
            Job::SlaScan => self.sla_scan = expression,
            Job::Rollups => self.rollups = expression,
            Job::Outbox => self.outbox = expression,
            Job::Digest => self.digest = expression,
        }
    }

    /// Every job's schedule; `key_of` names where each expression came from.
    pub fn schedules(
        &self,
        key_of: impl Fn(Job) -> String,
    ) -> Result<Vec<(Job, JobSchedule)>, ConfigError> {
        Job::ALL
            .iter()
            .map(|job| {
                JobSchedule::parse(self.expression(*job))
                    .map(|schedule| (*job, schedule))
                    .map_err(|message| ConfigError::Value {
                        key: key_of(*job),
                        message,
                    })
            })
            .collect()
    }

    /// Takes a `GUICHET_JOBS_<NAME>` variable; answers false when it names no job.
    pub fn apply_env(&mut self, key: &str, value: &str) -> Result<bool, ConfigError> {
        let Some(name) = key.strip_prefix("GUICHET_JOBS_") else {
            return Ok(false);
        };
        let Some(job) = Job::ALL
            .into_iter()
            .find(|j| j.name().eq_ignore_ascii_case(name))
        else {
            return Ok(false);
        };
        JobSchedule::parse(value).map_err(|message| ConfigError::Value {
            key: key.to_owned(),
            message,
        })?;
        self.set(job, value.trim().to_owned());
        Ok(true)
    }
}

/// The instance's time zone: an IANA name, checked against the time zone database.
pub fn check_time_zone(key: &str, name: &str) -> Result<String, ConfigError> {
    let name = name.trim();
    jiff::tz::TimeZone::get(name).map_err(|_| ConfigError::Value {
        key: key.to_owned(),
        message: format!("{name:?} is not a time zone of the IANA database (e.g. Europe/Paris)"),
    })?;
    Ok(name.to_owned())
}
