//! `/admin/v1/apps`: apps with their settings and secret, and their plans.

use super::common::{Answer, Created, Listing, NoContent, Scoped, ScopedPage, created, data, listed, no_content};
use super::views::{App, AppDetail, Plan};
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::{
    manage::{
        apps::{self, AppSettings},
        plans,
    },
    state::AppState,
};
use axum::extract::State;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/apps", list)
        .post("/apps", create)
        .get("/apps/{id}", show)
        .patch("/apps/{id}", update)
        .delete("/apps/{id}", remove)
        .post("/apps/{id}/rotate-secret", rotate_secret)
        .get("/apps/{id}/plans", list_plans)
        .post("/apps/{id}/plans", create_plan)
        .delete("/apps/{id}/plans/{plan_id}", remove_plan)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateApp {
    name: String,
}

/// Create an app.
async fn create(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(body): Body<CreateApp>,
) -> Created<AppDetail> {
    created(apps::create(&s.store, &scope, q.seller_id, &body.name).await?)
}

/// List apps.
async fn list(State(s): State<AppState>, Admin(scope): Admin, QueryParams(q): QueryParams<ScopedPage>) -> Listing<App> {
    listed(apps::list(&s.store, &scope, q.seller_id, q.page()).await?)
}

/// Show an app with its HMAC secret.
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> Answer<AppDetail> {
    data(apps::get(&s.store, &scope, q.seller_id, id).await?)
}

/// Change settings; absent fields stay.
async fn update(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
    Body(body): Body<AppSettings>,
) -> Answer<App> {
    data(apps::update(&s.store, &scope, q.seller_id, id, body).await?)
}

/// Replace the HMAC secret.
async fn rotate_secret(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> Answer<AppDetail> {
    data(apps::rotate_secret(&s.store, &scope, q.seller_id, id).await?)
}

/// Delete an app with its plans, licenses and users.
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> NoContent {
    apps::delete(&s.store, &scope, q.seller_id, id).await?;
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreatePlan {
    name: String,
    level: i64,
    duration_secs: Option<i64>,
}

/// Create a plan.
async fn create_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
    Body(b): Body<CreatePlan>,
) -> Created<Plan> {
    created(plans::create(&s.store, &scope, q.seller_id, id, &b.name, b.level, b.duration_secs).await?)
}

/// List an app's plans.
async fn list_plans(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
    PathParam(id): PathParam<i64>,
) -> Listing<Plan> {
    listed(plans::list(&s.store, &scope, q.seller_id, id, q.page()).await?)
}

/// Delete a plan (409 while licenses use it).
async fn remove_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, plan_id)): PathParam<(i64, i64)>,
) -> NoContent {
    plans::delete(&s.store, &scope, q.seller_id, id, plan_id).await?;
    no_content()
}
