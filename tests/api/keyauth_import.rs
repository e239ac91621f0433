//! `licensd import keyauth` on a generated KeyAuth-shaped export: 10,000 users with bcrypt
//! hashes (cost 4, so the fixture is fast), their subscriptions, HWIDs and a ban, and keys in
//! both of KeyAuth's shapes. The users then sign in through the client API with their old
//! passwords; a second import changes nothing; malformed rows are reported, the rest import.

use crate::cli::json;
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::time::now_ms;
use serde_json::{Value, json};

engine_tests!(keyauth_export_imports_and_users_sign_in);

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
