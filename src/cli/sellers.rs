//! `licensd seller ...`

use super::output::Output;
use crate::{
    config::Config,
    manage::{Scope, sellers},
    server::build_state,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SellerCommand {
    /// Create a seller; prints its public ownerid.
    Create {
        name: String,
        /// Prefix for this seller's generated keys, e.g. `ps-`.
        #[arg(long, default_value = "")]
        key_prefix: String,
    },
    /// List sellers.
    List,
    /// Delete a seller and everything it owns.
    Delete { seller: String },
    /// Manage the seller's web panel accounts (/panel/).
    #[command(subcommand)]
    User(super::panel_users::PanelUserCommand),
}

pub async fn run(cmd: SellerCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;

    let store = &state.store;
    let scope = Scope::cli();
    match cmd {
        SellerCommand::Create { name, key_prefix } => {
            let s = sellers::create(store, &scope.operator()?, &name, &key_prefix).await?;
            out.data(&s, || println!("created seller {} (id {}), ownerid {}", s.name, s.id, s.ownerid));
        }
        SellerCommand::List => {
            let all = sellers::list(store, &scope, None).await?;
            out.table(&all, &["id", "name", "ownerid", "key prefix"], |s| {
                vec![s.id.to_string(), s.name.clone(), s.ownerid.clone(), s.key_prefix.clone()]
            });
        }
        SellerCommand::Delete { seller } => {
            let s = sellers::resolve(store, &seller).await?;
            sellers::delete(store, &scope.operator()?, s.id).await?;
            out.value(&serde_json::json!({ "deleted": s.id }), || println!("deleted seller {}", s.name));
        }
        SellerCommand::User(cmd) => super::panel_users::run(cmd, &state, out).await?,
    }
    Ok(())
}
