//! Licenses API v2 over HTTP: every endpoint, its shapes and field types, and every failure.
//! Fixtures are made directly through the store (seller, app, plan, keys, store token).

use crate::engine_tests;
use crate::harness::{TestApp, split};
use licensd::domain::ids::{AppId, CustomerId, LicenseId, PlanId, SellerId};
use licensd::domain::{secret::random_string, time::now_ms};
use licensd::store::{customers::NewOrder, licenses::NewLicenses, tokens::TokenKind};
use serde_json::{Value, json};

/// A seller with an app, a plan and a store token.
pub struct Shop {
    pub seller_id: SellerId,
    pub name: String,
    pub ownerid: String,
    pub token: String,
    pub app_id: AppId,
    pub plan_id: PlanId,
}

/// How a test key differs from an unlimited, never-expiring, fresh key.
#[derive(Default, Clone)]
pub struct KeySpec {
    pub limit: Option<i64>,
    pub expires_at: Option<i64>,
    pub duration_secs: Option<i64>,
    pub customer_id: Option<CustomerId>,
    pub order_id: Option<i64>,
}

/// A created key: its database id and its string.
pub struct Key {
    pub id: i64,
    pub key: String,
}

pub async fn shop(app: &TestApp, name: &str) -> Shop {
    let store = app.store();
    let seller = store.create_seller(name, "").await.unwrap();
    let token = store.create_token(TokenKind::Store, Some(seller.id), "store").await.unwrap().1;
    let a = store.create_app(seller.id, "app").await.unwrap();
    let plan = store.create_plan(a.id, "lifetime", 1, None).await.unwrap();
    Shop { seller_id: seller.id, name: seller.name, ownerid: seller.ownerid, token, app_id: a.id, plan_id: plan.id }
}

pub async fn key(app: &TestApp, shop: &Shop, spec: KeySpec) -> Key {
    let spec = NewLicenses {
        seller_id: shop.seller_id,
        app_id: shop.app_id,
        plan_id: shop.plan_id,
        duration_secs: spec.duration_secs,
        expires_at: spec.expires_at,
        max_activations: spec.limit,
        note: String::new(),
        reseller_id: None,
        order_id: spec.order_id,
        customer_id: spec.customer_id,
    };
    let text = format!("K-{}", random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20));
    let inserted = app.store().insert_licenses(&spec, std::slice::from_ref(&text)).await.unwrap();
    assert_eq!(inserted.iter().map(|(_, k)| k).collect::<Vec<_>>(), vec![&text]);
    let id = app.store().license_by_key(shop.seller_id, &text).await.unwrap().id;
    assert_eq!(inserted[0].0, id);
    Key { id: id.get(), key: text }
}

/// A paid order of the shop's app and plan by customer `customer_id`.
pub fn order_of(shop: &Shop, customer_id: CustomerId, external_id: &str) -> NewOrder {
    NewOrder {
        seller_id: shop.seller_id,
        store: "lemonsqueezy".into(),
        external_id: external_id.into(),
        app_id: Some(shop.app_id),
        plan_id: Some(shop.plan_id),
        customer_id,
        amount: 1999,
        currency: "USD".into(),
    }
}

pub fn limited(limit: i64) -> KeySpec {
    KeySpec { limit: Some(limit), ..KeySpec::default() }
}

pub async fn activate(app: &TestApp, token: &str, key: &str, name: &str) -> (u16, Value) {
    app.post_json("/api/v2/licenses/activate", token, &json!({"license_key": key, "instance_name": name})).await
}

pub async fn patch(app: &TestApp, token: &str, id: i64, body: &Value) -> (u16, Value) {
    let res = app.http.patch(app.url(&format!("/api/v2/license-keys/{id}"))).bearer_auth(token).json(body).send().await;
    split(res.unwrap()).await
}

/// POSTs every body at once (each its own task), optionally with one `Idempotency-Key`.
pub async fn burst(
    app: &TestApp,
    token: &str,
    path: &str,
    idem: Option<&str>,
    bodies: Vec<Value>,
) -> Vec<(u16, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for body in bodies {
        let mut req = app.http.post(app.url(path)).bearer_auth(token).json(&body);
        if let Some(k) = idem {
            req = req.header("Idempotency-Key", k);
        }
        tasks.spawn(async move { split(req.send().await.unwrap()).await });
    }
    tasks.join_all().await
}

/// `2025-04-22T20:08:39.000000Z`: ISO 8601 UTC with six fractional digits.
pub fn assert_iso_micros(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a timestamp: {v}"));
    let b = s.as_bytes();
    assert_eq!(s.len(), 27, "{s}");
    assert!(b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && b[26] == b'Z', "{s}");
    assert!(s[20..26].bytes().all(|c| c.is_ascii_digit()), "{s}");
}

