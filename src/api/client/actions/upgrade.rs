//! `upgrade`: redeems a key onto an existing user (by name). It does not log anyone in, so
//! the session stays as it was.

use super::{ActionResult, signin::key_problem};
use crate::api::client::{context::Ctx, messages::Msg};
use crate::manage::end_users;
use crate::store::client_users::Upgraded;

pub async fn upgrade(ctx: &Ctx) -> ActionResult {
    let username = ctx.require("username")?;
    let key = ctx.require("key")?;
    let app = &ctx.app;
    match end_users::redeem_onto(&ctx.state.store, app, username, key, ctx.now).await? {
        Upgraded::Done(_) => Ok(ctx.ok(Msg::Upgraded)),
        Upgraded::Key(problem) => Err(key_problem(ctx, problem)),
        Upgraded::NoUser => Err(ctx.refuse(Msg::UsernameNotFound)),
    }
}
