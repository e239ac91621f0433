//! The seller panel over plain HTTP: sign-in (password, TOTP, brute-force limits), the session
//! cookie and its expiry, the security headers, CSRF tokens, roles, and every form's bad input
//! (a page naming the error with a 4xx, and nothing stored).

use crate::adminkit::{app_with_plan, generate};
use crate::engine_tests;
use crate::harness::TestApp;
use crate::panelkit::{PASSWORD, PanelClient, account, set_cookie, sign_in_answer};
use licensd::config::Config;
use licensd::domain::ids::{AppId, LicenseId, SellerId};
use licensd::domain::{time::now_ms, totp};
use licensd::manage::{Scope, panel};
use serde_json::json;

engine_tests!(
    panel_sign_in_cookie_and_headers,
    panel_totp_codes_sign_in_once,
    panel_csrf_token_is_required,
    panel_roles,
    panel_forms_refuse_bad_input,
    panel_webhooks_show_their_secret_once_and_redeliver,
    panel_licenses_go_out_and_in_as_csv,
);
engine_tests!(config = tight_limits; panel_sign_in_limits, panel_idle_sessions_end);

fn tight_limits(config: &mut Config) {
    config.panel_login_failures_per_ip_per_min = 3;
    config.panel_session_idle_secs = 1;
}

/// A seller with an app, a plan and `n` keys; `(seller id, admin token, app id, plan id, keys)`.
async fn seller_with_keys(app: &TestApp, n: i64) -> (SellerId, String, i64, i64, Vec<String>) {
    let f = app.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(app, &f.admin_token, "MyApp", Some(30 * 86_400)).await;
    let keys = generate(app, &f.admin_token, json!({"app_id": app_id, "plan_id": plan_id, "count": n})).await;
    (f.seller.id, f.admin_token, app_id, plan_id, keys)
}

async fn license_id(app: &TestApp, seller: SellerId, key: &str) -> i64 {
    app.store().license_by_key(seller, key).await.unwrap().id.get()
}

async fn panel_sign_in_cookie_and_headers(app: TestApp) {
    let (seller, ..) = seller_with_keys(&app, 1).await;
    account(&app, seller, "Owner@Example.com", "owner").await;
    // Without a session every page sends the browser to the sign-in form.
    let anon = crate::panelkit::sign_in_answer(&app, "owner@example.com", "wrong password!", "").await;
    assert_eq!(anon.status, 401);
    assert!(anon.body.contains("Wrong email, password or authenticator code."), "{}", anon.body);
    let unknown = sign_in_answer(&app, "nobody@example.com", PASSWORD, "").await;
    assert_eq!((unknown.status, unknown.body.contains("Wrong email")), (401, true));

    let ok = sign_in_answer(&app, "OWNER@example.com", PASSWORD, "").await;
    assert_eq!((ok.status, ok.location.as_str()), (303, "/panel/"));
    let line = set_cookie(&ok.headers, "licensd_panel").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/panel/;"] {
        assert!(line.contains(attr), "{line}");
    }
    assert!(!line.contains("Secure"), "no TLS here: {line}");
    let value = &line.split(';').next().unwrap()["licensd_panel=".len()..];
    // The database holds the digest, never the cookie.
    let digest = licensd::domain::secret::hash_secret(value);
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url).await.unwrap();
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM panel_sessions").fetch_all(&mut db).await.unwrap();
    assert_eq!(stored, vec![(digest,)]);

    let c = PanelClient::sign_in(&app, "owner@example.com", "").await;
    let page = c.get("/panel/licenses").await;
    assert_eq!(page.status, 200);
    let h = |name: &str| page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(h("content-security-policy").contains("default-src 'self'"), "{}", h("content-security-policy"));
    assert!(h("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("referrer-policy"), "same-origin");
    assert!(!page.body.contains("<script") && !page.body.contains("style="), "no inline script or style");
    // The stylesheet: content-hashed name, cached for a year; another name is not served.
    let css = page.body.split("href=\"/panel/assets/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let res = app.http.get(app.url(&format!("/panel/assets/{css}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("max-age=31536000"));
    assert!(res.text().await.unwrap().contains("prefers-color-scheme: dark"));
    assert_eq!(app.http.get(app.url("/panel/assets/panel-0000.css")).send().await.unwrap().status(), 404);

    // Signing out ends the session on the server: the old cookie no longer works.
    let out = c.post("/panel/signout", &[]).await;
    assert_eq!((out.status, out.location.as_str()), (303, "/panel/signin"));
    let after = c.get("/panel/").await;
    assert_eq!((after.status, after.location.as_str()), (303, "/panel/signin"));
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(50, 1)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "panel.signin" && e.actor.starts_with("panel:")), "{audit:?}");
}