engine_tests!(
    activate_validate_deactivate_round_trip,
    key_model_has_the_spec_types,
    activation_refusals_carry_the_key,
    validation_refusals,
    duration_starts_at_first_activation,
    invalid_bodies_name_the_field,
    authentication_and_x_store,
    another_store_sees_nothing,
    lists_are_paginated,
    instance_endpoints,
    patch_changes_limit_expiry_and_active,
    lowering_the_limit_deletes_the_oldest_instances,
    deactivate_is_idempotent_with_a_key,
    activate_is_idempotent_with_a_key,
    rate_limit_answers_429,
);

async fn activate_validate_deactivate_round_trip(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(3)).await;

    let (status, body) = activate(&app, &s.token, &k.key, "zezima@osrs.com").await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(body["name"], "zezima@osrs.com");
    assert_eq!(body["store_id"], s.seller_id.get());
    assert_eq!(body["license_key_id"], k.id);
    assert_iso_micros(&body["created_at"]);
    assert_iso_micros(&body["updated_at"]);
    // The seed's top-level object, and the same object under `data` for the SDK.
    let mut top = body.clone();
    top.as_object_mut().unwrap().remove("data");
    assert_eq!(body["data"], top);

    let (status, body) =
        app.post_json("/api/v2/licenses/validate", &s.token, &json!({"license_key": k.key, "instance_id": id})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid"], true);
    assert_eq!(body["license_key"]["id"], k.id);
    assert_eq!(body["license_key"]["instances_count"], 1);
    assert_eq!(body["instance"]["id"], id.as_str());
    assert_eq!(body["instance"]["name"], "zezima@osrs.com");
    assert_eq!(body["data"]["valid"], true);
    assert_eq!(body["data"]["license_key"], body["license_key"]);
    assert_eq!(body["data"]["instance"], body["instance"]);

    let (status, body) =
        app.post_json("/api/v2/licenses/deactivate", &s.token, &json!({"license_key": k.key, "instance_id": id})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"data": {"deactivated": true, "instance_id": id}}));

    let (status, body) =
        app.post_json("/api/v2/licenses/validate", &s.token, &json!({"license_key": k.key, "instance_id": id})).await;
    assert_eq!(status, 422);
    assert_eq!(body, json!({"message": "License key instance not found"}));
    assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 0);
    // Deactivating it again without an idempotency key: the instance is gone.
    let (status, body) =
        app.post_json("/api/v2/licenses/deactivate", &s.token, &json!({"license_key": k.key, "instance_id": id})).await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "License key instance not found");
    let (status, body) = app
        .post_json("/api/v2/licenses/deactivate", &s.token, &json!({"license_key": "nope", "instance_id": id}))
        .await;
    assert_eq!((status, body), (422, json!({"message": "License key not found"})));
}

async fn key_model_has_the_spec_types(app: TestApp) {
    let s = shop(&app, "acme").await;
    let buyer = app.store().customer_by_email(s.seller_id, "ann@example.com", "Ann").await.unwrap();
    let order = app.store().record_order(&order_of(&s, buyer.id, "LS-1001")).await.unwrap();
    let k = key(
        &app,
        &s,
        KeySpec { limit: Some(4), order_id: Some(order.id), customer_id: Some(buyer.id), ..KeySpec::default() },
    )
    .await;
    let (status, body) = app.get_json(&format!("/api/v2/license-keys/{}", k.id), &s.token).await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    assert_eq!(d["id"], k.id);
    assert_eq!(d["key"], k.key.as_str());
    assert_eq!(d["limit"], 4);
    assert_eq!(d["active"], 1);
    assert_eq!(d["status"], "ACTIVE");
    assert_eq!(d["expires_at"], Value::Null);
    assert_eq!(d["is_expired"], false);
    assert_eq!(d["store_id"], s.seller_id.get());
    assert_eq!(d["order_id"], order.id);
    assert_eq!(d["invoice_id"], Value::Null);
    assert_eq!(d["product_id"], s.app_id.get());
    assert_eq!(d["variant_id"], s.plan_id.get());
    assert_eq!(d["customer_id"], buyer.id.get());
    assert_eq!(d["subscription_id"], Value::Null);
    assert_iso_micros(&d["created_at"]);
    assert_iso_micros(&d["updated_at"]);
    assert!(d.get("instances_count").is_none(), "GET shows no count, as the seed: {d}");

    // Unlimited key without a buyer: null limit, the seller's default customer, no order.
    let open = key(&app, &s, KeySpec::default()).await;
    let (_, body) = app.get_json(&format!("/api/v2/license-keys/{}", open.id), &s.token).await;
    assert_eq!(body["data"]["limit"], Value::Null);
    let default = app.store().default_customer(s.seller_id).await.unwrap();
    assert_eq!((default.email.as_str(), default.name.as_str()), ("", ""));
    assert_eq!(body["data"]["customer_id"], default.id.get());
    assert_eq!(body["data"]["order_id"], Value::Null);

    // A fixed expiry in the past: EXPIRED, is_expired true, expires_at printed with microseconds.
    let old = key(&app, &s, KeySpec { expires_at: Some(1_745_352_519_000), ..KeySpec::default() }).await;
    let (_, body) = app.get_json(&format!("/api/v2/license-keys/{}", old.id), &s.token).await;
    assert_eq!(body["data"]["status"], "EXPIRED");
    assert_eq!(body["data"]["is_expired"], true);
    assert_eq!(body["data"]["expires_at"], "2025-04-22T20:08:39.000000Z");

    // A banned key is INACTIVE while its flag stays 1 (status and active are separate, as documented).
    app.store().set_license_ban(s.seller_id, LicenseId(k.id), Some("chargeback")).await.unwrap();
    let (_, body) = app.get_json(&format!("/api/v2/license-keys/{}", k.id), &s.token).await;
    assert_eq!(body["data"]["status"], "INACTIVE");
    assert_eq!(body["data"]["active"], 1);
}

