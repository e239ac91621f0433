//! The command line: `licensd serve` and the operator's tools, which work directly on the
//! configured database through the same `manage` operations as the admin API.

mod client_data;
mod output;
mod sellers;
mod tokens;

use crate::config::{Config, FlagOverrides};
use clap::{Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf};

#[derive(Debug, Parser)]
#[command(name = "licensd", version, about = "Self-hosted software-licensing server")]
pub struct Cli {
    /// Configuration file (TOML); default: ./licensd.toml when present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database and the signing key [default: ./data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// postgres://... or sqlite://PATH [default: <data-dir>/licensd.db].
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Create the database file, data directory and signing key if they do not exist.
    #[arg(long, global = true)]
    pub create: bool,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Print the server's Ed25519 public key (hex), which clients pin.
    Pubkey,
    /// Manage sellers (tenants).
    #[command(subcommand)]
    Seller(sellers::SellerCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(tokens::TokenCommand),
    /// Manage an app's client API data: variables, webhooks, files, chat, blacklist, sessions, logs.
    Client(client_data::ClientCommand),
}

impl Cli {
    pub fn config(&self) -> Result<Config, String> {
        let listen = match &self.command {
            Command::Serve { listen } => *listen,
            _ => None,
        };
        let flags = FlagOverrides {
            listen,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            create: self.create.then_some(true),
        };
        Config::load(self.config.as_deref(), &flags)
    }
}

/// Runs the parsed command; errors come back as one line for the terminal.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config().map_err(anyhow::Error::msg)?;
    // Operator commands print their results; only the server logs at info by default.
    let mut log = config.log.clone();
    if !matches!(cli.command, Command::Serve { .. }) && log.level == "info" {
        log.level = "warn".into();
    }
    crate::telemetry::init(&log);
    let out = output::Output { json: cli.json };
    match cli.command {
        Command::Serve { .. } => serve(config).await,
        Command::Pubkey => {
            let state = crate::server::build_state(config).await?;
            out.value(&serde_json::json!({ "public_key": state.signer.public_hex() }), || {
                println!("{}", state.signer.public_hex())
            });
            Ok(())
        }
        Command::Seller(cmd) => sellers::run(cmd, config, &out).await,
        Command::Token(cmd) => tokens::run(cmd, config, &out).await,
        Command::Client(cmd) => client_data::run(cmd, config, &out).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let state = crate::server::build_state(config).await?;
    let server = crate::server::Server::bind(state).await?;
    tracing::info!(addr = %server.local_addr()?, "licensd listening");
    server.run_until(crate::server::shutdown_signal()).await
}
