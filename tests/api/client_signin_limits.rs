//! Brute-force limits of the client API: failed sign-ins per client network and app, and per app,
//! in one-minute windows. Requests come "from" other addresses through `X-Forwarded-For`, which
//! the server believes because the tests declare loopback a trusted proxy.
//! Raw on purpose (not the SDK): the SDK cannot send `X-Forwarded-For`.
//!
//! Fixed windows: each test runs its bursts early enough in a window (`fresh_window`) and checks
//! that it stayed in it, so a minute boundary cannot make it pass or fail by accident.

use crate::client_support::{Answer, ClientFixture};
use crate::engine_tests;
use crate::harness::TestApp;
use crate::reseller_fixture::{WINDOW_MS, fresh_window, now_ms};
use futures_util::future::join_all;
use licensd::config::Config;
use std::time::Duration;

const REFUSED: &str = "Too many failed attempts. Try again in a minute.";
const WRONG: &str = "Password does not match.";

fn five_per_address(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    config.login_failures_per_ip_per_min = 5;
    config.login_failures_per_app_per_min = 0;
}

fn eight_per_app(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    config.login_failures_per_ip_per_min = 0;
    config.login_failures_per_app_per_min = 8;
}

engine_tests!(config = five_per_address; failures_per_address_are_capped, parallel_guesses_cannot_overshoot);
fn both_limits(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    config.login_failures_per_ip_per_min = 2;
    config.login_failures_per_app_per_min = 8;
}

engine_tests!(config = eight_per_app; failures_per_app_add_up_across_addresses);
engine_tests!(config = both_limits; a_blocked_address_cannot_spend_the_apps_budget);

async fn login_from(c: &ClientFixture<'_>, ip: &str, pass: &str) -> Answer {
    let s = c.init().await;
    c.call_from(ip, Some(&s), "login", &[("username", "alice"), ("pass", pass)]).await
}

/// A user `alice` with password `right` and an active subscription.
async fn alice(c: &ClientFixture<'_>) {
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    c.license(&gold, "ALICE-KEY", Some(86_400)).await;
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "alice"), ("pass", "right"), ("key", "ALICE-KEY")])
        .await
        .assert_ok("Logged in!");
}

fn assert_refused(a: &Answer) {
    a.assert_fail(REFUSED);
    assert_eq!(a.status, 429);
}

fn assert_same_window(window: i64) {
    assert_eq!(now_ms() - now_ms() % WINDOW_MS, window, "the test crossed a window boundary");
}

/// Five wrong passwords from one address: the sixth attempt is refused before the password is
/// checked, even the right one; other addresses (and IPv6 networks) keep their own budget, and
/// successful sign-ins spend none.
async fn failures_per_address_are_capped(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    alice(&c).await;
    let window = fresh_window(Duration::from_secs(20)).await;
    for _ in 0..10 {
        login_from(&c, "198.51.100.1", "right").await.assert_ok("Logged in!");
    }
    for _ in 0..5 {
        login_from(&c, "198.51.100.1", "wrong").await.assert_fail(WRONG);
    }
    assert_refused(&login_from(&c, "198.51.100.1", "right").await);
    assert_refused(&login_from(&c, "198.51.100.1", "wrong").await);
    let s = c.init().await;
    assert_refused(&c.call_from("198.51.100.1", Some(&s), "license", &[("key", "ANY-KEY")]).await);
    login_from(&c, "198.51.100.2", "right").await.assert_ok("Logged in!");
    // One IPv6 host holds a whole /64: its addresses share one budget; the next /64 does not.
    for i in 0..5 {
        login_from(&c, &format!("2001:db8:1:2::{i}"), "wrong").await.assert_fail(WRONG);
    }
    assert_refused(&login_from(&c, "2001:db8:1:2:ffff::9", "right").await);
    login_from(&c, "2001:db8:1:3::1", "right").await.assert_ok("Logged in!");
    assert_same_window(window);
}

/// 20 wrong guesses at once from one address against a limit of five: exactly five are checked.
async fn parallel_guesses_cannot_overshoot(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    alice(&c).await;
    let window = fresh_window(Duration::from_secs(20)).await;
    let mut sessions = Vec::new();
    for _ in 0..20 {
        sessions.push(c.init().await);
    }
    let c = &c;
    let answers = join_all(
        sessions.iter().map(|s| c.call_from("203.0.113.5", Some(s), "login", &[("username", "alice"), ("pass", "x")])),
    )
    .await;
    let checked = answers.iter().filter(|a| a.message() == WRONG).count();
    let refused = answers.iter().filter(|a| a.message() == REFUSED).count();
    assert_eq!((checked, refused), (5, 15));
    assert_same_window(window);
}

/// The per-app limit counts failures from every address together.
async fn failures_per_app_add_up_across_addresses(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    alice(&c).await;
    let window = fresh_window(Duration::from_secs(20)).await;
    for i in 0..8 {
        login_from(&c, &format!("192.0.2.{i}"), "wrong").await.assert_fail(WRONG);
    }
    assert_refused(&login_from(&c, "192.0.2.200", "right").await);
    assert_same_window(window);
}

/// Attempts refused for their address do not count against the app: one address hammering
/// after its own limit cannot lock the app's other users out.
async fn a_blocked_address_cannot_spend_the_apps_budget(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    alice(&c).await;
    let window = fresh_window(Duration::from_secs(20)).await;
    for _ in 0..2 {
        login_from(&c, "198.51.100.7", "wrong").await.assert_fail(WRONG);
    }
    for _ in 0..20 {
        assert_refused(&login_from(&c, "198.51.100.7", "wrong").await);
    }
    for i in 0..5 {
        login_from(&c, &format!("192.0.2.{i}"), "wrong").await.assert_fail(WRONG);
    }
    login_from(&c, "192.0.2.100", "right").await.assert_ok("Logged in!");
    assert_same_window(window);
}
