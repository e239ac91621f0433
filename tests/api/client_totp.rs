//! Client API 1.3 two-factor codes are accepted once (RFC 6238 section 5.2): a code that enabled
//! 2FA or logged in is refused the second time, on login and on `2fadisable`, with the answer a
//! wrong code gets; and of many logins racing with one valid code exactly one gets in.
//!
//! Codes are always taken from the current or the next time step, never an earlier one: the
//! server accepts one step of skew either way, so these stay valid even when a 30-second
//! boundary passes between computing a code and the server checking it. Through the SDK.

use crate::client_support::{ClientFixture, assert_ok, assert_refused, said};
use crate::engine_tests;
use crate::harness::TestApp;
use futures_util::future::join_all;
use licensd::domain::{time::now_ms, totp};
use licensd_client::{Error, TwoFactorSetup, asynch::LibreAuth};

const DAY: i64 = 86_400;
const INVALID: &str = "Invalid code please try again";

engine_tests!(totp_codes_are_accepted_once, a_pending_secret_never_replaces_an_enabled_one);
engine_tests!(config = crate::harness::without_signin_limits; parallel_logins_with_one_code_let_one_in);

fn now() -> u64 {
    (now_ms() / 1000) as u64
}

/// Registers `username` (password `p`) with key `key` and turns 2FA on with the current code;
/// returns the secret and the code that enabled it.
async fn user_with_2fa(c: &ClientFixture<'_>, username: &str, key: &str) -> (String, String) {
    let mut app = c.sdk_init().await;
    assert_ok(app.register(username, "p", key, None).await, &app, "Logged in!");
    let Ok(TwoFactorSetup::Secret { secret_code: secret, .. }) = app.enable_2fa(None).await else {
        panic!("a new secret expected")
    };
    let code = totp::code_at(&secret, now()).unwrap();
    assert_ok(app.enable_2fa(Some(&code)).await, &app, "2fa successfully activated");
    (secret, code)
}

/// A login of `username` with `code` on a new session; returns its message or refusal, and the client.
async fn login(c: &ClientFixture<'_>, username: &str, code: Option<&str>) -> (Result<String, Error>, LibreAuth) {
    let mut app = c.sdk_init().await;
    (said(app.login(username, "p", code).await, &app), app)
}

/// `2faenable` without a code reads the user, then stores a new pending secret. When 2FA was
/// switched on in between (another session of the account), that write must not switch it off:
/// the store refuses it, and logins still need a code of the enabled secret.
async fn a_pending_secret_never_replaces_an_enabled_one(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K2", Some(DAY)).await;
    let (secret, _) = user_with_2fa(&c, "late", "K2").await;
    let user = t.store().user_by_ref(c.app.id, "late").await.unwrap();
    assert!(!t.store().set_totp_secret(user.id, &totp::new_secret()).await.unwrap());
    assert_refused(login(&c, "late", None).await.0, "2FA code required");
    let next = totp::code_at(&secret, now() + 30).unwrap();
    assert_eq!(login(&c, "late", Some(&next)).await.0.unwrap(), "Logged in!");
}

async fn totp_codes_are_accepted_once(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K0", Some(DAY)).await;
    let (secret, enabling) = user_with_2fa(&c, "sec", "K0").await;
    // The code that enabled 2FA does not log in.
    assert_refused(login(&c, "sec", Some(&enabling)).await.0, INVALID);
    let next = totp::code_at(&secret, now() + 30).unwrap();
    let (r, mut app) = login(&c, "sec", Some(&next)).await;
    assert_eq!(r.unwrap(), "Logged in!");
    // Neither that code again nor an earlier one.
    assert_refused(login(&c, "sec", Some(&next)).await.0, INVALID);
    assert_refused(login(&c, "sec", Some(&totp::code_at(&secret, now()).unwrap())).await.0, INVALID);
    // Nor does it turn 2FA off: 2FA stays on.
    assert_refused(app.disable_2fa(&next).await, INVALID);
    assert_refused(app.enable_2fa(None).await, "2fa is already enabled on this account");
    assert_refused(login(&c, "sec", None).await.0, "2FA code required");
}

async fn parallel_logins_with_one_code_let_one_in(t: TestApp) {
    const N: usize = 8;
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K0", Some(DAY)).await;
    let (secret, _) = user_with_2fa(&c, "racer", "K0").await;
    let mut apps = Vec::new();
    for _ in 0..N {
        apps.push(c.sdk_init().await);
    }
    let code = totp::code_at(&secret, now() + 30).unwrap();
    let answers = join_all(apps.iter_mut().map(|app| app.login("racer", "p", Some(&code)))).await;
    let (winners, losers): (Vec<_>, Vec<_>) = answers.into_iter().zip(&apps).partition(|(r, _)| r.is_ok());
    assert_eq!(winners.len(), 1, "{losers:#?}");
    for (r, app) in winners {
        assert_ok(r, app, "Logged in!");
    }
    for (r, _) in losers {
        assert_refused(r, INVALID);
    }
    let validated = join_all(apps.iter_mut().map(|app| app.check())).await;
    assert_eq!(validated.iter().filter(|r| r.is_ok()).count(), 1, "{validated:#?}");
}
