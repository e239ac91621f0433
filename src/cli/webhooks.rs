//! `licensd webhook ...`: a seller's event webhook endpoints, their delivery log, redelivery
//! (docs/webhooks.md).

use super::output::{self, Output};
use super::{PageArgs, seller_id};
use crate::{
    config::Config,
    manage::{
        Scope,
        event_webhooks::{self, EndpointInput},
    },
    server::build_state,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Add an endpoint; its signing secret is printed once.
    Add {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        url: String,
        /// Event types, comma-separated: `*`, `license.*`, `user.banned`, ...
        #[arg(long, value_delimiter = ',', default_value = "*")]
        events: Vec<String>,
        /// json (the signed event) or discord (the URL is a Discord webhook).
        #[arg(long, default_value = "json")]
        format: String,
    },
    List {
        #[arg(long)]
        seller: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Change an endpoint; options left out stay as they are.
    Update {
        #[arg(long)]
        seller: String,
        id: i64,
        #[arg(long)]
        url: Option<String>,
        #[arg(long, value_delimiter = ',')]
        events: Option<Vec<String>>,
        #[arg(long)]
        enabled: Option<bool>,
    },
    Delete {
        #[arg(long)]
        seller: String,
        id: i64,
    },
    /// The endpoint's delivery log, newest first.
    Deliveries {
        #[arg(long)]
        seller: String,
        id: i64,
        /// pending, delivered or failed.
        #[arg(long)]
        state: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Send one delivery (`--delivery`) or every failed one again, now.
    Redeliver {
        #[arg(long)]
        seller: String,
        id: i64,
        #[arg(long)]
        delivery: Option<i64>,
    },
}

pub async fn run(cmd: WebhookCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let store = &state.store;
    let scope = Scope::cli();
    match cmd {
        WebhookCommand::Add { seller, url, events, format } => {
            let seller = Some(seller_id(store, &seller).await?);
            let input = EndpointInput { url: Some(url), events: Some(events), format: Some(format), enabled: None };
            let created = event_webhooks::create(store, &scope.tenant(seller)?, input).await?;
            out.data(&created, || {
                println!(
                    "added webhook endpoint {} ({}); signing secret (shown once, store it now):\n{}",
                    created.endpoint.id, created.endpoint.events, created.secret
                )
            });
        }
        WebhookCommand::List { seller, page } => {
            let seller = Some(seller_id(store, &seller).await?);
            let list = event_webhooks::list(store, &scope.tenant(seller)?, page.request()).await?;
            out.listed(&list, &["id", "url", "events", "enabled"], |e| {
                vec![e.id.to_string(), e.url.clone(), e.events.clone(), output::flag(e.enabled)]
            });
        }
        WebhookCommand::Update { seller, id, url, events, enabled } => {
            let seller = Some(seller_id(store, &seller).await?);
            let endpoint = event_webhooks::update(
                store,
                &scope.tenant(seller)?,
                id,
                EndpointInput { url, events, format: None, enabled },
            )
            .await?;
            out.data(&endpoint, || println!("updated webhook endpoint {id}"));
        }
        WebhookCommand::Delete { seller, id } => {
            let seller = Some(seller_id(store, &seller).await?);
            event_webhooks::delete(store, &scope.tenant(seller)?, id).await?;
            out.value(&serde_json::json!({ "deleted": id }), || println!("deleted webhook endpoint {id}"));
        }
        WebhookCommand::Deliveries { seller, id, state, page } => {
            let seller = Some(seller_id(store, &seller).await?);
            let list =
                event_webhooks::deliveries(store, &scope.tenant(seller)?, id, state.as_deref(), page.request()).await?;
            out.listed(&list, &["id", "event", "type", "state", "attempts", "status", "error"], |d| {
                vec![
                    d.id.to_string(),
                    d.event_id.to_string(),
                    d.kind.clone(),
                    d.state.clone(),
                    d.attempts.to_string(),
                    d.last_status.map(|s| s.to_string()).unwrap_or_default(),
                    d.last_error.clone(),
                ]
            });
        }
        WebhookCommand::Redeliver { seller, id, delivery } => {
            let seller = Some(seller_id(store, &seller).await?);
            let done = event_webhooks::redeliver(store, &scope.tenant(seller)?, id, delivery).await?;
            out.value(&serde_json::json!({ "redelivered": done.redelivered }), || {
                println!("{} deliveries due again", done.redelivered)
            });
        }
    }
    Ok(())
}
