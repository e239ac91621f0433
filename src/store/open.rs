//! Opening the database: choosing the engine from the URL, creating an SQLite file only when
//! asked to, connection settings, and migrations that are safe when two processes start at once.

use super::{Engine, Result, Store, StoreError};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");
/// How long an SQLite statement waits for a lock held by another connection or process.
pub(super) const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000";
/// The same wait, for the direct read connections (`direct`).
pub(super) const BUSY_TIMEOUT_MS: u64 = 10_000;

/// Where the data lives, decided from `database_url` (or the SQLite default in the data dir).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseTarget {
    /// `postgres://` / `postgresql://` URLs, `sqlite://PATH` / `sqlite:PATH`, or `None` for
    /// `<data_dir>/licensd.db`.
    pub fn parse(database_url: Option<&str>, data_dir: &Path) -> Result<Self> {
        let Some(url) = database_url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::Sqlite(data_dir.join("licensd.db")));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() || path.contains('?') || path == ":memory:" {
                return Err(StoreError::Open(format!(
                    "database URL {url:?}: give a file path (sqlite://PATH); in-memory databases and URL options are not supported"
                )));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        Err(StoreError::Open(format!("database URL {:?} is neither postgres://... nor sqlite://PATH", redact_url(url))))
    }

    /// How to name the target in logs and errors without leaking a password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite:{}", p.display()),
            Self::Postgres(url) => redact_url(url),
        }
    }
}

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`, and the value of a
/// `password=` query parameter (which sqlx accepts too) -> `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (creds, host) = match rest.split_once('@') {
        Some((creds, host)) => (Some(creds), host),
        None => (None, rest),
    };
    let creds = match creds.map(|c| c.split_once(':').map_or(c.to_owned(), |(user, _)| format!("{user}:***"))) {
        Some(c) => format!("{c}@"),
        None => String::new(),
    };
    let host = match host.split_once('?') {
        Some((host, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => p.to_owned(),
                })
                .collect();
            format!("{host}?{}", params.join("&"))
        }
        None => host.to_owned(),
    };
    format!("{scheme}://{creds}{host}")
}

#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Create a missing SQLite file (and its directory). Off by default for explicit paths so a
    /// mistyped path does not silently start an empty database beside the real one.
    pub create: bool,
    /// Connections per process (PostgreSQL), or readers (SQLite).
    pub max_connections: u32,
    /// PostgreSQL: the longest a request waits for a connection (including connecting) before it
    /// fails as unavailable (503). Bounds what an outage costs each request, so requests do not
    /// pile up while the server is away; every later request tries afresh, so recovery is at once.
    pub acquire_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { create: false, max_connections: 16, acquire_timeout: Duration::from_secs(1) }
    }
}

impl Store {
    /// Opens (and on request creates) the database and applies pending migrations.
    pub async fn open(target: &DatabaseTarget, options: &OpenOptions) -> Result<Store> {
        install_default_drivers();
        let store = match target {
            DatabaseTarget::Sqlite(path) => open_sqlite(path, options).await?,
            DatabaseTarget::Postgres(url) => open_postgres(url, options).await?,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.engine {
            // PostgreSQL's migrator takes an advisory lock, so concurrent starts queue up.
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.write).await?,
            // SQLite has no advisory lock: hold the write lock for the whole run instead; the
            // migrator's own transactions become savepoints inside this one.
            Engine::Sqlite => {
                let mut tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
                SQLITE_MIGRATIONS.run(&mut *tx).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

async fn open_sqlite(path: &Path, options: &OpenOptions) -> Result<Store> {
    let exists = path.is_file();
    if !exists && !options.create {
        return Err(StoreError::Open(format!(
            "database file {} does not exist; pass --create (LICENSD_CREATE=true) to create it",
            path.display()
        )));
    }
    if !exists {
        // Owner-only from the first byte (`fsmode`): the file is created here, before SQLite
        // opens it, and SQLite creates -wal and -shm with the database file's mode.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsmode::create_private_dir(dir)
                .map_err(|e| StoreError::Open(format!("cannot create data directory {}: {e}", dir.display())))?;
        }
        crate::fsmode::create_private_file(path)
            .map_err(|e| StoreError::Open(format!("cannot create database file {}: {e}", path.display())))?;
    }
    let display = path.to_str().ok_or_else(|| StoreError::Open(format!("path {} is not UTF-8", path.display())))?;
    let mode = if exists { "rw" } else { "rwc" };
    let url = format!("sqlite://{display}?mode={mode}");
    let pool = |max: u32| {
        AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            // A COMMIT that fails (full disk) is rolled back by SQLite, but sqlx still counts the
            // transaction as open and refuses every later BEGIN on that connection: drop it.
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    let usable = !sqlx::Connection::is_in_transaction(conn);
                    if !usable {
                        tracing::warn!("replacing an SQLite connection left in a failed transaction");
                    }
                    Ok(usable)
                })
            })
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; NORMAL sync keeps every committed
                    // transaction across a process crash (not across power loss before checkpoint).
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        BUSY_TIMEOUT,
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA synchronous = NORMAL",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
    };
    let open_err = |e: sqlx::Error| StoreError::Open(format!("cannot open database {}: {e}", path.display()));
    // The writer connects first, so the file exists (mode=rwc) before readers open it read-write.
    let write = pool(1).connect(&url).await.map_err(open_err)?;
    let read_url = format!("sqlite://{display}?mode=rw");
    let read = pool(options.max_connections.clamp(1, 8)).connect(&read_url).await.map_err(open_err)?;
    Ok(Store {
        read,
        write,
        engine: Engine::Sqlite,
        wal: Some(super::wal::wal_path(path).into()),
        direct: Some(Arc::new(super::direct::DirectReads::new(path))),
        tx: None,
        timings: Default::default(),
    })
}

