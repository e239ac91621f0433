//! Client API 1.3: register, login, loginEmail, license, upgrade, check, logout; the `info`
//! object; HWID rules; one-time redemption under races. Through the SDK, but for the `info`
//! object's wire types and a GET query string (raw: the SDK parses the one and never sends the other).

use crate::client_support::{ClientFixture, assert_ok, assert_refused, said};
use crate::engine_tests;
use crate::harness::TestApp;
use futures_util::future::join_all;
use licensd::domain::time::now_ms;
use licensd::store::Page;
use licensd_client::Error;

const DAY: i64 = 86_400;

engine_tests!(
    register_then_login_with_info,
    register_failures_burn_no_key,
    login_failures,
    hwid_lock_rules,
    license_logs_in_by_key_alone,
    upgrade_extends_exactly,
    expired_keys_and_subscriptions,
    paused_subscriptions_and_custom_messages,
);
engine_tests!(config = crate::harness::without_signin_limits; racing_registrations_redeem_once, racing_license_logins_make_one_user);

async fn register_then_login_with_info(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 2, Some(30 * DAY)).await;
    c.license(&gold, "KEY-ONE", Some(30 * DAY)).await;
    let mut app = c.sdk().with_hwid("H-1\n");
    app.init().await.unwrap();
    assert_refused(app.check().await, "Session is not validated");
    let before = now_ms() / 1000;
    let info = assert_ok(app.register("alice", "pw1", "KEY-ONE", Some("Alice@Example.com")).await, &app, "Logged in!");
    assert_eq!(info.username, "alice");
    assert_eq!(info.ip, "127.0.0.1");
    assert_eq!(info.hwid.as_deref(), Some("H-1"));
    assert!(info.createdate >= before, "{info:?}");
    let sub = &info.subscriptions[0];
    assert_eq!(sub.subscription, "Gold");
    assert_eq!(sub.key.as_deref(), Some("KEY-ONE"));
    assert_eq!(sub.level, "2");
    assert!((sub.expiry - (before + 30 * DAY)).abs() <= 2, "{sub:?}");
    assert!((sub.timeleft - 30 * DAY).abs() <= 2, "{sub:?}");
    assert_ok(app.check().await, &app, "Session is validated.");

    let mut app2 = c.sdk_init().await.with_hwid("H-1");
    assert_ok(app2.login("alice", "pw1", None).await, &app2, "Logged in!");
    assert_ok(app2.check().await, &app2, "Session is validated.");
    // The `info` object as KeyAuth clients parse it: unix seconds and the level as decimal
    // strings, `timeleft` a number.
    let s3 = c.init().await;
    let a = c.call(Some(&s3), "loginEmail", &[("email", "alice@example.COM"), ("pass", "pw1"), ("hwid", "H-1")]).await;
    a.assert_ok("Logged in!");
    let info = &a.json["info"];
    assert_eq!(info["hwid"], "H-1");
    assert!(info["createdate"].as_str().unwrap().parse::<i64>().unwrap() >= before);
    assert!(info["lastlogin"].as_str().unwrap().parse::<i64>().is_ok());
    let sub = &info["subscriptions"][0];
    assert_eq!(sub["level"], "2");
    assert!(sub["expiry"].as_str().unwrap().parse::<i64>().is_ok(), "{sub}");
    assert!(sub["timeleft"].is_i64(), "{sub}");
    let mut app3 = c.sdk().with_session(&s3);
    assert_ok(app3.logout().await, &app3, "Successfully logged out.");
    assert_refused(
        c.sdk().with_session(&s3).check().await,
        "Session not found. If you get this frequently, ask the developer to use the latest example code",
    );
    // loginEmail through the SDK too, its email matched without regard to case.
    let mut app4 = c.sdk_init().await.with_hwid("H-1");
    let info = assert_ok(app4.login_email("alice@example.COM", "pw1", None).await, &app4, "Logged in!");
    assert_eq!((info.username.as_str(), info.hwid.as_deref()), ("alice", Some("H-1")));
}

