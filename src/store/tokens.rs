//! API tokens (operator, seller admin, store for the Licenses API, seller API for one app),
//! stored as SHA-256 only.

use super::{
    Result, ReturnedRows, Store, StoreError,
    direct::{Arg, from_columns},
};
use crate::domain::ids::{AppId, SellerId};
use crate::domain::time::UnixMs;
use crate::domain::{secret, time::now_ms};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// Manages every seller through the admin API.
    Operator,
    /// Manages one seller's data through the admin API.
    Seller,
    /// Calls the Licenses API v2 for one seller's store.
    Store,
    /// Calls the KeyAuth-compatible seller API (`/api/seller/`) for one app of one seller.
    SellerApi,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Seller => "seller",
            Self::Store => "store",
            Self::SellerApi => "sellerapi",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "operator" => Some(Self::Operator),
            "seller" => Some(Self::Seller),
            "store" => Some(Self::Store),
            "sellerapi" => Some(Self::SellerApi),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub seller_id: Option<SellerId>,
    /// The one app a seller API token acts for; `None` for every other kind.
    pub app_id: Option<AppId>,
    #[sqlx(try_from = "String")]
    pub kind: TokenKind,
    pub name: String,
    pub created_at: UnixMs,
    pub revoked_at: Option<UnixMs>,
    pub last_used_at: Option<UnixMs>,
}

/// Who a presented token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenOwner {
    pub token_id: i64,
    pub kind: TokenKind,
    pub seller_id: Option<SellerId>,
    pub app_id: Option<AppId>,
}

/// A live token's row, as `authenticate_token` reads it.
struct TokenRow {
    id: i64,
    kind: TokenKind,
    seller_id: Option<SellerId>,
    app_id: Option<AppId>,
}

from_columns!(TokenRow { id, kind as String, seller_id, app_id });

impl Store {
    /// Creates a token for a whole seller (or, operator, for all) and returns it with the
    /// secret, which is never stored and never shown again.
    pub async fn create_token(
        &self,
        kind: TokenKind,
        seller_id: Option<SellerId>,
        name: &str,
    ) -> Result<(ApiToken, String)> {
        self.insert_token(kind, seller_id, None, name).await
    }

    /// Creates a seller API token acting for one app of the seller.
    pub async fn create_app_token(&self, seller_id: SellerId, app_id: AppId, name: &str) -> Result<(ApiToken, String)> {
        self.insert_token(TokenKind::SellerApi, Some(seller_id), Some(app_id), name).await
    }

    async fn insert_token(
        &self,
        kind: TokenKind,
        seller_id: Option<SellerId>,
        app_id: Option<AppId>,
        name: &str,
    ) -> Result<(ApiToken, String)> {
        let plain = secret::new_token(kind.as_str());
        let token = sqlx::query_as::<_, ApiToken>(
            "INSERT INTO api_tokens (seller_id, app_id, kind, name, token_hash, created_at) \
             VALUES ($1, $6, $2, $3, $4, $5) \
             RETURNING id, seller_id, app_id, kind, name, created_at, revoked_at, last_used_at",
        )
        .bind(seller_id)
        .bind(kind.as_str())
        .bind(name)
        .bind(secret::hash_secret(&plain))
        .bind(now_ms())
        .bind(app_id)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()?;
        Ok((token, plain))
    }

    /// Resolves a presented bearer secret. The lookup is by hash, so the database index does the
    /// comparison on a digest the caller cannot steer; nothing compares the secret byte by byte.
    pub async fn authenticate_token(&self, presented: &str) -> Result<TokenOwner> {
        let sql = "SELECT id, kind, seller_id, app_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
        let row: TokenRow = self.fetch_first(sql, &[Arg::Text(&secret::hash_secret(presented))]).await?;
        Ok(TokenOwner { token_id: row.id, kind: row.kind, seller_id: row.seller_id, app_id: row.app_id })
    }

    /// Tokens of one seller (`Some`), or every token (`None`, operator view).
    pub async fn list_tokens(&self, seller_id: Option<SellerId>) -> Result<Vec<ApiToken>> {
        Ok(sqlx::query_as::<_, ApiToken>(
            "SELECT id, seller_id, app_id, kind, name, created_at, revoked_at, last_used_at FROM api_tokens \
             WHERE ($1 IS NULL OR seller_id = $1) ORDER BY id",
        )
        .bind(seller_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Stamps when a token was last used (callers do so once a rate-limit window at most).
    pub async fn touch_token(&self, id: i64, now: i64) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Revokes a token; with `seller_id` only that seller's tokens can be revoked.
    pub async fn revoke_token(&self, id: i64, seller_id: Option<SellerId>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND ($2 IS NULL OR seller_id = $2) AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(seller_id)
        .bind(now_ms())
        .execute(&mut *self.write().await?)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