async fn activation_refusals_carry_the_key(app: TestApp) {
    let s = shop(&app, "acme").await;
    let (status, body) = activate(&app, &s.token, "NO-SUCH-KEY", "pc").await;
    assert_eq!((status, body), (422, json!({"message": "License key not found"})));

    let one = key(&app, &s, limited(1)).await;
    assert_eq!(activate(&app, &s.token, &one.key, "pc-1").await.0, 200);
    let (status, body) = activate(&app, &s.token, &one.key, "pc-2").await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"message": "This license key has reached its activation limit.",
               "license_key": {"id": one.id, "status": "ACTIVE", "expired_at": null}})
    );

    let expired = key(&app, &s, KeySpec { expires_at: Some(1_745_352_519_000), ..KeySpec::default() }).await;
    let (status, body) = activate(&app, &s.token, &expired.key, "pc").await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "This license key has expired.");
    assert_eq!(
        body["license_key"],
        json!({"id": expired.id, "status": "EXPIRED", "expired_at": "2025-04-22T20:08:39.000000Z"})
    );

    let off = key(&app, &s, KeySpec::default()).await;
    assert_eq!(patch(&app, &s.token, off.id, &json!({"active": false})).await.0, 200);
    let (status, body) = activate(&app, &s.token, &off.key, "pc").await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "This license key is not active.");
    assert_eq!(body["license_key"]["status"], "INACTIVE");

    let banned = key(&app, &s, KeySpec::default()).await;
    app.store().set_license_ban(s.seller_id, LicenseId(banned.id), Some("fraud")).await.unwrap();
    let (status, body) = activate(&app, &s.token, &banned.key, "pc").await;
    assert_eq!(status, 422);
    assert_eq!(body["license_key"]["status"], "INACTIVE");
    // None of the refusals counted an activation.
    for k in [&expired, &off, &banned] {
        assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 0);
    }
    assert_eq!(app.store().license(s.seller_id, LicenseId(one.id)).await.unwrap().activations, 1);
}

async fn validation_refusals(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, KeySpec::default()).await;
    let other = key(&app, &s, KeySpec::default()).await;
    let (_, body) = activate(&app, &s.token, &k.key, "pc").await;
    let instance = body["id"].as_str().unwrap().to_owned();
    let (_, body) = activate(&app, &s.token, &other.key, "pc").await;
    let other_instance = body["id"].as_str().unwrap().to_owned();
    let validate = |key: String, instance: Value| {
        let app = &app;
        let token = s.token.clone();
        async move {
            app.post_json("/api/v2/licenses/validate", &token, &json!({"license_key": key, "instance_id": instance}))
                .await
        }
    };

    let (status, body) = validate("NOPE".into(), json!(instance)).await;
    assert_eq!((status, body), (422, json!({"message": "License key not found"})));
    let (status, body) = validate(k.key.clone(), json!("00000000-0000-4000-8000-000000000000")).await;
    assert_eq!((status, body), (422, json!({"message": "License key instance not found"})));
    // An instance of another key does not validate this one.
    let (status, _) = validate(k.key.clone(), json!(other_instance)).await;
    assert_eq!(status, 422);
    // Without instance_id the key alone is checked (the SDK allows that): instance is null.
    let (status, body) = validate(k.key.clone(), Value::Null).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance"], Value::Null);
    assert_eq!(body["license_key"]["instances_count"], 1);

    assert_eq!(patch(&app, &s.token, k.id, &json!({"active": false})).await.0, 200);
    let (status, body) = validate(k.key.clone(), json!(instance)).await;
    assert_eq!((status, body), (422, json!({"message": "This license key is not active."})));

    // Expired after activation (the seller moved the expiry into the past directly).
    let store = app.store();
    let exp = key(&app, &s, KeySpec { expires_at: Some(now_ms() + 400), ..KeySpec::default() }).await;
    let (status, body) = activate(&app, &s.token, &exp.key, "pc").await;
    assert_eq!(status, 200, "{body}");
    let exp_instance_id = body["id"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (status, body) = validate(exp.key.clone(), exp_instance_id.clone()).await;
    assert_eq!((status, body), (422, json!({"message": "This license key has expired."})));
    assert_eq!(store.license(s.seller_id, LicenseId(exp.id)).await.unwrap().activations, 1);

    // Switched-off and expired keys can still release their machines.
    for (k, id) in [(&k.key, json!(instance)), (&exp.key, exp_instance_id)] {
        let (status, body) =
            app.post_json("/api/v2/licenses/deactivate", &s.token, &json!({"license_key": k, "instance_id": id})).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(store.license(s.seller_id, LicenseId(exp.id)).await.unwrap().activations, 0);
}

async fn duration_starts_at_first_activation(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, KeySpec { duration_secs: Some(3_600), ..KeySpec::default() }).await;
    let path = format!("/api/v2/license-keys/{}", k.id);
    let (_, body) = app.get_json(&path, &s.token).await;
    assert_eq!(body["data"]["expires_at"], Value::Null, "not started yet");

    let before = now_ms();
    assert_eq!(activate(&app, &s.token, &k.key, "pc-1").await.0, 200);
    let after = now_ms();
    let stored = app
        .store()
        .license(s.seller_id, LicenseId(k.id))
        .await
        .unwrap()
        .expires_at
        .expect("expiry set on activation")
        .get();
    assert!((before + 3_600_000..=after + 3_600_000).contains(&stored), "{before} {stored} {after}");
    let (_, body) = app.get_json(&path, &s.token).await;
    assert_eq!(body["data"]["expires_at"], licensd::domain::time::iso_micros(stored));
    assert_eq!(body["data"]["status"], "ACTIVE");

    // A later activation does not restart the clock.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(activate(&app, &s.token, &k.key, "pc-2").await.0, 200);
    assert_eq!(
        app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().expires_at.map(i64::from),
        Some(stored)
    );
}

