//! The reseller dashboard's sign-ins (`reseller_accounts`, one per reseller) and the lookup of
//! their browser sessions (`reseller_sessions`; storing, touching and pruning them is
//! `browser_sessions`), valid like the seller panel's.

use super::{Result, ReturnedRows, Store};
use crate::domain::ids::ResellerId;
use crate::domain::ids::SellerId;
use crate::domain::time::UnixMs;

/// A reseller's sign-in with the reseller it acts for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResellerAccount {
    pub id: i64,
    pub reseller_id: ResellerId,
    pub seller_id: SellerId,
    pub reseller_name: String,
    pub email: String,
    pub password_hash: String,
    pub created_at: UnixMs,
}

/// A live session with its account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResellerSession {
    pub session_id: i64,
    pub csrf_token: String,
    pub last_used_at: UnixMs,
    #[sqlx(flatten)]
    pub account: ResellerAccount,
}

const ACCOUNT: &str = "ra.id, ra.reseller_id, r.seller_id, r.name AS reseller_name, ra.email, ra.password_hash, \
                       ra.created_at FROM reseller_accounts ra JOIN resellers r ON r.id = ra.reseller_id";

impl Store {
    /// Gives the reseller the sign-in `email` with `password_hash`, replacing any earlier one
    /// (and so ending its sessions). Run inside a change: delete and insert commit together.
    pub async fn replace_reseller_account(
        &self,
        reseller_id: ResellerId,
        email: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<i64> {
        self.delete_reseller_account(reseller_id).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reseller_accounts (reseller_id, email, password_hash, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(reseller_id)
        .bind(email)
        .bind(password_hash)
        .bind(now)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()?;
        Ok(id)
    }

    /// Removes the reseller's sign-in (its sessions end with it); false when it had none.
    pub async fn delete_reseller_account(&self, reseller_id: ResellerId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM reseller_accounts WHERE reseller_id = $1")
            .bind(reseller_id)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The sign-in of the reseller, if it has one.
    pub async fn reseller_account(&self, reseller_id: ResellerId) -> Result<Option<ResellerAccount>> {
        let sql = format!("SELECT {ACCOUNT} WHERE ra.reseller_id = $1");
        Ok(sqlx::query_as::<_, ResellerAccount>(sqlx::AssertSqlSafe(sql))
            .bind(reseller_id)
            .fetch_optional(&mut *self.read().await?)
            .await?)
    }

    /// The sign-in with `email` (compared as stored: emails are lowercased on entry).
    pub async fn reseller_account_by_email(&self, email: &str) -> Result<Option<ResellerAccount>> {
        let sql = format!("SELECT {ACCOUNT} WHERE ra.email = $1");
        Ok(sqlx::query_as::<_, ResellerAccount>(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&mut *self.read().await?)
            .await?)
    }

    /// The session of cookie digest `token_hash` if it is live at `now` (not expired, used
    /// since `idle_since`).
    pub async fn reseller_session(
        &self,
        token_hash: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<ResellerSession>> {
        let sql = format!(
            "SELECT s.id AS session_id, s.csrf_token, s.last_used_at, {ACCOUNT} \
             JOIN reseller_sessions s ON s.account_id = ra.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_used_at > $3"
        );
        Ok(sqlx::query_as::<_, ResellerSession>(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now)
            .bind(idle_since)
            .fetch_optional(&mut *self.read().await?)
            .await?)
    }
}