async fn open_postgres(url: &str, options: &OpenOptions) -> Result<Store> {
    // One direct attempt first: an unreachable server fails at once instead of after the
    // pool's acquire timeout of retries.
    let conn_err = |e: sqlx::Error| StoreError::Open(format!("cannot connect to {}: {e}", redact_url(url)));
    let probe = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.map_err(conn_err)?;
    sqlx::Connection::close(probe).await.map_err(conn_err)?;
    let pool = AnyPoolOptions::new()
        .max_connections(options.max_connections.max(1))
        .acquire_timeout(options.acquire_timeout)
        .connect(url)
        .await
        .map_err(conn_err)?;
    Ok(Store {
        read: pool.clone(),
        write: pool,
        engine: Engine::Postgres,
        wal: None,
        direct: None,
        tx: None,
        timings: Default::default(),
    })
}

/// What `licensd check-config` learns of a database without changing it (no migration, SQLite
/// opened read-only): whether it can be reached, and the public key it records, if any.
pub async fn peek(target: &DatabaseTarget) -> Result<Option<String>> {
    install_default_drivers();
    let url = match target {
        DatabaseTarget::Sqlite(path) => {
            let path = path.to_str().ok_or_else(|| StoreError::Open(format!("{} is not UTF-8", path.display())))?;
            format!("sqlite://{path}?mode=ro")
        }
        DatabaseTarget::Postgres(url) => url.clone(),
    };
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .map_err(|e| StoreError::Open(format!("cannot open {}: {e}", target.describe())))?;
    // A database from before the deployment table, or a new one, records nothing yet.
    let recorded: Option<(String,)> = sqlx::query_as("SELECT value FROM deployment WHERE name = 'public_key'")
        .fetch_optional(&mut conn)
        .await
        .unwrap_or(None);
    let _ = sqlx::Connection::close(conn).await;
    Ok(recorded.map(|(k,)| k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_engine_from_url() {
        let dir = Path::new("/d");
        assert_eq!(DatabaseTarget::parse(None, dir).unwrap(), DatabaseTarget::Sqlite("/d/licensd.db".into()));
        assert_eq!(
            DatabaseTarget::parse(Some("sqlite:///x/y.db"), dir).unwrap(),
            DatabaseTarget::Sqlite("/x/y.db".into())
        );
        assert!(matches!(DatabaseTarget::parse(Some("postgres://u@h/db"), dir).unwrap(), DatabaseTarget::Postgres(_)));
        assert!(DatabaseTarget::parse(Some("mysql://h/db"), dir).is_err());
        assert!(DatabaseTarget::parse(Some("sqlite::memory:"), dir).is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("postgres://me:hunter2@db/x"), "postgres://me:***@db/x");
        assert_eq!(redact_url("postgres://me@db/x"), "postgres://me@db/x");
        assert_eq!(
            redact_url("postgres://db/x?user=me&password=hunter2&sslmode=require"),
            "postgres://db/x?user=me&password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://me:pa?ss@db/x"), "postgres://me:***@db/x");
    }
}
