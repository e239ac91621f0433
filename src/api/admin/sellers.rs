//! `/admin/v1/sellers`: the operator creates and removes tenants; a seller token sees itself.

use super::common::{Answer, Created, Listing, NoContent, ScopedPage, created, data, listed, no_content};
use super::openapi::{Conflict, Errors, Forbidden};
use super::views::{Data, Page, Seller};
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::SellerId;
use crate::{manage::sellers, state::AppState};
use axum::extract::State;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/sellers", list)
        .post("/sellers", create)
        .get("/sellers/{id}", show)
        .delete("/sellers/{id}", remove)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateSeller {
    name: String,
    #[serde(default)]
    key_prefix: String,
}

/// Create a seller (operator).
#[utoipa::path(
    operation_id = "sellers_create",
    post,
    path = "/sellers",
    tag = "sellers",
    request_body = CreateSeller,
    responses((status = 201, description = "Created", body = Data<Seller>), Conflict, Forbidden, Errors)
)]
async fn create(State(state): State<AppState>, Admin(scope): Admin, Body(body): Body<CreateSeller>) -> Created<Seller> {
    created(sellers::create(&state.store, &scope.operator()?, &body.name, &body.key_prefix).await?)
}

/// List sellers (operator: all, or the one named by seller_id; seller token: itself).
#[utoipa::path(
    operation_id = "sellers_list",
    get,
    path = "/sellers",
    tag = "sellers",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<Seller>), Errors)
)]
async fn list(
    State(state): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<Seller> {
    listed(q.page().slice(sellers::list(&state.store, &scope, q.seller_id).await?)?)
}

/// Show a seller.
#[utoipa::path(
    operation_id = "sellers_show",
    get,
    path = "/sellers/{id}",
    tag = "sellers",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = Data<Seller>), Errors)
)]
async fn show(
    State(state): State<AppState>,
    Admin(scope): Admin,
    PathParam(id): PathParam<SellerId>,
) -> Answer<Seller> {
    data(sellers::get(&state.store, &scope.tenant(Some(id))?).await?)
}

/// Delete a seller and everything it owns (operator).
#[utoipa::path(
    operation_id = "sellers_remove",
    delete,
    path = "/sellers/{id}",
    tag = "sellers",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Done; no body"), Forbidden, Errors)
)]
async fn remove(State(state): State<AppState>, Admin(scope): Admin, PathParam(id): PathParam<SellerId>) -> NoContent {
    sellers::delete(&state.store, &scope.operator()?, id).await?;
    no_content()
}
