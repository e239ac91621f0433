//! `licensd reseller ...`: accounts, API keys (`reseller key ...`) and stock (`reseller stock ...`).

use super::licenses::{GenerateArgs, LICENSE_HEADER, generate, license_row, print_generated};
use super::output::{self, Output, Wire};
use super::{PageArgs, seller_id};
use crate::domain::ids::SellerId;
use crate::{
    config::Config,
    manage::{
        Scope, licenses, reseller_dashboard,
        resellers::{self, ResellerInput},
    },
    server::build_state,
    state::AppState,
    store::{Store, resellers::Reseller},
};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ResellerCommand {
    /// Create a reseller account.
    Create {
        #[arg(long)]
        seller: String,
        name: String,
        /// Prefix of keys generated into its stock, e.g. `rs-`.
        #[arg(long, default_value = "")]
        key_prefix: String,
        /// Reseller API requests per minute.
        #[arg(long, default_value_t = resellers::DEFAULT_RATE_LIMIT_PER_MIN)]
        rate_limit: i64,
    },
    List {
        #[arg(long)]
        seller: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Change a reseller; options left out stay as they are.
    Update {
        #[arg(long)]
        seller: String,
        reseller: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        key_prefix: Option<String>,
        #[arg(long)]
        rate_limit: Option<i64>,
    },
    /// Delete a reseller and its API keys; its stock returns to the seller.
    Delete {
        #[arg(long)]
        seller: String,
        reseller: String,
    },
    /// The reseller's API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// The reseller's stock of licenses.
    #[command(subcommand)]
    Stock(StockCommand),
    /// The reseller's sign-in to the reseller dashboard (/reseller/dashboard/).
    #[command(subcommand)]
    Login(LoginCommand),
}

#[derive(Debug, Subcommand)]
pub enum LoginCommand {
    /// Give the reseller a dashboard sign-in, replacing an earlier one (its sessions end);
    /// prints the generated password once unless --password-stdin.
    Set {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Take the reseller's dashboard sign-in away; its sessions end at once.
    Remove {
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Debug, Args)]
pub struct Target {
    #[arg(long)]
    seller: String,
    /// Reseller id or name.
    #[arg(long)]
    reseller: String,
}

impl Target {
    async fn resolve(&self, store: &Store) -> anyhow::Result<(SellerId, Reseller)> {
        let seller = seller_id(store, &self.seller).await?;
        Ok((seller, resellers::resolve(store, seller, &self.reseller).await?))
    }
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Issue an API key; the secret is printed once and stored only as a hash.
    Create {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value = "")]
        label: String,
    },
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Revoke a key by id.
    Revoke {
        #[command(flatten)]
        target: Target,
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Move licenses (keys or ids, comma-separated) into the stock, or generate new ones into it.
    Add {
        #[command(flatten)]
        target: Target,
        /// Licenses to move, by key or id.
        #[arg(long, value_delimiter = ',', conflicts_with_all = ["app", "plan"])]
        licenses: Vec<String>,
        #[command(flatten)]
        generate: GenerateArgs,
    },
    /// The stock, with each license's Discord assignment.
    List {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        page: PageArgs,
    },
}

pub async fn run(cmd: ResellerCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let store = &state.store;
    let scope = Scope::cli();
    match cmd {
        ResellerCommand::Create { seller, name, key_prefix, rate_limit } => {
            let seller = seller_id(store, &seller).await?;
            let input =
                ResellerInput { name: Some(name), key_prefix: Some(key_prefix), rate_limit_per_min: Some(rate_limit) };
            let r = resellers::create(store, &scope.tenant(Some(seller))?, input).await?;
            out.data(&r, || println!("created reseller {} (id {})", r.name, r.id));
        }
        ResellerCommand::List { seller, page } => {
            let seller = seller_id(store, &seller).await?;
            let list = resellers::list(store, &scope.tenant(Some(seller))?, page.request()).await?;
            out.listed(&list, &["id", "name", "key prefix", "rate limit/min"], |r| {
                vec![r.id.to_string(), r.name.clone(), r.key_prefix.clone(), r.rate_limit_per_min.to_string()]
            });
        }
        ResellerCommand::Update { seller, reseller, name, key_prefix, rate_limit } => {
            let seller = seller_id(store, &seller).await?;
            let id = resellers::resolve(store, seller, &reseller).await?.id;
            let input = ResellerInput { name, key_prefix, rate_limit_per_min: rate_limit };
            let r = resellers::update(store, &scope.tenant(Some(seller))?, id, input).await?;
            out.data(&r, || println!("updated reseller {} (id {})", r.name, r.id));
        }
        ResellerCommand::Delete { seller, reseller } => {
            let seller = seller_id(store, &seller).await?;
            let r = resellers::resolve(store, seller, &reseller).await?;
            resellers::delete(store, &scope.tenant(Some(seller))?, r.id).await?;
            out.value(&serde_json::json!({ "deleted": r.id }), || println!("deleted reseller {}", r.name));
        }
        ResellerCommand::Key(cmd) => run_key(store, &scope, cmd, out).await?,
        ResellerCommand::Stock(cmd) => run_stock(store, &scope, cmd, out).await?,
        ResellerCommand::Login(cmd) => run_login(&state, &scope, cmd, out).await?,
    }
    Ok(())
}

async fn run_key(store: &Store, scope: &Scope, cmd: KeyCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        KeyCommand::Create { target, label } => {
            let (seller, r) = target.resolve(store).await?;
            let (key, secret) = resellers::create_key(store, &scope.tenant(Some(seller))?, r.id, &label).await?;
            out.value(&serde_json::json!({ "data": key.wire(), "key": secret }), || {
                println!("created API key {} of reseller {} (shown once, store it now):\n{secret}", key.id, r.name)
            });
        }
        KeyCommand::List { target } => {
            let (seller, r) = target.resolve(store).await?;
            let list = resellers::list_keys(store, &scope.tenant(Some(seller))?, r.id, PageArgs::all()).await?;
            out.listed(&list, &["id", "label", "created", "last used", "revoked"], |k| {
                vec![
                    k.id.to_string(),
                    k.label.clone(),
                    output::when(Some(k.created_at.get())),
                    output::when(k.last_used_at.map(i64::from)),
                    output::when(k.revoked_at.map(i64::from)),
                ]
            });
        }
        KeyCommand::Revoke { target, id } => {
            let (seller, r) = target.resolve(store).await?;
            resellers::revoke_key(store, &scope.tenant(Some(seller))?, r.id, id).await?;
            out.value(&serde_json::json!({ "revoked": id }), || println!("revoked API key {id} of {}", r.name));
        }
    }
    Ok(())
}

