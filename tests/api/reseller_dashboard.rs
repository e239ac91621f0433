//! The reseller dashboard over plain HTTP: sign-in (set by the seller, brute-force limits), the
//! session cookie and its expiry, the security headers, CSRF tokens, the stock and assignment
//! pages, and API keys created and revoked there acting on the Reseller API at once; every
//! form's bad input answers a page naming the error with a 4xx, and stores nothing.

use crate::adminkit::call;
use crate::engine_tests;
use crate::harness::TestApp;
use crate::panelkit::{DASH, PASSWORD, PanelClient, reseller_login, set_cookie, sign_in_answer_at};
use crate::reseller_fixture::{Bot, Shop, assert_error, get};
use licensd::config::Config;
use serde_json::json;

engine_tests!(
    dashboard_sign_in_cookie_and_headers,
    dashboard_keys_act_on_the_reseller_api_at_once,
    dashboard_stock_and_assignments,
    dashboard_forms_refuse_bad_input,
    dashboard_sign_in_set_through_the_admin_api,
);
engine_tests!(config = tight_limits; dashboard_sign_in_limits, dashboard_idle_sessions_end);

fn tight_limits(config: &mut Config) {
    config.panel_login_failures_per_ip_per_min = 3;
    config.panel_session_idle_secs = 1;
}

/// A shop with reseller "bot" (one API key, the given stock) signing in as bot@example.com.
async fn shop(app: &TestApp, stock: &[&str]) -> (Shop, Bot) {
    let shop = Shop::open(app, "acme").await;
    let bot = shop.reseller(app.store(), "bot").await;
    shop.stock(&bot, stock).await;
    reseller_login(app, shop.seller_id, bot.reseller_id, "Bot@Example.com").await;
    (shop, bot)
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url).await.unwrap();
    sqlx::query_as::<_, (i64,)>(sql).fetch_one(&mut db).await.unwrap().0
}

/// The key a "New API key" page shows once.
fn shown_key(body: &str) -> String {
    let at = body.find(r#"id="secret""#).expect("the new key's field");
    let rest = &body[at..];
    let rest = &rest[rest.find(r#"value=""#).unwrap() + 7..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn dashboard_sign_in_cookie_and_headers(app: TestApp) {
    let (shop, bot) = shop(&app, &["K-1"]).await;
    // Without a session the dashboard sends the browser to its sign-in form.
    let anon = app.http.get(app.url("/reseller/dashboard/settings")).send().await.unwrap();
    assert_eq!(anon.url().path(), "/reseller/dashboard/signin", "followed to the sign-in form");
    let wrong = sign_in_answer_at(&app, DASH, "bot@example.com", "wrong password!", "").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("Wrong email or password."), "{}", wrong.body);
    let unknown = sign_in_answer_at(&app, DASH, "nobody@example.com", PASSWORD, "").await;
    assert_eq!((unknown.status, unknown.body.contains("Wrong email or password.")), (401, true));
    // A seller panel account's session cookie is no dashboard session.
    let forged = app.http.get(app.url("/reseller/dashboard/")).header("cookie", "licensd_panel=x").send().await;
    assert_eq!(forged.unwrap().url().path(), "/reseller/dashboard/signin");

    let ok = sign_in_answer_at(&app, DASH, "BOT@example.com", PASSWORD, "").await;
    assert_eq!((ok.status, ok.location.as_str()), (303, "/reseller/dashboard/"));
    let line = set_cookie(&ok.headers, "licensd_dash").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/reseller/dashboard/;"] {
        assert!(line.contains(attr), "{line}");
    }
    let value = &line.split(';').next().unwrap()["licensd_dash=".len()..];
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url).await.unwrap();
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM reseller_sessions").fetch_all(&mut db).await.unwrap();
    assert_eq!(stored, vec![(licensd::domain::secret::hash_secret(value),)], "the digest, never the cookie");

    let c = PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    let page = c.get("/reseller/dashboard/settings").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!page.body.contains("<script") && !page.body.contains("style="));
    assert!(page.body.contains("bot (bot@example.com)"), "the reseller is named");
    // An unknown dashboard page is an HTML 404 leading back to the dashboard, not the API's JSON.
    let missing = c.get("/reseller/dashboard/nothing-here").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains(r#"href="/reseller/dashboard/""#), "{}", missing.body);
    // Signing out ends the session.
    let out = c.post("/reseller/dashboard/signout", &[]).await;
    assert_eq!((out.status, out.location.as_str()), (303, "/reseller/dashboard/signin"));
    assert_eq!(c.get("/reseller/dashboard/").await.status, 303);
    // A new sign-in from the seller ends the sessions of the old one.
    let c = PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    reseller_login(&app, shop.seller_id, bot.reseller_id, "bot@example.com").await;
    assert_eq!(c.get("/reseller/dashboard/").await.status, 303);
}

