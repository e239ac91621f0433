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
    engine_tests!(config = with_token; metrics_are_the_documented_list);

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

    /// `(name, type)` of every metric in docs/observability.md's table (counters without the
    /// `_total` that OpenMetrics adds to their samples).
    fn documented_metrics() -> std::collections::BTreeSet<(String, String)> {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/observability.md")).unwrap();
        doc.lines()
            .filter_map(|l| l.strip_prefix("| `licensd_"))
            .map(|l| {
                let mut cells = l.split('|').map(str::trim);
                let name = cells.next().unwrap().trim_end_matches('`');
                let kind = cells.next().unwrap().to_owned();
                (format!("licensd_{}", name.strip_suffix("_total").unwrap_or(name)), kind)
            })
            .collect()
    }

    async fn metrics_are_the_documented_list(app: TestApp) {
        let c = ClientFixture::named(&app, "acme", "MyApp").await;
        let plan = c.plan("basic", 1, Some(86_400)).await;
        for key in ["KEY-ONE", "KEY-TWO", "KEY-THREE"] {
            c.license(&plan, key, Some(86_400)).await;
        }
        let session = c.init().await;
        c.call(Some(&session), "license", &[("key", "KEY-ONE"), ("hwid", "pc")]).await.assert_ok("Logged in!");
        c.call(Some(&session), "license", &[("key", "NO-SUCH-KEY"), ("hwid", "pc")]).await;
        let (_, text) = scrape(&app, Some("metrics-secret")).await;

        let served: std::collections::BTreeSet<(String, String)> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .map(|l| {
                let (name, kind) = l.split_once(' ').unwrap();
                (name.to_owned(), kind.to_owned())
            })
            .collect();
        assert_eq!(served, documented_metrics(), "served metrics differ from docs/observability.md");

        // The gauges read from the database, and the sign-in failure the client API answers with 200.
        assert!(text.contains(r#"licensd_licenses{state="used"} 1"#), "{text}");
        assert!(text.contains(r#"licensd_licenses{state="unused"} 2"#), "{text}");
        assert!(text.contains(r#"licensd_licenses{state="banned"} 0"#), "{text}");
        assert!(text.contains(r#"licensd_webhook_deliveries{state="pending"} 0"#), "{text}");
        assert!(text.contains(r#"licensd_signin_failures_total{surface="client"} 1"#), "{text}");
        assert!(text.contains(r#"licensd_db_connections{pool="read",state="open"}"#), "{text}");
        assert!(text.contains(r#"licensd_db_hold_duration_seconds_count{pool="write"}"#), "{text}");

        // Every query of the committed Grafana dashboard names a documented metric.
        let names: Vec<String> = documented_metrics().into_iter().map(|(n, _)| n).collect();
        let dashboard =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/grafana/licensd.json")).unwrap();
        let dashboard: serde_json::Value = serde_json::from_str(&dashboard).unwrap();
        let exprs: Vec<&str> = dashboard["panels"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["targets"].as_array().unwrap())
            .map(|t| t["expr"].as_str().unwrap())
            .collect();
        assert!(exprs.len() >= 10);
        for expr in exprs {
            let used = expr.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| w.starts_with("licensd_"));
            for metric in used {
                let base =
                    ["_total", "_bucket", "_count", "_sum"].iter().fold(metric, |m, s| m.strip_suffix(s).unwrap_or(m));
                assert!(names.iter().any(|n| n == base), "{expr}: {metric} is not a documented metric");
            }
        }
    }

    async fn metrics_do_not_exist_without_a_token(app: TestApp) {
        assert_eq!(scrape(&app, None).await.0, 404);
        assert_eq!(scrape(&app, Some("")).await.0, 404);
    }
}
