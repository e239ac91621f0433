//! `licensd key`: changing the deployment's signing key on purpose (see `identity`).

use super::output::Output;
use crate::{config::Config, domain::time::now_ms, identity};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make a new signing key file (the old one is kept beside it as <file>.<ms>.old) and record
    /// it as the deployment's key. Every client that pins the old public key needs the new one,
    /// and every process needs the new file: stop them all first, start them with it.
    Rotate,
    /// Record the configured key (key file or signing_key) as the deployment's key, e.g. after
    /// setting a new signing_key in the configuration.
    Adopt,
}

pub async fn run(cmd: KeyCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let store = crate::server::open_store(&config).await?;
    let (old, new) = match cmd {
        KeyCommand::Rotate => identity::rotate(&config, &store).await?,
        KeyCommand::Adopt => identity::adopt(&config, &store).await?,
    };
    // Every process was stopped before a rotation, so the old key signed nothing after this
    // moment: offline verifiers keep the old key for files issued before it.
    let retired_at = now_ms();
    out.value(&serde_json::json!({ "old_public_key": old, "public_key": new, "retired_at": retired_at }), || {
        println!("public key: {new}");
        if let Some(old) = &old {
            println!("replaces:   {old} (retired at unix ms {retired_at}; docs/offline-licenses.md)");
        }
    });
    Ok(())
}
