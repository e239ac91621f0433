//! The seller API (`/api/seller/`): the seller key and KeyAuth's errors, the key types, the
//! tenant boundary of a key (one app), the per-key rate limit, and a race on redemption.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use crate::seller_api_support::{SellerApi, get, sellerapi_token};
use licensd::store::tokens::TokenKind;
use serde_json::json;

engine_tests!(seller_key_and_errors, add_keys_redeem_through_the_client_api, key_types_change_what_clients_see);
engine_tests!(a_key_reaches_only_its_app, balance_fills_a_resellers_stock);
engine_tests!(config = hashes_in_parallel; activate_races_for_one_key);
engine_tests!(config = three_a_minute; the_key_has_a_rate_limit);

/// Every racer's password is hashed at once, so they reach the key together.
fn hashes_in_parallel(config: &mut licensd::config::Config) {
    config.password_hash_concurrency = 16;
}

fn three_a_minute(config: &mut licensd::config::Config) {
    config.seller_api_rate_limit_per_min = 3;
}

async fn seller_key_and_errors(t: TestApp) {
    let s = SellerApi::new(&t).await;
    get(&t, "type=verify&key=x").await.fail(401, "No seller key specified");
    get(&t, &format!("sellerkey={}", s.key)).await.fail(400, "Type not specified");
    let wrong = "sellerkey=0123456789abcdef0123456789abcdef&type=verify&key=x";
    get(&t, wrong).await.fail(401, "No application with specified seller key found");
    // Other kinds of tokens are no seller keys, and a seller key administers nothing.
    get(&t, &format!("sellerkey={}&type=setseller", s.admin))
        .await
        .fail(401, "No application with specified seller key found");
    let (status, _) = t.get_json("/admin/v1/apps", &s.key).await;
    assert_eq!(status, 401);

    s.get("setseller", &[]).await.ok("Seller Key Successfully Found");
    s.post("setseller", &[]).await.ok("Seller Key Successfully Found");
    let text = s.get("setseller", &[("format", "text")]).await;
    assert_eq!((text.status, text.text.as_str()), (200, "Seller Key Successfully Found"));
    assert!(text.content_type.starts_with("text/plain"), "{}", text.content_type);
    // Unknown and unsupported types; failures stay JSON under format=text (the bot parses them).
    s.get("nosuchtype", &[]).await.fail(400, "Type doesn't exist");
    s.get("getbalance", &[("format", "text")]).await.fail(400, "Type doesn't exist");

    // Missing and bad fields: KeyAuth's words and a 4xx, never a 500.
    for (kind, field) in [("verify", "key"), ("info", "key"), ("del", "key"), ("userdata", "user"), ("getvar", "var")] {
        s.get(kind, &[]).await.fail(400, &format!("A required field is missing: {field}"));
    }
    s.get("add", &[]).await.fail(400, "Expiry not set");
    s.get("add", &[("expiry", "soon")]).await.fail(400, "Expiry not set");
    s.get("add", &[("expiry", "-3")]).await.fail(400, "Expiry not set");
    s.get("add", &[("expiry", "1"), ("amount", "101")]).await.fail(400, "You can only generate 100 licenses at a time");
    s.get("add", &[("expiry", "1"), ("level", "7")]).await.fail(404, "No subscription with level 7 found");
    s.get("extend", &[("user", "u"), ("sub", "s"), ("expiry", "x")])
        .await
        .fail(400, "Expiry not set correctly, must be number of days");
    s.get("muteuser", &[("user", "u"), ("time", "forever")]).await.fail(400, "Invalid time paramater, must be number");
    s.get("delblack", &[("data", "x"), ("blacktype", "mac")]).await.fail(400, "Invalid blacklist type!");
    let long = "k".repeat(70_000);
    let r = s.post("verify", &[("key", &long)]).await;
    assert_eq!((r.status, &r.json["success"]), (400, &json!(false)), "{}", r.text);

    // A revoked key stops at once.
    let (_, tokens) = t.get_json("/admin/v1/tokens", &s.admin).await;
    let id = tokens["data"].as_array().unwrap().iter().find(|t| t["kind"] == "sellerapi").unwrap()["id"].clone();
    let res = t.http.delete(t.url(&format!("/admin/v1/tokens/{id}"))).bearer_auth(&s.admin).send().await.unwrap();
    assert_eq!(res.status(), 204);
    s.get("setseller", &[]).await.fail(401, "No application with specified seller key found");
}