async fn dashboard_keys_act_on_the_reseller_api_at_once(app: TestApp) {
    let (shop, bot) = shop(&app, &["K-1", "K-2"]).await;
    let c = PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    let made = c.post("/reseller/dashboard/settings/keys", &[("label", "discord bot")]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let key = shown_key(&made.body);
    let (status, body) = get(&app, "myavailable", &[("api_token", &key)]).await;
    assert_eq!((status, body["ok"].clone()), (200, json!(true)), "{body}");
    // The list shows the key (not its secret) next to the seller's.
    let list = c.get("/reseller/dashboard/settings").await;
    assert!(list.body.contains("discord bot") && !list.body.contains(&key), "{}", list.body);
    // The audit trail names the reseller.
    let audited = app.store().list_audit(Some(shop.seller_id), licensd::store::Page::new(50, 1)).await.unwrap();
    let actors: Vec<_> = audited.iter().filter(|e| e.action == "reseller.key.create").map(|e| &e.actor).collect();
    assert_eq!(actors, [&format!("reseller:{}", bot.reseller_id)]);

    let key_id = app.store().list_reseller_keys(bot.reseller_id).await.unwrap().last().unwrap().id;
    let confirm = c.get(&format!("/reseller/dashboard/settings/keys/{key_id}/revoke")).await;
    assert!(confirm.status == 200 && confirm.body.contains("cannot be undone"), "{}", confirm.body);
    let revoked = c.post(&format!("/reseller/dashboard/settings/keys/{key_id}/revoke"), &[]).await;
    assert_eq!((revoked.status, revoked.location.as_str()), (303, "/reseller/dashboard/settings?done=revoked"));
    assert_error(&get(&app, "myavailable", &[("api_token", &key)]).await, 401, "Invalid API token");
    // The other key is untouched.
    assert_eq!(get(&app, "myavailable", &[("api_token", &bot.token)]).await.0, 200);
}

async fn dashboard_stock_and_assignments(app: TestApp) {
    let (shop, bot) = shop(&app, &["K-1", "K-2", "K-3"]).await;
    // Another reseller's stock and assignments are not this one's.
    let other = shop.reseller(app.store(), "other").await;
    shop.stock(&other, &["O-1"]).await;
    for (b, key, user) in [(&bot, "K-2", "111111111111111111"), (&other, "O-1", "999999999999999999")] {
        let (status, body) =
            get(&app, "assignlicense", &[("api_token", &b.token), ("license", key), ("discord_user_id", user)]).await;
        assert_eq!(status, 200, "{body}");
    }
    let c = PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    let stock = c.get("/reseller/dashboard/").await;
    let row = "<td>app</td><td>lifetime</td><td>2</td><td>1</td><td>3</td>";
    assert!(stock.body.contains(row), "available 2, assigned 1, 3 in stock: {}", stock.body);
    let all = c.get("/reseller/dashboard/assignments").await;
    assert!(all.body.contains("K-2") && all.body.contains("111111111111111111"), "{}", all.body);
    assert!(!all.body.contains("O-1") && !all.body.contains("999999999999999999") && !all.body.contains("K-1"));
    let found = c.get("/reseller/dashboard/assignments?search=11111").await;
    assert!(found.body.contains("K-2") && found.body.contains("(1 in all)"), "{}", found.body);
    let none = c.get("/reseller/dashboard/assignments?search=O-1").await;
    assert!(none.body.contains("No assignments match.") && none.body.contains("(0 in all)"));
}

async fn dashboard_forms_refuse_bad_input(app: TestApp) {
    let (shop, bot) = shop(&app, &["K-1"]).await;
    let other = shop.reseller(app.store(), "other").await;
    let c = PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    let keys = "SELECT COUNT(*) FROM reseller_keys";
    let before = count(&app, keys).await;
    // No CSRF token, a wrong one: refused before the handler runs.
    for fields in [&[("label", "x")][..], &[("csrf", "forged"), ("label", "x")]] {
        let refused = c.post_raw("/reseller/dashboard/settings/keys", fields).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert!(refused.body.contains("no valid security token"), "{}", refused.body);
    }
    let too_long = "x".repeat(101);
    let refused = c.post("/reseller/dashboard/settings/keys", &[("label", &too_long)]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("label"), "names the field: {}", refused.body);
    assert_eq!(count(&app, keys).await, before, "nothing stored");

    // Another reseller's key, a missing one, one that is no number: no such key, still working.
    for path in [format!("{}", other.key_id), "999999".into(), "abc".into()] {
        for answer in [
            c.get(&format!("/reseller/dashboard/settings/keys/{path}/revoke")).await,
            c.post(&format!("/reseller/dashboard/settings/keys/{path}/revoke"), &[]).await,
        ] {
            assert_eq!(answer.status, 404, "{path}: {}", answer.body);
        }
    }
    assert_eq!(get(&app, "myavailable", &[("api_token", &other.token)]).await.0, 200);
    // Revoking twice: the second finds no such (active) key.
    let path = format!("/reseller/dashboard/settings/keys/{}/revoke", bot.key_id);
    assert_eq!(c.post(&path, &[]).await.status, 303);
    assert_eq!(c.post(&path, &[]).await.status, 404);
    // Bad list input is a page with a 422, not a framework rejection.
    for path in ["/reseller/dashboard/assignments?page=abc", "/reseller/dashboard/assignments?page=0"] {
        let answer = c.get(path).await;
        assert_eq!(answer.status, 422, "{path}: {}", answer.body);
        assert!(answer.body.contains("page"), "{}", answer.body);
    }
    let long_search = format!("/reseller/dashboard/assignments?search={}", "x".repeat(201));
    assert_eq!(c.get(&long_search).await.status, 422);
    let revokes = "SELECT COUNT(*) FROM reseller_keys WHERE revoked_at IS NOT NULL";
    assert_eq!(count(&app, revokes).await, 1, "only the one revoked on purpose");
}

async fn dashboard_sign_in_limits(app: TestApp) {
    shop(&app, &[]).await;
    PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    for _ in 0..3 {
        assert_eq!(sign_in_answer_at(&app, DASH, "bot@example.com", "wrong password!", "").await.status, 401);
    }
    let refused = sign_in_answer_at(&app, DASH, "bot@example.com", PASSWORD, "").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(refused.body.contains("Too many failed sign-ins"));
}

async fn dashboard_idle_sessions_end(app: TestApp) {
    shop(&app, &[]).await;
    let c = PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let page = c.get("/reseller/dashboard/").await;
    assert_eq!((page.status, page.location.as_str()), (303, "/reseller/dashboard/signin"), "idle for longer than 1 s");
}

async fn dashboard_sign_in_set_through_the_admin_api(app: TestApp) {
    let f = app.seller("acme").await;
    let t = &f.admin_token;
    let mut ids = Vec::new();
    for name in ["bot", "other"] {
        let (status, r) = call(&app, "POST", "/admin/v1/resellers", t, Some(json!({"name": name}))).await;
        assert_eq!(status, 201, "{r}");
        ids.push(r["data"]["id"].as_i64().unwrap());
    }
    let login = |id: i64| format!("/admin/v1/resellers/{id}/login");
    let logins = "SELECT COUNT(*) FROM reseller_accounts";
    // Bad input names the field and stores nothing.
    for (body, field) in [
        (json!({"email": "bot@example.com", "password": "short"}), "password"),
        (json!({"email": "not an address", "password": PASSWORD}), "email"),
        (json!({"email": "bot@example.com", "password": "x".repeat(201)}), "password"),
    ] {
        let (status, e) = call(&app, "PUT", &login(ids[0]), t, Some(body)).await;
        assert_eq!((status, e["error"]["field"].as_str()), (422, Some(field)), "{e}");
    }
    let (status, e) = call(&app, "PUT", &login(ids[0]), t, Some(json!({"email": "bot@example.com"}))).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(count(&app, logins).await, 0);

    let body = json!({"email": "Bot@Example.com", "password": PASSWORD});
    let (status, set) = call(&app, "PUT", &login(ids[0]), t, Some(body.clone())).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(
        set["data"],
        json!({"reseller_id": ids[0], "email": "bot@example.com", "created_at": set["data"]["created_at"]})
    );
    // One email signs in to one reseller only.
    let (status, e) = call(&app, "PUT", &login(ids[1]), t, Some(body)).await;
    assert_eq!((status, e["error"]["field"].as_str()), (409, Some("email")), "{e}");
    assert_eq!(count(&app, logins).await, 1);

    let c = PanelClient::sign_in_at(&app, DASH, "bot@example.com", "").await;
    let (status, _) = call(&app, "DELETE", &login(ids[0]), t, None).await;
    assert_eq!(status, 204);
    assert_eq!(c.get("/reseller/dashboard/").await.status, 303, "its session ended");
    assert_eq!(sign_in_answer_at(&app, DASH, "bot@example.com", PASSWORD, "").await.status, 401);
    assert_eq!(call(&app, "DELETE", &login(ids[0]), t, None).await.0, 404);
}