async fn invalid_bodies_name_the_field(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(2)).await;
    let raw = |path: &'static str, body: &'static str| {
        let app = &app;
        let token = s.token.clone();
        async move {
            let res = app
                .http
                .post(app.url(path))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            split(res).await
        }
    };
    let (status, body) = raw("/api/v2/licenses/activate", "{\"license_key\": ").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["body"][0], "The request body must be a JSON object.");
    let (status, body) = raw("/api/v2/licenses/activate", "[1,2]").await;
    assert_eq!((status, body["errors"]["body"].is_array()), (422, true));
    let (status, body) = raw("/api/v2/licenses/activate", "").await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "The license key field is required. (and 1 more error)");
    assert_eq!(body["errors"]["license_key"][0], "The license key field is required.");
    assert_eq!(body["errors"]["instance_name"][0], "The instance name field is required.");

    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "/api/v2/licenses/activate",
            json!({"license_key": 5, "instance_name": "x"}),
            "license_key",
            "must be a string",
        ),
        (
            "/api/v2/licenses/activate",
            json!({"license_key": k.key, "instance_name": ["x"]}),
            "instance_name",
            "must be a string",
        ),
        (
            "/api/v2/licenses/activate",
            json!({"license_key": k.key, "instance_name": "x".repeat(256)}),
            "instance_name",
            "greater than 255",
        ),
        ("/api/v2/licenses/validate", json!({"license_key": null}), "license_key", "is required"),
        (
            "/api/v2/licenses/validate",
            json!({"license_key": k.key, "instance_id": 12}),
            "instance_id",
            "must be a string",
        ),
        ("/api/v2/licenses/deactivate", json!({"license_key": k.key}), "instance_id", "is required"),
        (
            "/api/v2/licenses/deactivate",
            json!({"license_key": {"a": 1}, "instance_id": "x"}),
            "license_key",
            "must be a string",
        ),
    ];
    for (path, body, field, words) in cases {
        let (status, answer) = app.post_json(path, &s.token, &body).await;
        assert_eq!(status, 422, "{path} {body}: {answer}");
        let msg = answer["errors"][field][0].as_str().unwrap_or_else(|| panic!("{path} {body}: {answer}"));
        assert!(msg.contains(words), "{msg}");
    }
    // NUL and other control characters (PostgreSQL text cannot hold NUL) are refused by name.
    for (path, body, field) in [
        ("/api/v2/licenses/activate", json!({"license_key": k.key, "instance_name": "a\u{0}b"}), "instance_name"),
        ("/api/v2/licenses/validate", json!({"license_key": "K\u{0}", "instance_id": "x"}), "license_key"),
        ("/api/v2/licenses/deactivate", json!({"license_key": k.key, "instance_id": "\u{7}"}), "instance_id"),
    ] {
        let (status, answer) = app.post_json(path, &s.token, &body).await;
        assert_eq!(status, 422, "{path}: {answer}");
        assert!(answer["errors"][field][0].as_str().unwrap().contains("control characters"), "{answer}");
    }
    // Unknown fields are ignored.
    let (status, _) = app
        .post_json(
            "/api/v2/licenses/activate",
            &s.token,
            &json!({"license_key": k.key, "instance_name": "x", "extra": [1]}),
        )
        .await;
    assert_eq!(status, 200);

    let patches: Vec<(Value, &str, &str)> = vec![
        (json!({"limit": 0}), "limit", "at least 1"),
        (json!({"limit": -5}), "limit", "at least 1"),
        (json!({"limit": 1e40}), "limit", "must be an integer"),
        (json!({"limit": 9_999_999_999i64}), "limit", "not be greater than"),
        (json!({"limit": "many"}), "limit", "must be an integer"),
        (json!({"limit": 2.5}), "limit", "must be an integer"),
        (json!({"expires_at": "2001-01-01 00:00:00"}), "expires_at", "date after now"),
        (json!({"expires_at": "next tuesday"}), "expires_at", "valid date"),
        (json!({"expires_at": 1_900_000_000}), "expires_at", "valid date"),
        (json!({"active": "maybe"}), "active", "true or false"),
        (json!({"active": 2}), "active", "true or false"),
    ];
    for (body, field, words) in patches {
        let (status, answer) = patch(&app, &s.token, k.id, &body).await;
        assert_eq!(status, 422, "{body}: {answer}");
        let msg = answer["errors"][field][0].as_str().unwrap_or_else(|| panic!("{body}: {answer}"));
        assert!(msg.contains(words), "{body}: {msg}");
    }
    // An integer literal beyond i64, sent as written.
    let res = app
        .http
        .patch(app.url(&format!("/api/v2/license-keys/{}", k.id)))
        .bearer_auth(&s.token)
        .header("content-type", "application/json")
        .body(r#"{"limit": 99999999999999999999999}"#)
        .send()
        .await
        .unwrap();
    let (status, answer) = split(res).await;
    assert_eq!((status, answer["errors"]["limit"][0].clone()), (422, json!("The limit field must be an integer.")));
    // Several bad fields at once are all named.
    let (status, answer) = patch(&app, &s.token, k.id, &json!({"limit": 0, "active": "x"})).await;
    assert_eq!(status, 422);
    assert!(answer["errors"]["limit"].is_array() && answer["errors"]["active"].is_array(), "{answer}");
    // Nothing was changed by the refused patches.
    let l = app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap();
    assert_eq!((l.max_activations, l.expires_at, l.active), (Some(2), None, true));
}

