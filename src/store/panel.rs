//! The seller panel's accounts and the lookup of their browser sessions (`panel_accounts`,
//! `panel_sessions`; storing, touching and pruning sessions is `browser_sessions`). A session is
//! valid while it is neither past its absolute expiry nor idle for longer than the caller's
//! idle time.

use super::{Result, ReturnedRows, Store};
use crate::domain::ids::SellerId;
use crate::domain::panel::Role;
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PanelAccount {
    pub id: i64,
    pub seller_id: SellerId,
    pub email: String,
    pub password_hash: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub totp_secret: Option<String>,
    pub created_at: UnixMs,
    pub disabled_at: Option<UnixMs>,
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
    pub last_used_at: UnixMs,
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

    /// Turns the account's TOTP off if its secret is still `secret` (a replacement enrolled
    /// meanwhile from another session stays); whether it was.
    pub async fn clear_panel_totp(&self, id: i64, secret: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE panel_accounts SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1 AND totp_secret = $2",
        )
        .bind(id)
        .bind(secret)
        .execute(&mut *self.write().await?)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// Replaces the account's password hash if it is still `old` (compare-and-swap: a change
    /// made meanwhile from another session is not overwritten); whether it was.
    pub async fn replace_panel_password_hash(&self, id: i64, old: &str, new: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE panel_accounts SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
            .bind(id)
            .bind(old)
            .bind(new)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected();
        Ok(done == 1)
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
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: i64,
    csrf_token: String,
    last_used_at: UnixMs,
    #[sqlx(flatten)]
    account: PanelAccount,
}
