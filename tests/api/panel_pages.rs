//! The seller panel's plans, API tokens, variables, blacklist and resellers pages over plain HTTP: each list shows what the admin
//! API made, an owner's changes are what the admin API then answers, readonly and support change
//! nothing, bad input and other sellers' ids answer 4xx and store nothing, and a token's secret
//! is shown on the page answering its creation and on no later one.

use crate::adminkit::{app_with_plan, call, generate};
use crate::engine_tests;
use crate::harness::TestApp;
use crate::panelkit::{PASSWORD, PanelClient, account};
use licensd::domain::ids::SellerId;
use serde_json::{Value, json};

engine_tests!(
    panel_plans_list_create_delete,
    panel_plans_refuse_bad_input,
    panel_tokens_show_their_secret_once,
    panel_variables_set_and_delete,
    panel_blacklist_add_and_remove,
    panel_resellers_get_stock_and_keys,
    panel_checks_licenses_out_as_offline_files,
    panel_deletes_keys_in_bulk_after_the_password,
    panel_rotates_an_app_secret_behind_the_password,
    panel_adds_time_to_unused_keys,
    panel_rewords_an_apps_messages,
    panel_shows_a_large_batch_growing,
    panel_extends_a_license,
);

/// A seller with an app and its plan `standard`, and an owner, a support and a readonly account
/// (signed in in that order); `(seller, admin token, app id, plan id)`.
async fn seller(app: &TestApp) -> (SellerId, String, i64, i64) {
    let f = app.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(app, &f.admin_token, "MyApp", Some(30 * 86_400)).await;
    account(app, f.seller.id, "boss@example.com", "owner").await;
    account(app, f.seller.id, "help@example.com", "support").await;
    account(app, f.seller.id, "ro@example.com", "readonly").await;
    (f.seller.id, f.admin_token, app_id, plan_id)
}

async fn plans_of(app: &TestApp, token: &str, app_id: i64) -> Vec<Value> {
    let (s, body) = call(app, "GET", &format!("/admin/v1/apps/{app_id}/plans"), token, None).await;
    assert_eq!(s, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

async fn audit_len(app: &TestApp, seller: SellerId) -> usize {
    app.store().list_audit(Some(seller), licensd::store::Page::new(500, 1)).await.unwrap().len()
}

async fn panel_plans_list_create_delete(app: TestApp) {
    let (seller, token, app_id, plan_id) = seller(&app).await;
    let (s, made) = call(
        &app,
        "POST",
        &format!("/admin/v1/apps/{app_id}/plans"),
        &token,
        Some(json!({"name": "gold", "level": 5})),
    )
    .await;
    assert_eq!(s, 201, "{made}");
    let gold = made["data"]["id"].as_i64().unwrap();
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;

    // The list shows what the admin API made, with level and duration, for every role.
    let list = ro.get(&format!("/panel/plans?app={app_id}")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    for text in ["standard", "30 days", "gold", "lifetime", "<td>5</td>"] {
        assert!(list.body.contains(text), "{text}: {}", list.body);
    }
    assert!(!list.body.contains("Add a plan") && !list.body.contains("Delete…"), "readonly is offered no change");
    assert!(owner.get("/panel/plans").await.body.contains("gold"), "the first app without ?app=");

    // The owner adds one; the admin API then lists it.
    let added = owner
        .post("/panel/plans", &[("app", &app_id.to_string()), ("name", "trial"), ("level", "2"), ("duration", "7d")])
        .await;
    assert_eq!(
        (added.status, added.location.as_str()),
        (303, format!("/panel/plans?app={app_id}&done=saved").as_str()),
        "{}",
        added.body
    );
    let plans = plans_of(&app, &token, app_id).await;
    let trial = plans.iter().find(|p| p["name"] == "trial").expect("the new plan");
    assert_eq!((trial["level"].as_i64(), trial["duration_secs"].as_i64()), (Some(2), Some(7 * 86_400)));
    let trial_id = trial["id"].as_i64().unwrap();

    // Readonly and support may neither add nor delete.
    let delete = format!("/panel/apps/{app_id}/plans/{trial_id}/delete");
    for c in [&ro, &support] {
        let p = c.post("/panel/plans", &[("app", &app_id.to_string()), ("name", "x"), ("level", "9")]).await;
        assert_eq!(p.status, 403, "{}", p.body);
        assert_eq!(c.post(&delete, &[]).await.status, 403);
    }
    assert_eq!(plans_of(&app, &token, app_id).await.len(), 3);

    // Deleting asks first; the GET deletes nothing.
    let confirm = owner.get(&delete).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("Yes, delete it") && confirm.body.contains("trial"), "{}", confirm.body);
    assert_eq!(plans_of(&app, &token, app_id).await.len(), 3);
    let done = owner.post(&delete, &[]).await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/panel/plans?app={app_id}&done=deleted").as_str())
    );
    let names: Vec<_> = plans_of(&app, &token, app_id).await.iter().map(|p| p["name"].clone()).collect();
    assert_eq!(names, vec![json!("standard"), json!("gold")]);
    // A plan keys use is not deleted: the page says why.
    generate(&app, &token, json!({"app_id": app_id, "plan_id": plan_id, "count": 1})).await;
    let refused = owner.post(&format!("/panel/apps/{app_id}/plans/{plan_id}/delete"), &[]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("licenses still use this plan"), "{}", refused.body);
    assert_eq!(plans_of(&app, &token, app_id).await.len(), 2);
    assert_eq!(owner.get(&format!("/panel/apps/{app_id}/plans/{gold}/delete")).await.status, 200);

    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(50, 1)).await.unwrap();
    for action in ["plan.create", "plan.delete"] {
        assert!(audit.iter().any(|e| e.action == action && e.actor.starts_with("panel:")), "{action}: {audit:?}");
    }
}

/// A POST of a form: fields, expected status, a text the page must show.
type Case<'s> = (Vec<(&'s str, &'s str)>, u16, &'s str);

