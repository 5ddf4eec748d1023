//! The command line: `serve` (the default), `user add|passwd|list`, `backup`, `restore`,
//! `check`.

use crate::app::{self, App, StoreUse};
use crate::clock::Clock;
use crate::clock::SystemClock;
use crate::config::{Config, Overrides};
use crate::ops::{self, NewPassword, UserChanges};
use crate::storage::{self, Opening, Store, Verify};
use clap::{Args, Parser, Subcommand};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc's environment variable for how long freed memory is kept before it is given back
/// to the system (1,000 ms by default in mimalloc 3).
pub const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

/// Under load, memory mimalloc keeps for its purge delay after it is freed added about 20 MB
/// to the server's peak (`benches/README.md`: 80-89 MB against 62-63 MB, at the same rates),
/// and 35 MB to its idle size after seeding the demo. mimalloc reads its options from the
/// environment when the process starts, before `main`, and setting one from code would take
/// `unsafe`; so, unless the environment already says, the process starts itself again (the
/// same process: `exec`) with the delay at 0. Answers why that failed; returns only then, or
/// when there was nothing to do. The executable and the benches that measure its memory use it.
pub fn give_freed_memory_back() -> Option<std::io::Error> {
    #[cfg(unix)]
    if std::env::var_os(PURGE_DELAY).is_none() {
        use std::os::unix::process::CommandExt;
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return Some(e),
        };
        let mut args = std::env::args_os();
        let mut again = std::process::Command::new(exe);
        if let Some(name) = args.next() {
            again.arg0(name);
        }
        // `exec` returns only when it failed.
        return Some(again.args(args).env(PURGE_DELAY, "0").exec());
    }
    None
}

#[derive(Parser)]
#[command(
    name = "guichet",
    version,
    about = "Self-hosted IT service catalog and request portal"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    global: Global,
}

