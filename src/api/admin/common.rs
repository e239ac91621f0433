//! Pieces every admin handler shares: the `seller_id` query parameter (which operator tokens
//! must give on per-seller routes), pagination parameters, and the `{"data": ...}` envelope.

use super::AdminError;
use super::views::{ClientPage, Data, Page};
use crate::domain::ids::SellerId;
use crate::manage::licenses::Format;
use crate::manage::{Listed, PageRequest};
use axum::{
    Json,
    http::{HeaderMap, StatusCode, header},
};
use serde::Deserialize;

/// One resource or result as `{"data": ...}`.
pub type Answer<T> = Result<Json<Data<T>>, AdminError>;
/// A page of a counted list as `{"data": [...], "meta": {...}}`.
pub type Listing<T> = Result<Json<Page<T>>, AdminError>;
/// A page of a client-data table as `{"data": [...], "meta": {"page", "limit"}}`.
pub type ClientListing<T> = Result<Json<ClientPage<T>>, AdminError>;
pub type Created<T> = Result<(StatusCode, Json<Data<T>>), AdminError>;
pub type NoContent = Result<StatusCode, AdminError>;

/// `?seller_id=`: required for operator tokens, optional (and only their own) for seller tokens.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Scoped {
    /// The seller acted on: required with an operator token, optional (and only its own) with a
    /// seller token.
    #[param(value_type = Option<i64>)]
    pub seller_id: Option<SellerId>,
}

/// `?seller_id=&limit=&page=`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScopedPage {
    /// The seller acted on: required with an operator token, optional (and only its own) with a
    /// seller token.
    #[param(value_type = Option<i64>)]
    pub seller_id: Option<SellerId>,
    /// Rows per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<i64>,
}

impl ScopedPage {
    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.limit, self.page)
    }
}

/// An `extend` body (a user's subscriptions, a license).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Extend {
    /// `30d`, `12h`, ... or seconds.
    pub duration: String,
}

/// A `ban` body: the reason is required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ban {
    pub reason: String,
}

/// Serde default of flags that are on unless the body says otherwise (`authed` items need a
/// validated session).
pub fn yes() -> bool {
    true
}

pub fn data<T>(value: impl Into<T>) -> Answer<T> {
    Ok(Json(Data { data: value.into() }))
}

pub fn listed<R, T: From<R>>(list: Listed<R>) -> Listing<T> {
    Ok(Json(list.into()))
}

pub fn created<T>(value: impl Into<T>) -> Created<T> {
    Ok((StatusCode::CREATED, Json(Data { data: value.into() })))
}

pub fn no_content() -> NoContent {
    Ok(StatusCode::NO_CONTENT)
}

/// The format of an uploaded file: CSV when sent as `text/csv`, else JSON.
pub fn upload_format(headers: &HeaderMap) -> Format {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("text/csv") { Format::Csv } else { Format::Json }
}
