//! The `guichet` executable: parse the command line, start logging, hand over to `cli::run`.

use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the C library's allocator: a page allocates and frees many small
/// strings, which it does in about half the time, and it gives freed memory back to the system
/// instead of keeping it in per-thread arenas (`benches/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's environment variable for how long freed memory is kept before it is given back
/// to the system (1,000 ms by default in mimalloc 3).
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

fn main() -> ExitCode {
    give_freed_memory_back_at_once();
    run()
}

/// Under load, memory mimalloc keeps for its purge delay after it is freed added about 20 MB
/// to the server's peak (`benches/README.md`: 80-89 MB against 62-63 MB, at the same rates),
/// and 35 MB to its idle size after seeding the demo. mimalloc reads its options from the
/// environment when the process starts, before `main`, and setting one from code would take
/// `unsafe`; so, unless the environment already says, the executable starts itself again (the
/// same process: `exec`) with the delay at 0. Should that fail, it goes on as it is.
fn give_freed_memory_back_at_once() {
    #[cfg(unix)]
    if std::env::var_os(PURGE_DELAY).is_none() {
        use std::os::unix::process::CommandExt;
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut args = std::env::args_os();
        let mut again = std::process::Command::new(exe);
        if let Some(name) = args.next() {
            again.arg0(name);
        }
        // `exec` returns only when it failed.
        let error = again.args(args).env(PURGE_DELAY, "0").exec();
        eprintln!("guichet: could not start again with {PURGE_DELAY}=0 ({error}); going on");
    }
}

/// How long an idle thread of the blocking pool (writes, seeding, indexing) waits for more
/// work before it ends (10 s by default). A thread that ends gives back what its allocator
/// kept: after the first start seeds the demo, about 5 MB of an idle server's 22.
const BLOCKING_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(1);

fn run() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_keep_alive(BLOCKING_KEEP_ALIVE)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run_cli()),
        Err(e) => {
            eprintln!("guichet: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_cli() -> ExitCode {
    let filter = EnvFilter::try_from_env("GUICHET_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower=warn,hyper=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    guichet::cli::run(guichet::cli::Cli::parse()).await
}
