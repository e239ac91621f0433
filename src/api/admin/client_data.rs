//! `/admin/v1/apps/{id}/...`: the client API's data of one app: variables, user variables,
//! blacklist, live sessions and client logs. Operator tokens name the seller with `?seller_id=`;
//! a seller token only reaches its own apps (another seller's app answers 404 like a missing one).

use super::common::{Answer, ClientListing, Created, NoContent, created, data, no_content, yes};
use super::openapi::{Conflict, Errors};
use super::views::{AppVar, BlacklistEntry, ClientLog, ClientPage, ClientPageMeta, Data, Ended, LiveSession, UserVar};
use super::{Admin, AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::{AppId, SellerId, UserId};
use crate::{
    manage::{
        PageRequest,
        client_data::{self as client, ClientApp},
    },
    state::AppState,
};
use axum::{
    Json,
    extract::{FromRequestParts, State},
    http::{StatusCode, request::Parts},
};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Routes {
    Routes::new()
        .get("/apps/{id}/vars", list_vars)
        .post("/apps/{id}/vars", set_var)
        .delete("/apps/{id}/vars/{name}", delete_var)
        .get("/apps/{id}/users/{user_id}/vars", list_user_vars)
        .post("/apps/{id}/users/{user_id}/vars", set_user_var)
        .delete("/apps/{id}/users/{user_id}/vars/{name}", delete_user_var)
        .delete("/apps/{id}/users/{user_id}/sessions", end_user_sessions)
        .get("/apps/{id}/blacklist", list_blacklist)
        .post("/apps/{id}/blacklist", add_blacklist)
        .delete("/apps/{id}/blacklist/{entry_id}", remove_blacklist)
        .get("/apps/{id}/sessions", list_sessions)
        .delete("/apps/{id}/sessions/{session_id}", end_session)
        .get("/apps/{id}/logs", list_logs)
}

/// `?seller_id=`: required for operator tokens, optional (and only their own) for seller tokens.
/// Other query parameters are left to the handler (listings take `limit` and `page`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SellerParam {
    /// The app's seller: required with an operator token.
    #[param(value_type = Option<i64>)]
    pub seller_id: Option<SellerId>,
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
            .and_then(|v| v.parse::<AppId>().ok())
            .ok_or_else(|| AdminError::Rejected(StatusCode::BAD_REQUEST, "the app id must be an integer".into()))?;
        let QueryParams(q) = QueryParams::<SellerParam>::from_request_parts(parts, state).await?;
        Ok(AppAt(client::client_app(&state.store, &scope.tenant(q.seller_id)?, id).await?))
    }
}

/// A page of rows as `{"data": [...], "meta": {"page", "limit"}}` (no `total`: these tables are
/// read a page at a time, never counted). `?limit=&page=` come as a `PageRequest`; `seller_id` is
/// read by `AppAt`.
pub async fn listed<R, T: From<R>>(
    q: PageRequest,
    rows: impl AsyncFnOnce(crate::store::Page) -> Result<Vec<R>, crate::manage::ManageError>,
) -> ClientListing<T> {
    let (page, meta) = q.page()?;
    let data = rows(page).await?.into_iter().map(T::from).collect();
    Ok(Json(ClientPage { data, meta: ClientPageMeta { page: meta.page, limit: meta.limit } }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SetVar {
    name: String,
    value: String,
    #[serde(default = "yes")]
    authed: bool,
}

/// List an app's variables.
#[utoipa::path(
    operation_id = "client_data_list_vars",
    get,
    path = "/apps/{id}/vars",
    tag = "client data",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<AppVar>), Errors)
)]
async fn list_vars(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<AppVar> {
    listed(q, async |p| client::list_app_vars(&s.store, &at, p).await).await
}

/// Set an app variable (creates or replaces by name).
#[utoipa::path(
    operation_id = "client_data_set_var",
    post,
    path = "/apps/{id}/vars",
    tag = "client data",
    params(("id" = i64, Path), SellerParam),
    request_body = SetVar,
    responses((status = 200, description = "OK", body = Data<AppVar>), Errors)
)]
async fn set_var(State(s): State<AppState>, AppAt(at): AppAt, Body(b): Body<SetVar>) -> Answer<AppVar> {
    data(client::set_app_var(&s.store, &at, &b.name, &b.value, b.authed).await?)
}

