//! Client API 1.3: register, login, loginEmail, license, upgrade, check, logout; the `info`
//! object; HWID rules; one-time redemption under races.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use futures_util::future::join_all;
use licensd::domain::time::now_ms;
use licensd::store::Page;

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
    let s = c.init().await;
    c.call(Some(&s), "check", &[]).await.assert_fail("Session is not validated");
    let before = now_ms() / 1000;
    let a = c
        .call(
            Some(&s),
            "register",
            &[
                ("username", "alice"),
                ("pass", "pw1"),
                ("key", "KEY-ONE"),
                ("hwid", "H-1\n"),
                ("email", "Alice@Example.com"),
            ],
        )
        .await;
    a.assert_ok("Logged in!");
    let info = &a.json["info"];
    assert_eq!(info["username"], "alice");
    assert_eq!(info["ip"], "127.0.0.1");
    assert_eq!(info["hwid"], "H-1");
    assert!(info["createdate"].as_str().unwrap().parse::<i64>().unwrap() >= before);
    assert!(info["lastlogin"].as_str().unwrap().parse::<i64>().is_ok());
    let sub = &info["subscriptions"][0];
    assert_eq!(sub["subscription"], "Gold");
    assert_eq!(sub["key"], "KEY-ONE");
    assert_eq!(sub["level"], "2");
    let expiry: i64 = sub["expiry"].as_str().unwrap().parse().unwrap();
    assert!((expiry - (before + 30 * DAY)).abs() <= 2, "{expiry}");
    let timeleft = sub["timeleft"].as_i64().unwrap();
    assert!((timeleft - 30 * DAY).abs() <= 2, "{timeleft}");
    c.call(Some(&s), "check", &[]).await.assert_ok("Session is validated.");

    let s2 = c.init().await;
    c.call(Some(&s2), "login", &[("username", "alice"), ("pass", "pw1"), ("hwid", "H-1")])
        .await
        .assert_ok("Logged in!");
    c.call(Some(&s2), "check", &[]).await.assert_ok("Session is validated.");
    let s3 = c.init().await;
    let a = c.call(Some(&s3), "loginEmail", &[("email", "alice@example.COM"), ("pass", "pw1"), ("hwid", "H-1")]).await;
    a.assert_ok("Logged in!");
    assert_eq!(a.json["info"]["hwid"], "H-1");
    c.call(Some(&s3), "logout", &[]).await.assert_ok("Successfully logged out.");
    c.call(Some(&s3), "check", &[])
        .await
        .assert_fail("Session not found. If you get this frequently, ask the developer to use the latest example code");
}

async fn register_failures_burn_no_key(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| a.min_username_len = 3).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    for k in ["K1", "K2", "K3"] {
        c.license(&gold, k, Some(DAY)).await;
    }
    let s = c.init().await;
    let reg = |user: &'static str, key: &'static str| {
        let s = s.clone();
        let c = &c;
        async move { c.call(Some(&s), "register", &[("username", user), ("pass", "pw"), ("key", key)]).await }
    };
    reg("bob", "K1").await.assert_ok("Logged in!");
    reg("bob", "K2").await.assert_fail("Username already taken, choose a different one");
    let k2 = t.store().license_by_key(c.seller.id, "K2").await.unwrap();
    assert_eq!((k2.used_by_user_id, k2.used_at), (None, None), "a refused register burns nothing");
    reg("carol", "K1").await.assert_fail("License key has already been used");
    reg("carol", "NOPE").await.assert_fail("Invalid license key");
    reg("al", "K2").await.assert_fail("Username too short, try longer one.");
    let long = "x".repeat(65);
    c.call(Some(&s), "register", &[("username", &long), ("pass", "pw"), ("key", "K2")])
        .await
        .assert_fail("Username too long, try a shorter one.");
    let k3 = t.store().license_by_key(c.seller.id, "K3").await.unwrap();
    t.store().set_license_ban(c.seller.id, k3.id, Some("chargeback")).await.unwrap();
    reg("carol", "K3").await.assert_fail("Your license is banned");
    let a = c.call(Some(&s), "register", &[("username", "carol"), ("pass", "pw")]).await;
    assert!(!a.success() && a.message().contains("key"), "{}", a.text);
    // Another app's key is not this app's.
    let other = ClientFixture::named(&t, "other", "Other").await;
    let p = other.plan("Gold", 1, Some(DAY)).await;
    other.license(&p, "THEIRS", Some(DAY)).await;
    reg("dave", "THEIRS").await.assert_fail("Invalid license key");
    reg("dave", "K2").await.assert_ok("Logged in!");
}

