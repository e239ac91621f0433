//! Admin API: authentication, tenant scope, error shapes.

use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::AppId;
use serde_json::json;

engine_tests!(operator_manages_sellers, seller_token_sees_only_itself, bad_tokens_and_bodies_get_4xx, overview_counts);

async fn operator_manages_sellers(app: TestApp) {
    let op = app.operator_token().await;
    let (status, body) = app.post_json("/admin/v1/sellers", &op, &json!({"name": "acme", "key_prefix": "ps-"})).await;
    assert_eq!(status, 201, "{body}");
    let seller = &body["data"];
    assert_eq!(seller["name"], "acme");
    assert_eq!(seller["ownerid"].as_str().unwrap().len(), 10);

    let (status, body) = app.post_json("/admin/v1/sellers", &op, &json!({"name": "acme"})).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["field"], "name");

    let (status, body) = app.get_json("/admin/v1/sellers", &op).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
}

async fn seller_token_sees_only_itself(app: TestApp) {
    let a = app.seller("a").await;
    let b = app.seller("b").await;
    let (status, body) = app.get_json("/admin/v1/sellers", &a.admin_token).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["id"], a.seller.id.get());

    // Another seller answers exactly like a missing one.
    let (s_other, b_other) = app.get_json(&format!("/admin/v1/sellers/{}", b.seller.id), &a.admin_token).await;
    let (s_missing, b_missing) = app.get_json("/admin/v1/sellers/999999", &a.admin_token).await;
    assert_eq!(s_other, 404);
    assert_eq!((s_other, b_other), (s_missing, b_missing));

    // Sellers cannot create sellers; store tokens cannot use the admin API at all.
    let (status, _) = app.post_json("/admin/v1/sellers", &a.admin_token, &json!({"name": "c"})).await;
    assert_eq!(status, 403);
    let (status, _) = app.get_json("/admin/v1/sellers", &a.store_token).await;
    assert_eq!(status, 401);
}

async fn bad_tokens_and_bodies_get_4xx(app: TestApp) {
    let op = app.operator_token().await;
    let (status, body) = app.get_json("/admin/v1/sellers", "lsd_operator_wrong").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    let res = app.http.get(app.url("/admin/v1/sellers")).send().await.unwrap();
    assert_eq!(res.status(), 401);

    let res = app
        .http
        .post(app.url("/admin/v1/sellers"))
        .bearer_auth(&op)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let (status, body) = app.post_json("/admin/v1/sellers", &op, &json!({"name": ""})).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["field"], "name");
    let (status, _) = app.post_json("/admin/v1/sellers", &op, &json!({"name": "x", "evil": 1})).await;
    assert_eq!(status, 422);
    let (status, body) = app.get_json("/admin/v1/sellers/notanumber", &op).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_request");
}

/// `GET /admin/v1/overview`: the panel's first page as JSON, from the same operation.
async fn overview_counts(app: TestApp) {
    use crate::adminkit::{app_with_plan, call, generate};
    let f = app.seller("acme").await;
    let t = &f.admin_token;
    let (app_id, plan_id) = app_with_plan(&app, t, "MyApp", None).await;
    let keys = generate(&app, t, json!({"app_id": app_id, "plan_id": plan_id, "count": 3})).await;
    let banned = app.store().license_by_key(f.seller.id, &keys[2]).await.unwrap().id;
    call(&app, "POST", &format!("/admin/v1/licenses/{banned}/ban"), t, Some(json!({"reason": "x"}))).await;
    let c = crate::client_support::ClientFixture::existing(&app, f.seller.id, AppId(app_id)).await;
    let s = c.init().await;
    c.call(Some(&s), "license", &[("key", &keys[0]), ("hwid", "H")]).await.assert_ok("Logged in!");

    let (status, body) = app.get_json("/admin/v1/overview", t).await;
    assert_eq!(status, 200, "{body}");
    let o = &body["data"];
    assert_eq!((o["apps"].as_i64(), o["users"].as_i64()), (Some(1), Some(1)), "{o}");
    let l = &o["licenses"];
    assert_eq!(
        [&l["all"], &l["unused"], &l["used"], &l["banned"]],
        [&json!(3), &json!(2), &json!(1), &json!(1)],
        "{o}"
    );
    let today = licensd::domain::time::now_ms() / 86_400_000 * 86_400_000;
    let redeemed = o["daily"].as_array().unwrap().iter().find(|d| d["type"] == "license.redeemed").unwrap();
    assert_eq!((redeemed["day"].as_i64(), redeemed["count"].as_i64()), (Some(today), Some(1)));
    assert_eq!(o["since"].as_i64(), Some(today - 29 * 86_400_000));
    // The key's sign-in: one sign-in today, the user active and online.
    let signed_in = o["daily"].as_array().unwrap().iter().find(|d| d["type"] == "user.signed_in").unwrap();
    assert_eq!((signed_in["day"].as_i64(), signed_in["count"].as_i64()), (Some(today), Some(1)));
    assert_eq!((o["active_users"].as_i64(), o["online_users"].as_i64()), (Some(1), Some(1)), "{o}");
    assert_eq!(o["recent_audit"][0]["action"], "license.ban");
    // The operator names the seller; without one it is told to.
    let op = app.operator_token().await;
    assert_eq!(app.get_json("/admin/v1/overview", &op).await.0, 422);
    let (status, mine) = app.get_json(&format!("/admin/v1/overview?seller_id={}", f.seller.id), &op).await;
    assert_eq!((status, &mine["data"]["licenses"]), (200, l));
}
