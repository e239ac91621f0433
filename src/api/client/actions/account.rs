//! `changeUsername`: renames the session's user and logs it out everywhere.

use super::ActionResult;
use crate::api::client::{context::Ctx, messages::Msg};
use crate::store::StoreError;

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
    match ctx.state.store.rename_user_and_end_sessions(ctx.app.id, user.id, new).await {
        Ok(()) => Ok(ctx.ok(Msg::UsernameChanged)),
        Err(StoreError::Conflict(_)) => Err(ctx.refuse(Msg::UsernameUsed)),
        Err(StoreError::NotFound) => Err(ctx.refuse(Msg::SessionUnauthed)),
        Err(e) => Err(e.into()),
    }
}
