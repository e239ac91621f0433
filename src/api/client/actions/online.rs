//! `fetchOnline` (the public names of users with a validated live session) and `fetchStats` (real counts).

use super::ActionResult;
use crate::api::client::{context::Ctx, messages::Msg};
use serde_json::json;

pub async fn fetch_online(ctx: &Ctx) -> ActionResult {
    let online = ctx.state.store.online_users(ctx.app.id, ctx.now).await?;
    if online.is_empty() {
        return Err(ctx.refuse(Msg::NoOnlineUsers));
    }
    // A key-only user's name is its key: never shown to other clients (`domain::names`).
    let users: Vec<_> = online.iter().map(|u| json!({ "credential": u.public_name() })).collect();
    Ok(ctx.ok(Msg::OnlineFetched).with("users", users))
}

pub async fn fetch_stats(ctx: &Ctx) -> ActionResult {
    let stats = ctx.state.store.app_stats(ctx.app.id, ctx.now).await?;
    // Clients expect every member of `appinfo` as a string.
    Ok(ctx.ok(Msg::StatsFetched).with(
        "appinfo",
        json!({
            "numUsers": stats.num_users.to_string(),
            "numOnlineUsers": stats.num_online_users.to_string(),
            "numKeys": stats.num_keys.to_string(),
            "version": ctx.app.version,
            "customerPanelLink": ctx.customer_panel_link(),
        }),
    ))
}
