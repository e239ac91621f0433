//! Admin API: resellers (accounts, API keys, stock) and an app's end users.

use crate::adminkit::{app_with_plan, call, generate, insert_user};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::ResellerId;
use serde_json::json;

engine_tests!(resellers_and_keys, reseller_stock, users_admin);

async fn resellers_and_keys(app: TestApp) {
    let a = app.seller("acme").await;
    let b = app.seller("other").await;
    let t = &a.admin_token;
    let (s, r) = call(&app, "POST", "/admin/v1/resellers", t, Some(json!({"name": "bob", "key_prefix": "rs-"}))).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["data"]["rate_limit_per_min"], 100);
    let id = r["data"]["id"].as_i64().unwrap();
    let (s, e) = call(&app, "POST", "/admin/v1/resellers", t, Some(json!({"name": "bob"}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (409, Some("name")));
    let (s, e) = call(&app, "POST", "/admin/v1/resellers", t, Some(json!({"name": "x", "key_prefix": "a b"}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("key_prefix")));
    let (s, e) =
        call(&app, "POST", "/admin/v1/resellers", t, Some(json!({"name": "x", "rate_limit_per_min": 0}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("rate_limit_per_min")));

    let path = format!("/admin/v1/resellers/{id}");
    let (s, u) = call(&app, "PATCH", &path, t, Some(json!({"rate_limit_per_min": 20}))).await;
    assert_eq!((s, u["data"]["rate_limit_per_min"].as_i64(), u["data"]["name"].as_str()), (200, Some(20), Some("bob")));
    let (_, list) = call(&app, "GET", "/admin/v1/resellers", t, None).await;
    assert_eq!(list["meta"]["total"], 1);

    let (s, k) = call(&app, "POST", &format!("{path}/keys"), t, Some(json!({"label": "discord bot"}))).await;
    assert_eq!(s, 201, "{k}");
    let secret = k["key"].as_str().unwrap().to_owned();
    let key_id = k["data"]["id"].as_i64().unwrap();
    assert!(k["data"].get("key_hash").is_none());
    let auth = app.store().authenticate_reseller_key(&secret).await.unwrap();
    assert_eq!((auth.reseller_id, auth.rate_limit_per_min), (ResellerId(id), 20));
    let (_, keys) = call(&app, "GET", &format!("{path}/keys"), t, None).await;
    assert_eq!(keys["data"][0]["label"], "discord bot");
    assert!(!keys.to_string().contains(&secret), "the secret is shown once only");

    // Another seller sees none of it.
    for (method, p) in [
        ("GET", path.clone()),
        ("DELETE", path.clone()),
        ("GET", format!("{path}/keys")),
        ("POST", format!("{path}/keys")),
        ("DELETE", format!("{path}/keys/{key_id}")),
        ("GET", format!("{path}/stock")),
    ] {
        let body = (method == "POST").then(|| json!({}));
        let (s, _) = call(&app, method, &p, &b.admin_token, body).await;
        assert_eq!(s, 404, "{method} {p}");
    }

    let (s, _) = call(&app, "DELETE", &format!("{path}/keys/{key_id}"), t, None).await;
    assert_eq!(s, 204);
    assert!(app.store().authenticate_reseller_key(&secret).await.is_err());
    let (s, _) = call(&app, "DELETE", &format!("{path}/keys/{key_id}"), t, None).await;
    assert_eq!(s, 404);
    let (s, _) = call(&app, "DELETE", &path, t, None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, "GET", &path, t, None).await;
    assert_eq!(s, 404);
}

async fn reseller_stock(app: TestApp) {
    let a = app.seller("acme").await;
    let b = app.seller("other").await;
    let t = &a.admin_token;
    let (app_id, plan_id) = app_with_plan(&app, t, "MyApp", None).await;
    let (b_app, b_plan) = app_with_plan(&app, &b.admin_token, "TheirApp", None).await;
    let (_, r) = call(&app, "POST", "/admin/v1/resellers", t, Some(json!({"name": "bob", "key_prefix": "rs-"}))).await;
    let id = r["data"]["id"].as_i64().unwrap();
    let stock = format!("/admin/v1/resellers/{id}/stock");

    let keys = generate(&app, t, json!({"app_id": app_id, "plan_id": plan_id, "count": 3})).await;
    let theirs = generate(&app, &b.admin_token, json!({"app_id": b_app, "plan_id": b_plan, "count": 1})).await;
    let mut ids = Vec::new();
    for k in &keys[..2] {
        ids.push(app.store().license_by_key(a.seller.id, k).await.unwrap().id);
    }
    ids.push(app.store().license_by_key(b.seller.id, &theirs[0]).await.unwrap().id);
    let (s, moved) = call(&app, "POST", &stock, t, Some(json!({"license_ids": ids}))).await;
    assert_eq!(s, 201, "{moved}");
    assert_eq!(moved["data"]["moved"], 2, "another seller's license is not moved");
    assert_eq!(app.store().license_by_key(b.seller.id, &theirs[0]).await.unwrap().reseller_id, None);

    let generated = json!({"generate": {"app_id": app_id, "plan_id": plan_id, "count": 2, "note": "for bob"}});
    let (s, g) = call(&app, "POST", &stock, t, Some(generated)).await;
    assert_eq!(s, 201, "{g}");
    let new_keys: Vec<&str> = g["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert!(new_keys.iter().all(|k| k.starts_with("rs-")), "reseller prefix: {new_keys:?}");

    let (s, list) = call(&app, "GET", &stock, t, None).await;
    assert_eq!(s, 200);
    assert_eq!(list["meta"]["total"], 4);
    for l in list["data"].as_array().unwrap() {
        assert_eq!(
            (l["reseller_id"].as_i64(), &l["discord_user_id"], &l["assigned_at"]),
            (Some(id), &json!(null), &json!(null))
        );
    }
    let (_, filtered) = call(&app, "GET", &format!("/admin/v1/licenses?reseller_id={id}"), t, None).await;
    assert_eq!(filtered["meta"]["total"], 4);

    let bad = json!({"generate": {"app_id": app_id, "plan_id": plan_id, "count": 1, "reseller_id": id + 1}});
    let (s, e) = call(&app, "POST", &stock, t, Some(bad)).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reseller_id")));
    let (s, e) = call(&app, "POST", &stock, t, Some(json!({}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("license_ids")));
    let (s, _) = call(&app, "POST", &stock, t, Some(json!({"license_ids": []}))).await;
    assert_eq!(s, 422);

    // Deleting the reseller returns its stock to the seller.
    call(&app, "DELETE", &format!("/admin/v1/resellers/{id}"), t, None).await;
    let l = app.store().license_by_key(a.seller.id, new_keys[0]).await.unwrap();
    assert_eq!(l.reseller_id, None);
}

async fn users_admin(app: TestApp) {
    let a = app.seller("acme").await;
    let b = app.seller("other").await;
    let t = &a.admin_token;
    let (app_id, plan_id) = app_with_plan(&app, t, "MyApp", None).await;
    let far = licensd::domain::time::now_ms() + 10 * 86_400_000;
    let alice = insert_user(&app, app_id, plan_id, "alice", far).await;
    insert_user(&app, app_id, plan_id, "al_bert", far).await;
    insert_user(&app, app_id, plan_id, "carol", far).await;
    let (app2, _) = app_with_plan(&app, t, "Second", None).await;
    let users = format!("/admin/v1/apps/{app_id}/users");

    let (_, list) = call(&app, "GET", &format!("{users}?limit=2"), t, None).await;
    assert_eq!(list["meta"], json!({"page": 1, "limit": 2, "total": 3}));
    let (_, found) = call(&app, "GET", &format!("{users}?search=AL"), t, None).await;
    assert_eq!(found["meta"]["total"], 2);
    let (_, literal) = call(&app, "GET", &format!("{users}?search=l_b"), t, None).await;
    assert_eq!(literal["meta"]["total"], 1);
    assert!(found["data"][0].get("password_hash").is_none());

    let user = format!("{users}/{alice}");
    let (s, shown) = call(&app, "GET", &user, t, None).await;
    assert_eq!(s, 200, "{shown}");
    assert_eq!(shown["data"]["username"], "alice");
    assert_eq!(shown["data"]["hwids"], json!(["HWID-1"]));
    assert_eq!(shown["data"]["subscriptions"][0]["plan"], "standard");
    assert_eq!(shown["data"]["subscriptions"][0]["expires_at"], far);

    let (s, reset) = call(&app, "POST", &format!("{user}/reset-hwid"), t, None).await;
    assert_eq!((s, reset["data"]["hwids_removed"].as_i64()), (200, Some(1)));
    let (_, shown) = call(&app, "GET", &user, t, None).await;
    assert_eq!(shown["data"]["hwids"], json!([]));

    let (s, banned) = call(&app, "POST", &format!("{user}/ban"), t, Some(json!({"reason": "cheating"}))).await;
    assert_eq!((s, banned["data"]["banned_reason"].as_str()), (200, Some("cheating")));
    let (_, unbanned) = call(&app, "POST", &format!("{user}/unban"), t, None).await;
    assert_eq!(unbanned["data"]["banned_reason"], json!(null));

    let (s, extended) = call(&app, "POST", &format!("{user}/extend"), t, Some(json!({"duration": "30d"}))).await;
    assert_eq!(s, 200, "{extended}");
    assert_eq!(extended["data"]["subscriptions"][0]["expires_at"], far + 30 * 86_400_000);
    let (s, e) = call(&app, "POST", &format!("{user}/extend"), t, Some(json!({"duration": "soon"}))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("duration")));

    // Another seller, and a user of another app, answer like missing ones.
    let (s, _) = call(&app, "GET", &user, &b.admin_token, None).await;
    assert_eq!(s, 404);
    let (s, _) = call(&app, "POST", &format!("{user}/reset-hwid"), &b.admin_token, None).await;
    assert_eq!(s, 404);
    let (s, _) = call(&app, "GET", &format!("/admin/v1/apps/{app2}/users/{alice}"), t, None).await;
    assert_eq!(s, 404);

    let (s, _) = call(&app, "DELETE", &user, t, None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, "GET", &user, t, None).await;
    assert_eq!(s, 404);
    let (_, audit) = call(&app, "GET", "/admin/v1/audit?limit=6", t, None).await;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions[..5], ["user.delete", "user.extend", "user.unban", "user.ban", "user.reset_hwid"]);
}