async fn authentication_and_x_store(app: TestApp) {
    let s = shop(&app, "acme").await;
    let other = shop(&app, "other").await;
    let k = key(&app, &s, KeySpec::default()).await;
    let path = format!("/api/v2/license-keys/{}", k.id);

    let res = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(split(res).await, (401, json!({"message": "Unauthenticated."})));
    let res = app.http.get(app.url(&path)).header("authorization", "Basic abc").send().await.unwrap();
    assert_eq!(split(res).await.0, 401);
    assert_eq!(app.get_json(&path, "lsd_store_wrong").await, (401, json!({"message": "Unauthenticated."})));
    // Admin and operator tokens are not store tokens.
    let seller_token = app.store().create_token(TokenKind::Seller, Some(s.seller_id), "admin").await.unwrap().1;
    assert_eq!(app.get_json(&path, &seller_token).await.0, 401);
    assert_eq!(app.get_json(&path, &app.operator_token().await).await.0, 401);
    // A revoked store token stops working.
    let (revoked, secret) = app.store().create_token(TokenKind::Store, Some(s.seller_id), "old").await.unwrap();
    assert_eq!(app.get_json(&path, &secret).await.0, 200);
    app.store().revoke_token(revoked.id, Some(s.seller_id)).await.unwrap();
    assert_eq!(app.get_json(&path, &secret).await.0, 401);
    // Unauthenticated POSTs are refused before the body is looked at.
    let res = app.http.post(app.url("/api/v2/licenses/activate")).body("garbage").send().await.unwrap();
    assert_eq!(split(res).await.0, 401);

    // X-STORE: the seller's id, name or owner id pass; anything else is 403.
    let with_store = |store: String| {
        let app = &app;
        let (path, token) = (path.clone(), s.token.clone());
        async move {
            split(app.http.get(app.url(&path)).bearer_auth(token).header("x-store", store).send().await.unwrap()).await
        }
    };
    for good in [s.seller_id.to_string(), s.name.clone(), s.ownerid.clone()] {
        assert_eq!(with_store(good.clone()).await.0, 200, "{good}");
    }
    for bad in [other.seller_id.to_string(), other.name.clone(), "999999".into(), "".into()] {
        let (status, body) = with_store(bad.clone()).await;
        assert_eq!(status, 403, "{bad}");
        assert_eq!(body["message"], "This token does not belong to the store named in X-STORE.");
    }
}

