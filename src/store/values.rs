//! How flag and setting columns decode into domain types, on both row kinds (sqlx's `Any` rows
//! and the direct SQLite path's).
//!
//! Both schemas store flags as the integers 0/1 and settings as their names. A row field is
//! the domain type (`bool`, `KeyCase`, ...) and names its stored form: `#[sqlx(try_from =
//! "Flag")]` for sqlx, `field as Flag` in `from_columns!` for the direct path. Binds write the
//! stored form (`i64::from(flag)`, `kind.as_str()`): PostgreSQL refuses a boolean for an
//! integer column.

use super::StoreError;
use crate::domain::{deliveries::Format, keymask::KeyCase, panel::Role};
use crate::store::tokens::TokenKind;
use rusqlite::types::{FromSql, FromSqlResult, ValueRef};

/// A 0/1 flag column as stored; rows decode it into `bool` (any non-zero is true).
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent)]
pub struct Flag(i64);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0 != 0
    }
}

impl FromSql for Flag {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(Self)
    }
}

/// A stored setting whose name is none of its type's names: a decode error, never a silent
/// default (a row written by a newer licensd, or edited by hand).
#[derive(Debug, thiserror::Error)]
#[error("unknown stored {kind} {value:?}")]
pub struct UnknownName {
    kind: &'static str,
    value: String,
}

/// Settings stored as their names, decoded with the type's own `parse`.
macro_rules! stored_as_name {
    ($($ty:ty => $kind:literal),* $(,)?) => {$(
        impl TryFrom<String> for $ty {
            type Error = UnknownName;

            fn try_from(value: String) -> Result<Self, UnknownName> {
                <$ty>::parse(&value).ok_or(UnknownName { kind: $kind, value })
            }
        }
    )*};
}
stored_as_name!(KeyCase => "key case", Role => "panel role", Format => "delivery format", TokenKind => "token kind");

/// The direct path's half of `field as Stored`: the stored value into the field's type.
pub(crate) fn convert<S, T: TryFrom<S>>(stored: S) -> super::Result<T>
where
    T::Error: std::error::Error + Send + Sync + 'static,
{
    T::try_from(stored).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}