async fn run_stock(store: &Store, scope: &Scope, cmd: StockCommand, out: &Output) -> anyhow::Result<()> {
    match cmd {
        StockCommand::Add { target, licenses: refs, generate: spec } => {
            let (seller, r) = target.resolve(store).await?;
            if refs.is_empty() {
                let spec = spec.spec(store, seller, Some(r.id)).await?;
                let generated = generate(store, &scope.tenant(Some(seller))?, spec, out).await?;
                print_generated(out, &generated);
                return Ok(());
            }
            let mut ids = Vec::with_capacity(refs.len());
            for reference in &refs {
                ids.push(licenses::resolve(store, seller, reference.trim()).await?.id);
            }
            let moved = resellers::add_stock(store, &scope.tenant(Some(seller))?, r.id, &ids).await?;
            out.data(&moved, || println!("moved {} of {} licenses into {}'s stock", moved.moved, ids.len(), r.name));
        }
        StockCommand::List { target, page } => {
            let (seller, r) = target.resolve(store).await?;
            let list = resellers::list_stock(store, &scope.tenant(Some(seller))?, r.id, page.request()).await?;
            out.listed(&list, LICENSE_HEADER, license_row);
        }
    }
    Ok(())
}

async fn run_login(state: &AppState, scope: &Scope, cmd: LoginCommand, out: &Output) -> anyhow::Result<()> {
    let store = &state.store;
    match cmd {
        LoginCommand::Set { target, email, password_stdin } => {
            let (seller, r) = target.resolve(store).await?;
            let (password, generated) = super::panel_users::password(password_stdin)?;
            let passwords = &state.services.passwords;
            let a =
                reseller_dashboard::set_login(store, passwords, &scope.tenant(Some(seller))?, r.id, &email, &password)
                    .await?;
            let shown = generated.then_some(password.as_str());
            let view = crate::api::admin::views::ResellerLogin::from(a.clone());
            out.value(&serde_json::json!({ "data": view, "password": shown }), || {
                println!("reseller {} signs in to /reseller/dashboard/ as {}", r.name, a.email);
                if let Some(p) = shown {
                    println!("password (shown once, store it now):\n{p}");
                }
            });
        }
        LoginCommand::Remove { target } => {
            let (seller, r) = target.resolve(store).await?;
            reseller_dashboard::remove_login(store, &scope.tenant(Some(seller))?, r.id).await?;
            out.value(&serde_json::json!({ "removed": r.id }), || {
                println!("reseller {} can no longer sign in to the dashboard", r.name)
            });
        }
    }
    Ok(())
}
