//! `/admin/v1/tokens`: create (secret shown once), list and revoke API tokens.

use super::common::{Listing, NoContent, ScopedPage, listed, no_content};
use super::openapi::{Errors, Forbidden};
use super::views::{CreatedToken, Page, Token};
use super::{Admin, AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::{AppId, SellerId};
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateToken {
    /// operator, seller, store or sellerapi.
    kind: String,
    #[schema(value_type = Option<i64>)]
    seller_id: Option<SellerId>,
    /// The app a sellerapi token acts for (required for that kind, refused for the others).
    #[schema(value_type = Option<i64>)]
    app_id: Option<AppId>,
    #[serde(default)]
    name: String,
}

/// Create a token; `token` holds the secret, shown once.
#[utoipa::path(
    operation_id = "tokens_create",
    post,
    path = "/tokens",
    tag = "tokens",
    request_body = CreateToken,
    responses((status = 201, description = "Created", body = CreatedToken), Forbidden, Errors)
)]
async fn create(
    State(state): State<AppState>,
    Admin(scope): Admin,
    Body(body): Body<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AdminError> {
    let kind = TokenKind::parse(&body.kind)
        .ok_or_else(|| ManageError::invalid("kind", "must be operator, seller, store or sellerapi"))?;
    let (token, secret) = tokens::create(&state.store, &scope, kind, body.seller_id, body.app_id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { data: token.into(), token: secret })))
}

/// List API tokens (never their secrets): the operator sees all, or one seller's with seller_id.
#[utoipa::path(
    operation_id = "tokens_list",
    get,
    path = "/tokens",
    tag = "tokens",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<Token>), Errors)
)]
async fn list(
    State(state): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<Token> {
    listed(q.page().slice(tokens::list(&state.store, &scope, q.seller_id).await?)?)
}

/// Revoke a token.
#[utoipa::path(
    operation_id = "tokens_revoke",
    delete,
    path = "/tokens/{id}",
    tag = "tokens",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn revoke(State(state): State<AppState>, Admin(scope): Admin, PathParam(id): PathParam<i64>) -> NoContent {
    tokens::revoke(&state.store, &scope, id).await?;
    no_content()
}
