//! `/admin/v1/apps/{id}/users`: an app's end users.

use super::common::{Answer, Ban, Extend, Listing, NoContent, data, listed, no_content};
use super::openapi::Errors;
use super::views::{Data, HwidsRemoved, Page, User, UserDetail};
use super::{Admin, Body, PathParam, QueryParams, common::Scoped, routes::Routes};
use crate::domain::ids::{AppId, SellerId, UserId};
use crate::{
    manage::{
        PageRequest,
        users::{self, WebToken},
    },
    state::AppState,
};
use axum::extract::State;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/apps/{id}/users", list)
        .get("/apps/{id}/users/{user_id}", show)
        .delete("/apps/{id}/users/{user_id}", remove)
        .post("/apps/{id}/users/{user_id}/reset-hwid", reset_hwid)
        .post("/apps/{id}/users/{user_id}/web-token", web_token)
        .post("/apps/{id}/users/{user_id}/ban", ban)
        .post("/apps/{id}/users/{user_id}/unban", unban)
        .post("/apps/{id}/users/{user_id}/extend", extend)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListUsers {
    #[param(value_type = Option<i64>)]
    seller_id: Option<SellerId>,
    search: Option<String>,
    limit: Option<i64>,
    page: Option<i64>,
}

/// List or search an app's users.
#[utoipa::path(
    operation_id = "users_list",
    get,
    path = "/apps/{id}/users",
    tag = "users",
    params(("id" = i64, Path), ListUsers),
    responses((status = 200, description = "OK", body = Page<User>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ListUsers>,
    PathParam(app_id): PathParam<AppId>,
) -> Listing<User> {
    let tenant = scope.tenant(q.seller_id)?;
    listed(users::list(&s.store, &tenant, app_id, q.search.as_deref(), PageRequest::new(q.limit, q.page)).await?)
}

type UserPath = PathParam<(AppId, UserId)>;

/// Show a user with HWIDs and subscriptions.
#[utoipa::path(
    operation_id = "users_show",
    get,
    path = "/apps/{id}/users/{user_id}",
    tag = "users",
    params(("id" = i64, Path), ("user_id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<UserDetail>), Errors)
)]
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> Answer<UserDetail> {
    data(users::get(&s.store, &scope.tenant(q.seller_id)?, app_id, id).await?)
}

/// Delete a user.
#[utoipa::path(
    operation_id = "users_remove",
    delete,
    path = "/apps/{id}/users/{user_id}",
    tag = "users",
    params(("id" = i64, Path), ("user_id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> NoContent {
    users::delete(&s.store, &scope.tenant(q.seller_id)?, app_id, id).await?;
    no_content()
}

/// Forget the user's HWIDs.
#[utoipa::path(
    operation_id = "users_reset_hwid",
    post,
    path = "/apps/{id}/users/{user_id}/reset-hwid",
    tag = "users",
    params(("id" = i64, Path), ("user_id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<HwidsRemoved>), Errors)
)]
async fn reset_hwid(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> Answer<HwidsRemoved> {
    let tenant = scope.tenant(q.seller_id)?;
    data(HwidsRemoved { hwids_removed: users::reset_hwid(&s.store, &tenant, app_id, id).await? })
}

/// Issue the user's web-loader token (shown once; single use, 10 minutes): the seller's web
/// loader hands it to the client, whose `login` with `username` + `token` signs in.
#[utoipa::path(
    operation_id = "users_web_token",
    post,
    path = "/apps/{id}/users/{user_id}/web-token",
    tag = "users",
    params(("id" = i64, Path), ("user_id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<WebToken>), Errors)
)]
async fn web_token(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> Answer<WebToken> {
    let tenant = scope.tenant(q.seller_id)?;
    data(users::issue_web_token(&s.store, &tenant, app_id, id).await?)
}

/// Ban a user.
#[utoipa::path(
    operation_id = "users_ban",
    post,
    path = "/apps/{id}/users/{user_id}/ban",
    tag = "users",
    params(("id" = i64, Path), ("user_id" = i64, Path), Scoped),
    request_body = Ban,
    responses((status = 200, description = "OK", body = Data<UserDetail>), Errors)
)]
async fn ban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
    Body(b): Body<Ban>,
) -> Answer<UserDetail> {
    data(users::set_ban(&s.store, &scope.tenant(q.seller_id)?, app_id, id, Some(&b.reason)).await?)
}

/// Unban a user.
#[utoipa::path(
    operation_id = "users_unban",
    post,
    path = "/apps/{id}/users/{user_id}/unban",
    tag = "users",
    params(("id" = i64, Path), ("user_id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<UserDetail>), Errors)
)]
async fn unban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> Answer<UserDetail> {
    data(users::set_ban(&s.store, &scope.tenant(q.seller_id)?, app_id, id, None).await?)
}

/// Extend every timed subscription.
#[utoipa::path(
    operation_id = "users_extend",
    post,
    path = "/apps/{id}/users/{user_id}/extend",
    tag = "users",
    params(("id" = i64, Path), ("user_id" = i64, Path), Scoped),
    request_body = Extend,
    responses((status = 200, description = "OK", body = Data<UserDetail>), Errors)
)]
async fn extend(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
    Body(b): Body<Extend>,
) -> Answer<UserDetail> {
    data(users::extend(&s.store, &scope.tenant(q.seller_id)?, app_id, id, &b.duration).await?)
}
