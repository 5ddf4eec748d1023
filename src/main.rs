//! The `guichet` executable: parse the command line, start logging, hand over to `cli::run`.

use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the C library's allocator: a page allocates and frees many small
/// strings, which it does in about half the time, and it gives freed memory back to the system
/// instead of keeping it in per-thread arenas (`benches/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
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
