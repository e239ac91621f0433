//! The command line: `licensd serve` and the operator's tools, which work directly on the
//! configured database through the same `manage` operations as the admin API.

mod apps;
mod check_config;
mod client_data;
mod import;
mod keys;
mod licenses;
mod offline;
mod output;
mod panel_users;
mod resellers;
mod sellers;
mod store_connections;
mod tokens;
mod users;
mod webhooks;

use crate::config::{Config, FlagOverrides};
use crate::domain::ids::SellerId;
use crate::domain::time::parse_duration_secs;
use crate::manage::{PageRequest, Scope, audit, sellers as manage_sellers};
use crate::store::Store;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
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
    Serve(ServeArgs),
    /// Check the configuration as `serve` would read it, without serving, migrating or creating
    /// anything: the database can be opened, the signing key parses and is the database's.
    CheckConfig,
    /// Print the server's Ed25519 public key (hex), which clients pin.
    Pubkey,
    /// Change the deployment's signing key on purpose (rotate, adopt).
    #[command(subcommand)]
    Key(keys::KeyCommand),
    /// Write a consistent copy of the running SQLite database and its signing key to FILE (a tar
    /// archive, mode 0600). PostgreSQL: use pg_dump (docs/durability.md).
    Backup {
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Restore a backup as the configured SQLite database; refuses when that database exists.
    Restore {
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
    },
    /// Manage sellers (tenants).
    #[command(subcommand)]
    Seller(sellers::SellerCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(tokens::TokenCommand),
    /// Manage a seller's apps and their settings.
    #[command(subcommand)]
    App(apps::AppCommand),
    /// Manage an app's plans (subscription levels).
    #[command(subcommand)]
    Plan(apps::PlanCommand),
    /// Generate, list, ban, export and import licenses.
    #[command(subcommand)]
    License(licenses::LicenseCommand),
    /// Manage an app's end users.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Manage resellers, their API keys and their stock.
    #[command(subcommand)]
    Reseller(resellers::ResellerCommand),
    /// Manage a seller's event webhook endpoints and their deliveries.
    #[command(subcommand)]
    Webhook(webhooks::WebhookCommand),
    /// Connect a seller's stores (Lemon Squeezy, Stripe) to their order webhooks.
    #[command(subcommand)]
    StoreConnection(store_connections::StoreConnectionCommand),
    /// Show the audit trail, newest first.
    Audit {
        /// Only this seller's events (id, name or ownerid).
        #[arg(long)]
        seller: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Manage an app's client API data: variables, webhooks, files, chat, blacklist, sessions, logs.
    Client(client_data::ClientCommand),
    /// Import users and keys from another licensing service (KeyAuth).
    #[command(subcommand)]
    Import(import::ImportCommand),
}

/// `licensd serve`'s options; each is also a configuration key (README.md).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate from an ACME CA for this name (repeat for more names).
    #[arg(long = "acme-domain", value_name = "NAME")]
    pub acme_domains: Vec<String>,
    /// Contact address of the ACME account.
    #[arg(long, value_name = "EMAIL")]
    pub acme_email: Option<String>,
    /// ACME directory URL [default: Let's Encrypt production].
    #[arg(long, value_name = "URL")]
    pub acme_directory: Option<String>,
}

/// `--limit` and `--page` of list commands.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Rows per page (1-500) [default: 50].
    #[arg(long)]
    pub limit: Option<i64>,
    /// Page number, from 1.
    #[arg(long)]
    pub page: Option<i64>,
}

impl PageArgs {
    pub fn request(&self) -> PageRequest {
        PageRequest::new(self.limit, self.page)
    }

    /// The largest page, for short lists shown whole.
    pub fn all() -> PageRequest {
        PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None)
    }
}

/// A seller reference (id, name or ownerid) to its id.
pub async fn seller_id(store: &Store, reference: &str) -> anyhow::Result<SellerId> {
    Ok(manage_sellers::resolve(store, reference).await?.id)
}

