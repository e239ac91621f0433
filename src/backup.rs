//! Online backups of an SQLite deployment and their restore. A backup is one tar archive:
//! `licensd.db` (a consistent `VACUUM INTO` copy taken while the server runs), `signing.key`
//! (when the key is a file) and `manifest.json`. A restore never overwrites an existing
//! database, checks the copy's integrity and that its recorded public key is the archived key's,
//! and moves the files into place only then. PostgreSQL deployments use `pg_dump` (see
//! `docs/durability.md`).

use crate::{
    config::Config,
    domain::time::now_ms,
    signing::Signer,
    store::{DatabaseTarget, OpenOptions, Store},
};
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const DB_ENTRY: &str = "licensd.db";
const KEY_ENTRY: &str = "signing.key";
const MANIFEST_ENTRY: &str = "manifest.json";

/// What a backup holds, stored in it and printed by both commands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub licensd_version: String,
    pub created_at: i64,
    /// The public key the database records (`licensd pubkey`).
    pub public_key: Option<String>,
    /// False when the key comes from configuration (`signing_key`): keep it with the configuration.
    pub includes_key: bool,
}

/// Writes a backup of the running deployment's database (and key file) to `output`.
pub async fn backup(config: &Config, store: &Store, output: &Path) -> anyhow::Result<Manifest> {
    if output.exists() {
        bail!("{} exists; name a new file", output.display());
    }
    let dir = tempfile::tempdir_in(output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))?;
    let copy = dir.path().join(DB_ENTRY);
    store.snapshot_into(&copy).await.context("copying the database")?;
    let key = config.signing_key.is_none().then(|| config.signing_key_path());
    let manifest = Manifest {
        licensd_version: env!("CARGO_PKG_VERSION").into(),
        created_at: now_ms(),
        public_key: store.recorded_public_key().await?,
        includes_key: key.is_some(),
    };
    let partial = dir.path().join("backup.tar");
    write_archive(&partial, &copy, key.as_deref(), &manifest)?;
    std::fs::rename(&partial, output).with_context(|| format!("writing {}", output.display()))?;
    Ok(manifest)
}

fn write_archive(path: &Path, db: &Path, key: Option<&Path>, manifest: &Manifest) -> anyhow::Result<()> {
    let file = File::options().write(true).create_new(true).open(path)?;
    // The archive holds the private key: owner-only, like the key file itself.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    let mut tar = tar::Builder::new(file);
    tar.append_path_with_name(db, DB_ENTRY)?;
    if let Some(key) = key {
        tar.append_path_with_name(key, KEY_ENTRY).with_context(|| format!("adding {}", key.display()))?;
    }
    let text = serde_json::to_vec_pretty(manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(manifest.created_at / 1000).unwrap_or(0));
    tar.append_data(&mut header, MANIFEST_ENTRY, text.as_slice())?;
    tar.into_inner()?.sync_all()?;
    Ok(())
}

/// Restores `input` as the configured SQLite database (and key file), which must not exist yet.
pub async fn restore(config: &Config, input: &Path) -> anyhow::Result<Manifest> {
    let DatabaseTarget::Sqlite(target) = DatabaseTarget::parse(config.database_url.as_deref(), &config.data_dir)?
    else {
        bail!("restore is for SQLite; on PostgreSQL restore a pg_dump with pg_restore");
    };
    if target.exists() {
        bail!("{} exists: restore never overwrites a database; move it away first (stop the server)", target.display());
    }
    let dir_of_target = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    crate::fsmode::create_private_dir(dir_of_target)?;
    let work = tempfile::tempdir_in(dir_of_target)?;
    let manifest = unpack(input, work.path())?;
    let db = work.path().join(DB_ENTRY);
    check_copy(&db, &manifest).await?;
    let key = work.path().join(KEY_ENTRY);
    if key.exists() {
        place_key(&key, &config.signing_key_path(), &manifest)?;
    }
    std::fs::rename(&db, &target).with_context(|| format!("moving the database to {}", target.display()))?;
    Ok(manifest)
}

/// Extracts the three entries (nothing else, and no path outside `into`) and reads the manifest.
fn unpack(input: &Path, into: &Path) -> anyhow::Result<Manifest> {
    let file = File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let mut archive = tar::Archive::new(file);
    for entry in archive.entries().context("not a licensd backup (tar)")? {
        let mut entry = entry.context("reading the backup")?;
        let name = entry.path()?.to_string_lossy().into_owned();
        if ![DB_ENTRY, KEY_ENTRY, MANIFEST_ENTRY].contains(&name.as_str()) {
            bail!("not a licensd backup: unexpected entry {name:?}");
        }
        let to = into.join(&name);
        entry.unpack(&to)?;
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))?;
    }
    let text = std::fs::read(into.join(MANIFEST_ENTRY)).context("not a licensd backup: no manifest")?;
    let manifest: Manifest = serde_json::from_slice(&text).context("not a licensd backup: unreadable manifest")?;
    if !into.join(DB_ENTRY).exists() {
        bail!("not a licensd backup: no database");
    }
    Ok(manifest)
}

/// The copy passes SQLite's integrity check and records the manifest's public key.
async fn check_copy(db: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let store = Store::open(&DatabaseTarget::Sqlite(db.to_path_buf()), &OpenOptions::default())
        .await
        .context("the backup's database does not open")?;
    let verdict = store.integrity_check().await;
    let recorded = store.recorded_public_key().await;
    store.close().await;
    if let Err(problem) = verdict? {
        bail!("the backup's database is damaged: {problem}");
    }
    if recorded? != manifest.public_key {
        bail!("the backup's database records another public key than its manifest");
    }
    Ok(())
}

/// Moves the archived key to `path`; an existing key file there must be the same key.
fn place_key(archived: &Path, path: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let key = Signer::load_or_create(archived, false).map_err(anyhow::Error::msg)?;
    if manifest.public_key.as_deref().is_some_and(|p| p != key.public_hex()) {
        bail!("the backup's signing key is not the key its database records");
    }
    if path.exists() {
        let present = Signer::load_or_create(path, false).map_err(anyhow::Error::msg)?;
        if present.public_hex() != key.public_hex() {
            bail!("{} holds another signing key; move it away first", path.display());
        }
        return Ok(());
    }
    std::fs::rename(archived, path).with_context(|| format!("moving the signing key to {}", path.display()))?;
    Ok(())
}
