//! `/admin/v1/tokens`: create (secret shown once), list and revoke API tokens.

use super::common::{ScopedPage, listed};
use super::{Admin, AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::{
    manage::{ManageError, tokens},
    state::AppState,
    store::tokens::TokenKind,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Routes {
    Routes::new().get("/tokens", list).post("/tokens", create).delete("/tokens/{id}", revoke)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateToken {
    kind: String,
    seller_id: Option<i64>,
    #[serde(default)]
    name: String,
}

async fn create(
    State(state): State<AppState>,
    Admin(scope): Admin,
    Body(body): Body<CreateToken>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let kind = TokenKind::parse(&body.kind)
        .ok_or_else(|| ManageError::invalid("kind", "must be operator, seller or store"))?;
    let (token, secret) = tokens::create(&state.store, &scope, kind, body.seller_id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(json!({ "data": token, "token": secret }))))
}

async fn list(
    State(state): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Result<Json<Value>, AdminError> {
    listed(q.page().slice(tokens::list(&state.store, &scope, q.seller_id).await?)?)
}

async fn revoke(
    State(state): State<AppState>,
    Admin(scope): Admin,
    PathParam(id): PathParam<i64>,
) -> Result<StatusCode, AdminError> {
    tokens::revoke(&state.store, &scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
