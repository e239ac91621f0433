//! `licensd check-config`: reads the configuration as `serve` would and checks what it names
//! (database, signing key, mail settings, TLS files) without serving, migrating or creating
//! anything. Exit status 0 when `serve` would start, 1 with every problem listed otherwise.

use super::output::Output;
use crate::{
    config::Config,
    identity,
    services::Services,
    store::{self, DatabaseTarget},
};

pub async fn run(config: Config, out: &Output) -> anyhow::Result<()> {
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let target = match DatabaseTarget::parse(config.database_url.as_deref(), &config.data_dir) {
        Ok(t) => Some(t),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let exists = match &target {
        Some(DatabaseTarget::Sqlite(path)) if !path.is_file() => {
            if config.create {
                notes.push(format!("database {} will be created", path.display()));
            } else {
                problems.push(format!("database file {} does not exist (pass --create to create it)", path.display()));
            }
            false
        }
        Some(_) => true,
        None => false,
    };
    let recorded = match &target {
        Some(t) if exists => match store::peek(t).await {
            Ok(key) => {
                notes.push(format!("database {} can be opened", t.describe()));
                key
            }
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        },
        _ => None,
    };
    match identity::present_key(&config) {
        Ok(Some(key)) => match &recorded {
            Some(r) if r != key.public_hex() => problems.push(format!(
                "the configured signing key (public key {}) is not the key the database records ({r})",
                key.public_hex()
            )),
            _ => notes.push(format!("signing key ready, public key {}", key.public_hex())),
        },
        Ok(None) if recorded.is_some() => problems.push(format!(
            "signing key {} is missing for a database that records one",
            config.signing_key_path().display()
        )),
        Ok(None) => notes.push(format!("signing key {} will be created", config.signing_key_path().display())),
        Err(e) => problems.push(e),
    }
    // `serve` builds these at start-up and stops on a setting they cannot use (e.g. smtp.url).
    if let Err(e) = Services::from_config(&config) {
        problems.push(e);
    }
    match crate::tls::check(&config) {
        Ok(note) => notes.push(note),
        Err(e) => problems.push(e),
    }
    let verdict = serde_json::json!({ "ok": problems.is_empty(), "notes": notes, "problems": problems });
    out.value(&verdict, || {
        for n in &notes {
            println!("ok: {n}");
        }
        for p in &problems {
            println!("problem: {p}");
        }
    });
    if problems.is_empty() { Ok(()) } else { anyhow::bail!("the configuration has {} problem(s)", problems.len()) }
}
