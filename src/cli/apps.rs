//! `licensd app ...` and `licensd plan ...`

use super::output::{self, Output};
use super::{PageArgs, duration_arg, seller_id};
use crate::{
    config::Config,
    manage::{
        Scope,
        apps::{self, AppDetail, AppSettings},
        plans,
    },
    server::build_state,
    store::apps::App,
};
use anyhow::Context;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Create an app; prints its settings and HMAC secret.
    Create {
        /// Seller id, name or ownerid.
        #[arg(long)]
        seller: String,
        name: String,
    },
    /// List a seller's apps.
    List {
        #[arg(long)]
        seller: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Show an app's settings and its HMAC secret.
    Show {
        #[arg(long)]
        seller: String,
        /// App id or name.
        app: String,
    },
    /// Change settings; options left out stay as they are.
    Set {
        #[arg(long)]
        seller: String,
        app: String,
        #[command(flatten)]
        settings: Box<SettingsArgs>,
    },
    /// Replace the HMAC secret; the old one stops working at once.
    RotateSecret {
        #[arg(long)]
        seller: String,
        app: String,
    },
    /// Delete an app with its plans, licenses and users.
    Delete {
        #[arg(long)]
        seller: String,
        app: String,
    },
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[arg(long)]
    name: Option<String>,
    /// The version clients must run.
    #[arg(long = "version")]
    app_version: Option<String>,
    #[arg(long)]
    download_url: Option<String>,
    #[arg(long)]
    customer_panel_link: Option<String>,
    #[arg(long)]
    changelog: Option<String>,
    #[arg(long)]
    enabled: Option<bool>,
    #[arg(long)]
    paused: Option<bool>,
    #[arg(long)]
    hwid_lock: Option<bool>,
    #[arg(long)]
    force_hwid: Option<bool>,
    #[arg(long)]
    hwid_min_len: Option<i64>,
    /// Required program hash; empty to turn the check off.
    #[arg(long)]
    program_hash: Option<String>,
    /// Session lifetime, e.g. 6h.
    #[arg(long)]
    session_ttl: Option<String>,
    /// Default key mask, e.g. `******-******-******`.
    #[arg(long)]
    key_mask: Option<String>,
    /// upper, lower or mixed.
    #[arg(long)]
    key_case: Option<String>,
    #[arg(long)]
    min_username_len: Option<i64>,
    /// Client API requests per minute for this app; 0 for no limit.
    #[arg(long)]
    request_limit_per_min: Option<i64>,
    /// JSON object of message id -> text, replacing all customised messages.
    #[arg(long)]
    messages: Option<String>,
    /// Let the app's users sign in to the customer panel (/customer/...).
    #[arg(long)]
    customer_panel: Option<bool>,
    /// How long a user waits between two HWID resets of their own, e.g. 1d; 0 for no wait.
    #[arg(long)]
    hwid_reset_cooldown: Option<String>,
    /// Make `init` ask for a client token and its file hash (`licensd client ... token`).
    #[arg(long)]
    token_system: Option<bool>,
}

impl SettingsArgs {
    fn into_settings(self) -> anyhow::Result<AppSettings> {
        let session_ttl_secs = duration_arg("--session-ttl", self.session_ttl.as_deref())?;
        let hwid_reset_cooldown_secs = match self.hwid_reset_cooldown.as_deref() {
            Some("0") => Some(0),
            other => duration_arg("--hwid-reset-cooldown", other)?,
        };
        let messages = match self.messages {
            Some(m) => Some(serde_json::from_str(&m).context("--messages must be a JSON object")?),
            None => None,
        };
        Ok(AppSettings {
            name: self.name,
            version: self.app_version,
            download_url: self.download_url,
            customer_panel_link: self.customer_panel_link,
            changelog: self.changelog,
            enabled: self.enabled,
            paused: self.paused,
            hwid_lock: self.hwid_lock,
            force_hwid: self.force_hwid,
            hwid_min_len: self.hwid_min_len,
            program_hash: self.program_hash,
            session_ttl_secs,
            key_mask: self.key_mask,
            key_case: self.key_case,
            min_username_len: self.min_username_len,
            request_limit_per_min: self.request_limit_per_min,
            messages,
            customer_panel: self.customer_panel,
            hwid_reset_cooldown_secs,
            token_system: self.token_system,
        })
    }
}

pub async fn run(cmd: AppCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let store = &state.store;
    let scope = Scope::cli();
    match cmd {
        AppCommand::Create { seller, name } => {
            let seller = seller_id(store, &seller).await?;
            let app = apps::create(store, &scope.tenant(Some(seller))?, &name).await?;
            out.data(&app, || print_app("created app", &app));
        }
        AppCommand::List { seller, page } => {
            let seller = seller_id(store, &seller).await?;
            let list = apps::list(store, &scope.tenant(Some(seller))?, page.request()).await?;
            out.listed(&list, &["id", "name", "version", "enabled", "paused", "key mask"], |a: &App| {
                vec![
                    a.id.to_string(),
                    a.name.clone(),
                    a.version.clone(),
                    output::flag(a.enabled),
                    output::flag(a.paused),
                    a.key_mask.clone(),
                ]
            });
        }
        AppCommand::Show { seller, app } => {
            let seller = seller_id(store, &seller).await?;
            let id = apps::resolve(store, seller, &app).await?.id;
            let app = apps::get(store, &scope.tenant(Some(seller))?, id).await?;
            out.data(&app, || print_app("app", &app));
        }
        AppCommand::Set { seller, app, settings } => {
            let seller = seller_id(store, &seller).await?;
            let id = apps::resolve(store, seller, &app).await?.id;
            let app = apps::update(store, &scope.tenant(Some(seller))?, id, settings.into_settings()?).await?;
            out.data(&app, || print_app("updated app", &app));
        }
        AppCommand::RotateSecret { seller, app } => {
            let seller = seller_id(store, &seller).await?;
            let id = apps::resolve(store, seller, &app).await?.id;
            let app = apps::rotate_secret(store, &scope.tenant(Some(seller))?, id).await?;
            out.data(&app, || println!("new secret of app {}: {}", app.app.name, app.secret));
        }
        AppCommand::Delete { seller, app } => {
            let seller = seller_id(store, &seller).await?;
            let a = apps::resolve(store, seller, &app).await?;
            apps::delete(store, &scope.tenant(Some(seller))?, a.id).await?;
            out.value(&serde_json::json!({ "deleted": a.id }), || println!("deleted app {}", a.name));
        }
    }
    Ok(())
}