async fn panel_plans_refuse_bad_input(app: TestApp) {
    let (seller, token, app_id, plan_id) = seller(&app).await;
    let other = app.seller("other").await;
    let (other_app, other_plan) = app_with_plan(&app, &other.admin_token, "Theirs", None).await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let before = audit_len(&app, seller).await;
    let a = app_id.to_string();
    let long = "x".repeat(101);
    let theirs = other_app.to_string();
    let cases: Vec<Case> = vec![
        (vec![("name", "n"), ("level", "3")], 422, "app: is required"),
        (vec![("app", &a), ("level", "3")], 422, "name: is required"),
        (vec![("app", &a), ("name", &long), ("level", "3")], 422, "name: must be at most 100"),
        (vec![("app", &a), ("name", "n")], 422, "level: is required"),
        (vec![("app", &a), ("name", "n"), ("level", "high")], 422, "level: must be a whole number"),
        (vec![("app", &a), ("name", "n"), ("level", "1000001")], 422, "level"),
        (vec![("app", &a), ("name", "n"), ("level", "99999999999999999999")], 422, "level: must be a whole number"),
        (vec![("app", &a), ("name", "n"), ("level", "3"), ("duration", "forever")], 422, "duration: must look like"),
        (vec![("app", &a), ("name", "n"), ("level", "3"), ("duration", "999999999y")], 422, "duration"),
        (vec![("app", &a), ("name", "standard"), ("level", "3")], 409, ""),
        (vec![("app", &a), ("name", "n"), ("level", "1")], 409, "already has a plan with this level"),
        (vec![("app", &theirs), ("name", "n"), ("level", "3")], 404, "No such app"),
        (vec![("app", "999999"), ("name", "n"), ("level", "3")], 404, "No such app"),
    ];
    for (fields, status, message) in &cases {
        let page = owner.post("/panel/plans", fields).await;
        assert_eq!(page.status, *status, "{fields:?}: {}", page.body);
        assert!(page.body.contains(message), "{fields:?} should say {message:?}: {}", page.body);
    }
    for (path, status) in [
        (format!("/panel/apps/{other_app}/plans/{other_plan}/delete"), 404),
        (format!("/panel/apps/{app_id}/plans/{other_plan}/delete"), 404),
        (format!("/panel/apps/{app_id}/plans/999999/delete"), 404),
        (format!("/panel/apps/{app_id}/plans/x/delete"), 404),
    ] {
        assert_eq!(owner.get(&path).await.status, status, "GET {path}");
        assert_eq!(owner.post(&path, &[]).await.status, status, "POST {path}");
    }
    for (path, status) in [
        (format!("/panel/plans?app={other_app}"), 404),
        ("/panel/plans?app=x".to_owned(), 422),
        (format!("/panel/plans?app={app_id}&page=0"), 422),
    ] {
        assert_eq!(owner.get(&path).await.status, status, "GET {path}");
    }
    assert_eq!(audit_len(&app, seller).await, before, "nothing was stored");
    assert_eq!(plans_of(&app, &token, app_id).await.len(), 1);
    assert_eq!(plans_of(&app, &other.admin_token, other_app).await.len(), 1);
    assert!(
        app.store()
            .list_plans(licensd::domain::ids::AppId(app_id))
            .await
            .unwrap()
            .iter()
            .any(|p| p.id.get() == plan_id)
    );
}

async fn tokens_of(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, body) = call(app, "GET", "/admin/v1/tokens?limit=500", token, None).await;
    assert_eq!(s, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

async fn panel_tokens_show_their_secret_once(app: TestApp) {
    let (seller, token, ..) = seller(&app).await;
    let other = app.seller("other").await;
    let (s, made) =
        call(&app, "POST", "/admin/v1/tokens", &token, Some(json!({"kind": "seller", "name": "from-the-api"}))).await;
    assert_eq!(s, 201, "{made}");
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;

    // The list: the seller's admin tokens by name, never a secret, not its store token.
    let list = ro.get("/panel/tokens").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("from-the-api"), "{}", list.body);
    assert!(!list.body.contains(made["token"].as_str().unwrap()) && !list.body.contains(&token));
    assert!(!list.body.contains(">store<"), "only admin tokens: {}", list.body);
    assert!(!list.body.contains("Create a token") && !list.body.contains("Revoke…"));

    // The owner creates one: its secret is on that page, and it works on the admin API.
    // Its secret is shown only to whoever gives the account's password again.
    for password in ["", "wrong password"] {
        let refused = owner.post("/panel/tokens", &[("name", "shop backend"), ("password", password)]).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("password: is not your password"), "{}", refused.body);
    }
    assert!(!tokens_of(&app, &token).await.iter().any(|t| t["name"] == "shop backend"));
    let created = owner.post("/panel/tokens", &[("name", "shop backend"), ("password", PASSWORD)]).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let shown = created.body.split("id=\"secret\"").nth(1).unwrap_or_default();
    let secret = shown.split("value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned();
    assert!(secret.len() >= 20, "{}", created.body);
    assert_eq!(call(&app, "GET", "/admin/v1/apps", &secret, None).await.0, 200, "the new token works");
    let all = tokens_of(&app, &token).await;
    let new = all.iter().find(|t| t["name"] == "shop backend").expect("listed by the admin API");
    assert_eq!(new["kind"], "seller");
    let id = new["id"].as_i64().unwrap();
    // ... and on no later page.
    for c in [&owner, &ro] {
        for path in ["/panel/tokens", "/panel/", &format!("/panel/tokens/{id}/revoke"), "/panel/audit"] {
            let page = c.get(path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert!(!page.body.contains(&secret), "the secret on {path}");
        }
    }

    // Readonly and support neither create nor revoke.
    let revoke = format!("/panel/tokens/{id}/revoke");
    for c in [&ro, &support] {
        assert_eq!(c.post("/panel/tokens", &[("name", "sneaky")]).await.status, 403);
        assert_eq!(c.post(&revoke, &[]).await.status, 403);
    }
    assert!(!tokens_of(&app, &token).await.iter().any(|t| t["name"] == "sneaky"));

    // Bad input stores nothing; other sellers' tokens, its own store token and unknown ids are
    // no admin token of this seller.
    let before = audit_len(&app, seller).await;
    let count = tokens_of(&app, &token).await.len();
    let long = "x".repeat(101);
    for (fields, status, message) in [
        (vec![], 422, "name: is required"),
        (vec![("name", "  ")], 422, "name: is required"),
        (vec![("name", long.as_str())], 422, "name: must be at most 100"),
    ] {
        let page = owner.post("/panel/tokens", &fields).await;
        assert_eq!(page.status, status, "{fields:?}: {}", page.body);
        assert!(page.body.contains(message), "{}", page.body);
    }
    let theirs = tokens_of(&app, &other.admin_token).await[0]["id"].as_i64().unwrap();
    let store_token =
        tokens_of(&app, &token).await.iter().find(|t| t["kind"] == "store").unwrap()["id"].as_i64().unwrap();
    for bad in [theirs.to_string(), store_token.to_string(), "999999".into(), "x".into()] {
        let path = format!("/panel/tokens/{bad}/revoke");
        assert_eq!(owner.get(&path).await.status, 404, "GET {path}");
        assert_eq!(owner.post(&path, &[]).await.status, 404, "POST {path}");
    }
    assert_eq!(call(&app, "GET", "/admin/v1/apps", &other.admin_token, None).await.0, 200, "theirs still works");
    assert_eq!(audit_len(&app, seller).await, before);
    assert_eq!(tokens_of(&app, &token).await.len(), count);

    // Revoking asks first; then the token is refused and shown as revoked, without a button.
    let confirm = owner.get(&revoke).await;
    assert!(confirm.body.contains("Yes, revoke it") && confirm.body.contains("shop backend"), "{}", confirm.body);
    assert_eq!(call(&app, "GET", "/admin/v1/apps", &secret, None).await.0, 200, "the GET revokes nothing");
    let done = owner.post(&revoke, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, "/panel/tokens?done=revoked"), "{}", done.body);
    assert_eq!(call(&app, "GET", "/admin/v1/apps", &secret, None).await.0, 401);
    let t = tokens_of(&app, &token).await.into_iter().find(|t| t["id"] == id).unwrap();
    assert!(t["revoked_at"].is_i64(), "{t}");
    let list = owner.get("/panel/tokens?done=revoked").await;
    assert!(list.body.contains("Revoked.") && list.body.contains("revoked"), "{}", list.body);
    assert!(!list.body.contains(&revoke), "no revoke link for a revoked token");
    assert_eq!(owner.post(&revoke, &[]).await.status, 404, "a revoked token is not revoked again");
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(50, 1)).await.unwrap();
    for action in ["token.create", "token.revoke"] {
        assert!(audit.iter().any(|e| e.action == action && e.actor.starts_with("panel:")), "{action}: {audit:?}");
    }
}

