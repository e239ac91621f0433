//! `licensd import keyauth` on a generated KeyAuth-shaped export: 10,000 users with bcrypt
//! hashes (cost 4, so the fixture is fast), their subscriptions, HWIDs and a ban, and keys in
//! both of KeyAuth's shapes. The users then sign in through the client API with their old
//! passwords; a second import changes nothing; malformed rows are reported, the rest import.

use crate::cli::json;
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::{TestApp, split};
use licensd::config::Config;
use licensd::domain::time::now_ms;
use serde_json::{Value, json};

engine_tests!(keyauth_export_imports_and_users_sign_in);
engine_tests!(config = import_limit_of_4_mib; keyauth_export_imports_through_the_admin_api);

/// Uploads over `max_body_bytes` (1 MiB) but under this pass; over it, 413.
fn import_limit_of_4_mib(c: &mut Config) {
    c.max_import_bytes = 4 * 1024 * 1024;
}

const USERS: usize = 10_000;
/// Distinct passwords (each hashed once: bcrypt at any cost dominates the fixture otherwise).
const PASSWORDS: usize = 50;

fn users_export() -> Value {
    let hashes: Vec<String> = (0..PASSWORDS)
        .map(|i| bcrypt::hash_with_result(format!("pw-{i}"), 4).unwrap().format_for_version(bcrypt::Version::TwoY))
        .collect();
    let expiry = (now_ms() / 1000 + 30 * 86_400).to_string();
    let mut users: Vec<Value> = (0..USERS)
        .map(|i| {
            json!({
                "username": format!("user{i}"),
                "email": format!("user{i}@example.com"),
                "password": hashes[i % PASSWORDS],
                "hwid": (i % 3 == 0).then(|| format!("HW-{i}")),
                "banned": (i == 7).then_some("chargeback"),
                "ip": "10.1.2.3",
            })
        })
        .collect();
    users.push(json!(42));
    users.push(json!({"username": "plain", "password": "hunter2"}));
    // KeyAuth's MySQL values arrive as strings, as in its download.
    let mut subs: Vec<Value> =
        (0..USERS).map(|i| json!({"user": format!("user{i}"), "subscription": "default", "expiry": expiry})).collect();
    subs.push(json!({"user": "ghost", "subscription": "default", "expiry": expiry}));
    json!({"users": users, "subscription": subs})
}

fn keys_export() -> Value {
    let used_on = (now_ms() / 1000 - 3_600).to_string();
    json!([
        {"key": "KA-FREE", "level": "1", "expiry": "30"},
        {"key": "KA-USED", "note": "from the bot", "expires": "86400", "status": "Used", "level": "1",
         "usedon": used_on, "usedby": "user1", "banned": null},
        {"key": "KA-BANNED", "expires": "3600", "status": "Banned", "level": "1", "banned": "leaked"},
        {"key": "", "level": "1"},
    ])
}

fn import(t: &TestApp, c: &ClientFixture<'_>, users: &str, keys: &str) -> Value {
    let (seller, app) = (c.seller.id.to_string(), c.app.id.to_string());
    json(t, &["import", "keyauth", "--seller", &seller, "--app", &app, "--users", users, "--keys", keys])["data"]
        .clone()
}

