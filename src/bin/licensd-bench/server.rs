//! The servers under test: release `licensd` processes started beside this binary.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Servers {
    children: Vec<Child>,
    pub ports: Vec<u16>,
    /// Time from spawn to the first successful `/readyz` of the first process.
    pub startup: Duration,
}

pub async fn start_all(database_url: &str, work: &Path, processes: usize) -> anyhow::Result<Servers> {
    let bin = std::env::current_exe()?.with_file_name("licensd");
    anyhow::ensure!(bin.is_file(), "{} not found: build it with `cargo build --release`", bin.display());
    let http = reqwest::Client::new();
    let mut servers = Servers { children: Vec::new(), ports: Vec::new(), startup: Duration::ZERO };
    for i in 0..processes.max(1) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let started = Instant::now();
        let child = Command::new(&bin)
            .args(["--data-dir", &work.display().to_string(), "--database-url", database_url, "serve"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("LICENSD_LOG__LEVEL", "warn")
            // One store token replays every Licenses API request: keep its per-minute window counting
            // (its write is part of each request's cost) but out of the way of the measurement.
            .env("LICENSD_LICENSES_RATE_LIMIT_PER_MIN", "4000000000")
            // Every request comes from 127.0.0.1: the per-address sign-in limit would refuse the
            // 64 concurrent logins (each counts until it succeeds), which is not what is measured.
            .env("LICENSD_LOGIN_FAILURES_PER_IP_PER_MIN", "0")
            .env("LICENSD_LOGIN_FAILURES_PER_APP_PER_MIN", "0")
            // Every `init` comes from one address: keep its counters counting (part of each
            // request's cost, as in production) but never refusing.
            .env("LICENSD_INIT_SESSIONS_PER_IP_PER_MIN", "4000000000")
            .env("LICENSD_INIT_SESSIONS_PER_APP_PER_MIN", "4000000000")
            .stdout(Stdio::null())
            .spawn()?;
        servers.children.push(child);
        servers.ports.push(port);
        wait_ready(&http, port).await?;
        if i == 0 {
            servers.startup = started.elapsed();
        }
    }
    Ok(servers)
}

async fn wait_ready(http: &reqwest::Client, port: u16) -> anyhow::Result<()> {
    for _ in 0..6_000 {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/readyz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    anyhow::bail!("licensd on port {port} did not become ready")
}

impl Servers {
    /// Largest resident set (VmHWM: the peak) among the processes, in MiB.
    pub fn max_rss_mib(&self) -> u64 {
        self.children
            .iter()
            .filter_map(|c| std::fs::read_to_string(format!("/proc/{}/status", c.id())).ok())
            .filter_map(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
            .filter_map(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
            .max()
            .unwrap_or(0)
            / 1024
    }

    pub fn stop(mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Times one admin API call that generates `count` keys; returns keys per second.
pub async fn admin_bulk_generate(f: &crate::seed::Fixture, port: u16, count: i64) -> anyhow::Result<f64> {
    let started = Instant::now();
    let res = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/admin/v1/licenses"))
        .bearer_auth(&f.admin_token)
        .json(&serde_json::json!({ "app_id": f.app_id, "plan_id": f.plan_id, "count": count }))
        .timeout(Duration::from_secs(120))
        .send()
        .await?;
    let status = res.status();
    let body = res.bytes().await?;
    anyhow::ensure!(status.is_success(), "bulk generation answered {status}: {}", String::from_utf8_lossy(&body));
    Ok(count as f64 / started.elapsed().as_secs_f64())
}
