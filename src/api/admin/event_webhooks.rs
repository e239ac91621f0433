//! `/admin/v1/webhooks`: the seller's event webhook endpoints, their delivery log, and
//! redelivery of one delivery or of every failed one.

use super::common::{Answer, Created, Listing, NoContent, Scoped, ScopedPage, created, data, listed, no_content};
use super::openapi::Errors;
use super::views::{CreatedWebhookEndpoint, Data, Page, Redelivered, WebhookDelivery, WebhookEndpoint};
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::SellerId;
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

/// Create an event webhook endpoint; `secret` (the HMAC signing key) is shown this once.
#[utoipa::path(
    operation_id = "event_webhooks_create",
    post,
    path = "/webhooks",
    tag = "webhooks",
    params(Scoped),
    request_body = EndpointInput,
    responses((status = 201, description = "Created", body = Data<CreatedWebhookEndpoint>), Errors)
)]
async fn create(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(b): Body<EndpointInput>,
) -> Created<CreatedWebhookEndpoint> {
    created(event_webhooks::create(&s.store, &scope.tenant(q.seller_id)?, b).await?)
}

/// List the seller's event webhook endpoints.
#[utoipa::path(
    operation_id = "event_webhooks_list",
    get,
    path = "/webhooks",
    tag = "webhooks",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<WebhookEndpoint>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<WebhookEndpoint> {
    listed(event_webhooks::list(&s.store, &scope.tenant(q.seller_id)?, q.page()).await?)
}

/// Show an endpoint.
#[utoipa::path(
    operation_id = "event_webhooks_show",
    get,
    path = "/webhooks/{id}",
    tag = "webhooks",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<WebhookEndpoint>), Errors)
)]
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> Answer<WebhookEndpoint> {
    data(event_webhooks::get(&s.store, &scope.tenant(q.seller_id)?, id).await?)
}

/// Change an endpoint's URL, event types or switch.
#[utoipa::path(
    operation_id = "event_webhooks_update",
    patch,
    path = "/webhooks/{id}",
    tag = "webhooks",
    params(("id" = i64, Path), Scoped),
    request_body = EndpointInput,
    responses((status = 200, description = "OK", body = Data<WebhookEndpoint>), Errors)
)]
async fn update(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
    Body(b): Body<EndpointInput>,
) -> Answer<WebhookEndpoint> {
    data(event_webhooks::update(&s.store, &scope.tenant(q.seller_id)?, id, b).await?)
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(
    operation_id = "event_webhooks_remove",
    delete,
    path = "/webhooks/{id}",
    tag = "webhooks",
    params(("id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> NoContent {
    event_webhooks::delete(&s.store, &scope.tenant(q.seller_id)?, id).await?;
    no_content()
}

/// `?state=pending|delivered|failed&limit=&page=`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DeliveryQuery {
    /// The seller acted on: required with an operator token.
    #[param(value_type = Option<i64>)]
    seller_id: Option<SellerId>,
    /// pending, delivered or failed.
    state: Option<String>,
    /// Rows per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// From 1 (default 1).
    #[param(minimum = 1)]
    page: Option<i64>,
}

/// The endpoint's delivery log, newest first.
#[utoipa::path(
    operation_id = "event_webhooks_deliveries",
    get,
    path = "/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("id" = i64, Path), DeliveryQuery),
    responses((status = 200, description = "OK", body = Page<WebhookDelivery>), Errors)
)]
async fn deliveries(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<DeliveryQuery>,
    PathParam(id): PathParam<i64>,
) -> Listing<WebhookDelivery> {
    let page = PageRequest::new(q.limit, q.page);
    listed(event_webhooks::deliveries(&s.store, &scope.tenant(q.seller_id)?, id, q.state.as_deref(), page).await?)
}

/// Send one delivery again, now.
#[utoipa::path(
    operation_id = "event_webhooks_redeliver_one",
    post,
    path = "/webhooks/{id}/deliveries/{delivery_id}/redeliver",
    tag = "webhooks",
    params(("id" = i64, Path), ("delivery_id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<Redelivered>), Errors)
)]
async fn redeliver_one(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, delivery_id)): PathParam<(i64, i64)>,
) -> Answer<Redelivered> {
    data(event_webhooks::redeliver(&s.store, &scope.tenant(q.seller_id)?, id, Some(delivery_id)).await?)
}

/// Send every failed delivery of the endpoint again, now.
#[utoipa::path(
    operation_id = "event_webhooks_redeliver_failed",
    post,
    path = "/webhooks/{id}/redeliver-failed",
    tag = "webhooks",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<Redelivered>), Errors)
)]
async fn redeliver_failed(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> Answer<Redelivered> {
    data(event_webhooks::redeliver(&s.store, &scope.tenant(q.seller_id)?, id, None).await?)
}
