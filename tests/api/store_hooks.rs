//! Stores' order webhooks (`/hooks/lemonsqueezy/{ownerid}`): a connection made through the
//! admin API (secret shown once), a signed `order_created` makes one key however often and
//! however concurrently it is delivered, unsigned / badly signed / malformed / unmapped ones
//! get a 4xx and change nothing, and `order_refunded` bans the key so the client API refuses it.

use crate::adminkit::call;
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::{TestApp, split};
use futures_util::future::join_all;
use hmac::{Hmac, Mac};
use licensd::store::tokens::TokenKind;
use serde_json::{Value, json};
use sha2::Sha256;

engine_tests!(
    signed_orders_make_one_key_and_refunds_ban_it,
    bad_webhooks_change_nothing,
    concurrent_deliveries_make_one_key
);

pub struct Shop<'a> {
    pub c: ClientFixture<'a>,
    pub token: String,
    pub path: String,
    pub secret: String,
}

/// Seller `acme` with app `MyApp`, a plan, and a Lemon Squeezy connection mapping variant 501.
async fn shop(t: &TestApp) -> Shop<'_> {
    connect(t, "lemonsqueezy", "501", None).await
}

/// Seller `acme` with app `MyApp`, a plan, and a connection to `store` mapping `variant`,
/// made through the admin API with `secret` (or the one licensd makes, shown once).
pub async fn connect<'a>(t: &'a TestApp, store: &str, variant: &str, secret: Option<&str>) -> Shop<'a> {
    let c = ClientFixture::new(t).await;
    let plan = c.plan("Lifetime", 1, None).await;
    let token = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let mut body =
        json!({ "store": store, "products": [{ "variant": variant, "app_id": c.app.id, "plan_id": plan.id }] });
    if let Some(s) = secret {
        body["secret"] = json!(s);
    }
    let (s, a) = call(t, "POST", "/admin/v1/store-connections", &token, Some(body)).await;
    assert_eq!(s, 201, "{a}");
    let path = a["data"]["webhook_path"].as_str().unwrap().to_owned();
    assert_eq!(path, format!("/hooks/{store}/{}", c.seller.ownerid));
    let secret = match secret {
        Some(s) => {
            assert!(a["data"].get("secret").is_none(), "a pasted secret is not echoed: {a}");
            s.to_owned()
        }
        None => a["data"]["secret"].as_str().unwrap().to_owned(),
    };
    let (s, l) = call(t, "GET", "/admin/v1/store-connections", &token, None).await;
    assert_eq!(s, 200, "{l}");
    assert_eq!(l["data"][0]["products"][0]["variant"], variant);
    assert!(l["data"][0].get("secret").is_none(), "the secret is shown once: {l}");
    Shop { c, token, path, secret }
}

