//! Stripe's webhooks (`/hooks/stripe/{ownerid}`) with events shaped like Stripe's documented
//! payloads: a signed paid `checkout.session.completed` makes one key (replayed or delivered
//! 20 times at once), the PaymentIntent is the order that `charge.refunded` and
//! `charge.dispute.created` ban, and unsigned, badly signed, stale, malformed or unmapped
//! events get a 4xx and change nothing.

use crate::adminkit::call;
use crate::engine_tests;
use crate::harness::TestApp;
use crate::store_hooks::{Shop, connect, keys_of, post_signed, sign};
use futures_util::future::join_all;
use licensd::domain::time::now_ms;
use serde_json::{Value, json};

engine_tests!(
    paid_sessions_make_one_key_and_refunds_and_disputes_ban_it,
    bad_stripe_events_change_nothing,
    concurrent_stripe_deliveries_make_one_key
);

const SECRET: &str = "whsec_5f3c8a1e2d4b6a7c9e0f1a2b3c4d5e6f";

async fn stripe_shop(t: &TestApp) -> Shop<'_> {
    connect(t, "stripe", "plink_1MoC3ULkdIwHu7ixZjtGpVl2", Some(SECRET)).await
}

fn event(kind: &str, object: Value) -> Value {
    json!({
        "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "object": "event", "api_version": "2022-11-15",
        "created": 1686089970, "livemode": false, "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind, "data": { "object": object }
    })
}

/// A Payment Link's Checkout Session, as Stripe sends it (no line items in the event).
fn session(pi: &str, payment_status: &str) -> Value {
    json!({
        "id": format!("cs_test_{pi}"), "object": "checkout.session", "amount_subtotal": 1999,
        "amount_total": 1999, "currency": "usd", "customer": null, "customer_email": null,
        "customer_details": { "address": { "country": "US" }, "email": "Ann@Example.com", "name": "Ann Lee",
                              "phone": null, "tax_exempt": "none", "tax_ids": [] },
        "livemode": false, "metadata": {}, "mode": "payment", "payment_intent": pi,
        "payment_link": "plink_1MoC3ULkdIwHu7ixZjtGpVl2", "payment_status": payment_status,
        "status": "complete", "subscription": null
    })
}

fn charge(pi: &str, refunded: bool) -> Value {
    json!({ "id": "ch_3MmlLrLkdIwHu7ix0snN0B15", "object": "charge", "amount": 1999, "amount_refunded": 1999,
            "currency": "usd", "paid": true, "payment_intent": pi, "refunded": refunded, "status": "succeeded" })
}

fn stripe_header(secret: &str, t: i64, body: &[u8]) -> String {
    let signed: Vec<u8> = [format!("{t}.").as_bytes(), body].concat();
    format!("t={t},v1={}", sign(secret, &signed))
}

async fn deliver(t: &TestApp, shop: &Shop<'_>, body: &[u8], header: Option<&str>) -> (u16, Value) {
    post_signed(t, &shop.path, body, "Stripe-Signature", header).await
}

async fn signed(t: &TestApp, shop: &Shop<'_>, body: &Value) -> (u16, Value) {
    let bytes = body.to_string().into_bytes();
    deliver(t, shop, &bytes, Some(&stripe_header(&shop.secret, now_ms() / 1000, &bytes))).await
}

async fn license_answer(shop: &Shop<'_>, key: &str) -> crate::client_support::Answer {
    let session = shop.c.init().await;
    shop.c.call(Some(&session), "license", &[("key", key), ("hwid", "HW-1")]).await
}

async fn paid_sessions_make_one_key_and_refunds_and_disputes_ban_it(t: TestApp) {
    let shop = stripe_shop(&t).await;
    let (s, a) = signed(&t, &shop, &event("checkout.session.completed", session("pi_A", "unpaid"))).await;
    assert_eq!((s, a["ignored"].clone()), (200, json!(true)), "an unpaid session makes nothing: {a}");
    assert!(keys_of(&shop).await.is_empty());

    let paid = event("checkout.session.completed", session("pi_A", "paid"));
    let (s, a) = signed(&t, &shop, &paid).await;
    assert_eq!((s, a["new"].clone()), (200, json!(true)), "{a}");
    let (s, a) = signed(&t, &shop, &paid).await;
    assert_eq!((s, a["new"].clone(), a["keys"].clone()), (200, json!(false), json!(1)), "a replay: {a}");
    // The delayed-payment event of the same session is the same order.
    let (s, a) = signed(&t, &shop, &event("checkout.session.async_payment_succeeded", session("pi_A", "paid"))).await;
    assert_eq!((s, a["new"].clone()), (200, json!(false)), "{a}");
    let keys = keys_of(&shop).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = keys[0]["key"].as_str().unwrap().to_owned();
    let (_, customers) = call(&t, "GET", "/admin/v1/customers", &shop.token, None).await;
    assert!(customers["data"].as_array().unwrap().iter().any(|c| c["email"] == "ann@example.com"), "{customers}");
    license_answer(&shop, &key).await.assert_ok("Logged in!");

    let (s, a) = signed(&t, &shop, &event("charge.refunded", charge("pi_A", false))).await;
    assert_eq!((s, a["ignored"].clone()), (200, json!(true)), "a partial refund bans nothing: {a}");
    license_answer(&shop, &key).await.assert_ok("Logged in!");
    let (s, a) = signed(&t, &shop, &event("charge.refunded", charge("pi_A", true))).await;
    assert_eq!((s, a["banned"].clone()), (200, json!(1)), "{a}");
    license_answer(&shop, &key).await.assert_fail("Your license is banned");

    // A chargeback of another order, sold through session metadata instead of a Payment Link.
    let mut other = session("pi_B", "paid");
    other["payment_link"] = Value::Null;
    other["metadata"] = json!({ "licensd_variant": "plink_1MoC3ULkdIwHu7ixZjtGpVl2" });
    let (s, a) = signed(&t, &shop, &event("checkout.session.completed", other)).await;
    assert_eq!((s, a["new"].clone()), (200, json!(true)), "{a}");
    let key_b =
        keys_of(&shop).await.iter().find(|k| k["key"] != key.as_str()).unwrap()["key"].as_str().unwrap().to_owned();
    let dispute = json!({ "id": "dp_1MtJUT2eZvKYlo2CNaw2HvEv", "object": "dispute", "amount": 1999,
                          "charge": "ch_3MtJUS2eZvKYlo2C0", "currency": "usd", "payment_intent": "pi_B",
                          "reason": "fraudulent", "status": "needs_response" });
    let (s, a) = signed(&t, &shop, &event("charge.dispute.created", dispute)).await;
    assert_eq!((s, a["banned"].clone()), (200, json!(1)), "{a}");
    license_answer(&shop, &key_b).await.assert_fail("Your license is banned");
    let (s, a) = signed(&t, &shop, &event("customer.created", json!({ "id": "cus_1" }))).await;
    assert_eq!((s, a["ignored"].clone()), (200, json!(true)), "{a}");
}

