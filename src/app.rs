//! The only wiring place: `App::build(config)` opens the store, prepares the use cases and the
//! web application, and binds the listener. `main` and the tests both go through it.

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::ops::{Ops, Settings};
use crate::storage::{self, Opening, Store, Verify};
use crate::web::{self, AppState, WebSettings};
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub struct App {
    listener: tokio::net::TcpListener,
    limits: web::server::Limits,
    state: AppState,
    ops: Ops,
    /// Whether `run_until_stopped` runs the scheduled jobs (`Config::background_jobs`).
    background_jobs: bool,
    /// The generated password of the first administrator, on the very first start only.
    pub initial_admin_password: Option<String>,
}

/// Opens the store of `config` and the use cases over it; shared by the server and the CLI.
/// Only a caller that may create a store (`serve`, `user add`) creates the data directory.
pub fn open_ops(config: &Config, clock: Arc<dyn Clock>, use_: StoreUse) -> anyhow::Result<Ops> {
    let create = matches!(use_, StoreUse::Create { .. });
    if create {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| storage::Error::Io {
            path: config.data_dir.clone(),
            source,
        })?;
    }
    let verify = match use_ {
        StoreUse::Create { verify: false } => Verify::AfterUncleanShutdown,
        _ => Verify::Always,
    };
    let opening = Opening {
        create,
        verify,
        migrate: true,
        cache_bytes: (config.cache_mb as usize) << 20,
        journal_bytes: u64::from(config.journal_mb) << 20,
    };
    let store = Store::open_as(&config.data_dir.join(storage::FILE_NAME), opening)?;
    let time_zone = match &config.time_zone {
        Some(name) => Some(jiff::tz::TimeZone::get(name).context("the configured time_zone")?),
        None => None,
    };
    let jobs = config
        .jobs
        .schedules(|job| format!("[jobs] {}", job.name()))?;
    let settings = Settings {
        session_seconds: i64::from(config.session_hours) * 3600,
        time_zone,
        waiting_close_days: config.waiting_close_days,
        reopen_days: config.reopen_days,
        org_name: config.org_name.clone(),
        default_locale: config.default_locale,
        mail: match (&config.smtp, &config.base_url) {
            (Some(smtp), Some(base_url)) => Some(crate::ops::MailSettings {
                smtp: smtp.clone(),
                base_url: base_url.clone(),
            }),
            _ => None,
        },
        jobs,
    };
    Ok(Ops::new(store, clock, settings)?)
}

/// Opens the catalog and request word indexes in `data_dir` and gives them to `ops`, which
/// brings them up to date with the store.
fn attach_indexes(ops: &Ops, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let (index, indexed_version) = crate::search::SearchIndex::open(&data_dir.join("search"))?;
    ops.attach_search(index, indexed_version)?;
    let requests = crate::search::RequestIndex::open(&data_dir.join("search-requests"))?;
    ops.attach_request_index(requests)?;
    Ok(())
}

