//! `/admin/v1/store-connections`: a seller's connections to stores' order webhooks (signing
//! secret, shown once, and the variant -> app + plan map).

use super::common::{Answer, Created, NoContent, Scoped, created, data, no_content};
use super::openapi::Errors;
use super::views::{Data, StoreConnection};
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::{
    manage::store_connections::{self, ConnectionInput},
    state::AppState,
};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::new()
        .get("/store-connections", list)
        .post("/store-connections", create)
        .delete("/store-connections/{id}", remove)
}

/// Connect a store; `secret` (to paste into the store's webhook settings) is shown this once.
#[utoipa::path(
    operation_id = "store_connections_create",
    post,
    path = "/store-connections",
    tag = "store-connections",
    params(Scoped),
    request_body = ConnectionInput,
    responses((status = 201, description = "Created", body = Data<StoreConnection>), Errors)
)]
async fn create(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(b): Body<ConnectionInput>,
) -> Created<StoreConnection> {
    created(store_connections::create(&s.store, &scope.tenant(q.seller_id)?, b).await?)
}

/// The seller's store connections, without their secrets.
#[utoipa::path(
    operation_id = "store_connections_list",
    get,
    path = "/store-connections",
    tag = "store-connections",
    params(Scoped),
    responses((status = 200, description = "OK", body = Data<Vec<StoreConnection>>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
) -> Answer<Vec<StoreConnection>> {
    let all = store_connections::list(&s.store, &scope.tenant(q.seller_id)?).await?;
    data(all.into_iter().map(StoreConnection::from).collect::<Vec<_>>())
}

/// Disconnect a store: its webhooks are refused from now on (keys already made stay).
#[utoipa::path(
    operation_id = "store_connections_remove",
    delete,
    path = "/store-connections/{id}",
    tag = "store-connections",
    params(("id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> NoContent {
    store_connections::delete(&s.store, &scope.tenant(q.seller_id)?, id).await?;
    no_content()
}
