//! Reseller API over HTTP: every endpoint with GET and POST and every parameter placement,
//! the seed's bodies, errors, stock isolation, random fetch and the assignment race.

use crate::engine_tests;
use crate::harness::{TestApp, split};
use crate::reseller_fixture::{Bot, PLACES, Place, Shop, assert_error, call, exec_sql, get, listed_keys, now_ms};
use reqwest::Method;
use serde_json::{Value, json};

engine_tests!(
    every_endpoint_takes_get_and_post_and_every_placement,
    bodies_are_the_seeds,
    body_wins_over_query_string,
    bad_input_is_400,
    bad_tokens_are_401,
    unknown_paths_and_other_methods,
    resellers_see_only_their_own_stock,
    sellers_never_share_stock,
    one_of_twenty_concurrent_assignments_wins,
    assigned_license_leaves_the_stock_and_shows_to_the_seller,
    unsellable_licenses_are_neither_fetched_nor_assigned,
    fetch_picks_at_random_from_the_stock,
    myavailable_is_paged,
);

const DISCORD: &str = "123456789012345678";

async fn shop_with_bot(app: &TestApp, keys: &[&str]) -> (Shop, Bot) {
    let shop = Shop::open(app, "shop").await;
    let bot = shop.reseller(app.store(), "bot").await;
    shop.stock(&bot, keys).await;
    (shop, bot)
}

async fn every_endpoint_takes_get_and_post_and_every_placement(app: TestApp) {
    let keys: Vec<String> = (0..6).map(|i| format!("ps-PLACE-{i}")).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let (_, bot) = shop_with_bot(&app, &key_refs).await;
    let mut assignable = keys.iter();
    for method in [Method::GET, Method::POST] {
        for place in PLACES {
            let ctx = format!("{method} {place:?}");
            let token = [("api_token", bot.token.as_str())];
            let (status, body) = call(&app, method.clone(), "myavailable", place, &token).await;
            assert_eq!(status, 200, "{ctx}: {body}");
            assert_eq!(body["ok"], true);
            assert!(!listed_keys(&body).is_empty(), "{ctx}");

            let with_key = [("api_token", bot.token.as_str()), ("license", "ps-PLACE-0")];
            let (status, body) = call(&app, method.clone(), "licenseinfo", place, &with_key).await;
            assert_eq!(status, 200, "{ctx}: {body}");
            assert_eq!(body["info"]["key"], "ps-PLACE-0", "{ctx}");

            let (status, body) = call(&app, method.clone(), "fetchlicense", place, &token).await;
            assert_eq!(status, 200, "{ctx}: {body}");
            assert!(keys.iter().any(|k| body["license"]["key"] == k.as_str()), "{ctx}: {body}");

            let key = assignable.next().unwrap();
            let assign = [("api_token", bot.token.as_str()), ("license", key), ("discord_user_id", DISCORD)];
            let got = call(&app, method.clone(), "assignlicense", place, &assign).await;
            assert_eq!(got, (200, json!({"ok": true, "message": "License assigned successfully"})), "{ctx}");
        }
    }
    let (_, body) = get(&app, "myavailable", &[("api_token", &bot.token)]).await;
    assert_eq!(body, json!({"ok": true, "licenses": []}));
}

