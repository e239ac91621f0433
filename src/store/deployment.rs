//! The deployment's own facts (`deployment` table): the public key its answers are signed
//! with, so that every process of a deployment provably signs with the one key clients pin.

use super::{Result, Store};

const PUBLIC_KEY: &str = "public_key";

impl Store {
    /// The public key (hex) this database is served with, once recorded.
    pub async fn recorded_public_key(&self) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM deployment WHERE name = $1")
            .bind(PUBLIC_KEY)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        Ok(row.map(|(v,)| v))
    }

    /// Records `public_key` unless a key is recorded already, and returns the recorded one: this
    /// one, or the one a concurrent first start recorded before it.
    pub async fn record_public_key(&self, public_key: &str, now: i64) -> Result<String> {
        sqlx::query(
            "INSERT INTO deployment (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(PUBLIC_KEY)
        .bind(public_key)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(self.recorded_public_key().await?.unwrap_or_default())
    }

    /// Makes `public_key` the recorded one (a deliberate rotation).
    pub async fn replace_public_key(&self, public_key: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO deployment (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(PUBLIC_KEY)
        .bind(public_key)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// Whether the database holds any seller: data that clients may already depend on.
    pub async fn has_sellers(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM sellers LIMIT 1) s")
            .fetch_one(&mut *self.read().await?)
            .await?;
        Ok(n > 0)
    }
}

impl Store {
    /// Writes a consistent copy of the whole SQLite database to `path` (`VACUUM INTO`: one read
    /// transaction, so writers go on meanwhile and the copy holds every write committed before
    /// it began). PostgreSQL has `pg_dump` for this.
    pub async fn snapshot_into(&self, path: &std::path::Path) -> Result<()> {
        if self.engine() != super::Engine::Sqlite {
            return Err(super::StoreError::Open("online snapshots are for SQLite; on PostgreSQL use pg_dump".into()));
        }
        let path = path.to_str().ok_or_else(|| super::StoreError::Open(format!("{} is not UTF-8", path.display())))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&mut *self.read().await?).await?;
        Ok(())
    }

    /// SQLite's `PRAGMA integrity_check`: `Ok(())` when it answers `ok`, else its first complaint.
    pub async fn integrity_check(&self) -> Result<std::result::Result<(), String>> {
        let (verdict,): (String,) =
            sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut *self.read().await?).await?;
        Ok(if verdict == "ok" { Ok(()) } else { Err(verdict) })
    }
}
