//! The one rule of whether something may be used now: an app, a license, a user with its
//! subscriptions. Every face (client API, Licenses API, Reseller API) asks it on every request,
//! with the facts its one statement read, so a ban, switch-off, expiry, deletion or pause takes
//! effect on the next request of any face in any process (nothing here is cached).
//!
//! Precedence, first match wins: the app (disabled, then paused), then the license or the user
//! (banned, then switched off or paused), then time. `SECURITY.md` ("What a ban does") lists
//! which switch stops what on which face.

/// Why something may not be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    AppDisabled,
    AppPaused,
    LicenseBanned,
    /// Switched off by the seller (`active = false`).
    LicenseInactive,
    LicenseExpired,
    UserBanned,
    UserPaused,
    /// The user has no subscription that is still running.
    NoSubscription,
    /// The user's running subscriptions are all paused.
    SubscriptionPaused,
}

/// The app's switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppFlags {
    pub enabled: bool,
    pub paused: bool,
}

/// A license's own state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LicenseFacts {
    pub active: bool,
    pub banned: bool,
    pub expires_at: Option<i64>,
}

/// A user's switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFacts {
    pub banned: bool,
    pub paused: bool,
}

/// One subscription of a user and the state of the license that last granted or extended it
/// (`None`: granted without a key, or that key was deleted together with its grant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionFacts {
    pub expires_at: Option<i64>,
    pub paused: bool,
    pub license: Option<LicenseFacts>,
}

/// Whether the app may be used at all.
pub fn app(app: AppFlags) -> Result<(), Denial> {
    if !app.enabled {
        Err(Denial::AppDisabled)
    } else if app.paused {
        Err(Denial::AppPaused)
    } else {
        Ok(())
    }
}

/// Whether a license of the app may be used (validated, activated, sold) at `now`.
pub fn license(app_flags: AppFlags, license: LicenseFacts, now: i64) -> Result<(), Denial> {
    app(app_flags)?;
    license_itself(license)?;
    if super::license::is_expired(license.expires_at, now) {
        return Err(Denial::LicenseExpired);
    }
    Ok(())
}

/// A license's ban and switch, leaving time aside: a subscription's time is its own (a key
/// redeemed on top of a running subscription extends it past the key's own expiry).
fn license_itself(license: LicenseFacts) -> Result<(), Denial> {
    if license.banned {
        Err(Denial::LicenseBanned)
    } else if !license.active {
        Err(Denial::LicenseInactive)
    } else {
        Ok(())
    }
}

/// Whether one subscription grants anything at `now`.
pub fn subscription(sub: SubscriptionFacts, now: i64) -> Result<(), Denial> {
    if super::license::is_expired(sub.expires_at, now) {
        return Err(Denial::NoSubscription);
    }
    if let Some(license) = sub.license {
        license_itself(license)?;
    }
    if sub.paused { Err(Denial::SubscriptionPaused) } else { Ok(()) }
}

