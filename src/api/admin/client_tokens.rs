//! `/admin/v1/apps/{id}/client-tokens`: the client tokens of an app's token system (KeyAuth's
//! "tokens"): made (the token shown once), listed, banned, unbanned, their file hash reset, and
//! deleted. The app is checked against the caller's token as in `client_data` (`AppAt`).

use super::client_data::{AppAt, SellerParam, listed};
use super::common::{Answer, ClientListing, Created, NoContent, created, data, no_content};
use super::openapi::Errors;
use super::views::{ClientPage, ClientToken, Data, MadeClientToken};
use super::{Body, PathParam, QueryParams, routes::Routes};
use crate::{
    manage::{PageRequest, client_tokens},
    state::AppState,
};
use axum::extract::State;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/apps/{id}/client-tokens", list)
        .post("/apps/{id}/client-tokens", create)
        .post("/apps/{id}/client-tokens/{token_id}/ban", ban)
        .post("/apps/{id}/client-tokens/{token_id}/unban", unban)
        .post("/apps/{id}/client-tokens/{token_id}/reset-hash", reset_hash)
        .delete("/apps/{id}/client-tokens/{token_id}", delete)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// `license`, `user` or `other` (default): what `assigned` names.
    kind: Option<String>,
    /// The key, username or label the token is for (a label: nothing checks it).
    #[serde(default)]
    assigned: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BanToken {
    /// Shown to the client in `init`'s refusal; KeyAuth's `Token is banned` when absent.
    reason: Option<String>,
}

/// List an app's client tokens.
#[utoipa::path(
    operation_id = "client_tokens_list",
    get,
    path = "/apps/{id}/client-tokens",
    tag = "client tokens",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<ClientToken>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<ClientToken> {
    listed(q, async |p| client_tokens::list(&s.store, &at, p).await).await
}

/// Make a client token (its text is in this answer only).
#[utoipa::path(
    operation_id = "client_tokens_create",
    post,
    path = "/apps/{id}/client-tokens",
    tag = "client tokens",
    params(("id" = i64, Path), SellerParam),
    request_body = NewToken,
    responses((status = 201, description = "Created", body = Data<MadeClientToken>), Errors)
)]
async fn create(State(s): State<AppState>, AppAt(at): AppAt, Body(b): Body<NewToken>) -> Created<MadeClientToken> {
    created(client_tokens::create(&s.store, &at, b.kind.as_deref(), &b.assigned).await?)
}

/// Ban a client token: `init` with it is refused with the reason.
#[utoipa::path(
    operation_id = "client_tokens_ban",
    post,
    path = "/apps/{id}/client-tokens/{token_id}/ban",
    tag = "client tokens",
    params(("id" = i64, Path), ("token_id" = i64, Path), SellerParam),
    request_body = BanToken,
    responses((status = 200, description = "OK", body = Data<ClientToken>), Errors)
)]
async fn ban(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, id)): PathParam<(i64, i64)>,
    Body(b): Body<BanToken>,
) -> Answer<ClientToken> {
    data(client_tokens::ban(&s.store, &at, id, b.reason.as_deref()).await?)
}

/// Lift a client token's ban.
#[utoipa::path(
    operation_id = "client_tokens_unban",
    post,
    path = "/apps/{id}/client-tokens/{token_id}/unban",
    tag = "client tokens",
    params(("id" = i64, Path), ("token_id" = i64, Path), SellerParam),
    responses((status = 200, description = "OK", body = Data<ClientToken>), Errors)
)]
async fn unban(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, id)): PathParam<(i64, i64)>,
) -> Answer<ClientToken> {
    data(client_tokens::unban(&s.store, &at, id).await?)
}

/// Forget the file hash a client token locked; its next `init` locks a new one.
#[utoipa::path(
    operation_id = "client_tokens_reset_hash",
    post,
    path = "/apps/{id}/client-tokens/{token_id}/reset-hash",
    tag = "client tokens",
    params(("id" = i64, Path), ("token_id" = i64, Path), SellerParam),
    responses((status = 200, description = "OK", body = Data<ClientToken>), Errors)
)]
async fn reset_hash(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, id)): PathParam<(i64, i64)>,
) -> Answer<ClientToken> {
    data(client_tokens::reset_hash(&s.store, &at, id).await?)
}

/// Delete a client token.
#[utoipa::path(
    operation_id = "client_tokens_delete",
    delete,
    path = "/apps/{id}/client-tokens/{token_id}",
    tag = "client tokens",
    params(("id" = i64, Path), ("token_id" = i64, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn delete(State(s): State<AppState>, AppAt(at): AppAt, PathParam((_, id)): PathParam<(i64, i64)>) -> NoContent {
    client_tokens::delete(&s.store, &at, id).await?;
    no_content()
}