async fn listed(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let (s, body) = call(app, "GET", path, token, None).await;
    assert_eq!(s, 200, "{path}: {body}");
    body["data"].as_array().unwrap().clone()
}

async fn panel_variables_set_and_delete(app: TestApp) {
    let (seller, token, app_id, _) = seller(&app).await;
    let other = app.seller("other").await;
    let (other_app, _) = app_with_plan(&app, &other.admin_token, "Theirs", None).await;
    let vars = format!("/admin/v1/apps/{app_id}/vars");
    let (s, v) = call(&app, "POST", &vars, &token, Some(json!({"name": "motd", "value": "hello <b>all</b>"}))).await;
    assert_eq!(s, 200, "{v}");
    let (s, theirs) = call(
        &app,
        "POST",
        &format!("/admin/v1/apps/{other_app}/vars"),
        &other.admin_token,
        Some(json!({"name": "theirs", "value": "t"})),
    )
    .await;
    assert_eq!(s, 200, "{theirs}");
    let theirs = theirs["data"]["id"].as_i64().unwrap();
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;

    // Every role sees the list (the value escaped); only an owner is offered changes.
    for c in [&ro, &support] {
        let list = c.get(&format!("/panel/variables?app={app_id}")).await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert!(list.body.contains("motd") && list.body.contains("hello &lt;b&gt;all&lt;/b&gt;"), "{}", list.body);
        assert!(!list.body.contains("Set a variable") && !list.body.contains("Delete…"));
    }
    // The owner adds one and replaces one; the admin API then answers with them.
    let a = app_id.to_string();
    for (name, value) in [("version_note", "  spaced  "), ("motd", "bye")] {
        let done = owner.post("/panel/variables", &[("app", &a), ("name", name), ("value", value)]).await;
        assert_eq!(
            (done.status, done.location.as_str()),
            (303, format!("/panel/variables?app={a}&done=saved").as_str()),
            "{}",
            done.body
        );
    }
    let now = listed(&app, &token, &vars).await;
    let get = |n: &str| now.iter().find(|v| v["name"] == n).cloned().unwrap();
    assert_eq!(get("motd")["value"], "bye");
    assert_eq!(
        (get("version_note")["value"].clone(), get("version_note")["authed"].clone()),
        (json!("  spaced  "), json!(false))
    );
    let id = get("motd")["id"].as_i64().unwrap();
    let delete = format!("/panel/apps/{app_id}/variables/{id}/delete");

    // Readonly and support change nothing; bad input and other sellers' ids neither.
    let before = audit_len(&app, seller).await;
    for c in [&ro, &support] {
        assert_eq!(c.post("/panel/variables", &[("app", &a), ("name", "x"), ("value", "y")]).await.status, 403);
        assert_eq!(c.post(&delete, &[]).await.status, 403);
    }
    let long_name = "n".repeat(101);
    let long_value = "v".repeat(10_001);
    let o = other_app.to_string();
    for (fields, status, message) in [
        (vec![("name", "x"), ("value", "y")], 422, "app: is required"),
        (vec![("app", a.as_str()), ("value", "y")], 422, "name: is required"),
        (vec![("app", a.as_str()), ("name", long_name.as_str())], 422, "name: must be at most 100"),
        (vec![("app", a.as_str()), ("name", "big"), ("value", long_value.as_str())], 422, "value"),
        (vec![("app", o.as_str()), ("name", "x"), ("value", "y")], 404, "No such app"),
    ] {
        let page = owner.post("/panel/variables", &fields).await;
        assert_eq!(page.status, status, "{fields:?}: {}", page.body);
        assert!(page.body.contains(message), "{}", page.body);
    }
    for path in [
        format!("/panel/apps/{other_app}/variables/{theirs}/delete"),
        format!("/panel/apps/{app_id}/variables/{theirs}/delete"),
        format!("/panel/apps/{app_id}/variables/999999/delete"),
    ] {
        assert_eq!(owner.get(&path).await.status, 404, "GET {path}");
        assert_eq!(owner.post(&path, &[]).await.status, 404, "POST {path}");
    }
    assert_eq!(owner.get(&format!("/panel/variables?app={other_app}")).await.status, 404);
    assert_eq!(audit_len(&app, seller).await, before, "nothing was stored");
    assert_eq!(listed(&app, &token, &vars).await.len(), 2);
    assert_eq!(listed(&app, &other.admin_token, &format!("/admin/v1/apps/{other_app}/vars")).await.len(), 1);

    // Deleting asks first.
    let confirm = owner.get(&delete).await;
    assert!(confirm.status == 200 && confirm.body.contains("Yes, delete it") && confirm.body.contains("motd"));
    assert_eq!(listed(&app, &token, &vars).await.len(), 2, "the GET deletes nothing");
    let done = owner.post(&delete, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("/panel/variables?app={a}&done=deleted").as_str()));
    let names: Vec<_> = listed(&app, &token, &vars).await.iter().map(|v| v["name"].clone()).collect();
    assert_eq!(names, vec![json!("version_note")]);
}

