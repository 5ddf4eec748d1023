//! The `guichet` executable: parse the command line, start logging, hand over to `cli::run`.

use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the C library's allocator: a page allocates and frees many small
/// strings, which it does in about half the time, and it gives freed memory back to the system
/// instead of keeping it in per-thread arenas (`benches/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    give_freed_memory_back_at_once();
    run()
}

/// The server's allocator gives freed memory back at once (`cli::give_freed_memory_back`);
/// should starting again that way fail, it goes on as it is.
fn give_freed_memory_back_at_once() {
    if let Some(error) = guichet::cli::give_freed_memory_back() {
        eprintln!(
            "guichet: could not start again with {}=0 ({error}); going on",
            guichet::cli::PURGE_DELAY
        );
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
