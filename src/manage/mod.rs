//! The operations, one set shared by every face (admin API, CLI, browser faces, seller API,
//! Reseller API, Licenses and Lemon Squeezy APIs, store webhooks): input checks, access (a
//! `Tenant` or `Operator` from `access`), one transaction each with its events, and an audit row
//! for what sellers, their staff and resellers and the operator do.
//! Handlers and CLI commands parse, call one function here, render.

pub mod access;
pub mod activations;
pub mod apps;
pub mod audit;
pub mod bought_keys;
pub mod client_content;
pub mod client_data;
pub mod client_tokens;
pub mod customer_panel;
pub mod customers;
pub mod end_users;
pub mod event_webhooks;
pub mod keyauth;
pub mod licenses;
pub mod offline;
pub mod overview;
pub mod panel;
pub mod panel_invitations;
pub mod plans;
pub mod reseller_api;
pub mod reseller_dashboard;
pub mod resellers;
pub mod sellers;
pub mod store_connections;
pub mod tokens;
pub mod users;

pub use access::{Operator, Tenant};

use crate::domain::events::Event;
use crate::domain::ids::SellerId;
use crate::domain::validate::{self, FieldError};
use crate::store::{Page, Store, StoreError, tokens::TokenKind};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One page of a list, in the shape both faces print: `{"data": [...], "meta": {...}}`.
#[derive(Debug, Clone, Serialize)]
pub struct Listed<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct PageMeta {
    pub page: i64,
    pub limit: i64,
    pub total: i64,
}

/// The page a caller asks for; page sizes are bounded so no list answer is unbounded.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// Rows per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<i64>,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: i64 = 50;

    pub fn new(limit: Option<i64>, page: Option<i64>) -> Self {
        Self { limit, page }
    }

    /// The checked page: `limit` in 1..=500, `page` from 1.
    pub fn page(self) -> Result<(Page, PageMeta), ManageError> {
        let limit = validate::in_range("limit", self.limit.unwrap_or(Self::DEFAULT_LIMIT), 1, Page::MAX_LIMIT)?;
        let page = validate::in_range("page", self.page.unwrap_or(1), 1, i64::from(i32::MAX))?;
        Ok((Page::new(limit, page), PageMeta { page, limit, total: 0 }))
    }

    /// Pages a short list that was read whole (a seller's apps, plans, resellers).
    pub fn slice<T>(self, all: Vec<T>) -> Result<Listed<T>, ManageError> {
        let (page, mut meta) = self.page()?;
        meta.total = all.len() as i64;
        let data = all.into_iter().skip(page.offset as usize).take(page.limit as usize).collect();
        Ok(Listed { data, meta })
    }
}

impl<T> Listed<T> {
    pub fn new(data: Vec<T>, mut meta: PageMeta, total: i64) -> Self {
        meta.total = total;
        Self { data, meta }
    }
}

/// Runs one state-changing operation in one write transaction. `op` gets a store handle bound
/// to it (and only that one: the name `store` is shadowed), so its reads, conditional writes,
/// audit row and events commit together, and any error rolls all of them back.
async fn change<T>(store: &Store, op: impl AsyncFnOnce(&Store) -> Result<T, ManageError>) -> Result<T, ManageError> {
    let unit = store.begin().await?;
    let out = op(&unit).await?;
    unit.commit().await?;
    Ok(out)
}

/// Records the events of a change (inside the change's transaction).
async fn emit(store: &Store, events: &[Event]) -> Result<(), ManageError> {
    Ok(store.record_events(events).await?)
}

/// On whose behalf an operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `None`: the operator, who may act on any seller. Private to `manage`: faces make a
    /// scope only from what authenticated (`cli`, `from_token`).
    seller_id: Option<SellerId>,
    /// Recorded in audit events, e.g. `token:12` or `cli`.
    actor: String,
}

impl Scope {
    /// The operator on the box, through the CLI.
    pub fn cli() -> Self {
        Self { seller_id: None, actor: "cli".into() }
    }

    pub fn from_token(token_id: i64, kind: TokenKind, seller_id: Option<SellerId>) -> Self {
        let seller_id = if kind == TokenKind::Operator { None } else { seller_id };
        Self { seller_id, actor: format!("token:{token_id}") }
    }

    pub fn is_operator(&self) -> bool {
        self.seller_id.is_none()
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
