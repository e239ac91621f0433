//! Conformance with the official Lemon Squeezy SDK (`@lemonsqueezy/lemonsqueezy.js` from npm,
//! changed only in its base URL): tests/js/lemonsqueezy_conformance.cjs activates to the limit,
//! validates with and without an instance, deactivates, and meets disabled, expired and
//! unknown keys. Node comes from `TEST_NODE` (default `node`), the SDK from `TEST_NODE_PATH`
//! (scripts/test installs it into target/nodeenv); a missing one fails the test.

use crate::engine_tests;
use crate::harness::TestApp;
use crate::licenses::{KeySpec, key, limited, order_of, patch, shop};
use licensd::domain::ids::LicenseId;
use serde_json::{Value, json};
use std::process::Command;

engine_tests!(lemonsqueezy_sdk_drives_licensd);

async fn lemonsqueezy_sdk_drives_licensd(app: TestApp) {
    let s = shop(&app, "acme").await;
    let store = app.store();
    let ann = store.customer_by_email(s.seller_id, "ann@example.com", "Ann").await.unwrap();
    let order = store.record_order(&order_of(&s, ann.id, "1001")).await.unwrap();
    let k = key(
        &app,
        &s,
        KeySpec { limit: Some(2), customer_id: Some(ann.id), order_id: Some(order.id), ..KeySpec::default() },
    )
    .await;
    let off = key(&app, &s, limited(1)).await;
    assert_eq!(patch(&app, &s.token, off.id, &json!({"active": false})).await.0, 200);
    let old = key(&app, &s, KeySpec { expires_at: Some(1_745_352_519_000), ..KeySpec::default() }).await;

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js/lemonsqueezy_conformance.cjs");
    let node = std::env::var("TEST_NODE").unwrap_or_else(|_| "node".into());
    let node_path = std::env::var("TEST_NODE_PATH")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/nodeenv/node_modules").into());
    let envs = [
        ("LICENSD_BASE_URL", format!("http://{}", app.addr)),
        ("LS_KEY", k.key.clone()),
        ("LS_KEY_ID", k.id.to_string()),
        ("LS_CUSTOMER_ID", ann.id.to_string()),
        ("LS_ORDER_ID", order.id.to_string()),
        ("LS_STORE_ID", s.seller_id.to_string()),
        ("LS_DISABLED_KEY", off.key.clone()),
        ("LS_EXPIRED_KEY", old.key.clone()),
        ("NODE_PATH", node_path),
    ];
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&node)
            .arg(script)
            .envs(envs)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {node} (set TEST_NODE): {e}"))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "SDK conformance script failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("summary line");

    // What the SDK did is what the database holds.
    let l = store.license(s.seller_id, LicenseId(k.id)).await.unwrap();
    assert_eq!((l.activations, summary["usage"].as_i64()), (1, Some(1)));
    let kept = summary["kept"].as_str().unwrap();
    assert!(store.instance(s.seller_id, LicenseId(k.id), kept).await.is_ok(), "the kept instance exists");
    assert_eq!(store.license(s.seller_id, LicenseId(off.id)).await.unwrap().activations, 0);
}
