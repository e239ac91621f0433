//! Admin API: license generation, listing, ban/unban, delete, export and import, bulk speed.

use crate::adminkit::{app_with_plan, call, generate};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::SellerId;
use licensd::store::tokens::TokenKind;
use serde_json::json;

engine_tests!(
    generate_with_options,
    list_filters_and_pagination,
    ban_unban_delete_are_scoped,
    export_and_import,
    bulk_generate_100k
);

/// A seller with a key prefix, and its admin token.
async fn prefixed_seller(app: &TestApp, name: &str, prefix: &str) -> (SellerId, String) {
    let seller = app.store().create_seller(name, prefix).await.unwrap();
    let token = app.store().create_token(TokenKind::Seller, Some(seller.id), "t").await.unwrap().1;
    (seller.id, token)
}

async fn generate_with_options(app: TestApp) {
    let (seller_id, t) = prefixed_seller(&app, "acme", "ps-").await;
    let (app_id, plan_id) = app_with_plan(&app, &t, "MyApp", None).await;

    let keys = generate(
        &app,
        &t,
        json!({"app_id": app_id, "plan_id": plan_id, "count": 5, "mask": "TEST-********", "case": "lower",
               "duration_secs": 2_592_000, "max_activations": 3, "note": "batch one"}),
    )
    .await;
    assert_eq!(keys.len(), 5);
    for k in &keys {
        assert!(k.starts_with("ps-TEST-") && k.len() == 16, "{k}");
        assert!(k[8..].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{k}");
        let l = app.store().license_by_key(seller_id, k).await.unwrap();
        assert_eq!((l.duration_secs, l.max_activations, l.note.as_str()), (Some(2_592_000), Some(3), "batch one"));
        assert_eq!((l.expires_at, l.reseller_id), (None, None));
    }
    // The app's default mask and case apply when none is given.
    let (s, _) = call(
        &app,
        "PATCH",
        &format!("/admin/v1/apps/{app_id}"),
        &t,
        Some(json!({"key_mask": "AB-**********", "key_case": "mixed"})),
    )
    .await;
    assert_eq!(s, 200);
    let expires = licensd::domain::time::now_ms() + 86_400_000;
    let keys =
        generate(&app, &t, json!({"app_id": app_id, "plan_id": plan_id, "count": 2, "expires_at": expires})).await;
    assert!(keys.iter().all(|k| k.starts_with("ps-AB-") && k.len() == 16), "{keys:?}");
    let l = app.store().license_by_key(seller_id, &keys[0]).await.unwrap();
    assert_eq!((l.expires_at.map(i64::from), l.duration_secs, l.max_activations), (Some(expires), None, None));

    for (body, status, field) in [
        (json!({"app_id": app_id, "plan_id": plan_id, "count": 0}), 422, "count"),
        (json!({"app_id": app_id, "plan_id": plan_id, "count": 100_001}), 422, "count"),
        (json!({"app_id": app_id, "plan_id": plan_id, "count": 1, "mask": "***"}), 422, "mask"),
        (json!({"app_id": app_id, "plan_id": plan_id, "count": 1, "case": "up"}), 422, "case"),
        (json!({"app_id": app_id, "plan_id": plan_id, "count": 1, "max_activations": 0}), 422, "max_activations"),
        (json!({"app_id": app_id, "plan_id": plan_id, "count": 1, "expires_at": 5}), 422, "expires_at"),
        (
            json!({"app_id": app_id, "plan_id": plan_id, "count": 1, "duration_secs": 5, "expires_at": expires}),
            422,
            "expires_at",
        ),
    ] {
        let (s, e) = call(&app, "POST", "/admin/v1/licenses", &t, Some(body.clone())).await;
        assert_eq!((s, e["error"]["field"].as_str()), (status, Some(field)), "{body}: {e}");
    }
    let (s, e) =
        call(&app, "POST", "/admin/v1/licenses", &t, Some(json!({"app_id": app_id, "plan_id": 99_999, "count": 1})))
            .await;
    assert_eq!((s, e["error"]["message"].as_str()), (404, Some("plan not found")));
    let (s, _) = call(
        &app,
        "POST",
        "/admin/v1/licenses",
        &t,
        Some(json!({"app_id": app_id, "plan_id": plan_id, "count": 1, "x": 1})),
    )
    .await;
    assert_eq!(s, 422);
}

async fn list_filters_and_pagination(app: TestApp) {
    let a = app.seller("acme").await;
    let t = &a.admin_token;
    let (app_id, plan_id) = app_with_plan(&app, t, "MyApp", None).await;
    let (app2, plan2) = app_with_plan(&app, t, "Second", None).await;
    generate(&app, t, json!({"app_id": app_id, "plan_id": plan_id, "count": 10, "note": "summer sale"})).await;
    let other = generate(&app, t, json!({"app_id": app2, "plan_id": plan2, "count": 2, "note": "50%_off"})).await;

    let (_, page) = call(&app, "GET", "/admin/v1/licenses?limit=5&page=3", t, None).await;
    assert_eq!(page["meta"], json!({"page": 3, "limit": 5, "total": 12}));
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let (_, by_app) = call(&app, "GET", &format!("/admin/v1/licenses?app_id={app2}"), t, None).await;
    assert_eq!(by_app["meta"]["total"], 2);
    let (_, by_plan) = call(&app, "GET", &format!("/admin/v1/licenses?plan_id={plan_id}"), t, None).await;
    assert_eq!(by_plan["meta"]["total"], 10);
    let (_, by_note) = call(&app, "GET", "/admin/v1/licenses?search=SUMMER", t, None).await;
    assert_eq!(by_note["meta"]["total"], 10);
    // LIKE wildcards in the search are taken literally.
    let (_, literal) = call(&app, "GET", "/admin/v1/licenses?search=0%25_o", t, None).await;
    assert_eq!(literal["meta"]["total"], 2);
    let (_, none) = call(&app, "GET", "/admin/v1/licenses?search=_", t, None).await;
    assert_eq!(none["meta"]["total"], 2);
    let fragment = &other[0][10..20];
    let (_, by_key) = call(&app, "GET", &format!("/admin/v1/licenses?search={fragment}"), t, None).await;
    assert_eq!(by_key["data"][0]["key"], other[0]);

    let id = by_key["data"][0]["id"].as_i64().unwrap();
    call(&app, "POST", &format!("/admin/v1/licenses/{id}/ban"), t, Some(json!({"reason": "chargeback"}))).await;
    let (_, banned) = call(&app, "GET", "/admin/v1/licenses?state=banned", t, None).await;
    assert_eq!(banned["meta"]["total"], 1);
    let (_, unused) = call(&app, "GET", "/admin/v1/licenses?state=unused", t, None).await;
    assert_eq!(unused["meta"]["total"], 12);
    let (_, used) = call(&app, "GET", "/admin/v1/licenses?state=used", t, None).await;
    assert_eq!(used["meta"]["total"], 0);
    let (s, e) = call(&app, "GET", "/admin/v1/licenses?state=odd", t, None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("state")));
    let (s, _) = call(&app, "GET", "/admin/v1/licenses?limit=500", t, None).await;
    assert_eq!(s, 200);
    let (s, _) = call(&app, "GET", "/admin/v1/licenses?limit=501", t, None).await;
    assert_eq!(s, 422);
}