/// Store B's token gets exactly what it would get for keys that do not exist, on every endpoint.
async fn another_store_sees_nothing(app: TestApp) {
    let a = shop(&app, "a").await;
    let b = shop(&app, "b").await;
    let ka = key(&app, &a, limited(5)).await;
    let (_, body) = activate(&app, &a.token, &ka.key, "pc").await;
    let ia = body["id"].as_str().unwrap().to_owned();
    let missing_id = ka.id + 1_000;

    for suffix in ["", "/instances", &format!("/instances/{ia}")] {
        let foreign = app.get_json(&format!("/api/v2/license-keys/{}{suffix}", ka.id), &b.token).await;
        let missing = app.get_json(&format!("/api/v2/license-keys/{missing_id}{suffix}"), &b.token).await;
        assert_eq!(foreign.0, 404, "{suffix}: {}", foreign.1);
        assert_eq!(foreign, missing, "{suffix}");
    }
    let foreign = patch(&app, &b.token, ka.id, &json!({"limit": 1})).await;
    assert_eq!(foreign.0, 404);
    assert_eq!(foreign, patch(&app, &b.token, missing_id, &json!({"limit": 1})).await);

    let bodies = [
        (
            "/api/v2/licenses/activate",
            json!({"license_key": ka.key, "instance_name": "x"}),
            json!({"license_key": "ZZZ", "instance_name": "x"}),
        ),
        (
            "/api/v2/licenses/validate",
            json!({"license_key": ka.key, "instance_id": ia}),
            json!({"license_key": "ZZZ", "instance_id": ia}),
        ),
        (
            "/api/v2/licenses/deactivate",
            json!({"license_key": ka.key, "instance_id": ia}),
            json!({"license_key": "ZZZ", "instance_id": ia}),
        ),
    ];
    for (path, foreign, missing) in bodies {
        let f = app.post_json(path, &b.token, &foreign).await;
        assert_eq!(f.0, 422, "{path}");
        assert_eq!(f, app.post_json(path, &b.token, &missing).await, "{path}");
    }
    // B's lists are empty; A's key and instance are untouched.
    let (_, keys) = app.get_json("/api/v2/license-keys", &b.token).await;
    assert_eq!(keys["meta"]["total"], 0);
    let (_, inst) = app.get_json("/api/v2/license-key-instances", &b.token).await;
    assert_eq!(inst["meta"]["total"], 0);
    let l = app.store().license(a.seller_id, LicenseId(ka.id)).await.unwrap();
    assert_eq!((l.activations, l.max_activations), (1, Some(5)));
}

async fn lists_are_paginated(app: TestApp) {
    let s = shop(&app, "acme").await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(key(&app, &s, KeySpec::default()).await.id);
    }
    let (status, body) = app.get_json("/api/v2/license-keys?limit=7&page=2", &s.token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"].as_array().unwrap().len(), 7);
    let meta = &body["meta"];
    assert_eq!((meta["current_page"].as_i64(), meta["last_page"].as_i64()), (Some(2), Some(3)));
    assert_eq!((meta["per_page"].as_i64(), meta["total"].as_i64()), (Some(7), Some(20)));
    assert_eq!((meta["from"].as_i64(), meta["to"].as_i64()), (Some(8), Some(14)));
    assert_eq!(body["links"]["next"], "/api/v2/license-keys?limit=7&page=3");
    assert_eq!(body["links"]["prev"], "/api/v2/license-keys?limit=7&page=1");
    assert_eq!(body["links"]["first"], "/api/v2/license-keys?limit=7&page=1");
    assert_eq!(body["links"]["last"], "/api/v2/license-keys?limit=7&page=3");
    // Every key exactly once across the pages, in the key model.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (_, body) = app.get_json(&format!("/api/v2/license-keys?limit=7&page={page}"), &s.token).await;
        for item in body["data"].as_array().unwrap() {
            assert_eq!(item["store_id"], s.seller_id.get());
            assert!(item["is_expired"].is_boolean() && item["active"].is_i64());
            seen.push(item["id"].as_i64().unwrap());
        }
    }
    seen.sort();
    assert_eq!(seen, ids);

    let (_, body) = app.get_json("/api/v2/license-keys", &s.token).await;
    assert_eq!(body["meta"]["per_page"], 15);
    assert_eq!(body["data"].as_array().unwrap().len(), 15);
    assert_eq!(body["links"]["prev"], Value::Null);
    let (_, body) = app.get_json("/api/v2/license-keys?page=9", &s.token).await;
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["meta"]["from"], Value::Null);
    let (_, body) = app.get_json("/api/v2/license-keys?limit=100000&order=desc&before=x", &s.token).await;
    assert_eq!(body["meta"]["per_page"], 100);
    for (query, field) in [("limit=abc", "limit"), ("limit=0", "limit"), ("page=-1", "page"), ("page=1e99", "page")] {
        let (status, body) = app.get_json(&format!("/api/v2/license-keys?{query}"), &s.token).await;
        assert_eq!(status, 422, "{query}");
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
    let (status, body) = app.get_json("/api/v2/license-keys?page=99999999999999", &s.token).await;
    assert_eq!((status, body["data"].clone()), (200, json!([])));
}