async fn login_failures(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K1", Some(DAY)).await;
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "eve"), ("pass", "right"), ("key", "K1")])
        .await
        .assert_ok("Logged in!");
    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", "nobody"), ("pass", "x")]).await.assert_fail("Invalid username");
    c.call(Some(&s), "login", &[("username", "eve"), ("pass", "wrong")]).await.assert_fail("Password does not match.");
    c.call(Some(&s), "loginEmail", &[("email", "no@where"), ("pass", "x")])
        .await
        .assert_fail("No user found with that email!");
    c.call(Some(&s), "check", &[]).await.assert_fail("Session is not validated");
    c.call(Some(&s), "login", &[("username", "eve"), ("pass", "right")]).await.assert_ok("Logged in!");
    c.call(Some(&s), "check", &[]).await.assert_ok("Session is validated.");
    // A seller's ban ends what a validated session may do, and refuses new logins.
    let user = t.store().user_by_ref(c.app.id, "eve").await.unwrap();
    t.store().set_user_ban(user.id, Some("cheating")).await.unwrap();
    c.call(Some(&s), "check", &[]).await.assert_fail("Session is not validated");
    c.call(Some(&s), "login", &[("username", "eve"), ("pass", "right")]).await.assert_fail("The user is banned");
}

async fn hwid_lock_rules(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "K1", Some(DAY)).await;
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "u"), ("pass", "p"), ("key", "K1"), ("hwid", "AAAA-1")])
        .await
        .assert_ok("Logged in!");
    login_hwid(&c, Some("BBBB-2")).await.assert_fail("HWID doesn't match. Ask for a HWID reset");
    login_hwid(&c, Some("AAAA-1")).await.assert_ok("Logged in!");
    // Leaving the HWID out is no way around the lock.
    login_hwid(&c, None).await.assert_fail("HWID doesn't match. Ask for a HWID reset");
    // The seller resets it: the next HWID binds.
    let user = t.store().user_by_ref(c.app.id, "u").await.unwrap();
    t.store().reset_user_hwid(user.id).await.unwrap();
    login_hwid(&c, Some("BBBB-2")).await.assert_ok("Logged in!");
    login_hwid(&c, Some("AAAA-1")).await.assert_fail("HWID doesn't match. Ask for a HWID reset");
    c.update(|a| a.hwid_lock = false).await;
    login_hwid(&c, Some("CCCC-3")).await.assert_ok("Logged in!");
    c.update(|a| a.hwid_min_len = 8).await;
    login_hwid(&c, Some("short"))
        .await
        .assert_fail("HWID is too short for this application. Contact application developer.");
    c.update(|a| a.force_hwid = true).await;
    login_hwid(&c, None).await.assert_fail("This application requires a HWID. Contact application developer.");
    login_hwid(&c, Some("LONGENOUGH")).await.assert_ok("Logged in!");
}

async fn login_hwid(c: &ClientFixture<'_>, hwid: Option<&str>) -> crate::client_support::Answer {
    let s = c.init().await;
    let mut f = vec![("username", "u"), ("pass", "p")];
    if let Some(h) = hwid {
        f.push(("hwid", h));
    }
    c.call(Some(&s), "login", &f).await
}

