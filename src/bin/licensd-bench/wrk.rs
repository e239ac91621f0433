//! Running wrk (Debian's package) on one scenario and reading its result line.

use crate::{Args, scenarios::Plan};
use serde::Deserialize;
use std::process::Stdio;

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct LoadResult {
    pub requests: u64,
    pub duration_us: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub errors: u64,
    pub socket_errors: u64,
}

impl LoadResult {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / (self.duration_us.max(1) as f64 / 1e6)
    }
}

const SCRIPT: &str = include_str!("../../../bench/wrk.lua");

/// Loads every server at once (connections split between them) and merges the results:
/// throughput adds up, each percentile is the worst of the processes'.
pub async fn run(plan: &Plan, ports: &[u16], args: &Args) -> anyhow::Result<LoadResult> {
    let script = plan.file.with_extension("lua");
    std::fs::write(&script, SCRIPT)?;
    let per = (args.connections / ports.len()).max(args.threads);
    let mut runs = Vec::new();
    for (index, port) in ports.iter().enumerate() {
        let mut cmd = tokio::process::Command::new("wrk");
        cmd.args(["-t", &args.threads.to_string(), "-c", &per.to_string(), "-d", &format!("{}s", args.duration)])
            .args(["--latency", "--timeout", "10s", "-s", &script.display().to_string()])
            .arg(format!("http://127.0.0.1:{port}"))
            .args(["--", &plan.file.display().to_string(), if plan.sequential { "sequential" } else { "random" }])
            .args([plan.marker, &args.threads.to_string(), &index.to_string(), &ports.len().to_string()])
            .arg(plan.status.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // Spawned tasks run concurrently: every server is under load at the same time.
        runs.push(tokio::spawn(async move { cmd.output().await }));
    }
    let mut total = LoadResult::default();
    for run in runs {
        let out = run.await??;
        let text = String::from_utf8_lossy(&out.stdout);
        for failure in text.lines().filter_map(|l| l.strip_prefix("FAILED ")) {
            eprintln!("   first failing answer of a wrk thread: {failure}");
        }
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("BENCH "))
            .ok_or_else(|| anyhow::anyhow!("wrk printed no result:\n{text}"))?;
        let r: LoadResult = serde_json::from_str(line)?;
        total.requests += r.requests;
        total.duration_us = total.duration_us.max(r.duration_us);
        total.p50_us = total.p50_us.max(r.p50_us);
        total.p99_us = total.p99_us.max(r.p99_us);
        total.p999_us = total.p999_us.max(r.p999_us);
        total.errors += r.errors;
        total.socket_errors += r.socket_errors;
    }
    Ok(total)
}
