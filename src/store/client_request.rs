//! The client API's per-request read: the app named by (ownerid, name), the request's session
//! and, for a validated session, its user with the facts of its subscriptions (one row per
//! subscription), in one statement, so `domain::usable` can judge every request afresh. It runs before every client API
//! action. On SQLite it runs on the direct read path (`direct`: no thread hand-off), on
//! PostgreSQL through sqlx; one SQL text and one row mapping for both.

use super::{
    Result, Store, StoreError,
    apps::App,
    direct::{Arg, Columns, FromColumns, bind_all, from_columns},
    sessions::Session,
    users::User,
    values::Flag,
};
use crate::domain::ids::{AppId, UserId};
use crate::domain::{
    secret,
    usable::{LicenseFacts, SubscriptionFacts},
};

/// What the lookup found. `session` is `None` when none was asked for, or it is unknown,
/// expired or another app's (sessions are looked up by the SHA-256 of the presented id); `user` only for a validated session whose user exists.
pub struct ClientRequest {
    pub app: App,
    pub session: Option<Session>,
    pub user: Option<User>,
    /// The user's subscriptions (empty without a user), with the state of their keys.
    pub subscriptions: Vec<SubscriptionFacts>,
}

/// One statement: app, session, user and one row per subscription.
const SQL: &str = "SELECT a.id, a.seller_id, a.name, a.secret, a.version, a.download_url, a.customer_panel_link, \
     a.changelog, a.enabled, a.paused, a.hwid_lock, a.force_hwid, a.hwid_min_len, a.program_hash, \
     a.session_ttl_secs, a.key_mask, a.key_case, a.min_username_len, a.request_limit_per_min, a.messages, \
     a.customer_panel, a.hwid_reset_cooldown_secs, a.token_system, a.created_at, a.updated_at, \
     s.id AS s_id, s.user_id AS s_user_id, s.validated AS s_validated, s.ip AS s_ip, \
     s.created_at AS s_created_at, s.expires_at AS s_expires_at, \
     u.id AS u_id, u.username AS u_username, u.email AS u_email, u.password_hash AS u_password_hash, \
     u.ip AS u_ip, u.banned_reason AS u_banned_reason, u.totp_secret AS u_totp_secret, \
     u.totp_enabled AS u_totp_enabled, u.paused AS u_paused, u.created_at AS u_created_at, \
     u.last_login_at AS u_last_login_at, \
     sub.expires_at AS sub_expires_at, sub.paused AS sub_paused, \
     l.active AS l_active, l.banned_reason AS l_banned_reason, l.expires_at AS l_expires_at \
     FROM apps a JOIN sellers se ON se.id = a.seller_id \
     LEFT JOIN sessions s ON s.app_id = a.id AND s.id = $3 AND s.expires_at > $4 \
     LEFT JOIN users u ON s.validated = 1 AND u.id = s.user_id AND u.app_id = a.id \
     LEFT JOIN subscriptions sub ON sub.user_id = u.id \
     LEFT JOIN licenses l ON l.id = sub.license_id \
     WHERE se.ownerid = $1 AND a.name = $2";

impl Store {
    /// `NotFound` when no app has that name under that ownerid.
    pub async fn client_request(
        &self,
        ownerid: &str,
        name: &str,
        session_id: Option<&str>,
        now: i64,
    ) -> Result<ClientRequest> {
        let digest = session_id.map(secret::hash_secret);
        let args = [Arg::Text(ownerid), Arg::Text(name), Arg::OptText(digest.as_deref()), Arg::Int(now)];
        let mut found = Found { request: None, session_id };
        if let Some(direct) = self.direct() {
            direct.each(SQL, &args, |row| found.push(row))?;
        } else {
            for row in &bind_all(sqlx::query(SQL), &args).fetch_all(&mut *self.read().await?).await? {
                found.push(row)?;
            }
        }
        found.request.ok_or(StoreError::NotFound)
    }
}

/// The request read so far, row by row: the first row gives the app, session and user, every
/// row of a user one subscription.
struct Found<'a> {
    request: Option<ClientRequest>,
    session_id: Option<&'a str>,
}

impl Found<'_> {
    fn push(&mut self, row: &impl Columns) -> Result<()> {
        let request = match &mut self.request {
            Some(request) => request,
            None => {
                let app = App::from_columns(row)?;
                let session = match self.session_id {
                    Some(id) => session_from(row, app.id, id)?,
                    None => None,
                };
                let user = user_from(row, app.id)?;
                self.request.insert(ClientRequest { app, session, user, subscriptions: Vec::new() })
            }
        };
        if request.user.is_some()
            && let Some(subscription) = subscription_from(row)?
        {
            request.subscriptions.push(subscription);
        }
        Ok(())
    }
}

from_columns!(App {
    id,
    seller_id,
    name,
    secret,
    version,
    download_url,
    customer_panel_link,
    changelog,
    enabled as Flag,
    paused as Flag,
    hwid_lock as Flag,
    force_hwid as Flag,
    hwid_min_len,
    program_hash,
    session_ttl_secs,
    key_mask,
    key_case as String,
    min_username_len,
    request_limit_per_min,
    messages,
    customer_panel as Flag,
    hwid_reset_cooldown_secs,
    token_system as Flag,
    created_at,
    updated_at,
});

/// The session found, under the id the client presented (the table keeps only its digest).
fn session_from(row: &impl Columns, app_id: AppId, presented: &str) -> Result<Option<Session>> {
    if row.col::<Option<String>>("s_id")?.is_none() {
        return Ok(None);
    }
    Ok(Some(Session {
        id: presented.to_owned(),
        app_id,
        user_id: row.col("s_user_id")?,
        validated: row.col::<Flag>("s_validated")?.into(),
        ip: row.col("s_ip")?,
        created_at: row.col("s_created_at")?,
        expires_at: row.col("s_expires_at")?,
    }))
}

/// The subscription of one row, `None` on the row of a user without any.
fn subscription_from(row: &impl Columns) -> Result<Option<SubscriptionFacts>> {
    let Some(paused) = row.col::<Option<Flag>>("sub_paused")? else { return Ok(None) };
    let license = match row.col::<Option<i64>>("l_active")? {
        Some(active) => Some(LicenseFacts {
            active: active == 1,
            banned: row.col::<Option<String>>("l_banned_reason")?.is_some(),
            expires_at: row.col("l_expires_at")?,
        }),
        None => None,
    };
    Ok(Some(SubscriptionFacts { expires_at: row.col("sub_expires_at")?, paused: paused.into(), license }))
}

fn user_from(row: &impl Columns, app_id: AppId) -> Result<Option<User>> {
    let Some(id) = row.col::<Option<UserId>>("u_id")? else { return Ok(None) };
    Ok(Some(User {
        id,
        app_id,
        username: row.col("u_username")?,
        email: row.col("u_email")?,
        password_hash: row.col("u_password_hash")?,
        ip: row.col("u_ip")?,
        banned_reason: row.col("u_banned_reason")?,
        totp_secret: row.col("u_totp_secret")?,
        totp_enabled: row.col::<Flag>("u_totp_enabled")?.into(),
        paused: row.col::<Flag>("u_paused")?.into(),
        created_at: row.col("u_created_at")?,
        last_login_at: row.col("u_last_login_at")?,
    }))
}
