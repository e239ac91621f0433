//! The storage layer's one error type.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// No row matched (also: a row owned by another tenant, which must look the same).
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; the payload names the constraint's table/column hint.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The database cannot serve right now: it cannot store anything (disk full, I/O error), or
    /// it cannot be reached (no connection within the acquire timeout, a connection lost, the
    /// server shutting down). Nothing was written; the same request can succeed once the
    /// database is back. Every protocol answers it with 503 and `Retry-After`.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The database could not be opened or created as configured.
    #[error("{0}")]
    Open(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// An error of the SQLite direct read path (`direct`).
    #[error("database error: {0}")]
    Direct(rusqlite::Error),
}

impl StoreError {
    /// Seconds a client is told to wait (`Retry-After`) before retrying an `Unavailable` write.
    pub const RETRY_AFTER_SECS: u64 = 10;

    /// True for the disk-full / I/O kind: answered 503, not 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned()))
            }
            sqlx::Error::Database(db) if out_of_storage(db.as_ref()) || unreachable(db.as_ref()) => {
                StoreError::Unavailable(e)
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                StoreError::Unavailable(e)
            }
            _ => StoreError::Database(e),
        }
    }
}

/// PostgreSQL going away under a request: class 08 (connection exception) and 57P01-57P03
/// (administrator or crash shutdown, cannot connect now).
fn unreachable(db: &dyn sqlx::error::DatabaseError) -> bool {
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        return false;
    }
    db.code().is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03"))
}

/// SQLite's SQLITE_FULL and SQLITE_IOERR (any extended code); PostgreSQL's class 53
/// (insufficient resources: disk full, out of memory) and `io_error`.
fn out_of_storage(db: &dyn sqlx::error::DatabaseError) -> bool {
    const SQLITE_IOERR: i64 = 10;
    const SQLITE_FULL: i64 = 13;
    let Some(code) = db.code() else { return false };
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // The code is the extended result code; its low byte is the primary one.
        let primary = code.parse::<i64>().map(|c| c & 0xff).unwrap_or(0);
        return primary == SQLITE_FULL || primary == SQLITE_IOERR;
    }
    code.starts_with("53") || code == "58030"
}