async fn bodies_are_the_seeds(app: TestApp) {
    let store = app.store();
    let shop = Shop::open(&app, "shop").await;
    let bot = shop.reseller(store, "bot").await;
    let now = now_ms();
    let fixed = now + 86_400_000;
    let r = Some(bot.reseller_id);
    shop.stock(&bot, &["ps-LIFE"]).await;
    shop.stock_with(r, &["ps-FIXED"], Some(fixed), None).await;
    shop.stock_with(r, &["ps-MONTH"], None, Some(30 * 86_400)).await;
    shop.stock_with(r, &["ps-GONE"], Some(now - 1_000), None).await;
    let created =
        |key: &'static str| async move { store.license_by_key(shop.seller_id, key).await.unwrap().created_at };
    let (c_life, c_fixed, c_month, c_gone) =
        (created("ps-LIFE").await, created("ps-FIXED").await, created("ps-MONTH").await, created("ps-GONE").await);
    let token = bot.token.as_str();

    let got = get(&app, "myavailable", &[("api_token", token)]).await;
    let expected = json!({"ok": true, "licenses": [
        {"key": "ps-LIFE", "product": "lifetime", "expiration": null, "duration": null, "created_at": c_life},
        {"key": "ps-FIXED", "product": "lifetime", "expiration": fixed, "duration": null, "created_at": c_fixed},
        {"key": "ps-MONTH", "product": "lifetime", "expiration": null, "duration": 2_592_000_000_i64, "created_at": c_month},
    ]});
    assert_eq!(got, (200, expected));

    let got = get(&app, "licenseinfo", &[("api_token", token), ("license", "ps-FIXED")]).await;
    let info = json!({"key": "ps-FIXED", "product": "lifetime", "expiration": fixed, "duration": null,
        "is_expired": false, "is_assigned": false, "created_at": c_fixed});
    assert_eq!(got, (200, json!({"ok": true, "info": info})));
    let got = get(&app, "licenseinfo", &[("api_token", token), ("license", "ps-GONE")]).await;
    let info = json!({"key": "ps-GONE", "product": "lifetime", "expiration": now - 1_000, "duration": null,
        "is_expired": true, "is_assigned": false, "created_at": c_gone});
    assert_eq!(got, (200, json!({"ok": true, "info": info})));

    // A duration key that started counting shows its running expiry, no duration.
    exec_sql(&app, "UPDATE licenses SET expires_at = 4102444800000 WHERE key = 'ps-MONTH'").await;
    let (_, body) = get(&app, "licenseinfo", &[("api_token", token), ("license", "ps-MONTH")]).await;
    assert_eq!((&body["info"]["expiration"], &body["info"]["duration"]), (&json!(4_102_444_800_000_i64), &Value::Null));

    // fetchlicense: {key, expiration} (+ duration) of one of the sellable three.
    let (status, body) = get(&app, "fetchlicense", &[("api_token", token)]).await;
    assert_eq!(status, 200);
    let license = body["license"].as_object().unwrap();
    let mut fields: Vec<&String> = license.keys().collect();
    fields.sort();
    assert_eq!(fields, ["duration", "expiration", "key"]);
    assert!(["ps-LIFE", "ps-FIXED", "ps-MONTH"].contains(&license["key"].as_str().unwrap()));
}

