//! `licensd token ...`

use super::output::{self, Output, Wire};
use crate::{
    config::Config,
    manage::{Scope, apps, sellers, tokens},
    server::build_state,
    store::tokens::TokenKind,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; the secret is printed once and stored only as a hash.
    Create {
        /// operator (admin API, all sellers), seller (admin API, one seller), store (Licenses API)
        /// or sellerapi (the KeyAuth-compatible seller API, one app).
        #[arg(long, value_parser = ["operator", "seller", "store", "sellerapi"])]
        kind: String,
        /// Seller id, name or ownerid (seller, store and sellerapi tokens).
        #[arg(long)]
        seller: Option<String>,
        /// App id or name of the seller (sellerapi tokens).
        #[arg(long)]
        app: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

pub async fn run(cmd: TokenCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let store = &state.store;
    let scope = Scope::cli();
    match cmd {
        TokenCommand::Create { kind, seller, app, name } => {
            let kind = TokenKind::parse(&kind).ok_or_else(|| anyhow::anyhow!("unknown token kind {kind}"))?;
            let seller_id = match seller {
                Some(r) => Some(sellers::resolve(store, &r).await?.id),
                None if kind != TokenKind::Operator => {
                    anyhow::bail!("--seller is required for {} tokens", kind.as_str())
                }
                None => None,
            };
            let app_id = match (app, seller_id) {
                (Some(r), Some(seller_id)) => Some(apps::resolve(store, seller_id, &r).await?.id),
                (Some(_), None) => anyhow::bail!("--app needs --seller"),
                (None, _) if kind == TokenKind::SellerApi => anyhow::bail!("--app is required for sellerapi tokens"),
                (None, _) => None,
            };
            let (token, secret) = tokens::create(store, &scope, kind, seller_id, app_id, &name).await?;
            out.value(&serde_json::json!({ "data": token.wire(), "token": secret }), || {
                println!("created {} token {} (shown once, store it now):\n{secret}", kind.as_str(), token.id)
            });
        }
        TokenCommand::List => {
            let all = tokens::list(store, &scope, None).await?;
            out.table(&all, &["id", "kind", "seller", "app", "name", "revoked"], |t| {
                vec![
                    t.id.to_string(),
                    t.kind.as_str().to_owned(),
                    t.seller_id.map(|s| s.to_string()).unwrap_or_default(),
                    t.app_id.map(|a| a.to_string()).unwrap_or_default(),
                    t.name.clone(),
                    output::flag(t.revoked_at.is_some()),
                ]
            });
        }
        TokenCommand::Revoke { id } => {
            tokens::revoke(store, &scope, id).await?;
            out.value(&serde_json::json!({ "revoked": id }), || println!("revoked token {id}"));
        }
    }
    Ok(())
}
