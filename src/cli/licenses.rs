//! `licensd license ...`

use super::output::{self, Output};
use super::{PageArgs, duration_arg, seller_id};
use crate::domain::ids::{ResellerId, SellerId};
use crate::{
    config::Config,
    domain::time::parse_datetime,
    manage::{
        Scope, Tenant, apps,
        licenses::{self, Format, GenerateSpec, Generated, ImportCustomer, ImportDefaults, ListQuery},
        plans, resellers,
    },
    server::build_state,
    store::{Store, licenses::License},
};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Generate keys; prints them one per line.
    Generate {
        #[arg(long)]
        seller: String,
        #[command(flatten)]
        spec: GenerateArgs,
        #[command(flatten)]
        customer: CustomerArgs,
        /// Generate into this reseller's stock (id or name), with its key prefix.
        #[arg(long)]
        reseller: Option<String>,
    },
    /// List licenses, newest first.
    List {
        #[arg(long)]
        seller: String,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Show one license (by key or id).
    Show {
        #[arg(long)]
        seller: String,
        license: String,
    },
    /// Ban a license: it stops working everywhere.
    Ban {
        #[arg(long)]
        seller: String,
        license: String,
        #[arg(long)]
        reason: String,
    },
    Unban {
        #[arg(long)]
        seller: String,
        license: String,
    },
    /// Lengthen a license by a duration (`30d`, `12h`, `2w`, `1y` or seconds): a running expiry
    /// and the subscription it granted move on, an unused key's duration grows.
    Extend {
        #[arg(long)]
        seller: String,
        license: String,
        duration: String,
    },
    Delete {
        #[arg(long)]
        seller: String,
        license: String,
    },
    /// Export licenses (all, or those matching the filters) as CSV or JSON.
    Export {
        #[arg(long)]
        seller: String,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
        /// File to write; default: standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Check a license out as a signed offline file, optionally bound to one machine.
    Checkout(super::offline::CheckoutArgs),
    /// Import licenses with their keys from a CSV or JSON file (for instance an export).
    /// Keys that exist already are reported, never overwritten.
    Import {
        #[arg(long)]
        seller: String,
        #[arg(long)]
        app: String,
        /// Plan of records that name none.
        #[arg(long)]
        plan: Option<String>,
        /// Buyer of records that name none (found by email or created).
        #[arg(long)]
        customer_email: Option<String>,
        #[arg(long, requires = "customer_email")]
        customer_name: Option<String>,
        /// csv or json; default: from the file name.
        #[arg(long, value_parser = ["csv", "json"])]
        format: Option<String>,
        file: PathBuf,
    },
}

/// What a batch of new keys shares (also used by `reseller stock add`).
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// App id or name.
    #[arg(long)]
    pub app: Option<String>,
    /// Plan id or name.
    #[arg(long)]
    pub plan: Option<String>,
    /// How many keys (at most 100000 per call).
    #[arg(long, default_value_t = 1)]
    pub count: i64,
    /// Key mask, `*` = one random character [default: the app's].
    #[arg(long)]
    pub mask: Option<String>,
    /// upper, lower or mixed [default: the app's].
    #[arg(long)]
    pub case: Option<String>,
    /// Duration counted from first use, e.g. 30d [default: the plan's].
    #[arg(long, conflicts_with = "expires")]
    pub duration: Option<String>,
    /// Fixed expiry instead, e.g. 2027-01-31 or 2027-01-31T12:00:00Z.
    #[arg(long)]
    pub expires: Option<String>,
    /// How many machines may activate the key; default: unlimited.
    #[arg(long)]
    pub max_activations: Option<i64>,
    #[arg(long, default_value = "")]
    pub note: String,
}

/// Who bought the keys (`license generate`).
#[derive(Debug, Args)]
pub struct CustomerArgs {
    /// The buyer's email: the keys belong to this customer (found or created) instead of the
    /// seller's default customer.
    #[arg(long)]
    customer_email: Option<String>,
    /// The buyer's name.
    #[arg(long, requires = "customer_email")]
    customer_name: Option<String>,
}