fn print_app(title: &str, d: &AppDetail) {
    let a = &d.app;
    println!("{title} {} (id {})", a.name, a.id);
    let rows = [
        ("secret", d.secret.clone()),
        ("version", a.version.clone()),
        ("download_url", a.download_url.clone()),
        ("customer_panel_link", a.customer_panel_link.clone()),
        ("enabled", output::flag(a.enabled)),
        ("paused", output::flag(a.paused)),
        ("hwid_lock", output::flag(a.hwid_lock)),
        ("force_hwid", output::flag(a.force_hwid)),
        ("hwid_min_len", a.hwid_min_len.to_string()),
        ("program_hash", a.program_hash.clone().unwrap_or_default()),
        ("session_ttl", output::duration(Some(a.session_ttl_secs))),
        ("key_mask", a.key_mask.clone()),
        ("key_case", a.key_case.as_str().to_owned()),
        ("min_username_len", a.min_username_len.to_string()),
        ("request_limit_per_min", a.request_limit_per_min.map(|n| n.to_string()).unwrap_or_default()),
        ("messages", a.messages.clone()),
        ("customer_panel", output::flag(a.customer_panel)),
        ("hwid_reset_cooldown", output::duration(Some(a.hwid_reset_cooldown_secs))),
        ("token_system", output::flag(a.token_system)),
    ];
    for (k, v) in rows {
        println!("  {k:<22} {v}");
    }
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Create a plan (a subscription level) of an app.
    Create {
        #[arg(long)]
        seller: String,
        /// App id or name.
        #[arg(long)]
        app: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        level: i64,
        /// Default duration of its keys, e.g. 30d; left out: lifetime.
        #[arg(long)]
        duration: Option<String>,
    },
    /// List an app's plans.
    List {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Change a plan's name, level or default duration; keys made before keep theirs.
    Edit {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        /// Plan id or name.
        plan: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        level: Option<i64>,
        /// New default duration of its keys, e.g. 30d.
        #[arg(long, conflicts_with = "lifetime")]
        duration: Option<String>,
        /// Keys generated from now on never expire.
        #[arg(long)]
        lifetime: bool,
    },
    /// Delete a plan (refused while licenses use it).
    Delete {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        /// Plan id or name.
        plan: String,
    },
}

pub async fn run_plan(cmd: PlanCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let store = &state.store;
    let scope = Scope::cli();
    match cmd {
        PlanCommand::Create { seller, app, name, level, duration } => {
            let seller = seller_id(store, &seller).await?;
            let app = apps::resolve(store, seller, &app).await?;
            let secs = super::duration_arg("--duration", duration.as_deref())?;
            let p = plans::create(store, &scope.tenant(Some(seller))?, app.id, &name, level, secs).await?;
            out.data(&p, || {
                println!(
                    "created plan {} (id {}), level {}, {}",
                    p.name,
                    p.id,
                    p.level,
                    output::duration(p.duration_secs)
                )
            });
        }
        PlanCommand::List { seller, app, page } => {
            let seller = seller_id(store, &seller).await?;
            let app = apps::resolve(store, seller, &app).await?;
            let list = plans::list(store, &scope.tenant(Some(seller))?, app.id, page.request()).await?;
            out.listed(&list, &["id", "name", "level", "duration"], |p| {
                vec![p.id.to_string(), p.name.clone(), p.level.to_string(), output::duration(p.duration_secs)]
            });
        }
        PlanCommand::Edit { seller, app, plan, name, level, duration, lifetime } => {
            let seller = seller_id(store, &seller).await?;
            let app = apps::resolve(store, seller, &app).await?;
            let p = plans::resolve(store, app.id, &plan).await?;
            let duration_secs = match (lifetime, duration) {
                (true, _) => Some(None),
                (false, Some(d)) => Some(super::duration_arg("--duration", Some(&d))?),
                (false, None) => None,
            };
            let changes = plans::PlanChanges { name, level, duration_secs };
            let p = plans::update(store, &scope.tenant(Some(seller))?, app.id, p.id, changes).await?;
            out.data(&p, || {
                println!("plan {} (id {}): level {}, {}", p.name, p.id, p.level, output::duration(p.duration_secs))
            });
        }
        PlanCommand::Delete { seller, app, plan } => {
            let seller = seller_id(store, &seller).await?;
            let app = apps::resolve(store, seller, &app).await?;
            let p = plans::resolve(store, app.id, &plan).await?;
            plans::delete(store, &scope.tenant(Some(seller))?, app.id, p.id).await?;
            out.value(&serde_json::json!({ "deleted": p.id }), || println!("deleted plan {}", p.name));
        }
    }
    Ok(())
}
