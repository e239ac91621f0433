//! Session-level actions: `check` (is it validated?), `checkblacklist` (inverted answer),
//! `ban` (the program bans its own user), `logout`.

use super::{ActionResult, signin::hwid};
use crate::api::client::{context::Ctx, envelope::Reply, messages::Msg};
use crate::manage::end_users;

/// Longest ban reason kept.
const MAX_REASON_CHARS: usize = 255;

/// With `check_paid` (the C++ client's `check(true)`, sent in the query string), KeyAuth adds
/// `role`, the app owner's account tier (`tester` is its free one); the client runs its
/// periodic session check only for a paid one. A licensd seller has every feature, so the
/// answer is KeyAuth's paid seller tier.
pub async fn check(ctx: &Ctx) -> ActionResult {
    ctx.validated_user().await?;
    let answer = ctx.ok(Msg::SessionValidated);
    Ok(if ctx.field("check_paid").is_some() { answer.with("role", "seller") } else { answer })
}

/// Inverted on purpose (clients rely on it): success means the client IS blacklisted.
pub async fn checkblacklist(ctx: &Ctx) -> ActionResult {
    let hwid = hwid(ctx);
    if ctx.state.store.is_blacklisted(ctx.app.id, hwid.as_deref(), &ctx.ip).await? {
        Ok(ctx.ok(Msg::ClientBlacklisted))
    } else {
        Ok(Reply::failure(Msg::ClientNotBlacklisted, ctx.text(Msg::ClientNotBlacklisted)))
    }
}

/// Bans the session's user, blacklists its HWIDs (bound ones and the one sent) and the
/// client's IP, and ends the user's sessions.
pub async fn ban(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    let store = &ctx.state.store;
    let reason: String =
        ctx.field("reason").unwrap_or("Banned by the application").chars().take(MAX_REASON_CHARS).collect();
    let mut hwids = store.user_hwids(user.id).await?;
    if let Some(h) = hwid(ctx).filter(|h| !hwids.contains(h)) {
        hwids.push(h);
    }
    end_users::ban_self(store, &ctx.app, &user, &reason, &hwids, &ctx.ip, ctx.now).await?;
    Ok(ctx.ok(Msg::UserBannedOk))
}

pub async fn logout(ctx: &Ctx) -> ActionResult {
    end_users::end_session(&ctx.state.store, &ctx.app, &ctx.session()?.id).await?;
    Ok(ctx.ok(Msg::LoggedOut))
}