impl GenerateArgs {
    pub async fn spec(
        self,
        store: &Store,
        seller: SellerId,
        reseller_id: Option<ResellerId>,
    ) -> anyhow::Result<GenerateSpec> {
        let app = apps::resolve(store, seller, self.app.as_deref().context("--app is required")?).await?;
        let plan = plans::resolve(store, app.id, self.plan.as_deref().context("--plan is required")?).await?;
        let expires_at = match self.expires {
            Some(e) => Some(parse_datetime(&e).with_context(|| format!("--expires: not a date: {e}"))?),
            None => None,
        };
        Ok(GenerateSpec {
            mask: self.mask,
            case: self.case,
            duration_secs: duration_arg("--duration", self.duration.as_deref())?,
            expires_at,
            max_activations: self.max_activations,
            note: self.note,
            reseller_id,
            ..GenerateSpec::new(app.id, plan.id, self.count)
        })
    }
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// App id or name.
    #[arg(long)]
    app: Option<String>,
    /// Plan id or name (needs --app).
    #[arg(long, requires = "app")]
    plan: Option<String>,
    /// Reseller id or name: only its stock.
    #[arg(long)]
    reseller: Option<String>,
    /// Part of the key or the note.
    #[arg(long)]
    search: Option<String>,
    #[arg(long, value_parser = ["used", "unused", "banned", "assigned"])]
    state: Option<String>,
}

impl FilterArgs {
    async fn query(self, store: &Store, seller: SellerId, page: Option<PageArgs>) -> anyhow::Result<ListQuery> {
        let app = match &self.app {
            Some(a) => Some(apps::resolve(store, seller, a).await?),
            None => None,
        };
        let plan_id = match (&app, &self.plan) {
            (Some(app), Some(p)) => Some(plans::resolve(store, app.id, p).await?.id),
            _ => None,
        };
        let reseller_id = match &self.reseller {
            Some(r) => Some(resellers::resolve(store, seller, r).await?.id),
            None => None,
        };
        Ok(ListQuery {
            seller_id: Some(seller),
            app_id: app.map(|a| a.id),
            plan_id,
            reseller_id,
            search: self.search,
            state: self.state,
            limit: page.as_ref().and_then(|p| p.limit),
            page: page.and_then(|p| p.page),
            format: None,
        })
    }
}

