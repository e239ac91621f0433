//! Who is calling: the reseller behind `api_token`, and whether its key still has budget in the
//! current minute (counted by the shared `RateLimiter`).

use super::{Params, ResellerError};
use crate::{
    domain::time::now_ms,
    manage::reseller_api::{self, KeyHolder},
    ratelimit::window_left_ms,
    state::AppState,
};

/// Length of a rate-limit window: the seed's limit is per minute.
const WINDOW_MS: i64 = 60_000;

/// Authenticates the request's `api_token` and counts the request against its key.
///
/// Only requests with a valid key are counted, in the key's own bucket: a flood of bad tokens
/// cannot spend a real key's budget (and costs one indexed read each, no write).
pub async fn authorize(state: &AppState, params: &Params) -> Result<KeyHolder, ResellerError> {
    let token = params.get("api_token").ok_or(ResellerError::MissingToken)?;
    let caller = reseller_api::authenticate(&state.store, token).await?.ok_or(ResellerError::InvalidToken)?;
    let now = now_ms();
    let bucket = format!("reseller-key:{}", caller.key_id());
    let limit = caller.rate_limit_per_min();
    let count = state.limiter.admit(&bucket, now, WINDOW_MS, limit).await?;
    // The first request of a key's minute also stamps `last_used_at`: one write a minute at most.
    if count == 1 {
        reseller_api::touch(&state.store, &caller, now).await?;
    }
    if count > limit {
        let left_ms = window_left_ms(now, WINDOW_MS);
        return Err(ResellerError::RateLimited { retry_after_secs: (left_ms + 999) / 1000 });
    }
    Ok(caller)
}