/// Whether a user of the app may be signed in or act in a signed-in session at `now`: the app,
/// the user, and at least one usable subscription. On success, which of `subs` are usable (the
/// ones a sign-in shows); on refusal the strongest reason among the subscriptions: a banned key
/// over a switched-off one over a paused subscription over none running.
pub fn user(app_flags: AppFlags, user: UserFacts, subs: &[SubscriptionFacts], now: i64) -> Result<Vec<bool>, Denial> {
    app(app_flags)?;
    if user.banned {
        return Err(Denial::UserBanned);
    }
    if user.paused {
        return Err(Denial::UserPaused);
    }
    let verdicts: Vec<Result<(), Denial>> = subs.iter().map(|s| subscription(*s, now)).collect();
    if verdicts.iter().any(Result::is_ok) {
        return Ok(verdicts.iter().map(Result::is_ok).collect());
    }
    let rank = |d: &Denial| match d {
        Denial::LicenseBanned => 0,
        Denial::LicenseInactive => 1,
        Denial::SubscriptionPaused => 2,
        _ => 3,
    };
    Err(verdicts.into_iter().filter_map(Result::err).min_by_key(rank).unwrap_or(Denial::NoSubscription))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: AppFlags = AppFlags { enabled: true, paused: false };
    const GOOD: LicenseFacts = LicenseFacts { active: true, banned: false, expires_at: None };
    const FREE: UserFacts = UserFacts { banned: false, paused: false };

    fn sub(expires_at: Option<i64>, paused: bool, license: Option<LicenseFacts>) -> SubscriptionFacts {
        SubscriptionFacts { expires_at, paused, license }
    }

    #[test]
    fn the_app_comes_first() {
        let off = AppFlags { enabled: false, paused: true };
        assert_eq!(app(off), Err(Denial::AppDisabled));
        assert_eq!(app(AppFlags { enabled: true, paused: true }), Err(Denial::AppPaused));
        let banned = LicenseFacts { banned: true, ..GOOD };
        assert_eq!(license(off, banned, 0), Err(Denial::AppDisabled));
        assert_eq!(user(off, UserFacts { banned: true, paused: false }, &[], 0), Err(Denial::AppDisabled));
    }

    #[test]
    fn licenses_banned_then_off_then_expired() {
        let all_bad = LicenseFacts { active: false, banned: true, expires_at: Some(5) };
        assert_eq!(license(ON, all_bad, 10), Err(Denial::LicenseBanned));
        assert_eq!(license(ON, LicenseFacts { banned: false, ..all_bad }, 10), Err(Denial::LicenseInactive));
        assert_eq!(license(ON, LicenseFacts { expires_at: Some(10), ..GOOD }, 10), Err(Denial::LicenseExpired));
        assert_eq!(license(ON, LicenseFacts { expires_at: Some(11), ..GOOD }, 10), Ok(()));
    }

    #[test]
    fn a_subscription_follows_its_key_but_keeps_its_own_time() {
        let key_expired = LicenseFacts { expires_at: Some(5), ..GOOD };
        assert_eq!(subscription(sub(Some(50), false, Some(key_expired)), 10), Ok(()));
        assert_eq!(subscription(sub(Some(10), false, Some(GOOD)), 10), Err(Denial::NoSubscription));
        let banned = LicenseFacts { banned: true, ..GOOD };
        assert_eq!(subscription(sub(None, false, Some(banned)), 10), Err(Denial::LicenseBanned));
        assert_eq!(subscription(sub(None, true, None), 10), Err(Denial::SubscriptionPaused));
        assert_eq!(subscription(sub(None, false, None), 10), Ok(()));
    }

    #[test]
    fn users_need_one_usable_subscription() {
        let banned = LicenseFacts { banned: true, ..GOOD };
        let off = LicenseFacts { active: false, ..GOOD };
        let subs = [sub(None, false, Some(banned)), sub(None, false, Some(GOOD))];
        assert_eq!(user(ON, FREE, &subs, 10), Ok(vec![false, true]));
        assert_eq!(user(ON, UserFacts { banned: true, paused: false }, &subs, 10), Err(Denial::UserBanned));
        assert_eq!(user(ON, UserFacts { banned: false, paused: true }, &subs, 10), Err(Denial::UserPaused));
        assert_eq!(user(ON, FREE, &[], 10), Err(Denial::NoSubscription));
        let none_usable = [sub(Some(1), false, None), sub(None, true, None), sub(None, false, Some(off))];
        assert_eq!(user(ON, FREE, &none_usable, 10), Err(Denial::LicenseInactive));
        assert_eq!(user(ON, FREE, &none_usable[..2], 10), Err(Denial::SubscriptionPaused));
        let with_ban = [none_usable[2], sub(None, false, Some(banned))];
        assert_eq!(user(ON, FREE, &with_ban, 10), Err(Denial::LicenseBanned));
    }
}