async fn add_keys_redeem_through_the_client_api(t: TestApp) {
    let s = SellerApi::new(&t).await;
    s.c.plan("monthly", 1, None).await;
    s.c.plan("vip", 3, None).await;

    let one = s.get("add", &[("expiry", "30"), ("mask", "KEY-******-******"), ("note", "from the bot")]).await;
    one.ok("License Successfully Generated");
    let key = one.json["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("KEY-") && key.len() == 17, "{key}");
    // The key redeems through the client API and grants 30 days of level 1.
    let session = s.c.key_session(&key).await;
    let info = s.c.call(Some(&session), "check", &[]).await;
    assert!(info.success(), "{}", info.text);

    let many = s.post("add", &[("expiry", "0.5"), ("amount", "3"), ("level", "3"), ("character", "3")]).await;
    many.ok("Licenses successfully generated");
    let keys: Vec<String> = many.json["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().into()).collect();
    assert_eq!(keys.len(), 3);
    let text = s.get("add", &[("expiry", "1"), ("amount", "2"), ("format", "text")]).await;
    assert_eq!(text.status, 200);
    let text_keys: Vec<&str> = text.text.split("\r\n").collect();
    assert_eq!(text_keys.len(), 2, "{}", text.text);
    assert!(!text.text.contains("message"));

    s.get("verify", &[("key", &keys[0])]).await.ok("Key Successfully Verified");
    s.get("verify", &[("key", "NOPE-NOPE")]).await.fail(404, "Key Not Found");
    let info = s.get("info", &[("key", &keys[0])]).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.json["success"], json!(true));
    assert_eq!((&info.json["status"], &info.json["level"]), (&json!("Not Used"), &json!("3")), "{}", info.text);
    assert_eq!(info.json["duration"], json!("43200"));
    let used = s.get("info", &[("key", &key)]).await;
    assert_eq!(
        (&used.json["status"], &used.json["usedby"], &used.json["note"]),
        (&json!("Used"), &json!(key), &json!("from the bot"))
    );

    let all = s.get("fetchallkeys", &[]).await;
    all.ok("Successfully Retrieved Licenses");
    assert_eq!(all.json["keys"].as_array().unwrap().len(), 6);
    let lines = s.get("fetchallkeys", &[("format", "text")]).await;
    assert_eq!(lines.text.lines().count(), 6, "{}", lines.text);
    assert!(lines.text.lines().any(|l| l == keys[1]));

    let stats = s.get("stats", &[]).await;
    assert_eq!(
        (&stats.json["unused"], &stats.json["used"], &stats.json["totalkeys"]),
        (&json!("5"), &json!("1"), &json!("6")),
        "{}",
        stats.text
    );
}

async fn key_types_change_what_clients_see(t: TestApp) {
    let s = SellerApi::new(&t).await;
    let plan = s.c.plan("monthly", 1, None).await;
    for k in ["BAN-ME-0001", "DEL-ME-0001", "UNUSED-0001", "UNUSED-0002", "USED-00001"] {
        s.c.license(&plan, k, Some(86_400)).await;
    }
    s.c.key_session("USED-00001").await;

    // ban: the client's `license` refuses the key; unban lets it in again.
    s.get("ban", &[("key", "BAN-ME-0001")]).await.fail(400, "A required field is missing: reason");
    s.get("ban", &[("key", "BAN-ME-0001"), ("reason", "chargeback")]).await.ok("Successfully banned license!");
    let sid = s.c.init().await;
    s.c.call(Some(&sid), "license", &[("key", "BAN-ME-0001")]).await.assert_fail("Your license is banned");
    s.get("unban", &[("key", "BAN-ME-0001")]).await.ok("Successfully unbanned license!");
    s.c.key_session("BAN-ME-0001").await;

    // del: the key is gone for the client API too.
    s.get("del", &[("key", "DEL-ME-0001")]).await.ok("Successfully deleted license!");
    s.get("del", &[("key", "DEL-ME-0001")]).await.fail(404, "Failed to delete license!");
    let sid = s.c.init().await;
    s.c.call(Some(&sid), "license", &[("key", "DEL-ME-0001")]).await.assert_fail("Invalid license key");

    // addtime lengthens the unused keys only.
    s.get("addtime", &[("time", "2")]).await.ok("Added time to unused licenses!");
    let unused = s.get("info", &[("key", "UNUSED-0001")]).await;
    assert_eq!(unused.json["duration"], json!((3 * 86_400).to_string()), "{}", unused.text);
    let used = s.get("info", &[("key", "USED-00001")]).await;
    assert_eq!(used.json["duration"], json!("86400"));

    // delunused, then delused (the banned-then-unbanned key was redeemed above: it is used).
    s.get("delunused", &[]).await.ok("Deleted All Unused Keys!");
    s.get("delunused", &[]).await.fail(404, "Didn't find any unused keys!");
    s.get("verify", &[("key", "UNUSED-0002")]).await.fail(404, "Key Not Found");
    s.get("delused", &[]).await.ok("Deleted All Used Keys!");
    s.get("fetchallkeys", &[]).await.fail(404, "No License Keys Found");
    s.get("delused", &[]).await.fail(404, "Didn't find any used keys!");

    // Every change is in the seller's audit trail, made by the seller API token.
    let (_, audit) = t.get_json("/admin/v1/audit?limit=100", &s.admin).await;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in [
        "license.ban",
        "license.unban",
        "license.delete",
        "license.add_time",
        "license.delete_unused",
        "license.delete_used",
    ] {
        assert!(actions.contains(&a), "{a} not in {actions:?}");
    }
}

/// A seller key acts for its own app only: another app of the same seller and another
/// seller's app answer as if their keys and users did not exist, and stay unchanged.
async fn a_key_reaches_only_its_app(t: TestApp) {
    let a = SellerApi::new(&t).await;
    let sibling = a.c.another_app("OtherApp").await;
    let other = ClientFixture::named(&t, "bravo", "TheirApp").await;
    for (i, c) in [&a.c, &sibling, &other].into_iter().enumerate() {
        let plan = c.plan("monthly", 1, None).await;
        c.license(&plan, &format!("KEY-OF-{i}"), Some(86_400)).await;
    }
    sibling.user_session("sibling-user").await;
    other.user_session("their-user").await;
    for key in ["KEY-OF-1", "KEY-OF-2"] {
        a.get("verify", &[("key", key)]).await.fail(404, "Key Not Found");
        a.get("info", &[("key", key)]).await.fail(404, "Key Not Found");
        a.get("ban", &[("key", key), ("reason", "x")]).await.fail(404, "Failed to ban license!");
        a.get("del", &[("key", key)]).await.fail(404, "Failed to delete license!");
    }
    for user in ["sibling-user", "their-user"] {
        a.get("userdata", &[("user", user)]).await.fail(404, "User not found");
        a.get("deluser", &[("user", user)]).await.fail(404, "Failed to delete user!");
        a.get("banuser", &[("user", user), ("reason", "x")]).await.fail(404, "User not found!");
    }
    a.get("delunused", &[]).await.ok("Deleted All Unused Keys!");
    a.get("killall", &[]).await.ok("Successfully killed all sessions!");
    // The others' keys, users and sessions are untouched.
    for (c, key, user) in [(&sibling, "KEY-OF-1", "sibling-user"), (&other, "KEY-OF-2", "their-user")] {
        let admin = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
        let sellerkey = sellerapi_token(&t, &admin, c.app.id).await;
        get(&t, &format!("sellerkey={sellerkey}&type=verify&key={key}")).await.ok("Key Successfully Verified");
        get(&t, &format!("sellerkey={sellerkey}&type=verifyuser&user={user}")).await.ok("User Successfully Verified");
        get(&t, &format!("sellerkey={sellerkey}&type=fetchallsessions")).await.ok("Successfully retrieved sessions");
    }
    // A token for another seller's app cannot be made with this seller's admin token.
    let body = json!({"kind": "sellerapi", "app_id": other.app.id});
    let (status, _) = t.post_json("/admin/v1/tokens", &a.admin, &body).await;
    assert_eq!(status, 404);
    let (status, _) = t.post_json("/admin/v1/tokens", &a.admin, &json!({"kind": "sellerapi"})).await;
    assert_eq!(status, 422);
    let (status, _) = t.post_json("/admin/v1/tokens", &a.admin, &json!({"kind": "store", "app_id": a.c.app.id})).await;
    assert_eq!(status, 422);
}

/// Sixteen bots activate one key at once with sixteen usernames: one user gets it, the others
/// hear KeyAuth's "Key Already Used." and leave no user behind (a loser may have inserted its
/// user before its claim of the key failed). Four rounds, one key each, to meet the race often.
async fn activate_races_for_one_key(t: TestApp) {
    let s = SellerApi::new(&t).await;
    let plan = s.c.plan("monthly", 1, None).await;
    let s = &s;
    for round in 0..4 {
        let key = format!("RACE-KEY-000{round}");
        s.c.license(&plan, &key, Some(86_400)).await;
        let names: Vec<String> = (0..16).map(|i| format!("racer{round}-{i}")).collect();
        let calls = names.iter().map(|n| {
            let key = key.clone();
            async move { s.get("activate", &[("user", n.as_str()), ("key", key.as_str()), ("pass", "pw")]).await }
        });
        let answers = futures_util::future::join_all(calls).await;
        let won: Vec<_> = answers.iter().filter(|a| a.json["success"] == json!(true)).collect();
        assert_eq!(won.len(), 1, "{answers:?}");
        assert_eq!(won[0].json["message"], json!("Logged in!"));
        for lost in answers.iter().filter(|a| a.json["success"] != json!(true)) {
            lost.fail(409, "Key Already Used.");
        }
        let users = s.get("fetchallusernames", &[]).await;
        assert_eq!(users.json["usernames"].as_array().unwrap().len(), round + 1, "{}", users.text);
        // The winner signs in through the client API with the password it was given.
        let winner = won[0].json["info"]["username"].as_str().unwrap();
        let sid = s.c.init().await;
        s.c.call(Some(&sid), "login", &[("username", winner), ("pass", "pw")]).await.assert_ok("Logged in!");
    }
}

async fn the_key_has_a_rate_limit(t: TestApp) {
    let s = SellerApi::new(&t).await;
    for _ in 0..3 {
        s.get("setseller", &[]).await.ok("Seller Key Successfully Found");
    }
    let r = s.get("setseller", &[]).await;
    r.fail(429, "Rate limit exceeded. Try again later.");
    // Another app's key has its own budget.
    let other = s.c.another_app("Second").await;
    let key = sellerapi_token(&t, &s.admin, other.app.id).await;
    get(&t, &format!("sellerkey={key}&type=setseller")).await.ok("Seller Key Successfully Found");
}

/// `balance` makes the keys KeyAuth would have credited, in the reseller's stock, one batch per
/// duration, all or nothing.
async fn balance_fills_a_resellers_stock(t: TestApp) {
    let s = SellerApi::new(&t).await;
    s.c.plan("monthly", 1, None).await;
    let vip = s.c.plan("vip", 3, None).await;
    let body = json!({"name": "bob", "key_prefix": "bob-"});
    let (status, bob) = t.post_json("/admin/v1/resellers", &s.admin, &body).await;
    assert_eq!(status, 201, "{bob}");
    let stock = format!("/admin/v1/resellers/{}/stock", bob["data"]["id"]);
    let other = t.seller("other").await;
    let (status, _) = t.post_json("/admin/v1/resellers", &other.admin_token, &json!({"name": "carol"})).await;
    assert_eq!(status, 201);

    s.get("balance", &[("day", "2")]).await.fail(400, "Username Not Set");
    let not_ours = "You don't own account you were attemping to modify balance for";
    s.get("balance", &[("username", "nobody"), ("day", "1")]).await.fail(404, not_ours);
    s.get("balance", &[("username", "carol"), ("day", "1")]).await.fail(404, not_ours);
    s.get("balance", &[("username", "bob"), ("day", "1"), ("level", "7")])
        .await
        .fail(404, "No subscription with level 7 found");
    // A refusal in any batch makes none of them.
    let r = s.get("balance", &[("username", "bob"), ("day", "1"), ("week", "-1")]).await;
    assert_eq!((r.status, &r.json["success"]), (400, &json!(false)), "{}", r.text);
    let r = s.get("balance", &[("username", "bob"), ("day", "60000"), ("month", "50000")]).await;
    assert_eq!((r.status, &r.json["success"]), (400, &json!(false)), "{}", r.text);
    let (_, empty) = t.get_json(&stock, &s.admin).await;
    assert_eq!(empty["meta"]["total"], 0, "{empty}");

    let fields = [("username", "bob"), ("day", "2"), ("week", "x"), ("lifetime", "1"), ("format", "text")];
    let added = s.get("balance", &fields).await;
    assert_eq!((added.status, added.text.as_str()), (200, "Balance Successfully Added"));
    s.post("balance", &[("username", "bob"), ("sixmonth", "1"), ("level", "3")]).await.ok("Balance Successfully Added");
    let (_, list) = t.get_json(&stock, &s.admin).await;
    let mut terms: Vec<(i64, bool)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert!(l["key"].as_str().unwrap().starts_with("bob-"), "{l}");
            (l["duration_secs"].as_i64().unwrap(), l["plan_id"] == json!(vip.id))
        })
        .collect();
    terms.sort();
    assert_eq!(terms, [(86_400, false), (86_400, false), (15_720_000, true), (863_910_000, false)]);

    // The keys are licensd keys like any other: one redeems through the client API.
    let key = list["data"][0]["key"].as_str().unwrap();
    let session = s.c.key_session(key).await;
    assert!(s.c.call(Some(&session), "check", &[]).await.success());
    let (_, audit) = t.get_json("/admin/v1/audit?limit=100", &s.admin).await;
    let generations = audit["data"].as_array().unwrap().iter().filter(|e| e["action"] == "license.generate").count();
    assert_eq!(generations, 3, "one generation per duration: {audit}");
}
