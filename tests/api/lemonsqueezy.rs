//! Lemon Squeezy's License API (`/v1/licenses/*`) over raw HTTP: every field and code of the
//! three calls, form and JSON bodies, refusals (limit, disabled, expired, unknown, ambiguous,
//! invalid), the rate limit, and one activation limit shared with the Licenses API under a race.

use crate::engine_tests;
use crate::harness::{TestApp, split};
use crate::licenses::{KeySpec, activate as sellapp_activate, assert_iso_micros, key, limited, order_of, patch, shop};
use licensd::domain::ids::LicenseId;
use licensd::domain::time::now_ms;
use serde_json::{Value, json};

engine_tests!(
    every_field_of_the_three_calls,
    refusals_have_lemon_squeezy_codes_and_words,
    one_limit_across_both_apis_under_a_race,
    rate_limit_per_client_address
);

/// POST `/v1/licenses/<call>` with a form body.
pub async fn form(app: &TestApp, call: &str, fields: &[(&str, &str)]) -> (u16, Value) {
    split(app.http.post(app.url(&format!("/v1/licenses/{call}"))).form(fields).send().await.unwrap()).await
}

/// POST `/v1/licenses/<call>` with a JSON body, as the official SDK sends it.
pub async fn json_call(app: &TestApp, call: &str, body: &Value) -> (u16, Value) {
    let req =
        app.http.post(app.url(&format!("/v1/licenses/{call}"))).header("content-type", "application/vnd.api+json");
    split(req.body(body.to_string()).send().await.unwrap()).await
}

