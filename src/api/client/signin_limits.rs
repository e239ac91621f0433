//! Brute-force limits on the actions that check a secret the client supplies (password, license
//! key, 2FA code): failed attempts are counted per client network and app, and per app, in
//! one-minute windows. Past a limit the attempt is refused before any secret is checked.
//!
//! Each attempt is counted before it runs and refunded when it succeeds, so parallel attempts
//! cannot overshoot a limit and successful sign-ins never use up the budget.

use super::{context::Ctx, envelope::Reply, messages::Msg};
use crate::{domain::netaddr::network, store::StoreError};
use axum::http::StatusCode;

const WINDOW_MS: i64 = 60_000;

/// The `type`s whose failures count: each checks a password, a license key or a 2FA code.
pub const GUARDED_TYPES: &[&str] =
    &["register", "login", "loginEmail", "license", "upgrade", "2faenable", "2fadisable"];

/// Counts this attempt; `Some(reply)` when a limit is already spent and it must be refused.
pub async fn admit(ctx: &Ctx) -> Result<Option<Reply>, StoreError> {
    // Per address first, and stop at the first spent budget: an attempt refused for its address
    // must not count against the app, or one blocked address could lock every user out.
    for (bucket, limit) in buckets(ctx) {
        if ctx.state.limiter.hit(&bucket, ctx.now, WINDOW_MS).await? > limit {
            return Ok(Some(ctx.fail(Msg::TooManyAttempts).with_status(StatusCode::TOO_MANY_REQUESTS)));
        }
    }
    Ok(None)
}

/// Gives back the attempt counted by `admit` once it has succeeded.
pub async fn refund(ctx: &Ctx) -> Result<(), StoreError> {
    for (bucket, _) in buckets(ctx) {
        ctx.state.limiter.refund(&bucket, ctx.now, WINDOW_MS).await?;
    }
    Ok(())
}

/// The counters this request's attempt goes into, with their limits (0 = unlimited: skipped).
fn buckets(ctx: &Ctx) -> Vec<(String, i64)> {
    let config = &ctx.state.config;
    let per_ip =
        (i64::from(config.login_failures_per_ip_per_min), format!("signin:{}:{}", ctx.app.id, network(&ctx.ip)));
    let per_app = (i64::from(config.login_failures_per_app_per_min), format!("signin:{}", ctx.app.id));
    [per_ip, per_app].into_iter().filter(|(limit, _)| *limit > 0).map(|(limit, bucket)| (bucket, limit)).collect()
}
