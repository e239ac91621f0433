//! The four endpoints. Each one authenticates and counts the request first (401/429 before any
//! validation of its own parameters), then reads or writes the caller's stock only.

use super::{
    Params, ResellerError,
    auth::authorize,
    views::{Available, Fetched, Info, LicenseInfo, Message},
};
use crate::{
    domain::{time::now_ms, usable::Denial},
    manage::{ManageError, reseller_api},
    state::AppState,
    store::{Page, reseller_stock::AssignOutcome},
};
use axum::{Json, extract::State};

/// Licenses per `myavailable` page unless `limit` says otherwise.
const DEFAULT_PAGE: i64 = 100;

/// `myavailable`: the sellable licenses of the caller's stock, oldest first, a page at a time.
pub async fn my_available(State(state): State<AppState>, params: Params) -> Result<Json<Available>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    let limit = params.int_in("limit", DEFAULT_PAGE, 1, Page::MAX_LIMIT)?;
    let page = params.int_in("page", 1, 1, i64::from(i32::MAX))?;
    let rows = reseller_api::available(&state.store, &caller, Page::new(limit, page)).await?;
    Ok(Json(Available { ok: true, licenses: rows.into_iter().map(Into::into).collect() }))
}

/// `licenseinfo`: one license of the caller's stock, whatever its state.
pub async fn license_info(State(state): State<AppState>, params: Params) -> Result<Json<Info>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    let key = params.require("license")?;
    let license = reseller_api::license(&state.store, &caller, key).await.map_err(not_found)?;
    Ok(Json(Info { ok: true, info: LicenseInfo::new(license, now_ms()) }))
}

/// `fetchlicense`: a random sellable license of the caller's stock. It is not reserved: the
/// caller assigns it with `assignlicense`, which settles any race.
pub async fn fetch_license(State(state): State<AppState>, params: Params) -> Result<Json<Fetched>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    match reseller_api::pick(&state.store, &caller).await? {
        Some(license) => Ok(Json(Fetched { ok: true, license: license.into() })),
        None => Err(ResellerError::NoneAvailable),
    }
}

/// `assignlicense`: gives a license of the caller's stock to a Discord user, once.
pub async fn assign_license(State(state): State<AppState>, params: Params) -> Result<Json<Message>, ResellerError> {
    let caller = authorize(&state, &params).await?;
    let key = params.require("license")?;
    let discord_user_id = params.require("discord_user_id")?;
    match reseller_api::assign(&state.store, &caller, key, discord_user_id).await.map_err(not_found)? {
        AssignOutcome::Assigned(_) => Ok(Json(Message { ok: true, message: "License assigned successfully" })),
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
fn not_found(e: ManageError) -> ResellerError {
    match e {
        ManageError::NotFound(_) => ResellerError::LicenseNotFound,
        e => e.into(),
    }
}
