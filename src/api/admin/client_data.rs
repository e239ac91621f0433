//! `/admin/v1/apps/{id}/...`: the client API's data of one app: variables, user variables,
//! blacklist, live sessions and client logs. Operator tokens name the seller with `?seller_id=`;
//! a seller token only reaches its own apps (another seller's app answers 404 like a missing one).

use super::{Admin, AdminError, Body, PathParam, QueryParams};
use crate::{
    manage::client_data::{self as data, ClientApp},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{FromRequestParts, State},
    http::{StatusCode, request::Parts},
    routing::{delete, get},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps/{id}/vars", get(list_vars).post(set_var))
        .route("/apps/{id}/vars/{name}", delete(delete_var))
        .route("/apps/{id}/users/{user_id}/vars", get(list_user_vars).post(set_user_var))
        .route("/apps/{id}/users/{user_id}/vars/{name}", delete(delete_user_var))
        .route("/apps/{id}/users/{user_id}/sessions", delete(end_user_sessions))
        .route("/apps/{id}/blacklist", get(list_blacklist).post(add_blacklist))
        .route("/apps/{id}/blacklist/{entry_id}", delete(remove_blacklist))
        .route("/apps/{id}/sessions", get(list_sessions))
        .route("/apps/{id}/sessions/{session_id}", delete(end_session))
        .route("/apps/{id}/logs", get(list_logs))
        .merge(super::client_content::router())
}

/// `?seller_id=`: required for operator tokens, optional (and only their own) for seller tokens.
/// Other query parameters are left to the handler (listings take `limit` and `page`).
#[derive(Debug, Default, Deserialize)]
struct SellerParam {
    seller_id: Option<i64>,
}

/// The app of the path's `{id}`, checked against the caller's token and `?seller_id=`.
pub struct AppAt(pub ClientApp);

impl FromRequestParts<AppState> for AppAt {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let Admin(scope) = Admin::from_request_parts(parts, state).await?;
        let PathParam(params) = PathParam::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let id = params
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| AdminError::Rejected(StatusCode::BAD_REQUEST, "the app id must be an integer".into()))?;
        let QueryParams(q) = QueryParams::<SellerParam>::from_request_parts(parts, state).await?;
        Ok(AppAt(data::client_app(&state.store, &scope, q.seller_id, id).await?))
    }
}

/// `?limit=&page=` of listings (`seller_id` is read by `AppAt`).
#[derive(Debug, Default, Deserialize)]
pub struct Listing {
    pub limit: Option<i64>,
    pub page: Option<i64>,
}

pub type JsonResult = Result<Json<Value>, AdminError>;
pub type Created = Result<(StatusCode, Json<Value>), AdminError>;
pub type NoContent = Result<StatusCode, AdminError>;

/// A page of rows as `{"data": [...], "meta": {"page", "limit"}}`.
pub async fn listed<T: Serialize>(
    q: &Listing,
    rows: impl AsyncFnOnce(crate::store::Page) -> Result<Vec<T>, crate::manage::ManageError>,
) -> JsonResult {
    let page = data::page(q.limit, q.page)?;
    let rows = rows(page).await?;
    Ok(Json(json!({ "data": rows, "meta": { "page": q.page.unwrap_or(1), "limit": page.limit } })))
}

pub fn one<T: Serialize>(value: T) -> JsonResult {
    Ok(Json(json!({ "data": value })))
}

pub fn created<T: Serialize>(value: T) -> Created {
    Ok((StatusCode::CREATED, Json(json!({ "data": value }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetVar {
    name: String,
    value: String,
    #[serde(default = "yes")]
    authed: bool,
}

/// Serde default of the `authed` flags: items need a validated session unless said otherwise.
pub fn yes() -> bool {
    true
}

async fn list_vars(State(s): State<AppState>, AppAt(at): AppAt, QueryParams(q): QueryParams<Listing>) -> JsonResult {
    listed(&q, async |p| data::list_app_vars(&s.store, &at, p).await).await
}

async fn set_var(State(s): State<AppState>, AppAt(at): AppAt, Body(b): Body<SetVar>) -> JsonResult {
    one(data::set_app_var(&s.store, &at, &b.name, &b.value, b.authed).await?)
}

async fn delete_var(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, name)): PathParam<(i64, String)>,
) -> NoContent {
    data::delete_app_var(&s.store, &at, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetUserVar {
    name: String,
    value: String,
    #[serde(default)]
    readonly: bool,
}

async fn list_user_vars(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<Listing>,
    PathParam((_, user_id)): PathParam<(i64, i64)>,
) -> JsonResult {
    listed(&q, async |p| data::list_user_vars(&s.store, &at, user_id, p).await).await
}

async fn set_user_var(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, user_id)): PathParam<(i64, i64)>,
    Body(b): Body<SetUserVar>,
) -> JsonResult {
    one(data::set_user_var(&s.store, &at, user_id, &b.name, &b.value, b.readonly).await?)
}

async fn delete_user_var(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, user_id, name)): PathParam<(i64, i64, String)>,
) -> NoContent {
    data::delete_user_var(&s.store, &at, user_id, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_user_sessions(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, user_id)): PathParam<(i64, i64)>,
) -> JsonResult {
    one(json!({ "ended": data::end_user_sessions(&s.store, &at, user_id).await? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBlacklist {
    kind: String,
    value: String,
    #[serde(default)]
    reason: String,
}

async fn list_blacklist(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<Listing>,
) -> JsonResult {
    listed(&q, async |p| data::list_blacklist(&s.store, &at, p).await).await
}

async fn add_blacklist(State(s): State<AppState>, AppAt(at): AppAt, Body(b): Body<AddBlacklist>) -> Created {
    created(data::add_blacklist(&s.store, &at, &b.kind, &b.value, &b.reason).await?)
}

async fn remove_blacklist(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, entry_id)): PathParam<(i64, i64)>,
) -> NoContent {
    data::remove_blacklist(&s.store, &at, entry_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_sessions(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<Listing>,
) -> JsonResult {
    listed(&q, async |p| data::list_sessions(&s.store, &at, p).await).await
}

async fn end_session(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, session_id)): PathParam<(i64, String)>,
) -> NoContent {
    data::end_session(&s.store, &at, &session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_logs(State(s): State<AppState>, AppAt(at): AppAt, QueryParams(q): QueryParams<Listing>) -> JsonResult {
    listed(&q, async |p| data::list_logs(&s.store, &at, p).await).await
}
