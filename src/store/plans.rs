//! Plans: client API "subscription" (name, level), Licenses API "variant", reseller "product".

use super::{Result, ReturnedRows, Store, StoreError};
use crate::domain::ids::{AppId, PlanId};
use crate::domain::time::UnixMs;
use crate::domain::time::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Plan {
    pub id: PlanId,
    pub app_id: AppId,
    pub name: String,
    pub level: i64,
    pub duration_secs: Option<i64>,
    pub created_at: UnixMs,
}

impl Store {
    pub async fn create_plan(&self, app_id: AppId, name: &str, level: i64, duration_secs: Option<i64>) -> Result<Plan> {
        sqlx::query_as::<_, Plan>(
            "INSERT INTO plans (app_id, name, level, duration_secs, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, app_id, name, level, duration_secs, created_at",
        )
        .bind(app_id)
        .bind(name)
        .bind(level)
        .bind(duration_secs)
        .bind(now_ms())
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn list_plans(&self, app_id: AppId) -> Result<Vec<Plan>> {
        Ok(sqlx::query_as::<_, Plan>(
            "SELECT id, app_id, name, level, duration_secs, created_at FROM plans WHERE app_id = $1 ORDER BY level, id",
        )
        .bind(app_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// A plan by id or name within one app.
    pub async fn plan_by_ref(&self, app_id: AppId, reference: &str) -> Result<Plan> {
        Ok(sqlx::query_as::<_, Plan>(
            "SELECT id, app_id, name, level, duration_secs, created_at FROM plans \
             WHERE app_id = $1 AND (id = $2 OR name = $3) ORDER BY id LIMIT 1",
        )
        .bind(app_id)
        .bind(reference.parse::<i64>().unwrap_or(-1))
        .bind(reference)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// A plan of one app by id.
    pub async fn plan(&self, app_id: AppId, plan_id: PlanId) -> Result<Plan> {
        Ok(sqlx::query_as::<_, Plan>(
            "SELECT id, app_id, name, level, duration_secs, created_at FROM plans WHERE app_id = $1 AND id = $2",
        )
        .bind(app_id)
        .bind(plan_id)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// The plan, its row locked until the bound handle's transaction ends (see
    /// `app_for_update`), for an edit that must not lose a concurrent one.
    pub async fn plan_for_update(&self, app_id: AppId, plan_id: PlanId) -> Result<Plan> {
        sqlx::query_as::<_, Plan>(
            "UPDATE plans SET name = name WHERE app_id = $1 AND id = $2 \
             RETURNING id, app_id, name, level, duration_secs, created_at",
        )
        .bind(app_id)
        .bind(plan_id)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// Writes the plan's name, level and duration (the caller read it and changed fields).
    pub async fn save_plan(&self, plan: &Plan) -> Result<Plan> {
        sqlx::query_as::<_, Plan>(
            "UPDATE plans SET name = $3, level = $4, duration_secs = $5 WHERE app_id = $1 AND id = $2 \
             RETURNING id, app_id, name, level, duration_secs, created_at",
        )
        .bind(plan.app_id)
        .bind(plan.id)
        .bind(&plan.name)
        .bind(plan.level)
        .bind(plan.duration_secs)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// Refused (Conflict) while licenses still name the plan: keys must never lose their plan.
    /// The delete itself checks for licenses; the foreign key (ON DELETE RESTRICT) backs it up
    /// against a license inserted at the same moment.
    pub async fn delete_plan(&self, app_id: AppId, plan_id: PlanId) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM plans WHERE id = $1 AND app_id = $2 AND NOT EXISTS (SELECT 1 FROM licenses WHERE plan_id = $1)",
        )
        .bind(plan_id)
        .bind(app_id)
        .execute(&mut *self.write().await?)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(ref db) if db.message().contains("FOREIGN KEY") || db.is_foreign_key_violation() => {
                StoreError::Conflict("plan still has licenses".into())
            }
            e => e.into(),
        })?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        // Nothing deleted: either no such plan, or licenses still use it.
        match self.plan(app_id, plan_id).await {
            Ok(_) => Err(StoreError::Conflict("plan still has licenses".into())),
            Err(e) => Err(e),
        }
    }
}
