//! Licenses API v2 against odd input: every body field, query parameter and path segment gets
//! values of every JSON type and size; no answer may be a 5xx, and refusals keep the 4xx shapes.

use crate::engine_tests;
use crate::harness::{TestApp, split};
use crate::licenses::{KeySpec, activate, key, limited, shop};
use licensd::domain::ids::LicenseId;
use licensd::domain::time::now_ms;
use serde_json::{Value, json};

engine_tests!(no_client_input_is_a_server_error, absurd_durations_still_render);

fn odd_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1e308),
        json!(-0.5),
        json!(""),
        json!("   "),
        json!("x".repeat(10_000)),
        json!("😀"),
        json!("1"),
        json!("2999-01-01 00:00:00"),
        json!("9999-12-31T23:59:59.999999Z"),
        json!("' OR 1=1 --"),
        json!("%_\\"),
        json!([]),
        json!([1, "a"]),
        json!({}),
        json!({"nested": {"deeper": [null]}}),
    ]
}

/// The answer's status is a 2xx or 4xx and its body is JSON with a `message` (or `data`).
fn assert_sane(what: &str, (status, body): &(u16, Value)) {
    assert!(*status < 500, "{what}: {status} {body}");
    assert!(body.get("message").is_some() || body.get("data").is_some(), "{what}: {status} {body}");
}

async fn no_client_input_is_a_server_error(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(1_000)).await;
    let (_, body) = activate(&app, &s.token, &k.key, "pc").await;
    let instance = body["id"].as_str().unwrap().to_owned();
    let valid = [
        ("/api/v2/licenses/activate", json!({"license_key": k.key, "instance_name": "pc"})),
        ("/api/v2/licenses/validate", json!({"license_key": k.key, "instance_id": instance})),
        ("/api/v2/licenses/deactivate", json!({"license_key": k.key, "instance_id": "not-this-one"})),
    ];
    for (path, base) in &valid {
        for field in base.as_object().unwrap().keys() {
            for value in odd_values() {
                let mut body = base.clone();
                body[field.as_str()] = value.clone();
                let answer = app.post_json(path, &s.token, &body).await;
                assert_sane(&format!("{path} {field}={value}"), &answer);
            }
        }
        for raw in ["", "null", "[]", "7", "\"s\"", "{", "{\"license_key\":}", "\u{feff}{}", "{\"a\":1}"] {
            let res = app.http.post(app.url(path)).bearer_auth(&s.token).body(raw).send().await.unwrap();
            assert_sane(&format!("{path} raw {raw:?}"), &split(res).await);
        }
    }
    let patch_url = app.url(&format!("/api/v2/license-keys/{}", k.id));
    for field in ["limit", "expires_at", "active", "unknown"] {
        for value in odd_values() {
            let res = app.http.patch(&patch_url).bearer_auth(&s.token).json(&json!({ field: value })).send().await;
            assert_sane(&format!("PATCH {field}={value}"), &split(res.unwrap()).await);
        }
    }
    let queries =
        ["limit=", "limit=-0", "limit=1.5", "limit=9223372036854775808", "page=0x10", "page=%FF", "limit=2&limit=x"];
    for path in
        ["/api/v2/license-keys", "/api/v2/license-key-instances", &format!("/api/v2/license-keys/{}/instances", k.id)]
    {
        for q in queries {
            assert_sane(&format!("{path}?{q}"), &app.get_json(&format!("{path}?{q}"), &s.token).await);
        }
    }
    for id in ["0", "-9223372036854775808", "9223372036854775807", "1e3", "%20", "~", "null"] {
        assert_sane(id, &app.get_json(&format!("/api/v2/license-keys/{id}"), &s.token).await);
        assert_sane(id, &app.get_json(&format!("/api/v2/license-keys/{}/instances/{id}", k.id), &s.token).await);
    }
    // The key still works after all that (the patches above switched it off and limited it).
    let reset = json!({"limit": null, "active": true, "expires_at": null});
    assert_eq!(app.http.patch(&patch_url).bearer_auth(&s.token).json(&reset).send().await.unwrap().status(), 200);
    assert_eq!(activate(&app, &s.token, &k.key, "after").await.0, 200);
}

/// A duration far beyond any calendar still starts, and prints as a valid far-future timestamp.
async fn absurd_durations_still_render(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, KeySpec { duration_secs: Some(i64::MAX / 2), ..KeySpec::default() }).await;
    let (status, body) = activate(&app, &s.token, &k.key, "pc").await;
    assert_eq!(status, 200, "{body}");
    assert!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().expires_at.unwrap().get() > now_ms());
    let (status, body) = app.get_json(&format!("/api/v2/license-keys/{}", k.id), &s.token).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["expires_at"], "9999-12-31T23:59:59.999000Z");
    assert_eq!((body["data"]["status"].as_str(), body["data"]["is_expired"].as_bool()), (Some("ACTIVE"), Some(false)));
}
