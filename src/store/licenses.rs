//! Licenses: the key strings every protocol revolves around. Creation in bulk, lookup, listing,
//! and the seller's own changes (ban, activate, delete, move into a reseller's stock).

use super::dynsql::DynSql;
use super::values::Flag;
use super::{Page, Result, ReturnedRows, Store, StoreError, direct::from_columns};
use crate::domain::ids::{AppId, CustomerId, LicenseId, PlanId, ResellerId, SellerId, UserId};
use crate::domain::time::UnixMs;
use crate::domain::{time::now_ms, usable::LicenseFacts};
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct License {
    pub id: LicenseId,
    pub seller_id: SellerId,
    pub app_id: AppId,
    pub plan_id: PlanId,
    pub key: String,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<UnixMs>,
    pub max_activations: Option<i64>,
    pub activations: i64,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    pub banned_reason: Option<String>,
    pub note: String,
    pub reseller_id: Option<ResellerId>,
    pub discord_user_id: Option<String>,
    pub assigned_at: Option<UnixMs>,
    pub used_by_user_id: Option<UserId>,
    pub used_at: Option<UnixMs>,
    pub order_id: Option<i64>,
    pub customer_id: Option<CustomerId>,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

from_columns!(License {
    id,
    seller_id,
    app_id,
    plan_id,
    key,
    duration_secs,
    expires_at,
    max_activations,
    activations,
    active as Flag,
    banned_reason,
    note,
    reseller_id,
    discord_user_id,
    assigned_at,
    used_by_user_id,
    used_at,
    order_id,
    customer_id,
    created_at,
    updated_at,
});

impl License {
    /// The license's own state, as `domain::usable` judges it.
    pub fn facts(&self) -> LicenseFacts {
        LicenseFacts {
            active: self.active,
            banned: self.banned_reason.is_some(),
            expires_at: self.expires_at.map(i64::from),
        }
    }
}

macro_rules! license_columns {
    () => {
        "id, seller_id, app_id, plan_id, key, duration_secs, expires_at, max_activations, activations, active, \
         banned_reason, note, reseller_id, discord_user_id, assigned_at, used_by_user_id, used_at, order_id, \
         customer_id, created_at, updated_at"
    };
}

/// What every key of one generation batch shares.
#[derive(Debug, Clone)]
pub struct NewLicenses {
    pub seller_id: SellerId,
    pub app_id: AppId,
    pub plan_id: PlanId,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_activations: Option<i64>,
    pub note: String,
    pub reseller_id: Option<ResellerId>,
    pub order_id: Option<i64>,
    /// `None`: the seller's default customer.
    pub customer_id: Option<CustomerId>,
}

/// Filters of the seller's license list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct LicenseFilter {
    pub app_id: Option<AppId>,
    pub plan_id: Option<PlanId>,
    pub reseller_id: Option<ResellerId>,
    /// Substring of the key, the note or the Discord user id, case-insensitive.
    pub search: Option<String>,
    /// `used`, `unused`, `banned`, `assigned`.
    pub state: Option<String>,
}

/// How many licenses of an app are in each state (`license_counts`).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct LicenseCounts {
    pub unused: i64,
    pub used: i64,
    pub paused: i64,
    pub banned: i64,
    pub total: i64,
}

/// `$1` seller, `$2` app, `$3` 1 for the licenses a user redeemed, 0 for those nobody used
/// (no user, no activation); banned and switched-off licenses are neither.
macro_rules! in_use_state {
    () => {
        "seller_id = $1 AND app_id = $2 AND banned_reason IS NULL AND active = 1 AND \
         (($3 = 1 AND used_by_user_id IS NOT NULL) OR ($3 = 0 AND used_by_user_id IS NULL AND activations = 0))"
    };
}

/// Keys per INSERT: one parameter each (plus the shared ones), under both engines' limits.
const INSERT_BATCH: usize = 5_000;

