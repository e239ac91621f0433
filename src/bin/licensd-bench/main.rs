//! `licensd-bench`: the benchmark suite. Seeds a database of realistic size with bulk inserts,
//! starts the release `licensd` binary on it, drives each hot path over loopback with wrk, and
//! prints one table (requests/s, p50/p99/p99.9, errors, share of the server's own ceiling).
//! Run it through `scripts/bench`, which builds in release mode and provides wrk and PostgreSQL.

mod bare;
mod import;
mod report;
mod scenarios;
mod seed;
mod server;
mod wal;
mod wrk;

use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(about = "Benchmark licensd's hot paths against a seeded database")]
pub struct Args {
    /// Database: omitted for a new SQLite file in the work directory, or a postgres:// URL of an
    /// empty database.
    #[arg(long)]
    database_url: Option<String>,
    /// Work directory (database, signing key, request files); default: a new temporary directory.
    #[arg(long)]
    work_dir: Option<PathBuf>,
    #[arg(long, default_value_t = 1_000_000)]
    licenses: usize,
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    #[arg(long, default_value_t = 200_000)]
    instances: usize,
    /// Seconds of load per endpoint.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// wrk threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Server processes sharing the database (PostgreSQL only for more than one).
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// Only the scenarios whose names contain one of these (comma separated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also write the table (Markdown) to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Users in the KeyAuth export the benchmark imports (issue 17: 100 000 in under a minute).
const IMPORTED_USERS: usize = 100_000;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("licensd-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let work = args.work_dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work)?;
    let database_url =
        args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", work.join("licensd.db").display()));

    let fixture = seed::seed(&database_url, &work, &args).await?;
    let servers = server::start_all(&database_url, &work, args.processes).await?;
    let mut rows = vec![report::Row::startup(servers.startup)];
    rows.push(report::Row::note("bulk key generation (seeding)", fixture.keys_per_sec, "keys/s"));

    let ladder = bare::start(&database_url, &work).await?;
    let plans = scenarios::all(&fixture, &work)?;
    let selected: Vec<_> = plans
        .iter()
        .filter(|p| args.only.is_empty() || args.only.iter().any(|o| p.name.contains(o.as_str())))
        .collect();
    for plan in &selected {
        plan.check_runnable(&args)?;
    }
    for plan in selected {
        eprintln!("== {} ({} s, {} connections)", plan.name, args.duration, args.connections);
        // The bench's own SQLite file (a --database-url is PostgreSQL): watch its log.
        let watch = args.database_url.is_none().then(|| wal::WalWatch::start(work.join("licensd.db-wal")));
        let bare_port = plan.bare.map(|rung| ladder.port(rung));
        let ports = match &bare_port {
            Some(port) => std::slice::from_ref(port),
            None => &servers.ports[..],
        };
        let result = wrk::run(plan, ports, &args).await?;
        let wal = match watch {
            Some(w) => Some(w.finish().await),
            None => None,
        };
        rows.push(report::Row::load(plan.name, result, wal));
    }
    rows.push(report::Row::note(
        "resident memory after load (max over processes)",
        servers.max_rss_mib() as f64,
        "MiB",
    ));
    let keys_per_sec = server::admin_bulk_generate(&fixture, servers.ports[0], 100_000).await?;
    rows.push(report::Row::note("admin API: one call generating 100 000 keys", keys_per_sec, "keys/s"));
    let import = import::keyauth_users(&fixture, servers.ports[0], IMPORTED_USERS).await?;
    rows.push(report::Row::note("admin API: KeyAuth import of 100 000 users", import.first.as_secs_f64(), "s"));
    rows.push(report::Row::note("the same import again (adds nothing)", import.again.as_secs_f64(), "s"));
    let table = report::render(&rows, &database_url, &args);
    println!("{table}");
    if let Some(out) = &args.out {
        std::fs::write(out, &table)?;
    }
    servers.stop();
    Ok(())
}
