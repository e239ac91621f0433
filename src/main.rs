//! The `licensd` binary: parse the command line, run it, report failure as one line.

use clap::Parser;

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
