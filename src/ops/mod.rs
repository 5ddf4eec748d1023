//! Use cases: load → apply a domain rule → persist. Shared by the HTML pages, the JSON API, the
//! command line and the scheduler, so the front ends can never disagree.
//!
//! Architecture invariant: callers reach storage only through here. Admin use cases take an
//! `Admin` capability that only `Ops::admin` hands out.

mod audit;
mod auth;
mod backups;
mod catalog;
mod demo;
mod demo_catalog;
mod demo_history;
mod demo_play;
mod demo_rhythm;
mod demo_sla;
mod desk;
mod export;
mod jobs;
mod kept_requests;
mod kept_summaries;
mod listing;
mod mail_choices;
mod mail_links;
mod mail_render;
mod mailer;
mod metrics;
mod metrics_report;
mod notifications;
mod outbox;
mod password_reset;
mod passwords;
mod request_search;
mod request_views;
mod requests;
mod search;
mod secrets;
mod services;
mod sla;
mod sla_reads;
mod sla_scan;
mod snapshots;
mod teams;
pub mod throttle;
mod users;

use crate::clock::Clock;
use crate::domain::{FieldErrors, Role, Timestamp, User, UserId};
use crate::storage::{self, Store};
use std::sync::Arc;

pub use crate::storage::AuditFilter;
pub use audit::{AUDIT_PAGE, COMMAND_LINE};
pub use auth::{LoginKind, SignedIn};
pub use backups::{BackupFile, LastBackup};
pub use catalog::{ApprovalStep, CategoryPage, PortalHome, ServicePage};
pub use demo::DEMO_PASSWORD;
pub use desk::DeskOptions;
pub use export::Export;
pub use jobs::{JobStatus, Outcome};
pub use kept_summaries::IdHasher;
pub use listing::SOON;
pub use listing::{DeskFilter, DueFilter, StatusFilter};
pub use mail_choices::MailChoices;
pub use mail_links::{Decision, LinkRefusal, LinkView};
pub use metrics_report::{MetricsQuery, MetricsView, QUIET_DAYS};
pub use outbox::OutboxView;
pub use password_reset::ResetRefusal;
pub use request_search::IndexThread;
pub use request_views::{Page, Permissions, RequestPage, RequestRow, SlaView};
pub use requests::Submission;
pub use search::SearchResult;
pub use secrets::{hex, same_secret};
pub use services::FieldMove;
pub use sla::{SlaFacts, SlaRules};
pub use snapshots::People;
pub use users::{NewPassword, UserChanges};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {retry_after} seconds")]
    Throttled { retry_after: i64 },
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("cannot {action} a request whose status is {}", status.code())]
    Illegal {
        action: &'static str,
        status: crate::domain::request::Status,
    },
    #[error(
        "the category still holds {subcategories} sub-categories and {services} services; \
         move or delete them first"
    )]
    CategoryNotEmpty {
        subcategories: usize,
        services: usize,
    },
    #[error(transparent)]
    Storage(#[from] storage::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Error::Invalid(errors)
    }
}

/// Proof that the caller is an active admin. Only `Ops::admin` makes one.
#[derive(Debug, Clone, Copy)]
pub struct Admin {
    id: UserId,
}

/// Settings the use cases need, taken from `Config` at start-up.
#[derive(Debug, Clone)]
pub struct Settings {
    pub session_seconds: i64,
    /// The instance's time zone; `None`: the system's.
    pub time_zone: Option<jiff::tz::TimeZone>,
    /// Days without an answer before a request waiting for its requester is closed (0: never).
    pub waiting_close_days: u32,
    /// Days after completion during which the requester may reopen a request.
    pub reopen_days: u32,
    /// The organisation's name and the default language, for mails.
    pub org_name: String,
    pub default_locale: crate::domain::Locale,
    /// Mail, when `[smtp]` is configured.
    pub mail: Option<MailSettings>,
    /// Every scheduled job with its schedule (`jobs.rs`).
    pub jobs: Vec<(
        crate::domain::schedule::Job,
        crate::domain::schedule::JobSchedule,
    )>,
}

/// The relay and the address mails link back to.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp: crate::config::Smtp,
    pub base_url: String,
}