impl Store {
    /// Inserts one license per key in `keys` that is not taken yet (in this seller), in one
    /// transaction; returns `(id, key)` of those inserted. The caller generates replacements
    /// for the rest (only short masks ever collide).
    pub async fn insert_licenses(&self, spec: &NewLicenses, keys: &[String]) -> Result<Vec<(LicenseId, String)>> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let mut inserted = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(INSERT_BATCH) {
            // The attributes are bound once; the keys come from a VALUES list (its one column is
            // `column1` on both engines). `WHERE true` keeps SQLite from reading ON CONFLICT as
            // part of the SELECT.
            let mut q = DynSql::new(
                "INSERT INTO licenses (seller_id, app_id, plan_id, duration_secs, expires_at, max_activations, \
                 note, reseller_id, order_id, customer_id, created_at, updated_at, key) SELECT ",
            );
            q.bind(spec.seller_id)?.push(", ").bind(spec.app_id)?.push(", ").bind(spec.plan_id)?.push(", ");
            q.bind(spec.duration_secs)?.push(", ").bind(spec.expires_at)?.push(", ").bind(spec.max_activations)?;
            q.push(", ").bind(spec.note.clone())?.push(", ").bind(spec.reseller_id)?.push(", ");
            // No buyer given: the seller's default customer, so every key has one (`customers`).
            q.bind(spec.order_id)?.push(", COALESCE(").bind(spec.customer_id)?;
            q.push(", (SELECT id FROM customers WHERE seller_id = ").bind(spec.seller_id)?.push(" AND email = '')), ");
            q.bind(now)?.push(", ").bind(now)?;
            q.push(", v.column1 FROM (VALUES ");
            for (i, key) in chunk.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" }).bind(key.clone())?.push(")");
            }
            q.push(") AS v WHERE true ON CONFLICT (seller_id, key) DO NOTHING RETURNING id, key");
            let rows: Vec<(LicenseId, String)> =
                sqlx::query_as_with(AssertSqlSafe(q.sql), q.args).fetch_all(&mut *tx).await?;
            inserted.extend(rows);
        }
        tx.commit().await?;
        Ok(inserted)
    }

    pub async fn license(&self, seller_id: SellerId, id: LicenseId) -> Result<License> {
        Ok(sqlx::query_as::<_, License>(concat!(
            "SELECT ",
            license_columns!(),
            " FROM licenses WHERE id = $1 AND seller_id = $2"
        ))
        .bind(id)
        .bind(seller_id)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn license_by_key(&self, seller_id: SellerId, key: &str) -> Result<License> {
        Ok(sqlx::query_as::<_, License>(concat!(
            "SELECT ",
            license_columns!(),
            " FROM licenses WHERE seller_id = $1 AND key = $2"
        ))
        .bind(seller_id)
        .bind(key)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// One page of a seller's licenses, newest first, and the total matching the filter.
    pub async fn list_licenses(
        &self,
        seller_id: SellerId,
        filter: &LicenseFilter,
        page: Page,
    ) -> Result<(Vec<License>, i64)> {
        let mut count_q = DynSql::new("SELECT COUNT(*) FROM licenses WHERE ");
        push_filter(&mut count_q, seller_id, filter)?;
        let (total,): (i64,) =
            sqlx::query_as_with(AssertSqlSafe(count_q.sql), count_q.args).fetch_one(&mut *self.read().await?).await?;

        let mut q = DynSql::new(concat!("SELECT ", license_columns!(), " FROM licenses WHERE "));
        push_filter(&mut q, seller_id, filter)?;
        q.push(" ORDER BY id DESC LIMIT ").bind(page.limit)?.push(" OFFSET ").bind(page.offset)?;
        let rows = sqlx::query_as_with::<_, License, _>(AssertSqlSafe(q.sql), q.args)
            .fetch_all(&mut *self.read().await?)
            .await?;
        Ok((rows, total))
    }

    /// Every license of a seller matching the filter, oldest first (export).
    pub async fn all_licenses(&self, seller_id: SellerId, filter: &LicenseFilter) -> Result<Vec<License>> {
        let mut q = DynSql::new(concat!("SELECT ", license_columns!(), " FROM licenses WHERE "));
        push_filter(&mut q, seller_id, filter)?;
        q.push(" ORDER BY id");
        Ok(sqlx::query_as_with::<_, License, _>(AssertSqlSafe(q.sql), q.args)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    pub async fn set_license_ban(&self, seller_id: SellerId, id: LicenseId, reason: Option<&str>) -> Result<License> {
        sqlx::query_as::<_, License>(concat!(
            "UPDATE licenses SET banned_reason = $3, updated_at = $4 WHERE id = $1 AND seller_id = $2 RETURNING ",
            license_columns!()
        ))
        .bind(id)
        .bind(seller_id)
        .bind(reason)
        .bind(now_ms())
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// Lengthens license `id` by `secs`: a running expiry moves on from itself (or from `now`,
    /// once passed), a duration not started yet grows, and each subscription the key granted
    /// runs `secs` longer from its own end. One conditional statement decides, so two extensions at once both count. `None`
    /// for a lifetime license (nothing to lengthen); `NotFound` for another seller's.
    pub async fn extend_license(
        &self,
        seller_id: SellerId,
        id: LicenseId,
        secs: i64,
        now: i64,
    ) -> Result<Option<License>> {
        let mut tx = self.begin_write().await?;
        let extended = sqlx::query_as::<_, License>(concat!(
            "UPDATE licenses SET \
             expires_at = CASE WHEN expires_at IS NULL THEN NULL \
             WHEN expires_at > $3 THEN expires_at + $4 * 1000 ELSE $3 + $4 * 1000 END, \
             duration_secs = CASE WHEN expires_at IS NULL THEN duration_secs + $4 ELSE duration_secs END, \
             updated_at = $3 \
             WHERE id = $1 AND seller_id = $2 AND (expires_at IS NOT NULL OR duration_secs IS NOT NULL) RETURNING ",
            license_columns!()
        ))
        .bind(id)
        .bind(seller_id)
        .bind(now)
        .bind(secs)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(license) = extended else {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM licenses WHERE id = $1 AND seller_id = $2")
                .bind(id)
                .bind(seller_id)
                .fetch_one(&mut *tx)
                .await?;
            return if n == 0 { Err(StoreError::NotFound) } else { Ok(None) };
        };
        // What the key granted runs longer by the same time, each subscription from its own end
        // (a key stacked onto time the user had, or onto a lifetime subscription, keeps that).
        sqlx::query(
            "UPDATE subscriptions SET expires_at = CASE WHEN expires_at > $2 THEN expires_at ELSE $2 END + $3 \
             WHERE license_id = $1 AND expires_at IS NOT NULL",
        )
        .bind(id)
        .bind(now)
        .bind(secs.saturating_mul(1000))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(license))
    }

    /// Deletes the license and what it granted: the subscriptions it last granted or extended
    /// end with it (left behind, they would keep a deleted key's user signed in).
    pub async fn delete_license(&self, seller_id: SellerId, id: LicenseId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM subscriptions WHERE license_id IN (SELECT id FROM licenses WHERE id = $1 AND seller_id = $2)",
        )
        .bind(id)
        .bind(seller_id)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM licenses WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the app's unbanned licenses that a user redeemed (`used`) or that nobody used
    /// yet (no user, no activation), with the subscriptions they granted; returns them.
    pub async fn delete_app_licenses(&self, seller_id: SellerId, app_id: AppId, used: bool) -> Result<Vec<License>> {
        let mut tx = self.begin_write().await?;
        sqlx::query(concat!(
            "DELETE FROM subscriptions WHERE license_id IN (SELECT id FROM licenses WHERE ",
            in_use_state!(),
            ")"
        ))
        .bind(seller_id)
        .bind(app_id)
        .bind(i64::from(used))
        .execute(&mut *tx)
        .await?;
        let gone = sqlx::query_as::<_, License>(concat!(
            "DELETE FROM licenses WHERE ",
            in_use_state!(),
            " RETURNING ",
            license_columns!()
        ))
        .bind(seller_id)
        .bind(app_id)
        .bind(i64::from(used))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(gone)
    }

    /// Lengthens the term of the app's licenses nobody used yet (and that have a duration, not
    /// a fixed expiry or none) by `secs`; returns how many.
    pub async fn add_time_to_unused(&self, seller_id: SellerId, app_id: AppId, secs: i64) -> Result<u64> {
        Ok(sqlx::query(concat!(
            "UPDATE licenses SET duration_secs = duration_secs + $4, updated_at = $5 WHERE ",
            in_use_state!(),
            " AND duration_secs IS NOT NULL AND expires_at IS NULL"
        ))
        .bind(seller_id)
        .bind(app_id)
        .bind(0_i64)
        .bind(secs)
        .bind(now_ms())
        .execute(&mut *self.write().await?)
        .await?
        .rows_affected())
    }

    /// The app's licenses by state: unused, used (by a user), paused (switched off), banned.
    pub async fn license_counts(&self, seller_id: SellerId, app_id: AppId) -> Result<LicenseCounts> {
        Ok(sqlx::query_as::<_, LicenseCounts>(
            "SELECT \
             COUNT(CASE WHEN banned_reason IS NULL AND active = 1 AND used_by_user_id IS NULL AND activations = 0 \
               THEN 1 END) AS unused, \
             COUNT(CASE WHEN banned_reason IS NULL AND active = 1 AND used_by_user_id IS NOT NULL THEN 1 END) AS used, \
             COUNT(CASE WHEN banned_reason IS NULL AND active = 0 THEN 1 END) AS paused, \
             COUNT(CASE WHEN banned_reason IS NOT NULL THEN 1 END) AS banned, COUNT(*) AS total \
             FROM licenses WHERE seller_id = $1 AND app_id = $2",
        )
        .bind(seller_id)
        .bind(app_id)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// Moves unassigned licenses of the seller into a reseller's stock (or back, with `None`).
    /// Returns how many moved; assigned licenses stay where they are.
    pub async fn move_licenses_to_reseller(
        &self,
        seller_id: SellerId,
        ids: &[LicenseId],
        reseller_id: Option<ResellerId>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut moved = 0;
        for id in ids {
            moved += sqlx::query(
                "UPDATE licenses SET reseller_id = $3, updated_at = $4 \
                 WHERE id = $1 AND seller_id = $2 AND discord_user_id IS NULL",
            )
            .bind(id)
            .bind(seller_id)
            .bind(reseller_id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(moved)
    }
}

/// `seller_id = $1 AND ...` for the filter's conditions.
fn push_filter(q: &mut DynSql, seller_id: SellerId, f: &LicenseFilter) -> Result<()> {
    q.push("seller_id = ").bind(seller_id)?;
    if let Some(app_id) = f.app_id {
        q.push(" AND app_id = ").bind(app_id)?;
    }
    if let Some(plan_id) = f.plan_id {
        q.push(" AND plan_id = ").bind(plan_id)?;
    }
    if let Some(reseller_id) = f.reseller_id {
        q.push(" AND reseller_id = ").bind(reseller_id)?;
    }
    if let Some(search) = f.search.as_deref().filter(|s| !s.is_empty()) {
        let pattern = super::users::like_pattern(search);
        q.push(" AND (LOWER(key) LIKE ").bind(pattern.clone())?.push(" ESCAPE '\\'");
        q.push(" OR LOWER(note) LIKE ").bind(pattern.clone())?.push(" ESCAPE '\\'");
        q.push(" OR discord_user_id LIKE ").bind(pattern)?.push(" ESCAPE '\\')");
    }
    match f.state.as_deref() {
        Some("used") => q.push(" AND used_by_user_id IS NOT NULL"),
        Some("unused") => q.push(" AND used_by_user_id IS NULL AND activations = 0"),
        Some("banned") => q.push(" AND banned_reason IS NOT NULL"),
        Some("assigned") => q.push(" AND discord_user_id IS NOT NULL"),
        _ => q,
    };
    Ok(())
}
