//! `/admin/v1/apps`: apps with their settings and secret, and their plans.

use super::common::{Created, JsonResult, NoContent, Scoped, ScopedPage, created, data, listed, no_content};
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

async fn create(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(body): Body<CreateApp>,
) -> Created {
    created(apps::create(&s.store, &scope, q.seller_id, &body.name).await?)
}

async fn list(State(s): State<AppState>, Admin(scope): Admin, QueryParams(q): QueryParams<ScopedPage>) -> JsonResult {
    listed(apps::list(&s.store, &scope, q.seller_id, q.page()).await?)
}

async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> JsonResult {
    data(apps::get(&s.store, &scope, q.seller_id, id).await?)
}

async fn update(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
    Body(body): Body<AppSettings>,
) -> JsonResult {
    data(apps::update(&s.store, &scope, q.seller_id, id, body).await?)
}

async fn rotate_secret(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> JsonResult {
    data(apps::rotate_secret(&s.store, &scope, q.seller_id, id).await?)
}

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

async fn create_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
    Body(b): Body<CreatePlan>,
) -> Created {
    created(plans::create(&s.store, &scope, q.seller_id, id, &b.name, b.level, b.duration_secs).await?)
}

async fn list_plans(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
    PathParam(id): PathParam<i64>,
) -> JsonResult {
    listed(plans::list(&s.store, &scope, q.seller_id, id, q.page()).await?)
}

async fn remove_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, plan_id)): PathParam<(i64, i64)>,
) -> NoContent {
    plans::delete(&s.store, &scope, q.seller_id, id, plan_id).await?;
    no_content()
}