async fn panel_totp_codes_sign_in_once(app: TestApp) {
    let (seller, ..) = seller_with_keys(&app, 1).await;
    let id = account(&app, seller, "owner@example.com", "owner").await;
    let uri = panel::enrol_totp(app.store(), &Scope::cli().tenant(Some(seller)).unwrap(), id).await.unwrap();
    let secret = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    assert_eq!(sign_in_answer(&app, "owner@example.com", PASSWORD, "").await.status, 401, "the code is needed");
    assert_eq!(sign_in_answer(&app, "owner@example.com", PASSWORD, "000000").await.status, 401);
    let code = totp::code_at(&secret, (now_ms() / 1000) as u64).unwrap();
    PanelClient::sign_in(&app, "owner@example.com", &code).await;
    // The same code a second time (someone who saw it) does not sign in.
    assert_eq!(sign_in_answer(&app, "owner@example.com", PASSWORD, &code).await.status, 401);
}

async fn panel_sign_in_limits(app: TestApp) {
    let (seller, ..) = seller_with_keys(&app, 1).await;
    account(&app, seller, "owner@example.com", "owner").await;
    // A success does not use up the budget.
    PanelClient::sign_in(&app, "owner@example.com", "").await;
    for _ in 0..3 {
        assert_eq!(sign_in_answer(&app, "owner@example.com", "wrong password!", "").await.status, 401);
    }
    // The fourth attempt of the minute is refused before the password is checked.
    let refused = sign_in_answer(&app, "owner@example.com", PASSWORD, "").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(refused.body.contains("Too many failed sign-ins"));
}

async fn panel_idle_sessions_end(app: TestApp) {
    let (seller, ..) = seller_with_keys(&app, 1).await;
    account(&app, seller, "owner@example.com", "owner").await;
    let c = PanelClient::sign_in(&app, "owner@example.com", "").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let page = c.get("/panel/").await;
    assert_eq!((page.status, page.location.as_str()), (303, "/panel/signin"), "idle for longer than 1 s");
}

