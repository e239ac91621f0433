//! The client API's user queries: lookups by id, name and email, registration and key
//! redemption (register, license, upgrade), login bookkeeping (HWIDs, last login, password
//! resets), TOTP secrets and the once-only acceptance of their codes, bans and the blacklist.
//!
//! One-time redemption is a conditional `UPDATE licenses ... WHERE used_by_user_id IS NULL ...
//! RETURNING` in the same transaction that creates the user and grants the subscription, so two
//! clients racing with one key cannot both get it, and a refused registration burns nothing.

use super::users::User;
use super::values::Flag;
use super::{AnyConnection, Result, Store, events};
use crate::domain::events::{Event, EventKind};
use crate::domain::ids::{AppId, LicenseId, PlanId, SellerId, UserId};
use crate::domain::time::UnixMs;
use crate::domain::usable::{LicenseFacts, SubscriptionFacts};

/// Column list of `User`, as a macro so queries stay `&'static str` via `concat!`.
macro_rules! client_user_columns {
    () => {
        "id, app_id, username, email, password_hash, ip, banned_reason, totp_secret, totp_enabled, paused, \
         created_at, last_login_at"
    };
}

/// Why a key cannot be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// No such key in this app (or switched off by the seller).
    NotFound,
    Banned,
    Used,
    /// Its fixed expiry has passed before anyone redeemed it.
    Expired,
}

/// A user to create while redeeming a key.
#[derive(Debug, Clone)]
pub struct NewClientUser<'a> {
    pub seller_id: SellerId,
    pub app_id: AppId,
    pub username: &'a str,
    pub email: Option<&'a str>,
    /// `None` for key-only users (created by `license`), who authenticate with the key itself.
    pub password_hash: Option<&'a str>,
    pub ip: &'a str,
    pub hwid: Option<&'a str>,
    pub now: i64,
}

/// Outcome of `register_with_key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    Done(UserId),
    Key(KeyProblem),
    UsernameTaken,
}

/// Outcome of `license_login`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLogin {
    /// The key was unused: a user named after it now holds it.
    Redeemed(UserId),
    /// The key was already redeemed by this user, who logs in with it.
    Bound(UserId),
    Key(KeyProblem),
    /// A user whose name is the key exists but does not hold it.
    UsernameTaken,
}

/// Outcome of `upgrade_user`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upgraded {
    Done(UserId),
    Key(KeyProblem),
    NoUser,
}

/// One of a user's subscriptions, as `info.subscriptions` shows it, with the state of the key
/// that last granted or extended it (`license_active` is `None` without such a key).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActiveSubscription {
    pub plan_name: String,
    pub level: i64,
    pub expires_at: Option<UnixMs>,
    #[sqlx(try_from = "Flag")]
    pub paused: bool,
    pub key: Option<String>,
    pub license_active: Option<i64>,
    pub license_banned_reason: Option<String>,
    pub license_expires_at: Option<UnixMs>,
}

