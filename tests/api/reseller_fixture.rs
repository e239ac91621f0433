//! Reseller API test fixtures: a seller with one app and plan ("lifetime"), resellers with API
//! keys, stock inserted straight through the store, and requests with the parameters in the
//! query string, a JSON body or a form body.

use crate::harness::{TestApp, split};
use licensd::domain::ids::{AppId, PlanId, ResellerId, SellerId};
use licensd::store::Store;
use reqwest::Method;
use serde_json::{Map, Value, json};
use sqlx::Connection;
use std::time::Duration;

/// A seller with one app and one plan named "lifetime".
pub struct Shop {
    pub seller_id: SellerId,
    pub plan_id: PlanId,
    app_id: AppId,
    database_url: String,
}

/// A reseller of a shop and one of its API keys.
pub struct Bot {
    pub reseller_id: ResellerId,
    pub key_id: i64,
    pub token: String,
}

impl Shop {
    pub async fn open(app: &TestApp, name: &str) -> Shop {
        Self::open_at(app.store(), &app.database_url, name).await
    }

    /// A shop in the database at `database_url`, which `store` is open on.
    pub async fn open_at(store: &Store, database_url: &str, name: &str) -> Shop {
        let seller = store.create_seller(name, "ps-").await.unwrap();
        let app = store.create_app(seller.id, "app").await.unwrap();
        let plan = store.create_plan(app.id, "lifetime", 1, None).await.unwrap();
        Shop { seller_id: seller.id, plan_id: plan.id, app_id: app.id, database_url: database_url.to_owned() }
    }

    pub async fn reseller(&self, store: &Store, name: &str) -> Bot {
        let reseller = store.create_reseller(self.seller_id, name, "", 100).await.unwrap();
        let (key, token) = store.create_reseller_key(reseller.id, "bot").await.unwrap();
        Bot { reseller_id: reseller.id, key_id: key.id, token }
    }

    /// Lifetime licenses in `bot`'s stock.
    pub async fn stock(&self, bot: &Bot, keys: &[&str]) {
        self.stock_with(Some(bot.reseller_id), keys, None, None).await
    }

    /// Licenses with a fixed expiry or a duration, in a reseller's stock or none.
    ///
    /// Inserted row by row with `$N` placeholders: `Store::insert_licenses` builds its multi-row
    /// INSERT with sqlx's `QueryBuilder`, which writes `?` placeholders for the `Any` driver and
    /// so fails on PostgreSQL (reported in the reseller branch's notes).
    pub async fn stock_with(
        &self,
        reseller_id: Option<ResellerId>,
        keys: &[&str],
        expires_at: Option<i64>,
        duration_secs: Option<i64>,
    ) {
        let mut conn = sqlx::AnyConnection::connect(&self.database_url).await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        for key in keys {
            sqlx::query(
                "INSERT INTO licenses (seller_id, app_id, plan_id, key, duration_secs, expires_at, reseller_id, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(self.seller_id)
            .bind(self.app_id)
            .bind(self.plan_id)
            .bind(*key)
            .bind(duration_secs)
            .bind(expires_at)
            .bind(reseller_id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
}

/// Where a request carries its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Query,
    Json,
    Form,
}

pub const PLACES: [Place; 3] = [Place::Query, Place::Json, Place::Form];

/// One request to `/reseller/<endpoint>` with `params` placed as asked.
pub async fn call(
    app: &TestApp,
    method: Method,
    endpoint: &str,
    place: Place,
    params: &[(&str, &str)],
) -> (u16, Value) {
    let req = app.http.request(method, app.url(&format!("/reseller/{endpoint}")));
    let req = match place {
        Place::Query => req.query(params),
        Place::Json => req.json(&params.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<String, Value>>()),
        Place::Form => req.form(params),
    };
    split(req.send().await.unwrap()).await
}

/// A GET with the parameters in the query string (the seed's examples).
pub async fn get(app: &TestApp, endpoint: &str, params: &[(&str, &str)]) -> (u16, Value) {
    call(app, Method::GET, endpoint, Place::Query, params).await
}

/// The API's error envelope, exactly.
pub fn assert_error(got: &(u16, Value), status: u16, message: &str) {
    assert_eq!(got, &(status, json!({"ok": false, "message": message})));
}

/// Keys of a `myavailable` answer.
pub fn listed_keys(body: &Value) -> Vec<String> {
    body["licenses"].as_array().unwrap().iter().map(|l| l["key"].as_str().unwrap().to_owned()).collect()
}

/// Runs a raw statement on the test's database: states no store method sets (e.g. `active = 0`).
pub async fn exec_sql(app: &TestApp, sql: &'static str) {
    let mut conn = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    sqlx::query(sql).execute(&mut conn).await.unwrap();
}

pub const WINDOW_MS: i64 = 60_000;

pub fn now_ms() -> i64 {
    licensd::domain::time::now_ms()
}

/// Waits, if needed, until the current rate-limit minute has at least `need` left, so that a
/// burst of requests lands in one window. Returns the window's start.
pub async fn fresh_window(need: Duration) -> i64 {
    let left = WINDOW_MS - now_ms() % WINDOW_MS;
    if left < need.as_millis() as i64 {
        tokio::time::sleep(Duration::from_millis(left as u64 + 50)).await;
    }
    let now = now_ms();
    now - now % WINDOW_MS
}

/// Sleeps into the next rate-limit window.
pub async fn next_window() {
    let left = WINDOW_MS - now_ms() % WINDOW_MS;
    tokio::time::sleep(Duration::from_millis(left as u64 + 50)).await;
}
