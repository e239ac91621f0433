//! Who is calling and what they point at: the store token (with `X-STORE` and the per-token
//! rate limit), path ids, pagination and the `Idempotency-Key` header.

use super::error::LicensesError;
use crate::domain::ids::{LicenseId, SellerId};
use crate::{
    domain::time::now_ms,
    manage::{Scope, Tenant},
    ratelimit::window_left_ms,
    state::AppState,
    store::StoreError,
    store::tokens::TokenKind,
};
use axum::{
    extract::{FromRequestParts, Path},
    http::{HeaderMap, request::Parts},
};

/// The store (seller) a valid store token belongs to.
#[derive(Debug, Clone, Copy)]
pub struct StoreCaller {
    pub seller_id: SellerId,
    /// The store token presented (the audit trail's `token:<id>`).
    pub token_id: i64,
}

impl StoreCaller {
    /// Whom the seller's management calls (`PATCH` of a key) act for.
    pub fn tenant(&self) -> Result<Tenant, LicensesError> {
        Ok(Scope::from_token(self.token_id, TokenKind::Store, Some(self.seller_id)).tenant(None)?)
    }
}

const RATE_WINDOW_MS: i64 = 60_000;

impl FromRequestParts<AppState> for StoreCaller {
    type Rejection = LicensesError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = bearer_token(&parts.headers).ok_or(LicensesError::Unauthenticated)?;
        let owner = state.store.authenticate_token(presented).await.map_err(|e| match e {
            StoreError::NotFound => LicensesError::Unauthenticated,
            e => LicensesError::Store(e),
        })?;
        let seller_id = match (owner.kind, owner.seller_id) {
            (TokenKind::Store, Some(id)) => id,
            _ => return Err(LicensesError::Unauthenticated),
        };
        rate_limit(state, owner.token_id).await?;
        if let Some(named) = parts.headers.get("x-store") {
            let named = named.to_str().map_err(|_| LicensesError::WrongStore)?.trim();
            if !names_store(state, seller_id, named).await? {
                return Err(LicensesError::WrongStore);
            }
        }
        Ok(Self { seller_id, token_id: owner.token_id })
    }
}

/// `Authorization: Bearer <token>`.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    Some(token.trim()).filter(|t| scheme.eq_ignore_ascii_case("bearer") && !t.is_empty())
}

/// Counts the request in the token's window.
async fn rate_limit(state: &AppState, token_id: i64) -> Result<(), LicensesError> {
    let limit = i64::from(state.config.licenses_rate_limit_per_min);
    if limit == 0 {
        return Ok(());
    }
    let now = now_ms();
    let count = state.limiter.admit(&format!("licenses:token:{token_id}"), now, RATE_WINDOW_MS, limit).await?;
    if count > limit {
        let left_ms = window_left_ms(now, RATE_WINDOW_MS);
        return Err(LicensesError::RateLimited { retry_after_secs: u64::try_from(left_ms / 1000 + 1).unwrap_or(1) });
    }
    Ok(())
}

/// Whether `X-STORE` names the token's store: its id, or (for SDK users who configured the
/// store by name) the seller's name or public owner id. Only a non-numeric value costs a read.
async fn names_store(state: &AppState, seller_id: SellerId, named: &str) -> Result<bool, LicensesError> {
    if let Ok(id) = named.parse::<i64>() {
        return Ok(id == seller_id.get());
    }
    let seller = state.store.seller(seller_id).await?;
    Ok(named == seller.name || named == seller.ownerid)
}

/// The path's parameters; an undecodable path is a 404 with `message`, like Laravel's route
/// model binding.
async fn path_ids(parts: &mut Parts, state: &AppState, message: &'static str) -> Result<Vec<String>, LicensesError> {
    Path::<Vec<String>>::from_request_parts(parts, state)
        .await
        .map(|Path(v)| v)
        .map_err(|_| LicensesError::NotFound(message))
}

/// `/license-keys/{id}`.
pub struct KeyId(pub LicenseId);

impl FromRequestParts<AppState> for KeyId {
    type Rejection = LicensesError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ids = path_ids(parts, state, super::error::KEY_NOT_FOUND).await?;
        parse_key_id(ids.first()).map(Self)
    }
}

/// `/license-keys/{id}/instances/{instance}`.
pub struct InstancePath(pub LicenseId, pub String);

impl FromRequestParts<AppState> for InstancePath {
    type Rejection = LicensesError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ids = path_ids(parts, state, super::error::KEY_NOT_FOUND).await?;
        let key_id = parse_key_id(ids.first())?;
        // No instance id has control characters (and PostgreSQL cannot compare text with NUL).
        let instance = ids
            .get(1)
            .filter(|id| !id.chars().any(char::is_control))
            .cloned()
            .ok_or(LicensesError::NotFound(super::error::INSTANCE_NOT_FOUND))?;
        Ok(Self(key_id, instance))
    }
}

/// A key id is an integer; anything else is a key that does not exist.
fn parse_key_id(raw: Option<&String>) -> Result<LicenseId, LicensesError> {
    raw.and_then(|s| s.parse::<LicenseId>().ok()).ok_or(LicensesError::NotFound(super::error::KEY_NOT_FOUND))
}

/// Pagination: `limit` (default 15, at most 100) and `page` (default 1). `before`, `after` and
/// `order`, which the SDK may send, are ignored.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub per_page: i64,
    pub page: i64,
}

pub const DEFAULT_PER_PAGE: i64 = 15;
pub const MAX_PER_PAGE: i64 = 100;

impl FromRequestParts<AppState> for Paging {
    type Rejection = LicensesError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let mut paging = Self { per_page: DEFAULT_PER_PAGE, page: 1 };
        let mut errors = Vec::new();
        for (name, value) in form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()) {
            let target = match name.as_ref() {
                "limit" => &mut paging.per_page,
                "page" => &mut paging.page,
                _ => continue,
            };
            match value.trim().parse::<i64>() {
                Ok(n) if n >= 1 => *target = n,
                Ok(_) => errors.push((name.to_string(), format!("The {name} field must be at least 1."))),
                Err(_) => errors.push((name.to_string(), format!("The {name} field must be an integer."))),
            }
        }
        if !errors.is_empty() {
            return Err(LicensesError::Invalid(errors));
        }
        paging.per_page = paging.per_page.min(MAX_PER_PAGE);
        // Far past any real page; keeps offset arithmetic away from overflow.
        paging.page = paging.page.min(i64::from(i32::MAX));
        Ok(paging)
    }
}

/// The `Idempotency-Key` header, if sent: at most 255 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, LicensesError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let invalid =
        || LicensesError::field("Idempotency-Key", "The Idempotency-Key header must be 1 to 255 visible characters.");
    let key = value.to_str().map_err(|_| invalid())?.trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid());
    }
    Ok(Some(key.to_owned()))
}
