//! Sellers: the tenants. Everything else hangs off a seller and is deleted with it.

use super::{Result, ReturnedRows, Store, StoreError};
use crate::domain::ids::SellerId;
use crate::domain::time::UnixMs;
use crate::domain::{secret, time::now_ms};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Seller {
    pub id: SellerId,
    pub ownerid: String,
    pub name: String,
    pub key_prefix: String,
    pub created_at: UnixMs,
}

/// Column list of `Seller`, as a macro so queries stay `&'static str` via `concat!`.
macro_rules! seller_columns {
    () => {
        "id, ownerid, name, key_prefix, created_at"
    };
}

impl Store {
    /// Creates a seller and, in the same transaction, its default customer (`store::customers`).
    pub async fn create_seller(&self, name: &str, key_prefix: &str) -> Result<Seller> {
        // The ownerid space is 62^10; a collision is retried rather than reported.
        for _ in 0..3 {
            let mut tx = self.begin_write().await?;
            let now = now_ms();
            let res = sqlx::query_as::<_, Seller>(concat!(
                "INSERT INTO sellers (ownerid, name, key_prefix, created_at) VALUES ($1, $2, $3, $4) RETURNING ",
                seller_columns!()
            ))
            .bind(secret::new_ownerid())
            .bind(name)
            .bind(key_prefix)
            .bind(now)
            .fetch_all(&mut *tx)
            .await
            .one();
            match res {
                Err(StoreError::Conflict(c)) if c.contains("ownerid") => tx.rollback().await?,
                Err(e) => return Err(e),
                Ok(seller) => {
                    sqlx::query("INSERT INTO customers (seller_id, email, name, created_at) VALUES ($1, '', '', $2)")
                        .bind(seller.id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    return Ok(seller);
                }
            }
        }
        Err(StoreError::Conflict("sellers.ownerid".into()))
    }

    pub async fn seller(&self, id: SellerId) -> Result<Seller> {
        Ok(sqlx::query_as::<_, Seller>(concat!("SELECT ", seller_columns!(), " FROM sellers WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *self.read().await?)
            .await?)
    }

    /// A seller by id or by name (the CLI accepts either).
    pub async fn seller_by_ref(&self, reference: &str) -> Result<Seller> {
        let id = reference.parse::<i64>().unwrap_or(-1);
        Ok(sqlx::query_as::<_, Seller>(concat!(
            "SELECT ",
            seller_columns!(),
            " FROM sellers WHERE id = $1 OR name = $2 OR ownerid = $2 ORDER BY id LIMIT 1"
        ))
        .bind(id)
        .bind(reference)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn list_sellers(&self) -> Result<Vec<Seller>> {
        Ok(sqlx::query_as::<_, Seller>(concat!("SELECT ", seller_columns!(), " FROM sellers ORDER BY id"))
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    pub async fn update_seller(&self, id: SellerId, name: &str, key_prefix: &str) -> Result<Seller> {
        sqlx::query_as::<_, Seller>(concat!(
            "UPDATE sellers SET name = $2, key_prefix = $3 WHERE id = $1 RETURNING ",
            seller_columns!()
        ))
        .bind(id)
        .bind(name)
        .bind(key_prefix)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_seller(&self, id: SellerId) -> Result<()> {
        let done = sqlx::query("DELETE FROM sellers WHERE id = $1").bind(id).execute(&mut *self.write().await?).await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
