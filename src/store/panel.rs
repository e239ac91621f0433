//! The seller panel's accounts and browser sessions (`panel_accounts`, `panel_sessions`).
//! Session cookies are stored as SHA-256 digests only; a session is valid while it is neither
//! past its absolute expiry nor idle for longer than the caller's idle time.

use super::{Result, ReturnedRows, Store};
use crate::domain::ids::SellerId;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PanelAccount {
    pub id: i64,
    pub seller_id: SellerId,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

impl PanelAccount {
    pub fn totp_enrolled(&self) -> bool {
        self.totp_secret.is_some()
    }
}

/// A live session with its account.
#[derive(Debug, Clone)]
pub struct PanelSession {
    pub id: i64,
    pub csrf_token: String,
    pub last_used_at: i64,
    pub account: PanelAccount,
}

const ACCOUNT: &str = "id, seller_id, email, password_hash, role, totp_secret, created_at, disabled_at";

impl Store {
    pub async fn create_panel_account(
        &self,
        seller_id: SellerId,
        email: &str,
        password_hash: &str,
        role: &str,
        now: i64,
    ) -> Result<PanelAccount> {
        let sql = format!(
            "INSERT INTO panel_accounts (seller_id, email, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {ACCOUNT}"
        );
        sqlx::query_as::<_, PanelAccount>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(email)
            .bind(password_hash)
            .bind(role)
            .bind(now)
            .fetch_all(&mut *self.write().await?)
            .await
            .one()
    }

    pub async fn panel_accounts(&self, seller_id: SellerId) -> Result<Vec<PanelAccount>> {
        let sql = format!("SELECT {ACCOUNT} FROM panel_accounts WHERE seller_id = $1 ORDER BY id");
        Ok(sqlx::query_as::<_, PanelAccount>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    pub async fn panel_account(&self, seller_id: SellerId, id: i64) -> Result<PanelAccount> {
        let sql = format!("SELECT {ACCOUNT} FROM panel_accounts WHERE seller_id = $1 AND id = $2");
        Ok(sqlx::query_as::<_, PanelAccount>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(id)
            .fetch_one(&mut *self.read().await?)
            .await?)
    }

    /// The account signing in with `email` (compared as stored: emails are lowercased on entry).
    pub async fn panel_account_by_email(&self, email: &str) -> Result<Option<PanelAccount>> {
        let sql = format!("SELECT {ACCOUNT} FROM panel_accounts WHERE email = $1");
        Ok(sqlx::query_as::<_, PanelAccount>(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&mut *self.read().await?)
            .await?)
    }

    pub async fn delete_panel_account(&self, seller_id: SellerId, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM panel_accounts WHERE seller_id = $1 AND id = $2 RETURNING id")
            .bind(seller_id)
            .bind(id)
            .fetch_all(&mut *self.write().await?)
            .await
            .one()
            .map(|_: sqlx::any::AnyRow| ())
    }

    /// Sets (enrols) the account's TOTP secret and forgets the last accepted step.
    pub async fn set_panel_totp(&self, seller_id: SellerId, id: i64, secret: &str) -> Result<()> {
        sqlx::query(
            "UPDATE panel_accounts SET totp_secret = $3, totp_last_step = NULL WHERE seller_id = $1 AND id = $2 \
             RETURNING id",
        )
        .bind(seller_id)
        .bind(id)
        .bind(secret)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
        .map(|_: sqlx::any::AnyRow| ())
    }

    /// Accepts TOTP time step `step` for the account once: false when it (or a later step)
    /// was already used, so a code seen over someone's shoulder cannot sign in a second time.
    pub async fn accept_panel_totp_step(&self, id: i64, step: i64) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE panel_accounts SET totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id",
        )
        .bind(id)
        .bind(step)
        .fetch_all(&mut *self.write().await?)
        .await?;
        Ok(!rows.is_empty())
    }

    pub async fn create_panel_session(
        &self,
        account_id: i64,
        token_hash: &str,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO panel_sessions (account_id, token_hash, csrf_token, created_at, last_used_at, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(account_id)
        .bind(token_hash)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// The session of cookie digest `token_hash` if it is live at `now` (not expired, used
    /// since `idle_since`, its account not disabled).
    pub async fn panel_session(&self, token_hash: &str, now: i64, idle_since: i64) -> Result<Option<PanelSession>> {
        let sql = "SELECT s.id AS session_id, s.csrf_token, s.last_used_at, a.id, a.seller_id, a.email, \
                   a.password_hash, a.role, a.totp_secret, a.created_at, a.disabled_at \
                   FROM panel_sessions s JOIN panel_accounts a ON a.id = s.account_id \
                   WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_used_at > $3 AND a.disabled_at IS NULL";
        let row: Option<SessionRow> = sqlx::query_as(sql)
            .bind(token_hash)
            .bind(now)
            .bind(idle_since)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        Ok(row.map(|r| PanelSession {
            id: r.session_id,
            csrf_token: r.csrf_token,
            last_used_at: r.last_used_at,
            account: r.account,
        }))
    }

    /// Records that the session was used at `now` (its idle time starts again).
    pub async fn touch_panel_session(&self, id: i64, now: i64) -> Result<()> {
        sqlx::query("UPDATE panel_sessions SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    pub async fn delete_panel_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM panel_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Drops sessions past their absolute expiry or idle since `idle_since`.
    pub async fn prune_panel_sessions(&self, now: i64, idle_since: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM panel_sessions WHERE expires_at <= $1 OR last_used_at <= $2")
            .bind(now)
            .bind(idle_since)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: i64,
    csrf_token: String,
    last_used_at: i64,
    #[sqlx(flatten)]
    account: PanelAccount,
}
