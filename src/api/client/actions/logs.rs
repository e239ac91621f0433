//! `log`: a client program's log line, stored for the seller (bounded in length, count per app,
//! and rate per address and app: `abuse_limits`).

use super::ActionResult;
use crate::api::client::{
    abuse_limits::{self, Action},
    context::Ctx,
    messages::Msg,
};
use crate::manage::end_users;
use crate::store::{StoreError, client_data::NewClientLog};

/// Logs kept per app; older ones are pruned now and then.
pub const LOGS_KEPT_PER_APP: i64 = 10_000;
/// Longest accepted log message, in characters (KeyAuth's limit).
pub const MAX_LOG_CHARS: usize = 275;
/// `pcuser` (the OS account name) is informational; longer values are cut to this many characters.
const MAX_PCUSER_CHARS: usize = 64;

pub async fn log(ctx: &Ctx) -> ActionResult {
    let message = ctx.require("message")?;
    if message.chars().count() > MAX_LOG_CHARS {
        return Err(ctx.refuse(Msg::LogTooLong));
    }
    abuse_limits::admit(ctx, Action::Log).await?;
    let pcuser: Option<String> = ctx.field("pcuser").map(|p| p.chars().take(MAX_PCUSER_CHARS).collect());
    let username = match ctx.session()?.validated_user_id() {
        Some(id) => match ctx.state.store.client_user(ctx.app.id, id).await {
            Ok(user) => Some(user.username),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let log = NewClientLog {
        seller_id: ctx.app.seller_id,
        app_id: ctx.app.id,
        username: username.as_deref(),
        pcuser: pcuser.as_deref(),
        message,
        now: ctx.now,
    };
    end_users::log(&ctx.state.store, log, LOGS_KEPT_PER_APP).await?;
    Ok(ctx.ok(Msg::LogSaved))
}
