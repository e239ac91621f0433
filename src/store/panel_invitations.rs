//! Invitations to a seller's panel (`panel_invitations`): made by an owner, opened once by the
//! invitee's link before it expires. The link's token is kept as a digest only.

use super::{Result, ReturnedRows, Store};
use crate::domain::ids::SellerId;
use crate::domain::panel::Role;
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PanelInvitation {
    pub id: i64,
    pub seller_id: SellerId,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Who invited (the audit actor of the panel account).
    pub invited_by: String,
    pub created_at: UnixMs,
    pub expires_at: UnixMs,
    pub accepted_at: Option<UnixMs>,
}

/// What a new invitation is.
#[derive(Debug, Clone, Copy)]
pub struct NewInvitation<'a> {
    pub seller_id: SellerId,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

const COLUMNS: &str = "id, seller_id, email, role, invited_by, created_at, expires_at, accepted_at";

impl Store {
    pub async fn create_panel_invitation(&self, new: NewInvitation<'_>) -> Result<PanelInvitation> {
        let sql = format!(
            "INSERT INTO panel_invitations (seller_id, email, role, token_hash, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
        );
        sqlx::query_as::<_, PanelInvitation>(sqlx::AssertSqlSafe(sql))
            .bind(new.seller_id)
            .bind(new.email)
            .bind(new.role.as_str())
            .bind(new.token_hash)
            .bind(new.invited_by)
            .bind(new.now)
            .bind(new.expires_at)
            .fetch_all(&mut *self.write().await?)
            .await
            .one()
    }

    /// The seller's invitations that can still be accepted at `now`, newest first.
    pub async fn open_panel_invitations(&self, seller_id: SellerId, now: i64) -> Result<Vec<PanelInvitation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM panel_invitations \
             WHERE seller_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY id DESC"
        );
        Ok(sqlx::query_as::<_, PanelInvitation>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(now)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    /// The invitation of link digest `token_hash` if it can still be accepted at `now`.
    pub async fn open_panel_invitation(&self, token_hash: &str, now: i64) -> Result<Option<PanelInvitation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM panel_invitations \
             WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2"
        );
        Ok(sqlx::query_as::<_, PanelInvitation>(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *self.read().await?)
            .await?)
    }

    /// Marks the invitation of `token_hash` accepted if it still can be (one conditional
    /// update: of racing acceptances exactly one gets the row); `None` for the others.
    pub async fn claim_panel_invitation(&self, token_hash: &str, now: i64) -> Result<Option<PanelInvitation>> {
        let sql = format!(
            "UPDATE panel_invitations SET accepted_at = $2 \
             WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2 RETURNING {COLUMNS}"
        );
        sqlx::query_as::<_, PanelInvitation>(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now)
            .fetch_all(&mut *self.write().await?)
            .await
            .optional()
    }

    /// Deletes an invitation of the seller that was not accepted yet (revoking its link).
    pub async fn revoke_panel_invitation(&self, seller_id: SellerId, id: i64) -> Result<PanelInvitation> {
        let sql = format!(
            "DELETE FROM panel_invitations WHERE seller_id = $1 AND id = $2 AND accepted_at IS NULL RETURNING {COLUMNS}"
        );
        sqlx::query_as::<_, PanelInvitation>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(id)
            .fetch_all(&mut *self.write().await?)
            .await
            .one()
    }

    /// Deletes the invitations that can no longer be accepted (used or expired at `now`; the
    /// audit log keeps who invited whom); how many.
    pub async fn prune_panel_invitations(&self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM panel_invitations WHERE accepted_at IS NOT NULL OR expires_at <= $1")
            .bind(now)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected())
    }
}