impl ActiveSubscription {
    /// The subscription as `domain::usable` judges it.
    pub fn facts(&self) -> SubscriptionFacts {
        let license = self.license_active.map(|active| LicenseFacts {
            active: active == 1,
            banned: self.license_banned_reason.is_some(),
            expires_at: self.license_expires_at.map(i64::from),
        });
        SubscriptionFacts { expires_at: self.expires_at.map(i64::from), paused: self.paused, license }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct KeyRow {
    id: LicenseId,
    plan_id: PlanId,
    duration_secs: Option<i64>,
    expires_at: Option<i64>,
    used_by_user_id: Option<UserId>,
    used_at: Option<i64>,
    active: i64,
    banned_reason: Option<String>,
}

impl KeyRow {
    /// Why it cannot be redeemed now, if so. A key whose user was deleted stays used.
    fn problem(&self, now: i64) -> Option<KeyProblem> {
        if self.active == 0 {
            Some(KeyProblem::NotFound)
        } else if self.banned_reason.is_some() {
            Some(KeyProblem::Banned)
        } else if self.used_by_user_id.is_some() || self.used_at.is_some() {
            Some(KeyProblem::Used)
        } else if self.expires_at.is_some_and(|t| t <= now) {
            Some(KeyProblem::Expired)
        } else {
            None
        }
    }
}

impl Store {
    /// A user of the app by id; another app's user is `NotFound`.
    pub async fn client_user(&self, app_id: AppId, user_id: UserId) -> Result<User> {
        Ok(sqlx::query_as::<_, User>(concat!(
            "SELECT ",
            client_user_columns!(),
            " FROM users WHERE id = $1 AND app_id = $2"
        ))
        .bind(user_id)
        .bind(app_id)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn client_user_by_name(&self, app_id: AppId, username: &str) -> Result<Option<User>> {
        Ok(sqlx::query_as::<_, User>(concat!(
            "SELECT ",
            client_user_columns!(),
            " FROM users WHERE app_id = $1 AND username = $2"
        ))
        .bind(app_id)
        .bind(username)
        .fetch_optional(&mut *self.read().await?)
        .await?)
    }

    /// The (oldest) user with this email, compared case-insensitively.
    pub async fn client_user_by_email(&self, app_id: AppId, email: &str) -> Result<Option<User>> {
        Ok(sqlx::query_as::<_, User>(concat!(
            "SELECT ",
            client_user_columns!(),
            " FROM users WHERE app_id = $1 AND LOWER(email) = LOWER($2) ORDER BY id LIMIT 1"
        ))
        .bind(app_id)
        .bind(email)
        .fetch_optional(&mut *self.read().await?)
        .await?)
    }

    /// Creates the user and redeems `key` for it, atomically: a taken username or a key that
    /// cannot be redeemed (or is redeemed concurrently) leaves nothing behind.
    pub async fn register_with_key(&self, user: &NewClientUser<'_>, key: &str) -> Result<Registered> {
        let mut tx = self.begin_write().await?;
        let Some(row) = key_row(&mut tx, user, key).await? else { return Ok(Registered::Key(KeyProblem::NotFound)) };
        if let Some(problem) = row.problem(user.now) {
            return Ok(Registered::Key(problem));
        }
        let Some(user_id) = insert_user(&mut tx, user).await? else { return Ok(Registered::UsernameTaken) };
        if !claim(&mut tx, &row, user_id, user.now).await? {
            return Ok(Registered::Key(KeyProblem::Used));
        }
        if let Some(hwid) = user.hwid {
            bind_first_hwid(&mut tx, user_id, hwid, user.now).await?;
        }
        super::events::insert(&mut tx, &redeemed(user, &row, key, user_id, true)).await?;
        tx.commit().await?;
        Ok(Registered::Done(user_id))
    }

    /// Creates a user holding a subscription of `plan_id` until `expires_at`, atomically;
    /// `None` when the username is taken in the app.
    pub async fn create_user_with_plan(
        &self,
        user: &NewClientUser<'_>,
        plan_id: PlanId,
        expires_at: Option<i64>,
    ) -> Result<Option<UserId>> {
        let mut tx = self.begin_write().await?;
        let Some(user_id) = insert_user(&mut tx, user).await? else { return Ok(None) };
        sqlx::query("INSERT INTO subscriptions (user_id, plan_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(plan_id)
            .bind(expires_at)
            .bind(user.now)
            .execute(&mut *tx)
            .await?;
        if let Some(hwid) = user.hwid {
            bind_first_hwid(&mut tx, user_id, hwid, user.now).await?;
        }
        let fields = serde_json::json!({ "username": user.username });
        super::events::insert(
            &mut tx,
            &[Event::user(EventKind::UserRegistered, user.seller_id, user.app_id, user_id, fields)],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// Binds one more HWID to the user (a HWID it already has is kept once); true when new.
    pub async fn add_user_hwid(&self, user_id: UserId, hwid: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO user_hwids (user_id, hwid, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(hwid)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// `license` login: an unused key creates a user named after it (no password) and is
    /// redeemed for it; a used key logs in the user holding it. Concurrent first uses of one
    /// key end with one user: the losers retry once and find the key bound.
    pub async fn license_login(&self, user: &NewClientUser<'_>, key: &str) -> Result<KeyLogin> {
        let mut outcome = KeyLogin::Key(KeyProblem::Used);
        for _ in 0..2 {
            let mut tx = self.begin_write().await?;
            let Some(row) = key_row(&mut tx, user, key).await? else { return Ok(KeyLogin::Key(KeyProblem::NotFound)) };
            match (row.problem(user.now), row.used_by_user_id) {
                (Some(KeyProblem::Used), Some(holder)) => return Ok(KeyLogin::Bound(holder)),
                (Some(problem), _) => return Ok(KeyLogin::Key(problem)),
                (None, _) => {}
            }
            let Some(user_id) = insert_user(&mut tx, user).await? else {
                outcome = KeyLogin::UsernameTaken;
                continue;
            };
            if !claim(&mut tx, &row, user_id, user.now).await? {
                outcome = KeyLogin::Key(KeyProblem::Used);
                continue;
            }
            if let Some(hwid) = user.hwid {
                bind_first_hwid(&mut tx, user_id, hwid, user.now).await?;
            }
            super::events::insert(&mut tx, &redeemed(user, &row, key, user_id, true)).await?;
            tx.commit().await?;
            return Ok(KeyLogin::Redeemed(user_id));
        }
        Ok(outcome)
    }

    /// `upgrade`: redeems `key` for the existing user `username`.
    pub async fn upgrade_user(
        &self,
        seller_id: SellerId,
        app_id: AppId,
        username: &str,
        key: &str,
        now: i64,
    ) -> Result<Upgraded> {
        let probe =
            NewClientUser { seller_id, app_id, username, email: None, password_hash: None, ip: "", hwid: None, now };
        let mut tx = self.begin_write().await?;
        let Some(row) = key_row(&mut tx, &probe, key).await? else { return Ok(Upgraded::Key(KeyProblem::NotFound)) };
        if let Some(problem) = row.problem(now) {
            return Ok(Upgraded::Key(problem));
        }
        let user: Option<(UserId,)> = sqlx::query_as("SELECT id FROM users WHERE app_id = $1 AND username = $2")
            .bind(app_id)
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((user_id,)) = user else { return Ok(Upgraded::NoUser) };
        if !claim(&mut tx, &row, user_id, now).await? {
            return Ok(Upgraded::Key(KeyProblem::Used));
        }
        super::events::insert(&mut tx, &redeemed(&probe, &row, key, user_id, false)).await?;
        tx.commit().await?;
        Ok(Upgraded::Done(user_id))
    }

    /// Why `key` could not be redeemed now, if so: a cheap early answer before hashing a
    /// password. Redemption itself re-checks inside its transaction.
    pub async fn key_problem(
        &self,
        seller_id: SellerId,
        app_id: AppId,
        key: &str,
        now: i64,
    ) -> Result<Option<KeyProblem>> {
        let row = sqlx::query_as::<_, KeyRow>(KEY_ROW_SQL)
            .bind(seller_id)
            .bind(key)
            .bind(app_id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        Ok(match row {
            None => Some(KeyProblem::NotFound),
            Some(row) => row.problem(now),
        })
    }

    /// Every subscription of the user with its key's state, lowest level first; which of them
    /// count is `domain::usable`'s decision.
    pub async fn user_subscriptions_with_keys(&self, user_id: UserId) -> Result<Vec<ActiveSubscription>> {
        Ok(sqlx::query_as::<_, ActiveSubscription>(
            "SELECT p.name AS plan_name, p.level, s.expires_at, s.paused, l.key, l.active AS license_active, \
             l.banned_reason AS license_banned_reason, l.expires_at AS license_expires_at FROM subscriptions s \
             JOIN plans p ON p.id = s.plan_id LEFT JOIN licenses l ON l.id = s.license_id \
             WHERE s.user_id = $1 ORDER BY p.level, p.id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Binds `hwid` when the user has none yet. True when `hwid` is the user's HWID afterwards:
    /// bound now, or bound by a concurrent first login from the same machine (which read "no
    /// HWID" before this one committed). Concurrent first logins with different HWIDs bind one:
    /// the user's row is locked first (a PostgreSQL row lock held to commit; SQLite's BEGIN
    /// IMMEDIATE already serialises writers), so the insert's NOT EXISTS and the re-check see a
    /// HWID committed by the winner (READ COMMITTED takes a fresh snapshot per statement). Only
    /// first logins pay for it: a matching HWID never gets here.
    pub async fn bind_first_hwid(&self, user_id: UserId, hwid: &str, now: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let bound = bind_first_hwid(&mut tx, user_id, hwid, now).await? || {
            let (same,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM user_hwids WHERE user_id = $1 AND hwid = $2")
                .bind(user_id)
                .bind(hwid)
                .fetch_one(&mut *tx)
                .await?;
            same > 0
        };
        tx.commit().await?;
        Ok(bound)
    }

    /// A sign-in of `user` from `ip`: its time and address, and its `user.signed_in` event.
    pub async fn record_login(&self, seller_id: SellerId, user: &User, ip: &str, now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET ip = $2, last_login_at = $3 WHERE id = $1")
            .bind(user.id)
            .bind(ip)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let fields = serde_json::json!({ "username": user.username, "ip": ip });
        events::insert(&mut tx, &[Event::user(EventKind::UserSignedIn, seller_id, user.app_id, user.id, fields)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the HWID (when given) or the IP is on the app's blacklist.
    pub async fn is_blacklisted(&self, app_id: AppId, hwid: Option<&str>, ip: &str) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM blacklist WHERE app_id = $1 \
             AND ((kind = 'hwid' AND value = $2) OR (kind = 'ip' AND value = $3))",
        )
        .bind(app_id)
        .bind(hwid)
        .bind(ip)
        .fetch_one(&mut *self.read().await?)
        .await?;
        Ok(n > 0)
    }

    /// The client's `ban`: bans the user, blacklists its HWIDs and IP, ends its sessions.
    pub async fn ban_client_user(
        &self,
        seller_id: SellerId,
        user: &User,
        reason: &str,
        hwids: &[String],
        ip: &str,
        now: i64,
    ) -> Result<()> {
        let (app_id, user_id) = (user.app_id, user.id);
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET banned_reason = $3 WHERE id = $1 AND app_id = $2")
            .bind(user_id)
            .bind(app_id)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        let entries = hwids.iter().map(|h| ("hwid", h.as_str())).chain(Some(("ip", ip)).filter(|(_, v)| !v.is_empty()));
        for (kind, value) in entries {
            sqlx::query(
                "INSERT INTO blacklist (app_id, kind, value, reason, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (app_id, kind, value) DO NOTHING",
            )
            .bind(app_id)
            .bind(kind)
            .bind(value)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        let fields = serde_json::json!({ "reason": reason, "by": "client" });
        super::events::insert(&mut tx, &[Event::user(EventKind::UserBanned, seller_id, app_id, user_id, fields)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a new pending (not yet enabled) TOTP secret; no step of it has been accepted yet.
    /// False when 2FA is on: a pending secret never replaces an enabled one, even when 2FA was
    /// enabled between the caller's read of the user and this write.
    pub async fn set_totp_secret(&self, user_id: UserId, secret: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1 AND totp_enabled = 0")
                .bind(user_id)
                .bind(secret)
                .execute(&mut *self.write().await?)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Enables 2FA if `secret` is still the pending one and its code of time step `step` was not
    /// accepted before (the step is recorded by the same write); false otherwise.
    pub async fn enable_totp(&self, user_id: UserId, secret: &str, step: i64) -> Result<bool> {
        self.switch_totp(
            "UPDATE users SET totp_enabled = 1, totp_last_step = $3 \
             WHERE id = $1 AND totp_secret = $2 AND totp_enabled = 0 AND (totp_last_step IS NULL OR totp_last_step < $3)",
            user_id,
            secret,
            step,
        )
        .await
    }

    /// Accepts the user's TOTP code of time step `step` once: true only for the request that
    /// moves the user's last accepted step forward, so a code (or an older one) that was already
    /// accepted is refused, even when two requests bring it at the same moment.
    pub async fn claim_totp_step(&self, user_id: UserId, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Turns 2FA off if `secret` is still the enabled one and its code of time step `step` was
    /// not accepted before (one conditional write); false otherwise.
    pub async fn disable_totp(&self, user_id: UserId, secret: &str, step: i64) -> Result<bool> {
        self.switch_totp(
            "UPDATE users SET totp_secret = NULL, totp_enabled = 0, totp_last_step = NULL \
             WHERE id = $1 AND totp_secret = $2 AND totp_enabled = 1 AND (totp_last_step IS NULL OR totp_last_step < $3)",
            user_id,
            secret,
            step,
        )
        .await
    }

    /// Runs one of the conditional 2FA switches above (`$1` user, `$2` secret, `$3` step);
    /// true when it changed the user.
    async fn switch_totp(&self, sql: &'static str, user_id: UserId, secret: &str, step: i64) -> Result<bool> {
        let done = sqlx::query(sql).bind(user_id).bind(secret).bind(step).execute(&mut *self.write().await?).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores the hash of a mailed replacement password, valid until `expires_at`.
    pub async fn put_password_reset(&self, user_id: UserId, password_hash: &str, expires_at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO password_resets (user_id, password_hash, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, expires_at = excluded.expires_at",
        )
        .bind(user_id)
        .bind(password_hash)
        .bind(expires_at)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// The unexpired pending replacement password hash of the user.
    pub async fn password_reset(&self, user_id: UserId, now: i64) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT password_hash FROM password_resets WHERE user_id = $1 AND expires_at > $2")
                .bind(user_id)
                .bind(now)
                .fetch_optional(&mut *self.read().await?)
                .await?;
        Ok(row.map(|(h,)| h))
    }

    /// Replaces the user's password hash `old` by `new` (a bcrypt hash by its Argon2id after a
    /// sign-in). A hash changed meanwhile (a concurrent password change) is left as it is.
    pub async fn replace_password_hash(&self, user_id: UserId, old: &str, new: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
            .bind(user_id)
            .bind(old)
            .bind(new)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected();
        Ok(done == 1)
    }

    /// Makes the pending replacement the user's password (after it was used to log in).
    pub async fn apply_password_reset(&self, user_id: UserId, password_hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The events of a redemption: `license.redeemed`, after `user.registered` when the user was
/// created with it.
fn redeemed(user: &NewClientUser<'_>, row: &KeyRow, key: &str, user_id: UserId, registered: bool) -> Vec<Event> {
    let (seller_id, app_id) = (user.seller_id, user.app_id);
    let mut events = Vec::with_capacity(2);
    if registered {
        let fields = serde_json::json!({ "username": user.username });
        events.push(Event::user(EventKind::UserRegistered, seller_id, app_id, user_id, fields));
    }
    let fields = serde_json::json!({ "key": key, "plan_id": row.plan_id, "user_id": user_id });
    events.push(Event::license(EventKind::LicenseRedeemed, seller_id, app_id, row.id, fields));
    events
}

/// A key of the app, as redemption sees it.
const KEY_ROW_SQL: &str = "SELECT id, plan_id, duration_secs, expires_at, used_by_user_id, used_at, active, \
     banned_reason FROM licenses WHERE seller_id = $1 AND key = $2 AND app_id = $3";

async fn key_row(tx: &mut AnyConnection, user: &NewClientUser<'_>, key: &str) -> Result<Option<KeyRow>> {
    Ok(sqlx::query_as::<_, KeyRow>(KEY_ROW_SQL)
        .bind(user.seller_id)
        .bind(key)
        .bind(user.app_id)
        .fetch_optional(&mut *tx)
        .await?)
}

/// Inserts the user; `None` when the username is taken in the app.
async fn insert_user(tx: &mut AnyConnection, user: &NewClientUser<'_>) -> Result<Option<UserId>> {
    let row: Option<(UserId,)> = sqlx::query_as(
        "INSERT INTO users (app_id, username, email, password_hash, ip, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (app_id, username) DO NOTHING RETURNING id",
    )
    .bind(user.app_id)
    .bind(user.username)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.ip)
    .bind(user.now)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Marks the key used by `user_id` (only if still unused, active, unbanned, unexpired) and grants
/// its plan: a new subscription, or the user's running one of that plan extended. False when
/// the key was taken meanwhile.
async fn claim(tx: &mut AnyConnection, row: &KeyRow, user_id: UserId, now: i64) -> Result<bool> {
    let fresh = row.duration_secs.map(|d| now.saturating_add(d.saturating_mul(1000)));
    let claimed: Option<(Option<i64>,)> = sqlx::query_as(
        "UPDATE licenses SET used_by_user_id = $2, used_at = $3, updated_at = $3, expires_at = COALESCE(expires_at, $4) \
         WHERE id = $1 AND used_by_user_id IS NULL AND used_at IS NULL AND active = 1 AND banned_reason IS NULL \
         AND (expires_at IS NULL OR expires_at > $3) RETURNING expires_at",
    )
    .bind(row.id)
    .bind(user_id)
    .bind(now)
    .bind(fresh)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((key_expiry,)) = claimed else { return Ok(false) };
    // A key with a fixed expiry grants up to that time; a duration key grants its duration on
    // top of a running subscription (domain::license::extend_subscription, done in SQL so two
    // concurrent redemptions for one user both count).
    let extend_ms = if row.expires_at.is_none() { row.duration_secs.map(|d| d.saturating_mul(1000)) } else { None };
    sqlx::query(
        "INSERT INTO subscriptions (user_id, plan_id, license_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, plan_id) DO UPDATE SET license_id = excluded.license_id, expires_at = CASE \
           WHEN subscriptions.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL \
           WHEN $6 IS NULL THEN CASE WHEN subscriptions.expires_at > excluded.expires_at \
                THEN subscriptions.expires_at ELSE excluded.expires_at END \
           WHEN subscriptions.expires_at > $5 THEN subscriptions.expires_at + $6 \
           ELSE excluded.expires_at END",
    )
    .bind(user_id)
    .bind(row.plan_id)
    .bind(row.id)
    .bind(key_expiry)
    .bind(now)
    .bind(extend_ms)
    .execute(&mut *tx)
    .await?;
    Ok(true)
}

/// Binds `hwid` to the user if no HWID is bound yet (the HWID lock's first login).
async fn bind_first_hwid(tx: &mut AnyConnection, user_id: UserId, hwid: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO user_hwids (user_id, hwid, created_at) \
         SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS BIGINT) \
         WHERE NOT EXISTS (SELECT 1 FROM user_hwids WHERE user_id = $1) ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(hwid)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
