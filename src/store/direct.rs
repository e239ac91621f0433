//! SQLite reads on the calling thread. sqlx runs each SQLite connection on a thread of its own,
//! so every statement is a hand-off from the async worker to that thread and back (two
//! wake-ups); on the hot read paths that hand-off cost more than the read itself (BENCHMARKS.md,
//! the profile). Here a read takes an idle `rusqlite` connection of this process, runs one
//! cached prepared statement in place and gives the connection back: no thread switch at all.
//! Such a read is a few microseconds on the page cache, less than the Ed25519 signature the
//! client API adds to every answer, so it does not hold an async worker for long.
//!
//! Freshness: nothing is cached but the compiled statements. Every statement is its own read
//! transaction on the database file, which begins at its first step and ends when its rows are
//! dropped (rusqlite resets the statement), so it sees every transaction that any process
//! committed before it: a ban, switch-off or expiry is seen by the next request.
//!
//! Only handles not bound to a transaction read here (a transaction's reads must see its own
//! uncommitted writes), and the connections are `query_only`. The SQL is the same text as the
//! PostgreSQL path runs through sqlx (`$1` placeholders, bound by name).

use super::{Result, StoreError};
use crate::domain::ids::{AppId, CustomerId, LicenseId, PlanId, ResellerId, SellerId, UserId};
use crate::domain::time::UnixMs;
use rusqlite::{Connection, OpenFlags, Row, ToSql, types::FromSql};
use sqlx::{Any, Decode, Type, any::AnyRow};
use std::{
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

/// Idle connections kept; more open only while more threads read at once.
const IDLE: usize = 16;
/// Compiled statements kept per connection.
const STATEMENTS: usize = 64;

/// The process's direct read connections to one SQLite file.
pub(crate) struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// One bound value of a shared SQL text, for either path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    OptText(Option<&'a str>),
}

/// Placeholder names, `$1` first.
const NAMES: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Int(v) => v.to_sql(),
            Arg::Text(v) => v.to_sql(),
            Arg::OptText(v) => v.to_sql(),
        }
    }
}

/// Binds `args` to `query` as `$1`, `$2`, ... (the sqlx path).
pub(crate) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    args: &[Arg<'q>],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    for arg in args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::OptText(v) => query.bind(v),
        };
    }
    query
}

impl DirectReads {
    pub(crate) fn new(path: &Path) -> Self {
        Self { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    /// Runs `sql` with `args` as `$1`, `$2`, ... and hands each row to `each`, in order.
    pub(crate) fn each(&self, sql: &str, args: &[Arg<'_>], mut each: impl FnMut(&Row<'_>) -> Result<()>) -> Result<()> {
        let named: Vec<(&str, &dyn ToSql)> = NAMES.iter().zip(args).map(|(n, a)| (*n, a as &dyn ToSql)).collect();
        let conn = self.take()?;
        let outcome = (|| {
            let mut statement = conn.prepare_cached(sql)?;
            let mut rows = statement.query(named.as_slice())?;
            while let Some(row) = rows.next()? {
                each(row)?;
            }
            Ok(())
        })();
        self.give_back(conn);
        outcome
    }

    fn take(&self) -> Result<Connection> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < IDLE {
            idle.push(conn);
        }
    }

    fn connect(&self) -> Result<Connection> {
        // The server's pools opened (and migrated) the file already; never create it here.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(Duration::from_millis(super::open::BUSY_TIMEOUT_MS))?;
        conn.pragma_update(None, "query_only", true)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(conn)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::SystemIoFailure => {
                StoreError::Unavailable(sqlx::Error::Io(std::io::Error::other(e)))
            }
            e => StoreError::Direct(e),
        }
    }
}

/// Ids (`domain::ids`) and times (`domain::time::UnixMs`) read as the integer they are stored as.
macro_rules! id_from_sql {
    ($($id:ty),*) => {$(
        impl FromSql for $id {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(value).map(Self)
            }
        }
    )*};
}
id_from_sql!(SellerId, AppId, PlanId, LicenseId, UserId, ResellerId, CustomerId, UnixMs);

/// A value both row kinds can decode.
pub(crate) trait Value: for<'r> Decode<'r, Any> + Type<Any> + FromSql {}
impl<T: for<'r> Decode<'r, Any> + Type<Any> + FromSql> Value for T {}

/// A result row read by column name: an sqlx row (PostgreSQL) or a direct one (SQLite), so one
/// mapping serves both paths.
pub(crate) trait Columns {
    fn col<T: Value>(&self, name: &str) -> Result<T>;
}

impl Columns for AnyRow {
    fn col<T: Value>(&self, name: &str) -> Result<T> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
}

impl Columns for Row<'_> {
    fn col<T: Value>(&self, name: &str) -> Result<T> {
        Ok(self.get(name)?)
    }
}

/// A row type read by column name from either path.
pub(crate) trait FromColumns: Sized {
    fn from_columns(row: &impl Columns) -> Result<Self>;
}

/// `FromColumns` for a struct whose fields are named as its columns.
/// A field written `name as Stored` is read as its stored form and converted (`store::values`).
macro_rules! from_columns {
    ($ty:ty { $($field:ident $(as $stored:ty)?),* $(,)? }) => {
        impl $crate::store::direct::FromColumns for $ty {
            fn from_columns(row: &impl $crate::store::direct::Columns) -> $crate::store::Result<Self> {
                Ok(Self { $($field: $crate::store::direct::from_columns!(@col row, $field $(, $stored)?)),* })
            }
        }
    };
    (@col $row:ident, $field:ident) => {
        $row.col(stringify!($field))?
    };
    (@col $row:ident, $field:ident, $stored:ty) => {
        $crate::store::values::convert($row.col::<$stored>(stringify!($field))?)?
    };
}
pub(crate) use from_columns;

impl super::Store {
    /// Every row of `sql` (`args` as `$1`, `$2`, ...): on the direct path on SQLite, else
    /// through sqlx.
    pub(crate) async fn fetch_rows<T: FromColumns>(&self, sql: &'static str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        let mut out = Vec::new();
        if let Some(direct) = self.direct() {
            direct.each(sql, args, |row| {
                out.push(T::from_columns(row)?);
                Ok(())
            })?;
        } else {
            for row in bind_all(sqlx::query(sql), args).fetch_all(&mut *self.read().await?).await? {
                out.push(T::from_columns(&row)?);
            }
        }
        Ok(out)
    }

    /// The first row of `sql`, `NotFound` when there is none.
    pub(crate) async fn fetch_first<T: FromColumns>(&self, sql: &'static str, args: &[Arg<'_>]) -> Result<T> {
        self.fetch_rows(sql, args).await?.into_iter().next().ok_or(StoreError::NotFound)
    }
}