async fn instance_endpoints(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k1 = key(&app, &s, KeySpec::default()).await;
    let k2 = key(&app, &s, KeySpec::default()).await;
    let mut instances = Vec::new();
    for n in 0..3 {
        let (_, body) = activate(&app, &s.token, &k1.key, &format!("pc-{n}")).await;
        instances.push(body["id"].as_str().unwrap().to_owned());
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    activate(&app, &s.token, &k2.key, "other").await;

    let (status, body) = app.get_json(&format!("/api/v2/license-keys/{}/instances?limit=2", k1.id), &s.token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["total"], 3);
    assert_eq!(body["meta"]["last_page"], 2);
    let first = &body["data"][0];
    assert_eq!(first["id"], instances[2].as_str(), "newest first");
    assert_eq!(first["license_key_id"], k1.id);
    assert_eq!(first["store_id"], s.seller_id.get());
    assert_iso_micros(&first["created_at"]);

    let (status, body) =
        app.get_json(&format!("/api/v2/license-keys/{}/instances/{}", k1.id, instances[0]), &s.token).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["name"], "pc-0");
    // The instance exists, but not under this key.
    let (status, body) =
        app.get_json(&format!("/api/v2/license-keys/{}/instances/{}", k2.id, instances[0]), &s.token).await;
    assert_eq!((status, body), (404, json!({"message": "License key instance not found"})));

    let (_, body) = app.get_json("/api/v2/license-key-instances", &s.token).await;
    assert_eq!(body["meta"]["total"], 4);
    assert_eq!(body["data"][0]["name"], "other");

    // Ids that are not ids are 404s, never 500s.
    for path in [
        "/api/v2/license-keys/abc",
        "/api/v2/license-keys/99999999999999999999999",
        "/api/v2/license-keys/-1/instances",
        "/api/v2/license-keys/%FF",
    ] {
        let (status, body) = app.get_json(path, &s.token).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    // A key without instances lists none (and is not a 404).
    let k3 = key(&app, &s, KeySpec::default()).await;
    let (status, body) = app.get_json(&format!("/api/v2/license-keys/{}/instances", k3.id), &s.token).await;
    assert_eq!((status, body["meta"]["total"].clone()), (200, json!(0)));
}

async fn patch_changes_limit_expiry_and_active(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(2)).await;
    activate(&app, &s.token, &k.key, "pc").await;

    let (status, body) =
        patch(&app, &s.token, k.id, &json!({"limit": 10, "expires_at": "2031-05-03 20:00:00", "active": false})).await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    assert_eq!(d["limit"], 10);
    assert_eq!(d["expires_at"], "2031-05-03T20:00:00.000000Z");
    assert_eq!(d["active"], 0);
    assert_eq!(d["status"], "INACTIVE");
    assert_eq!(d["is_expired"], false);
    assert_eq!(d["instances_count"], 1);
    assert_iso_micros(&d["updated_at"]);

    // ISO 8601 too; omitted fields stay as they are.
    let (status, body) =
        patch(&app, &s.token, k.id, &json!({"expires_at": "2032-01-01T10:00:00+02:00", "active": true})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["expires_at"], "2032-01-01T08:00:00.000000Z");
    assert_eq!(body["data"]["limit"], 10);
    assert_eq!(body["data"]["status"], "ACTIVE");

    // null: unlimited, never expires. An empty patch changes nothing.
    let (status, body) = patch(&app, &s.token, k.id, &json!({"limit": null, "expires_at": null})).await;
    assert_eq!(status, 200);
    assert_eq!((body["data"]["limit"].clone(), body["data"]["expires_at"].clone()), (Value::Null, Value::Null));
    let (status, body) = patch(&app, &s.token, k.id, &json!({})).await;
    assert_eq!((status, body["data"]["active"].clone()), (200, json!(1)));
    let l = app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap();
    assert_eq!((l.max_activations, l.expires_at, l.active, l.activations), (None, None, true, 1));

    // Each change is in the seller's audit trail in the store token's name, with what it set.
    let audit = app.store().list_audit(Some(s.seller_id), licensd::store::Page::new(50, 1)).await.unwrap();
    let updates: Vec<_> = audit.iter().filter(|e| e.action == "license.update").rev().collect();
    assert_eq!(updates.len(), 4, "{audit:?}");
    assert!(updates.iter().all(|e| e.actor.starts_with("token:") && e.target == format!("license:{}", k.id)));
    assert_eq!(updates[0].detail, "limit=10 expires_at=1935604800000 active=false");
    assert_eq!(updates[2].detail, "limit=unlimited expires_at=never");
    assert_eq!(updates[3].detail, "");
}