async fn ban_unban_delete_are_scoped(app: TestApp) {
    let a = app.seller("a").await;
    let b = app.seller("b").await;
    let (app_id, plan_id) = app_with_plan(&app, &a.admin_token, "MyApp", None).await;
    let key = generate(&app, &a.admin_token, json!({"app_id": app_id, "plan_id": plan_id, "count": 1})).await.remove(0);
    let id = app.store().license_by_key(a.seller.id, &key).await.unwrap().id;
    let path = format!("/admin/v1/licenses/{id}");

    for (method, p, body) in [
        ("GET", path.clone(), None),
        ("DELETE", path.clone(), None),
        ("POST", format!("{path}/ban"), Some(json!({"reason": "x"}))),
        ("POST", format!("{path}/unban"), None),
    ] {
        let (s, _) = call(&app, method, &p, &b.admin_token, body).await;
        assert_eq!(s, 404, "{method} {p}");
    }
    let (s, e) = call(&app, "POST", &format!("{path}/ban"), &a.admin_token, Some(json!({"reason": " "}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reason")));
    let (s, l) = call(&app, "POST", &format!("{path}/ban"), &a.admin_token, Some(json!({"reason": "fraud"}))).await;
    assert_eq!((s, l["data"]["banned_reason"].as_str()), (200, Some("fraud")));
    let (_, l) = call(&app, "POST", &format!("{path}/unban"), &a.admin_token, None).await;
    assert_eq!(l["data"]["banned_reason"], json!(null));
    let (s, shown) = call(&app, "GET", &path, &a.admin_token, None).await;
    assert_eq!((s, shown["data"]["key"].as_str()), (200, Some(key.as_str())));
    let (s, _) = call(&app, "DELETE", &path, &a.admin_token, None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, "GET", &path, &a.admin_token, None).await;
    assert_eq!(s, 404);

    let (_, audit) = call(&app, "GET", "/admin/v1/audit", &a.admin_token, None).await;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions[..4], ["license.delete", "license.unban", "license.ban", "license.generate"]);
    let (_, theirs) = call(&app, "GET", "/admin/v1/audit", &b.admin_token, None).await;
    assert_eq!(theirs["meta"]["total"], 0, "{theirs}");
    let op = app.operator_token().await;
    let (_, all) = call(&app, "GET", "/admin/v1/audit?limit=2", &op, None).await;
    assert_eq!(all["meta"]["total"], audit["meta"]["total"]);
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
}

async fn export_and_import(app: TestApp) {
    let a = app.seller("acme").await;
    let t = &a.admin_token;
    let (app_id, plan_id) = app_with_plan(&app, t, "MyApp", Some(3_600)).await;
    let keys = generate(
        &app,
        t,
        json!({"app_id": app_id, "plan_id": plan_id, "count": 3, "note": "n1", "max_activations": 2}),
    )
    .await;

    let res = app.http.get(app.url("/admin/v1/licenses/export?format=csv")).bearer_auth(t).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("key,app,plan,duration_secs,expires_at,max_activations"));
    assert_eq!(lines.count(), 3);
    let (s, json_export) = call(&app, "GET", "/admin/v1/licenses/export?format=json&search=n1", t, None).await;
    assert_eq!(s, 200);
    assert_eq!(json_export["data"].as_array().unwrap().len(), 3);
    assert_eq!(json_export["data"][0]["plan"], "standard");

    // Re-importing the export changes nothing: every key is reported as a duplicate.
    let import = |body: String, ctype: &'static str, query: String| {
        let req = app.http.post(app.url(&format!("/admin/v1/licenses/import?{query}"))).bearer_auth(t);
        async move { crate::harness::split(req.header("content-type", ctype).body(body).send().await.unwrap()).await }
    };
    let (s, r) = import(csv.clone(), "text/csv", format!("app_id={app_id}")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["data"]["imported"], 0);
    assert_eq!(r["data"]["duplicates"].as_array().unwrap().len(), 3);

    // Delete one, change the note in the file: only the missing one comes back, nothing is overwritten.
    let gone = app.store().license_by_key(a.seller.id, &keys[1]).await.unwrap();
    call(&app, "DELETE", &format!("/admin/v1/licenses/{}", gone.id), t, None).await;
    let (s, r) = import(csv.replace(",n1,", ",changed,"), "text/csv", format!("app_id={app_id}")).await;
    assert_eq!((s, r["data"]["imported"].as_i64()), (200, Some(1)), "{r}");
    let back = app.store().license_by_key(a.seller.id, &keys[1]).await.unwrap();
    assert_eq!((back.note.as_str(), back.max_activations, back.duration_secs), ("changed", Some(2), Some(3_600)));
    let kept = app.store().license_by_key(a.seller.id, &keys[0]).await.unwrap();
    assert_eq!(kept.note, "n1");

    // JSON import with a default plan, a repeated key and a named plan.
    let body = json!({"licenses": [
        {"key": "IMPORTED-1", "max_activations": 1},
        {"key": "IMPORTED-1"},
        {"key": "IMPORTED-2", "plan": "standard", "note": "from old server", "expires_at": 4_102_444_800_000i64}
    ]})
    .to_string();
    let (s, r) = import(body, "application/json", format!("app_id={app_id}&plan_id={plan_id}")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["data"], json!({"imported": 2, "duplicates": ["IMPORTED-1"]}));
    let l = app.store().license_by_key(a.seller.id, "IMPORTED-2").await.unwrap();
    assert_eq!((l.note.as_str(), l.expires_at.map(i64::from)), ("from old server", Some(4_102_444_800_000)));

    for (body, query) in [
        (json!([{"key": "X-1", "plan": "nope"}]).to_string(), format!("app_id={app_id}")),
        (json!([{"key": "X-1"}]).to_string(), format!("app_id={app_id}")),
        (json!([{"key": "has space"}]).to_string(), format!("app_id={app_id}&plan_id={plan_id}")),
        ("not json".to_owned(), format!("app_id={app_id}")),
    ] {
        let (s, e) = import(body.clone(), "application/json", query).await;
        assert_eq!((s, e["error"]["field"].as_str()), (422, Some("licenses")), "{body}: {e}");
    }
    let other = app.seller("other").await;
    let req =
        app.http.post(app.url(&format!("/admin/v1/licenses/import?app_id={app_id}"))).bearer_auth(&other.admin_token);
    let (s, _) = crate::harness::split(req.json(&json!([{"key": "Z-1"}])).send().await.unwrap()).await;
    assert_eq!(s, 404);
}

/// 100 000 keys in one call: must take seconds (the figure is printed; the bound is generous
/// because the suite runs unoptimised on shared CPUs).
async fn bulk_generate_100k(app: TestApp) {
    let a = app.seller("bulk").await;
    let (app_id, plan_id) = app_with_plan(&app, &a.admin_token, "Bulk", None).await;
    let started = std::time::Instant::now();
    let keys = generate(&app, &a.admin_token, json!({"app_id": app_id, "plan_id": plan_id, "count": 100_000})).await;
    let took = started.elapsed();
    println!("{:?}: generated 100000 keys over the admin API in {took:.2?}", app.engine);
    assert_eq!(keys.len(), 100_000);
    let unique: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(unique.len(), 100_000);
    let (_, list) = call(&app, "GET", "/admin/v1/licenses?limit=1", &a.admin_token, None).await;
    assert_eq!(list["meta"]["total"], 100_000);
    assert!(took.as_secs() < 60, "took {took:?}");
}