async fn panel_csrf_token_is_required(app: TestApp) {
    let (seller, _, _, _, keys) = seller_with_keys(&app, 1).await;
    account(&app, seller, "owner@example.com", "owner").await;
    let c = PanelClient::sign_in(&app, "owner@example.com", "").await;
    let id = license_id(&app, seller, &keys[0]).await;
    let path = format!("/panel/licenses/{id}/ban");
    for fields in [vec![("reason", "r")], vec![("reason", "r"), ("csrf", "not-the-token")], vec![("csrf", "")]] {
        let page = c.post_raw(&path, &fields).await;
        assert_eq!(page.status, 403, "{fields:?}: {}", page.body);
        assert!(page.body.contains("security token"), "{}", page.body);
    }
    assert!(app.store().license(seller, LicenseId(id)).await.unwrap().banned_reason.is_none(), "nothing changed");
    // Another session's token is no good either.
    let other = PanelClient::sign_in(&app, "owner@example.com", "").await;
    assert_ne!(other.csrf, c.csrf);
    assert_eq!(c.post_raw(&path, &[("reason", "r"), ("csrf", &other.csrf)]).await.status, 403);
    // The sign-in form needs its own token (cookie and field alike).
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/panel/signin"))
        .form(&[("email", "owner@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // With the token the same POST works.
    let done = c.post(&path, &[("reason", "chargeback")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(app.store().license(seller, LicenseId(id)).await.unwrap().banned_reason.as_deref(), Some("chargeback"));
}

async fn panel_roles(app: TestApp) {
    let (seller, _, app_id, _, keys) = seller_with_keys(&app, 3).await;
    account(&app, seller, "ro@example.com", "readonly").await;
    account(&app, seller, "help@example.com", "support").await;
    account(&app, seller, "boss@example.com", "owner").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let id = license_id(&app, seller, &keys[0]).await;
    let ban = format!("/panel/licenses/{id}/ban");
    let delete = format!("/panel/licenses/{id}/delete");
    // Readonly looks at everything and changes nothing.
    for path in
        ["/panel/", "/panel/licenses", "/panel/users", "/panel/audit", "/panel/apps", &format!("/panel/apps/{app_id}")]
    {
        assert_eq!(ro.get(path).await.status, 200, "{path}");
    }
    for (path, fields) in [
        (ban.as_str(), vec![("reason", "r")]),
        (&delete, vec![]),
        ("/panel/licenses/generate", vec![("plan", "1:1"), ("count", "1")]),
        (&format!("/panel/apps/{app_id}"), vec![("name", "x"), ("version", "1")]),
    ] {
        assert_eq!(ro.post(path, &fields).await.status, 403, "readonly POST {path}");
    }
    assert!(app.store().license(seller, LicenseId(id)).await.unwrap().banned_reason.is_none());
    // Support bans, but neither deletes, generates nor changes settings; its pages offer none.
    assert!(!support.get("/panel/licenses").await.body.contains("Delete…"));
    assert_eq!(support.post(&ban, &[("reason", "r")]).await.status, 303);
    assert_eq!(support.post(&delete, &[]).await.status, 403);
    assert_eq!(support.post("/panel/licenses/generate", &[("plan", "1:1"), ("count", "1")]).await.status, 403);
    assert_eq!(support.post(&format!("/panel/apps/{app_id}"), &[("name", "x"), ("version", "1")]).await.status, 403);
    assert!(app.store().license(seller, LicenseId(id)).await.is_ok(), "not deleted");
    // The owner deletes after a confirmation page.
    let confirm = owner.get(&delete).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Yes, delete it") && confirm.body.contains(&keys[0]));
    assert!(app.store().license(seller, LicenseId(id)).await.is_ok(), "the GET deletes nothing");
    let done = owner.post(&delete, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/panel/licenses?done=deleted"));
    assert!(app.store().license(seller, LicenseId(id)).await.is_err());
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(50, 1)).await.unwrap();
    let who = |action: &str| audit.iter().find(|e| e.action == action).map(|e| e.actor.clone()).unwrap();
    assert!(who("license.ban").starts_with("panel:") && who("license.delete").starts_with("panel:"));
    assert_ne!(who("license.ban"), who("license.delete"), "each change names the account that made it");
}

/// A POST of a form: path, fields, expected status, a text the page must show.
type FormCase<'s> = (String, Vec<(&'s str, &'s str)>, u16, &'s str);

async fn panel_forms_refuse_bad_input(app: TestApp) {
    let (seller, _, app_id, plan_id, keys) = seller_with_keys(&app, 1).await;
    account(&app, seller, "owner@example.com", "owner").await;
    let c = PanelClient::sign_in(&app, "owner@example.com", "").await;
    let id = license_id(&app, seller, &keys[0]).await;
    let c_ = crate::client_support::ClientFixture::existing(&app, seller, AppId(app_id)).await;
    let s = c_.init().await;
    c_.call(Some(&s), "license", &[("key", &keys[0]), ("hwid", "HW-1")]).await.assert_ok("Logged in!");
    let user = app.store().user_by_ref(AppId(app_id), &keys[0]).await.unwrap().id;
    let before = app.store().list_audit(Some(seller), licensd::store::Page::new(500, 1)).await.unwrap().len();
    let plan = format!("{app_id}:{plan_id}");
    let long = "x".repeat(501);
    let missing_plan = format!("{app_id}:999999");
    let cases: Vec<FormCase> = vec![
        (format!("/panel/licenses/{id}/ban"), vec![], 422, "reason: is required"),
        (format!("/panel/licenses/{id}/ban"), vec![("reason", &long)], 422, "reason: must be at most 500"),
        ("/panel/licenses/generate".into(), vec![("plan", &plan), ("count", "0")], 422, "count: must be from 1"),
        ("/panel/licenses/generate".into(), vec![("plan", &plan), ("count", "100001")], 422, "count: must be from 1"),
        (
            "/panel/licenses/generate".into(),
            vec![("plan", &plan), ("count", "many")],
            422,
            "count: must be a whole number",
        ),
        ("/panel/licenses/generate".into(), vec![("plan", &plan)], 422, "count: is required"),
        ("/panel/licenses/generate".into(), vec![("plan", "nope"), ("count", "1")], 422, "plan: must be one of"),
        ("/panel/licenses/generate".into(), vec![("plan", &missing_plan), ("count", "1")], 404, "No such plan"),
        (format!("/panel/apps/{app_id}"), vec![("name", ""), ("version", "1")], 422, "name: is required"),
        (
            format!("/panel/apps/{app_id}"),
            vec![("name", "n"), ("version", "1"), ("session_ttl_secs", "soon")],
            422,
            "session_ttl_secs: must be a whole number",
        ),
        (
            format!("/panel/apps/{app_id}"),
            vec![("name", "n"), ("version", "1"), ("download_url", "ftp://x")],
            422,
            "download_url",
        ),
        (
            format!("/panel/apps/{app_id}/users/{user}/extend"),
            vec![("duration", "forever")],
            422,
            "duration: must look like",
        ),
        (format!("/panel/apps/{app_id}/users/{user}/extend"), vec![], 422, "duration: is required"),
        (format!("/panel/apps/{app_id}/users/{user}/ban"), vec![], 422, "reason: is required"),
        ("/panel/licenses/abc/ban".into(), vec![("reason", "r")], 404, "No such page"),
        (format!("/panel/apps/{app_id}/users/{user}x/reset-hwid"), vec![], 404, "No such page"),
    ];
    for (path, fields, status, message) in &cases {
        let page = c.post(path, fields).await;
        assert_eq!(page.status, *status, "POST {path} {fields:?}: {}", page.body);
        assert!(page.body.contains(message), "POST {path} {fields:?} should say {message:?}: {}", page.body);
    }
    for (path, status, message) in [
        ("/panel/licenses?state=lost", 422, "state: must be used"),
        ("/panel/licenses?page=0", 422, "page: must be"),
        ("/panel/licenses?page=two", 422, "page: must be a whole number"),
        ("/panel/audit?page=-1", 422, "page: must be"),
        ("/panel/users?app=x", 422, "app: must be a whole number"),
        ("/panel/users?app=999999", 404, "No such app"),
        ("/panel/apps/999999", 404, "No such app"),
        ("/panel/nothing-here", 404, "no such page"),
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, status, "GET {path}: {}", page.body);
        assert!(page.body.contains(message), "GET {path} should say {message:?}: {}", page.body);
    }
    // Nothing was stored: no new audit row, no new key, the app and the user as they were.
    let after = app.store().list_audit(Some(seller), licensd::store::Page::new(500, 1)).await.unwrap().len();
    assert_eq!(after, before);
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM licenses").fetch_one(&mut db).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(app.store().app(seller, AppId(app_id)).await.unwrap().name, "MyApp");
    assert_eq!(app.store().user_hwids(user).await.unwrap(), vec!["HW-1".to_owned()]);
}

/// Webhooks in the panel: an owner adds an endpoint and sees its secret once, the list shows the
/// host only (a Discord URL is a credential), the endpoint is switched off, its delivery log
/// shows a delivery and support sends it again; readonly may do none of it; bad input changes
/// nothing.
async fn panel_webhooks_show_their_secret_once_and_redeliver(app: TestApp) {
    let (seller, token, app_id, plan_id, _) = seller_with_keys(&app, 1).await;
    account(&app, seller, "boss@example.com", "owner").await;
    account(&app, seller, "help@example.com", "support").await;
    account(&app, seller, "ro@example.com", "readonly").await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let url = "https://discord.com/api/webhooks/123/SECRET-TOKEN-PART";
    // The secret is shown only to whoever gives the account's password again.
    for password in ["", "wrong password"] {
        let fields = [("url", url), ("events", "license.*"), ("password", password)];
        let refused = owner.post("/panel/webhooks", &fields).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("password: is not your password"), "{}", refused.body);
    }
    assert!(app.store().list_endpoints(seller).await.unwrap().is_empty());
    let fields = [("url", url), ("events", "license.*"), ("format", "discord"), ("password", PASSWORD)];
    let made = owner.post("/panel/webhooks", &fields).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let shown = made.body.split("id=\"secret\"").nth(1).unwrap_or_default();
    let secret = shown.split("value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned();
    assert!(secret.starts_with("whsec_"), "{}", made.body);
    let list = owner.get("/panel/webhooks").await;
    assert!(list.body.contains("discord.com") && list.body.contains("license.*"), "{}", list.body);
    assert!(!list.body.contains("SECRET-TOKEN-PART") && !list.body.contains(&secret), "no URL path, no secret");
    let endpoint = app.store().list_endpoints(seller).await.unwrap().remove(0);
    assert_eq!(endpoint.format.as_str(), "discord");

    // A key made: its event becomes a delivery (the worker cannot reach discord.com from here:
    // it stays pending), which the log shows.
    generate(&app, &token, json!({"app_id": app_id, "plan_id": plan_id, "count": 1})).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.store().list_deliveries(endpoint.id, None, licensd::store::Page::new(10, 1)).await.unwrap().1 == 0 {
        assert!(std::time::Instant::now() < deadline, "no delivery was made");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log = owner.get(&format!("/panel/webhooks/{}", endpoint.id)).await;
    assert!(log.status == 200 && log.body.contains("license.created"), "{}", log.body);
    let off = owner.post(&format!("/panel/webhooks/{}/enabled", endpoint.id), &[("enabled", "0")]).await;
    assert_eq!((off.status, off.location.as_str()), (303, "/panel/webhooks?done=saved"));
    assert!(!app.store().endpoint(seller, endpoint.id).await.unwrap().enabled);
    assert!(owner.get("/panel/webhooks").await.body.contains("Switch on"));
    // A failed delivery (the endpoint is off, so the worker leaves it alone) is made due again.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE webhook_deliveries SET state = 'failed', attempts = 8 WHERE endpoint_id = $1")
        .bind(endpoint.id)
        .execute(&pool)
        .await
        .unwrap();
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let again = support.post(&format!("/panel/webhooks/{}/redeliver-failed", endpoint.id), &[]).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let (deliveries, _) =
        app.store().list_deliveries(endpoint.id, None, licensd::store::Page::new(10, 1)).await.unwrap();
    assert!(deliveries.iter().all(|d| d.state == "pending" && d.attempts == 0), "{deliveries:?}");
    assert_eq!(support.post("/panel/webhooks", &[("url", url), ("events", "*")]).await.status, 403);

    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;
    assert_eq!(ro.get(&format!("/panel/webhooks/{}", endpoint.id)).await.status, 200);
    for (path, fields) in [
        ("/panel/webhooks".to_owned(), vec![("url", url), ("events", "*")]),
        (format!("/panel/webhooks/{}/enabled", endpoint.id), vec![("enabled", "1")]),
        (format!("/panel/webhooks/{}/redeliver-failed", endpoint.id), vec![]),
    ] {
        assert_eq!(ro.post(&path, &fields).await.status, 403, "readonly POST {path}");
    }
    // Bad input: a page naming the field, and no second endpoint.
    for (fields, names) in [
        (vec![("url", "not a url"), ("events", "*"), ("password", PASSWORD)], "url"),
        (vec![("url", url), ("events", "licence.*"), ("password", PASSWORD)], "events"),
        (vec![("url", url), ("events", "*"), ("format", "slack"), ("password", PASSWORD)], "format"),
    ] {
        let refused = owner.post("/panel/webhooks", &fields).await;
        assert_eq!(refused.status, 422, "{fields:?}: {}", refused.body);
        assert!(refused.body.contains(names), "{}", refused.body);
    }
    assert_eq!(app.store().list_endpoints(seller).await.unwrap().len(), 1);
    assert_eq!(owner.get("/panel/webhooks/999999").await.status, 404);
}

/// Licenses as CSV: the export holds the list's licenses under its filter and no other seller's;
/// an owner's pasted CSV imports new keys for the chosen plan and names the keys already there,
/// and an export imports again as duplicates only; bad CSV, a missing field and another seller's
/// plan store nothing; readonly may export but not import.
async fn panel_licenses_go_out_and_in_as_csv(app: TestApp) {
    let (seller, _, app_id, plan_id, keys) = seller_with_keys(&app, 2).await;
    let other = app.seller("globex").await;
    let (their_app, their_plan) = app_with_plan(&app, &other.admin_token, "TheirApp", None).await;
    let theirs =
        generate(&app, &other.admin_token, json!({"app_id": their_app, "plan_id": their_plan, "count": 1})).await;
    account(&app, seller, "owner@example.com", "owner").await;
    account(&app, seller, "viewer@example.com", "readonly").await;
    let c = PanelClient::sign_in(&app, "owner@example.com", "").await;
    let banned_id = license_id(&app, seller, &keys[0]).await;
    assert_eq!(c.post(&format!("/panel/licenses/{banned_id}/ban"), &[("reason", "chargeback")]).await.status, 303);

    let all = c.get("/panel/licenses/export.csv").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.headers["content-type"], "text/csv; charset=utf-8");
    assert!(all.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let lines: Vec<&str> = all.body.lines().collect();
    assert!(lines[0].starts_with("key,app,plan,"), "{}", all.body);
    assert_eq!(lines.len(), 3, "{}", all.body);
    assert!(keys.iter().all(|k| all.body.contains(k.as_str())) && !all.body.contains(&theirs[0]), "{}", all.body);
    let banned = c.get("/panel/licenses/export.csv?state=banned").await;
    assert!(banned.body.contains(&keys[0]) && !banned.body.contains(&keys[1]), "{}", banned.body);
    let list = c.get("/panel/licenses?state=banned").await;
    assert!(list.body.contains("/panel/licenses/export.csv?search=&amp;state=banned"), "{}", list.body);

    let plan = format!("{app_id}:{plan_id}");
    let csv = format!("key,note\nMOVED-0001,from the old server\nMOVED-0002,from the old server\n{},again\n", keys[1]);
    let imported = c.post("/panel/licenses/import", &[("plan", &plan), ("csv", &csv)]).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(imported.body.contains("Imported 2 keys; 1 were there already"), "{}", imported.body);
    assert!(imported.body.contains(&keys[1]), "{}", imported.body);
    let moved = app.store().license_by_key(seller, "MOVED-0001").await.unwrap();
    assert_eq!(
        (moved.app_id.get(), moved.plan_id.get(), moved.note.as_str()),
        (app_id, plan_id, "from the old server")
    );
    let again = c.post("/panel/licenses/import", &[("plan", &plan), ("csv", &all.body)]).await;
    assert!(again.body.contains("Imported 0 keys; 2 were there already"), "{}", again.body);

    let count = async || {
        let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM licenses").fetch_one(&mut db).await.unwrap();
        n
    };
    let before = count().await;
    let theirs_plan = format!("{their_app}:{their_plan}");
    let cases: Vec<FormCase> = vec![
        ("/panel/licenses/import".into(), vec![("plan", &plan), ("csv", "note\nno key column\n")], 422, "record 1"),
        ("/panel/licenses/import".into(), vec![("plan", &plan)], 422, "csv: is required"),
        ("/panel/licenses/import".into(), vec![("plan", "x"), ("csv", "key\nBAD-0001\n")], 422, "plan: must be one of"),
        ("/panel/licenses/import".into(), vec![("plan", &theirs_plan), ("csv", "key\nBAD-0002\n")], 404, "No such app"),
    ];
    for (path, fields, status, message) in &cases {
        let page = c.post(path, fields).await;
        assert_eq!(page.status, *status, "POST {path} {fields:?}: {}", page.body);
        assert!(page.body.contains(message), "POST {path} {fields:?} should say {message:?}: {}", page.body);
    }
    let viewer = PanelClient::sign_in(&app, "viewer@example.com", "").await;
    assert_eq!(viewer.get("/panel/licenses/export.csv").await.status, 200);
    let refused = viewer.post("/panel/licenses/import", &[("plan", &plan), ("csv", "key\nBAD-0003\n")]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(count().await, before, "a refused import stored a key");
}
