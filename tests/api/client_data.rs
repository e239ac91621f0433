//! Client API 1.3: `var`, `getvar`, `setvar`, `log`, `file`, `fetchOnline`, `fetchStats`,
//! `changeUsername`, and hostile inputs to them. Through the SDK, but for the answers' wire
//! form (escaped text, counts as strings, lowercase hex) and the hostile inputs (raw: the SDK
//! reads the one and cannot send the other).

use crate::client_support::{ClientFixture, assert_ok, assert_refused};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::PlanId;
use licensd::store::{
    Page,
    client_data::{LOG_PRUNE_EVERY, NewClientLog},
};
use licensd_client::Error;

engine_tests!(
    var_returns_value_in_message_and_guards_authed,
    user_vars_get_set_read_only_and_bounds,
    log_is_stored_and_bounded,
    old_logs_are_pruned,
    file_contents_round_trip_as_hex,
    fetch_online_and_stats_report_real_counts,
    change_username_logs_out_and_refuses_taken_names,
    hostile_inputs_get_protocol_failures,
);

const NOT_VALIDATED: &str = "Session is not validated";

/// Asserts a refusal whose message names `field` (a required field left out).
#[track_caller]
fn assert_missing<T: std::fmt::Debug>(r: Result<T, Error>, field: &str) {
    assert!(matches!(&r, Err(Error::Refused { message, .. }) if message.contains(field)), "{r:?}");
}

async fn var_returns_value_in_message_and_guards_authed(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let store = t.store();
    store.set_app_var(c.app.id, "motd", "h\u{e9}llo \"world\"", false).await.unwrap();
    store.set_app_var(c.app.id, "secret", "s3cret", true).await.unwrap();
    let other = ClientFixture::named(&t, "other", "OtherApp").await;
    store.set_app_var(other.app.id, "theirs", "x", false).await.unwrap();

    let mut app = c.sdk_init().await;
    assert_eq!(assert_ok(app.var("motd").await, &app, "h\u{e9}llo \"world\""), "h\u{e9}llo \"world\"");
    // Raw: the non-ASCII text goes out escaped.
    let s = app.session_id().unwrap().to_owned();
    let a = c.call(Some(&s), "var", &[("varid", "motd")]).await;
    assert!(a.text.contains(r"h\u00e9llo"), "{}", a.text);
    assert_refused(app.var("secret").await, NOT_VALIDATED);
    assert_refused(app.var("nope").await, "Variable not found.");
    // Another app's variable does not exist here.
    assert_refused(app.var("theirs").await, "Variable not found.");
    // An empty field is a missing one.
    assert_missing(app.var("").await, "varid");

    let (v, _) = c.user_session("alice").await;
    let mut alice = c.sdk().with_session(&v);
    assert_eq!(assert_ok(alice.var("secret").await, &alice, "s3cret"), "s3cret");
    drop(other);
}

async fn user_vars_get_set_read_only_and_bounds(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let mut app = c.sdk_init().await;
    assert_refused(app.getvar("x").await, NOT_VALIDATED);
    assert_refused(app.setvar("x", "1").await, NOT_VALIDATED);

    let (v, uid) = c.user_session("alice").await;
    let mut app = c.sdk().with_session(&v);
    let set = "Successfully set variable";
    assert_refused(app.getvar("x").await, "Variable not found for user");
    assert_ok(app.setvar("x", "first").await, &app, set);
    assert_ok(app.setvar("x", "second").await, &app, set);
    assert_eq!(assert_ok(app.getvar("x").await, &app, "Successfully retrieved variable"), "second");

    // Variables are per user.
    let (w, _) = c.user_session("bob").await;
    assert_refused(c.sdk().with_session(&w).getvar("x").await, "Variable not found for user");

    // Read-only variables are readable but not writable by the client.
    t.store().put_user_var(uid, "plan", "gold", true).await.unwrap();
    assert_refused(app.setvar("plan", "free").await, "Variable is read only");
    assert_eq!(app.getvar("plan").await.unwrap(), "gold");

    // 500 characters are fine, 501 are not (characters, not bytes).
    let ok = "\u{e9}".repeat(500);
    assert_ok(app.setvar("long", &ok).await, &app, set);
    assert_eq!(app.getvar("long").await.unwrap(), ok);
    let too_long = "a".repeat(501);
    assert_refused(app.setvar("long", &too_long).await, "Variable data is too long (500 characters at most)");
    assert_refused(app.setvar(&"n".repeat(101), "1").await, "Variable name is too long (100 characters at most)");
    assert_missing(app.setvar("x", "").await, "data");
}

