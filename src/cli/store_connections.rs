//! `licensd store-connection ...`: a seller's connections to stores' order webhooks and what
//! each product sells (docs/stores.md), through the same operations as
//! `/admin/v1/store-connections`. A secret the store made is read from standard input
//! (`--secret-stdin`, so it never shows in the process list or shell history).

use super::output::{Output, when};
use super::seller_id;
use crate::domain::ids::SellerId;
use crate::{
    config::Config,
    manage::{
        Scope, apps, plans,
        store_connections::{self, ConnectionInput},
    },
    server::build_state,
    store::{Store, store_connections::ProductMap},
};
use anyhow::Context;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum StoreConnectionCommand {
    /// Connect a store; prints its webhook path, and a signing secret licensd made once.
    Add {
        /// The seller (id, name or ownerid).
        #[arg(long)]
        seller: String,
        /// lemonsqueezy or stripe.
        #[arg(long)]
        store: String,
        /// What a store product sells: VARIANT=APP:PLAN (app and plan by id or name); repeat.
        #[arg(long = "product", value_name = "VARIANT=APP:PLAN")]
        products: Vec<String>,
        /// Read the store's signing secret from the first line of standard input (Stripe's
        /// `whsec_...`); without it licensd makes one (Lemon Squeezy).
        #[arg(long)]
        secret_stdin: bool,
    },
    /// The seller's connections and product maps, without their secrets.
    List {
        #[arg(long)]
        seller: String,
    },
    /// Disconnect a store: its webhooks are refused from then on (keys already made stay).
    Delete {
        #[arg(long)]
        seller: String,
        id: i64,
    },
}

pub async fn run(cmd: StoreConnectionCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let (store, scope) = (&state.store, Scope::cli());
    match cmd {
        StoreConnectionCommand::Add { seller, store: name, products, secret_stdin } => {
            let seller = seller_id(store, &seller).await?;
            let mut mapped = Vec::new();
            for p in &products {
                mapped.push(product(store, seller, p).await?);
            }
            let secret = secret_stdin.then(|| super::stdin_line("the secret")).transpose()?;
            let input = ConnectionInput { store: name, secret, products: mapped };
            let made = store_connections::create(store, &scope.tenant(Some(seller))?, input).await?;
            out.data(&made, || {
                println!(
                    "connected {} (id {}); webhook path: {}",
                    made.connection.store, made.connection.id, made.webhook_path
                );
                if let Some(s) = &made.secret {
                    println!("signing secret (shown once, paste it into the store now):\n{s}");
                }
            });
        }
        StoreConnectionCommand::List { seller } => {
            let seller = seller_id(store, &seller).await?;
            let list = store_connections::list(store, &scope.tenant(Some(seller))?).await?;
            out.table(&list, &["id", "store", "webhook path", "products", "created"], |c| {
                let products: Vec<String> =
                    c.products.iter().map(|p| format!("{}={}:{}", p.variant, p.app_id, p.plan_id)).collect();
                vec![
                    c.connection.id.to_string(),
                    c.connection.store.clone(),
                    c.webhook_path.clone(),
                    products.join(" "),
                    when(Some(c.connection.created_at.get())),
                ]
            });
        }
        StoreConnectionCommand::Delete { seller, id } => {
            let seller = seller_id(store, &seller).await?;
            store_connections::delete(store, &scope.tenant(Some(seller))?, id).await?;
            out.value(&serde_json::json!({ "deleted": id }), || println!("deleted store connection {id}"));
        }
    }
    Ok(())
}

/// `VARIANT=APP:PLAN` to a product map entry (the variant may itself hold `=`).
async fn product(store: &Store, seller: SellerId, arg: &str) -> anyhow::Result<ProductMap> {
    let (variant, sold) = arg.rsplit_once('=').context(format!("--product {arg:?}: expected VARIANT=APP:PLAN"))?;
    let (app, plan) = sold.split_once(':').context(format!("--product {arg:?}: expected VARIANT=APP:PLAN"))?;
    let app = apps::resolve(store, seller, app).await?;
    let plan = plans::resolve(store, app.id, plan).await?;
    Ok(ProductMap { variant: variant.to_owned(), app_id: app.id, plan_id: plan.id })
}
