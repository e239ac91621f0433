//! How CLI results reach the terminal: tables for people, `--json` for scripts.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

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

    /// Prints rows as a table, or the serialisable items as a JSON array with `--json`.
    pub fn table<T: Serialize>(&self, items: &[T], header: &[&str], row: impl Fn(&T) -> Vec<String>) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(items).unwrap_or_default());
            return;
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header(header.to_vec());
        for item in items {
            table.add_row(row(item));
        }
        println!("{table}");
    }
}
