//! Store connections: a seller's signing secret per store (for its order webhooks) and the map
//! from the store's product variants to an app and plan; and the reads a webhook needs (the
//! keys of an order, to make them once and to ban them on a refund).

use super::{Result, ReturnedRows, Store};
use crate::domain::ids::{AppId, LicenseId, PlanId, SellerId};
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Connection {
    pub id: i64,
    pub seller_id: SellerId,
    pub store: String,
    pub secret: String,
    pub created_at: UnixMs,
}

/// One variant of a store's product and what it sells.
/// Also the admin API's wire form of a product map, in requests and answers.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ProductMap {
    /// The store's variant id (Lemon Squeezy: `variant_id`).
    pub variant: String,
    #[schema(value_type = i64)]
    pub app_id: AppId,
    #[schema(value_type = i64)]
    pub plan_id: PlanId,
}

impl Store {
    /// Creates the seller's connection to `store` with its products (in the caller's
    /// transaction); a second one for the same store is a conflict.
    pub async fn create_connection(
        &self,
        seller_id: SellerId,
        store: &str,
        secret: &str,
        products: &[ProductMap],
        now: i64,
    ) -> Result<Connection> {
        let c = sqlx::query_as::<_, Connection>(
            "INSERT INTO store_connections (seller_id, store, secret, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, seller_id, store, secret, created_at",
        )
        .bind(seller_id)
        .bind(store)
        .bind(secret)
        .bind(now)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()?;
        for p in products {
            sqlx::query("INSERT INTO store_products (connection_id, variant, app_id, plan_id) VALUES ($1, $2, $3, $4)")
                .bind(c.id)
                .bind(&p.variant)
                .bind(p.app_id)
                .bind(p.plan_id)
                .execute(&mut *self.write().await?)
                .await?;
        }
        Ok(c)
    }

    pub async fn connections(&self, seller_id: SellerId) -> Result<Vec<Connection>> {
        Ok(sqlx::query_as::<_, Connection>(
            "SELECT id, seller_id, store, secret, created_at FROM store_connections WHERE seller_id = $1 ORDER BY id",
        )
        .bind(seller_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    pub async fn connection_products(&self, connection_id: i64) -> Result<Vec<ProductMap>> {
        Ok(sqlx::query_as::<_, ProductMap>(
            "SELECT variant, app_id, plan_id FROM store_products WHERE connection_id = $1 ORDER BY id",
        )
        .bind(connection_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    pub async fn delete_connection(&self, seller_id: SellerId, id: i64) -> Result<()> {
        sqlx::query_as::<_, (i64,)>("DELETE FROM store_connections WHERE seller_id = $1 AND id = $2 RETURNING id")
            .bind(seller_id)
            .bind(id)
            .fetch_all(&mut *self.write().await?)
            .await
            .one()
            .map(drop)
    }

    /// The connection of the seller with owner id `ownerid` to `store` (a webhook's target).
    pub async fn connection_of(&self, ownerid: &str, store: &str) -> Result<Connection> {
        Ok(sqlx::query_as::<_, Connection>(
            "SELECT c.id, c.seller_id, c.store, c.secret, c.created_at FROM store_connections c \
             JOIN sellers s ON s.id = c.seller_id WHERE s.ownerid = $1 AND c.store = $2",
        )
        .bind(ownerid)
        .bind(store)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// What variant `variant` of the connection sells.
    pub async fn product_of(&self, connection_id: i64, variant: &str) -> Result<ProductMap> {
        Ok(sqlx::query_as::<_, ProductMap>(
            "SELECT variant, app_id, plan_id FROM store_products WHERE connection_id = $1 AND variant = $2",
        )
        .bind(connection_id)
        .bind(variant)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// The ids and keys of the licenses sold in order `order_id`.
    pub async fn order_keys(&self, order_id: i64) -> Result<Vec<(LicenseId, String)>> {
        Ok(sqlx::query_as::<_, (LicenseId, String)>("SELECT id, key FROM licenses WHERE order_id = $1 ORDER BY id")
            .bind(order_id)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    /// The seller's order `external_id` in `store`, if recorded.
    pub async fn order_id_of(&self, seller_id: SellerId, store: &str, external_id: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_as::<_, (i64,)>(
            "SELECT id FROM orders WHERE seller_id = $1 AND store = $2 AND external_id = $3",
        )
        .bind(seller_id)
        .bind(store)
        .bind(external_id)
        .fetch_optional(&mut *self.read().await?)
        .await?
        .map(|(id,)| id))
    }

    /// Sets an order's state (`refunded`, `chargeback`).
    pub async fn set_order_state(&self, order_id: i64, state: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE orders SET state = $2, updated_at = $3 WHERE id = $1")
            .bind(order_id)
            .bind(state)
            .bind(now)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }
}