/// Delete an app variable.
#[utoipa::path(
    operation_id = "client_data_delete_var",
    delete,
    path = "/apps/{id}/vars/{name}",
    tag = "client data",
    params(("id" = i64, Path), ("name" = String, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn delete_var(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, name)): PathParam<(i64, String)>,
) -> NoContent {
    client::delete_app_var(&s.store, &at, &name).await?;
    no_content()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SetUserVar {
    name: String,
    value: String,
    #[serde(default)]
    readonly: bool,
}

/// List a user's variables.
#[utoipa::path(
    operation_id = "client_data_list_user_vars",
    get,
    path = "/apps/{id}/users/{user_id}/vars",
    tag = "client data",
    params(("id" = i64, Path), ("user_id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<UserVar>), Errors)
)]
async fn list_user_vars(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
    PathParam((_, user_id)): PathParam<(i64, UserId)>,
) -> ClientListing<UserVar> {
    listed(q, async |p| client::list_user_vars(&s.store, &at, user_id, p).await).await
}

/// Set a user variable (creates or replaces by name).
#[utoipa::path(
    operation_id = "client_data_set_user_var",
    post,
    path = "/apps/{id}/users/{user_id}/vars",
    tag = "client data",
    params(("id" = i64, Path), ("user_id" = i64, Path), SellerParam),
    request_body = SetUserVar,
    responses((status = 200, description = "OK", body = Data<UserVar>), Errors)
)]
async fn set_user_var(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, user_id)): PathParam<(i64, UserId)>,
    Body(b): Body<SetUserVar>,
) -> Answer<UserVar> {
    data(client::set_user_var(&s.store, &at, user_id, &b.name, &b.value, b.readonly).await?)
}

/// Delete a user variable.
#[utoipa::path(
    operation_id = "client_data_delete_user_var",
    delete,
    path = "/apps/{id}/users/{user_id}/vars/{name}",
    tag = "client data",
    params(("id" = i64, Path), ("user_id" = i64, Path), ("name" = String, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn delete_user_var(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, user_id, name)): PathParam<(i64, UserId, String)>,
) -> NoContent {
    client::delete_user_var(&s.store, &at, user_id, &name).await?;
    no_content()
}

/// End every session of a user.
#[utoipa::path(
    operation_id = "client_data_end_user_sessions",
    delete,
    path = "/apps/{id}/users/{user_id}/sessions",
    tag = "client data",
    params(("id" = i64, Path), ("user_id" = i64, Path), SellerParam),
    responses((status = 200, description = "OK", body = Data<Ended>), Errors)
)]
async fn end_user_sessions(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, user_id)): PathParam<(i64, UserId)>,
) -> Answer<Ended> {
    data(Ended { ended: client::end_user_sessions(&s.store, &at, user_id).await? })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AddBlacklist {
    kind: String,
    value: String,
    #[serde(default)]
    reason: String,
}

/// List an app's blacklist.
#[utoipa::path(
    operation_id = "client_data_list_blacklist",
    get,
    path = "/apps/{id}/blacklist",
    tag = "client data",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<BlacklistEntry>), Errors)
)]
async fn list_blacklist(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<BlacklistEntry> {
    listed(q, async |p| client::list_blacklist(&s.store, &at, p).await).await
}

/// Blacklist a HWID or an IP.
#[utoipa::path(
    operation_id = "client_data_add_blacklist",
    post,
    path = "/apps/{id}/blacklist",
    tag = "client data",
    params(("id" = i64, Path), SellerParam),
    request_body = AddBlacklist,
    responses((status = 201, description = "Created", body = Data<BlacklistEntry>), Conflict, Errors)
)]
async fn add_blacklist(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    Body(b): Body<AddBlacklist>,
) -> Created<BlacklistEntry> {
    created(client::add_blacklist(&s.store, &at, &b.kind, &b.value, &b.reason).await?)
}

/// Remove a blacklist entry.
#[utoipa::path(
    operation_id = "client_data_remove_blacklist",
    delete,
    path = "/apps/{id}/blacklist/{entry_id}",
    tag = "client data",
    params(("id" = i64, Path), ("entry_id" = i64, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove_blacklist(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, entry_id)): PathParam<(i64, i64)>,
) -> NoContent {
    client::remove_blacklist(&s.store, &at, entry_id).await?;
    no_content()
}

/// List an app's live (unexpired) sessions.
#[utoipa::path(
    operation_id = "client_data_list_sessions",
    get,
    path = "/apps/{id}/sessions",
    tag = "client data",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<LiveSession>), Errors)
)]
async fn list_sessions(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<LiveSession> {
    listed(q, async |p| client::list_sessions(&s.store, &at, p).await).await
}

/// End a session (by its listed id or the client's session id).
#[utoipa::path(
    operation_id = "client_data_end_session",
    delete,
    path = "/apps/{id}/sessions/{session_id}",
    tag = "client data",
    params(("id" = i64, Path), ("session_id" = String, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn end_session(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, session_id)): PathParam<(i64, String)>,
) -> NoContent {
    client::end_session(&s.store, &at, &session_id).await?;
    no_content()
}

/// List an app's client logs, newest first.
#[utoipa::path(
    operation_id = "client_data_list_logs",
    get,
    path = "/apps/{id}/logs",
    tag = "client data",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<ClientLog>), Errors)
)]
async fn list_logs(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<ClientLog> {
    listed(q, async |p| client::list_logs(&s.store, &at, p).await).await
}
