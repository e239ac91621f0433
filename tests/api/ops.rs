//! Health, readiness and the published public key.

use crate::engine_tests;
use crate::harness::TestApp;

engine_tests!(health_endpoints_answer, info_publishes_the_signing_key, unknown_routes_answer_in_the_protocols_shape);

async fn health_endpoints_answer(app: TestApp) {
    let res = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    let res = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ready");
    let (status, body) = crate::harness::split(app.http.get(app.url("/health")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["database"], "ok");
}

async fn info_publishes_the_signing_key(app: TestApp) {
    let (status, body) = crate::harness::split(app.http.get(app.url("/api/info")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["public_key"], app.state.signer.public_hex());
    assert_eq!(body["public_key"].as_str().unwrap().len(), 64);
    // The key file was created private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(app.data_dir.path().join("signing.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// A wrong path or method under a protocol's prefix gets that protocol's error shape, not an
/// empty 404/405.
async fn unknown_routes_answer_in_the_protocols_shape(app: TestApp) {
    use crate::harness::split;
    use serde_json::json;
    let token = app.seller("acme").await;
    let admin = |method: reqwest::Method, path: &str| {
        app.http.request(method, app.url(path)).bearer_auth(&token.admin_token).send()
    };
    let (status, body) = split(admin(reqwest::Method::GET, "/admin/v1/no-such-thing").await.unwrap()).await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")), "{body}");
    let (status, body) = split(admin(reqwest::Method::PUT, "/admin/v1/apps").await.unwrap()).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["error"]["code"], "invalid_request");
    let licenses = |method: reqwest::Method, path: &str| {
        app.http.request(method, app.url(path)).bearer_auth(&token.store_token).send()
    };
    let (status, body) = split(licenses(reqwest::Method::GET, "/api/v2/licenses/nope").await.unwrap()).await;
    assert_eq!((status, body), (404, json!({"message": "Not Found."})));
    let (status, body) = split(licenses(reqwest::Method::GET, "/api/v2/licenses/validate").await.unwrap()).await;
    assert_eq!(status, 405);
    assert!(body["message"].is_string(), "{body}");
}