async fn every_field_of_the_three_calls(app: TestApp) {
    let s = shop(&app, "acme").await;
    let store = app.store();
    let ann = store.customer_by_email(s.seller_id, "ann@example.com", "Ann Lee").await.unwrap();
    let order = store.record_order(&order_of(&s, ann.id, "LS-7")).await.unwrap();
    let k = key(
        &app,
        &s,
        KeySpec { limit: Some(2), customer_id: Some(ann.id), order_id: Some(order.id), ..KeySpec::default() },
    )
    .await;
    let meta = json!({
        "store_id": s.seller_id, "order_id": order.id, "order_item_id": order.id, "product_id": s.app_id,
        "product_name": "app", "variant_id": s.plan_id, "variant_name": "lifetime", "customer_id": ann.id,
        "customer_name": "Ann Lee", "customer_email": "ann@example.com",
    });

    let (status, a) = form(&app, "activate", &[("license_key", &k.key), ("instance_name", "Test")]).await;
    assert_eq!(status, 200, "{a}");
    let instance = a["instance"]["id"].as_str().unwrap().to_owned();
    assert_eq!(a["activated"], true);
    assert_eq!(a["error"], Value::Null);
    assert_eq!(a["instance"]["name"], "Test");
    assert_iso_micros(&a["instance"]["created_at"]);
    let lk = &a["license_key"];
    assert_eq!(
        (lk["id"].as_i64(), lk["status"].as_str(), lk["key"].as_str()),
        (Some(k.id), Some("active"), Some(k.key.as_str()))
    );
    assert_eq!((lk["activation_limit"].as_i64(), lk["activation_usage"].as_i64()), (Some(2), Some(1)));
    assert_eq!((lk["expires_at"].clone(), lk["test_mode"].clone()), (Value::Null, json!(false)));
    assert_iso_micros(&lk["created_at"]);
    let fields = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        fields(lk),
        ["activation_limit", "activation_usage", "created_at", "expires_at", "id", "key", "status", "test_mode"]
    );
    assert_eq!(fields(&a), ["activated", "error", "instance", "license_key", "meta"]);
    assert_eq!(a["meta"], meta);

    // JSON works as well as a form; the second activation fills the limit.
    let (status, b) = json_call(&app, "activate", &json!({"license_key": k.key, "instance_name": "Two"})).await;
    assert_eq!((status, b["license_key"]["activation_usage"].as_i64()), (200, Some(2)), "{b}");
    let (status, full) = form(&app, "activate", &[("license_key", &k.key), ("instance_name", "Three")]).await;
    assert_eq!(status, 400, "{full}");
    assert_eq!(
        (full["activated"].clone(), full["error"].clone()),
        (json!(false), json!("This license key has reached the activation limit."))
    );
    assert_eq!((full["instance"].clone(), full["license_key"]["activation_usage"].clone()), (Value::Null, json!(2)));
    assert_eq!(full["meta"], meta);

    // Validate with and without an instance, and with one that is not the key's.
    let (status, v) = form(&app, "validate", &[("license_key", &k.key), ("instance_id", &instance)]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (v["valid"].clone(), v["error"].clone(), v["instance"]["id"].clone()),
        (json!(true), Value::Null, json!(instance))
    );
    assert_eq!(fields(&v), ["error", "instance", "license_key", "meta", "valid"]);
    let (status, v) = form(&app, "validate", &[("license_key", &k.key)]).await;
    assert_eq!((status, v["valid"].clone(), v["instance"].clone()), (200, json!(true), Value::Null), "{v}");
    let (status, v) = form(&app, "validate", &[("license_key", &k.key), ("instance_id", "f90ec370-0000")]).await;
    assert_eq!(status, 404, "{v}");
    assert_eq!((v["valid"].clone(), v["error"].clone()), (json!(false), json!("instance_id not found.")));

    // Deactivate frees the slot; the Licenses API sees the same count.
    let (status, d) = form(&app, "deactivate", &[("license_key", &k.key), ("instance_id", &instance)]).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(fields(&d), ["deactivated", "error", "license_key", "meta"]);
    assert_eq!((d["deactivated"].clone(), d["license_key"]["activation_usage"].clone()), (json!(true), json!(1)));
    assert_eq!(store.license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 1);
    let (status, d) = form(&app, "deactivate", &[("license_key", &k.key), ("instance_id", &instance)]).await;
    assert_eq!(
        (status, d["deactivated"].clone(), d["error"].clone()),
        (404, json!(false), json!("instance_id not found."))
    );

    // A key sold to nobody: the seller's default customer (integer id, empty name and email).
    let plain = key(&app, &s, KeySpec::default()).await;
    let (status, v) = form(&app, "validate", &[("license_key", &plain.key)]).await;
    assert_eq!(status, 200, "{v}");
    let default = store.default_customer(s.seller_id).await.unwrap();
    assert_eq!(v["meta"]["customer_id"], default.id.get());
    assert_eq!((v["meta"]["customer_name"].clone(), v["meta"]["customer_email"].clone()), (json!(""), json!("")));
    assert_eq!(
        (v["meta"]["order_id"].clone(), v["license_key"]["activation_limit"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(v["license_key"]["status"], "inactive");
}

/// A call, its form fields and the 422's words.
type Invalid<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

async fn refusals_have_lemon_squeezy_codes_and_words(app: TestApp) {
    let s = shop(&app, "acme").await;
    let off = key(&app, &s, limited(3)).await;
    assert_eq!(patch(&app, &s.token, off.id, &json!({"active": false})).await.0, 200);
    for call in ["activate", "validate"] {
        let (status, body) = form(&app, call, &[("license_key", &off.key), ("instance_name", "x")]).await;
        assert_eq!((status, body["error"].clone()), (400, json!("This license key is disabled.")), "{call}: {body}");
        assert_eq!(body["license_key"]["status"], "disabled");
    }
    let old = key(&app, &s, KeySpec { expires_at: Some(1_745_352_519_000), ..KeySpec::default() }).await;
    for call in ["activate", "validate"] {
        let (status, body) = form(&app, call, &[("license_key", &old.key), ("instance_name", "x")]).await;
        assert_eq!((status, body["error"].clone()), (400, json!("This license key has expired.")), "{call}: {body}");
        assert_eq!(body["license_key"]["status"], "expired");
        assert_eq!(body["license_key"]["expires_at"], "2025-04-22T20:08:39.000000Z");
    }

    // Unknown keys, and a key text two sellers share (no credential says whose it is).
    let other = shop(&app, "other").await;
    let shared = "SHARED-KEY-1";
    for shop in [&s, &other] {
        let spec = licensd::store::licenses::NewLicenses {
            seller_id: shop.seller_id,
            app_id: shop.app_id,
            plan_id: shop.plan_id,
            duration_secs: None,
            expires_at: None,
            max_activations: None,
            note: String::new(),
            reseller_id: None,
            order_id: None,
            customer_id: None,
        };
        app.store().insert_licenses(&spec, &[shared.to_owned()]).await.unwrap();
    }
    for (call, flag) in [("activate", "activated"), ("validate", "valid"), ("deactivate", "deactivated")] {
        for k in ["NO-SUCH-KEY", shared] {
            let got = form(&app, call, &[("license_key", k), ("instance_name", "x"), ("instance_id", "x")]).await;
            assert_eq!(got, (404, json!({flag: false, "error": "license_key not found."})), "{call} {k}");
        }
    }
    // The Licenses API, which knows the seller from its token, still serves the shared text.
    assert_eq!(sellapp_activate(&app, &s.token, shared, "pc").await.0, 200);

    // Missing, empty and oversized fields: 422 in Laravel's words; bad JSON likewise.
    let k = key(&app, &s, limited(1)).await;
    let long = "n".repeat(256);
    let cases: [Invalid; 5] = [
        ("activate", vec![("instance_name", "x")], "The license key field is required."),
        ("activate", vec![("license_key", &k.key), ("instance_name", " ")], "The instance name field is required."),
        ("deactivate", vec![("license_key", &k.key)], "The instance id field is required."),
        ("validate", vec![("license_key", "")], "The license key field is required."),
        (
            "activate",
            vec![("license_key", &k.key), ("instance_name", &long)],
            "The instance name field must not be greater than 255 characters.",
        ),
    ];
    let flags = |call: &str| match call {
        "activate" => "activated",
        "validate" => "valid",
        _ => "deactivated",
    };
    for (call, fields, message) in cases {
        assert_eq!(
            form(&app, call, &fields).await,
            (422, json!({flags(call): false, "error": message})),
            "{call} {fields:?}"
        );
    }
    let res = app.http.post(app.url("/v1/licenses/validate")).body("{\"license_key\": ").send().await.unwrap();
    assert_eq!(split(res).await, (422, json!({"valid": false, "error": "The request body is not valid JSON."})));
    let res = app.http.get(app.url("/v1/licenses/validate")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(
        app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations,
        0,
        "refusals change nothing"
    );
}

/// Limit 3, ten machines at once: five through Lemon Squeezy's API, five through the Licenses
/// API. Exactly three activations exist afterwards, whichever API they came through.
async fn one_limit_across_both_apis_under_a_race(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(3)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..10 {
        let (http, key, token) = (app.http.clone(), k.key.clone(), s.token.clone());
        let (ls, v2) = (app.url("/v1/licenses/activate"), app.url("/api/v2/licenses/activate"));
        tasks.spawn(async move {
            let name = format!("pc-{n}");
            let req = if n % 2 == 0 {
                http.post(ls).form(&[("license_key", key.as_str()), ("instance_name", name.as_str())])
            } else {
                http.post(v2).bearer_auth(token).json(&json!({"license_key": key, "instance_name": name}))
            };
            (n % 2 == 0, split(req.send().await.unwrap()).await)
        });
    }
    let answers = tasks.join_all().await;
    let won = answers.iter().filter(|(_, (status, _))| *status == 200).count();
    assert_eq!(won, 3, "{answers:?}");
    for (ls, (status, body)) in &answers {
        match (ls, status) {
            (_, 200) => {}
            (true, 400) => assert_eq!(body["error"], "This license key has reached the activation limit."),
            (false, 422) => assert_eq!(body["message"], "This license key has reached its activation limit."),
            _ => panic!("unexpected answer: {body}"),
        }
    }
    let l = app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap();
    assert_eq!(l.activations, 3);
    let (_, listed) = app.get_json(&format!("/api/v2/license-keys/{}/instances", k.id), &s.token).await;
    assert_eq!(listed["meta"]["total"], 3);
}

async fn rate_limit_per_client_address(app: TestApp) {
    let engine = app.engine;
    drop(app);
    let app = TestApp::spawn_with(engine, |c| c.lemonsqueezy_rate_limit_per_min = 3).await;
    let into_window = now_ms().rem_euclid(60_000);
    if into_window > 50_000 {
        tokio::time::sleep(std::time::Duration::from_millis((60_500 - into_window) as u64)).await;
    }
    for n in 0..3 {
        assert_eq!(form(&app, "validate", &[("license_key", "NOPE")]).await.0, 404, "request {n}");
    }
    let res = app.http.post(app.url("/v1/licenses/validate")).form(&[("license_key", "NOPE")]).send().await.unwrap();
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(split(res).await, (429, json!({"error": "Too Many Attempts."})));
}
