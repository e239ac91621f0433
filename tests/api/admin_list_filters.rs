//! `GET /admin/v1/sellers` and `GET /admin/v1/tokens` with `?seller_id=`: the operator's filter
//! narrows the list to one seller; a seller token's list is its own whatever the parameter says;
//! a value that is not an integer answers 400 in the admin error shape.

use crate::engine_tests;
use crate::harness::TestApp;
use serde_json::Value;

engine_tests!(operator_filters_tokens_by_seller, operator_filters_sellers_by_id, list_filters_refuse_non_numbers);

/// The `(id, seller_id)` of each listed token.
fn tokens(body: &Value) -> Vec<(i64, Option<i64>)> {
    body["data"].as_array().unwrap().iter().map(|t| (t["id"].as_i64().unwrap(), t["seller_id"].as_i64())).collect()
}

fn names(body: &Value) -> Vec<&str> {
    body["data"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect()
}

async fn operator_filters_tokens_by_seller(app: TestApp) {
    let a = app.seller("acme").await;
    let b = app.seller("bolt").await;
    let op = app.operator_token().await;

    let (status, all) = app.get_json("/admin/v1/tokens", &op).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["meta"]["total"], 5, "2 per seller and the operator's: {all}");

    let (status, only_b) = app.get_json(&format!("/admin/v1/tokens?seller_id={}", b.seller.id), &op).await;
    assert_eq!(status, 200, "{only_b}");
    let listed = tokens(&only_b);
    assert_eq!(listed.len(), 2, "{only_b}");
    assert!(listed.iter().all(|(_, s)| *s == Some(b.seller.id.get())), "{only_b}");
    assert_eq!(only_b["meta"]["total"], 2, "{only_b}");

    let (status, none) = app.get_json("/admin/v1/tokens?seller_id=999999", &op).await;
    assert_eq!((status, tokens(&none).len()), (200, 0), "{none}");

    // A seller token lists its own tokens, with its own id, another's or none.
    for query in [String::new(), format!("?seller_id={}", a.seller.id), format!("?seller_id={}", b.seller.id)] {
        let (status, own) = app.get_json(&format!("/admin/v1/tokens{query}"), &a.admin_token).await;
        assert_eq!(status, 200, "{query}: {own}");
        let listed = tokens(&own);
        assert_eq!(listed.len(), 2, "{query}: {own}");
        assert!(listed.iter().all(|(_, s)| *s == Some(a.seller.id.get())), "{query}: {own}");
    }
}

async fn operator_filters_sellers_by_id(app: TestApp) {
    let a = app.seller("acme").await;
    let b = app.seller("bolt").await;
    let op = app.operator_token().await;

    let (status, all) = app.get_json("/admin/v1/sellers", &op).await;
    assert_eq!((status, names(&all)), (200, vec!["acme", "bolt"]), "{all}");
    let (status, one) = app.get_json(&format!("/admin/v1/sellers?seller_id={}", b.seller.id), &op).await;
    assert_eq!((status, names(&one)), (200, vec!["bolt"]), "{one}");
    assert_eq!(one["meta"]["total"], 1, "{one}");
    let (status, none) = app.get_json("/admin/v1/sellers?seller_id=999999", &op).await;
    assert_eq!((status, names(&none).len()), (200, 0), "{none}");
    assert_eq!(none["meta"]["total"], 0, "{none}");

    for query in [String::new(), format!("?seller_id={}", a.seller.id), format!("?seller_id={}", b.seller.id)] {
        let (status, own) = app.get_json(&format!("/admin/v1/sellers{query}"), &a.admin_token).await;
        assert_eq!((status, names(&own)), (200, vec!["acme"]), "{query}: {own}");
    }
}

async fn list_filters_refuse_non_numbers(app: TestApp) {
    let a = app.seller("acme").await;
    let op = app.operator_token().await;
    for path in ["/admin/v1/sellers", "/admin/v1/tokens"] {
        for token in [&op, &a.admin_token] {
            for bad in ["abc", "1.5", "", "9223372036854775808"] {
                let (status, body) = app.get_json(&format!("{path}?seller_id={bad}"), token).await;
                assert_eq!(status, 400, "{path}?seller_id={bad}: {body}");
                assert_eq!(body["error"]["code"], "invalid_request", "{body}");
                assert!(body["error"]["message"].is_string(), "{body}");
            }
        }
    }
}
