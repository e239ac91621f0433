//! `/admin/v1/resellers`: reseller accounts, their API keys and their stock of licenses.

use super::common::{Answer, Created, Listing, NoContent, Scoped, ScopedPage, created, data, listed, no_content};
use super::openapi::{Conflict, Errors};
use super::views::{
    CreatedResellerKey, Data, Generated, License, Moved, Page, Reseller, ResellerKey, ResellerLogin, StockAdded,
};
use super::{Admin, AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::{LicenseId, ResellerId};
use crate::{
    manage::{
        ManageError,
        licenses::{self, GenerateSpec},
        reseller_dashboard,
        resellers::{self, ResellerInput},
    },
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/resellers", list)
        .post("/resellers", create)
        .get("/resellers/{id}", show)
        .patch("/resellers/{id}", update)
        .delete("/resellers/{id}", remove)
        .get("/resellers/{id}/keys", list_keys)
        .post("/resellers/{id}/keys", create_key)
        .delete("/resellers/{id}/keys/{key_id}", revoke_key)
        .get("/resellers/{id}/stock", list_stock)
        .post("/resellers/{id}/stock", add_stock)
        .put("/resellers/{id}/login", set_login)
        .delete("/resellers/{id}/login", remove_login)
}

/// Create a reseller.
#[utoipa::path(
    operation_id = "resellers_create",
    post,
    path = "/resellers",
    tag = "resellers",
    params(Scoped),
    request_body = ResellerInput,
    responses((status = 201, description = "Created", body = Data<Reseller>), Conflict, Errors)
)]
async fn create(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(b): Body<ResellerInput>,
) -> Created<Reseller> {
    created(resellers::create(&s.store, &scope.tenant(q.seller_id)?, b).await?)
}

/// List resellers.
#[utoipa::path(
    operation_id = "resellers_list",
    get,
    path = "/resellers",
    tag = "resellers",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<Reseller>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<Reseller> {
    listed(resellers::list(&s.store, &scope.tenant(q.seller_id)?, q.page()).await?)
}

/// Show a reseller.
#[utoipa::path(
    operation_id = "resellers_show",
    get,
    path = "/resellers/{id}",
    tag = "resellers",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<Reseller>), Errors)
)]
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<ResellerId>,
) -> Answer<Reseller> {
    data(resellers::get(&s.store, &scope.tenant(q.seller_id)?, id).await?)
}

/// Change a reseller.
#[utoipa::path(
    operation_id = "resellers_update",
    patch,
    path = "/resellers/{id}",
    tag = "resellers",
    params(("id" = i64, Path), Scoped),
    request_body = ResellerInput,
    responses((status = 200, description = "OK", body = Data<Reseller>), Conflict, Errors)
)]
async fn update(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<ResellerId>,
    Body(b): Body<ResellerInput>,
) -> Answer<Reseller> {
    data(resellers::update(&s.store, &scope.tenant(q.seller_id)?, id, b).await?)
}

/// Delete a reseller; its stock returns to the seller.
#[utoipa::path(
    operation_id = "resellers_remove",
    delete,
    path = "/resellers/{id}",
    tag = "resellers",
    params(("id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<ResellerId>,
) -> NoContent {
    resellers::delete(&s.store, &scope.tenant(q.seller_id)?, id).await?;
    no_content()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateKey {
    #[serde(default)]
    label: String,
}

/// The key's secret is in `key`, shown this once.
#[utoipa::path(
    operation_id = "resellers_create_key",
    post,
    path = "/resellers/{id}/keys",
    tag = "resellers",
    params(("id" = i64, Path), Scoped),
    request_body = CreateKey,
    responses((status = 201, description = "Created", body = CreatedResellerKey), Errors)
)]
async fn create_key(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<ResellerId>,
    Body(b): Body<CreateKey>,
) -> Result<(StatusCode, Json<CreatedResellerKey>), AdminError> {
    let (key, secret) = resellers::create_key(&s.store, &scope.tenant(q.seller_id)?, id, &b.label).await?;
    Ok((StatusCode::CREATED, Json(CreatedResellerKey { data: key.into(), key: secret })))
}

