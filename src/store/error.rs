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
    /// The database could not be opened or created as configured.
    #[error("{0}")]
    Open(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned()))
            }
            _ => StoreError::Database(e),
        }
    }
}