async fn panel_blacklist_add_and_remove(app: TestApp) {
    let (seller, token, app_id, _) = seller(&app).await;
    let other = app.seller("other").await;
    let (other_app, _) = app_with_plan(&app, &other.admin_token, "Theirs", None).await;
    let path = format!("/admin/v1/apps/{app_id}/blacklist");
    let (s, e) =
        call(&app, "POST", &path, &token, Some(json!({"kind": "hwid", "value": "HW-BAD", "reason": "cracker"}))).await;
    assert_eq!(s, 201, "{e}");
    let (s, theirs) = call(
        &app,
        "POST",
        &format!("/admin/v1/apps/{other_app}/blacklist"),
        &other.admin_token,
        Some(json!({"kind": "hwid", "value": "THEIRS"})),
    )
    .await;
    assert_eq!(s, 201, "{theirs}");
    let theirs = theirs["data"]["id"].as_i64().unwrap();
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;

    let list = ro.get(&format!("/panel/blacklist?app={app_id}")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("HW-BAD") && list.body.contains("cracker"), "{}", list.body);
    assert!(!list.body.contains("THEIRS") && !list.body.contains("Add an entry") && !list.body.contains("Remove…"));
    assert!(support.get("/panel/blacklist").await.body.contains("Add an entry"), "support may add");

    // Support adds an IP (stored canonical); readonly may not.
    let a = app_id.to_string();
    let done = support
        .post("/panel/blacklist", &[("app", &a), ("kind", "ip"), ("value", "2001:DB8::1"), ("reason", "abuse")])
        .await;
    assert_eq!(
        (done.status, done.location.as_str()),
        (303, format!("/panel/blacklist?app={a}&done=saved").as_str()),
        "{}",
        done.body
    );
    let now = listed(&app, &token, &path).await;
    let ip = now.iter().find(|e| e["kind"] == "ip").expect("the new entry");
    assert_eq!((ip["value"].clone(), ip["reason"].clone()), (json!("2001:db8::1"), json!("abuse")));
    let ip_id = ip["id"].as_i64().unwrap();
    let remove = format!("/panel/apps/{app_id}/blacklist/{ip_id}/remove");
    let before = audit_len(&app, seller).await;
    assert_eq!(ro.post("/panel/blacklist", &[("app", &a), ("kind", "hwid"), ("value", "X")]).await.status, 403);
    assert_eq!(ro.post(&remove, &[]).await.status, 403);

    // Bad input and other sellers' ids store nothing.
    let long = "h".repeat(257);
    let o = other_app.to_string();
    for (fields, status, message) in [
        (vec![("app", a.as_str()), ("kind", "mac"), ("value", "x")], 422, "kind: must be hwid or ip"),
        (vec![("app", a.as_str()), ("kind", "ip"), ("value", "not-an-ip")], 422, "value: must be an IP address"),
        (vec![("app", a.as_str()), ("kind", "hwid")], 422, "value: is required"),
        (vec![("app", a.as_str()), ("kind", "hwid"), ("value", long.as_str())], 422, "value: must be at most 256"),
        (vec![("app", a.as_str()), ("kind", "hwid"), ("value", "HW-BAD")], 409, ""),
        (vec![("app", o.as_str()), ("kind", "hwid"), ("value", "x")], 404, "No such app"),
    ] {
        let page = owner.post("/panel/blacklist", &fields).await;
        assert_eq!(page.status, status, "{fields:?}: {}", page.body);
        assert!(page.body.contains(message), "{}", page.body);
    }
    for p in [
        format!("/panel/apps/{other_app}/blacklist/{theirs}/remove"),
        format!("/panel/apps/{app_id}/blacklist/{theirs}/remove"),
        format!("/panel/apps/{app_id}/blacklist/999999/remove"),
    ] {
        assert_eq!(owner.get(&p).await.status, 404, "GET {p}");
        assert_eq!(owner.post(&p, &[]).await.status, 404, "POST {p}");
    }
    assert_eq!(audit_len(&app, seller).await, before, "nothing was stored");
    assert_eq!(listed(&app, &other.admin_token, &format!("/admin/v1/apps/{other_app}/blacklist")).await.len(), 1);

    // Removing asks first; support may.
    let confirm = support.get(&remove).await;
    assert!(confirm.status == 200 && confirm.body.contains("Yes, remove it") && confirm.body.contains("2001:db8::1"));
    assert_eq!(listed(&app, &token, &path).await.len(), 2, "the GET removes nothing");
    let done = support.post(&remove, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("/panel/blacklist?app={a}&done=deleted").as_str()));
    let values: Vec<_> = listed(&app, &token, &path).await.iter().map(|e| e["value"].clone()).collect();
    assert_eq!(values, vec![json!("HW-BAD")]);
}

