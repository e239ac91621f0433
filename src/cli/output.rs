//! How CLI results reach the terminal: tables for people, `--json` for scripts (the same
//! `{"data": ...}` shapes the admin API answers with), and a progress bar for bulk work.

use crate::domain::time::iso_micros;
use crate::manage::Listed;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;

pub struct Output {
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON with `--json`, otherwise runs `human`.
    pub fn value<T: Serialize>(&self, value: &T, human: impl FnOnce()) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
        } else {
            human();
        }
    }

    /// Prints `{"data": value}` with `--json`, otherwise runs `human`.
    pub fn data<T: Serialize>(&self, value: &T, human: impl FnOnce()) {
        self.value(&serde_json::json!({ "data": value }), human)
    }

    /// Prints rows as a table, or `{"data": [...]}` with `--json`.
    pub fn table<T: Serialize>(&self, items: &[T], header: &[&str], row: impl Fn(&T) -> Vec<String>) {
        if self.json {
            return self.data(&items, || {});
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header(header.to_vec());
        for item in items {
            table.add_row(row(item));
        }
        println!("{table}");
    }

    /// One page of a list: a table and a page line, or `{"data": [...], "meta": {...}}`.
    pub fn listed<T: Serialize>(&self, list: &Listed<T>, header: &[&str], row: impl Fn(&T) -> Vec<String>) {
        if self.json {
            return self.value(list, || {});
        }
        self.table(&list.data, header, row);
        let m = list.meta;
        let pages = ((m.total + m.limit - 1) / m.limit).max(1);
        println!("page {} of {pages} ({} in all)", m.page, m.total);
    }

    /// A progress bar of `total` steps, drawn only for a person at a terminal.
    pub fn progress(&self, total: u64) -> ProgressBar {
        if self.json || !std::io::stdout().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} keys ({per_sec}, {eta} left)") {
            bar.set_style(style);
        }
        bar
    }
}

/// A time for people: `2026-01-31 12:00:00`, or empty.
pub fn when(ms: Option<i64>) -> String {
    ms.map(|t| iso_micros(t)[..19].replace('T', " ")).unwrap_or_default()
}

/// A duration for people: `30d`, `12h`, `90s`; `lifetime` when there is none.
pub fn duration(secs: Option<i64>) -> String {
    match secs {
        None => "lifetime".into(),
        Some(s) if s % 86_400 == 0 => format!("{}d", s / 86_400),
        Some(s) if s % 3_600 == 0 => format!("{}h", s / 3_600),
        Some(s) => format!("{s}s"),
    }
}

/// `yes` or nothing.
pub fn flag(on: bool) -> String {
    if on { "yes".into() } else { String::new() }
}