async fn license_logs_in_by_key_alone(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 3, None).await;
    c.license(&gold, "LIFE-KEY", None).await;
    c.license(&gold, "REG-KEY", None).await;
    let s = c.init().await;
    let a = c.call(Some(&s), "license", &[("key", "LIFE-KEY"), ("hwid", "HW-1")]).await;
    a.assert_ok("Logged in!");
    assert_eq!(a.json["info"]["username"], "LIFE-KEY");
    let sub = &a.json["info"]["subscriptions"][0];
    assert_eq!(sub["expiry"], "4102444800", "lifetime");
    assert_eq!(sub["level"], "3");
    c.call(Some(&s), "check", &[]).await.assert_ok("Session is validated.");
    let user = t.store().user_by_ref(c.app.id, "LIFE-KEY").await.unwrap();
    assert!(user.password_hash.is_none(), "key-only users have no password");
    // The same key logs the same user in again, with its HWID lock.
    let s = c.init().await;
    c.call(Some(&s), "license", &[("key", "LIFE-KEY"), ("hwid", "HW-2")])
        .await
        .assert_fail("HWID doesn't match. Ask for a HWID reset");
    c.call(Some(&s), "license", &[("key", "LIFE-KEY"), ("hwid", "HW-1")]).await.assert_ok("Logged in!");
    // A key-only user cannot log in with a password.
    c.call(Some(&s), "login", &[("username", "LIFE-KEY"), ("pass", "")])
        .await
        .assert_fail("A required field is missing: pass");
    c.call(Some(&s), "login", &[("username", "LIFE-KEY"), ("pass", "x")]).await.assert_fail("Password does not match.");
    // A key redeemed by register logs its user in (KeyAuth behaviour).
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "reg"), ("pass", "p"), ("key", "REG-KEY")])
        .await
        .assert_ok("Logged in!");
    let s = c.init().await;
    let a = c.call(Some(&s), "license", &[("key", "REG-KEY")]).await;
    a.assert_ok("Logged in!");
    assert_eq!(a.json["info"]["username"], "reg");
    c.call(Some(&s), "license", &[("key", "NOPE")]).await.assert_fail("Invalid license key");
    let lic = t.store().license_by_key(c.seller.id, "LIFE-KEY").await.unwrap();
    t.store().set_license_ban(c.seller.id, lic.id, Some("x")).await.unwrap();
    c.call(Some(&s), "license", &[("key", "LIFE-KEY"), ("hwid", "HW-1")]).await.assert_fail("Your license is banned");
    t.store().set_license_ban(c.seller.id, lic.id, None).await.unwrap();
    t.store().set_user_ban(user.id, Some("x")).await.unwrap();
    c.call(Some(&s), "license", &[("key", "LIFE-KEY"), ("hwid", "HW-1")]).await.assert_fail("The user is banned");
}

async fn upgrade_extends_exactly(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(30 * DAY)).await;
    let vip = c.plan("VIP", 5, Some(DAY)).await;
    for k in ["G1", "G2"] {
        c.license(&gold, k, Some(30 * DAY)).await;
    }
    c.license(&vip, "V1", Some(DAY)).await;
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "ann"), ("pass", "p"), ("key", "G1")]).await.assert_ok("Logged in!");
    let user = t.store().user_by_ref(c.app.id, "ann").await.unwrap();
    let first = t.store().user_subscriptions_with_keys(user.id).await.unwrap()[0].expires_at.unwrap().get();
    let s2 = c.init().await;
    c.call(Some(&s2), "upgrade", &[("username", "ann"), ("key", "G2")]).await.assert_ok("Upgraded successfully");
    c.call(Some(&s2), "check", &[]).await.assert_fail("Session is not validated");
    let subs = t.store().user_subscriptions_with_keys(user.id).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].expires_at.unwrap().get(), first + 30 * DAY * 1000, "extended by exactly the key's duration");
    assert_eq!(subs[0].key.as_deref(), Some("G2"));
    c.call(Some(&s2), "upgrade", &[("username", "ann"), ("key", "G2")])
        .await
        .assert_fail("License key has already been used");
    c.call(Some(&s2), "upgrade", &[("username", "ann"), ("key", "NOPE")]).await.assert_fail("Invalid license key");
    c.call(Some(&s2), "upgrade", &[("username", "nobody"), ("key", "V1")]).await.assert_fail("Invalid username");
    c.call(Some(&s2), "upgrade", &[("username", "ann"), ("key", "V1")]).await.assert_ok("Upgraded successfully");
    let a = c.call(Some(&s2), "login", &[("username", "ann"), ("pass", "p")]).await;
    a.assert_ok("Logged in!");
    let subs = a.json["info"]["subscriptions"].as_array().unwrap();
    let names: Vec<&str> = subs.iter().map(|s| s["subscription"].as_str().unwrap()).collect();
    assert_eq!(names, ["Gold", "VIP"]);
}