/// What a command expects of the store.
#[derive(Debug, Clone, Copy)]
pub enum StoreUse {
    /// `serve` and `user add`: create one where none exists. An existing store is verified
    /// record by record when `verify` says so, and always after an unclean shutdown.
    Create { verify: bool },
    /// Every other command: an existing store, verified before use.
    Existing,
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<App> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        let mut ops = open_ops(
            &config,
            clock.clone(),
            StoreUse::Create {
                verify: config.verify,
            },
        )?;
        if ops.ensure_rollups().await? {
            tracing::info!("metrics roll-ups built from the requests");
        }
        let mut initial_admin_password = None;
        if config.demo {
            if ops.seed_demo().await? {
                tracing::info!("demo organisation created; every demo user's password is \"demo\"");
                // Seeding, then indexing every demo request, fill the store's cache and the
                // indexes' buffers, which would stay full while the server idles (a third of
                // its memory). Once the indexes hold the demo, store and indexes are closed
                // and opened again: the first start ends as every later one does.
                attach_indexes(&ops, &config.data_dir)?;
                drop(ops);
                ops = open_ops(&config, clock, StoreUse::Create { verify: false })?;
            }
        } else if let Some(password) = ops.ensure_initial_admin().await? {
            tracing::warn!(
                "first start: created user \"admin\" with password {password:?}; it must be \
                 changed at first sign-in and is not shown again"
            );
            initial_admin_password = Some(password);
        }
        attach_indexes(&ops, &config.data_dir)?;
        let state = AppState {
            ops: ops.clone(),
            web: Arc::new(WebSettings {
                org_name: config.org_name.as_str().into(),
                default_locale: config.default_locale,
                secure_cookies: config.secure_cookies(),
                session_seconds: i64::from(config.session_hours) * 3600,
                demo: config.demo,
                upload_limit_bytes: u64::from(config.upload_limit_mb) << 20,
                assets: Arc::new(web::assets::urls()),
                trusted_proxies: config.trusted_proxies.clone().into(),
                rows: Arc::default(),
                filters: Arc::default(),
            }),
            drafts: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let seconds = |s: u32| Duration::from_secs(u64::from(s));
        let limits = web::server::Limits {
            header_timeout: seconds(config.http.header_timeout_s),
            idle_timeout: seconds(config.http.idle_timeout_s),
            body_timeout: seconds(config.http.body_timeout_s),
            max_connections: config.http.max_connections as usize,
            max_connections_per_address: config.http.max_connections_per_address as usize,
            trusted_proxies: config.trusted_proxies.clone().into(),
        };
        Ok(App {
            listener,
            limits,
            state,
            ops,
            background_jobs: config.background_jobs,
            initial_admin_password,
        })
    }

    /// The use cases, for benchmarks that prepare data beside the running server and for tests
    /// that drive the scheduler (`run_due`).
    pub fn ops(&self) -> &Ops {
        &self.ops
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish. Every write was
    /// committed before it was acknowledged, so there is nothing left to flush; the store file
    /// is closed when the last handle drops, on return.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let scheduler = self
            .background_jobs
            .then(|| tokio::spawn(scheduler(self.ops.clone())));
        let sender = (self.background_jobs && self.ops.mail_on())
            .then(|| tokio::spawn(mail_sender(self.ops.clone())));
        let indexer = self
            .ops
            .start_request_indexer()
            .context("the request index's thread could not start")?;
        let served = web::serve(self.listener, self.state, shutdown, self.limits).await;
        if let Some(sender) = sender {
            sender.abort();
        }
        indexer.stop().await;
        if let Some(scheduler) = scheduler {
            scheduler.abort();
            let _ = scheduler.await;
        }
        served.context("the server stopped on an error")
    }
}

/// The longest the scheduler sleeps: tokio's timers are monotonic and miss changes of the wall
/// clock, so it wakes at least this often to read the clock again.
const SCHEDULER_NAP: i64 = 60;

/// Runs the scheduled jobs (`[jobs]`) until the server stops: sleeps until the next one is
/// due (at most `SCHEDULER_NAP`), reads the clock, runs what is due. A failing job, or a
/// failing store read, is logged and tried again later; it never stops the loop.
async fn scheduler(ops: Ops) {
    loop {
        if let Err(e) = ops.run_due(ops.now()).await {
            tracing::warn!("the scheduler could not run its jobs: {e}");
        }
        let wait = match ops.next_job_at() {
            Ok(Some(next)) => (next.0 - ops.now().0).clamp(1, SCHEDULER_NAP),
            _ => SCHEDULER_NAP,
        };
        tokio::time::sleep(Duration::from_secs(wait.unsigned_abs())).await;
    }
}

/// Sends queued mails as soon as they are queued (the `outbox` job catches up on retries and
/// on anything this missed). Stopped mid-way, a mail not yet recorded as sent is sent again at
/// the next start.
async fn mail_sender(ops: Ops) {
    loop {
        ops.mail_wake().await;
        if let Err(e) = ops.send_outbox(ops.now()).await {
            tracing::warn!("the outbox could not be sent: {e}");
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called,
/// not when the future is first polled, so call it before announcing that the server listens.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {},
                        _ = terminate.recv() => {},
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
            tracing::info!("stopping: finishing requests in flight");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("stopping: finishing requests in flight");
    }
}
