//! Store connections of a seller (a webhook signing secret per store, shown once, and the
//! variant -> app + plan map) and what a verified order webhook does: keys for a paid order,
//! made once per store order id however often or concurrently the store delivers it, and a
//! ban of the order's keys on a refund or chargeback.

use super::{ManageError, Tenant, change, licenses};
use crate::domain::{secret, time::now_ms, validate};
use crate::store::{
    Store,
    store_connections::{Connection, ProductMap},
};
use serde::Deserialize;

/// Stores whose order webhooks licensd takes.
pub const STORES: &[&str] = &["lemonsqueezy", "stripe"];

/// Stores that make the signing secret themselves (the seller pastes it into licensd); for the
/// others licensd makes one for the seller to paste into the store.
const SECRET_FROM_STORE: &[&str] = &["stripe"];

/// A new connection: the store and what its variants sell.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionInput {
    /// `lemonsqueezy` or `stripe`.
    pub store: String,
    /// The store's signing secret: required for `stripe` (Stripe makes it: `whsec_...`);
    /// for `lemonsqueezy` licensd makes one when it is left out.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub products: Vec<ProductMap>,
}

/// A connection with its product map (and, on creation only, its secret).
#[derive(Debug, Clone)]
pub struct ConnectionView {
    pub connection: Connection,
    pub products: Vec<ProductMap>,
    /// The path the store posts to (`/hooks/{store}/{ownerid}`).
    pub webhook_path: String,
    pub secret: Option<String>,
}

fn checked_store(store: &str) -> Result<&str, ManageError> {
    STORES
        .iter()
        .copied()
        .find(|s| *s == store)
        .ok_or_else(|| ManageError::invalid("store", "must be lemonsqueezy or stripe"))
}

pub async fn create(store: &Store, tenant: &Tenant, input: ConnectionInput) -> Result<ConnectionView, ManageError> {
    let seller_id = tenant.seller_id();
    let name = checked_store(&input.store)?;
    for p in &input.products {
        validate::name("products.variant", &p.variant, 200)?;
    }
    let (secret, made) = match input.secret.as_deref().map(str::trim) {
        Some(s) if s.len() < 16 || s.len() > 200 => {
            return Err(ManageError::invalid("secret", "must be 16 to 200 characters"));
        }
        Some(s) => (s.to_owned(), false),
        None if SECRET_FROM_STORE.contains(&name) => {
            return Err(ManageError::invalid("secret", "required: paste the signing secret the store shows"));
        }
        None => (secret::random_string(b"0123456789abcdefghijklmnopqrstuvwxyz", 40), true),
    };
    change(store, async |store| {
        let seller = store.seller(seller_id).await.map_err(ManageError::from_store("seller", "id"))?;
        for p in &input.products {
            let app =
                store.app(seller_id, p.app_id).await.map_err(ManageError::from_store("app", "products.app_id"))?;
            store.plan(app.id, p.plan_id).await.map_err(ManageError::from_store("plan", "products.plan_id"))?;
        }
        let connection = store
            .create_connection(seller_id, name, &secret, &input.products, now_ms())
            .await
            .map_err(ManageError::from_store("store connection", "store"))?;
        // The secret never reaches the audit trail or the logs.
        tenant.audit(store, "store_connection.create", format!("store_connection:{}", connection.id), name).await?;
        let webhook_path = format!("/hooks/{name}/{}", seller.ownerid);
        // A secret the seller pasted is not echoed back.
        let secret = made.then_some(secret);
        Ok(ConnectionView { connection, products: input.products, webhook_path, secret })
    })
    .await
}

pub async fn list(store: &Store, tenant: &Tenant) -> Result<Vec<ConnectionView>, ManageError> {
    let seller_id = tenant.seller_id();
    let seller = store.seller(seller_id).await.map_err(ManageError::from_store("seller", "id"))?;
    let mut out = Vec::new();
    for connection in store.connections(seller_id).await? {
        let products = store.connection_products(connection.id).await?;
        let webhook_path = format!("/hooks/{}/{}", connection.store, seller.ownerid);
        out.push(ConnectionView { connection, products, webhook_path, secret: None });
    }
    Ok(out)
}

