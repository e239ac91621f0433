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

mod metrics {
    use super::*;
    use crate::client_support::ClientFixture;
    use licensd::config::Config;

    fn with_token(config: &mut Config) {
        config.metrics_token = Some("metrics-secret".into());
    }

    engine_tests!(config = with_token; metrics_count_requests_and_actions_for_the_token_only);
    engine_tests!(metrics_do_not_exist_without_a_token);

    async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
        let mut req = app.http.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    async fn metrics_count_requests_and_actions_for_the_token_only(app: TestApp) {
        assert_eq!(scrape(&app, None).await.0, 401);
        assert_eq!(scrape(&app, Some("metrics-secreT")).await.0, 401);
        let c = ClientFixture::named(&app, "acme", "MyApp").await;
        let session = c.init().await;
        c.call(Some(&session), "nonsense-type-1234", &[]).await;
        let (status, text) = scrape(&app, Some("metrics-secret")).await;
        assert_eq!(status, 200);
        assert!(text.contains(r#"licensd_http_requests_total{surface="client",status="2xx"} 2"#), "{text}");
        assert!(text.contains(r#"licensd_client_actions_total{action="init",outcome="success"} 1"#), "{text}");
        // A type no client API knows is counted under one fixed label, never under its own.
        assert!(text.contains(r#"licensd_client_actions_total{action="unknown",outcome="refused"} 1"#), "{text}");
        assert!(!text.contains("nonsense-type-1234"));
        assert!(text.contains(r#"licensd_http_request_duration_seconds_count{surface="client"} 2"#), "{text}");
        assert!(text.trim_end().ends_with("# EOF"));
    }

    async fn metrics_do_not_exist_without_a_token(app: TestApp) {
        assert_eq!(scrape(&app, None).await.0, 404);
        assert_eq!(scrape(&app, Some("")).await.0, 404);
    }
}
