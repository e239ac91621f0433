//! Who is calling: the app behind `sellerkey` (a `sellerapi` token, looked up by its SHA-256
//! digest like every token), and whether that token still has budget in the current minute.

use super::error::SellerError;
use crate::{
    domain::{ids::AppId, time::now_ms},
    manage::{
        ManageError, Scope, Tenant,
        client_data::{ClientApp, client_app},
    },
    ratelimit::window_left_ms,
    state::AppState,
    store::{StoreError, tokens::TokenKind},
};

/// Length of a rate-limit window.
const WINDOW_MS: i64 = 60_000;

/// The caller as the operations see it: the one app its token acts for, with its tenant (the
/// seller, actor `token:<id>`).
pub struct Caller {
    pub at: ClientApp,
}

impl Caller {
    pub fn tenant(&self) -> &Tenant {
        self.at.tenant()
    }

    pub fn app_id(&self) -> AppId {
        self.at.id()
    }
}

/// Authenticates `sellerkey` and counts the request against its token. Only a valid token is
/// counted, in its own bucket: a flood of wrong keys cannot spend a real key's budget.
pub async fn authorize(state: &AppState, sellerkey: &str) -> Result<Caller, SellerError> {
    let owner = state.store.authenticate_token(sellerkey).await.map_err(|e| match e {
        StoreError::NotFound => SellerError::InvalidSellerKey,
        e => SellerError::Store(e),
    })?;
    let (TokenKind::SellerApi, Some(seller_id), Some(app_id)) = (owner.kind, owner.seller_id, owner.app_id) else {
        return Err(SellerError::InvalidSellerKey);
    };
    rate_limit(state, owner.token_id).await?;
    let scope = Scope::from_token(owner.token_id, owner.kind, Some(seller_id));
    let at = client_app(&state.store, &scope.tenant(None)?, app_id).await.map_err(|e| match e {
        ManageError::NotFound(_) => SellerError::InvalidSellerKey,
        e => e.into(),
    })?;
    Ok(Caller { at })
}

async fn rate_limit(state: &AppState, token_id: i64) -> Result<(), SellerError> {
    let now = now_ms();
    let limit = i64::from(state.config.seller_api_rate_limit_per_min);
    // Counted even when unlimited (0), for the `last_used_at` stamp below.
    let budget = if limit == 0 { i64::MAX } else { limit };
    let count = state.limiter.admit(&format!("seller-api:token:{token_id}"), now, WINDOW_MS, budget).await?;
    // The first request of a token's minute also stamps `last_used_at`: one write a minute at most.
    if count == 1 {
        state.store.touch_token(token_id, now).await?;
    }
    if limit != 0 && count > limit {
        let left_ms = window_left_ms(now, WINDOW_MS);
        return Err(SellerError::RateLimited { retry_after_secs: (left_ms + 999) / 1000 });
    }
    Ok(())
}
