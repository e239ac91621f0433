//! What register, login, loginEmail and license share: HWID rules, the blacklist, the checks of
//! a login (ban, 2FA, HWID lock, subscriptions), validating the session, and the `info` object.

use super::{ActionResult, Halt};
use crate::api::client::{context::Ctx, messages::Msg};
use crate::domain::time::UnixMs;
use crate::domain::{
    totp,
    usable::{self, Denial},
};
use crate::manage::{ManageError, end_users};
use crate::services::password::{self, HashError};
use crate::store::{
    client_users::{ActiveSubscription, KeyProblem},
    users::User,
};
use serde_json::{Value, json};

/// `expiry` shown for a lifetime subscription: 2100-01-01T00:00:00Z (clients parse a number).
pub const LIFETIME_EXPIRY_SECS: i64 = 4_102_444_800;
/// Longest HWID accepted (real ones are SIDs, machine ids or hashes, well under this).
const MAX_HWID_CHARS: usize = 256;

/// The request's HWID, trimmed (Linux clients send /etc/machine-id with its newline).
pub fn hwid(ctx: &Ctx) -> Option<String> {
    ctx.field("hwid").map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned)
}

/// The app's HWID rules on the sent HWID: present when forced, long enough, bounded.
pub fn check_hwid_rules(ctx: &Ctx, hwid: Option<&str>) -> Result<(), Halt> {
    match hwid {
        None if ctx.app.force_hwid => Err(ctx.refuse(Msg::HwidRequired)),
        Some(h) if h.chars().count() > MAX_HWID_CHARS => Err(ctx.refuse(Msg::BadRequest)),
        Some(h) if (h.chars().count() as i64) < ctx.app.hwid_min_len => Err(ctx.refuse(Msg::HwidTooShort)),
        _ => Ok(()),
    }
}

/// Refuses clients whose HWID or IP the app blacklisted.
pub async fn check_blacklist(ctx: &Ctx, hwid: Option<&str>) -> Result<(), Halt> {
    if ctx.state.store.is_blacklisted(ctx.app.id, hwid, &ctx.ip).await? {
        return Err(ctx.refuse(Msg::Blacklisted));
    }
    Ok(())
}

/// The answer to a key that cannot be redeemed.
pub fn key_problem(ctx: &Ctx, problem: KeyProblem) -> Halt {
    ctx.refuse(match problem {
        KeyProblem::NotFound => Msg::KeyNotFound,
        KeyProblem::Banned => Msg::KeyBanned,
        KeyProblem::Used => Msg::KeyUsed,
        KeyProblem::Expired => Msg::KeyExpired,
    })
}

/// Checks a password against the user's hash, or against a pending `forgot` replacement, which
/// then becomes the password. Key-only users (no hash) have no password to match. An imported
/// bcrypt hash that matched is replaced by Argon2id, so it is checked as bcrypt only once.
pub async fn check_password(ctx: &Ctx, user: &User, pass: &str) -> Result<(), Halt> {
    let passwords = &ctx.state.services.passwords;
    let fault = |e: HashError| Halt::Fault(e.0);
    let Some(stored) = user.password_hash.as_deref() else { return Err(ctx.refuse(Msg::PassMismatch)) };
    if passwords.verify(pass, stored).await.map_err(fault)? {
        if password::is_legacy(stored) {
            let upgraded = passwords.hash(pass).await.map_err(fault)?;
            end_users::upgrade_password_hash(&ctx.state.store, user, stored, &upgraded).await?;
        }
        return Ok(());
    }
    if let Some(pending) = end_users::pending_password_reset(&ctx.state.store, user, ctx.now).await?
        && passwords.verify(pass, &pending).await.map_err(fault)?
    {
        end_users::apply_password_reset(&ctx.state.store, user, &pending).await?;
        return Ok(());
    }
    Err(ctx.refuse(Msg::PassMismatch))
}

