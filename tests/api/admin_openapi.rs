//! The admin API's OpenAPI document: the served one is the committed `docs/admin-openapi.json`.

use crate::harness::{Engine, TestApp};
use serde_json::Value;

const COPY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/admin-openapi.json");

#[tokio::test]
async fn served_document_is_the_committed_copy() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let res = app.http.get(app.url("/admin/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let served: Value = res.json().await.unwrap();
    let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COPY, &text).unwrap();
    }
    let committed = std::fs::read_to_string(COPY).unwrap_or_default();
    assert!(
        committed == text,
        "docs/admin-openapi.json differs from the served document; regenerate it with \
         UPDATE_OPENAPI=1 scripts/test -E 'test(served_document_is_the_committed_copy)'"
    );
}