fn order(event: &str, id: i64, variant: i64) -> Value {
    json!({
        "meta": { "event_name": event, "custom_data": null },
        "data": { "type": "orders", "id": id.to_string(), "attributes": {
            "store_id": 1, "customer_id": 9, "order_number": id, "user_name": "Ann Lee",
            "user_email": "Ann@Example.com", "currency": "USD", "total": 1999, "status": "paid",
            "first_order_item": { "id": 1, "order_id": id, "product_id": 7, "variant_id": variant, "price": 1999 }
        } }
    })
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

async fn deliver(t: &TestApp, path: &str, body: &[u8], signature: Option<&str>) -> (u16, Value) {
    post_signed(t, path, body, "X-Signature", signature).await
}

/// POSTs `body` to a webhook path with signature header `header` when `signature` is given.
pub async fn post_signed(t: &TestApp, path: &str, body: &[u8], header: &str, signature: Option<&str>) -> (u16, Value) {
    let mut req = t.http.post(t.url(path)).header("content-type", "application/json").body(body.to_vec());
    if let Some(s) = signature {
        req = req.header(header, s);
    }
    split(req.send().await.unwrap()).await
}

async fn signed(t: &TestApp, shop: &Shop<'_>, body: &Value) -> (u16, Value) {
    let bytes = body.to_string().into_bytes();
    deliver(t, &shop.path, &bytes, Some(&sign(&shop.secret, &bytes))).await
}

pub async fn keys_of(shop: &Shop<'_>) -> Vec<Value> {
    let (s, l) = call(shop.c.t, "GET", "/admin/v1/licenses", &shop.token, None).await;
    assert_eq!(s, 200, "{l}");
    l["data"].as_array().unwrap().clone()
}

async fn signed_orders_make_one_key_and_refunds_ban_it(t: TestApp) {
    let shop = shop(&t).await;
    let (s, a) = signed(&t, &shop, &order("order_created", 1001, 501)).await;
    assert_eq!((s, a["new"].clone()), (200, json!(true)), "{a}");
    let (s, a) = signed(&t, &shop, &order("order_created", 1001, 501)).await;
    assert_eq!((s, a["new"].clone(), a["keys"].clone()), (200, json!(false), json!(1)), "a replay: {a}");
    let keys = keys_of(&shop).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = keys[0]["key"].as_str().unwrap().to_owned();
    let (_, customers) = call(&t, "GET", "/admin/v1/customers", &shop.token, None).await;
    assert!(customers["data"].as_array().unwrap().iter().any(|c| c["email"] == "ann@example.com"), "{customers}");

    let session = shop.c.init().await;
    shop.c.call(Some(&session), "license", &[("key", &key), ("hwid", "HW-1")]).await.assert_ok("Logged in!");
    let (s, a) = signed(&t, &shop, &order("order_refunded", 1001, 501)).await;
    assert_eq!((s, a["banned"].clone()), (200, json!(1)), "{a}");
    let session = shop.c.init().await;
    shop.c
        .call(Some(&session), "license", &[("key", &key), ("hwid", "HW-1")])
        .await
        .assert_fail("Your license is banned");
}

async fn bad_webhooks_change_nothing(t: TestApp) {
    let shop = shop(&t).await;
    let body = order("order_created", 2002, 501).to_string().into_bytes();
    let good = sign(&shop.secret, &body);
    let cases: Vec<(&str, Vec<u8>, Option<String>, u16)> = vec![
        ("unsigned", body.clone(), None, 401),
        ("signed with another secret", body.clone(), Some(sign("other", &body)), 401),
        ("not hex", body.clone(), Some("xyz".into()), 401),
        (
            "body changed after signing",
            order("order_created", 2003, 501).to_string().into_bytes(),
            Some(good.clone()),
            401,
        ),
        ("signed garbage", b"{\"meta\":1}".to_vec(), Some(sign(&shop.secret, b"{\"meta\":1}")), 400),
        ("unmapped variant", order("order_created", 2004, 999).to_string().into_bytes(), None, 422),
    ];
    for (what, bytes, sig, want) in cases {
        let sig = sig.or_else(|| (want == 422).then(|| sign(&shop.secret, &bytes)));
        let (s, a) = deliver(&t, &shop.path, &bytes, sig.as_deref()).await;
        assert_eq!(s, want, "{what}: {a}");
        assert!(a["error"].is_string(), "{what}: {a}");
    }
    let (s, a) = deliver(&t, "/hooks/lemonsqueezy/NOSUCHSELL", &body, Some(&good)).await;
    assert_eq!(s, 404, "{a}");
    assert!(keys_of(&shop).await.is_empty(), "nothing was made");
    // Removing the connection refuses its webhooks from then on.
    let (_, l) = call(&t, "GET", "/admin/v1/store-connections", &shop.token, None).await;
    let path = format!("/admin/v1/store-connections/{}", l["data"][0]["id"]);
    let (s, _) = call(&t, "DELETE", &path, &shop.token, None).await;
    assert_eq!(s, 204);
    let (s, a) = deliver(&t, &shop.path, &body, Some(&good)).await;
    assert_eq!(s, 404, "{a}");
    assert!(keys_of(&shop).await.is_empty());
}

async fn concurrent_deliveries_make_one_key(t: TestApp) {
    let shop = shop(&t).await;
    let body = order("order_created", 3003, 501);
    let answers = join_all((0..20).map(|_| signed(&t, &shop, &body))).await;
    for (s, a) in &answers {
        assert_eq!(*s, 200, "{a}");
    }
    assert_eq!(answers.iter().filter(|(_, a)| a["new"] == true).count(), 1, "{answers:?}");
    assert_eq!(keys_of(&shop).await.len(), 1);
}