async fn body_wins_over_query_string(app: TestApp) {
    let (shop, bot) = shop_with_bot(&app, &["ps-A", "ps-B"]).await;
    let url = app.url("/reseller/licenseinfo?api_token=wrong&license=ps-A");
    let res = app.http.post(&url).json(&json!({"api_token": bot.token, "license": "ps-B"})).send().await.unwrap();
    let (status, body) = split(res).await;
    assert_eq!((status, &body["info"]["key"]), (200, &json!("ps-B")));
    let res = app.http.post(&url).form(&[("api_token", bot.token.as_str())]).send().await.unwrap();
    let (status, body) = split(res).await;
    assert_eq!((status, &body["info"]["key"]), (200, &json!("ps-A")), "query fills what the body leaves out");
    let url = app.url(&format!("/reseller/licenseinfo?api_token={}&license=ps-A", bot.token));
    let got = split(app.http.post(&url).json(&json!({"api_token": "wrong"})).send().await.unwrap()).await;
    assert_error(&got, 401, "Invalid API token");
    // A Discord id sent as a JSON number is taken as its digits.
    // Parameters no endpoint reads are ignored, whatever they hold.
    let body = json!({"api_token": bot.token, "license": "ps-A", "discord_user_id": 123_456_789_012_345_678_u64,
        "extra": {"nested": [true]}, "note": "a\nb"});
    let res = app.http.post(app.url("/reseller/assignlicense")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let row = app.store().license_by_key(shop.seller_id, "ps-A").await.unwrap();
    assert_eq!(row.discord_user_id.as_deref(), Some(DISCORD));
}

async fn bad_input_is_400(app: TestApp) {
    let (_, bot) = shop_with_bot(&app, &["ps-A"]).await;
    let t = bot.token.as_str();
    for place in PLACES {
        assert_error(
            &call(&app, Method::POST, "licenseinfo", place, &[("api_token", t)]).await,
            400,
            "Missing parameter: license",
        );
        let no_id = [("api_token", t), ("license", "ps-A")];
        assert_error(
            &call(&app, Method::POST, "assignlicense", place, &no_id).await,
            400,
            "Missing parameter: discord_user_id",
        );
    }
    let bad_snowflake = "discord_user_id must be a Discord user id (17 to 20 digits)";
    for id in [
        "1234567890123456",
        "123456789012345678901",
        "12345678901234567x",
        "01234567890123456",
        "99999999999999999999",
        " ",
    ] {
        let params = [("api_token", t), ("license", "ps-A"), ("discord_user_id", id)];
        let got = get(&app, "assignlicense", &params).await;
        if id.trim().is_empty() {
            assert_error(&got, 400, "Missing parameter: discord_user_id");
        } else {
            assert_error(&got, 400, bad_snowflake);
        }
    }
    for (limit, page) in [("0", "1"), ("501", "1"), ("ten", "1"), ("10", "0"), ("10", "-1"), ("10", "1e3")] {
        let (status, body) = get(&app, "myavailable", &[("api_token", t), ("limit", limit), ("page", page)]).await;
        assert_eq!((status, &body["ok"]), (400, &json!(false)), "limit={limit} page={page}: {body}");
    }
    let post = |content_type: &'static str, body: &'static str| {
        app.http.post(app.url("/reseller/myavailable")).header("content-type", content_type).body(body).send()
    };
    let malformed = "Malformed JSON body: expected an object";
    assert_error(&split(post("application/json", "{\"api_token\": ").await.unwrap()).await, 400, malformed);
    assert_error(&split(post("application/json", "[\"x\"]").await.unwrap()).await, 400, malformed);
    let got = split(post("application/json", "{\"api_token\": [1]}").await.unwrap()).await;
    assert_error(&got, 400, "api_token must be a string");
    let wrong_type = "Unsupported content type: send application/json or application/x-www-form-urlencoded";
    assert_error(&split(post("text/plain", "api_token=x").await.unwrap()).await, 400, wrong_type);
    assert_error(&split(post("multipart/form-data; boundary=x", "--x--").await.unwrap()).await, 400, wrong_type);
    let res = app.http.post(app.url("/reseller/myavailable")).body("api_token=x").send().await.unwrap();
    assert_error(&split(res).await, 400, wrong_type);
    let res = app
        .http
        .post(app.url("/reseller/myavailable"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"api_token=\xff\xfe".to_vec())
        .send()
        .await
        .unwrap();
    assert_error(&split(res).await, 400, "Malformed form body: not UTF-8");
    for key in ["ps-\u{0}A", "ps-\nA"] {
        let got = get(&app, "licenseinfo", &[("api_token", t), ("license", key)]).await;
        assert_error(&got, 400, "license must not contain control characters");
    }
    let long = "k".repeat(300);
    assert_error(&get(&app, "licenseinfo", &[("api_token", t), ("license", &long)]).await, 400, "license is too long");
    // Empty bodies are fine: everything may sit in the query string.
    let url = app.url(&format!("/reseller/myavailable?api_token={t}"));
    let res = app.http.post(url).header("content-type", "application/json").body("").send().await.unwrap();
    assert_eq!(res.status(), 200);
}

async fn bad_tokens_are_401(app: TestApp) {
    let store = app.store();
    let (shop, bot) = shop_with_bot(&app, &["ps-A"]).await;
    for endpoint in ["myavailable", "licenseinfo", "fetchlicense", "assignlicense"] {
        // Tokens are checked before anything else: no parameter errors leak to strangers.
        assert_error(&get(&app, endpoint, &[]).await, 401, "Missing api_token");
        assert_error(&get(&app, endpoint, &[("api_token", "")]).await, 401, "Missing api_token");
        assert_error(&get(&app, endpoint, &[("api_token", "lsd_reseller_nope")]).await, 401, "Invalid API token");
    }
    let other = shop.reseller(store, "other").await;
    assert_eq!(store.list_reseller_keys(bot.reseller_id).await.unwrap()[0].last_used_at, None);
    let before = now_ms();
    assert_eq!(get(&app, "myavailable", &[("api_token", &bot.token)]).await.0, 200);
    assert!(store.list_reseller_keys(bot.reseller_id).await.unwrap()[0].last_used_at.unwrap().get() >= before);
    store.revoke_reseller_key(bot.reseller_id, bot.key_id).await.unwrap();
    assert_error(&get(&app, "myavailable", &[("api_token", &bot.token)]).await, 401, "Invalid API token");
    // A new key of the same reseller works; deleting the reseller ends all of its keys.
    let (_, fresh) = store.create_reseller_key(bot.reseller_id, "new").await.unwrap();
    assert_eq!(get(&app, "myavailable", &[("api_token", &fresh)]).await.0, 200);
    store.delete_reseller(shop.seller_id, bot.reseller_id).await.unwrap();
    assert_error(&get(&app, "myavailable", &[("api_token", &fresh)]).await, 401, "Invalid API token");
    assert_eq!(get(&app, "myavailable", &[("api_token", &other.token)]).await.0, 200);
}

async fn unknown_paths_and_other_methods(app: TestApp) {
    let (_, bot) = shop_with_bot(&app, &["ps-A"]).await;
    for path in ["/reseller", "/reseller/", "/reseller/nope", "/reseller/myavailable/", "/reseller/a/b?api_token=x"] {
        for method in [Method::GET, Method::POST] {
            let got = split(app.http.request(method, app.url(path)).send().await.unwrap()).await;
            assert_error(&got, 404, "Unknown endpoint");
        }
    }
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let url = app.url(&format!("/reseller/myavailable?api_token={}", bot.token));
        let got = split(app.http.request(method, url).send().await.unwrap()).await;
        assert_error(&got, 405, "Method not allowed: use GET or POST");
    }
}

async fn resellers_see_only_their_own_stock(app: TestApp) {
    let store = app.store();
    let shop = Shop::open(&app, "shop").await;
    let (one, two) = (shop.reseller(store, "one").await, shop.reseller(store, "two").await);
    shop.stock(&one, &["ps-ONE"]).await;
    shop.stock(&two, &["ps-TWO"]).await;
    shop.stock_with(None, &["ps-SELLER"], None, None).await;

    let (_, body) = get(&app, "myavailable", &[("api_token", &one.token)]).await;
    assert_eq!(listed_keys(&body), ["ps-ONE"]);
    for _ in 0..10 {
        let (_, body) = get(&app, "fetchlicense", &[("api_token", &one.token)]).await;
        assert_eq!(body["license"]["key"], "ps-ONE");
    }
    // Another reseller's license, the seller's own and a missing one: one and the same answer.
    for key in ["ps-TWO", "ps-SELLER", "ps-MISSING"] {
        assert_error(
            &get(&app, "licenseinfo", &[("api_token", &one.token), ("license", key)]).await,
            404,
            "License not found",
        );
        let assign = [("api_token", one.token.as_str()), ("license", key), ("discord_user_id", DISCORD)];
        assert_error(&get(&app, "assignlicense", &assign).await, 404, "License not found");
    }
    for key in ["ps-TWO", "ps-SELLER"] {
        assert_eq!(store.license_by_key(shop.seller_id, key).await.unwrap().discord_user_id, None);
    }
    let (_, body) = get(&app, "myavailable", &[("api_token", &two.token)]).await;
    assert_eq!(listed_keys(&body), ["ps-TWO"]);
    // Moved out of the stock by the seller: gone for the reseller.
    let id = store.license_by_key(shop.seller_id, "ps-ONE").await.unwrap().id;
    assert_eq!(store.move_licenses_to_reseller(shop.seller_id, &[id], Some(two.reseller_id)).await.unwrap(), 1);
    assert_error(
        &get(&app, "licenseinfo", &[("api_token", &one.token), ("license", "ps-ONE")]).await,
        404,
        "License not found",
    );
    assert_error(&get(&app, "fetchlicense", &[("api_token", &one.token)]).await, 404, "No licenses available");
    let (_, body) = get(&app, "myavailable", &[("api_token", &two.token)]).await;
    assert_eq!(listed_keys(&body), ["ps-ONE", "ps-TWO"]);
}

async fn sellers_never_share_stock(app: TestApp) {
    let store = app.store();
    let (a, b) = (Shop::open(&app, "a").await, Shop::open(&app, "b").await);
    let (bot_a, bot_b) = (a.reseller(store, "bot").await, b.reseller(store, "bot").await);
    // Key strings are unique per seller only: both sellers have "ps-SHARED".
    a.stock(&bot_a, &["ps-SHARED"]).await;
    b.stock(&bot_b, &["ps-SHARED", "ps-B-ONLY"]).await;

    assert_error(
        &get(&app, "licenseinfo", &[("api_token", &bot_a.token), ("license", "ps-B-ONLY")]).await,
        404,
        "License not found",
    );
    let assign = [("api_token", bot_a.token.as_str()), ("license", "ps-SHARED"), ("discord_user_id", DISCORD)];
    assert_eq!(get(&app, "assignlicense", &assign).await.0, 200);
    assert_eq!(store.license_by_key(a.seller_id, "ps-SHARED").await.unwrap().discord_user_id.as_deref(), Some(DISCORD));
    assert_eq!(store.license_by_key(b.seller_id, "ps-SHARED").await.unwrap().discord_user_id, None);
    let (_, body) = get(&app, "licenseinfo", &[("api_token", &bot_b.token), ("license", "ps-SHARED")]).await;
    assert_eq!(body["info"]["is_assigned"], false);
    let (_, body) = get(&app, "myavailable", &[("api_token", &bot_a.token)]).await;
    assert_eq!(listed_keys(&body), Vec::<String>::new());
    let (_, body) = get(&app, "myavailable", &[("api_token", &bot_b.token)]).await;
    assert_eq!(listed_keys(&body), ["ps-SHARED", "ps-B-ONLY"]);
}

async fn one_of_twenty_concurrent_assignments_wins(app: TestApp) {
    let (shop, bot) = shop_with_bot(&app, &["ps-RACE"]).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (http, url, token) = (app.http.clone(), app.url("/reseller/assignlicense"), bot.token.clone());
        tasks.spawn(async move {
            let discord = format!("1234567890123456{i:02}");
            let body = json!({"api_token": token, "license": "ps-RACE", "discord_user_id": discord});
            (discord, split(http.post(url).json(&body).send().await.unwrap()).await)
        });
    }
    let results = tasks.join_all().await;
    let winners: Vec<&String> = results.iter().filter(|(_, (s, _))| *s == 200).map(|(d, _)| d).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (_, got) in results.iter().filter(|(_, (s, _))| *s != 200) {
        assert_error(got, 409, "License already assigned");
    }
    let row = app.store().license_by_key(shop.seller_id, "ps-RACE").await.unwrap();
    assert_eq!(row.discord_user_id.as_ref(), Some(winners[0]));
    // The one assignment is in the seller's audit trail, in the reseller's name; the losers left none.
    let audit = app.store().list_audit(Some(shop.seller_id), licensd::store::Page::new(50, 1)).await.unwrap();
    let assigned: Vec<_> = audit.iter().filter(|e| e.action == "reseller.assign").collect();
    assert_eq!(assigned.len(), 1, "{audit:?}");
    let e = assigned[0];
    let expected = (format!("reseller:{}", bot.reseller_id), format!("license:{}", row.id), winners[0].clone());
    assert_eq!((e.actor.clone(), e.target.clone(), e.detail.clone()), expected);
}

