//! The result table, in Markdown so it can be pasted into BENCHMARKS.md as printed.

use crate::{Args, wrk::LoadResult};
use std::fmt::Write;
use std::time::Duration;

pub enum Row {
    Load { name: &'static str, result: LoadResult },
    Note { name: &'static str, value: f64, unit: &'static str },
}

impl Row {
    pub fn load(name: &'static str, result: LoadResult) -> Self {
        Self::Load { name, result }
    }

    pub fn note(name: &'static str, value: f64, unit: &'static str) -> Self {
        Self::Note { name, value, unit }
    }

    pub fn startup(d: Duration) -> Self {
        Self::note("start-up to ready (first process)", d.as_secs_f64() * 1000.0, "ms")
    }
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

pub fn render(rows: &[Row], database_url: &str, args: &Args) -> String {
    let engine = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let ceiling = rows.iter().find_map(|r| match r {
        Row::Load { name, result } if name.starts_with("ceiling") => Some(result.rate()),
        _ => None,
    });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{engine}, {} server process(es), {} licenses / {} users / {} instances, wrk {} threads x {} connections, {} s per endpoint\n",
        args.processes, args.licenses, args.users, args.instances, args.threads, args.connections, args.duration
    );
    let _ = writeln!(out, "| endpoint | requests/s | p50 ms | p99 ms | p99.9 ms | errors | of ceiling |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        if let Row::Load { name, result } = row {
            let share = ceiling.map(|c| format!("{:.0}%", 100.0 * result.rate() / c)).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {name} | {:.0} | {} | {} | {} | {} | {share} |",
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
            let _ = writeln!(out, "- {name}: {value:.0} {unit}");
        }
    }
    out
}
