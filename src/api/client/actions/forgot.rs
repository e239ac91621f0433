//! `forgot`: mails the user a replacement password. The replacement is stored (hashed) as
//! pending and only becomes the password when it is first used to log in, so someone who
//! knows a username and its email can trigger a mail but cannot lock the user out.

use super::{ActionResult, Halt};
use crate::api::client::{
    abuse_limits::{self, Action},
    context::Ctx,
    messages::Msg,
};
use crate::domain::secret;
use crate::manage::end_users;

/// How long a mailed replacement password stays usable.
const RESET_TTL_MS: i64 = 24 * 3_600 * 1_000;
const ALPHANUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

pub async fn forgot(ctx: &Ctx) -> ActionResult {
    let username = ctx.require("username")?;
    let email = ctx.require("email")?;
    let Some(mailer) = ctx.state.services.mail.as_ref() else { return Err(ctx.refuse(Msg::ResetNotConfigured)) };
    // Counted before the user is looked up, so probing usernames spends the budget too.
    abuse_limits::admit(ctx, Action::Forgot).await?;
    let store = &ctx.state.store;
    let user = store.client_user_by_name(ctx.app.id, username).await?.ok_or_else(|| ctx.refuse(Msg::ForgotNoUser))?;
    abuse_limits::admit_forgot_for_user(ctx, user.id).await?;
    let stored = user.email.as_deref().unwrap_or("");
    if stored.is_empty() || !stored.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(ctx.refuse(Msg::EmailMismatch));
    }
    let new_password = secret::random_string(ALPHANUM, 16);
    let hash = ctx.state.services.passwords.hash(&new_password).await.map_err(|e| Halt::Fault(e.0))?;
    end_users::request_password_reset(store, &user, &hash, ctx.now + RESET_TTL_MS).await?;
    if let Err(e) = mailer.send_password_reset(stored, &ctx.app.name, &user.username, &new_password).await {
        tracing::warn!(error = %e.0, app_id = ctx.app.id.get(), "password reset mail not sent");
        return Err(ctx.refuse(Msg::ResetFailed));
    }
    Ok(ctx.ok(Msg::ResetSent))
}
