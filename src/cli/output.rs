//! How CLI results reach the terminal: tables for people, `--json` for scripts (the same
//! `{"data": ...}` shapes and wire types the admin API answers with), and a progress bar for
//! bulk work.

use crate::api::admin::views;
use crate::domain::time::iso_micros;
use crate::manage::{self, Listed};
use crate::store;
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

    /// Prints `{"data": value}` (its admin API wire type) with `--json`, otherwise runs `human`.
    pub fn data<T: Wire>(&self, value: &T, human: impl FnOnce()) {
        self.value(&serde_json::json!({ "data": value.wire() }), human)
    }

    /// Prints rows as a table, or `{"data": [...]}` with `--json`.
    pub fn table<T: Wire>(&self, items: &[T], header: &[&str], row: impl Fn(&T) -> Vec<String>) {
        if self.json {
            let items: Vec<T::View> = items.iter().map(Wire::wire).collect();
            return self.value(&serde_json::json!({ "data": items }), || {});
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header(header.to_vec());
        for item in items {
            table.add_row(row(item));
        }
        println!("{table}");
    }

    /// One page of a list: a table and a page line, or `{"data": [...], "meta": {...}}`.
    pub fn listed<T: Wire>(&self, list: &Listed<T>, header: &[&str], row: impl Fn(&T) -> Vec<String>) {
        if self.json {
            let items: Vec<T::View> = list.data.iter().map(Wire::wire).collect();
            return self.value(&serde_json::json!({ "data": items, "meta": list.meta }), || {});
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

/// A result as the admin API shows it (`api::admin::views`): flags as booleans, no secrets
/// that the admin API would not show either.
pub trait Wire {
    type View: Serialize;
    fn wire(&self) -> Self::View;
}

impl Wire for serde_json::Value {
    type View = serde_json::Value;
    fn wire(&self) -> serde_json::Value {
        self.clone()
    }
}

macro_rules! wire {
    ($($row:ty => $view:ty),* $(,)?) => {
        $(impl Wire for $row {
            type View = $view;
            fn wire(&self) -> $view {
                self.clone().into()
            }
        })*
    };
}

wire! {
    store::sellers::Seller => views::Seller,
    store::tokens::ApiToken => views::Token,
    store::apps::App => views::App,
    manage::apps::AppDetail => views::AppDetail,
    store::plans::Plan => views::Plan,
    store::licenses::License => views::License,
    manage::licenses::Generated => views::Generated,
    manage::licenses::ImportReport => views::ImportReport,
    store::users::User => views::User,
    manage::users::UserDetail => views::UserDetail,
    store::resellers::Reseller => views::Reseller,
    store::resellers::ResellerKey => views::ResellerKey,
    manage::resellers::Moved => views::Moved,
    store::audit::AuditEvent => views::AuditEvent,
    store::client_data::AppVar => views::AppVar,
    store::client_data::UserVar => views::UserVar,
    store::client_data::ClientLog => views::ClientLog,
    store::client_admin::BlacklistEntry => views::BlacklistEntry,
    store::client_admin::LiveSession => views::LiveSession,
    store::client_tokens::ClientToken => views::ClientToken,
    manage::client_tokens::MadeToken => views::MadeClientToken,
    store::webhooks::Webhook => views::Webhook,
    store::files::FileInfo => views::FileInfo,
    store::chat::ChatChannel => views::ChatChannel,
    store::chat::ChatMessage => views::ChatMessage,
    store::chat::ChatMute => views::ChatMute,
    manage::offline::OfflineFile => manage::offline::OfflineFile,
    manage::keyauth::ImportReport => manage::keyauth::ImportReport,
    store::event_webhooks::Endpoint => views::WebhookEndpoint,
    manage::event_webhooks::CreatedEndpoint => views::CreatedWebhookEndpoint,
    store::event_webhooks::Delivery => views::WebhookDelivery,
    store::panel::PanelAccount => views::PanelAccount,
    manage::store_connections::ConnectionView => views::StoreConnection,
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
