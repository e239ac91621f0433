//! Abuse limits of the client API's actions that cost the server work or storage before any
//! secret is checked: `forgot` per user, address and app; `init` sessions and `log` lines per
//! address and app; user variables per user and chat messages per channel. Requests come "from"
//! other addresses through `X-Forwarded-For`, which the server believes because the tests declare
//! loopback a trusted proxy.
//! Raw on purpose (not the SDK): the SDK cannot send `X-Forwarded-For`.
//!
//! Fixed windows: each test runs its bursts early enough in a window (`fresh_window`) and checks
//! that it stayed in it, so a minute boundary cannot make it pass or fail by accident.

use crate::client_support::{Answer, ClientFixture};
use crate::engine_tests;
use crate::harness::TestApp;
use crate::reseller_fixture::{WINDOW_MS, fresh_window, now_ms};
use futures_util::future::join_all;
use licensd::config::{Config, SmtpConfig};
use std::time::Duration;

const REFUSED: &str = "This application has sent too many requests. Try again in a minute.";

fn behind_proxy(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
}

fn init_limits(config: &mut Config) {
    behind_proxy(config);
    config.init_sessions_per_ip_per_min = 2;
    config.init_sessions_per_app_per_min = 5;
}

fn log_limits(config: &mut Config) {
    behind_proxy(config);
    config.log_lines_per_ip_per_min = 2;
    config.log_lines_per_app_per_min = 3;
}

/// Mail goes to a port nobody listens on: an admitted `forgot` hashes a password and tries to
/// send (`ResetFailed`), a refused one does neither.
fn forgot_limits(config: &mut Config) {
    behind_proxy(config);
    config.smtp = Some(SmtpConfig { url: "smtp://127.0.0.1:1?tls=none".into(), from: "x@example.com".into() });
    config.forgot_per_user_per_min = 2;
    config.forgot_per_ip_per_min = 3;
    config.forgot_per_app_per_min = 6;
}

fn forgot_per_address_only(config: &mut Config) {
    forgot_limits(config);
    config.forgot_per_user_per_min = 0;
    config.forgot_per_app_per_min = 0;
}

fn three_vars(config: &mut Config) {
    config.user_vars_per_user = 3;
}

fn three_chat_messages(config: &mut Config) {
    config.chat_messages_per_channel = 3;
}

engine_tests!(config = init_limits; init_sessions_per_address_and_app, parallel_inits_admit_at_most_the_limit);
engine_tests!(config = log_limits; log_lines_per_address_and_app);
engine_tests!(config = forgot_limits; forgot_per_user_address_and_app);
engine_tests!(config = forgot_per_address_only; parallel_forgots_admit_at_most_the_limit);
engine_tests!(config = three_vars; user_variables_are_capped);
engine_tests!(config = three_chat_messages; chat_history_is_pruned_to_the_cap);

async fn init_from(c: &ClientFixture<'_>, ip: &str) -> Answer {
    c.call_from(ip, None, "init", &[]).await
}

#[track_caller]
fn assert_refused(a: &Answer) {
    a.assert_fail(REFUSED);
    assert_eq!(a.status, 429);
}

fn assert_same_window(window: i64) {
    let now = now_ms();
    assert_eq!(now - now % WINDOW_MS, window, "the test crossed a window boundary");
}

async fn count(c: &ClientFixture<'_>, sql: &str, id: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut c.db().await).await.unwrap();
    n
}

async fn sessions_of(c: &ClientFixture<'_>) -> i64 {
    count(c, "SELECT COUNT(*) FROM sessions WHERE app_id = $1", c.app.id.get()).await
}

