//! `licensd license checkout`: a license as a signed offline file (docs/offline-licenses.md).

use super::output::Output;
use super::{duration_arg, seller_id};
use crate::manage::{
    Scope, licenses,
    offline::{self, CheckoutRequest, Issuer},
};
use crate::state::AppState;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CheckoutArgs {
    #[arg(long)]
    seller: String,
    /// The license (key or id).
    license: String,
    /// Bind the file to this HWID.
    #[arg(long, conflicts_with = "instance")]
    hwid: Option<String>,
    /// Bind the file to this Licenses API instance (UUID) of the license.
    #[arg(long)]
    instance: Option<String>,
    /// Time until the app must refresh online, e.g. 3d [default and maximum: offline_ttl_secs].
    #[arg(long)]
    ttl: Option<String>,
    /// A feature name signed into the file; repeat for more.
    #[arg(long = "entitlement")]
    entitlements: Vec<String>,
    /// File to write; default: standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub async fn checkout(state: &AppState, args: CheckoutArgs, out: &Output) -> anyhow::Result<()> {
    let seller = seller_id(&state.store, &args.seller).await?;
    let license = licenses::resolve(&state.store, seller, &args.license).await?;
    let req = CheckoutRequest {
        ttl_secs: duration_arg("--ttl", args.ttl.as_deref())?,
        hwid: args.hwid,
        instance_id: args.instance,
        entitlements: args.entitlements,
    };
    let file = offline::checkout(&Issuer::of(state), &Scope::cli().tenant(Some(seller))?, license.id, req).await?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &file.file).with_context(|| format!("cannot write {}", path.display()))?;
            out.data(&file, || eprintln!("offline file of {} written to {}", license.key, path.display()));
        }
        None => out.data(&file, || print!("{}", file.file)),
    }
    Ok(())
}
