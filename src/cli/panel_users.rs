//! `licensd seller user ...`: the seller's web panel accounts. A password is read from standard
//! input (`--password-stdin`, so it never shows in the process list or shell history) or
//! generated and printed once.

use super::output::{Output, when};
use crate::{
    domain::secret,
    manage::{Scope, panel},
    state::AppState,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum PanelUserCommand {
    /// Create a panel account; prints the generated password once unless --password-stdin.
    Add {
        /// The seller (id, name or ownerid).
        #[arg(long)]
        seller: String,
        #[arg(long)]
        email: String,
        /// owner, support or readonly.
        #[arg(long, default_value = "owner")]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the seller's panel accounts.
    List {
        #[arg(long)]
        seller: String,
    },
    /// Delete a panel account (id or email); its sessions end at once.
    Remove {
        #[arg(long)]
        seller: String,
        account: String,
    },
    /// Enrol a panel account (id or email) in TOTP; prints the otpauth:// URI once. Enrolling
    /// again replaces the secret.
    Totp {
        #[arg(long)]
        seller: String,
        account: String,
    },
}

pub async fn run(cmd: PanelUserCommand, state: &AppState, out: &Output) -> anyhow::Result<()> {
    let (store, scope) = (&state.store, Scope::cli());
    match cmd {
        PanelUserCommand::Add { seller, email, role, password_stdin } => {
            let seller = super::seller_id(store, &seller).await?;
            let (password, generated) = password(password_stdin)?;
            let a =
                panel::add(store, &state.services.passwords, &scope.tenant(Some(seller))?, &email, &role, &password)
                    .await?;
            let shown = generated.then_some(password.as_str());
            let view = crate::api::admin::views::PanelAccount::from(a.clone());
            out.value(&serde_json::json!({ "data": view, "password": shown }), || {
                println!("created panel account {} ({}, id {})", a.email, a.role.as_str(), a.id);
                if let Some(p) = shown {
                    println!("password (shown once, store it now):\n{p}");
                }
            });
        }
        PanelUserCommand::List { seller } => {
            let seller = super::seller_id(store, &seller).await?;
            let all = panel::list(store, &scope.tenant(Some(seller))?).await?;
            out.table(&all, &["id", "email", "role", "2fa", "created", "disabled"], |a| {
                vec![
                    a.id.to_string(),
                    a.email.clone(),
                    a.role.as_str().to_owned(),
                    super::output::flag(a.totp_enrolled()),
                    when(Some(a.created_at.get())),
                    when(a.disabled_at.map(i64::from)),
                ]
            });
        }
        PanelUserCommand::Remove { seller, account } => {
            let seller = super::seller_id(store, &seller).await?;
            let a = panel::resolve(store, seller, &account).await?;
            panel::remove(store, &scope.tenant(Some(seller))?, a.id).await?;
            out.value(&serde_json::json!({ "deleted": a.id }), || println!("deleted panel account {}", a.email));
        }
        PanelUserCommand::Totp { seller, account } => {
            let seller = super::seller_id(store, &seller).await?;
            let a = panel::resolve(store, seller, &account).await?;
            let uri = panel::enrol_totp(store, &scope.tenant(Some(seller))?, a.id).await?;
            out.value(&serde_json::json!({ "otpauth_uri": uri }), || {
                println!("add this to the authenticator app of {} (shown once):\n{uri}", a.email)
            });
        }
    }
    Ok(())
}

/// The password read from standard input, or a generated one (to be printed once): the
/// password and whether it was generated.
pub(super) fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    Ok(if from_stdin {
        (super::stdin_line("the password")?, false)
    } else {
        (secret::random_string(b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20), true)
    })
}
