//! `var` (an app variable, its value in `message`), `getvar` and `setvar` (the user's own
//! variables; read-only ones refuse `setvar`, and a new name past `user_vars_per_user`).

use super::{
    ActionResult,
    found::{found, require_authed},
};
use crate::api::client::{context::Ctx, envelope::Reply, messages::Msg};
use crate::manage::end_users;
use crate::store::client_data::SetUserVar;

/// Longest value `setvar` stores, in characters.
pub const MAX_USER_VAR_CHARS: usize = 500;
/// Longest variable name `setvar` accepts, in characters.
pub const MAX_VAR_NAME_CHARS: usize = 100;

pub async fn var(ctx: &Ctx) -> ActionResult {
    let name = ctx.require("varid")?;
    let var = found(ctx, ctx.state.store.app_var(ctx.app.id, name).await, Msg::VarNotFound)?;
    require_authed(ctx, var.authed).await?;
    // KeyAuth 1.3 clients read the value from `message`.
    Ok(Reply::success(var.value))
}

pub async fn getvar(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    let name = ctx.require("var")?;
    let var = found(ctx, ctx.state.store.user_var(user.id, name).await, Msg::UserVarNotFound)?;
    Ok(ctx.ok(Msg::UserVarRetrieved).with("response", var.value))
}

pub async fn setvar(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    let name = ctx.require("var")?;
    let data = ctx.require("data")?;
    if name.chars().count() > MAX_VAR_NAME_CHARS {
        return Err(ctx.refuse(Msg::VarNameTooLong));
    }
    if data.chars().count() > MAX_USER_VAR_CHARS {
        return Err(ctx.refuse(Msg::VarDataTooLong));
    }
    let cap = i64::from(ctx.state.config.user_vars_per_user);
    match end_users::set_var(&ctx.state.store, &user, name, data, cap).await? {
        SetUserVar::Set => Ok(ctx.ok(Msg::UserVarSet)),
        SetUserVar::ReadOnly => Err(ctx.refuse(Msg::UserVarReadOnly)),
        SetUserVar::Full => Err(ctx.refuse(Msg::UserVarLimit)),
    }
}
