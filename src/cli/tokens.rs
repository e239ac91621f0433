//! `licensd token ...`

use super::output::{self, Output, Wire};
use crate::{
    config::Config,
    manage::{Scope, sellers, tokens},
    server::build_state,
    store::tokens::TokenKind,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; the secret is printed once and stored only as a hash.
    Create {
        /// operator (admin API, all sellers), seller (admin API, one seller) or store (Licenses API).
        #[arg(long, value_parser = ["operator", "seller", "store"])]
        kind: String,
        /// Seller id, name or ownerid (seller and store tokens).
        #[arg(long)]
        seller: Option<String>,
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
        TokenCommand::Create { kind, seller, name } => {
            let kind = TokenKind::parse(&kind).ok_or_else(|| anyhow::anyhow!("unknown token kind {kind}"))?;
            let seller_id = match seller {
                Some(r) => Some(sellers::resolve(store, &r).await?.id),
                None if kind != TokenKind::Operator => {
                    anyhow::bail!("--seller is required for {} tokens", kind.as_str())
                }
                None => None,
            };
            let (token, secret) = tokens::create(store, &scope, kind, seller_id, &name).await?;
            out.value(&serde_json::json!({ "data": token.wire(), "token": secret }), || {
                println!("created {} token {} (shown once, store it now):\n{secret}", kind.as_str(), token.id)
            });
        }
        TokenCommand::List => {
            let all = tokens::list(store, &scope, None).await?;
            out.table(&all, &["id", "kind", "seller", "name", "revoked"], |t| {
                vec![
                    t.id.to_string(),
                    t.kind.clone(),
                    t.seller_id.map(|s| s.to_string()).unwrap_or_default(),
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