async fn keyauth_export_imports_and_users_sign_in(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("KeyAuthUsers.json");
    let keys = dir.path().join("KeyAuthKeys.json");
    std::fs::write(&users, users_export().to_string()).unwrap();
    std::fs::write(&keys, keys_export().to_string()).unwrap();
    let (users, keys) = (users.to_str().unwrap(), keys.to_str().unwrap());

    let r = import(&t, &c, users, keys);
    assert_eq!(r["users_new"], USERS, "{r}");
    assert_eq!(r["subscriptions_new"], USERS);
    assert_eq!(r["keys_new"], 3);
    assert_eq!(r["plans_created"], json!(["default"]));
    let skipped: Vec<(String, String)> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["row"].as_str().unwrap().to_owned(), s["reason"].as_str().unwrap().to_owned()))
        .collect();
    let reason = |row: &str| skipped.iter().find(|(r, _)| r == row).map(|(_, why)| why.clone());
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert_eq!(reason(&format!("users[{USERS}]")).as_deref(), Some("not an object"));
    assert_eq!(reason(&format!("users[{}]", USERS + 1)).as_deref(), Some("password is not a bcrypt hash"));
    assert!(reason(&format!("subscription[{USERS}]")).unwrap().contains("ghost"));
    assert_eq!(reason("keys[3]").as_deref(), Some("no key"));

    // A sample signs in with the old passwords; the hash is Argon2id afterwards.
    for i in (0..USERS).step_by(USERS / 20).chain([USERS - 1]) {
        let (name, pass, hwid) = (format!("user{i}"), format!("pw-{}", i % PASSWORDS), format!("HW-{i}"));
        let mut fields = vec![("username", name.as_str()), ("pass", pass.as_str())];
        if i % 3 == 0 {
            fields.push(("hwid", hwid.as_str()));
        }
        let s = c.init().await;
        let a = c.call(Some(&s), "login", &fields).await;
        a.assert_ok("Logged in!");
        assert_eq!(a.json["info"]["subscriptions"][0]["subscription"], "default");
        if i % 3 == 0 {
            assert_eq!(a.json["info"]["hwid"], hwid.as_str());
        }
        let user = t.store().user_by_ref(c.app.id, &name).await.unwrap();
        assert!(user.password_hash.unwrap().starts_with("$argon2id$"), "user{i}");
        assert_eq!(user.email.as_deref(), Some(format!("user{i}@example.com").as_str()));
    }
    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", "user2"), ("pass", "pw-3")]).await.assert_fail("Password does not match.");
    c.call(Some(&s), "login", &[("username", "user7"), ("pass", "pw-7")]).await.assert_fail("The user is banned");

    // Keys: state, expiry, note and who used them.
    let used = t.store().license_by_key(c.seller.id, "KA-USED").await.unwrap();
    let user1 = t.store().user_by_ref(c.app.id, "user1").await.unwrap();
    assert_eq!(used.used_by_user_id, Some(user1.id));
    assert_eq!(used.note, "from the bot");
    assert!(used.expires_at.map(i64::from).is_some_and(|e| e > now_ms() && e < now_ms() + 86_400_000));
    let banned = t.store().license_by_key(c.seller.id, "KA-BANNED").await.unwrap();
    assert_eq!(banned.banned_reason.as_deref(), Some("leaked"));
    let free = t.store().license_by_key(c.seller.id, "KA-FREE").await.unwrap();
    assert_eq!(free.duration_secs, Some(30 * 86_400));
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "newcomer"), ("pass", "pw"), ("key", "KA-FREE")])
        .await
        .assert_ok("Logged in!");

    // Again: nothing new, the upgraded hashes stay.
    let r = import(&t, &c, users, keys);
    assert_eq!((r["users_new"].as_u64(), r["users_existing"].as_u64()), (Some(0), Some(USERS as u64)), "{r}");
    assert_eq!((r["subscriptions_new"].as_u64(), r["keys_new"].as_u64()), (Some(0), Some(0)));
    assert_eq!(r["keys_existing"], 3);
    assert_eq!(r["plans_created"], json!([]));
    let user0 = t.store().user_by_ref(c.app.id, "user0").await.unwrap();
    assert!(user0.password_hash.unwrap().starts_with("$argon2id$"));
}

