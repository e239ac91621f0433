//! `licensd import ...`: bringing a seller's data over from another licensing service.

use super::output::Output;
use super::seller_id;
use crate::{
    config::Config,
    manage::{
        Scope, apps,
        keyauth::{self, Import, parse},
        licenses::Format,
    },
    server::build_state,
};
use anyhow::Context;
use clap::Subcommand;
use std::{collections::HashMap, path::Path, path::PathBuf};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a KeyAuth app's users (with their passwords, subscriptions, HWIDs, IPs and bans)
    /// and keys from its dashboard or seller API exports; docs/migrating-from-keyauth.md.
    /// Existing users and keys are left as they are, so running it again changes nothing.
    Keyauth {
        #[arg(long)]
        seller: String,
        /// The licensd app to import into (id or name).
        #[arg(long)]
        app: String,
        /// KeyAuth's users export (KeyAuthUsers.json, or CSV).
        #[arg(long, value_name = "FILE")]
        users: Option<PathBuf>,
        /// KeyAuth's keys export (KeyAuthKeys.json, fetchallkeys' answer, or CSV).
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
        /// The rows of KeyAuth's tokens table (token, assigned, type, banned, reason, hash), as
        /// JSON or CSV: the token system's client tokens.
        #[arg(long, value_name = "FILE")]
        tokens: Option<PathBuf>,
        /// KeyAuth subscription NAME imports into licensd plan PLAN (repeatable); an unmapped
        /// name is the plan of that name, created when missing.
        #[arg(long = "plan", value_name = "NAME=PLAN")]
        plans: Vec<String>,
        /// `csv` or `json` [default: by the file's extension].
        #[arg(long)]
        format: Option<String>,
    },
}

pub async fn run(cmd: ImportCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let ImportCommand::Keyauth { seller, app, users, keys, tokens, plans, format } = cmd;
    anyhow::ensure!(
        users.is_some() || keys.is_some() || tokens.is_some(),
        "give --users FILE, --keys FILE, --tokens FILE, or several"
    );
    let plans = plans
        .iter()
        .map(|m| m.split_once('=').map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned())))
        .collect::<Option<HashMap<_, _>>>()
        .context("--plan takes NAME=PLAN")?;
    let format = |path: &Path| match &format {
        Some(f) => Format::parse(f),
        None if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) => Ok(Format::Csv),
        None => Ok(Format::Json),
    };
    let read = |path: &Path| std::fs::read(path).with_context(|| format!("cannot read {}", path.display()));
    let files = Import {
        users: match &users {
            Some(p) => Some(parse::users(format(p)?, &read(p)?)?),
            None => None,
        },
        keys: match &keys {
            Some(p) => Some(parse::keys(format(p)?, &read(p)?)?),
            None => None,
        },
        tokens: match &tokens {
            Some(p) => Some(parse::tokens(format(p)?, &read(p)?)?),
            None => None,
        },
        plans,
    };
    let state = build_state(config).await?;
    let store = &state.store;
    let seller = seller_id(store, &seller).await?;
    let app = apps::resolve(store, seller, &app).await?;
    let bar = out.progress(files.len() as u64);
    let progress = |n| bar.set_position(n);
    let report = keyauth::import(store, &Scope::cli().tenant(Some(seller))?, app.id, files, &progress).await?;
    bar.finish_and_clear();
    out.data(&report, || {
        println!(
            "users: {} new, {} already there ({} subscriptions new); keys: {} new, {} already there; \
             tokens: {} new, {} already there; {} skipped",
            report.users_new,
            report.users_existing,
            report.subscriptions_new,
            report.keys_new,
            report.keys_existing,
            report.tokens_new,
            report.tokens_existing,
            report.skipped.len()
        );
        for p in &report.plans_created {
            println!("plan created: {p}");
        }
        for s in &report.skipped {
            println!("skipped {}: {}", s.row, s.reason);
        }
    });
    Ok(())
}