#[derive(Clone)]
pub struct Ops {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    settings: Settings,
    /// Sign-in attempts per account, address and pair (`throttle.rs`).
    throttle: throttle::Throttle,
    passwords: passwords::PasswordWorker,
    /// The server's time zone, read once at start-up: dates are shown and compared in it.
    time_zone: jiff::tz::TimeZone,
    /// The search index, attached by the server once the store is ready; the command line
    /// runs without one.
    search: std::sync::OnceLock<crate::search::SearchIndex>,
    /// The catalog and the people decoded at one version each (`snapshots.rs`): pages read
    /// them without decoding them per page.
    catalog: snapshots::Versioned<snapshots::Catalog>,
    people: snapshots::Versioned<snapshots::People>,
    /// The people snapshot by store generation: a page that names people skips reading the
    /// people version while no commit has come.
    people_at: snapshots::Versioned<Arc<snapshots::People>>,
    /// The catalog as of the last store generation a page asked at.
    catalog_at: snapshots::Versioned<Arc<snapshots::Catalog>>,
    /// What every page's frame reads, until the next commit (`snapshots.rs`): the session and
    /// user of a token's hash, a user's unread notices and approvals waiting, and the number
    /// of requests of each service, most requested first.
    sessions: snapshots::ByGeneration<[u8; 32], (crate::domain::User, crate::domain::Session)>,
    header_counts: snapshots::ByGeneration<(crate::domain::UserId, bool), (u64, u64)>,
    request_counts: snapshots::Versioned<Vec<(crate::domain::ServiceId, u64)>>,
    /// Held while scheduled jobs run, so that two callers never run one twice.
    jobs_running: tokio::sync::Mutex<()>,
    /// What the metrics read of the open requests, at the store generation it was read at
    /// (`metrics_report.rs`): current until the next commit.
    open_summaries: snapshots::Versioned<Vec<crate::domain::request::Summary>>,
    /// What listings read (pages' ids, rows' summaries), until the next commit
    /// (`kept_summaries.rs`).
    summaries: kept_summaries::SummaryMemo,
    /// What request pages read (a request and its timeline), until the next commit
    /// (`kept_requests.rs`).
    requests: kept_requests::RequestMemo,
    /// What the usual times read of the past days (`metrics.rs`).
    usual_past: metrics::UsualCache,
    /// The relay connection, when mail is on (`mailer.rs`).
    mailer: Option<mailer::Mailer>,
    /// Woken when a mail is queued, so that it leaves within seconds (`outbox.rs`).
    mail_wake: tokio::sync::Notify,
    /// Asks for password reset links, per account and client (`password_reset.rs`).
    reset_throttle: throttle::Throttle,
    /// Held while the outbox is sent, so that two senders never send one mail twice.
    outbox_running: tokio::sync::Mutex<()>,
    /// The index of requests' words, attached by the server (`request_search.rs`).
    request_index: std::sync::OnceLock<crate::search::RequestIndex>,
    /// Woken when a request is submitted, for the indexer, which counts them to tell a burst.
    index_wake: tokio::sync::Notify,
    submitted: std::sync::atomic::AtomicU64,
    /// Held while the index catches up, so that no request is indexed twice.
    index_catching_up: std::sync::Mutex<()>,
}

impl Ops {
    pub fn new(store: Store, clock: Arc<dyn Clock>, settings: Settings) -> Result<Ops, Error> {
        let time_zone = settings
            .time_zone
            .clone()
            .unwrap_or_else(jiff::tz::TimeZone::system);
        let mailer = match &settings.mail {
            Some(mail) => Some(mailer::Mailer::new(&mail.smtp, &mail.base_url)?),
            None => None,
        };
        Ok(Ops {
            inner: Arc::new(Inner {
                store,
                clock,
                settings,
                throttle: throttle::Throttle::default(),
                passwords: passwords::PasswordWorker::start()?,
                time_zone,
                search: std::sync::OnceLock::new(),
                catalog: Default::default(),
                people: Default::default(),
                people_at: Default::default(),
                jobs_running: tokio::sync::Mutex::new(()),
                open_summaries: Default::default(),
                summaries: Default::default(),
                requests: Default::default(),
                catalog_at: Default::default(),
                sessions: Default::default(),
                header_counts: Default::default(),
                request_counts: Default::default(),
                usual_past: std::sync::Mutex::default(),
                mailer,
                mail_wake: tokio::sync::Notify::new(),
                reset_throttle: throttle::Throttle::default(),
                outbox_running: tokio::sync::Mutex::new(()),
                request_index: std::sync::OnceLock::new(),
                index_wake: tokio::sync::Notify::new(),
                submitted: std::sync::atomic::AtomicU64::new(0),
                index_catching_up: std::sync::Mutex::new(()),
            }),
        })
    }

    fn passwords(&self) -> &passwords::PasswordWorker {
        &self.inner.passwords
    }

    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Runs blocking work (a durable commit, password hashing) off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Ops) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let ops = self.clone();
        tokio::task::spawn_blocking(move || work(&ops))
            .await
            .map_err(|e| Error::Internal(format!("background task failed: {e}")))?
    }

    /// The admin capability, for an active admin only.
    pub fn admin(&self, user: &User) -> Result<Admin, Error> {
        if user.active && user.role == Role::Admin {
            Ok(Admin { id: user.id })
        } else {
            Err(Error::Forbidden("administrators only"))
        }
    }

    /// Housekeeping: drops expired sessions. Answers how many went.
    pub async fn purge_expired_sessions(&self) -> Result<usize, Error> {
        self.blocking(|ops| {
            let now = ops.now();
            Ok(ops.store().write(|w| w.purge_expired_sessions(now))?)
        })
        .await
    }
}

/// A random reference that ties an error page to its log line.
pub fn request_reference() -> [u8; 6] {
    secrets::random_bytes::<6>().unwrap_or_default()
}

/// A fresh form token for a visitor who is not signed in.
pub fn new_form_token() -> Result<String, Error> {
    Ok(hex(&secrets::random_bytes::<16>()?))
}

impl Ops {
    pub fn time_zone(&self) -> &jiff::tz::TimeZone {
        &self.inner.time_zone
    }

    /// Today's date as `YYYY-MM-DD` in the server's time zone, from the injected clock.
    pub fn today(&self) -> String {
        self.date_of(self.now())
    }

    /// The date of `at` as `YYYY-MM-DD` in the server's time zone.
    pub fn date_of(&self, at: Timestamp) -> String {
        jiff::Timestamp::from_second(at.0).map_or_else(
            |_| String::from("1970-01-01"),
            |t| {
                t.to_zoned_datetime(self.inner.time_zone.clone())
                    .date()
                    .to_string()
            },
        )
    }
}
