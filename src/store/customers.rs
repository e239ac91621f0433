//! Customers (buyers, per seller) and their orders from a store. Every seller has a default
//! customer (email `''`) that keys without a buyer belong to, so every API can show an integer
//! customer id; it is made with the seller (and by migration 0013 for older sellers).

use super::{Page, Result, ReturnedRows, Store, licenses::License};
use crate::domain::ids::{AppId, CustomerId, PlanId, SellerId};
use crate::domain::time::UnixMs;
use crate::domain::time::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Customer {
    pub id: CustomerId,
    pub seller_id: SellerId,
    /// Empty for the seller's default customer.
    pub email: String,
    pub name: String,
    pub created_at: UnixMs,
}

macro_rules! customer_columns {
    () => {
        "id, seller_id, email, name, created_at"
    };
}

/// An order as a store reported it (amount in the currency's minor units).
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub seller_id: SellerId,
    /// `sellapp`, `lemonsqueezy`, `stripe` or `manual`.
    pub store: String,
    pub external_id: String,
    pub app_id: Option<AppId>,
    pub plan_id: Option<PlanId>,
    pub customer_id: CustomerId,
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub seller_id: SellerId,
    pub store: String,
    pub external_id: String,
    pub app_id: Option<AppId>,
    pub plan_id: Option<PlanId>,
    pub customer_id: CustomerId,
    pub amount: i64,
    pub currency: String,
    pub state: String,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

/// What the stores' license APIs show of a key beside the key itself: the names of its product,
/// variant and customer (Lemon Squeezy's `meta`; the ids are the license's own columns).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyContext {
    pub app_name: String,
    pub plan_name: String,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
}

/// A key and its context, read together.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyWithContext {
    #[sqlx(flatten)]
    pub license: License,
    #[sqlx(flatten)]
    pub context: KeyContext,
}

impl Store {
    /// The seller's customer with `email`, made when there is none; a non-empty `name` replaces
    /// the stored one. One statement, so concurrent callers get the same row.
    pub async fn customer_by_email(&self, seller_id: SellerId, email: &str, name: &str) -> Result<Customer> {
        sqlx::query_as::<_, Customer>(concat!(
            "INSERT INTO customers (seller_id, email, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (seller_id, email) DO UPDATE SET \
             name = CASE WHEN $3 = '' THEN customers.name ELSE $3 END RETURNING ",
            customer_columns!()
        ))
        .bind(seller_id)
        .bind(email)
        .bind(name)
        .bind(now_ms())
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// Records a paid order, or returns the one already recorded under the same store order id
    /// (a replayed order changes nothing): the unique (seller, store, external id) decides, in
    /// one statement.
    pub async fn record_order(&self, o: &NewOrder) -> Result<Order> {
        let now = now_ms();
        sqlx::query_as::<_, Order>(
            "INSERT INTO orders (seller_id, store, external_id, app_id, plan_id, customer_id, amount, currency, \
             state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'paid', $9, $9) \
             ON CONFLICT (seller_id, store, external_id) DO UPDATE SET store = orders.store RETURNING *",
        )
        .bind(o.seller_id)
        .bind(&o.store)
        .bind(&o.external_id)
        .bind(o.app_id)
        .bind(o.plan_id)
        .bind(o.customer_id)
        .bind(o.amount)
        .bind(&o.currency)
        .bind(now)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// The seller's default customer (made with the seller).
    pub async fn default_customer(&self, seller_id: SellerId) -> Result<Customer> {
        self.customer_by_email(seller_id, "", "").await
    }

    /// One page of the seller's customers, newest first, and their total.
    pub async fn list_customers(&self, seller_id: SellerId, page: Page) -> Result<(Vec<Customer>, i64)> {
        let mut conn = self.read().await?;
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_one(&mut *conn)
            .await?;
        let rows = sqlx::query_as::<_, Customer>(concat!(
            "SELECT ",
            customer_columns!(),
            " FROM customers WHERE seller_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(seller_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *conn)
        .await?;
        Ok((rows, total))
    }

    /// The seller's key `key` with its product, variant and customer names. One read.
    pub async fn key_with_context(&self, seller_id: SellerId, key: &str) -> Result<KeyWithContext> {
        Ok(sqlx::query_as::<_, KeyWithContext>(
            "SELECT l.*, a.name AS app_name, p.name AS plan_name, c.name AS customer_name, \
             c.email AS customer_email \
             FROM licenses l JOIN apps a ON a.id = l.app_id JOIN plans p ON p.id = l.plan_id \
             LEFT JOIN customers c ON c.id = l.customer_id \
             WHERE l.seller_id = $1 AND l.key = $2",
        )
        .bind(seller_id)
        .bind(key)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }
}