#[derive(Args)]
struct Global {
    /// Data directory (holds guichet.redb)
    #[arg(long, global = true, env = "GUICHET_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// Address to listen on
    #[arg(long, global = true, env = "GUICHET_LISTEN", value_name = "ADDR")]
    listen: Option<String>,
    /// TOML configuration file
    #[arg(long, global = true, env = "GUICHET_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Fill an empty data directory with the demo organisation
    #[arg(long, global = true)]
    demo: bool,
    /// Verify every record of the store before serving (always done after an unclean stop)
    #[arg(long, global = true)]
    verify: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default)
    Serve,
    /// Manage users
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the store to FILE (with the server stopped), sign-ins left out
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Put a backup in the store's place (with the server stopped); the replaced store is kept
    /// as guichet.redb.before-restore
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Verify the store without changing it: checksums, schema version, every record readable
    Check,
    /// Compare the metrics roll-ups with the requests (with the server stopped); --rebuild
    /// rebuilds them when they differ
    Rollups {
        #[arg(long)]
        rebuild: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints a generated password unless --password-stdin is given
    Add {
        username: String,
        /// Display name (defaults to the username)
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// requester, technician or admin
        #[arg(long, default_value = "requester")]
        role: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password: generated (to change at next sign-in) or read from stdin
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users
    List,
}

/// Exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 the store cannot be used.
pub async fn run(cli: Cli) -> ExitCode {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let overrides = Overrides {
        data: cli.global.data.clone(),
        listen: cli.global.listen.clone(),
        demo: cli.global.demo,
        verify: cli.global.verify,
    };
    let config = match Config::load(cli.global.config.as_deref(), &env, &overrides) {
        Ok((config, warnings)) => {
            for warning in warnings {
                tracing::warn!("{warning}");
            }
            config
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::User(command) => user(config, command).await,
        Command::Backup { to } => backup(&config, &to),
        Command::Restore { from } => restore(&config, &from),
        Command::Check => check(&config),
        Command::Rollups { rebuild } => rollups(&config, rebuild).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.chain()
                .any(|c| c.downcast_ref::<storage::Error>().is_some())
            {
                ExitCode::from(3)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let app = App::build(config).await?;
    let shutdown = app::shutdown_signal();
    tracing::info!(
        "Guichet {} listening on http://{} (ready in {} ms)",
        env!("CARGO_PKG_VERSION"),
        app.addr(),
        started.elapsed().as_millis()
    );
    app.run_until_stopped(shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn describe(error: ops::Error) -> anyhow::Error {
    match error {
        ops::Error::Invalid(fields) => {
            let list: Vec<String> = fields.iter().map(|(k, v)| format!("{k} {v}")).collect();
            anyhow::anyhow!("invalid: {}", list.join("; "))
        }
        ops::Error::Storage(e) => anyhow::Error::new(e),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn user(config: Config, command: UserCommand) -> anyhow::Result<()> {
    // Only `user add` may create a store, for a first administrator.
    let use_ = match command {
        UserCommand::Add { .. } => StoreUse::Create { verify: true },
        _ => StoreUse::Existing,
    };
    let ops = app::open_ops(&config, Arc::new(SystemClock), use_)?;
    match command {
        UserCommand::Add {
            username,
            name,
            email,
            role,
            password_stdin,
        } => {
            let password = if password_stdin {
                NewPassword::Given {
                    password: read_password_line()?,
                    must_change: false,
                }
            } else {
                NewPassword::Generate
            };
            let changes = UserChanges {
                display_name: Some(name.unwrap_or_else(|| username.clone())),
                username: Some(username),
                email,
                role: Some(role),
                ..UserChanges::default()
            };
            let (user, generated) = ops
                .create_user_unchecked(changes, password)
                .await
                .map_err(describe)?;
            println!(
                "created user {} (id {}, {})",
                user.username,
                user.id,
                user.role.code()
            );
            if let Some(password) = generated {
                println!("password: {password}  (to be changed at first sign-in)");
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let user = ops.user_by_name_unchecked(&username).map_err(|e| match e {
                ops::Error::NotFound => anyhow::anyhow!("no user named {username:?}"),
                other => describe(other),
            })?;
            let password = if password_stdin {
                NewPassword::Given {
                    password: read_password_line()?,
                    must_change: false,
                }
            } else {
                NewPassword::Generate
            };
            let generated = ops
                .reset_password_unchecked(user.id, password)
                .await
                .map_err(describe)?;
            println!(
                "password of {} changed; their sessions were ended",
                user.username
            );
            if let Some(password) = generated {
                println!("password: {password}  (to be changed at next sign-in)");
            }
        }
        UserCommand::List => {
            println!(
                "{:>4}  {:<20} {:<11} {:<6} {:<8} name",
                "id", "username", "role", "locale", "active"
            );
            for u in ops.users_unchecked().map_err(describe)? {
                println!(
                    "{:>4}  {:<20} {:<11} {:<6} {:<8} {}",
                    u.id,
                    u.username,
                    u.role.code(),
                    crate::domain::Locale::choice_code(u.locale),
                    if u.active { "yes" } else { "no" },
                    u.display_name
                );
            }
        }
    }
    Ok(())
}

/// Rebuilds the roll-ups from the requests and compares; exit 1 when they differed and were
/// left as they were.
async fn rollups(config: &Config, rebuild: bool) -> anyhow::Result<()> {
    let ops = app::open_ops(config, Arc::new(SystemClock), StoreUse::Existing)?;
    let differ = ops.check_rollups(rebuild).await.map_err(describe)?;
    match (differ, rebuild) {
        (0, _) => println!("the metrics roll-ups match the requests"),
        (n, true) => println!("{n} roll-up rows differed from the requests: rebuilt"),
        (n, false) => anyhow::bail!(
            "{n} roll-up rows differ from the requests; run `guichet rollups --rebuild`"
        ),
    }
    Ok(())
}

fn store_path(config: &Config) -> PathBuf {
    config.data_dir.join(storage::FILE_NAME)
}

fn backup(config: &Config, to: &std::path::Path) -> anyhow::Result<()> {
    // Read as it is, verified first: a damaged store is refused, never copied into a backup
    // that would look intact.
    let store = Store::open_as(&store_path(config), Opening::existing(Verify::Always))?;
    let bytes = store.backup_to(to, SystemClock.now().0)?;
    println!("backup written to {} ({bytes} bytes)", to.display());
    Ok(())
}

fn restore(config: &Config, from: &std::path::Path) -> anyhow::Result<()> {
    let path = store_path(config);
    let report = storage::restore(from, &path)?;
    crate::search::remove_index(&config.data_dir.join("search"))?;
    crate::search::remove_index(&config.data_dir.join("search-requests"))?;
    println!(
        "restored {} into {} (schema {}, {} users, {} requests); the replaced store, if any, is \
         kept as {}; it is brought to the current schema at the next start",
        from.display(),
        path.display(),
        report.schema_version,
        report.entries("users"),
        report.entries("requests"),
        storage::before_restore_path(&path).display()
    );
    Ok(())
}

fn check(config: &Config) -> anyhow::Result<()> {
    let path = store_path(config);
    let report = storage::check(&path)?;
    println!(
        "{}: intact, schema {} (current {}), {} users, {} teams, {} sessions, {} services, {} \
         requests, {} attachments",
        path.display(),
        report.schema_version,
        storage::SCHEMA_VERSION,
        report.entries("users"),
        report.entries("teams"),
        report.entries("sessions"),
        report.entries("services"),
        report.entries("requests"),
        report.entries("attachments"),
    );
    Ok(())
}