/// List a reseller's API keys.
#[utoipa::path(
    operation_id = "resellers_list_keys",
    get,
    path = "/resellers/{id}/keys",
    tag = "resellers",
    params(("id" = i64, Path), ScopedPage),
    responses((status = 200, description = "OK", body = Page<ResellerKey>), Errors)
)]
async fn list_keys(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
    PathParam(id): PathParam<ResellerId>,
) -> Listing<ResellerKey> {
    listed(resellers::list_keys(&s.store, &scope.tenant(q.seller_id)?, id, q.page()).await?)
}

/// Revoke an API key.
#[utoipa::path(
    operation_id = "resellers_revoke_key",
    delete,
    path = "/resellers/{id}/keys/{key_id}",
    tag = "resellers",
    params(("id" = i64, Path), ("key_id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn revoke_key(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam((id, key_id)): PathParam<(ResellerId, i64)>,
) -> NoContent {
    resellers::revoke_key(&s.store, &scope.tenant(q.seller_id)?, id, key_id).await?;
    no_content()
}

/// The reseller's stock with Discord assignments.
#[utoipa::path(
    operation_id = "resellers_list_stock",
    get,
    path = "/resellers/{id}/stock",
    tag = "resellers",
    params(("id" = i64, Path), ScopedPage),
    responses((status = 200, description = "OK", body = Page<License>), Errors)
)]
async fn list_stock(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
    PathParam(id): PathParam<ResellerId>,
) -> Listing<License> {
    listed(resellers::list_stock(&s.store, &scope.tenant(q.seller_id)?, id, q.page()).await?)
}

/// Either `{"license_ids": [...]}` (move existing licenses) or `{"generate": {...}}` (new keys
/// straight into the stock, with the reseller's key prefix).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AddStock {
    #[schema(value_type = Option<Vec<i64>>)]
    license_ids: Option<Vec<LicenseId>>,
    generate: Option<GenerateSpec>,
}

/// Move licenses into the stock, or generate into it.
#[utoipa::path(
    operation_id = "resellers_add_stock",
    post,
    path = "/resellers/{id}/stock",
    tag = "resellers",
    params(("id" = i64, Path), Scoped),
    request_body = AddStock,
    responses((status = 201, description = "Created", body = Data<StockAdded>), Errors)
)]
async fn add_stock(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<ResellerId>,
    Body(b): Body<AddStock>,
) -> Created<StockAdded> {
    match (b.license_ids, b.generate) {
        (Some(ids), None) => created(StockAdded::Moved(Moved::from(
            resellers::add_stock(&s.store, &scope.tenant(q.seller_id)?, id, &ids).await?,
        ))),
        (None, Some(mut spec)) => {
            if spec.reseller_id.is_some_and(|r| r != id) {
                return Err(ManageError::invalid("reseller_id", "must be this reseller or left out").into());
            }
            spec.reseller_id = Some(id);
            created(StockAdded::Generated(Generated::from(
                licenses::generate(&s.store, &scope.tenant(q.seller_id)?, spec, &|_| {}).await?,
            )))
        }
        _ => Err(ManageError::invalid("license_ids", "give either license_ids or generate").into()),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SetLogin {
    /// The address the reseller signs in with; unique across all resellers.
    email: String,
    /// 12 to 200 characters; stored as an Argon2id hash.
    password: String,
}

/// Give the reseller its reseller dashboard sign-in (`/reseller/dashboard/`), replacing an
/// earlier one, whose sessions end.
#[utoipa::path(
    operation_id = "resellers_set_login",
    put,
    path = "/resellers/{id}/login",
    tag = "resellers",
    params(("id" = i64, Path), Scoped),
    request_body = SetLogin,
    responses((status = 200, description = "OK", body = Data<ResellerLogin>), Conflict, Errors)
)]
async fn set_login(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<ResellerId>,
    Body(b): Body<SetLogin>,
) -> Answer<ResellerLogin> {
    let passwords = &s.services.passwords;
    data(
        reseller_dashboard::set_login(&s.store, passwords, &scope.tenant(q.seller_id)?, id, &b.email, &b.password)
            .await?,
    )
}

/// Take the reseller's dashboard sign-in away; its sessions end at once.
#[utoipa::path(
    operation_id = "resellers_remove_login",
    delete,
    path = "/resellers/{id}/login",
    tag = "resellers",
    params(("id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove_login(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<ResellerId>,
) -> NoContent {
    reseller_dashboard::remove_login(&s.store, &scope.tenant(q.seller_id)?, id).await?;
    no_content()
}
