//! Pieces every admin handler shares: the `seller_id` query parameter (which operator tokens
//! must give on per-seller routes), pagination parameters, and the `{"data": ...}` envelope.

use super::AdminError;
use crate::manage::PageRequest;
use axum::{Json, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub type JsonResult = Result<Json<Value>, AdminError>;
pub type Created = Result<(StatusCode, Json<Value>), AdminError>;
pub type NoContent = Result<StatusCode, AdminError>;

/// `?seller_id=`: required for operator tokens, optional (and only their own) for seller tokens.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoped {
    pub seller_id: Option<i64>,
}

/// `?seller_id=&limit=&page=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopedPage {
    pub seller_id: Option<i64>,
    pub limit: Option<i64>,
    pub page: Option<i64>,
}

impl ScopedPage {
    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.limit, self.page)
    }
}

/// A `ban` body: the reason is required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ban {
    pub reason: String,
}

/// Serde default of flags that are on unless the body says otherwise (`authed` items need a
/// validated session).
pub fn yes() -> bool {
    true
}

pub fn data<T: Serialize>(value: T) -> JsonResult {
    Ok(Json(json!({ "data": value })))
}

pub fn listed<T: Serialize>(value: T) -> JsonResult {
    Ok(Json(serde_json::to_value(value).unwrap_or(Value::Null)))
}

pub fn created<T: Serialize>(value: T) -> Created {
    Ok((StatusCode::CREATED, Json(json!({ "data": value }))))
}

pub fn no_content() -> NoContent {
    Ok(StatusCode::NO_CONTENT)
}
