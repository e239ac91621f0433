//! Health, readiness and the published public key.

use crate::engine_tests;
use crate::harness::TestApp;

engine_tests!(health_endpoints_answer, info_publishes_the_signing_key);

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
