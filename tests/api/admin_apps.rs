//! Admin API: apps with their settings and secret, and plans.

use crate::adminkit::{app_with_plan, call, generate};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::AppId;
use serde_json::json;

engine_tests!(apps_crud_and_settings, apps_are_tenant_scoped, plans_lifecycle, openapi_lists_every_route);

async fn apps_crud_and_settings(app: TestApp) {
    let a = app.seller("acme").await;
    let t = &a.admin_token;
    let (s, created) = call(&app, "POST", "/admin/v1/apps", t, Some(json!({"name": "MyApp"}))).await;
    assert_eq!(s, 201, "{created}");
    let id = created["data"]["id"].as_i64().unwrap();
    let secret = created["data"]["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(created["data"]["messages"], json!({}));

    let (s, dup) = call(&app, "POST", "/admin/v1/apps", t, Some(json!({"name": "MyApp"}))).await;
    assert_eq!((s, dup["error"]["field"].as_str()), (409, Some("name")));

    let (s, list) = call(&app, "GET", "/admin/v1/apps", t, None).await;
    assert_eq!(s, 200);
    assert_eq!(list["meta"], json!({"page": 1, "limit": 50, "total": 1}));
    assert!(list["data"][0].get("secret").is_none(), "lists never show the secret");

    let settings = json!({
        "version": "2.1", "download_url": "https://example.com/dl", "customer_panel_link": "https://example.com/panel",
        "changelog": "fixes", "enabled": false, "paused": true, "hwid_lock": false, "force_hwid": true,
        "hwid_min_len": 20, "program_hash": "abc123", "session_ttl_secs": 3600, "key_mask": "KEY-********",
        "key_case": "lower", "min_username_len": 4, "request_limit_per_min": 30,
        "messages": {"invalid_key": "Key not found.", "hwid_mismatch": "Wrong machine."}
    });
    let (s, upd) = call(&app, "PATCH", &format!("/admin/v1/apps/{id}"), t, Some(settings.clone())).await;
    assert_eq!(s, 200, "{upd}");
    assert!(upd["data"].get("secret").is_none(), "PATCH answers the settings, not the secret: {upd}");
    let (_, shown) = call(&app, "GET", &format!("/admin/v1/apps/{id}"), t, None).await;
    // Flags come back as the booleans they were set with.
    for (k, v) in settings.as_object().unwrap() {
        assert_eq!(shown["data"][k], *v, "setting {k}");
        assert_eq!(upd["data"][k], *v, "PATCH answer's {k}");
    }
    assert_eq!(shown["data"]["secret"], secret);

    // Clearing: empty program hash and zero request limit mean "none".
    let (_, cleared) = call(
        &app,
        "PATCH",
        &format!("/admin/v1/apps/{id}"),
        t,
        Some(json!({"program_hash": "", "request_limit_per_min": 0})),
    )
    .await;
    assert_eq!(cleared["data"]["program_hash"], json!(null));
    assert_eq!(cleared["data"]["request_limit_per_min"], json!(null));
    assert_eq!(cleared["data"]["version"], "2.1", "fields left out stay");

    for (body, field) in [
        (json!({"key_mask": "****"}), "key_mask"),
        (json!({"key_case": "weird"}), "key_case"),
        (json!({"download_url": "ftp://x"}), "download_url"),
        (json!({"session_ttl_secs": 1}), "session_ttl_secs"),
        (json!({"messages": {"x": 1}}), "messages"),
        (json!({"name": ""}), "name"),
    ] {
        let (s, e) = call(&app, "PATCH", &format!("/admin/v1/apps/{id}"), t, Some(body)).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some(field)), "{e}");
    }
    let (s, _) = call(&app, "PATCH", &format!("/admin/v1/apps/{id}"), t, Some(json!({"bogus": 1}))).await;
    assert_eq!(s, 422);

    let (s, rotated) = call(&app, "POST", &format!("/admin/v1/apps/{id}/rotate-secret"), t, None).await;
    assert_eq!(s, 200);
    let new_secret = rotated["data"]["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(app.store().app(a.seller.id, AppId(id)).await.unwrap().secret, new_secret);

    // Deleting an app takes its plans and licenses with it.
    let (app2, plan2) = app_with_plan(&app, t, "Other", None).await;
    generate(&app, t, json!({"app_id": app2, "plan_id": plan2, "count": 2})).await;
    let (s, _) = call(&app, "DELETE", &format!("/admin/v1/apps/{app2}"), t, None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, "GET", &format!("/admin/v1/apps/{app2}"), t, None).await;
    assert_eq!(s, 404);
    let (_, lic) = call(&app, "GET", "/admin/v1/licenses", t, None).await;
    assert_eq!(lic["meta"]["total"], 0);
}