async fn log_is_stored_and_bounded(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let mut app = c.sdk_init().await;
    let logged = "Successfully logged the message";
    assert_ok(app.log("started ' OR 1=1 --", Some("DESKTOP\\me")).await, &app, logged);
    let (v, _) = c.user_session("alice").await;
    let mut app = c.sdk().with_session(&v);
    assert_ok(app.log(&"m".repeat(275), None).await, &app, logged);
    assert_refused(app.log(&"m".repeat(276), None).await, "Log message is too long (275 characters at most)");
    assert_ok(app.log("x", Some(&"p".repeat(1000))).await, &app, logged);
    assert_missing(app.log("", None).await, "message");

    let logs = t.store().list_client_logs(c.app.id, Page::new(10, 1)).await.unwrap();
    assert_eq!(logs.len(), 3);
    assert_eq!(logs[2].message, "started ' OR 1=1 --");
    assert_eq!(logs[2].pcuser.as_deref(), Some("DESKTOP\\me"));
    assert_eq!(logs[2].username, None);
    assert_eq!(logs[1].username.as_deref(), Some("alice"));
    assert_eq!(logs[0].pcuser.as_ref().unwrap().len(), 64);
}

async fn old_logs_are_pruned(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let other = ClientFixture::named(&t, "other", "OtherApp").await;
    let store = t.store();
    let log = |app: &licensd::store::apps::App, i: i64| NewClientLog {
        seller_id: app.seller_id,
        app_id: app.id,
        username: None,
        pcuser: None,
        message: "m",
        now: i,
    };
    store.insert_client_log(log(&other.app, 0), 10).await.unwrap();
    // 3 prune rounds at most apart: at most keep + LOG_PRUNE_EVERY - 1 rows remain, newest kept.
    for i in 1..=3 * LOG_PRUNE_EVERY {
        store.insert_client_log(log(&c.app, i), 10).await.unwrap();
    }
    let kept = store.list_client_logs(c.app.id, Page::new(500, 1)).await.unwrap();
    assert!(kept.len() >= 10 && kept.len() < (10 + LOG_PRUNE_EVERY) as usize, "{}", kept.len());
    assert_eq!(kept[0].created_at.get(), 3 * LOG_PRUNE_EVERY);
    // Pruning one app never touches another's logs.
    assert_eq!(store.list_client_logs(other.app.id, Page::new(500, 1)).await.unwrap().len(), 1);
    drop(other);
}

async fn file_contents_round_trip_as_hex(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let now = licensd::domain::time::now_ms();
    t.store().put_file(c.app.id, "bin", "tool.exe", &bytes, true, now).await.unwrap();
    t.store().put_file(c.app.id, "open", "readme.txt", b"hi", false, now).await.unwrap();

    let mut app = c.sdk_init().await;
    assert_eq!(assert_ok(app.file("open").await, &app, "File download successful"), b"hi");
    assert_refused(app.file("bin").await, NOT_VALIDATED);
    assert_refused(app.file("nope").await, "File not Found");

    let (v, _) = c.user_session("alice").await;
    let mut app = c.sdk().with_session(&v);
    assert_eq!(assert_ok(app.file("bin").await, &app, "File download successful"), bytes);
    // Raw: the contents are lowercase hex.
    let a = c.call(Some(&v), "file", &[("fileid", "bin")]).await;
    let hex = a.json["contents"].as_str().unwrap();
    assert_eq!(hex, hex.to_lowercase());
    assert_eq!(hex::decode(hex).unwrap(), bytes);
}

async fn fetch_online_and_stats_report_real_counts(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let mut app = c.sdk_init().await;
    let nobody = assert_ok(app.fetch_online().await, &app, "No online users found!");
    assert!(nobody.is_empty(), "{nobody:?}");
    let stats = assert_ok(app.fetch_stats().await, &app, "Successfully fetched stats");
    assert_eq!((stats.num_users, stats.num_online_users, stats.num_keys), (Some(0), Some(0), Some(0)));
    assert_eq!(stats.version, "1.0");
    // Raw: the counts are decimal strings on the wire.
    let s = app.session_id().unwrap().to_owned();
    let raw = c.call(Some(&s), "fetchStats", &[]).await;
    assert_eq!(raw.json["appinfo"]["numUsers"], "0");
    assert_eq!(raw.json["appinfo"]["numOnlineUsers"], "0");
    assert_eq!(raw.json["appinfo"]["numKeys"], "0");

    c.user_session("bob").await;
    c.user_session("alice").await;
    let (again, _) = c.user_session("carol").await;
    t.store().delete_session(c.app.id, &again).await.unwrap();
    let plan = c.plan("basic", 1, Some(86_400)).await;
    insert_license(&t, &c, plan.id, "KEY-ONE").await;
    insert_license(&t, &c, plan.id, "KEY-TWO").await;

    assert_eq!(assert_ok(app.fetch_online().await, &app, "Successfully fetched online users."), ["alice", "bob"]);
    let stats = app.fetch_stats().await.unwrap();
    assert_eq!((stats.num_users, stats.num_online_users, stats.num_keys), (Some(3), Some(2), Some(2)));
}

