//! The deployment's signing identity. Clients pin one Ed25519 public key, so every process of a
//! deployment must sign with the key the database records (`store::deployment`): a missing key
//! file beside a database that already serves clients, or another process's different key, stops
//! the start with a message instead of silently signing answers those clients reject. A new key
//! is made only together with a new database, or on purpose by `licensd key rotate`.

use crate::{config::Config, domain::time::now_ms, signing::Signer, store::Store};
use anyhow::{Context, bail};

/// The key this process signs with, checked against (or, on a new database, recorded as) the
/// deployment's key.
pub async fn signer(config: &Config, store: &Store) -> anyhow::Result<Signer> {
    let recorded = store.recorded_public_key().await?;
    let new_database = recorded.is_none() && !store.has_sellers().await?;
    let signer = configured(config, new_database && (config.create || config.data_dir.is_dir()))?;
    match recorded {
        Some(key) if key != signer.public_hex() => bail!(mismatch(config, &signer, &key)),
        Some(_) => {}
        None => {
            let key = store.record_public_key(signer.public_hex(), now_ms()).await?;
            if key != signer.public_hex() {
                bail!(mismatch(config, &signer, &key));
            }
        }
    }
    Ok(signer)
}

/// The key from configuration or the key file; the file is created only when `create`.
fn configured(config: &Config, create: bool) -> anyhow::Result<Signer> {
    if let Some(key) = present_key(config).map_err(anyhow::Error::msg)? {
        return Ok(key);
    }
    let path = config.signing_key_path();
    if !create {
        bail!(
            "signing key {} is missing, and this database already serves clients that pin its public key: \
             restore the key file (or set signing_key), or make a new key on purpose with `licensd key rotate`",
            path.display()
        );
    }
    Signer::load_or_create(&path, true).map_err(anyhow::Error::msg)
}

/// The configured key (`signing_key`, else the key file), `None` while the file does not exist.
pub fn present_key(config: &Config) -> Result<Option<Signer>, String> {
    if let Some(seed) = &config.signing_key {
        return Signer::from_hex(seed).map(Some);
    }
    let path = config.signing_key_path();
    if !path.exists() {
        return Ok(None);
    }
    Signer::load_or_create(&path, false).map(Some)
}

fn mismatch(config: &Config, signer: &Signer, recorded: &str) -> String {
    let source = match &config.signing_key {
        Some(_) => "the configured signing_key".to_owned(),
        None => format!("signing key {}", config.signing_key_path().display()),
    };
    format!(
        "{source} (public key {}) is not the key this database is served with (public key {recorded}): \
         give every process the same key; `licensd key rotate` or `licensd key adopt` changes the deployment's key on purpose",
        signer.public_hex()
    )
}

/// A new key file replaces the current one (kept beside it as `<file>.<unix ms>.old`) and
/// becomes the deployment's key. Returns the old and the new public key.
pub async fn rotate(config: &Config, store: &Store) -> anyhow::Result<(Option<String>, String)> {
    if config.signing_key.is_some() {
        bail!(
            "the signing key comes from configuration (signing_key): set the new one there, then run `licensd key adopt`"
        );
    }
    let old = store.recorded_public_key().await?;
    let path = config.signing_key_path();
    let signer = Signer::replace_file(&path, now_ms()).map_err(anyhow::Error::msg)?;
    store.replace_public_key(signer.public_hex(), now_ms()).await.context("recording the new public key")?;
    Ok((old, signer.public_hex().to_owned()))
}

/// Makes the configured key (file or signing_key) the deployment's key, e.g. after a rotation
/// through configuration. Returns the old and the new public key.
pub async fn adopt(config: &Config, store: &Store) -> anyhow::Result<(Option<String>, String)> {
    let old = store.recorded_public_key().await?;
    let signer = configured(config, false)?;
    store.replace_public_key(signer.public_hex(), now_ms()).await?;
    Ok((old, signer.public_hex().to_owned()))
}