/// The checks every successful login passes (ban, 2FA, HWID lock, running subscriptions), then
/// the bookkeeping (last login, IP, validated session) and the `Logged in!` answer with `info`.
pub async fn finish_login(ctx: &Ctx, user: User, hwid: Option<&str>) -> ActionResult {
    let store = &ctx.state.store;
    if user.banned_reason.is_some() {
        return Err(ctx.refuse(Msg::UserBanned));
    }
    if user.totp_enabled {
        let code = ctx.field("code").ok_or_else(|| ctx.refuse(Msg::TwofaRequired))?;
        let secret = user.totp_secret.as_deref().unwrap_or("");
        // A code is accepted once (RFC 6238 section 5.2): a replayed one answers like a wrong one.
        let step = totp::verify(secret, code, unix_secs(ctx.now));
        let Some(step) = step else { return Err(ctx.refuse(Msg::TwofaInvalid)) };
        if !end_users::claim_totp_step(store, &user, step).await? {
            return Err(ctx.refuse(Msg::TwofaInvalid));
        }
    }
    let bound_hwid = check_hwid_lock(ctx, &user, hwid).await?;
    let subs = store.user_subscriptions_with_keys(user.id).await?;
    let facts: Vec<_> = subs.iter().map(ActiveSubscription::facts).collect();
    let verdicts = usable::user(ctx.app.flags(), user.facts(), &facts, ctx.now).map_err(|d| denied(ctx, d))?;
    let usable: Vec<ActiveSubscription> =
        subs.into_iter().zip(verdicts).filter_map(|(s, ok)| ok.then_some(s)).collect();
    // The session may have ended since dispatch read it (a concurrent logout or ban, or expiry).
    match end_users::record_sign_in(store, &ctx.app, &ctx.session()?.id, &user, &ctx.ip, ctx.now).await {
        Err(ManageError::NotFound(_)) => return Err(ctx.refuse(Msg::SessionNotFound)),
        done => done?,
    }
    let shown_hwid = hwid.map(str::to_owned).or(bound_hwid);
    Ok(ctx.ok(Msg::LoggedIn).with("info", info(ctx, &user, &usable, shown_hwid.as_deref())))
}

/// The sign-in answer to `domain::usable`'s refusal.
pub fn denied(ctx: &Ctx, denial: Denial) -> Halt {
    ctx.refuse(match denial {
        Denial::AppDisabled => Msg::AppDisabled,
        Denial::AppPaused => Msg::PausedApp,
        Denial::LicenseBanned => Msg::KeyBanned,
        Denial::LicenseExpired => Msg::KeyExpired,
        Denial::UserBanned => Msg::UserBanned,
        Denial::LicenseInactive | Denial::NoSubscription => Msg::NoActiveSubs,
        Denial::UserPaused | Denial::SubscriptionPaused => Msg::PausedSub,
    })
}

/// With the app's HWID lock on, the first HWID sent is bound and later sign-ins must send a
/// bound one: leaving the field out is no way around the lock (KeyAuth's mismatch answer).
/// Returns the user's first bound HWID (for `info`).
async fn check_hwid_lock(ctx: &Ctx, user: &User, hwid: Option<&str>) -> Result<Option<String>, Halt> {
    let store = &ctx.state.store;
    let mut bound = store.user_hwids(user.id).await?;
    if !ctx.app.hwid_lock {
        return Ok(bound.into_iter().next());
    }
    match hwid {
        None if !bound.is_empty() => return Err(ctx.refuse(Msg::HwidMismatch)),
        Some(h) if !bound.iter().any(|b| b == h) => {
            if !bound.is_empty() || !end_users::bind_first_hwid(store, user, h, ctx.now).await? {
                return Err(ctx.refuse(Msg::HwidMismatch));
            }
            bound.push(h.to_owned());
        }
        _ => {}
    }
    Ok(bound.into_iter().next())
}

fn unix_secs(ms: i64) -> u64 {
    u64::try_from(ms / 1000).unwrap_or(0)
}

/// The `info` object of register, login and license.
fn info(ctx: &Ctx, user: &User, subs: &[ActiveSubscription], hwid: Option<&str>) -> Value {
    let now_secs = ctx.now / 1000;
    let subscriptions: Vec<Value> = subs
        .iter()
        .map(|s| {
            let expiry = s.expires_at.map_or(LIFETIME_EXPIRY_SECS, UnixMs::secs);
            json!({
                "subscription": s.plan_name,
                "key": s.key,
                "expiry": expiry.to_string(),
                "timeleft": (expiry - now_secs).max(0),
                "level": s.level.to_string(),
            })
        })
        .collect();
    json!({
        "username": user.username,
        "subscriptions": subscriptions,
        "ip": ctx.ip,
        "hwid": hwid,
        "createdate": user.created_at.secs().to_string(),
        "lastlogin": now_secs.to_string(),
    })
}