async fn expired_keys_and_subscriptions(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(1)).await;
    c.license(&gold, "SHORT", Some(1)).await;
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "tim"), ("pass", "p"), ("key", "SHORT")]).await.assert_ok("Logged in!");
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
    c.call(Some(&s), "license", &[("key", "OLD")]).await.assert_fail("This license key has expired");
    c.call(Some(&s), "upgrade", &[("username", "tim"), ("key", "OLD")])
        .await
        .assert_fail("This license key has expired");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", "tim"), ("pass", "p")])
        .await
        .assert_fail("No active subscription(s) found");
    c.call(Some(&s), "check", &[]).await.assert_fail("Session is not validated");
}

/// 20 registrations with one key at once: exactly one user exists and holds it.
async fn racing_registrations_redeem_once(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let c = &c;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "RACE", Some(DAY)).await;
    let mut sessions = Vec::new();
    for _ in 0..20 {
        sessions.push(c.init().await);
    }
    let names: Vec<String> = (0..20).map(|i| format!("racer{i}")).collect();
    let answers = join_all(sessions.iter().zip(&names).map(|(s, n)| async move {
        c.call(Some(s), "register", &[("username", n.as_str()), ("pass", "p"), ("key", "RACE")]).await
    }))
    .await;
    let winners: Vec<_> = answers.iter().filter(|a| a.success()).collect();
    assert_eq!(winners.len(), 1, "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
    for a in answers.iter().filter(|a| !a.success()) {
        assert_eq!(a.message(), "License key has already been used");
    }
    let users = t.store().list_users(c.app.id, None, Page::new(100, 1)).await.unwrap();
    assert_eq!(users.len(), 1);
    let lic = t.store().license_by_key(c.seller.id, "RACE").await.unwrap();
    assert_eq!(lic.used_by_user_id, Some(users[0].id));
    assert_eq!(winners[0].json["info"]["username"], users[0].username);
}

/// 20 first `license` logins with one key at once: one user is created, all log into it, and
/// the subscription is granted once (not extended 20 times).
async fn racing_license_logins_make_one_user(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "RACE-2", Some(DAY)).await;
    let mut sessions = Vec::new();
    for _ in 0..20 {
        sessions.push(c.init().await);
    }
    let start = now_ms();
    let answers = join_all(sessions.iter().map(|s| c.call(Some(s), "license", &[("key", "RACE-2")]))).await;
    for a in &answers {
        a.assert_ok("Logged in!");
        assert_eq!(a.json["info"]["username"], "RACE-2");
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
    let s = c.init().await;
    c.call(Some(&s), "license", &[("key", "K1")]).await.assert_ok("Willkommen");
    let mut db = c.db().await;
    sqlx::query("UPDATE subscriptions SET paused = 1").execute(&mut db).await.unwrap();
    let s = c.init().await;
    let a = c.call(Some(&s), "license", &[("key", "K1")]).await;
    a.assert_fail("Pausiert \u{fc}");
    assert!(a.text.contains("Pausiert \\u00fc"));
    sqlx::query("UPDATE subscriptions SET paused = 0").execute(&mut db).await.unwrap();
    sqlx::query("UPDATE users SET paused = 1").execute(&mut db).await.unwrap();
    c.call(Some(&s), "license", &[("key", "K1")]).await.assert_fail("Pausiert \u{fc}");
    sqlx::query("UPDATE users SET paused = 0").execute(&mut db).await.unwrap();
    // The same login as a GET query string.
    let owner = c.seller.ownerid.clone();
    c.get_query(&[("type", "license"), ("name", "MyApp"), ("ownerid", &owner), ("sessionid", &s), ("key", "K1")])
        .await
        .assert_ok("Willkommen");
}
