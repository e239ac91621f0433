//! Storage: the only place with SQL. One SQL text per query, `$1` placeholders, run through
//! sqlx's `Any` driver on embedded SQLite or on PostgreSQL. Every invariant that must hold across
//! server processes (activation limits, one-time redemption, assignment, rate limits) is a
//! conditional write or a unique constraint here, never a read followed by a write in Rust.

mod dynsql;
mod error;
mod open;
mod wal;

pub mod apps;
pub mod audit;
pub mod bulk;
pub mod chat;
pub mod client_admin;
pub mod client_data;
pub mod client_request;
pub mod client_users;
pub mod deployment;
pub mod files;
pub mod idempotency;
pub mod instances;
pub mod licenses;
pub mod offline;
pub mod plans;
pub mod ratelimit;
pub mod reseller_stock;
pub mod resellers;
pub mod sellers;
pub mod sessions;
pub mod tokens;
pub mod users;
pub mod webhooks;

pub use error::StoreError;
pub use open::{DatabaseTarget, OpenOptions, peek};
pub use wal::WAL_BOUND_BYTES;

use sqlx::{Any, AnyPool, Transaction};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
pub type Tx = Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Handle to the database. Cheap to clone. On SQLite, writes go through a one-connection pool
/// so that writers queue in the process instead of sleeping in SQLite's busy handler; reads use
/// a pool of several connections (WAL lets them run beside the writer). On PostgreSQL both are
/// the same pool.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
    /// SQLite's write-ahead log file (see `wal`).
    wal: Option<std::sync::Arc<std::path::Path>>,
}

impl Store {
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Pool for queries that only read.
    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Pool for single-statement writes (each statement is its own transaction). Read a
    /// write's `RETURNING` rows with `fetch_all` and [`ReturnedRows`], never `fetch_one` or
    /// `fetch_optional`.
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// A write transaction. On SQLite it takes the write lock at BEGIN (a deferred transaction
    /// that reads first would fail with SQLITE_BUSY when it later writes).
    pub(crate) async fn begin_write(&self) -> Result<Tx> {
        let tx = match self.engine {
            Engine::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.write.begin().await?,
        };
        Ok(tx)
    }

    /// True when the database answers a trivial query (readiness probe).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// The rows of a single-statement write's `RETURNING`, read with `fetch_all`. On SQLite an
/// autocommit statement commits when it is stepped to its end; `fetch_one` and `fetch_optional`
/// stop after the first row and reset the statement, which commits but drops the commit's error
/// (a full disk): the caller would see the row of a write that was rolled back.
pub(crate) trait ReturnedRows<T> {
    /// The one row (`NotFound` when the statement matched none).
    fn one(self) -> Result<T>;
    /// The row, if the statement matched one.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> ReturnedRows<T> for std::result::Result<Vec<T>, sqlx::Error> {
    fn one(self) -> Result<T> {
        self.optional()?.ok_or(StoreError::NotFound)
    }

    fn optional(self) -> Result<Option<T>> {
        Ok(self?.into_iter().next())
    }
}

/// Bounds on list queries, shared by every paginated listing.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub const MAX_LIMIT: i64 = 500;

    pub fn new(limit: i64, page: i64) -> Self {
        let limit = limit.clamp(1, Self::MAX_LIMIT);
        let page = page.max(1);
        Self { limit, offset: (page - 1).saturating_mul(limit) }
    }
}
