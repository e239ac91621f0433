//! `2faenable` / `2fadisable`: TOTP two-factor authentication of the session's user.
//! Enabling takes two calls: without `code` the server makes a pending secret and returns it
//! (base32 and as an otpauth URI for a QR code); with `code` it activates it if the code fits.
//! Each code is accepted once (RFC 6238 section 5.2): the write that enables or disables 2FA
//! also records the code's time step, and refuses a step not later than the last one accepted.

use super::ActionResult;
use crate::api::client::{context::Ctx, messages::Msg};
use crate::domain::totp;
use crate::manage::end_users;
use serde_json::json;

fn now_secs(ctx: &Ctx) -> u64 {
    u64::try_from(ctx.now / 1000).unwrap_or(0)
}

pub async fn enable(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    if user.totp_enabled {
        return Err(ctx.refuse(Msg::TwofaAlreadyOn));
    }
    let store = &ctx.state.store;
    let Some(code) = ctx.field("code") else {
        let secret = totp::new_secret();
        let url = totp::otpauth_url(&secret, &ctx.app.name, &user.username).unwrap_or_default();
        if !end_users::start_totp(store, &user, &secret).await? {
            return Err(ctx.refuse(Msg::TwofaAlreadyOn));
        }
        return Ok(ctx.ok(Msg::TwofaSecret).with("2fa", json!({"secret_code": secret, "QRCode": url})));
    };
    let pending = user.totp_secret.as_deref().unwrap_or("");
    let Some(step) = totp::verify(pending, code, now_secs(ctx)) else { return Err(ctx.refuse(Msg::TwofaInvalid)) };
    if !end_users::enable_totp(store, &user, pending, step).await? {
        return Err(ctx.refuse(Msg::TwofaInvalid));
    }
    Ok(ctx.ok(Msg::TwofaActivated))
}

pub async fn disable(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    if !user.totp_enabled {
        return Err(ctx.refuse(Msg::TwofaNotOn));
    }
    let secret = user.totp_secret.as_deref().unwrap_or("");
    let step = ctx.field("code").and_then(|code| totp::verify(secret, code, now_secs(ctx)));
    let Some(step) = step else { return Err(ctx.refuse(Msg::TwofaInvalid)) };
    if !end_users::disable_totp(&ctx.state.store, &user, secret, step).await? {
        return Err(ctx.refuse(Msg::TwofaInvalid));
    }
    Ok(ctx.ok(Msg::TwofaDisabled))
}