/// The value of the readonly field `id` on a page (a secret shown once, new keys).
fn shown(body: &str, id: &str) -> String {
    let after = body.split(&format!("id=\"{id}\"")).nth(1).unwrap_or_default();
    after.split("value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_owned()
}

async fn panel_resellers_get_stock_and_keys(app: TestApp) {
    let (seller, token, app_id, plan_id) = seller(&app).await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;
    let added = owner.post("/panel/resellers", &[("name", "GameKeys")]).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page_path = added.location.split('?').next().unwrap().to_owned();
    let (_, listed) = call(&app, "GET", "/admin/v1/resellers", &token, None).await;
    let reseller = listed["data"][0]["id"].as_i64().unwrap();
    assert_eq!(page_path, format!("/panel/resellers/{reseller}"));
    assert!(ro.get("/panel/resellers").await.body.contains("GameKeys"));

    // Keys generated into the stock: counted on its page, theirs in the admin API.
    let plan = format!("{app_id}:{plan_id}");
    let made = owner.post(&format!("{page_path}/stock"), &[("plan", &plan), ("count", "3")]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.body.contains("Generated 3 keys"), "{}", made.body);
    let (_, stock) = call(&app, "GET", &format!("/admin/v1/resellers/{reseller}/stock"), &token, None).await;
    assert_eq!(stock["meta"]["total"], 3, "{stock}");
    let page = ro.get(&page_path).await;
    assert!(page.body.contains("<td>MyApp</td><td>standard</td><td>3</td><td>0</td><td>3</td>"), "{}", page.body);

    // A key: asked for the password again, shown once, works on the Reseller API at once.
    let refused = owner.post(&format!("{page_path}/keys"), &[("label", "bot"), ("password", "nope")]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let created = owner.post(&format!("{page_path}/keys"), &[("label", "bot"), ("password", PASSWORD)]).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let key = shown(&created.body, "secret");
    let fetch = || app.http.get(app.url("/reseller/myavailable")).query(&[("api_token", key.as_str())]).send();
    assert_eq!(fetch().await.unwrap().status(), 200);
    let page = owner.get(&page_path).await;
    assert!(page.body.contains("bot") && !page.body.contains(&key), "listed, never shown again");
    let (_, keys) = call(&app, "GET", &format!("/admin/v1/resellers/{reseller}/keys"), &token, None).await;
    let key_id = keys["data"][0]["id"].as_i64().unwrap();

    // Readonly changes nothing; bad input stores nothing.
    let revoke = format!("{page_path}/keys/{key_id}/revoke");
    for (path, fields) in [
        ("/panel/resellers".to_owned(), vec![("name", "Sneaky")]),
        (format!("{page_path}/stock"), vec![("plan", plan.as_str()), ("count", "1")]),
        (format!("{page_path}/keys"), vec![("label", "x"), ("password", PASSWORD)]),
        (revoke.clone(), vec![]),
    ] {
        assert_eq!(ro.post(&path, &fields).await.status, 403, "readonly POST {path}");
    }
    let before = audit_len(&app, seller).await;
    for (path, fields, says) in [
        ("/panel/resellers".to_owned(), vec![("name", " ")], "name: is required"),
        (format!("{page_path}/stock"), vec![("plan", plan.as_str()), ("count", "0")], "count: must be from 1"),
        (format!("{page_path}/stock"), vec![("plan", "1:x"), ("count", "1")], "plan: must be one of"),
    ] {
        let page = owner.post(&path, &fields).await;
        assert_eq!(page.status, 422, "{path} {fields:?}: {}", page.body);
        assert!(page.body.contains(says), "{says}: {}", page.body);
    }
    assert_eq!(audit_len(&app, seller).await, before, "nothing was done");
    assert_eq!(owner.get("/panel/resellers/999999").await.status, 404);

    // Revoking asks first, then the key stops working.
    assert!(owner.get(&revoke).await.body.contains("cannot be undone"));
    let done = owner.post(&revoke, &[]).await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("{page_path}?done=revoked").as_str()));
    assert_eq!(fetch().await.unwrap().status(), 401);
    assert_eq!(owner.get(&revoke).await.status, 404, "a revoked key cannot be revoked again");
}

/// The armoured file in the textarea of a checkout page.
fn file_of(body: &str) -> String {
    let after = body.split("id=\"file\"").nth(1).unwrap_or_default();
    let inner = after.split_once('>').map(|(_, r)| r).unwrap_or_default();
    inner.split("</textarea>").next().unwrap_or_default().to_owned()
}

async fn panel_checks_licenses_out_as_offline_files(app: TestApp) {
    let (seller, token, app_id, _) = seller(&app).await;
    // A lifetime plan: a duration key has no end to sign before its first use.
    let body = json!({"name": "lifetime", "level": 2, "duration_secs": null});
    let (_, plan) = call(&app, "POST", &format!("/admin/v1/apps/{app_id}/plans"), &token, Some(body)).await;
    let plan_id = plan["data"]["id"].as_i64().unwrap();
    let keys = generate(&app, &token, json!({"app_id": app_id, "plan_id": plan_id, "count": 2})).await;
    let (_, listed) = call(&app, "GET", "/admin/v1/licenses", &token, None).await;
    let id_of = |key: &str| {
        listed["data"].as_array().unwrap().iter().find(|l| l["key"] == key).unwrap()["id"].as_i64().unwrap()
    };
    let (id, banned) = (id_of(&keys[0]), id_of(&keys[1]));
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;
    let path = format!("/panel/licenses/{id}/offline");
    assert!(support.get("/panel/licenses").await.body.contains(&path), "the list links to the checkout");
    assert_eq!(support.get(&path).await.status, 200);

    let made = support.post(&path, &[("hwid", "PC-7"), ("ttl_days", "3"), ("entitlements", "pro export")]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let file = file_of(&made.body);
    let seller_row = app.store().seller(seller).await.unwrap();
    let verifier =
        licensd_client::offline::OfflineVerifier::new(app.state.signer.public_hex(), &seller_row.ownerid, "MyApp")
            .unwrap();
    let now = std::time::SystemTime::now();
    let license = verifier.verify(&file, Some("PC-7"), now).unwrap();
    assert_eq!(
        (license.key.as_str(), license.entitlements.clone()),
        (keys[0].as_str(), vec!["export".into(), "pro".into()])
    );
    let refresh = license.refresh_by.duration_since(now).unwrap().as_secs();
    assert!((3 * 86_400 - 60..=3 * 86_400).contains(&refresh), "{refresh}");
    assert!(verifier.verify(&file, Some("PC-8"), now).is_err(), "bound to its machine");

    // Readonly may not; bad terms and a banned license get no file.
    let (s, _) =
        call(&app, "POST", &format!("/admin/v1/licenses/{banned}/ban"), &token, Some(json!({"reason": "r"}))).await;
    assert_eq!(s, 200);
    assert_eq!(ro.post(&path, &[("ttl_days", "1")]).await.status, 403);
    let audit_before = audit_len(&app, seller).await;
    for days in ["0", "100000"] {
        let page = support.post(&path, &[("ttl_days", days)]).await;
        assert_eq!(page.status, 422, "{days}: {}", page.body);
    }
    let page = support.post(&format!("/panel/licenses/{banned}/offline"), &[("ttl_days", "1")]).await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("banned"), "{}", page.body);
    assert_eq!(audit_len(&app, seller).await, audit_before, "nothing checked out");
    assert_eq!(support.get("/panel/licenses/999999/offline").await.status, 404);
}