pub async fn run(cmd: LicenseCommand, config: Config, out: &Output) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let store = &state.store;
    let scope = Scope::cli();
    match cmd {
        LicenseCommand::Generate { seller, spec, customer, reseller } => {
            let seller = seller_id(store, &seller).await?;
            let reseller_id = match reseller {
                Some(r) => Some(resellers::resolve(store, seller, &r).await?.id),
                None => None,
            };
            let spec = GenerateSpec {
                customer_email: customer.customer_email,
                customer_name: customer.customer_name,
                ..spec.spec(store, seller, reseller_id).await?
            };
            let generated = generate(store, &scope.tenant(Some(seller))?, spec, out).await?;
            print_generated(out, &generated);
        }
        LicenseCommand::List { seller, filter, page } => {
            let seller = seller_id(store, &seller).await?;
            let q = filter.query(store, seller, Some(page)).await?;
            let list = licenses::list(store, &scope.tenant(q.seller_id)?, &q).await?;
            out.listed(&list, LICENSE_HEADER, license_row);
        }
        LicenseCommand::Show { seller, license } => {
            let seller = seller_id(store, &seller).await?;
            let l = licenses::resolve(store, seller, &license).await?;
            out.data(&l, || out.table(std::slice::from_ref(&l), LICENSE_HEADER, license_row));
        }
        LicenseCommand::Ban { seller, license, reason } => {
            let seller = seller_id(store, &seller).await?;
            let id = licenses::resolve(store, seller, &license).await?.id;
            let l = licenses::set_ban(store, &scope.tenant(Some(seller))?, id, Some(&reason)).await?;
            out.data(&l, || println!("banned {}", l.key));
        }
        LicenseCommand::Unban { seller, license } => {
            let seller = seller_id(store, &seller).await?;
            let id = licenses::resolve(store, seller, &license).await?.id;
            let l = licenses::set_ban(store, &scope.tenant(Some(seller))?, id, None).await?;
            out.data(&l, || println!("unbanned {}", l.key));
        }
        LicenseCommand::Extend { seller, license, duration } => {
            let seller = seller_id(store, &seller).await?;
            let id = licenses::resolve(store, seller, &license).await?.id;
            let l = licenses::extend(store, &scope.tenant(Some(seller))?, id, &duration).await?;
            out.data(&l, || println!("extended {}", l.key));
        }
        LicenseCommand::Delete { seller, license } => {
            let seller = seller_id(store, &seller).await?;
            let l = licenses::resolve(store, seller, &license).await?;
            licenses::delete(store, &scope.tenant(Some(seller))?, l.id).await?;
            out.value(&serde_json::json!({ "deleted": l.id }), || println!("deleted {}", l.key));
        }
        LicenseCommand::Export { seller, filter, format, output } => {
            let seller = seller_id(store, &seller).await?;
            let q = filter.query(store, seller, None).await?;
            let records = licenses::export(store, &scope.tenant(q.seller_id)?, &q).await?;
            let text = match Format::parse(&format)? {
                Format::Csv => licenses::to_csv(&records)?,
                Format::Json => serde_json::to_string_pretty(&records)? + "\n",
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("exported {} licenses to {}", records.len(), path.display());
                }
                None => print!("{text}"),
            }
        }
        LicenseCommand::Checkout(args) => super::offline::checkout(&state, args, out).await?,
        LicenseCommand::Import { seller, app, plan, customer_email, customer_name, format, file } => {
            let seller = seller_id(store, &seller).await?;
            let app = apps::resolve(store, seller, &app).await?;
            let plan_id = match plan {
                Some(p) => Some(plans::resolve(store, app.id, &p).await?.id),
                None => None,
            };
            let format = match format {
                Some(f) => Format::parse(&f)?,
                None if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) => Format::Json,
                None => Format::Csv,
            };
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let records = licenses::parse_import(format, &bytes)?;
            let bar = out.progress(records.len() as u64);
            let defaults =
                ImportDefaults { plan_id, customer: ImportCustomer { email: customer_email, name: customer_name } };
            let progress = |n| bar.set_position(n);
            let report =
                licenses::import(store, &scope.tenant(Some(seller))?, app.id, defaults, records, &progress).await?;
            bar.finish_and_clear();
            out.data(&report, || {
                println!("imported {} licenses, {} duplicates skipped", report.imported, report.duplicates.len());
                for k in &report.duplicates {
                    println!("duplicate: {k}");
                }
            });
        }
    }
    Ok(())
}

/// Generates with a progress bar on a terminal.
pub async fn generate(store: &Store, tenant: &Tenant, spec: GenerateSpec, out: &Output) -> anyhow::Result<Generated> {
    let bar = out.progress(spec.count.max(0) as u64);
    let generated = licenses::generate(store, tenant, spec, &|n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    Ok(generated)
}

/// Keys one per line on stdout (for piping), the count on stderr.
pub fn print_generated(out: &Output, g: &Generated) {
    out.data(g, || {
        let mut text = g.keys.join("\n");
        text.push('\n');
        print!("{text}");
        eprintln!("generated {} keys", g.count);
    });
}

pub const LICENSE_HEADER: &[&str] =
    &["id", "key", "plan", "term", "expires", "activations", "state", "reseller", "discord user", "note"];

pub fn license_row(l: &License) -> Vec<String> {
    let state = if let Some(r) = &l.banned_reason {
        format!("banned: {r}")
    } else if l.used_by_user_id.is_some() {
        "used".into()
    } else {
        String::new()
    };
    let max = l.max_activations.map(|m| m.to_string()).unwrap_or_else(|| "∞".into());
    vec![
        l.id.to_string(),
        l.key.clone(),
        l.plan_id.to_string(),
        if l.expires_at.is_some() && l.duration_secs.is_none() {
            "fixed".into()
        } else {
            output::duration(l.duration_secs)
        },
        output::when(l.expires_at.map(i64::from)),
        format!("{}/{max}", l.activations),
        state,
        l.reseller_id.map(|r| r.to_string()).unwrap_or_default(),
        l.discord_user_id.clone().unwrap_or_default(),
        l.note.clone(),
    ]
}