/// An upload to the admin API: status, `Location` and answer.
pub(crate) async fn upload(
    t: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Option<String>, Value) {
    let res = t
        .http
        .post(t.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let (status, json) = split(res).await;
    (status, location, json)
}

/// Polls a job until it is no longer running; its last answer.
pub(crate) async fn finished(t: &TestApp, token: &str, location: &str) -> Value {
    let mut seen_running = false;
    for _ in 0..600 {
        let (status, job) = t.get_json(location, token).await;
        assert_eq!(status, 200, "{job}");
        if job["data"]["state"] != "running" {
            return job["data"].clone();
        }
        seen_running = true;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not end in a minute (seen running: {seen_running})");
}

async fn keyauth_export_imports_through_the_admin_api(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let op = t.operator_token().await;
    let (seller, app) = (c.seller.id, c.app.id);
    let users_path = format!("/admin/v1/apps/{app}/import/keyauth/users?seller_id={seller}&plan=default=Gold");
    let users = users_export().to_string().into_bytes();
    assert!(users.len() > 1024 * 1024, "the file is larger than max_body_bytes: {}", users.len());

    let (status, location, job) = upload(&t, &op, &users_path, "application/json", users.clone()).await;
    assert_eq!(status, 202, "{job}");
    let location = location.unwrap();
    assert_eq!(location, format!("/admin/v1/imports/{}", job["data"]["id"]));
    assert_eq!(job["data"]["source"], "keyauth_users");
    let rows_total = job["data"]["rows_total"].as_u64().unwrap();
    assert!(rows_total > USERS as u64, "users and the bad rows: {job}");
    let scoped = format!("{location}?seller_id={seller}");
    let done = finished(&t, &op, &scoped).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["rows_done"], rows_total, "{done}");
    let report = &done["report"];
    assert_eq!(
        (report["users_new"].as_u64(), report["subscriptions_new"].as_u64()),
        (Some(USERS as u64), Some(USERS as u64))
    );
    assert_eq!(report["plans_created"], json!(["Gold"]), "the mapping named the plan");
    assert_eq!(report["skipped"].as_array().unwrap().len(), 3, "{report}");

    // A user signs in with the old password; the plan is the mapped one.
    let s = c.init().await;
    let a = c.call(Some(&s), "login", &[("username", "user5"), ("pass", "pw-5")]).await;
    a.assert_ok("Logged in!");
    assert_eq!(a.json["info"]["subscriptions"][0]["subscription"], "Gold");

    // Keys as CSV, by the content type; then the users again: nothing new.
    let keys = "key,level,expiry,status,usedby\nKA-CSV-1,1,30,Not Used,\nKA-CSV-2,1,30,Used,user3\n";
    let keys_path = format!("/admin/v1/apps/{app}/import/keyauth/keys?seller_id={seller}");
    let (status, location, job) = upload(&t, &op, &keys_path, "text/csv", keys.into()).await;
    assert_eq!(status, 202, "{job}");
    let done = finished(&t, &op, &format!("{}?seller_id={seller}", location.unwrap())).await;
    assert_eq!((done["state"].as_str(), done["report"]["keys_new"].as_u64()), (Some("done"), Some(2)), "{done}");
    let used = t.store().license_by_key(seller, "KA-CSV-2").await.unwrap();
    assert!(used.used_by_user_id.is_some());
    let (_, location, _) = upload(&t, &op, &users_path, "application/json", users.clone()).await;
    let again = finished(&t, &op, &format!("{}?seller_id={seller}", location.unwrap())).await;
    assert_eq!(again["report"]["users_new"], 0, "{again}");
    assert_eq!(again["report"]["users_existing"], USERS);

    // The list, newest first; the audit log names each start.
    let (status, list) = t.get_json(&format!("/admin/v1/imports?seller_id={seller}"), &op).await;
    assert_eq!(status, 200);
    assert_eq!(list["meta"]["total"], 3, "{list}");
    assert_eq!(list["data"][0]["id"], again["id"]);
    let starts = t.store().list_audit(Some(seller), licensd::store::Page { limit: 500, offset: 0 }).await.unwrap();
    assert_eq!(starts.iter().filter(|e| e.action == "import.start").count(), 3);

    // Refused before any job: a file that is no export, a bad query, too large, another seller.
    let jobs_before = list["meta"]["total"].clone();
    let (status, _, e) = upload(&t, &op, &users_path, "application/json", b"{not json".to_vec()).await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("invalid")), "{e}");
    let bad = format!("/admin/v1/apps/{app}/import/keyauth/users?seller_id={seller}&plan=nomapping");
    let (status, _, e) = upload(&t, &op, &bad, "application/json", users.clone()).await;
    assert_eq!(status, 400, "{e}");
    let bad = format!("/admin/v1/apps/{app}/import/keyauth/users?seller_id={seller}&colour=red");
    assert_eq!(upload(&t, &op, &bad, "application/json", users.clone()).await.0, 400);
    let huge = vec![b' '; 5 * 1024 * 1024];
    let (status, _, e) = upload(&t, &op, &users_path, "application/json", huge).await;
    assert_eq!((status, e["error"]["code"].as_str()), (413, Some("payload_too_large")), "{e}");
    let other = t.seller("other").await;
    let theirs = format!("/admin/v1/apps/{app}/import/keyauth/users");
    let (status, _, e) = upload(&t, &other.admin_token, &theirs, "application/json", users).await;
    assert_eq!(status, 404, "another seller's app is not found: {e}");
    let (status, _) = t.get_json(&format!("/admin/v1/imports/{}", again["id"]), &other.admin_token).await;
    assert_eq!(status, 404, "another seller's import is not found");
    let (_, list) = t.get_json(&format!("/admin/v1/imports?seller_id={seller}"), &op).await;
    assert_eq!(list["meta"]["total"], jobs_before);
}
