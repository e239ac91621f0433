//! Imports running in the background (`import_jobs`): started by the admin API, counted as
//! their batches commit, finished with their report. Any process reads a job's state here.

use super::{Page, Result, ReturnedRows, Store};
use crate::domain::ids::{AppId, SellerId};
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportJob {
    pub id: i64,
    pub seller_id: SellerId,
    pub app_id: AppId,
    /// What is imported: `keyauth_users`, `keyauth_keys`.
    pub source: String,
    /// `running`, `done` or `failed` as stored (see `manage::imports` for `interrupted`).
    pub state: String,
    pub rows_total: i64,
    pub rows_done: i64,
    /// The finished import's report (JSON).
    pub report: Option<String>,
    pub error: Option<String>,
    pub started_by: String,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

const COLUMNS: &str =
    "id, seller_id, app_id, source, state, rows_total, rows_done, report, error, started_by, created_at, updated_at";

impl Store {
    pub async fn create_import_job(
        &self,
        seller_id: SellerId,
        app_id: AppId,
        source: &str,
        rows_total: i64,
        started_by: &str,
        now: i64,
    ) -> Result<ImportJob> {
        let sql = format!(
            "INSERT INTO import_jobs (seller_id, app_id, source, state, rows_total, started_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 'running', $4, $5, $6, $6) RETURNING {COLUMNS}"
        );
        sqlx::query_as::<_, ImportJob>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(app_id)
            .bind(source)
            .bind(rows_total)
            .bind(started_by)
            .bind(now)
            .fetch_all(&mut *self.write().await?)
            .await
            .one()
    }

    /// The seller's job `id`.
    pub async fn import_job(&self, seller_id: SellerId, id: i64) -> Result<ImportJob> {
        let sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE seller_id = $1 AND id = $2");
        sqlx::query_as::<_, ImportJob>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(id)
            .fetch_all(&mut *self.read().await?)
            .await
            .one()
    }

    /// The seller's jobs, newest first.
    pub async fn list_import_jobs(&self, seller_id: SellerId, page: Page) -> Result<Vec<ImportJob>> {
        let sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE seller_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3");
        Ok(sqlx::query_as::<_, ImportJob>(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    pub async fn count_import_jobs(&self, seller_id: SellerId) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM import_jobs WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_one(&mut *self.read().await?)
            .await?;
        Ok(n)
    }

    /// Counts a running job's rows; `updated_at` moves even when the count does not (the job is
    /// alive).
    pub async fn record_import_progress(&self, id: i64, rows_done: i64, now: i64) -> Result<()> {
        sqlx::query("UPDATE import_jobs SET rows_done = $2, updated_at = $3 WHERE id = $1 AND state = 'running'")
            .bind(id)
            .bind(rows_done)
            .bind(now)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Ends a running job: `done` with its report, or `failed` with why.
    pub async fn finish_import_job(
        &self,
        id: i64,
        rows_done: i64,
        outcome: std::result::Result<&str, &str>,
        now: i64,
    ) -> Result<()> {
        let (state, report, error) = match outcome {
            Ok(report) => ("done", Some(report), None),
            Err(error) => ("failed", None, Some(error)),
        };
        sqlx::query(
            "UPDATE import_jobs SET state = $2, rows_done = $3, report = $4, error = $5, updated_at = $6 \
             WHERE id = $1 AND state = 'running'",
        )
        .bind(id)
        .bind(state)
        .bind(rows_done)
        .bind(report)
        .bind(error)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }
}
