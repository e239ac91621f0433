//! Customers and orders in the model (issue 18, item 1): a database made before migration 0013
//! upgrades in place (every seller gets its default customer, every key points at it), new
//! sellers get theirs, buyers are one customer per email, and orders are one per store order id.

use crate::adminkit::{app_with_plan, call};
use crate::engine_tests;
use crate::harness::{Engine, TestApp, fresh_postgres_database, split};
use crate::licenses::{KeySpec, key, order_of, shop};
use licensd::domain::ids::{LicenseId, SellerId};
use licensd::store::tokens::TokenKind;
use serde_json::json;
use sqlx::Connection;
use std::path::Path;

engine_tests!(old_database_upgrades_in_place, buyers_and_orders_are_found_again, import_names_buyers);

/// Schema 0001..0011 with one seller and two keys, then a server on it: the keys belong to
/// the seller's new default customer and the Licenses API shows its integer id.
async fn old_database_upgrades_in_place(app: TestApp) {
    let (url, _dir) = match app.engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("old.db");
            std::fs::File::create(&path).unwrap();
            (format!("sqlite://{}", path.display()), Some(dir))
        }
        Engine::Postgres => (fresh_postgres_database().await, None),
    };
    let flavour = if app.engine == Engine::Sqlite { "sqlite" } else { "postgres" };
    let old = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(flavour);
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < "0013" {
            std::fs::copy(&path, old.path().join(&name)).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(old.path()).await.unwrap().run(&mut conn).await.unwrap();
    for sql in [
        "INSERT INTO sellers (ownerid, name, created_at) VALUES ('AAAAAAAAAA', 'old', 5)",
        "INSERT INTO apps (seller_id, name, secret, created_at, updated_at) VALUES (1, 'app', 's', 5, 5)",
        "INSERT INTO plans (app_id, name, level, created_at) VALUES (1, 'lifetime', 1, 5)",
        "INSERT INTO licenses (seller_id, app_id, plan_id, key, max_activations, created_at, updated_at) \
         VALUES (1, 1, 1, 'OLD-1', 2, 5, 5), (1, 1, 1, 'OLD-2', NULL, 5, 5)",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    // A database with apps refuses to start on a new signing key unless one is given.
    let upgraded = TestApp::spawn_on(app.engine, url, |c| c.signing_key = Some("11".repeat(32))).await;
    let store = upgraded.store();
    let default = store.default_customer(SellerId(1)).await.unwrap();
    assert_eq!((default.seller_id, default.email.as_str(), default.created_at.get()), (SellerId(1), "", 5));
    for k in ["OLD-1", "OLD-2"] {
        let l = store.license_by_key(SellerId(1), k).await.unwrap();
        assert_eq!((l.customer_id, l.order_id), (Some(default.id), None), "{k}");
    }
    let token = store.create_token(TokenKind::Store, Some(SellerId(1)), "s").await.unwrap().1;
    let (status, body) = upgraded.get_json("/api/v2/license-keys?limit=5", &token).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&serde_json::Value> = body["data"].as_array().unwrap().iter().map(|k| &k["customer_id"]).collect();
    assert_eq!(ids, [&serde_json::json!(default.id); 2], "the old keys' customer, an integer");
    let s = shop(&upgraded, "new").await;
    let fresh = key(&upgraded, &s, KeySpec::default()).await;
    let (status, body) = upgraded.get_json(&format!("/api/v2/license-keys/{}", fresh.id), &s.token).await;
    assert_eq!(status, 200, "{body}");
    let new_default = store.default_customer(s.seller_id).await.unwrap();
    assert_ne!(new_default.id, default.id, "one default customer per seller");
    assert_eq!(body["data"]["customer_id"], new_default.id.get());
}

/// One customer per (seller, email), whatever the case; one order per (seller, store, id).
async fn buyers_and_orders_are_found_again(app: TestApp) {
    let s = shop(&app, "acme").await;
    let other = shop(&app, "other").await;
    let store = app.store();
    let ann = store.customer_by_email(s.seller_id, "ann@example.com", "Ann").await.unwrap();
    let again = store.customer_by_email(s.seller_id, "ann@example.com", "").await.unwrap();
    assert_eq!((again.id, again.name.as_str()), (ann.id, "Ann"), "an empty name keeps the stored one");
    let renamed = store.customer_by_email(s.seller_id, "ann@example.com", "Ann Lee").await.unwrap();
    assert_eq!((renamed.id, renamed.name.as_str()), (ann.id, "Ann Lee"));
    let theirs = store.customer_by_email(other.seller_id, "ann@example.com", "Ann").await.unwrap();
    assert_ne!(theirs.id, ann.id, "customers are per seller");

    let first = store.record_order(&order_of(&s, ann.id, "1001")).await.unwrap();
    let replay = store.record_order(&order_of(&s, ann.id, "1001")).await.unwrap();
    assert_eq!(replay.id, first.id, "the same store order is one order");
    assert_eq!((first.amount, first.currency.as_str(), first.state.as_str()), (1999, "USD", "paid"));
    let elsewhere = store.record_order(&order_of(&other, theirs.id, "1001")).await.unwrap();
    assert_ne!(elsewhere.id, first.id, "order ids are per seller");
    let k = key(&app, &s, KeySpec { customer_id: Some(ann.id), order_id: Some(first.id), ..KeySpec::default() }).await;
    let l = store.license(s.seller_id, LicenseId(k.id)).await.unwrap();
    assert_eq!((l.customer_id, l.order_id), (Some(ann.id), Some(first.id)));
}

/// Import: a record's `customer_email` wins, else the import's, else the default customer; bad
/// emails are the record's 422.
async fn import_names_buyers(app: TestApp) {
    let f = app.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(&app, &f.admin_token, "MyApp", None).await;
    let path = format!("/admin/v1/licenses/import?app_id={app_id}&plan_id={plan_id}&customer_email=Shop%40Example.com");
    let csv = "key,customer_email,customer_name\nIMP-1,ann@example.com,Ann\nIMP-2,,\nIMP-3,ANN@example.com,\n";
    let res = app.http.post(app.url(&path)).bearer_auth(&f.admin_token).header("content-type", "text/csv").body(csv);
    let (status, body) = split(res.send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["imported"], 3);
    let store = app.store();
    let customer = |key: &'static str| async move {
        let l = store.license_by_key(f.seller.id, key).await.unwrap();
        let (all, _) = store.list_customers(f.seller.id, licensd::store::Page::new(10, 1)).await.unwrap();
        all.into_iter().find(|c| Some(c.id) == l.customer_id).unwrap()
    };
    let (one, two, three) = (customer("IMP-1").await, customer("IMP-2").await, customer("IMP-3").await);
    assert_eq!((one.email.as_str(), one.name.as_str()), ("ann@example.com", "Ann"));
    assert_eq!(two.email, "shop@example.com", "the import's buyer");
    assert_eq!(three.id, one.id, "emails are one customer whatever their case");
    let bad = json!({"licenses": [{"key": "IMP-4", "customer_email": "not-an-email"}]});
    let (status, body) = call(&app, "POST", &path, &f.admin_token, Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("email"), "{body}");
}
