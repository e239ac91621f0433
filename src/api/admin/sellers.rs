//! `/admin/v1/sellers`: the operator creates and removes tenants; a seller token sees itself.

use super::common::{ScopedPage, listed};
use super::{Admin, AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::{manage::sellers, state::AppState};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new()
        .get("/sellers", list)
        .post("/sellers", create)
        .get("/sellers/{id}", show)
        .delete("/sellers/{id}", remove)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateSeller {
    name: String,
    #[serde(default)]
    key_prefix: String,
}

async fn create(
    State(state): State<AppState>,
    Admin(scope): Admin,
    Body(body): Body<CreateSeller>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let seller = sellers::create(&state.store, &scope, &body.name, &body.key_prefix).await?;
    Ok((StatusCode::CREATED, Json(json!({ "data": seller }))))
}

async fn list(
    State(state): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Result<Json<Value>, AdminError> {
    listed(q.page().slice(sellers::list(&state.store, &scope, q.seller_id).await?)?)
}

async fn show(
    State(state): State<AppState>,
    Admin(scope): Admin,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, AdminError> {
    Ok(Json(json!({ "data": sellers::get(&state.store, &scope, id).await? })))
}

async fn remove(
    State(state): State<AppState>,
    Admin(scope): Admin,
    PathParam(id): PathParam<i64>,
) -> Result<StatusCode, AdminError> {
    sellers::delete(&state.store, &scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