async fn assigned_license_leaves_the_stock_and_shows_to_the_seller(app: TestApp) {
    let store = app.store();
    let (shop, bot) = shop_with_bot(&app, &["ps-A", "ps-B"]).await;
    let t = bot.token.as_str();
    let before = now_ms();
    let assign = [("api_token", t), ("license", "ps-A"), ("discord_user_id", DISCORD)];
    assert_eq!(get(&app, "assignlicense", &assign).await.0, 200);
    assert_error(&get(&app, "assignlicense", &assign).await, 409, "License already assigned");
    let other = [("api_token", t), ("license", "ps-A"), ("discord_user_id", "987654321098765432")];
    assert_error(&get(&app, "assignlicense", &other).await, 409, "License already assigned");

    let (_, body) = get(&app, "myavailable", &[("api_token", t)]).await;
    assert_eq!(listed_keys(&body), ["ps-B"]);
    let (_, body) = get(&app, "licenseinfo", &[("api_token", t), ("license", "ps-A")]).await;
    assert_eq!(body["info"]["is_assigned"], true);
    for _ in 0..10 {
        assert_eq!(get(&app, "fetchlicense", &[("api_token", t)]).await.1["license"]["key"], "ps-B");
    }
    let row = store.license_by_key(shop.seller_id, "ps-A").await.unwrap();
    assert_eq!(row.discord_user_id.as_deref(), Some(DISCORD));
    assert!(row.assigned_at.unwrap().get() >= before);
    assert_eq!(row.reseller_id, Some(bot.reseller_id));
    // The seller cannot move an assigned license out of the reseller's stock.
    assert_eq!(store.move_licenses_to_reseller(shop.seller_id, &[row.id], None).await.unwrap(), 0);
}