async fn panel_deletes_keys_in_bulk_after_the_password(app: TestApp) {
    let (seller, token, app_id, plan_id) = seller(&app).await;
    let other = app.seller("other").await;
    let (other_app, other_plan) = app_with_plan(&app, &other.admin_token, "Theirs", None).await;
    let theirs =
        generate(&app, &other.admin_token, json!({"app_id": other_app, "plan_id": other_plan, "count": 2})).await;
    // Six keys: two redeemed by users, one banned, three unused.
    let keys = generate(&app, &token, json!({"app_id": app_id, "plan_id": plan_id, "count": 6})).await;
    let client =
        crate::client_support::ClientFixture::existing(&app, seller, licensd::domain::ids::AppId(app_id)).await;
    for (i, key) in keys[..2].iter().enumerate() {
        let s = client.init().await;
        let user = format!("buyer{i}");
        let fields = [("username", user.as_str()), ("pass", "pw"), ("key", key.as_str()), ("hwid", "PC")];
        client.call(Some(&s), "register", &fields).await.assert_ok("Logged in!");
    }
    let banned = app.store().license_by_key(seller, &keys[2]).await.unwrap().id;
    let (s, b) =
        call(&app, "POST", &format!("/admin/v1/licenses/{banned}/ban"), &token, Some(json!({"reason": "r"}))).await;
    assert_eq!(s, 200, "{b}");
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let remaining = async || {
        let (s, b) = call(&app, "GET", &format!("/admin/v1/licenses?app_id={app_id}&limit=100"), &token, None).await;
        assert_eq!(s, 200, "{b}");
        let mut left: Vec<String> =
            b["data"].as_array().unwrap().iter().map(|l| l["key"].as_str().unwrap().to_owned()).collect();
        left.sort();
        left
    };
    let all = {
        let mut k = keys.clone();
        k.sort();
        k
    };

    // The page names what each choice takes; the licenses page links to it for owners only.
    let form = owner.get(&format!("/panel/licenses/bulk-delete?app={app_id}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Every unused key (3 now)") && form.body.contains("(2 now)"), "{}", form.body);
    assert!(owner.get("/panel/licenses").await.body.contains("/panel/licenses/bulk-delete"));
    assert!(!support.get("/panel/licenses").await.body.contains("/panel/licenses/bulk-delete"));

    // Without the password, with a wrong one, bad input, another role or another seller's app:
    // nothing goes.
    let a = app_id.to_string();
    let o = other_app.to_string();
    let before = audit_len(&app, seller).await;
    for (who, fields, status, message) in [
        (&owner, vec![("app", a.as_str()), ("state", "unused")], 422, "password: is not your password"),
        (&owner, vec![("app", a.as_str()), ("state", "unused"), ("password", "guess")], 422, "is not your password"),
        (
            &owner,
            vec![("app", a.as_str()), ("state", "banned"), ("password", PASSWORD)],
            422,
            "state: must be unused or used",
        ),
        (&owner, vec![("app", a.as_str()), ("password", PASSWORD)], 422, "state: must be unused or used"),
        (&owner, vec![("state", "unused"), ("password", PASSWORD)], 422, "app: is required"),
        (&owner, vec![("app", o.as_str()), ("state", "unused"), ("password", PASSWORD)], 404, "No such app"),
        (&support, vec![("app", a.as_str()), ("state", "unused"), ("password", PASSWORD)], 403, ""),
    ] {
        let page = who.post("/panel/licenses/bulk-delete", &fields).await;
        assert_eq!(page.status, status, "{fields:?}: {}", page.body);
        assert!(page.body.contains(message), "{fields:?}: {}", page.body);
    }
    assert_eq!(remaining().await, all, "nothing was deleted");
    assert_eq!(audit_len(&app, seller).await, before, "nothing was stored");

    // With the password: the unused keys go, then the used ones; the banned one stays.
    let done =
        owner.post("/panel/licenses/bulk-delete", &[("app", &a), ("state", "unused"), ("password", PASSWORD)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Deleted 3 unused keys of MyApp."), "{}", done.body);
    let mut left = keys[..3].to_vec();
    left.sort();
    assert_eq!(remaining().await, left);
    let done =
        owner.post("/panel/licenses/bulk-delete", &[("app", &a), ("state", "used"), ("password", PASSWORD)]).await;
    assert!(done.body.contains("Deleted 2 used keys"), "{}", done.body);
    assert_eq!(remaining().await, vec![keys[2].clone()]);
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(5, 1)).await.unwrap();
    let row = audit.iter().find(|e| e.action == "license.delete_unused").expect("an audit row");
    assert!(row.actor.starts_with("panel:") && row.detail == "count=3", "{row:?}");
    let (s, b) = call(&app, "GET", &format!("/admin/v1/licenses?app_id={other_app}"), &other.admin_token, None).await;
    assert_eq!((s, b["data"].as_array().unwrap().len()), (200, theirs.len()), "the other seller's keys stay");
}

async fn app_secret(app: &TestApp, token: &str, app_id: i64) -> String {
    let (s, b) = call(app, "GET", &format!("/admin/v1/apps/{app_id}"), token, None).await;
    assert_eq!(s, 200, "{b}");
    b["data"]["secret"].as_str().unwrap().to_owned()
}

async fn panel_rotates_an_app_secret_behind_the_password(app: TestApp) {
    let (seller, token, app_id, _) = seller(&app).await;
    let other = app.seller("other").await;
    let (other_app, _) = app_with_plan(&app, &other.admin_token, "Theirs", None).await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let old = app_secret(&app, &token, app_id).await;
    let page = format!("/panel/apps/{app_id}");
    let rotate = format!("/panel/apps/{app_id}/secret");
    assert!(owner.get(&page).await.body.contains("Rotate the app secret"));
    assert!(!support.get(&page).await.body.contains("Rotate the app secret"));
    assert!(!owner.get(&page).await.body.contains(&old), "the settings page shows no secret");

    // Refused, nothing changed: no or a wrong password, support, another seller's app.
    let before = audit_len(&app, seller).await;
    let foreign = format!("/panel/apps/{other_app}/secret");
    for (who, path, fields, status) in [
        (&owner, &rotate, vec![], 422),
        (&owner, &rotate, vec![("password", "guess")], 422),
        (&support, &rotate, vec![("password", PASSWORD)], 403),
        (&owner, &foreign, vec![("password", PASSWORD)], 404),
    ] {
        let refused = who.post(path, &fields).await;
        assert_eq!(refused.status, status, "{path} {fields:?}: {}", refused.body);
    }
    assert_eq!(app_secret(&app, &token, app_id).await, old);
    assert_eq!(audit_len(&app, seller).await, before);

    // With the password: the new secret, shown on that answer only, is what the app now has.
    let done = owner.post(&rotate, &[("password", PASSWORD)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let new = app_secret(&app, &token, app_id).await;
    assert_ne!(new, old);
    assert!(done.body.contains(&format!(r#"value="{new}""#)) && done.body.contains("shown this once"), "{}", done.body);
    assert!(!owner.get(&page).await.body.contains(&new));
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(5, 1)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "app.rotate_secret" && e.actor.starts_with("panel:")), "{audit:?}");
}

async fn panel_adds_time_to_unused_keys(app: TestApp) {
    let (seller, token, app_id, plan_id) = seller(&app).await;
    let other = app.seller("other").await;
    let (other_app, _) = app_with_plan(&app, &other.admin_token, "Theirs", None).await;
    let keys = generate(&app, &token, json!({"app_id": app_id, "plan_id": plan_id, "count": 3})).await;
    let client =
        crate::client_support::ClientFixture::existing(&app, seller, licensd::domain::ids::AppId(app_id)).await;
    let s = client.init().await;
    let fields = [("username", "buyer"), ("pass", "pw"), ("key", keys[0].as_str()), ("hwid", "PC")];
    client.call(Some(&s), "register", &fields).await.assert_ok("Logged in!");
    let durations = async || {
        let (s, b) = call(&app, "GET", &format!("/admin/v1/licenses?app_id={app_id}&limit=100"), &token, None).await;
        assert_eq!(s, 200, "{b}");
        let mut all: Vec<(String, i64)> = b["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["key"].as_str().unwrap().to_owned(), l["duration_secs"].as_i64().unwrap()))
            .collect();
        all.sort();
        all
    };
    let before = durations().await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    assert!(owner.get(&format!("/panel/licenses/bulk-delete?app={app_id}")).await.body.contains("Add the time"));

    // Refused, nothing changed: support, bad durations, another seller's app.
    let (a, o) = (app_id.to_string(), other_app.to_string());
    for (who, fields, status) in [
        (&support, vec![("app", a.as_str()), ("duration", "7d")], 403),
        (&owner, vec![("app", a.as_str()), ("duration", "soon")], 422),
        (&owner, vec![("app", a.as_str()), ("duration", "0")], 422),
        (&owner, vec![("app", a.as_str())], 422),
        (&owner, vec![("duration", "7d")], 422),
        (&owner, vec![("app", o.as_str()), ("duration", "7d")], 404),
    ] {
        let refused = who.post("/panel/licenses/add-time", &fields).await;
        assert_eq!(refused.status, status, "{fields:?}: {}", refused.body);
    }
    assert_eq!(durations().await, before);

    // Seven days more on the two unused keys; the redeemed one keeps its duration.
    let done = owner.post("/panel/licenses/add-time", &[("app", &a), ("duration", "7d")]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Added 7d to 2 unused keys of MyApp."), "{}", done.body);
    let after = durations().await;
    for ((key, was), (_, now)) in before.iter().zip(&after) {
        let added = if *key == keys[0] { 0 } else { 7 * 86_400 };
        assert_eq!(*now, was + added, "{key}");
    }
    let audit = app.store().list_audit(Some(seller), licensd::store::Page::new(5, 1)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "license.add_time" && e.actor.starts_with("panel:")), "{audit:?}");
}

async fn panel_rewords_an_apps_messages(app: TestApp) {
    let (seller, token, app_id, _) = seller(&app).await;
    let other = app.seller("other").await;
    let (other_app, _) = app_with_plan(&app, &other.admin_token, "Theirs", None).await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let support = PanelClient::sign_in(&app, "help@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;
    let client =
        crate::client_support::ClientFixture::existing(&app, seller, licensd::domain::ids::AppId(app_id)).await;
    let bad_key = async || {
        let s = client.init().await;
        client.call(Some(&s), "license", &[("key", "NOT-A-KEY"), ("hwid", "PC")]).await
    };
    bad_key().await.assert_fail("Invalid license key");
    let path = format!("/panel/apps/{app_id}/messages");

    // Every role reads the rewordable messages; the literal ones are not offered.
    let page = ro.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(r#"name="msg_keynotfound""#) && page.body.contains("Invalid license key"));
    assert!(!page.body.contains("msg_sessionnotfound") && page.body.contains("<fieldset disabled"), "{}", page.body);
    assert!(owner.get(&format!("/panel/apps/{app_id}")).await.body.contains(&path));

    // Refused, nothing stored: support, readonly, another seller's app, a text too long.
    let long = "x".repeat(1_001);
    for (who, at, text, status) in [
        (&support, &path, "Ours", 403),
        (&ro, &path, "Ours", 403),
        (&owner, &format!("/panel/apps/{other_app}/messages"), "Ours", 404),
        (&owner, &path, long.as_str(), 422),
    ] {
        let refused = who.post(at, &[("msg_keynotfound", text)]).await;
        assert_eq!(refused.status, status, "{at}: {}", refused.body);
    }
    bad_key().await.assert_fail("Invalid license key");

    // Saved: the client API answers the app's words at once; a literal message stays literal.
    let done = owner
        .post(&path, &[("msg_keynotfound", "  That key is not one of ours  "), ("msg_sessionnotfound", "Gone")])
        .await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("{path}?done=saved").as_str()), "{}", done.body);
    bad_key().await.assert_fail("That key is not one of ours");
    assert!(ro.get(&path).await.body.contains(r#"value="That key is not one of ours""#));
    let (s, b) = call(&app, "GET", &format!("/admin/v1/apps/{app_id}"), &token, None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["data"]["messages"], json!({"keynotfound": "That key is not one of ours"}));

    // An empty field is the default again.
    assert_eq!(owner.post(&path, &[("msg_keynotfound", "")]).await.status, 303);
    bad_key().await.assert_fail("Invalid license key");
}

/// A batch larger than one insert step (10,000 keys) answers a page streamed as it goes: a
/// `<progress>` line per step (the stylesheet shows the newest), then the keys; a small batch
/// answers its page at once.
async fn panel_shows_a_large_batch_growing(app: TestApp) {
    let (seller, _, app_id, plan_id) = seller(&app).await;
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let plan = format!("{app_id}:{plan_id}");
    let small = owner.post("/panel/licenses/generate", &[("plan", plan.as_str()), ("count", "5")]).await;
    assert_eq!(small.status, 200, "{}", small.body);
    assert!(small.body.contains("Generated 5 keys") && !small.body.contains("<progress"), "{}", small.body);

    let large = owner.post("/panel/licenses/generate", &[("plan", plan.as_str()), ("count", "25000")]).await;
    assert_eq!(large.status, 200);
    let lines: Vec<&str> = large.body.matches("<progress max=\"25000\" value=\"").collect();
    assert_eq!(lines.len(), 3, "a line per insert step: {}", &large.body[..2_000.min(large.body.len())]);
    for done in ["10000", "20000", "25000"] {
        assert!(large.body.contains(&format!("{done} of 25000 keys")), "{done}");
    }
    assert!(large.body.contains("Generated 25000 keys"), "the end of the page");
    assert!(large.body.trim_end().ends_with("</html>"), "the page is whole");
    let at = large.body.find("<textarea").unwrap();
    let shown = large.body[at..].split_once('>').unwrap().1.split_once("</textarea>").unwrap().0;
    assert_eq!(shown.lines().count(), 25_000);
    let counts = app.store().license_counts(seller, licensd::domain::ids::AppId(app_id)).await.unwrap();
    assert_eq!(counts.total, 25_005);

    // Streamed for real: the first part of the answer arrives before the batch is done.
    let form = [("csrf", owner.csrf.as_str()), ("plan", plan.as_str()), ("count", "30000")];
    let url = app.url("/panel/licenses/generate");
    let mut res = app.http.post(url).header("cookie", owner.cookie_header()).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut body = res.chunk().await.unwrap().unwrap().to_vec();
    let first = String::from_utf8_lossy(&body).into_owned();
    assert!(first.contains("10000 of 30000 keys") && !first.contains("Generated 30000 keys"), "{first}");
    while let Some(chunk) = res.chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    assert!(String::from_utf8(body).unwrap().contains("Generated 30000 keys"));
}

/// Extending a license: an unused duration grows, a running expiry (and the subscription it
/// granted) moves on, two extensions at once both count, a lifetime key and bad input are
/// refused with nothing changed, readonly may not.
async fn panel_extends_a_license(app: TestApp) {
    use licensd::domain::ids::{AppId, LicenseId};
    const DAY: i64 = 86_400;
    let (seller, token, app_id, plan_id) = seller(&app).await;
    let keys = generate(&app, &token, json!({"app_id": app_id, "plan_id": plan_id, "count": 2})).await;
    let (life_app, life_plan) = app_with_plan(&app, &token, "Forever", None).await;
    let lifetime = generate(&app, &token, json!({"app_id": life_app, "plan_id": life_plan, "count": 1})).await;
    let client = crate::client_support::ClientFixture::existing(&app, seller, AppId(app_id)).await;
    let s = client.init().await;
    let fields = [("username", "buyer"), ("pass", "pw"), ("key", keys[1].as_str()), ("hwid", "PC")];
    client.call(Some(&s), "register", &fields).await.assert_ok("Logged in!");
    let store = app.store();
    let license = async |key: &str| store.license_by_key(seller, key).await.unwrap();
    let (unused, running, life) = (license(&keys[0]).await, license(&keys[1]).await, license(&lifetime[0]).await);
    let started = running.expires_at.expect("redeemed: its duration runs").get();
    let owner = PanelClient::sign_in(&app, "boss@example.com", "").await;
    let ro = PanelClient::sign_in(&app, "ro@example.com", "").await;
    let extend = |id: LicenseId| format!("/panel/licenses/{id}/extend");

    // Refused, nothing changed.
    let refusals = [
        (&owner, extend(unused.id), "soon", 422, "duration: must look like"),
        (&owner, extend(unused.id), "", 422, "duration: is required"),
        (&owner, extend(life.id), "7d", 422, "never expires"),
        (&ro, extend(unused.id), "7d", 403, ""),
    ];
    for (who, path, duration, status, text) in refusals {
        let page = who.post(&path, &[("duration", duration)]).await;
        assert_eq!(page.status, status, "{path} {duration}: {}", page.body);
        assert!(page.body.contains(text), "{path} {duration}: {}", page.body);
    }
    assert_eq!(license(&keys[0]).await.duration_secs, Some(30 * DAY));
    assert_eq!(license(&lifetime[0]).await.expires_at, None);

    // An unused key's duration grows; it shows in the list with its notice.
    let done = owner.post(&extend(unused.id), &[("duration", "7d")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done.location.contains("done=license_extended"), "{}", done.location);
    assert_eq!(license(&keys[0]).await.duration_secs, Some(37 * DAY));
    assert!(owner.get(&done.location).await.body.contains("Extended: the license"));

    // A running key: two extensions of a day at once both count, and the subscription follows.
    let path = extend(running.id);
    let (a, b) = tokio::join!(owner.post(&path, &[("duration", "1d")]), owner.post(&path, &[("duration", "1d")]));
    assert_eq!((a.status, b.status), (303, 303), "{} {}", a.body, b.body);
    let now = license(&keys[1]).await.expires_at.unwrap().get();
    assert_eq!(now, started + 2 * DAY * 1000);
    let user = store.client_user_by_name(AppId(app_id), "buyer").await.unwrap().unwrap();
    let ends = async || -> Vec<Option<i64>> {
        let subs = store.user_subscriptions_with_keys(user.id).await.unwrap();
        subs.iter().map(|s| s.expires_at.map(|t| t.get())).collect()
    };
    assert_eq!(ends().await, [Some(now)]);

    // A key redeemed onto time the user had: its subscription runs on from its own end, which is
    // later than the key's expiry, and an extension adds to that end, never cuts it back.
    let upgrade = [("username", "buyer"), ("key", keys[0].as_str())];
    client.call(Some(&s), "upgrade", &upgrade).await.assert_ok("Upgraded successfully");
    let [Some(before)] = ends().await[..] else { panic!("one timed subscription") };
    assert!(before > license(&keys[0]).await.expires_at.unwrap().get(), "stacked onto the time left");
    assert_eq!(owner.post(&extend(unused.id), &[("duration", "1d")]).await.status, 303);
    assert_eq!(ends().await, [Some(before + DAY * 1000)]);
    let audit = store.list_audit(Some(seller), licensd::store::Page::new(10, 1)).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "license.extend").count(), 4, "{audit:?}");
}