/// Two sessions per address (IPv6: per /64), five per app; refused inits store nothing, and an
/// address refused for its own limit does not spend the app's budget.
async fn init_sessions_per_address_and_app(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let window = fresh_window(Duration::from_secs(10)).await;
    for _ in 0..2 {
        init_from(&c, "198.51.100.1").await.assert_ok("Initialized");
    }
    for _ in 0..5 {
        assert_refused(&init_from(&c, "198.51.100.1").await);
    }
    init_from(&c, "2001:db8:1:2::1").await.assert_ok("Initialized");
    init_from(&c, "2001:db8:1:2:ffff::2").await.assert_ok("Initialized");
    assert_refused(&init_from(&c, "2001:db8:1:2::3").await);
    init_from(&c, "192.0.2.1").await.assert_ok("Initialized");
    // Five sessions stored: the app's budget is spent for every address.
    assert_refused(&init_from(&c, "192.0.2.2").await);
    assert_eq!(sessions_of(&c).await, 5);
    // Another app has its own budget.
    let other = c.another_app("Other").await;
    init_from(&other, "192.0.2.3").await.assert_ok("Initialized");
    assert_same_window(window);
}

/// 20 inits at once from one address against its limit of two, then 20 from 20 addresses
/// against the app's limit of five: two and then three more are admitted, never more.
async fn parallel_inits_admit_at_most_the_limit(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let window = fresh_window(Duration::from_secs(10)).await;
    let c = &c;
    let answers = join_all((0..20).map(|_| init_from(c, "203.0.113.5"))).await;
    assert_eq!(answers.iter().filter(|a| a.success()).count(), 2);
    assert!(answers.iter().filter(|a| !a.success()).all(|a| a.message() == REFUSED && a.status == 429));
    let answers = join_all((0..20).map(|i| async move { init_from(c, &format!("192.0.2.{i}")).await })).await;
    assert_eq!(answers.iter().filter(|a| a.success()).count(), 3);
    assert_eq!(sessions_of(c).await, 5);
    assert_same_window(window);
}

/// Two lines per address, three per app; refused lines are not stored.
async fn log_lines_per_address_and_app(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let s = c.init().await;
    let window = fresh_window(Duration::from_secs(10)).await;
    let log = |ip: &'static str| c.call_from(ip, Some(&s), "log", &[("message", "hello")]);
    for _ in 0..2 {
        log("198.51.100.1").await.assert_ok("Successfully logged the message");
    }
    assert_refused(&log("198.51.100.1").await);
    log("198.51.100.2").await.assert_ok("Successfully logged the message");
    assert_refused(&log("198.51.100.3").await);
    assert_eq!(count(&c, "SELECT COUNT(*) FROM client_logs WHERE app_id = $1", c.app.id.get()).await, 3);
    assert_same_window(window);
}

/// A user `name` with an email address, inserted directly.
async fn user_with_email(c: &ClientFixture<'_>, name: &str) {
    let (_, id) = c.user_session(name).await;
    sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
        .bind(format!("{name}@example.com"))
        .bind(id)
        .execute(&mut c.db().await)
        .await
        .unwrap();
}

const MAIL_FAILED: &str = "The password reset email could not be sent. Try again later.";
const NO_USER: &str = "No user found with that username!";

/// Two per user, three per address, six per app; unknown usernames spend the address's and the
/// app's budget too (probing names is limited), and what a limit refused is not counted further.
async fn forgot_per_user_address_and_app(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    user_with_email(&c, "una").await;
    user_with_email(&c, "vic").await;
    let s = c.init().await;
    let window = fresh_window(Duration::from_secs(15)).await;
    let forgot = |ip: &'static str, user: &'static str| {
        let email = format!("{user}@example.com");
        let s = s.clone();
        let c = &c;
        async move { c.call_from(ip, Some(&s), "forgot", &[("username", user), ("email", &email)]).await }
    };
    forgot("198.51.100.1", "una").await.assert_fail(MAIL_FAILED);
    forgot("198.51.100.2", "una").await.assert_fail(MAIL_FAILED);
    assert_refused(&forgot("198.51.100.3", "una").await);
    forgot("198.51.100.3", "vic").await.assert_fail(MAIL_FAILED);
    forgot("198.51.100.1", "nobody").await.assert_fail(NO_USER);
    forgot("198.51.100.1", "nobody").await.assert_fail(NO_USER);
    assert_refused(&forgot("198.51.100.1", "vic").await);
    // App: una twice, una refused for the user, vic, nobody twice: six.
    assert_refused(&forgot("192.0.2.1", "vic").await);
    assert_same_window(window);
}