async fn unsellable_licenses_are_neither_fetched_nor_assigned(app: TestApp) {
    let store = app.store();
    let (shop, bot) = shop_with_bot(&app, &["ps-TAKEN", "ps-BANNED", "ps-GOOD", "ps-OFF"]).await;
    shop.stock_with(Some(bot.reseller_id), &["ps-EXPIRED"], Some(now_ms() - 1), None).await;
    let t = bot.token.as_str();
    let assign = |key: &'static str| [("api_token", t), ("license", key), ("discord_user_id", DISCORD)];
    assert_eq!(get(&app, "assignlicense", &assign("ps-TAKEN")).await.0, 200);
    let banned = store.license_by_key(shop.seller_id, "ps-BANNED").await.unwrap();
    store.set_license_ban(shop.seller_id, banned.id, Some("chargeback")).await.unwrap();
    exec_sql(&app, "UPDATE licenses SET active = 0 WHERE key = 'ps-OFF'").await;

    for _ in 0..30 {
        assert_eq!(
            get(&app, "fetchlicense", &[("api_token", t)]).await,
            (
                200,
                json!({"ok": true,
            "license": {"key": "ps-GOOD", "expiration": null, "duration": null}})
            )
        );
    }
    let (_, body) = get(&app, "myavailable", &[("api_token", t)]).await;
    assert_eq!(listed_keys(&body), ["ps-GOOD"]);
    assert_error(&get(&app, "assignlicense", &assign("ps-BANNED")).await, 409, "License is banned");
    assert_error(&get(&app, "assignlicense", &assign("ps-OFF")).await, 409, "License is disabled");
    assert_error(&get(&app, "assignlicense", &assign("ps-EXPIRED")).await, 409, "License has expired");
    for key in ["ps-BANNED", "ps-OFF", "ps-EXPIRED"] {
        assert_eq!(store.license_by_key(shop.seller_id, key).await.unwrap().discord_user_id, None);
    }
    assert_eq!(get(&app, "assignlicense", &assign("ps-GOOD")).await.0, 200);
    assert_error(&get(&app, "fetchlicense", &[("api_token", t)]).await, 404, "No licenses available");
    assert_eq!(get(&app, "myavailable", &[("api_token", t)]).await, (200, json!({"ok": true, "licenses": []})));
}