/// A license row written directly (the counts only need rows to exist).
async fn insert_license(t: &TestApp, c: &ClientFixture<'_>, plan_id: PlanId, key: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&t.database_url).await.unwrap();
    sqlx::query(
        "INSERT INTO licenses (seller_id, app_id, plan_id, key, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0)",
    )
    .bind(c.seller.id)
    .bind(c.app.id)
    .bind(plan_id)
    .bind(key)
    .execute(&mut conn)
    .await
    .unwrap();
}

async fn change_username_logs_out_and_refuses_taken_names(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    assert_refused(c.sdk_init().await.change_username("x").await, NOT_VALIDATED);
    let (alice, alice_id) = c.user_session("alice").await;
    let alice2 = c.init().await;
    t.store().validate_session(c.app.id, &alice2, alice_id).await.unwrap();
    c.user_session("bob").await;

    let mut app = c.sdk().with_session(&alice);
    let changed = "Successfully changed username, user logged out.";
    assert_refused(app.change_username("bob").await, "Username already used!");
    assert_refused(app.change_username(&"z".repeat(71)).await, "Username too long, try a shorter one.");
    assert_ok(app.change_username("alice'; DROP TABLE users; --").await, &app, changed);
    assert_eq!(app.session_id(), None, "the SDK drops the ended session");
    // Both of the user's sessions ended.
    let gone = "Session not found. If you get this frequently, ask the developer to use the latest example code";
    assert_refused(c.sdk().with_session(&alice).check().await, gone);
    assert_refused(c.sdk().with_session(&alice2).getvar("x").await, gone);
    let user = t.store().client_user(c.app.id, alice_id).await.unwrap();
    assert_eq!(user.username, "alice'; DROP TABLE users; --");

    // Another app may use the same name.
    let other = ClientFixture::named(&t, "other", "OtherApp").await;
    let (o, _) = other.user_session("carol").await;
    let mut carol = other.sdk().with_session(&o);
    assert_ok(carol.change_username("bob").await, &carol, changed);
}

async fn hostile_inputs_get_protocol_failures(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    let (v, _) = c.user_session("alice").await;
    let base =
        |kind: &str| format!("type={kind}&name={}&ownerid={}&sessionid={v}", c.app.name, c.seller.ownerid).into_bytes();
    // A 1 MB value: refused with the protocol's failure shape. (A body whose fields cannot be
    // read echoes the query's ownerid, so the client also sends it there.)
    c.path = format!("/api/1.3/?ownerid={}", c.seller.ownerid);
    for kind in ["setvar", "log", "chatsend", "webhook", "var"] {
        let mut body = base(kind);
        body.extend_from_slice(b"&var=a&varid=a&webid=a&channel=a&data=");
        body.extend(std::iter::repeat_n(b'a', 1_000_000));
        let a = c.post_body(body).await;
        assert_eq!(a.status, 200);
        assert!(!a.success(), "{kind}: {}", &a.text[..a.text.len().min(200)]);
    }
    c.path = "/api/1.3/".into();
    // Invalid UTF-8 and SQL metacharacters are just data.
    let mut body = base("setvar");
    body.extend_from_slice(b"&var=%27%3B--\xff\xfe&data=1%27%20OR%20%271%27%3D%271\xc3");
    c.post_body(body).await.assert_ok("Successfully set variable");
    let a = c.call(Some(&v), "getvar", &[("var", "';--\u{fffd}\u{fffd}")]).await;
    a.assert_ok("Successfully retrieved variable");
    assert_eq!(a.json["response"], "1' OR '1'='1\u{fffd}");
    for (kind, field) in [("var", "varid"), ("file", "fileid"), ("webhook", "webid"), ("chatget", "channel")] {
        let a = c.call(Some(&v), kind, &[(field, "x' OR '1'='1")]).await;
        assert!(!a.success(), "{kind}: {}", a.text);
    }
    let mut body = base("log");
    body.extend_from_slice(b"&message=\xff\x00%00\xc0\xaf");
    c.post_body(body).await.assert_ok("Successfully logged the message");
}
