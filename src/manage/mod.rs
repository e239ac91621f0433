//! The seller's operations, one set shared by the admin API and the CLI: input checks, tenant
//! scope, and the audit trail. Handlers and CLI commands parse, call one function here, render.

pub mod client_content;
pub mod client_data;
pub mod sellers;
pub mod tokens;

use crate::domain::validate::FieldError;
use crate::store::{StoreError, tokens::TokenKind};
use thiserror::Error;

/// On whose behalf an operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `None`: the operator, who may act on any seller.
    pub seller_id: Option<i64>,
    /// Recorded in audit events, e.g. `token:12` or `cli`.
    pub actor: String,
}

impl Scope {
    /// The operator on the box, through the CLI.
    pub fn cli() -> Self {
        Self { seller_id: None, actor: "cli".into() }
    }

    pub fn from_token(token_id: i64, kind: TokenKind, seller_id: Option<i64>) -> Self {
        let seller_id = if kind == TokenKind::Operator { None } else { seller_id };
        Self { seller_id, actor: format!("token:{token_id}") }
    }

    pub fn is_operator(&self) -> bool {
        self.seller_id.is_none()
    }

    /// The seller an operation acts on: a seller token always acts on its own seller, and a
    /// different one answers like a missing one; the operator must say which.
    pub fn seller(&self, requested: Option<i64>) -> Result<i64, ManageError> {
        match (self.seller_id, requested) {
            (Some(own), None) => Ok(own),
            (Some(own), Some(r)) if r == own => Ok(own),
            (Some(_), Some(_)) => Err(ManageError::NotFound("seller")),
            (None, Some(r)) => Ok(r),
            (None, None) => Err(ManageError::Invalid(FieldError::new("seller_id", "required for operator tokens"))),
        }
    }

    pub fn require_operator(&self) -> Result<(), ManageError> {
        if self.is_operator() { Ok(()) } else { Err(ManageError::Forbidden) }
    }
}

#[derive(Debug, Error)]
pub enum ManageError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(#[from] FieldError),
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    #[error("this operation needs an operator token")]
    Forbidden,
    #[error(transparent)]
    Store(StoreError),
}

impl ManageError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldError::new(field, message))
    }

    /// Maps a store error, naming the entity on `NotFound` and the field on a unique conflict.
    pub fn from_store(entity: &'static str, field: &'static str) -> impl Fn(StoreError) -> ManageError {
        move |e| match e {
            StoreError::NotFound => ManageError::NotFound(entity),
            StoreError::Conflict(_) => {
                ManageError::Conflict { field, message: format!("this {entity} {field} is already taken") }
            }
            other => ManageError::Store(other),
        }
    }
}

impl From<StoreError> for ManageError {
    fn from(e: StoreError) -> Self {
        Self::from_store("record", "value")(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_scope_never_reaches_another_seller() {
        let s = Scope { seller_id: Some(3), actor: "t".into() };
        assert_eq!(s.seller(None).unwrap(), 3);
        assert_eq!(s.seller(Some(3)).unwrap(), 3);
        assert!(matches!(s.seller(Some(4)), Err(ManageError::NotFound(_))));
        assert!(s.require_operator().is_err());
        let op = Scope::cli();
        assert_eq!(op.seller(Some(4)).unwrap(), 4);
        assert!(op.seller(None).is_err());
    }
}
