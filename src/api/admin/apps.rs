//! `/admin/v1/apps`: apps with their settings and secret, and their plans.

use super::common::{Answer, Created, Listing, NoContent, Scoped, ScopedPage, created, data, listed, no_content};
use super::openapi::{Conflict, Errors};
use super::views::{App, AppDetail, Data, Page, Plan};
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::{AppId, PlanId};
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
        .get("/apps/{id}/plans/{plan_id}", show_plan)
        .patch("/apps/{id}/plans/{plan_id}", update_plan)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateApp {
    name: String,
}

/// Create an app.
#[utoipa::path(
    operation_id = "apps_create",
    post,
    path = "/apps",
    tag = "apps",
    params(Scoped),
    request_body = CreateApp,
    responses((status = 201, description = "Created", body = Data<AppDetail>), Conflict, Errors)
)]
async fn create(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(body): Body<CreateApp>,
) -> Created<AppDetail> {
    created(apps::create(&s.store, &scope.tenant(q.seller_id)?, &body.name).await?)
}

/// List apps.
#[utoipa::path(
    operation_id = "apps_list",
    get,
    path = "/apps",
    tag = "apps",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<App>), Errors)
)]
async fn list(State(s): State<AppState>, Admin(scope): Admin, QueryParams(q): QueryParams<ScopedPage>) -> Listing<App> {
    listed(apps::list(&s.store, &scope.tenant(q.seller_id)?, q.page()).await?)
}

/// Show an app with its HMAC secret.
#[utoipa::path(
    operation_id = "apps_show",
    get,
    path = "/apps/{id}",
    tag = "apps",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<AppDetail>), Errors)
)]
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<AppId>,
) -> Answer<AppDetail> {
    data(apps::get(&s.store, &scope.tenant(q.seller_id)?, id).await?)
}

/// Change settings; absent fields stay.
#[utoipa::path(
    operation_id = "apps_update",
    patch,
    path = "/apps/{id}",
    tag = "apps",
    params(("id" = i64, Path), Scoped),
    request_body = AppSettings,
    responses((status = 200, description = "OK", body = Data<App>), Conflict, Errors)
)]
async fn update(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<AppId>,
    Body(body): Body<AppSettings>,
) -> Answer<App> {
    data(apps::update(&s.store, &scope.tenant(q.seller_id)?, id, body).await?)
}

/// Replace the HMAC secret.
#[utoipa::path(
    operation_id = "apps_rotate_secret",
    post,
    path = "/apps/{id}/rotate-secret",
    tag = "apps",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<AppDetail>), Errors)
)]
async fn rotate_secret(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<AppId>,
) -> Answer<AppDetail> {
    data(apps::rotate_secret(&s.store, &scope.tenant(q.seller_id)?, id).await?)
}

/// Delete an app with its plans, licenses and users.
#[utoipa::path(
    operation_id = "apps_remove",
    delete,
    path = "/apps/{id}",
    tag = "apps",
    params(("id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<AppId>,
) -> NoContent {
    apps::delete(&s.store, &scope.tenant(q.seller_id)?, id).await?;
    no_content()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreatePlan {
    name: String,
    level: i64,
    duration_secs: Option<i64>,
}

/// Create a plan.
#[utoipa::path(
    operation_id = "apps_create_plan",
    post,
    path = "/apps/{id}/plans",
    tag = "apps",
    params(("id" = i64, Path), Scoped),
    request_body = CreatePlan,
    responses((status = 201, description = "Created", body = Data<Plan>), Conflict, Errors)
)]
async fn create_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<AppId>,
    Body(b): Body<CreatePlan>,
) -> Created<Plan> {
    created(plans::create(&s.store, &scope.tenant(q.seller_id)?, id, &b.name, b.level, b.duration_secs).await?)
}

/// List an app's plans.
#[utoipa::path(
    operation_id = "apps_list_plans",
    get,
    path = "/apps/{id}/plans",
    tag = "apps",
    params(("id" = i64, Path), ScopedPage),
    responses((status = 200, description = "OK", body = Page<Plan>), Errors)
)]
async fn list_plans(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
    PathParam(id): PathParam<AppId>,
) -> Listing<Plan> {
    listed(plans::list(&s.store, &scope.tenant(q.seller_id)?, id, q.page()).await?)
}

/// Show one plan.
#[utoipa::path(
    operation_id = "apps_show_plan",
    get,
    path = "/apps/{id}/plans/{plan_id}",
    tag = "apps",
    params(("id" = i64, Path), ("plan_id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<Plan>), Errors)
)]
async fn show_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, plan_id)): PathParam<(AppId, PlanId)>,
) -> Answer<Plan> {
    data(plans::get(&s.store, &scope.tenant(q.seller_id)?, id, plan_id).await?)
}

/// Change a plan's name, level or default duration (`null`: lifetime); absent fields stay.
/// Keys generated before keep their own duration and expiry.
#[utoipa::path(
    operation_id = "apps_update_plan",
    patch,
    path = "/apps/{id}/plans/{plan_id}",
    tag = "apps",
    params(("id" = i64, Path), ("plan_id" = i64, Path), Scoped),
    request_body = plans::PlanChanges,
    responses((status = 200, description = "OK", body = Data<Plan>), Conflict, Errors)
)]
async fn update_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, plan_id)): PathParam<(AppId, PlanId)>,
    Body(b): Body<plans::PlanChanges>,
) -> Answer<Plan> {
    data(plans::update(&s.store, &scope.tenant(q.seller_id)?, id, plan_id, b).await?)
}

/// Delete a plan (409 while licenses use it).
#[utoipa::path(
    operation_id = "apps_remove_plan",
    delete,
    path = "/apps/{id}/plans/{plan_id}",
    tag = "apps",
    params(("id" = i64, Path), ("plan_id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove_plan(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, plan_id)): PathParam<(AppId, PlanId)>,
) -> NoContent {
    plans::delete(&s.store, &scope.tenant(q.seller_id)?, id, plan_id).await?;
    no_content()
}