async fn bad_stripe_events_change_nothing(t: TestApp) {
    let shop = stripe_shop(&t).await;
    let body = event("checkout.session.completed", session("pi_C", "paid")).to_string().into_bytes();
    let now = now_ms() / 1000;
    let good = stripe_header(SECRET, now, &body);
    let v1 = good.split_once(",v1=").unwrap().1.to_owned();
    let mut unmapped = session("pi_D", "paid");
    unmapped["payment_link"] = json!("plink_other");
    let unmapped = event("checkout.session.completed", unmapped).to_string().into_bytes();
    let garbage = br#"{"type":"checkout.session.completed","data":{"object":{"id":7}}}"#.to_vec();
    let cases: Vec<(&str, &[u8], Option<String>, u16)> = vec![
        ("unsigned", &body, None, 401),
        ("another secret", &body, Some(stripe_header("whsec_other_secret_000", now, &body)), 401),
        ("stale (301 s old)", &body, Some(stripe_header(SECRET, now - 301, &body)), 401),
        // Well past the edge: the server's clock may tick into the next second during the cases.
        ("from the future", &body, Some(stripe_header(SECRET, now + 330, &body)), 401),
        ("timestamp changed after signing", &body, Some(format!("t={},v1={v1}", now - 1)), 401),
        ("no timestamp", &body, Some(format!("v1={v1}")), 401),
        ("only v0", &body, Some(format!("t={now},v0={v1}")), 401),
        ("not hex", &body, Some(format!("t={now},v1=xyz")), 401),
        ("body changed after signing", &unmapped, Some(good.clone()), 401),
        ("signed garbage", &garbage, Some(stripe_header(SECRET, now, &garbage)), 400),
        ("signed non-JSON", b"nope", Some(stripe_header(SECRET, now, b"nope")), 400),
        ("unmapped payment link", &unmapped, Some(stripe_header(SECRET, now, &unmapped)), 422),
    ];
    for (what, bytes, header, want) in cases {
        let (s, a) = deliver(&t, &shop, bytes, header.as_deref()).await;
        assert_eq!(s, want, "{what}: {a}");
        assert!(a["error"].is_string(), "{what}: {a}");
    }
    let (s, a) = post_signed(&t, "/hooks/stripe/NOSUCHSELL", &body, "Stripe-Signature", Some(&good)).await;
    assert_eq!(s, 404, "{a}");
    assert!(keys_of(&shop).await.is_empty(), "nothing was made");
    // Several v1 signatures (a secret being rolled): one matching is enough.
    let rolled = format!("t={now},v1={},v1={v1}", "0".repeat(64));
    let (s, a) = deliver(&t, &shop, &body, Some(&rolled)).await;
    assert_eq!((s, a["new"].clone()), (200, json!(true)), "{a}");
    // A refund with a stale signature bans nothing.
    let refund = event("charge.refunded", charge("pi_C", true)).to_string().into_bytes();
    let (s, _) = deliver(&t, &shop, &refund, Some(&stripe_header(SECRET, now - 400, &refund))).await;
    assert_eq!(s, 401);
    let key = keys_of(&shop).await[0]["key"].as_str().unwrap().to_owned();
    license_answer(&shop, &key).await.assert_ok("Logged in!");
    // Stripe makes its own secret: a connection without one is refused.
    let (s, a) = call(&t, "POST", "/admin/v1/store-connections", &shop.token, Some(json!({ "store": "stripe" }))).await;
    assert_eq!(s, 422, "{a}");
}

async fn concurrent_stripe_deliveries_make_one_key(t: TestApp) {
    let shop = stripe_shop(&t).await;
    let body = event("checkout.session.completed", session("pi_E", "paid"));
    let answers = join_all((0..20).map(|_| signed(&t, &shop, &body))).await;
    for (s, a) in &answers {
        assert_eq!(*s, 200, "{a}");
    }
    assert_eq!(answers.iter().filter(|(_, a)| a["new"] == true).count(), 1, "{answers:?}");
    assert_eq!(keys_of(&shop).await.len(), 1);
}
