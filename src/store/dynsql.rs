//! SQL assembled at run time (optional filters, multi-row inserts) with `$N` placeholders.
//! sqlx's `QueryBuilder` writes `?` placeholders for the `Any` driver, which PostgreSQL
//! rejects; this writes the numbered form that both engines accept.

use super::{Result, StoreError};
use sqlx::{Any, Arguments, Encode, Type, any::AnyArguments};
use std::fmt::Write;

pub(crate) struct DynSql {
    pub sql: String,
    pub args: AnyArguments,
}

impl DynSql {
    pub fn new(sql: &str) -> Self {
        Self { sql: sql.to_owned(), args: AnyArguments::default() }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub fn bind<T>(&mut self, value: T) -> Result<&mut Self>
    where
        T: for<'q> Encode<'q, Any> + Type<Any>,
    {
        self.args.add(value).map_err(|e| StoreError::Database(sqlx::Error::Encode(e)))?;
        let _ = write!(self.sql, "${}", self.args.len());
        Ok(self)
    }
}
