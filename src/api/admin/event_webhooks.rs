//! `/admin/v1/webhooks`: the seller's event webhook endpoints, their delivery log, and
//! redelivery of one delivery or of every failed one.

use super::common::{Created, JsonResult, NoContent, Scoped, ScopedPage, created, data, listed, no_content};
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::{
    manage::{
        PageRequest,
        event_webhooks::{self, EndpointInput},
    },
    state::AppState,
};
use axum::extract::State;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/webhooks", list)
        .post("/webhooks", create)
        .get("/webhooks/{id}", show)
        .patch("/webhooks/{id}", update)
        .delete("/webhooks/{id}", remove)
        .get("/webhooks/{id}/deliveries", deliveries)
        .post("/webhooks/{id}/deliveries/{delivery_id}/redeliver", redeliver_one)
        .post("/webhooks/{id}/redeliver-failed", redeliver_failed)
}

/// The signing secret is in `secret`, shown this once.
async fn create(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(b): Body<EndpointInput>,
) -> Created {
    created(event_webhooks::create(&s.store, &scope, q.seller_id, b).await?)
}

async fn list(State(s): State<AppState>, Admin(scope): Admin, QueryParams(q): QueryParams<ScopedPage>) -> JsonResult {
    listed(event_webhooks::list(&s.store, &scope, q.seller_id, q.page()).await?)
}

async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> JsonResult {
    data(event_webhooks::get(&s.store, &scope, q.seller_id, id).await?)
}

async fn update(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
    Body(b): Body<EndpointInput>,
) -> JsonResult {
    data(event_webhooks::update(&s.store, &scope, q.seller_id, id, b).await?)
}

async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> NoContent {
    event_webhooks::delete(&s.store, &scope, q.seller_id, id).await?;
    no_content()
}

/// `?state=pending|delivered|failed&limit=&page=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveryQuery {
    seller_id: Option<i64>,
    state: Option<String>,
    limit: Option<i64>,
    page: Option<i64>,
}

async fn deliveries(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<DeliveryQuery>,
    PathParam(id): PathParam<i64>,
) -> JsonResult {
    let page = PageRequest::new(q.limit, q.page);
    listed(event_webhooks::deliveries(&s.store, &scope, q.seller_id, id, q.state.as_deref(), page).await?)
}

async fn redeliver_one(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, delivery_id)): PathParam<(i64, i64)>,
) -> JsonResult {
    data(event_webhooks::redeliver(&s.store, &scope, q.seller_id, id, Some(delivery_id)).await?)
}

async fn redeliver_failed(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> JsonResult {
    data(event_webhooks::redeliver(&s.store, &scope, q.seller_id, id, None).await?)
}
