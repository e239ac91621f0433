//! Client API 1.3 two-factor codes are accepted once (RFC 6238 section 5.2): a code that enabled
//! 2FA or logged in is refused the second time, on login and on `2fadisable`, with the answer a
//! wrong code gets; and of many logins racing with one valid code exactly one gets in.
//!
//! Codes are always taken from the current or the next time step, never an earlier one: the
//! server accepts one step of skew either way, so these stay valid even when a 30-second
//! boundary passes between computing a code and the server checking it.

use crate::client_support::{Answer, ClientFixture};
use crate::engine_tests;
use crate::harness::TestApp;
use futures_util::future::join_all;
use licensd::domain::{time::now_ms, totp};

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
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", username), ("pass", "p"), ("key", key)]).await.assert_ok("Logged in!");
    let a = c.call(Some(&s), "2faenable", &[]).await;
    assert!(a.success(), "{}", a.text);
    let secret = a.json["2fa"]["secret_code"].as_str().unwrap().to_owned();
    let code = totp::code_at(&secret, now()).unwrap();
    c.call(Some(&s), "2faenable", &[("code", &code)]).await.assert_ok("2fa successfully activated");
    (secret, code)
}

/// A login of `username` with `code` on a new session; returns the answer and the session.
async fn login(c: &ClientFixture<'_>, username: &str, code: &str) -> (Answer, String) {
    let s = c.init().await;
    (c.call(Some(&s), "login", &[("username", username), ("pass", "p"), ("code", code)]).await, s)
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
    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", "late"), ("pass", "p")]).await.assert_fail("2FA code required");
    let next = totp::code_at(&secret, now() + 30).unwrap();
    login(&c, "late", &next).await.0.assert_ok("Logged in!");
}

async fn totp_codes_are_accepted_once(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K0", Some(DAY)).await;
    let (secret, enabling) = user_with_2fa(&c, "sec", "K0").await;
    // The code that enabled 2FA does not log in.
    login(&c, "sec", &enabling).await.0.assert_fail(INVALID);
    let next = totp::code_at(&secret, now() + 30).unwrap();
    let (a, s) = login(&c, "sec", &next).await;
    a.assert_ok("Logged in!");
    // Neither that code again nor an earlier one.
    login(&c, "sec", &next).await.0.assert_fail(INVALID);
    login(&c, "sec", &totp::code_at(&secret, now()).unwrap()).await.0.assert_fail(INVALID);
    // Nor does it turn 2FA off: 2FA stays on.
    c.call(Some(&s), "2fadisable", &[("code", &next)]).await.assert_fail(INVALID);
    c.call(Some(&s), "2faenable", &[]).await.assert_fail("2fa is already enabled on this account");
    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", "sec"), ("pass", "p")]).await.assert_fail("2FA code required");
}

async fn parallel_logins_with_one_code_let_one_in(t: TestApp) {
    const N: usize = 8;
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K0", Some(DAY)).await;
    let (secret, _) = user_with_2fa(&c, "racer", "K0").await;
    let mut sessions = Vec::new();
    for _ in 0..N {
        sessions.push(c.init().await);
    }
    let code = totp::code_at(&secret, now() + 30).unwrap();
    let fields = [("username", "racer"), ("pass", "p"), ("code", code.as_str())];
    let answers = join_all(sessions.iter().map(|s| c.call(Some(s), "login", &fields))).await;
    let winners: Vec<_> = answers.iter().filter(|a| a.success()).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    winners[0].assert_ok("Logged in!");
    for a in answers.iter().filter(|a| !a.success()) {
        a.assert_fail(INVALID);
    }
    let validated = join_all(sessions.iter().map(|s| c.call(Some(s), "check", &[]))).await;
    assert_eq!(validated.iter().filter(|a| a.success()).count(), 1, "{validated:#?}");
}