async fn register_failures_burn_no_key(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| a.min_username_len = 3).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    for k in ["K1", "K2", "K3"] {
        c.license(&gold, k, Some(DAY)).await;
    }
    let mut app = c.sdk_init().await;
    let s = app.session_id().unwrap().to_owned();
    assert_ok(app.register("bob", "pw", "K1", None).await, &app, "Logged in!");
    assert_refused(app.register("bob", "pw", "K2", None).await, "Username already taken, choose a different one");
    let k2 = t.store().license_by_key(c.seller.id, "K2").await.unwrap();
    assert_eq!((k2.used_by_user_id, k2.used_at), (None, None), "a refused register burns nothing");
    assert_refused(app.register("carol", "pw", "K1", None).await, "License key has already been used");
    assert_refused(app.register("carol", "pw", "NOPE", None).await, "Invalid license key");
    assert_refused(app.register("al", "pw", "K2", None).await, "Username too short, try longer one.");
    let long = "x".repeat(65);
    assert_refused(app.register(&long, "pw", "K2", None).await, "Username too long, try a shorter one.");
    let k3 = t.store().license_by_key(c.seller.id, "K3").await.unwrap();
    t.store().set_license_ban(c.seller.id, k3.id, Some("chargeback")).await.unwrap();
    assert_refused(app.register("carol", "pw", "K3", None).await, "Your license is banned");
    // No key at all (the SDK always sends one).
    let a = c.call(Some(&s), "register", &[("username", "carol"), ("pass", "pw")]).await;
    assert!(!a.success() && a.message().contains("key"), "{}", a.text);
    // Another app's key is not this app's.
    let other = ClientFixture::named(&t, "other", "Other").await;
    let p = other.plan("Gold", 1, Some(DAY)).await;
    other.license(&p, "THEIRS", Some(DAY)).await;
    assert_refused(app.register("dave", "pw", "THEIRS", None).await, "Invalid license key");
    assert_ok(app.register("dave", "pw", "K2", None).await, &app, "Logged in!");
}

async fn login_failures(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K1", Some(DAY)).await;
    let mut first = c.sdk_init().await;
    assert_ok(first.register("eve", "right", "K1", None).await, &first, "Logged in!");
    let mut app = c.sdk_init().await;
    assert_refused(app.login("nobody", "x", None).await, "Invalid username");
    assert_refused(app.login("eve", "wrong", None).await, "Password does not match.");
    assert_refused(app.login_email("no@where", "x", None).await, "No user found with that email!");
    assert_refused(app.check().await, "Session is not validated");
    assert_ok(app.login("eve", "right", None).await, &app, "Logged in!");
    assert_ok(app.check().await, &app, "Session is validated.");
    // A seller's ban ends what a validated session may do, and refuses new logins.
    let user = t.store().user_by_ref(c.app.id, "eve").await.unwrap();
    t.store().set_user_ban(user.id, Some("cheating")).await.unwrap();
    assert_refused(app.check().await, "Session is not validated");
    assert_refused(app.login("eve", "right", None).await, "The user is banned");
}

async fn hwid_lock_rules(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K1", Some(DAY)).await;
    let mut app = c.sdk_init().await.with_hwid("AAAA-1");
    assert_ok(app.register("u", "p", "K1", None).await, &app, "Logged in!");
    let mismatch = "HWID doesn't match. Ask for a HWID reset";
    assert_refused(login_hwid(&c, Some("BBBB-2")).await, mismatch);
    assert_eq!(login_hwid(&c, Some("AAAA-1")).await.unwrap(), "Logged in!");
    // Leaving the HWID out is no way around the lock.
    assert_refused(login_hwid(&c, None).await, mismatch);
    // The seller resets it: the next HWID binds.
    let user = t.store().user_by_ref(c.app.id, "u").await.unwrap();
    t.store().reset_user_hwid(user.id).await.unwrap();
    assert_eq!(login_hwid(&c, Some("BBBB-2")).await.unwrap(), "Logged in!");
    assert_refused(login_hwid(&c, Some("AAAA-1")).await, mismatch);
    c.update(|a| a.hwid_lock = false).await;
    assert_eq!(login_hwid(&c, Some("CCCC-3")).await.unwrap(), "Logged in!");
    c.update(|a| a.hwid_min_len = 8).await;
    assert_refused(
        login_hwid(&c, Some("short")).await,
        "HWID is too short for this application. Contact application developer.",
    );
    c.update(|a| a.force_hwid = true).await;
    assert_refused(login_hwid(&c, None).await, "This application requires a HWID. Contact application developer.");
    assert_eq!(login_hwid(&c, Some("LONGENOUGH")).await.unwrap(), "Logged in!");
}

/// `u`'s login from a new session, with `hwid` when given: the answer's message or the refusal.
async fn login_hwid(c: &ClientFixture<'_>, hwid: Option<&str>) -> Result<String, Error> {
    let mut app = c.sdk_init().await;
    if let Some(h) = hwid {
        app = app.with_hwid(h);
    }
    said(app.login("u", "p", None).await, &app)
}

