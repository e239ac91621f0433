//! The `licensd` binary: parse the command line, run it, report failure as one line.

use clap::Parser;

/// mimalloc instead of glibc's malloc: the request path allocates many small short-lived buffers
/// (forms, JSON, signatures), and glibc's per-thread arenas held on to the memory of every
/// blocking thread (BENCHMARKS.md has the profile and the comparison).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = licensd::cli::Cli::parse();
    match licensd::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("licensd: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
