//! Browser sessions of the web faces (the seller panel, the reseller dashboard, the customer
//! panel): one table per face, each with the same columns (`panel_sessions`, `reseller_sessions`,
//! `customer_sessions`; migrations 0012, 0016 and 0018), so one set of statements serves them
//! all. Cookies are stored as SHA-256 digests only; looking a live session up joins the face's
//! own account table and lives with it (`panel_session`, `reseller_session`,
//! `customer_session`).

use super::{Result, Store};

/// Which face's session table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTable {
    Panel,
    Reseller,
    Customer,
}

impl SessionTable {
    fn name(self) -> &'static str {
        match self {
            Self::Panel => "panel_sessions",
            Self::Reseller => "reseller_sessions",
            Self::Customer => "customer_sessions",
        }
    }
}

impl Store {
    /// Stores a session of account `account_id` (of the face's account table).
    pub async fn create_browser_session(
        &self,
        table: SessionTable,
        account_id: i64,
        token_hash: &str,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO {} (account_id, token_hash, csrf_token, created_at, last_used_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
            table.name()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(token_hash)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Records that the session was used at `now` (its idle time starts again).
    pub async fn touch_browser_session(&self, table: SessionTable, id: i64, now: i64) -> Result<()> {
        let sql = format!("UPDATE {} SET last_used_at = $2 WHERE id = $1", table.name());
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(now).execute(&mut *self.write().await?).await?;
        Ok(())
    }

    pub async fn delete_browser_session(&self, table: SessionTable, token_hash: &str) -> Result<()> {
        let sql = format!("DELETE FROM {} WHERE token_hash = $1", table.name());
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).execute(&mut *self.write().await?).await?;
        Ok(())
    }

    /// Ends every session of account `account_id` but session `keep` (after a password change).
    pub async fn end_other_browser_sessions(&self, table: SessionTable, account_id: i64, keep: i64) -> Result<u64> {
        let sql = format!("DELETE FROM {} WHERE account_id = $1 AND id <> $2", table.name());
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(keep)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }

    /// Drops sessions past their absolute expiry or idle since `idle_since`.
    pub async fn prune_browser_sessions(&self, table: SessionTable, now: i64, idle_since: i64) -> Result<u64> {
        let sql = format!("DELETE FROM {} WHERE expires_at <= $1 OR last_used_at <= $2", table.name());
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(idle_since)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }
}
