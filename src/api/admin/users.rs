//! `/admin/v1/apps/{id}/users`: an app's end users.

use super::common::{Ban, JsonResult, NoContent, data, listed, no_content};
use super::{Admin, Body, PathParam, QueryParams, common::Scoped, routes::Routes};
use crate::{
    manage::{
        PageRequest,
        users::{self, AppRef},
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
        .post("/apps/{id}/users/{user_id}/ban", ban)
        .post("/apps/{id}/users/{user_id}/unban", unban)
        .post("/apps/{id}/users/{user_id}/extend", extend)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListUsers {
    seller_id: Option<i64>,
    search: Option<String>,
    limit: Option<i64>,
    page: Option<i64>,
}

async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ListUsers>,
    PathParam(app_id): PathParam<i64>,
) -> JsonResult {
    let at = AppRef { seller_id: q.seller_id, app_id };
    listed(users::list(&s.store, &scope, at, q.search.as_deref(), PageRequest::new(q.limit, q.page)).await?)
}

type UserPath = PathParam<(i64, i64)>;

async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> JsonResult {
    data(users::get(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id).await?)
}

async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> NoContent {
    users::delete(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id).await?;
    no_content()
}

async fn reset_hwid(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> JsonResult {
    let at = AppRef { seller_id: q.seller_id, app_id };
    let removed = users::reset_hwid(&s.store, &scope, at, id).await?;
    data(serde_json::json!({ "hwids_removed": removed }))
}

async fn ban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
    Body(b): Body<Ban>,
) -> JsonResult {
    data(users::set_ban(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id, Some(&b.reason)).await?)
}

async fn unban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> JsonResult {
    data(users::set_ban(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id, None).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Extend {
    /// `30d`, `12h`, ... or seconds.
    duration: String,
}

async fn extend(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
    Body(b): Body<Extend>,
) -> JsonResult {
    data(users::extend(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id, &b.duration).await?)
}
