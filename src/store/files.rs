//! Files a seller uploads for the client API's `file` action, stored in the database (BLOB on
//! SQLite, BYTEA on PostgreSQL) so every server process serves the same bytes.

use super::values::Flag;
use super::{Page, Result, ReturnedRows, Store, client_data::one_row};
use crate::domain::ids::AppId;
use crate::domain::time::UnixMs;

/// A file without its contents (what listings show).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileInfo {
    pub id: i64,
    pub app_id: AppId,
    pub fileid: String,
    pub name: String,
    pub size: i64,
    /// 1: only a validated session may download it.
    #[sqlx(try_from = "Flag")]
    pub authed: bool,
    pub created_at: UnixMs,
}

macro_rules! file_info_columns {
    () => {
        "id, app_id, fileid, name, CAST(LENGTH(data) AS BIGINT) AS size, authed, created_at"
    };
}

impl Store {
    /// A file's `authed` flag and bytes.
    /// Whether the file needs a signed-in user, and its bytes.
    pub async fn file_contents(&self, app_id: AppId, fileid: &str) -> Result<(bool, Vec<u8>)> {
        let (authed, data): (Flag, Vec<u8>) =
            sqlx::query_as("SELECT authed, data FROM files WHERE app_id = $1 AND fileid = $2")
                .bind(app_id)
                .bind(fileid)
                .fetch_one(&mut *self.read().await?)
                .await?;
        Ok((authed.into(), data))
    }

    pub async fn list_files(&self, app_id: AppId, page: Page) -> Result<Vec<FileInfo>> {
        Ok(sqlx::query_as::<_, FileInfo>(concat!(
            "SELECT ",
            file_info_columns!(),
            " FROM files WHERE app_id = $1 ORDER BY fileid LIMIT $2 OFFSET $3"
        ))
        .bind(app_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Stores a file under `fileid`, replacing the one there.
    pub async fn put_file(
        &self,
        app_id: AppId,
        fileid: &str,
        name: &str,
        data: &[u8],
        authed: bool,
        now: i64,
    ) -> Result<FileInfo> {
        sqlx::query_as::<_, FileInfo>(concat!(
            "INSERT INTO files (app_id, fileid, name, data, authed, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (app_id, fileid) DO UPDATE SET name = excluded.name, data = excluded.data, \
             authed = excluded.authed, created_at = excluded.created_at RETURNING ",
            file_info_columns!()
        ))
        .bind(app_id)
        .bind(fileid)
        .bind(name)
        .bind(data)
        .bind(i64::from(authed))
        .bind(now)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_file(&self, app_id: AppId, fileid: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM files WHERE app_id = $1 AND fileid = $2")
                .bind(app_id)
                .bind(fileid)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }
}