async fn license_logs_in_by_key_alone(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 3, None).await;
    c.license(&gold, "LIFE-KEY", None).await;
    c.license(&gold, "REG-KEY", None).await;
    let mut app = c.sdk_init().await.with_hwid("HW-1");
    let info = assert_ok(app.license("LIFE-KEY", None).await, &app, "Logged in!");
    assert_eq!(info.username, "LIFE-KEY");
    let sub = &info.subscriptions[0];
    assert_eq!(sub.expiry, 4_102_444_800, "lifetime");
    assert_eq!(sub.level, "3");
    assert_ok(app.check().await, &app, "Session is validated.");
    let user = t.store().user_by_ref(c.app.id, "LIFE-KEY").await.unwrap();
    assert!(user.password_hash.is_none(), "key-only users have no password");
    // The same key logs the same user in again, with its HWID lock.
    let mut app = c.sdk_init().await;
    let mut other_machine = app.clone().with_hwid("HW-2");
    assert_refused(other_machine.license("LIFE-KEY", None).await, "HWID doesn't match. Ask for a HWID reset");
    let mut this_machine = app.clone().with_hwid("HW-1");
    assert_ok(this_machine.license("LIFE-KEY", None).await, &this_machine, "Logged in!");
    // A key-only user cannot log in with a password.
    assert_refused(app.login("LIFE-KEY", "", None).await, "A required field is missing: pass");
    assert_refused(app.login("LIFE-KEY", "x", None).await, "Password does not match.");
    // A key redeemed by register logs its user in (KeyAuth behaviour).
    let mut reg = c.sdk_init().await;
    assert_ok(reg.register("reg", "p", "REG-KEY", None).await, &reg, "Logged in!");
    let mut app = c.sdk_init().await;
    let info = assert_ok(app.license("REG-KEY", None).await, &app, "Logged in!");
    assert_eq!(info.username, "reg");
    assert_refused(app.license("NOPE", None).await, "Invalid license key");
    let mut app = app.with_hwid("HW-1");
    let lic = t.store().license_by_key(c.seller.id, "LIFE-KEY").await.unwrap();
    t.store().set_license_ban(c.seller.id, lic.id, Some("x")).await.unwrap();
    assert_refused(app.license("LIFE-KEY", None).await, "Your license is banned");
    t.store().set_license_ban(c.seller.id, lic.id, None).await.unwrap();
    t.store().set_user_ban(user.id, Some("x")).await.unwrap();
    assert_refused(app.license("LIFE-KEY", None).await, "The user is banned");
}

async fn upgrade_extends_exactly(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(30 * DAY)).await;
    let vip = c.plan("VIP", 5, Some(DAY)).await;
    for k in ["G1", "G2"] {
        c.license(&gold, k, Some(30 * DAY)).await;
    }
    c.license(&vip, "V1", Some(DAY)).await;
    let mut first = c.sdk_init().await;
    assert_ok(first.register("ann", "p", "G1", None).await, &first, "Logged in!");
    let user = t.store().user_by_ref(c.app.id, "ann").await.unwrap();
    let expiry = t.store().user_subscriptions_with_keys(user.id).await.unwrap()[0].expires_at.unwrap().get();
    let mut app = c.sdk_init().await;
    assert_ok(app.upgrade("ann", "G2").await, &app, "Upgraded successfully");
    assert_refused(app.check().await, "Session is not validated");
    let subs = t.store().user_subscriptions_with_keys(user.id).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].expires_at.unwrap().get(), expiry + 30 * DAY * 1000, "extended by exactly the key's duration");
    assert_eq!(subs[0].key.as_deref(), Some("G2"));
    assert_refused(app.upgrade("ann", "G2").await, "License key has already been used");
    assert_refused(app.upgrade("ann", "NOPE").await, "Invalid license key");
    assert_refused(app.upgrade("nobody", "V1").await, "Invalid username");
    assert_ok(app.upgrade("ann", "V1").await, &app, "Upgraded successfully");
    let info = assert_ok(app.login("ann", "p", None).await, &app, "Logged in!");
    let names: Vec<&str> = info.subscriptions.iter().map(|s| s.subscription.as_str()).collect();
    assert_eq!(names, ["Gold", "VIP"]);
}

