//! Audit events: who changed what, for the seller's own record.

use super::{Page, Result, Store};
use crate::domain::ids::SellerId;
use crate::domain::time::UnixMs;
use crate::domain::time::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: i64,
    pub seller_id: Option<SellerId>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub created_at: UnixMs,
}

impl Store {
    pub async fn record_audit(
        &self,
        seller_id: Option<SellerId>,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_events (seller_id, actor, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(seller_id)
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(detail)
        .bind(now_ms())
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    pub async fn count_audit(&self, seller_id: Option<SellerId>) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE ($1 IS NULL OR seller_id = $1)")
            .bind(seller_id)
            .fetch_one(&mut *self.read().await?)
            .await?;
        Ok(n)
    }

    pub async fn list_audit(&self, seller_id: Option<SellerId>, page: Page) -> Result<Vec<AuditEvent>> {
        Ok(sqlx::query_as::<_, AuditEvent>(
            "SELECT id, seller_id, actor, action, target, detail, created_at FROM audit_events \
             WHERE ($1 IS NULL OR seller_id = $1) ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(seller_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }
}
