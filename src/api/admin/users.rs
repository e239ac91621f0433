//! `/admin/v1/apps/{id}/users`: an app's end users.

use super::common::{Answer, Ban, Listing, NoContent, data, listed, no_content};
use super::views::{HwidsRemoved, User, UserDetail};
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

/// List or search an app's users.
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ListUsers>,
    PathParam(app_id): PathParam<i64>,
) -> Listing<User> {
    let at = AppRef { seller_id: q.seller_id, app_id };
    listed(users::list(&s.store, &scope, at, q.search.as_deref(), PageRequest::new(q.limit, q.page)).await?)
}

type UserPath = PathParam<(i64, i64)>;

/// Show a user with HWIDs and subscriptions.
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> Answer<UserDetail> {
    data(users::get(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id).await?)
}

/// Delete a user.
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> NoContent {
    users::delete(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id).await?;
    no_content()
}

/// Forget the user's HWIDs.
async fn reset_hwid(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> Answer<HwidsRemoved> {
    let at = AppRef { seller_id: q.seller_id, app_id };
    data(HwidsRemoved { hwids_removed: users::reset_hwid(&s.store, &scope, at, id).await? })
}

/// Ban a user.
async fn ban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
    Body(b): Body<Ban>,
) -> Answer<UserDetail> {
    data(users::set_ban(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id, Some(&b.reason)).await?)
}

/// Unban a user.
async fn unban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
) -> Answer<UserDetail> {
    data(users::set_ban(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id, None).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Extend {
    /// `30d`, `12h`, ... or seconds.
    duration: String,
}

/// Extend every timed subscription.
async fn extend(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((app_id, id)): UserPath,
    Body(b): Body<Extend>,
) -> Answer<UserDetail> {
    data(users::extend(&s.store, &scope, AppRef { seller_id: q.seller_id, app_id }, id, &b.duration).await?)
}
