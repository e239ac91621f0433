//! `changeUsername`: renames the session's user and logs it out everywhere.

use super::ActionResult;
use crate::api::client::{context::Ctx, messages::Msg};
use crate::manage::end_users::{self, Renamed};

/// Longest username `changeUsername` accepts, in characters.
pub const MAX_USERNAME_CHARS: usize = 70;

pub async fn change_username(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    let new = ctx.require("newUsername")?;
    let len = new.chars().count();
    if len < usize::try_from(ctx.app.min_username_len).unwrap_or(0) {
        return Err(ctx.refuse(Msg::UsernameTooShort));
    }
    if len > MAX_USERNAME_CHARS {
        return Err(ctx.refuse(Msg::UsernameTooLong));
    }
    // The unique constraint decides: two renames to one free name cannot both succeed.
    match end_users::rename(&ctx.state.store, &ctx.app, &user, new).await? {
        Renamed::Done => Ok(ctx.ok(Msg::UsernameChanged)),
        Renamed::Taken => Err(ctx.refuse(Msg::UsernameUsed)),
        Renamed::Gone => Err(ctx.refuse(Msg::SessionUnauthed)),
    }
}