async fn expired_keys_and_subscriptions(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(1)).await;
    c.license(&gold, "SHORT", Some(1)).await;
    let mut app = c.sdk_init().await;
    assert_ok(app.register("tim", "p", "SHORT", None).await, &app, "Logged in!");
    // A key with a fixed expiry that passed before anyone redeemed it.
    let mut db = c.db().await;
    sqlx::query(
        "INSERT INTO licenses (seller_id, app_id, plan_id, key, expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'OLD', $4, $4, $4)",
    )
    .bind(c.seller.id)
    .bind(c.app.id)
    .bind(gold.id)
    .bind(now_ms() - 1_000)
    .execute(&mut db)
    .await
    .unwrap();
    assert_refused(app.license("OLD", None).await, "This license key has expired");
    assert_refused(app.upgrade("tim", "OLD").await, "This license key has expired");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let mut app = c.sdk_init().await;
    assert_refused(app.login("tim", "p", None).await, "No active subscription(s) found");
    assert_refused(app.check().await, "Session is not validated");
}

/// 20 registrations with one key at once: exactly one user exists and holds it.
async fn racing_registrations_redeem_once(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "RACE", Some(DAY)).await;
    let mut apps = Vec::new();
    for _ in 0..20 {
        apps.push(c.sdk_init().await);
    }
    let names: Vec<String> = (0..20).map(|i| format!("racer{i}")).collect();
    let answers = join_all(apps.iter_mut().zip(&names).map(|(app, n)| app.register(n, "p", "RACE", None))).await;
    let (winners, losers): (Vec<_>, Vec<_>) = answers.into_iter().partition(Result::is_ok);
    assert_eq!(winners.len(), 1, "{losers:?}");
    for r in losers {
        assert_refused(r, "License key has already been used");
    }
    let users = t.store().list_users(c.app.id, None, Page::new(100, 1)).await.unwrap();
    assert_eq!(users.len(), 1);
    let lic = t.store().license_by_key(c.seller.id, "RACE").await.unwrap();
    assert_eq!(lic.used_by_user_id, Some(users[0].id));
    assert_eq!(winners[0].as_ref().unwrap().username, users[0].username);
}

/// 20 first `license` logins with one key at once: one user is created, all log into it, and
/// the subscription is granted once (not extended 20 times).
async fn racing_license_logins_make_one_user(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "RACE-2", Some(DAY)).await;
    let mut apps = Vec::new();
    for _ in 0..20 {
        apps.push(c.sdk_init().await);
    }
    let start = now_ms();
    let answers = join_all(apps.iter_mut().map(|app| app.license("RACE-2", None))).await;
    for (r, app) in answers.into_iter().zip(&apps) {
        assert_eq!(assert_ok(r, app, "Logged in!").username, "RACE-2");
    }
    let users = t.store().list_users(c.app.id, None, Page::new(100, 1)).await.unwrap();
    assert_eq!(users.len(), 1);
    let subs = t.store().user_subscriptions_with_keys(users[0].id).await.unwrap();
    assert_eq!(subs.len(), 1);
    let end = subs[0].expires_at.unwrap().get();
    assert!(end >= start + DAY * 1000 && end <= now_ms() + DAY * 1000, "granted once");
}

async fn paused_subscriptions_and_custom_messages(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| a.messages = r#"{"loggedin":"Willkommen","pausedsub":"Pausiert \u00fc"}"#.into()).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K1", Some(DAY)).await;
    let mut app = c.sdk_init().await;
    assert_ok(app.license("K1", None).await, &app, "Willkommen");
    let mut db = c.db().await;
    sqlx::query("UPDATE subscriptions SET paused = 1").execute(&mut db).await.unwrap();
    // Raw: the non-ASCII text goes out escaped.
    let s = c.init().await;
    let a = c.call(Some(&s), "license", &[("key", "K1")]).await;
    a.assert_fail("Pausiert \u{fc}");
    assert!(a.text.contains("Pausiert \\u00fc"));
    let mut app = c.sdk().with_session(&s);
    assert_refused(app.license("K1", None).await, "Pausiert \u{fc}");
    sqlx::query("UPDATE subscriptions SET paused = 0").execute(&mut db).await.unwrap();
    sqlx::query("UPDATE users SET paused = 1").execute(&mut db).await.unwrap();
    assert_refused(app.license("K1", None).await, "Pausiert \u{fc}");
    sqlx::query("UPDATE users SET paused = 0").execute(&mut db).await.unwrap();
    // The same login as a GET query string.
    let owner = c.seller.ownerid.clone();
    c.get_query(&[("type", "license"), ("name", "MyApp"), ("ownerid", &owner), ("sessionid", &s), ("key", "K1")])
        .await
        .assert_ok("Willkommen");
}