async fn apps_are_tenant_scoped(app: TestApp) {
    let a = app.seller("a").await;
    let b = app.seller("b").await;
    let op = app.operator_token().await;
    let (app_id, plan_id) = app_with_plan(&app, &a.admin_token, "A-App", None).await;

    // Another seller's app answers exactly like a missing one.
    for (method, path) in [
        ("GET", format!("/admin/v1/apps/{app_id}")),
        ("PATCH", format!("/admin/v1/apps/{app_id}")),
        ("DELETE", format!("/admin/v1/apps/{app_id}")),
        ("POST", format!("/admin/v1/apps/{app_id}/rotate-secret")),
        ("GET", format!("/admin/v1/apps/{app_id}/plans")),
        ("DELETE", format!("/admin/v1/apps/{app_id}/plans/{plan_id}")),
        ("GET", "/admin/v1/apps/999999".to_owned()),
    ] {
        let body = (method == "PATCH").then(|| json!({"version": "9"}));
        let (s, e) = call(&app, method, &path, &b.admin_token, body).await;
        assert_eq!(s, 404, "{method} {path}: {e}");
        assert_eq!(e["error"]["code"], "not_found");
    }
    let (s, _) = call(&app, "GET", &format!("/admin/v1/apps?seller_id={}", a.seller.id), &b.admin_token, None).await;
    assert_eq!(s, 404);
    let (_, list) = call(&app, "GET", "/admin/v1/apps", &b.admin_token, None).await;
    assert_eq!(list["meta"]["total"], 0);

    // The operator must name the seller.
    let (s, e) = call(&app, "GET", "/admin/v1/apps", &op, None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("seller_id")));
    let (s, list) = call(&app, "GET", &format!("/admin/v1/apps?seller_id={}", a.seller.id), &op, None).await;
    assert_eq!((s, list["meta"]["total"].as_i64()), (200, Some(1)));
    let path = format!("/admin/v1/apps?seller_id={}", b.seller.id);
    let (s, made) = call(&app, "POST", &path, &op, Some(json!({"name": "B-App"}))).await;
    assert_eq!((s, made["data"]["seller_id"].as_i64()), (201, Some(b.seller.id.get())));
    let (s, _) = call(&app, "GET", "/admin/v1/apps?limit=0", &a.admin_token, None).await;
    assert_eq!(s, 422);
    let (s, e) = call(&app, "GET", "/admin/v1/apps?limit=501", &a.admin_token, None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("limit")));
    let (s, _) = call(&app, "GET", "/admin/v1/apps?nope=1", &a.admin_token, None).await;
    assert_eq!(s, 400);
}

async fn plans_lifecycle(app: TestApp) {
    let a = app.seller("acme").await;
    let t = &a.admin_token;
    let (app_id, plan_id) = app_with_plan(&app, t, "MyApp", Some(86_400)).await;
    let plans = format!("/admin/v1/apps/{app_id}/plans");
    let (s, e) = call(&app, "POST", &plans, t, Some(json!({"name": "standard", "level": 2}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (409, Some("name")));
    let (s, e) = call(&app, "POST", &plans, t, Some(json!({"name": "other", "level": 1}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (409, Some("level")));
    let (s, e) = call(&app, "POST", &plans, t, Some(json!({"name": "x", "level": 3, "duration_secs": 0}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("duration_secs")));
    let (s, vip) = call(&app, "POST", &plans, t, Some(json!({"name": "vip", "level": 5}))).await;
    assert_eq!(s, 201);
    assert_eq!(vip["data"]["duration_secs"], json!(null));
    let (_, list) = call(&app, "GET", &plans, t, None).await;
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"][0]["name"], "standard");

    // A plan with licenses cannot go; once they are gone, it can.
    let keys = generate(&app, t, json!({"app_id": app_id, "plan_id": plan_id, "count": 1})).await;
    let (s, e) = call(&app, "DELETE", &format!("{plans}/{plan_id}"), t, None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("conflict")));
    let license = app.store().license_by_key(a.seller.id, &keys[0]).await.unwrap();
    assert_eq!(license.duration_secs, Some(86_400), "keys take the plan's duration by default");
    let (s, _) = call(&app, "DELETE", &format!("/admin/v1/licenses/{}", license.id), t, None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, "DELETE", &format!("{plans}/{plan_id}"), t, None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, "DELETE", &format!("{plans}/{plan_id}"), t, None).await;
    assert_eq!(s, 404);
}

async fn openapi_lists_every_route(app: TestApp) {
    let res = app.http.get(app.url("/admin/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let table = licensd::api::admin::route_table();
    assert!(table.len() > 40, "the route table is the router's: {}", table.len());
    for (method, path) in &table {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is missing from openapi.json");
    }
    // And nothing in the document that the server does not serve.
    let mut documented = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys().filter(|k| *k != "parameters") {
            documented += 1;
            assert!(table.iter().any(|(m, p)| m == method && p == path), "{method} {path} is not served");
        }
    }
    assert_eq!(documented, table.len());
}
