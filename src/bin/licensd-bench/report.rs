//! The result table, in Markdown so it can be pasted into BENCHMARKS.md as printed.

use crate::{Args, wal::WalSize, wrk::LoadResult};
use std::fmt::Write;
use std::time::Duration;

pub enum Row {
    Load { name: &'static str, result: LoadResult, wal: Option<WalSize> },
    Note { name: &'static str, value: f64, unit: &'static str },
}

impl Row {
    pub fn load(name: &'static str, result: LoadResult, wal: Option<WalSize>) -> Self {
        Self::Load { name, result, wal }
    }

    pub fn note(name: &'static str, value: f64, unit: &'static str) -> Self {
        Self::Note { name, value, unit }
    }

    pub fn startup(d: Duration) -> Self {
        Self::note("start-up to ready (first process)", d.as_secs_f64() * 1000.0, "ms")
    }
}

/// licensd's own `/healthz` row: the first ceiling.
const CEILING: &str = "ceiling: GET /healthz";

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1 << 20) as f64)
}

pub fn render(rows: &[Row], database_url: &str, args: &Args) -> String {
    let engine = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let rate_of = |wanted: &str| {
        rows.iter().find_map(|r| match r {
            Row::Load { name, result, .. } if *name == wanted => Some(result.rate()),
            _ => None,
        })
    };
    let (ceiling, bare) = (rate_of(CEILING), rate_of(crate::scenarios::BARE));
    let share = |rate: f64, of: Option<f64>| of.map(|c| format!("{:.0}%", 100.0 * rate / c)).unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{engine}, {} server process(es), {} licenses / {} users / {} instances, wrk {} threads x {} connections, {} s per endpoint\n",
        args.processes, args.licenses, args.users, args.instances, args.threads, args.connections, args.duration
    );
    let _ = writeln!(
        out,
        "| endpoint | requests/s | p50 ms | p99 ms | p99.9 ms | errors | of ceiling | of bare axum | WAL peak / end MiB |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        if let Row::Load { name, result, wal } = row {
            let (of_ceiling, of_bare) = (share(result.rate(), ceiling), share(result.rate(), bare));
            let wal = wal.map(|w| format!("{} / {}", mib(w.peak), mib(w.end))).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "| {name} | {:.0} | {} | {} | {} | {} | {of_ceiling} | {of_bare} | {wal} |",
                result.rate(),
                ms(result.p50_us),
                ms(result.p99_us),
                ms(result.p999_us),
                result.errors + result.socket_errors
            );
        }
    }
    let _ = writeln!(out);
    for row in rows {
        if let Row::Note { name, value, unit } = row {
            // Small figures (seconds) keep a decimal; rates and sizes are whole.
            let digits = usize::from(*value < 100.0);
            let _ = writeln!(out, "- {name}: {value:.digits$} {unit}");
        }
    }
    out
}
