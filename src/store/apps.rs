//! Apps (client API "application", Licenses API "product") and their settings.

use super::values::Flag;
use super::{Result, ReturnedRows, Store, StoreError};
use crate::domain::ids::{AppId, SellerId};
use crate::domain::time::UnixMs;
use crate::domain::{keymask::KeyCase, secret, time::now_ms, usable::AppFlags};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct App {
    pub id: AppId,
    pub seller_id: SellerId,
    pub name: String,
    pub secret: String,
    pub version: String,
    pub download_url: String,
    pub customer_panel_link: String,
    pub changelog: String,
    #[sqlx(try_from = "Flag")]
    pub enabled: bool,
    #[sqlx(try_from = "Flag")]
    pub paused: bool,
    #[sqlx(try_from = "Flag")]
    pub hwid_lock: bool,
    #[sqlx(try_from = "Flag")]
    pub force_hwid: bool,
    pub hwid_min_len: i64,
    pub program_hash: Option<String>,
    pub session_ttl_secs: i64,
    pub key_mask: String,
    #[sqlx(try_from = "String")]
    pub key_case: KeyCase,
    pub min_username_len: i64,
    pub request_limit_per_min: Option<i64>,
    /// JSON object of customised client API messages, keyed by message id (served as an object).
    pub messages: String,
    /// Whether the app's users may sign in to the customer panel (`/customer/...`).
    #[sqlx(try_from = "Flag")]
    pub customer_panel: bool,
    /// How long a user waits between two HWID resets of their own in the customer panel.
    pub hwid_reset_cooldown_secs: i64,
    /// Whether `init` asks for a client token and its file hash (KeyAuth's token system).
    #[sqlx(try_from = "Flag")]
    pub token_system: bool,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

impl App {
    /// The app's switches, as `domain::usable` judges them.
    pub fn flags(&self) -> AppFlags {
        AppFlags { enabled: self.enabled, paused: self.paused }
    }
}

macro_rules! app_columns {
    () => {
        "id, seller_id, name, secret, version, download_url, customer_panel_link, changelog, enabled, paused, \
         hwid_lock, force_hwid, hwid_min_len, program_hash, session_ttl_secs, key_mask, key_case, \
         min_username_len, request_limit_per_min, messages, customer_panel, hwid_reset_cooldown_secs, \
         token_system, created_at, updated_at"
    };
}

impl Store {
    pub async fn create_app(&self, seller_id: SellerId, name: &str) -> Result<App> {
        let now = now_ms();
        sqlx::query_as::<_, App>(concat!(
            "INSERT INTO apps (seller_id, name, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING ",
            app_columns!()
        ))
        .bind(seller_id)
        .bind(name)
        .bind(secret::random_string(b"0123456789abcdef", 64))
        .bind(now)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// An app of one seller; another seller's app is `NotFound`.
    pub async fn app(&self, seller_id: SellerId, app_id: AppId) -> Result<App> {
        Ok(sqlx::query_as::<_, App>(concat!("SELECT ", app_columns!(), " FROM apps WHERE id = $1 AND seller_id = $2"))
            .bind(app_id)
            .bind(seller_id)
            .fetch_one(&mut *self.read().await?)
            .await?)
    }

    /// The app, its row locked until the transaction of a bound handle ends, for a
    /// read-modify-write that must not lose a concurrent one. A no-op UPDATE takes the lock in
    /// one SQL text for both engines (PostgreSQL locks the row and returns its latest version;
    /// SQLite's `BEGIN IMMEDIATE` already holds the database's write lock).
    pub async fn app_for_update(&self, seller_id: SellerId, app_id: AppId) -> Result<App> {
        sqlx::query_as::<_, App>(concat!(
            "UPDATE apps SET updated_at = updated_at WHERE id = $1 AND seller_id = $2 RETURNING ",
            app_columns!()
        ))
        .bind(app_id)
        .bind(seller_id)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// An app by id or name within one seller (the CLI accepts either).
    pub async fn app_by_ref(&self, seller_id: SellerId, reference: &str) -> Result<App> {
        Ok(sqlx::query_as::<_, App>(concat!(
            "SELECT ",
            app_columns!(),
            " FROM apps WHERE seller_id = $1 AND (id = $2 OR name = $3) ORDER BY id LIMIT 1"
        ))
        .bind(seller_id)
        .bind(reference.parse::<i64>().unwrap_or(-1))
        .bind(reference)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// The app `app_id` of the seller with `ownerid`, if its customer panel is on (one read:
    /// every customer panel request starts with it).
    pub async fn customer_panel_app(&self, ownerid: &str, app_id: AppId) -> Result<Option<App>> {
        Ok(sqlx::query_as::<_, App>(concat!(
            "SELECT ",
            app_columns!(),
            " FROM apps WHERE id = $2 AND customer_panel = 1 \
             AND seller_id = (SELECT id FROM sellers WHERE ownerid = $1)"
        ))
        .bind(ownerid)
        .bind(app_id)
        .fetch_optional(&mut *self.read().await?)
        .await?)
    }

    pub async fn list_apps(&self, seller_id: SellerId) -> Result<Vec<App>> {
        Ok(sqlx::query_as::<_, App>(concat!("SELECT ", app_columns!(), " FROM apps WHERE seller_id = $1 ORDER BY id"))
            .bind(seller_id)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    /// Writes every setting of `app` (the caller read it, changed fields, and hands it back).
    pub async fn save_app_settings(&self, app: &App) -> Result<App> {
        sqlx::query_as::<_, App>(concat!(
            "UPDATE apps SET name = $3, version = $4, download_url = $5, customer_panel_link = $6, changelog = $7, \
             enabled = $8, paused = $9, hwid_lock = $10, force_hwid = $11, hwid_min_len = $12, program_hash = $13, \
             session_ttl_secs = $14, key_mask = $15, key_case = $16, min_username_len = $17, \
             request_limit_per_min = $18, messages = $19, customer_panel = $20, hwid_reset_cooldown_secs = $21, \
             token_system = $22, updated_at = $23 \
             WHERE id = $1 AND seller_id = $2 RETURNING ",
            app_columns!()
        ))
        .bind(app.id)
        .bind(app.seller_id)
        .bind(&app.name)
        .bind(&app.version)
        .bind(&app.download_url)
        .bind(&app.customer_panel_link)
        .bind(&app.changelog)
        .bind(i64::from(app.enabled))
        .bind(i64::from(app.paused))
        .bind(i64::from(app.hwid_lock))
        .bind(i64::from(app.force_hwid))
        .bind(app.hwid_min_len)
        .bind(&app.program_hash)
        .bind(app.session_ttl_secs)
        .bind(&app.key_mask)
        .bind(app.key_case.as_str())
        .bind(app.min_username_len)
        .bind(app.request_limit_per_min)
        .bind(&app.messages)
        .bind(i64::from(app.customer_panel))
        .bind(app.hwid_reset_cooldown_secs)
        .bind(i64::from(app.token_system))
        .bind(now_ms())
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn rotate_app_secret(&self, seller_id: SellerId, app_id: AppId) -> Result<String> {
        let secret = secret::random_string(b"0123456789abcdef", 64);
        let done = sqlx::query("UPDATE apps SET secret = $3, updated_at = $4 WHERE id = $1 AND seller_id = $2")
            .bind(app_id)
            .bind(seller_id)
            .bind(&secret)
            .bind(now_ms())
            .execute(&mut *self.write().await?)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(secret) }
    }

    /// Deletes the app with everything it owns. Its licenses go first, explicitly, so that the
    /// RESTRICT between licenses and plans never depends on the order the engine cascades in.
    pub async fn delete_app(&self, seller_id: SellerId, app_id: AppId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM licenses WHERE app_id = $1 AND seller_id = $2")
            .bind(app_id)
            .bind(seller_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM apps WHERE id = $1 AND seller_id = $2")
            .bind(app_id)
            .bind(seller_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }
}