async fn fetch_picks_at_random_from_the_stock(app: TestApp) {
    let keys: Vec<String> = (0..20).map(|i| format!("ps-RND-{i:02}")).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let (_, bot) = shop_with_bot(&app, &key_refs).await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let (status, body) = get(&app, "fetchlicense", &[("api_token", &bot.token)]).await;
        assert_eq!(status, 200);
        let key = body["license"]["key"].as_str().unwrap().to_owned();
        assert!(keys.contains(&key));
        seen.insert(key);
    }
    // 40 uniform draws from 20 give fewer than 5 distinct keys with probability below 1e-20.
    assert!(seen.len() >= 5, "{seen:?}");
}

async fn myavailable_is_paged(app: TestApp) {
    let keys: Vec<String> = (0..250).map(|i| format!("ps-PAGE-{i:03}")).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let (_, bot) = shop_with_bot(&app, &key_refs).await;
    let t = bot.token.as_str();
    let (_, body) = get(&app, "myavailable", &[("api_token", t)]).await;
    assert_eq!(listed_keys(&body), keys[..100]);
    let mut all = Vec::new();
    for page in ["1", "2", "3", "4"] {
        let (_, body) = get(&app, "myavailable", &[("api_token", t), ("limit", "100"), ("page", page)]).await;
        all.extend(listed_keys(&body));
    }
    assert_eq!(all, keys);
    let (_, body) = get(&app, "myavailable", &[("api_token", t), ("limit", "500")]).await;
    assert_eq!(listed_keys(&body), keys);
    let (_, body) =
        call(&app, Method::POST, "myavailable", Place::Form, &[("api_token", t), ("limit", "7"), ("page", "2")]).await;
    assert_eq!(listed_keys(&body), keys[7..14]);
}
