//! Brute-force limits on the actions that check a secret the client supplies (password, license
//! key, 2FA code): failed attempts are counted per client network and app, and per app, in
//! one-minute windows. Past a limit the attempt is refused before any secret is checked.
//!
//! Each attempt is counted before it runs and refunded when it succeeds, so parallel attempts
//! cannot overshoot a limit and successful sign-ins never use up the budget.

use super::{context::Ctx, envelope::Reply, messages::Msg};
use crate::store::StoreError;
use axum::http::StatusCode;
use std::net::IpAddr;

const WINDOW_MS: i64 = 60_000;

/// The `type`s whose failures count: each checks a password, a license key or a 2FA code.
pub const GUARDED_TYPES: &[&str] =
    &["register", "login", "loginEmail", "license", "upgrade", "2faenable", "2fadisable"];

/// Counts this attempt; `Some(reply)` when a limit is already spent and it must be refused.
pub async fn admit(ctx: &Ctx) -> Result<Option<Reply>, StoreError> {
    // Per address first, and stop at the first spent budget: an attempt refused for its address
    // must not count against the app, or one blocked address could lock every user out.
    for (bucket, limit) in buckets(ctx) {
        if ctx.state.limiter.hit(&bucket, ctx.now, WINDOW_MS).await? > limit {
            return Ok(Some(ctx.fail(Msg::TooManyAttempts).with_status(StatusCode::TOO_MANY_REQUESTS)));
        }
    }
    Ok(None)
}

/// Gives back the attempt counted by `admit` once it has succeeded.
pub async fn refund(ctx: &Ctx) -> Result<(), StoreError> {
    for (bucket, _) in buckets(ctx) {
        ctx.state.limiter.refund(&bucket, ctx.now, WINDOW_MS).await?;
    }
    Ok(())
}

/// The counters this request's attempt goes into, with their limits (0 = unlimited: skipped).
fn buckets(ctx: &Ctx) -> Vec<(String, i64)> {
    let config = &ctx.state.config;
    let per_ip =
        (i64::from(config.login_failures_per_ip_per_min), format!("signin:{}:{}", ctx.app.id, network(&ctx.ip)));
    let per_app = (i64::from(config.login_failures_per_app_per_min), format!("signin:{}", ctx.app.id));
    [per_ip, per_app].into_iter().filter(|(limit, _)| *limit > 0).map(|(limit, bucket)| (bucket, limit)).collect()
}

/// The unit an attacker pays for: one IPv4 address, or one IPv6 /64 (a single host usually holds
/// a whole /64, so counting addresses inside it would be no limit at all).
fn network(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or_else(|| ip.to_owned(), |v4| v4.to_string()),
        _ => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_hosts_in_one_slash_64_share_a_bucket() {
        assert_eq!(network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(network("2001:db8:1:2:bbbb::9"), network("2001:db8:1:2:aaaa::1"));
        assert_ne!(network("2001:db8:1:3::1"), network("2001:db8:1:2::1"));
    }

    #[test]
    fn ipv4_and_mapped_ipv4_are_one_address() {
        assert_eq!(network("203.0.113.7"), "203.0.113.7");
        assert_eq!(network("::ffff:203.0.113.7"), "203.0.113.7");
    }
}
