//! Storage: the only place with SQL. One SQL text per query, `$1` placeholders, run through
//! sqlx's `Any` driver on embedded SQLite or on PostgreSQL. Every invariant that must hold across
//! server processes (activation limits, one-time redemption, assignment, rate limits) is a
//! conditional write or a unique constraint here, never a read followed by a write in Rust.

mod direct;
mod dynsql;
mod error;
mod open;
pub mod timings;
mod unit;
pub mod values;
mod wal;

pub mod apps;
pub mod audit;
pub mod browser_sessions;
pub mod bulk;
pub mod chat;
pub mod client_admin;
pub mod client_data;
pub mod client_request;
pub mod client_tokens;
pub mod client_users;
pub mod customer_panel;
pub mod customers;
pub mod deployment;
pub mod event_webhooks;
pub mod events;
pub mod files;
pub mod idempotency;
pub mod import_jobs;
pub mod instances;
pub mod keyauth_import;
pub mod licenses;
pub mod offline;
pub mod panel;
pub mod panel_invitations;
pub mod plans;
pub mod purchase_codes;
pub mod ratelimit;
pub mod reseller_accounts;
pub mod reseller_stock;
pub mod resellers;
pub mod sellers;
pub mod sessions;
pub mod stats;
pub mod store_connections;
pub mod tokens;
pub mod users;
pub mod web_loader;
pub mod webhooks;

pub use error::StoreError;
pub use open::{DatabaseTarget, OpenOptions, peek};
pub use wal::WAL_BOUND_BYTES;

use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::sync::Arc;
pub use unit::{Conn, Unit};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
type RawTx = Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Handle to the database. Cheap to clone. On SQLite, writes go through a one-connection pool
/// so that writers queue in the process instead of sleeping in SQLite's busy handler; reads use
/// a pool of several connections (WAL lets them run beside the writer). On PostgreSQL both are
/// the same pool.
///
/// A handle made by [`Store::begin`] is bound to one open write transaction: every store
/// function called through it, read or write, runs on that transaction, so one operation's
/// reads, conditional writes, audit row and event row commit together or not at all.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
    /// SQLite's write-ahead log file (see `wal`).
    wal: Option<Arc<std::path::Path>>,
    /// SQLite: the read connections that run on the calling thread (see `direct`).
    direct: Option<Arc<direct::DirectReads>>,
    /// The open transaction of a handle from [`Store::begin`]; `None` once it has ended.
    tx: Option<unit::Shared>,
    timings: timings::DbTimings,
}

impl Store {
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A connection for queries that only read: from the read pool, or the bound transaction.
    pub(crate) async fn read(&self) -> Result<Conn<'_>> {
        self.conn(&self.read).await
    }

    /// The direct read path (`direct`): on SQLite, for a handle not bound to a transaction.
    fn direct(&self) -> Option<&direct::DirectReads> {
        self.tx.is_none().then_some(self.direct.as_deref()).flatten()
    }

    /// A connection for single-statement writes (each statement is its own transaction unless
    /// the handle is bound to one). Read a write's `RETURNING` rows with `fetch_all` and
    /// [`ReturnedRows`], never `fetch_one` or `fetch_optional`.
    pub(crate) async fn write(&self) -> Result<Conn<'_>> {
        self.conn(&self.write).await
    }

    async fn conn(&self, pool: &AnyPool) -> Result<Conn<'_>> {
        match &self.tx {
            Some(tx) => unit::joined(tx).await,
            None => {
                let since = std::time::Instant::now();
                let conn = pool.acquire().await?;
                Ok(Conn::Pooled(conn, self.timings.waited(self.pool_name(pool), since)))
            }
        }
    }

    /// A write transaction for the statements of one store function. On SQLite it takes the
    /// write lock at BEGIN (a deferred transaction that reads first would fail with SQLITE_BUSY
    /// when it later writes). On a handle bound to a transaction it joins that one, and its
    /// commit is left to the operation's.
    pub(crate) async fn begin_write(&self) -> Result<Conn<'_>> {
        match &self.tx {
            Some(tx) => unit::joined(tx).await,
            None => {
                let since = std::time::Instant::now();
                let tx = self.begin_raw().await?;
                Ok(Conn::Own(tx, self.timings.waited("write", since)))
            }
        }
    }

    async fn begin_raw(&self) -> Result<RawTx> {
        let tx = match self.engine {
            Engine::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.write.begin().await?,
        };
        Ok(tx)
    }

    /// Opens one write transaction for an operation; see [`Unit`].
    pub async fn begin(&self) -> Result<Unit> {
        if self.tx.is_some() {
            let nested = sqlx::Error::Protocol("a transaction is already open on this handle".into());
            return Err(StoreError::Database(nested));
        }
        let since = std::time::Instant::now();
        let tx = self.begin_raw().await?;
        Ok(Unit::new(self.clone(), tx, self.timings.waited("write", since)))
    }

    fn pool_name(&self, pool: &AnyPool) -> &'static str {
        if std::ptr::eq(pool, &self.read) { "read" } else { "write" }
    }

    /// The histograms of connection waits and holds, for `metrics` to register.
    pub fn timings(&self) -> &timings::DbTimings {
        &self.timings
    }

    /// Connections open and idle, per pool (on PostgreSQL one pool serves both).
    pub fn pool_use(&self) -> [(&'static str, u32, usize); 2] {
        [("read", self.read.size(), self.read.num_idle()), ("write", self.write.size(), self.write.num_idle())]
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