async fn lowering_the_limit_deletes_the_oldest_instances(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(5)).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let (status, body) = activate(&app, &s.token, &k.key, &format!("pc-{n}")).await;
        assert_eq!(status, 200);
        ids.push(body["id"].as_str().unwrap().to_owned());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (status, body) = patch(&app, &s.token, k.id, &json!({"limit": 2})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["instances_count"], 2);
    assert_eq!(body["data"]["limit"], 2);
    let (_, list) = app.get_json(&format!("/api/v2/license-keys/{}/instances", k.id), &s.token).await;
    let left: Vec<&str> = list["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(left, vec![ids[4].as_str(), ids[3].as_str()], "the two newest remain");
    assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 2);
    let (status, _) = activate(&app, &s.token, &k.key, "pc-new").await;
    assert_eq!(status, 422, "the lowered limit is full");
    // Raising the limit deletes nothing.
    let (_, body) = patch(&app, &s.token, k.id, &json!({"limit": 4})).await;
    assert_eq!(body["data"]["instances_count"], 2);
}

async fn post_with_key(app: &TestApp, token: &str, path: &str, idem: &str, body: &Value) -> (u16, Value) {
    let res = app.http.post(app.url(path)).bearer_auth(token).header("Idempotency-Key", idem).json(body).send().await;
    split(res.unwrap()).await
}

async fn deactivate_is_idempotent_with_a_key(app: TestApp) {
    let s = shop(&app, "acme").await;
    let b = shop(&app, "b").await;
    let k = key(&app, &s, limited(3)).await;
    let (_, body) = activate(&app, &s.token, &k.key, "pc").await;
    let instance = body["id"].as_str().unwrap().to_owned();
    let req = json!({"license_key": k.key, "instance_id": instance});

    let first = post_with_key(&app, &s.token, "/api/v2/licenses/deactivate", "retry-1", &req).await;
    assert_eq!(first, (200, json!({"data": {"deactivated": true, "instance_id": instance}})));
    let again = post_with_key(&app, &s.token, "/api/v2/licenses/deactivate", "retry-1", &req).await;
    assert_eq!(again, first, "the same key replays the first answer");
    let fresh = post_with_key(&app, &s.token, "/api/v2/licenses/deactivate", "retry-2", &req).await;
    assert_eq!(fresh, (422, json!({"message": "License key instance not found"})));
    assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 0);
    // Another store's same key is its own key: it does not see store A's answer.
    let other = post_with_key(&app, &b.token, "/api/v2/licenses/deactivate", "retry-1", &req).await;
    assert_eq!(other, (422, json!({"message": "License key not found"})));
    // A malformed key is a 422 naming the header.
    let long = "k".repeat(300);
    let (status, body) = post_with_key(&app, &s.token, "/api/v2/licenses/deactivate", &long, &req).await;
    assert_eq!(status, 422);
    assert!(body["errors"]["Idempotency-Key"].is_array(), "{body}");
    // Concurrent repeats with one key: one deactivation, one answer.
    let (_, body) = activate(&app, &s.token, &k.key, "pc2").await;
    let req = json!({"license_key": k.key, "instance_id": body["id"]});
    let answers = burst(&app, &s.token, "/api/v2/licenses/deactivate", Some("burst"), vec![req; 8]).await;
    assert!(answers.iter().all(|a| a == &answers[0] && a.0 == 200), "{answers:?}");
    assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 0);
}

async fn activate_is_idempotent_with_a_key(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(3)).await;
    let req = json!({"license_key": k.key, "instance_name": "pc"});
    let answers = burst(&app, &s.token, "/api/v2/licenses/activate", Some("act-1"), vec![req; 6]).await;
    assert!(answers.iter().all(|a| a == &answers[0] && a.0 == 200), "{answers:?}");
    assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 1);
    // The deactivate namespace is separate: the same header value there is a new request.
    let (status, _) = post_with_key(
        &app,
        &s.token,
        "/api/v2/licenses/deactivate",
        "act-1",
        &json!({"license_key": k.key, "instance_id": answers[0].1["id"]}),
    )
    .await;
    assert_eq!(status, 200);
}

async fn rate_limit_answers_429(app: TestApp) {
    // The harness app has the default limit; start one with a tiny limit on the same engine.
    let engine = app.engine;
    drop(app);
    let app = TestApp::spawn_with(engine, |c| c.licenses_rate_limit_per_min = 5).await;
    let s = shop(&app, "acme").await;
    let other = shop(&app, "other").await;
    // Stay inside one fixed minute window.
    let into_window = now_ms().rem_euclid(60_000);
    if into_window > 50_000 {
        tokio::time::sleep(std::time::Duration::from_millis((60_500 - into_window) as u64)).await;
    }
    for n in 0..5 {
        assert_eq!(app.get_json("/api/v2/license-keys", &s.token).await.0, 200, "request {n}");
    }
    let res = app.http.get(app.url("/api/v2/license-keys")).bearer_auth(&s.token).send().await.unwrap();
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(split(res).await, (429, json!({"message": "Too Many Attempts."})));
    // Other tokens have their own budget.
    assert_eq!(app.get_json("/api/v2/license-keys", &other.token).await.0, 200);
}
