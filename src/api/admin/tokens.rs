//! `/admin/v1/tokens`: create (secret shown once), list and revoke API tokens.

use super::common::{Listing, NoContent, ScopedPage, listed, no_content};
use super::views::{CreatedToken, Token};
use super::{Admin, AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::{
    manage::{ManageError, tokens},
    state::AppState,
    store::tokens::TokenKind,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

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

/// Create a token; `token` holds the secret, shown once.
async fn create(
    State(state): State<AppState>,
    Admin(scope): Admin,
    Body(body): Body<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AdminError> {
    let kind = TokenKind::parse(&body.kind)
        .ok_or_else(|| ManageError::invalid("kind", "must be operator, seller or store"))?;
    let (token, secret) = tokens::create(&state.store, &scope, kind, body.seller_id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { data: token.into(), token: secret })))
}

/// List API tokens (never their secrets): the operator sees all, or one seller's with seller_id.
async fn list(
    State(state): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<Token> {
    listed(q.page().slice(tokens::list(&state.store, &scope, q.seller_id).await?)?)
}

/// Revoke a token.
async fn revoke(State(state): State<AppState>, Admin(scope): Admin, PathParam(id): PathParam<i64>) -> NoContent {
    tokens::revoke(&state.store, &scope, id).await?;
    no_content()
}
