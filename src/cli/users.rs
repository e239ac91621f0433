//! `licensd user ...`

use super::output::{self, Output};
use super::{PageArgs, seller_id};
use crate::domain::ids::{AppId, UserId};
use crate::{
    config::Config,
    manage::{
        Scope, Tenant, apps,
        users::{self, UserDetail},
    },
    server::build_state,
    store::Store,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// List an app's users, optionally those whose name contains `--search`.
    List {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Show a user (id or username) with HWIDs and subscriptions.
    Show {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        user: String,
    },
    /// Forget the user's HWIDs; the next login binds a new one.
    ResetHwid {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        user: String,
    },
    /// Issue the user's web-loader token (printed once; one sign-in within 10 minutes).
    WebToken {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        user: String,
    },
    Ban {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        user: String,
        #[arg(long)]
        reason: String,
    },
    Unban {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        user: String,
    },
    /// Extend every timed subscription of the user, e.g. by 30d.
    Extend {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        user: String,
        #[arg(long)]
        duration: String,
    },
    Delete {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        user: String,
    },
}

/// The seller (the operator acting for it) and app a command names.
async fn app_at(store: &Store, seller: &str, app: &str) -> anyhow::Result<(Tenant, AppId)> {
    let seller = seller_id(store, seller).await?;
    let app = apps::resolve(store, seller, app).await?;
    Ok((Scope::cli().tenant(Some(seller))?, app.id))
}

/// The seller, app and user a command names.
async fn target(store: &Store, seller: &str, app: &str, user: &str) -> anyhow::Result<(Tenant, AppId, UserId)> {
    let (tenant, app_id) = app_at(store, seller, app).await?;
    Ok((tenant, app_id, users::resolve(store, app_id, user).await?.id))
}

pub async fn run(cmd: UserCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let store = &state.store;
    match cmd {
        UserCommand::List { seller, app, search, page } => {
            let (tenant, app_id) = app_at(store, &seller, &app).await?;
            let list = users::list(store, &tenant, app_id, search.as_deref(), page.request()).await?;
            out.listed(&list, &["id", "username", "email", "banned", "created", "last login"], |u| {
                vec![
                    u.id.to_string(),
                    u.username.clone(),
                    u.email.clone().unwrap_or_default(),
                    u.banned_reason.clone().unwrap_or_default(),
                    output::when(Some(u.created_at.get())),
                    output::when(u.last_login_at.map(i64::from)),
                ]
            });
        }
        UserCommand::Show { seller, app, user } => {
            let (tenant, app_id, id) = target(store, &seller, &app, &user).await?;
            let u = users::get(store, &tenant, app_id, id).await?;
            out.data(&u, || print_user(&u));
        }
        UserCommand::ResetHwid { seller, app, user } => {
            let (tenant, app_id, id) = target(store, &seller, &app, &user).await?;
            let n = users::reset_hwid(store, &tenant, app_id, id).await?;
            out.data(&serde_json::json!({ "hwids_removed": n }), || println!("removed {n} HWIDs of {user}"));
        }
        UserCommand::WebToken { seller, app, user } => {
            let (tenant, app_id, id) = target(store, &seller, &app, &user).await?;
            let t = users::issue_web_token(store, &tenant, app_id, id).await?;
            out.value(&serde_json::json!({ "data": t }), || {
                println!(
                    "web-loader token of {user} (shown once, one sign-in until {}):\n{}",
                    output::when(Some(t.expires_at)),
                    t.token
                )
            });
        }
        UserCommand::Ban { seller, app, user, reason } => {
            let (tenant, app_id, id) = target(store, &seller, &app, &user).await?;
            let u = users::set_ban(store, &tenant, app_id, id, Some(&reason)).await?;
            out.data(&u, || println!("banned {}", u.user.username));
        }
        UserCommand::Unban { seller, app, user } => {
            let (tenant, app_id, id) = target(store, &seller, &app, &user).await?;
            let u = users::set_ban(store, &tenant, app_id, id, None).await?;
            out.data(&u, || println!("unbanned {}", u.user.username));
        }
        UserCommand::Extend { seller, app, user, duration } => {
            let (tenant, app_id, id) = target(store, &seller, &app, &user).await?;
            let u = users::extend(store, &tenant, app_id, id, &duration).await?;
            out.data(&u, || print_user(&u));
        }
        UserCommand::Delete { seller, app, user } => {
            let (tenant, app_id, id) = target(store, &seller, &app, &user).await?;
            users::delete(store, &tenant, app_id, id).await?;
            out.value(&serde_json::json!({ "deleted": id }), || println!("deleted user {user}"));
        }
    }
    Ok(())
}

fn print_user(d: &UserDetail) {
    let u = &d.user;
    println!("user {} (id {})", u.username, u.id);
    println!("  email      {}", u.email.clone().unwrap_or_default());
    println!("  banned     {}", u.banned_reason.clone().unwrap_or_default());
    println!("  created    {}", output::when(Some(u.created_at.get())));
    println!("  last login {}", output::when(u.last_login_at.map(i64::from)));
    println!("  hwids      {}", d.hwids.join(", "));
    for s in &d.subscriptions {
        let until = if s.expires_at.is_some() { output::when(s.expires_at.map(i64::from)) } else { "lifetime".into() };
        println!("  subscription {} (level {}) until {until}", s.plan, s.level);
    }
}
