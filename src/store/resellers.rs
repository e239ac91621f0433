//! Reseller accounts of a seller and their API keys (SHA-256 at rest, shown once).

use super::{
    Result, ReturnedRows, Store, StoreError,
    direct::{Arg, from_columns},
};
use crate::domain::ids::{ResellerId, SellerId};
use crate::domain::time::UnixMs;
use crate::domain::{secret, time::now_ms};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reseller {
    pub id: ResellerId,
    pub seller_id: SellerId,
    pub name: String,
    pub key_prefix: String,
    pub rate_limit_per_min: i64,
    pub created_at: UnixMs,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResellerKey {
    pub id: i64,
    pub reseller_id: ResellerId,
    pub label: String,
    pub created_at: UnixMs,
    pub revoked_at: Option<UnixMs>,
    pub last_used_at: Option<UnixMs>,
}

/// The reseller (and key) a presented API key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResellerAuth {
    pub key_id: i64,
    pub reseller_id: ResellerId,
    pub seller_id: SellerId,
    pub rate_limit_per_min: i64,
}

from_columns!(ResellerAuth { key_id, reseller_id, seller_id, rate_limit_per_min });

impl Store {
    pub async fn create_reseller(
        &self,
        seller_id: SellerId,
        name: &str,
        key_prefix: &str,
        rate_limit_per_min: i64,
    ) -> Result<Reseller> {
        sqlx::query_as::<_, Reseller>(
            "INSERT INTO resellers (seller_id, name, key_prefix, rate_limit_per_min, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, seller_id, name, key_prefix, rate_limit_per_min, created_at",
        )
        .bind(seller_id)
        .bind(name)
        .bind(key_prefix)
        .bind(rate_limit_per_min)
        .bind(now_ms())
        .fetch_all(&mut *self.write().await?)
        .await.one()
    }

    /// The reseller, its row locked until the bound transaction ends (see `app_for_update`).
    pub async fn reseller_for_update(&self, seller_id: SellerId, id: ResellerId) -> Result<Reseller> {
        sqlx::query_as::<_, Reseller>(
            "UPDATE resellers SET name = name WHERE id = $1 AND seller_id = $2 \
             RETURNING id, seller_id, name, key_prefix, rate_limit_per_min, created_at",
        )
        .bind(id)
        .bind(seller_id)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn list_resellers(&self, seller_id: SellerId) -> Result<Vec<Reseller>> {
        Ok(sqlx::query_as::<_, Reseller>(
            "SELECT id, seller_id, name, key_prefix, rate_limit_per_min, created_at FROM resellers WHERE seller_id = $1 ORDER BY id",
        )
        .bind(seller_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// A reseller of one seller by id.
    pub async fn reseller(&self, seller_id: SellerId, id: ResellerId) -> Result<Reseller> {
        Ok(sqlx::query_as::<_, Reseller>(
            "SELECT id, seller_id, name, key_prefix, rate_limit_per_min, created_at FROM resellers \
             WHERE seller_id = $1 AND id = $2",
        )
        .bind(seller_id)
        .bind(id)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// A reseller by id or name within one seller.
    pub async fn reseller_by_ref(&self, seller_id: SellerId, reference: &str) -> Result<Reseller> {
        Ok(sqlx::query_as::<_, Reseller>(
            "SELECT id, seller_id, name, key_prefix, rate_limit_per_min, created_at FROM resellers \
             WHERE seller_id = $1 AND (id = $2 OR name = $3) ORDER BY id LIMIT 1",
        )
        .bind(seller_id)
        .bind(reference.parse::<i64>().unwrap_or(-1))
        .bind(reference)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn update_reseller(
        &self,
        seller_id: SellerId,
        id: ResellerId,
        name: &str,
        key_prefix: &str,
        rate_limit_per_min: i64,
    ) -> Result<Reseller> {
        sqlx::query_as::<_, Reseller>(
            "UPDATE resellers SET name = $3, key_prefix = $4, rate_limit_per_min = $5 WHERE id = $1 AND seller_id = $2 \
             RETURNING id, seller_id, name, key_prefix, rate_limit_per_min, created_at",
        )
        .bind(id)
        .bind(seller_id)
        .bind(name)
        .bind(key_prefix)
        .bind(rate_limit_per_min)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_reseller(&self, seller_id: SellerId, id: ResellerId) -> Result<()> {
        let done = sqlx::query("DELETE FROM resellers WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .execute(&mut *self.write().await?)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Issues an API key for a reseller; returns the key's record and the secret (shown once).
    pub async fn create_reseller_key(&self, reseller_id: ResellerId, label: &str) -> Result<(ResellerKey, String)> {
        let plain = secret::new_token("reseller");
        let key = sqlx::query_as::<_, ResellerKey>(
            "INSERT INTO reseller_keys (reseller_id, label, key_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, reseller_id, label, created_at, revoked_at, last_used_at",
        )
        .bind(reseller_id)
        .bind(label)
        .bind(secret::hash_secret(&plain))
        .bind(now_ms())
        .fetch_all(&mut *self.write().await?)
        .await
        .one()?;
        Ok((key, plain))
    }

    pub async fn list_reseller_keys(&self, reseller_id: ResellerId) -> Result<Vec<ResellerKey>> {
        Ok(sqlx::query_as::<_, ResellerKey>(
            "SELECT id, reseller_id, label, created_at, revoked_at, last_used_at FROM reseller_keys WHERE reseller_id = $1 ORDER BY id",
        )
        .bind(reseller_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    pub async fn revoke_reseller_key(&self, reseller_id: ResellerId, key_id: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE reseller_keys SET revoked_at = $3 WHERE id = $1 AND reseller_id = $2 AND revoked_at IS NULL",
        )
        .bind(key_id)
        .bind(reseller_id)
        .bind(now_ms())
        .execute(&mut *self.write().await?)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Resolves a presented reseller API key (by its hash; see `authenticate_token`).
    pub async fn authenticate_reseller_key(&self, presented: &str) -> Result<ResellerAuth> {
        let sql = "SELECT k.id AS key_id, r.id AS reseller_id, r.seller_id, r.rate_limit_per_min FROM reseller_keys k \
             JOIN resellers r ON r.id = k.reseller_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL";
        self.fetch_first(sql, &[Arg::Text(&secret::hash_secret(presented))]).await
    }
}
