//! The client API's per-request read: the app named by (ownerid, name), the request's session
//! and, for a validated session, its user, in one statement. It runs before every client API
//! action, and on SQLite each statement is a round trip to a database thread (two thread
//! wake-ups), which the benchmark profile shows as these paths' main cost.

use super::{Result, Store, StoreError, apps::App, sessions::Session, users::User};
use crate::domain::secret;
use sqlx::{FromRow, Row, any::AnyRow};

/// What the lookup found. `session` is `None` when none was asked for, or it is unknown,
/// expired or another app's (sessions are looked up by the SHA-256 of the presented id); `user` only for a validated session whose user exists.
pub struct ClientRequest {
    pub app: App,
    pub session: Option<Session>,
    pub user: Option<User>,
}

impl Store {
    /// `NotFound` when no app has that name under that ownerid.
    pub async fn client_request(
        &self,
        ownerid: &str,
        name: &str,
        session_id: Option<&str>,
        now: i64,
    ) -> Result<ClientRequest> {
        let row = sqlx::query(
            "SELECT a.id, a.seller_id, a.name, a.secret, a.version, a.download_url, a.customer_panel_link, \
             a.changelog, a.enabled, a.paused, a.hwid_lock, a.force_hwid, a.hwid_min_len, a.program_hash, \
             a.session_ttl_secs, a.key_mask, a.key_case, a.min_username_len, a.request_limit_per_min, a.messages, \
             a.created_at, a.updated_at, \
             s.id AS s_id, s.user_id AS s_user_id, s.validated AS s_validated, s.ip AS s_ip, \
             s.created_at AS s_created_at, s.expires_at AS s_expires_at, \
             u.id AS u_id, u.username AS u_username, u.email AS u_email, u.password_hash AS u_password_hash, \
             u.ip AS u_ip, u.banned_reason AS u_banned_reason, u.totp_secret AS u_totp_secret, \
             u.totp_enabled AS u_totp_enabled, u.paused AS u_paused, u.created_at AS u_created_at, \
             u.last_login_at AS u_last_login_at \
             FROM apps a JOIN sellers se ON se.id = a.seller_id \
             LEFT JOIN sessions s ON s.app_id = a.id AND s.id = $3 AND s.expires_at > $4 \
             LEFT JOIN users u ON s.validated = 1 AND u.id = s.user_id AND u.app_id = a.id \
             WHERE se.ownerid = $1 AND a.name = $2",
        )
        .bind(ownerid)
        .bind(name)
        .bind(session_id.map(secret::hash_secret))
        .bind(now)
        .fetch_optional(self.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
        let app = App::from_row(&row)?;
        let session = match session_id {
            Some(id) => session_from(&row, app.id, id)?,
            None => None,
        };
        let user = user_from(&row, app.id)?;
        Ok(ClientRequest { app, session, user })
    }
}

/// The session found, under the id the client presented (the table keeps only its digest).
fn session_from(row: &AnyRow, app_id: i64, presented: &str) -> Result<Option<Session>> {
    if row.try_get::<Option<String>, _>("s_id")?.is_none() {
        return Ok(None);
    }
    Ok(Some(Session {
        id: presented.to_owned(),
        app_id,
        user_id: row.try_get("s_user_id")?,
        validated: row.try_get("s_validated")?,
        ip: row.try_get("s_ip")?,
        created_at: row.try_get("s_created_at")?,
        expires_at: row.try_get("s_expires_at")?,
    }))
}

fn user_from(row: &AnyRow, app_id: i64) -> Result<Option<User>> {
    let Some(id) = row.try_get::<Option<i64>, _>("u_id")? else { return Ok(None) };
    Ok(Some(User {
        id,
        app_id,
        username: row.try_get("u_username")?,
        email: row.try_get("u_email")?,
        password_hash: row.try_get("u_password_hash")?,
        ip: row.try_get("u_ip")?,
        banned_reason: row.try_get("u_banned_reason")?,
        totp_secret: row.try_get("u_totp_secret")?,
        totp_enabled: row.try_get("u_totp_enabled")?,
        paused: row.try_get("u_paused")?,
        created_at: row.try_get("u_created_at")?,
        last_login_at: row.try_get("u_last_login_at")?,
    }))
}
