//! `init`: checks the program may run (client token when the app's token system is on, version,
//! program hash) and opens a session.

use super::{ActionResult, Halt};
use crate::api::client::{
    ApiVersion,
    abuse_limits::{self, Action},
    context::Ctx,
    envelope::Reply,
    messages::Msg,
};
use crate::domain::secret::constant_time_eq;
use crate::manage::{
    client_tokens::{self, Verdict},
    end_users,
};
use serde_json::json;

/// What `appinfo` reports for the counts: KeyAuth 1.3 servers answer this text too and serve
/// the real numbers through `fetchStats`, which keeps `init` (called at every program start) cheap.
const COUNTS_VIA_FETCH_STATS: &str = "N/A - Use fetchStats() function in latest example";

pub async fn init(ctx: &Ctx) -> ActionResult {
    // A disabled or paused app was refused before dispatch (`context::prepare`).
    let app = &ctx.app;
    if app.token_system
        && let Some(refusal) = check_token(ctx).await?
    {
        return Ok(refusal);
    }
    if let Some(ver) = ctx.field("ver")
        && ver != app.version
    {
        // Clients compare `message` with "invalidver" and open `download`.
        return Ok(
            Reply::failure(Msg::InvalidVer, Msg::InvalidVer.default_text()).with("download", app.download_url.as_str())
        );
    }
    if let Some(expected) = app.program_hash.as_deref().filter(|h| !h.is_empty()) {
        let sent = ctx.field("hash").unwrap_or("");
        if !constant_time_eq(sent.to_ascii_lowercase().as_bytes(), expected.to_ascii_lowercase().as_bytes()) {
            return Ok(ctx.fail(Msg::HashCheckFail));
        }
    }
    // Only an init that would store a session counts: a refused one stores nothing.
    abuse_limits::admit(ctx, Action::Init).await?;
    let session = end_users::open_session(&ctx.state.store, app, &ctx.ip, ctx.now).await?;
    let mut reply = ctx
        .ok(Msg::Initialized)
        .with("sessionid", session.id)
        .with(
            "appinfo",
            json!({
                "numUsers": COUNTS_VIA_FETCH_STATS,
                "numOnlineUsers": COUNTS_VIA_FETCH_STATS,
                "numKeys": COUNTS_VIA_FETCH_STATS,
                "version": app.version,
                "customerPanelLink": ctx.customer_panel_link(),
            }),
        )
        .with("newSession", true)
        .with("pubkey", ctx.state.signer.public_hex());
    if ctx.version == ApiVersion::V1_4 {
        reply = reply.with("changelog", app.changelog.as_str());
    }
    Ok(reply)
}

/// KeyAuth's token system, checked first as KeyAuth does: the token and the file hash must be
/// sent (blank counts as not sent, KeyAuth trims), the token must be the app's and not banned,
/// and the hash must be the one its first `init` locked. `None` lets `init` go on.
async fn check_token(ctx: &Ctx) -> Result<Option<Reply>, Halt> {
    let sent = |name| ctx.field(name).map(str::trim).filter(|v| !v.is_empty());
    let Some(token) = sent("token") else { return Ok(Some(ctx.fail(Msg::TokenRequired))) };
    let Some(file_hash) = sent("thash") else { return Ok(Some(ctx.fail(Msg::TokenHashRequired))) };
    let refusal = match client_tokens::check(&ctx.state.store, ctx.app.id, token, file_hash).await? {
        Verdict::Accepted => return Ok(None),
        Verdict::Unknown => ctx.fail(Msg::TokenInvalid),
        Verdict::Banned(reason) => {
            let text = Msg::TokenBanned.default_text().replace("{reason}", &reason);
            Reply::failure(Msg::TokenBanned, text)
        }
        Verdict::HashMismatch => ctx.fail(Msg::TokenHashMismatch),
    };
    Ok(Some(refusal))
}
