//! `chatget` and `chatsend`: an app's chat channels. The per-channel delay between one user's
//! messages is enforced by the store's conditional write, so it holds across processes; each send
//! prunes the channel to its newest `chat_messages_per_channel` messages.

use super::{ActionResult, found::found};
use crate::api::client::{context::Ctx, messages::Msg};
use crate::manage::end_users;
use crate::store::chat::NewChatMessage;
use serde_json::json;

/// Longest chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 2000;
/// Messages `chatget` returns: the channel's newest ones.
pub const CHATGET_LIMIT: i64 = 200;

pub async fn chatget(ctx: &Ctx) -> ActionResult {
    ctx.validated_user().await?;
    let name = ctx.require("channel")?;
    let channel = found(ctx, ctx.state.store.chat_channel(ctx.app.id, name).await, Msg::ChatNotFound)?;
    let messages: Vec<_> = ctx
        .state
        .store
        .recent_chat_messages(channel.id, CHATGET_LIMIT)
        .await?
        .into_iter()
        .map(|m| json!({ "author": m.public_author(), "message": m.message, "timestamp": m.created_at.secs() }))
        .collect();
    Ok(ctx.ok(Msg::ChatRetrieved).with("messages", messages))
}

pub async fn chatsend(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    // An empty field counts as absent: both are a blank message.
    let message = ctx.field("message").unwrap_or("");
    if message.trim().is_empty() {
        return Err(ctx.refuse(Msg::ChatBlank));
    }
    if message.chars().count() > MAX_CHAT_CHARS {
        return Err(ctx.refuse(Msg::ChatTooLong));
    }
    let name = ctx.require("channel")?;
    let store = &ctx.state.store;
    let channel = found(ctx, store.chat_channel(ctx.app.id, name).await, Msg::ChatNotFound)?;
    if store.chat_muted_until(ctx.app.id, &user.username, ctx.now).await?.is_some() {
        return Err(ctx.refuse(Msg::ChatMuted));
    }
    let keep = i64::from(ctx.state.config.chat_messages_per_channel);
    let new =
        NewChatMessage { channel: &channel, user_id: user.id, author: &user.username, message, now: ctx.now, keep };
    match end_users::post_chat(store, new).await? {
        Some(_) => Ok(ctx.ok(Msg::ChatSent)),
        None => Err(ctx.refuse(Msg::ChatDelay)),
    }
}
