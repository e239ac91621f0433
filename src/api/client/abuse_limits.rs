//! Rate limits of the client actions that cost the server work or storage before any secret is
//! checked: `forgot` (a password hash and a mail), `init` (a session row) and `log` (a log row).
//! Each call is counted per client network and app, then per app (and for `forgot` per user),
//! in one-minute windows of the shared rate limiter; past a limit the call is refused with the
//! client API's rate-limit answer (HTTP 429, KeyAuth's text) before it does its work.
//!
//! A call is counted before it runs, so parallel calls cannot overshoot a limit: the counter's
//! increment is one atomic step (a locked map in memory, one upsert in the database).
//!
//! `init` counts in this process's memory on every engine (`RateLimiter::hit_in_process`): it runs
//! at every program start, and in the database its per-app counter would be one row every init of
//! the app waits on. With several processes its limits are therefore per process; `forgot` and
//! `log` count where `rate_limit_store` says.

use super::{actions::Halt, context::Ctx, messages::Msg};
use crate::domain::ids::UserId;
use crate::domain::netaddr::network;
use axum::http::StatusCode;

const WINDOW_MS: i64 = 60_000;

/// What is limited; names the counters.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    Forgot,
    Init,
    Log,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::Forgot => "forgot",
            Self::Init => "init",
            Self::Log => "log",
        }
    }

    /// Whether the counters are this process's own (see the module documentation).
    fn in_process(self) -> bool {
        matches!(self, Self::Init)
    }

    /// The configured limits per address and per app (0: unlimited).
    fn limits(self, ctx: &Ctx) -> (u32, u32) {
        let c = &ctx.state.config;
        match self {
            Self::Forgot => (c.forgot_per_ip_per_min, c.forgot_per_app_per_min),
            Self::Init => (c.init_sessions_per_ip_per_min, c.init_sessions_per_app_per_min),
            Self::Log => (c.log_lines_per_ip_per_min, c.log_lines_per_app_per_min),
        }
    }
}

/// Counts this call per client network and per app, in that order, stopping at the first spent
/// budget: a call refused for its address does not count against the app, so one flooding
/// address cannot use up everybody's budget.
pub async fn admit(ctx: &Ctx, action: Action) -> Result<(), Halt> {
    let (per_ip, per_app) = action.limits(ctx);
    let (name, local, app) = (action.name(), action.in_process(), ctx.app.id);
    hit(ctx, per_ip, local, || format!("{name}:ip:{app}:{}", network(&ctx.ip))).await?;
    hit(ctx, per_app, local, || format!("{name}:app:{app}")).await
}

/// Counts one `forgot` for the user it names (after `admit`, once the user is known).
pub async fn admit_forgot_for_user(ctx: &Ctx, user_id: UserId) -> Result<(), Halt> {
    hit(ctx, ctx.state.config.forgot_per_user_per_min, false, || format!("forgot:user:{user_id}")).await
}

/// Counts one call in `bucket` unless `limit` is 0; the rate-limit answer once it is over.
async fn hit(ctx: &Ctx, limit: u32, in_process: bool, bucket: impl FnOnce() -> String) -> Result<(), Halt> {
    if limit == 0 {
        return Ok(());
    }
    let limiter = &ctx.state.limiter;
    let count = match in_process {
        true => limiter.hit_in_process(&bucket(), ctx.now, WINDOW_MS),
        false => limiter.hit(&bucket(), ctx.now, WINDOW_MS).await?,
    };
    if count > i64::from(limit) {
        return Err(Halt::Reply(ctx.fail(Msg::TooManyRequests).with_status(StatusCode::TOO_MANY_REQUESTS)));
    }
    Ok(())
}
