//! The store's view of its keys: list, fetch, update (limit, expiry, active flag) and the
//! instances of one key or of the whole store.

use super::{
    error::{INSTANCE_NOT_FOUND, KEY_NOT_FOUND, LicensesError},
    extract::{InstancePath, KeyId, Paging, StoreCaller},
    fields::{Fields, JsonObject},
    views::{InstanceView, KeyView, page},
};
use crate::{
    domain::time::now_ms,
    manage::licenses,
    state::AppState,
    store::{Page, instances::KeyChanges},
};
use axum::{
    Json,
    extract::{OriginalUri, State},
};
use serde_json::{Value, json};

pub async fn list(
    caller: StoreCaller,
    State(state): State<AppState>,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Value>, LicensesError> {
    let store_page = Page::new(paging.per_page, paging.page);
    let (rows, total) = state.store.list_store_keys(caller.seller_id, store_page).await?;
    let now = now_ms();
    let items: Vec<KeyView> = rows.iter().map(|l| KeyView::new(l, now)).collect();
    Ok(Json(page(items, total, paging, uri.path())))
}

pub async fn get(
    caller: StoreCaller,
    State(state): State<AppState>,
    KeyId(id): KeyId,
) -> Result<Json<Value>, LicensesError> {
    let license = state.store.license(caller.seller_id, id).await.map_err(LicensesError::not_found(KEY_NOT_FOUND))?;
    Ok(Json(json!({ "data": KeyView::new(&license, now_ms()) })))
}

/// `limit` (>= 1 or null), `expires_at` (future, or null), `active` (boolean); each optional.
pub async fn update(
    caller: StoreCaller,
    State(state): State<AppState>,
    KeyId(id): KeyId,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, LicensesError> {
    let now = now_ms();
    let mut f = Fields::new(&body);
    let changes = KeyChanges {
        limit: f.limit("limit"),
        expires_at: f.future_time("expires_at", now),
        active: f.boolean("active"),
    };
    f.finish()?;
    let license = licenses::update_terms(&state.store, &caller.tenant()?, id, &changes)
        .await
        .map_err(LicensesError::missing(KEY_NOT_FOUND))?;
    Ok(Json(json!({ "data": KeyView::counted(&license, now_ms()) })))
}

pub async fn instances(
    caller: StoreCaller,
    State(state): State<AppState>,
    KeyId(id): KeyId,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Value>, LicensesError> {
    let (rows, total) = state
        .store
        .list_key_instances(caller.seller_id, id, Page::new(paging.per_page, paging.page))
        .await
        .map_err(LicensesError::not_found(KEY_NOT_FOUND))?;
    Ok(Json(page(rows.iter().map(InstanceView::from).collect(), total, paging, uri.path())))
}

pub async fn instance(
    caller: StoreCaller,
    State(state): State<AppState>,
    InstancePath(key_id, instance_id): InstancePath,
) -> Result<Json<Value>, LicensesError> {
    let instance = state
        .store
        .instance(caller.seller_id, key_id, &instance_id)
        .await
        .map_err(LicensesError::not_found(INSTANCE_NOT_FOUND))?;
    Ok(Json(json!({ "data": InstanceView::from(&instance) })))
}

pub async fn store_instances(
    caller: StoreCaller,
    State(state): State<AppState>,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Value>, LicensesError> {
    let (rows, total) =
        state.store.list_store_instances(caller.seller_id, Page::new(paging.per_page, paging.page)).await?;
    Ok(Json(page(rows.iter().map(InstanceView::from).collect(), total, paging, uri.path())))
}
