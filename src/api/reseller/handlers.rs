//! The four endpoints. Each one authenticates and counts the request first (401/429 before any
//! validation of its own parameters), then reads or writes the caller's stock only.

use super::{
    Params, ResellerError,
    auth::authorize,
    views::{Available, Fetched, Info, LicenseInfo, Message},
};
use crate::{
    domain::{discord, time::now_ms, usable::Denial},
    state::AppState,
    store::{Page, StoreError, reseller_stock::AssignOutcome},
};
use axum::{Json, extract::State};

/// Licenses per `myavailable` page unless `limit` says otherwise.
const DEFAULT_PAGE: i64 = 100;

/// `myavailable`: the sellable licenses of the caller's stock, oldest first, a page at a time.
pub async fn my_available(State(state): State<AppState>, params: Params) -> Result<Json<Available>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    let limit = params.int_in("limit", DEFAULT_PAGE, 1, Page::MAX_LIMIT)?;
    let page = params.int_in("page", 1, 1, i64::from(i32::MAX))?;
    let rows = state.store.available_stock(caller.reseller_id, now_ms(), Page::new(limit, page)).await?;
    Ok(Json(Available { ok: true, licenses: rows.into_iter().map(Into::into).collect() }))
}

/// `licenseinfo`: one license of the caller's stock, whatever its state.
pub async fn license_info(State(state): State<AppState>, params: Params) -> Result<Json<Info>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    let key = params.require("license")?;
    let license = state.store.stock_license(caller.seller_id, caller.reseller_id, key).await.map_err(not_found)?;
    Ok(Json(Info { ok: true, info: LicenseInfo::new(license, now_ms()) }))
}

/// `fetchlicense`: a random sellable license of the caller's stock. It is not reserved: the
/// caller assigns it with `assignlicense`, which settles any race.
pub async fn fetch_license(State(state): State<AppState>, params: Params) -> Result<Json<Fetched>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    match state.store.random_available_stock(caller.reseller_id, now_ms()).await? {
        Some(license) => Ok(Json(Fetched { ok: true, license: license.into() })),
        None => Err(ResellerError::NoneAvailable),
    }
}

/// `assignlicense`: gives a license of the caller's stock to a Discord user, once.
pub async fn assign_license(State(state): State<AppState>, params: Params) -> Result<Json<Message>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    let key = params.require("license")?;
    let discord_user_id = params.require("discord_user_id")?;
    if !discord::is_snowflake(discord_user_id) {
        return Err(ResellerError::BadRequest(
            "discord_user_id must be a Discord user id (17 to 20 digits)".to_owned(),
        ));
    }
    let outcome = state
        .store
        .assign_stock_license(caller.seller_id, caller.reseller_id, key, discord_user_id, now_ms())
        .await
        .map_err(not_found)?;
    match outcome {
        AssignOutcome::Assigned => Ok(Json(Message { ok: true, message: "License assigned successfully" })),
        AssignOutcome::AlreadyAssigned => Err(ResellerError::AlreadyAssigned),
        AssignOutcome::Unavailable(denial) => Err(ResellerError::NotAssignable(why_unavailable(denial))),
    }
}

fn why_unavailable(denial: Denial) -> &'static str {
    match denial {
        Denial::LicenseBanned => "License is banned",
        Denial::LicenseExpired => "License has expired",
        Denial::AppDisabled | Denial::AppPaused => "The license's application is disabled or paused",
        _ => "License is disabled",
    }
}

/// A missing row means a license that is not in the caller's stock.
fn not_found(e: StoreError) -> ResellerError {
    match e {
        StoreError::NotFound => ResellerError::LicenseNotFound,
        e => ResellerError::Store(e),
    }
}