/// 12 `forgot` calls at once from one address against its limit of three: three hash and mail.
async fn parallel_forgots_admit_at_most_the_limit(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    user_with_email(&c, "una").await;
    let s = c.init().await;
    let window = fresh_window(Duration::from_secs(15)).await;
    let c = &c;
    let fields = [("username", "una"), ("email", "una@example.com")];
    let answers = join_all((0..12).map(|_| c.call_from("203.0.113.5", Some(&s), "forgot", &fields))).await;
    let admitted = answers.iter().filter(|a| a.message() == MAIL_FAILED).count();
    let refused = answers.iter().filter(|a| a.message() == REFUSED && a.status == 429).count();
    assert_eq!((admitted, refused), (3, 9));
    assert_same_window(window);
}

/// Three variables per user: a fourth name is refused (the client API's failure envelope),
/// changing an existing one still works, another user has their own three; parallel new names
/// cannot overshoot.
async fn user_variables_are_capped(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let (s, id) = c.user_session("wes").await;
    for name in ["a", "b", "c"] {
        c.call(Some(&s), "setvar", &[("var", name), ("data", "1")]).await.assert_ok("Successfully set variable");
    }
    c.call(Some(&s), "setvar", &[("var", "d"), ("data", "1")])
        .await
        .assert_fail("Too many variables for this user: change an existing one");
    c.call(Some(&s), "setvar", &[("var", "b"), ("data", "2")]).await.assert_ok("Successfully set variable");
    let a = c.call(Some(&s), "getvar", &[("var", "b")]).await;
    a.assert_ok("Successfully retrieved variable");
    assert_eq!(a.json["response"], "2");
    c.call(Some(&s), "getvar", &[("var", "d")]).await.assert_fail("Variable not found for user");
    assert_eq!(count(&c, "SELECT COUNT(*) FROM user_vars WHERE user_id = $1", id.get()).await, 3);

    let (s2, id2) = c.user_session("xia").await;
    let names: Vec<String> = (0..10).map(|i| format!("v{i}")).collect();
    let answers = join_all(names.iter().map(|n| {
        let s2 = &s2;
        let c = &c;
        async move { c.call(Some(s2), "setvar", &[("var", n.as_str()), ("data", "x")]).await }
    }))
    .await;
    assert_eq!(answers.iter().filter(|a| a.success()).count(), 3);
    assert_eq!(count(&c, "SELECT COUNT(*) FROM user_vars WHERE user_id = $1", id2.get()).await, 3);
}

/// A channel keeps its three newest messages: each send deletes the oldest beyond them.
async fn chat_history_is_pruned_to_the_cap(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let channel = t.store().create_chat_channel(c.app.id, "general", 0).await.unwrap();
    let (s, _) = c.user_session("yan").await;
    for i in 0..5 {
        let text = format!("m{i}");
        c.call(Some(&s), "chatsend", &[("channel", "general"), ("message", &text)])
            .await
            .assert_ok("Successfully sent chat message");
    }
    let a = c.call(Some(&s), "chatget", &[("channel", "general")]).await;
    let texts: Vec<&str> =
        a.json["messages"].as_array().unwrap().iter().map(|m| m["message"].as_str().unwrap()).collect();
    assert_eq!(texts, ["m2", "m3", "m4"]);
    assert_eq!(count(&c, "SELECT COUNT(*) FROM chat_messages WHERE channel_id = $1", channel.id).await, 3);
}
