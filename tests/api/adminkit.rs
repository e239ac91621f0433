//! Helpers of the admin API tests: any-method JSON requests, and rows the admin API cannot
//! create (end users come from the client API) written straight into the test database.

use crate::harness::{TestApp, split};
use serde_json::Value;

/// `method path` with a bearer token and an optional JSON body: status and JSON answer.
pub async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    split(req.send().await.unwrap()).await
}

/// Creates an app with one plan through the API; returns (app id, plan id).
pub async fn app_with_plan(app: &TestApp, token: &str, name: &str, duration_secs: Option<i64>) -> (i64, i64) {
    let (s, a) = call(app, "POST", "/admin/v1/apps", token, Some(serde_json::json!({ "name": name }))).await;
    assert_eq!(s, 201, "{a}");
    let app_id = a["data"]["id"].as_i64().unwrap();
    let body = serde_json::json!({ "name": "standard", "level": 1, "duration_secs": duration_secs });
    let (s, p) = call(app, "POST", &format!("/admin/v1/apps/{app_id}/plans"), token, Some(body)).await;
    assert_eq!(s, 201, "{p}");
    (app_id, p["data"]["id"].as_i64().unwrap())
}

/// Generates `count` licenses through the API; returns their keys.
pub async fn generate(app: &TestApp, token: &str, body: Value) -> Vec<String> {
    let (s, g) = call(app, "POST", "/admin/v1/licenses", token, Some(body)).await;
    assert_eq!(s, 201, "{g}");
    g["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect()
}

/// Inserts an end user with one HWID and a subscription to `plan_id` ending at `expires_at`.
pub async fn insert_user(app: &TestApp, app_id: i64, plan_id: i64, username: &str, expires_at: i64) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (app_id, username, email, created_at) VALUES ($1, $2, $3, 1000) RETURNING id",
    )
    .bind(app_id)
    .bind(username)
    .bind(format!("{username}@example.com"))
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO user_hwids (user_id, hwid, created_at) VALUES ($1, 'HWID-1', 1000)")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO subscriptions (user_id, plan_id, expires_at, created_at) VALUES ($1, $2, $3, 1000)")
        .bind(id)
        .bind(plan_id)
        .bind(expires_at)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    id
}
