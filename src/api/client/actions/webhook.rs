//! `webhook`: the server calls the seller's configured URL for the client (so the URL, and any
//! key in it, stays secret) and returns the remote body in `response`. The request itself is
//! guarded in `outbound` (SSRF: public addresses only, timeout, size cap, same-host redirects).

use super::{
    ActionResult,
    found::{found, require_authed},
};
use crate::api::client::{context::Ctx, messages::Msg};
use crate::services::outbound::{self, Outbound};

pub async fn webhook(ctx: &Ctx) -> ActionResult {
    let webid = ctx.require("webid")?;
    let hook = found(ctx, ctx.state.store.webhook(ctx.app.id, webid).await, Msg::WebhookNotFound)?;
    require_authed(ctx, hook.authed).await?;
    let req = Outbound {
        url: &hook.url,
        params: ctx.field("params"),
        body: ctx.field("body"),
        content_type: ctx.field("conttype"),
        user_agent: &hook.user_agent,
    };
    match ctx.state.services.http.send(&req).await {
        Ok(body) => Ok(ctx.ok(Msg::WebhookOk).with("response", body)),
        Err(e) => {
            // The seller sees why in the server log, the client only that it failed. The log
            // names the host alone: path and query may hold the seller's keys.
            let host = outbound::host_of(&hook.url);
            tracing::warn!(app_id = ctx.app.id.get(), webid = %hook.webid, host = %host, error = %e, "webhook request failed");
            Err(ctx.refuse(Msg::WebhookFailed))
        }
    }
}