/// The first line of standard input, for secrets that must not appear as arguments (the
/// process list, shell history); `what` names it in the error.
pub fn stdin_line(what: &str) -> anyhow::Result<String> {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).with_context(|| format!("cannot read {what} from standard input"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// An optional duration option such as `--duration 30d`, in seconds.
pub fn duration_arg(flag: &str, value: Option<&str>) -> anyhow::Result<Option<i64>> {
    value
        .map(|v| {
            parse_duration_secs(v).with_context(|| format!("{flag}: {v:?} is not a duration like 30d, 12h, 2w, 1y"))
        })
        .transpose()
}

impl Cli {
    pub fn config(&self) -> Result<Config, String> {
        let mut flags = FlagOverrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            create: self.create.then_some(true),
            ..FlagOverrides::default()
        };
        if let Command::Serve(serve) = &self.command {
            flags.listen = serve.listen;
            flags.tls_cert = serve.tls_cert.clone();
            flags.tls_key = serve.tls_key.clone();
            flags.acme_domains = serve.acme_domains.clone();
            flags.acme_email = serve.acme_email.clone();
            flags.acme_directory = serve.acme_directory.clone();
        }
        Config::load(self.config.as_deref(), &flags)
    }
}

/// Runs the parsed command; errors come back as one line for the terminal.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config().map_err(anyhow::Error::msg)?;
    // Operator commands print their results; only the server logs at info by default. sqlx's
    // slow-statement warnings would print whole bulk INSERTs between the CLI's own output.
    let mut log = config.log.clone();
    if !matches!(cli.command, Command::Serve(_)) && log.level == "info" {
        log.level = "warn,sqlx::query=error".into();
    }
    crate::telemetry::init(&log);
    let out = output::Output { json: cli.json };
    match cli.command {
        Command::Serve(_) => serve(config).await,
        Command::Pubkey => {
            let state = crate::server::build_state(config).await?;
            out.value(&serde_json::json!({ "public_key": state.signer.public_hex() }), || {
                println!("{}", state.signer.public_hex())
            });
            Ok(())
        }
        Command::CheckConfig => check_config::run(config, &out).await,
        Command::Key(cmd) => keys::run(cmd, config, &out).await,
        Command::Backup { output } => {
            let state = crate::server::build_state(config.clone()).await?;
            let manifest = crate::backup::backup(&config, &state.store, &output).await?;
            out.value(&manifest, || println!("backup written to {}", output.display()));
            Ok(())
        }
        Command::Restore { input } => {
            let manifest = crate::backup::restore(&config, &input).await?;
            out.value(&manifest, || println!("restored the backup of {} (unix ms)", manifest.created_at));
            Ok(())
        }
        Command::Seller(cmd) => sellers::run(cmd, config, &out).await,
        Command::Token(cmd) => tokens::run(cmd, config, &out).await,
        Command::App(cmd) => apps::run(cmd, config, &out).await,
        Command::Plan(cmd) => apps::run_plan(cmd, config, &out).await,
        Command::License(cmd) => licenses::run(cmd, config, &out).await,
        Command::User(cmd) => users::run(cmd, config, &out).await,
        Command::Reseller(cmd) => resellers::run(cmd, config, &out).await,
        Command::Webhook(cmd) => webhooks::run(cmd, config, &out).await,
        Command::StoreConnection(cmd) => store_connections::run(cmd, config, &out).await,
        Command::Audit { seller, page } => run_audit(config, seller, page, &out).await,
        Command::Client(cmd) => client_data::run(cmd, config, &out).await,
        Command::Import(cmd) => import::run(cmd, config, &out).await,
    }
}

async fn run_audit(config: Config, seller: Option<String>, page: PageArgs, out: &output::Output) -> anyhow::Result<()> {
    let state = crate::server::build_state(config).await?;
    let seller = match seller {
        Some(s) => Some(seller_id(&state.store, &s).await?),
        None => None,
    };
    let list = audit::list(&state.store, &Scope::cli(), seller, page.request()).await?;
    out.listed(&list, &["id", "time", "seller", "actor", "action", "target", "detail"], |e| {
        vec![
            e.id.to_string(),
            output::when(Some(e.created_at.get())),
            e.seller_id.map(|s| s.to_string()).unwrap_or_default(),
            e.actor.clone(),
            e.action.clone(),
            e.target.clone(),
            e.detail.clone(),
        ]
    });
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // TLS settings that cannot work stop the start before a database or key is created.
    crate::tls::check(&config).map_err(anyhow::Error::msg)?;
    let state = crate::server::build_state(config).await?;
    let server = crate::server::Server::bind(state).await?;
    let (addr, scheme) = (server.local_addr()?, server.scheme());
    tracing::info!(%addr, scheme, redirect = ?server.redirect_addr(), "licensd listening");
    server.run_until(crate::server::shutdown_signal()).await
}