pub async fn delete(store: &Store, tenant: &Tenant, id: i64) -> Result<(), ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        store.delete_connection(seller_id, id).await.map_err(ManageError::from_store("store connection", "id"))?;
        tenant.audit(store, "store_connection.delete", format!("store_connection:{id}"), "").await
    })
    .await
}

/// A paid order as a verified webhook reports it.
#[derive(Debug, Clone)]
pub struct PaidOrder {
    pub external_id: String,
    pub variant: String,
    pub email: String,
    pub name: String,
    pub amount: i64,
    pub currency: String,
}

/// The keys of a paid order, and whether this call made them (a replay does not).
#[derive(Debug, Clone)]
pub struct Fulfilled {
    pub keys: Vec<String>,
    pub new: bool,
}

/// Keys for `order`: one per order, made in the transaction that records the order. A replay
/// finds the order's keys; a concurrent duplicate waits on the order's row (PostgreSQL) or the
/// write lock (SQLite) and then finds them.
pub async fn fulfil(store: &Store, connection: &Connection, order: PaidOrder) -> Result<Fulfilled, ManageError> {
    let tenant = Tenant::system(connection.seller_id, format!("store:{}", connection.store));
    let product = store
        .product_of(connection.id, &order.variant)
        .await
        .map_err(ManageError::from_store("product mapping", "variant_id"))?;
    change(store, async |store| {
        let spec = licenses::GenerateSpec {
            customer_email: Some(order.email.clone()),
            customer_name: Some(order.name.clone()),
            order: Some(licenses::OrderSpec {
                store: connection.store.clone(),
                external_id: order.external_id.clone(),
                amount: order.amount,
                currency: order.currency.clone(),
            }),
            ..licenses::GenerateSpec::new(product.app_id, product.plan_id, 1)
        };
        // Recording the order first takes its row lock before anything is read.
        let customer =
            store.customer_by_email(connection.seller_id, &validate::email("user_email", &order.email)?, "").await?;
        let recorded = store
            .record_order(&crate::store::customers::NewOrder {
                seller_id: connection.seller_id,
                store: connection.store.clone(),
                external_id: validate::name("order id", &order.external_id, 200)?,
                app_id: Some(product.app_id),
                plan_id: Some(product.plan_id),
                customer_id: customer.id,
                amount: order.amount,
                currency: order.currency.clone(),
            })
            .await?;
        let existing = store.order_keys(recorded.id).await?;
        if !existing.is_empty() {
            return Ok(Fulfilled { keys: existing.into_iter().map(|(_, k)| k).collect(), new: false });
        }
        let made = licenses::generate_in(store, &tenant, spec, &|_| {}).await?;
        Ok(Fulfilled { keys: made.keys, new: true })
    })
    .await
}

/// Bans the keys of order `external_id` (refund or chargeback: `state`) with the ban every
/// face honours; an unknown order changes nothing. Returns how many keys it banned.
pub async fn revoke(
    store: &Store,
    connection: &Connection,
    external_id: &str,
    state: &str,
) -> Result<usize, ManageError> {
    let tenant = Tenant::system(connection.seller_id, format!("store:{}", connection.store));
    let Some(order_id) = store.order_id_of(connection.seller_id, &connection.store, external_id).await? else {
        return Ok(0);
    };
    let keys = store.order_keys(order_id).await?;
    let reason = format!("order {external_id} {state}");
    for (id, _) in &keys {
        licenses::set_ban(store, &tenant, *id, Some(&reason)).await?;
    }
    store.set_order_state(order_id, state, now_ms()).await?;
    Ok(keys.len())
}
