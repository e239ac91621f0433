//! Instances: the activations of a license (Licenses API v2). Activation, validation,
//! deactivation, the seller's changes to a key's limit/expiry/active flag, and listings.
//!
//! `licenses.activations` is the live instance count. Every write that changes it first takes
//! the license row (a conditional UPDATE), then touches instances, in one transaction: the
//! activation limit then holds under any concurrency, on SQLite (one writer) and on PostgreSQL
//! (row lock, the WHERE re-checked on the latest row), and no two writers wait on each other in
//! opposite order.

use super::{
    AnyConnection, Page, Result, Store,
    direct::{Arg, Columns, FromColumns},
    events,
    idempotency::Answer,
    licenses::License,
};
use crate::domain::ids::{AppId, LicenseId, SellerId};
use crate::domain::time::UnixMs;
use crate::domain::{
    events::{Event, EventKind},
    time::now_ms,
    usable::{self, AppFlags, Denial},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Instance {
    pub id: String,
    pub license_id: LicenseId,
    pub seller_id: SellerId,
    pub name: String,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

macro_rules! instance_columns {
    () => {
        "id, license_id, seller_id, name, created_at, updated_at"
    };
}

/// Why an activation, validation or deactivation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    KeyNotFound,
    Inactive,
    Expired,
    LimitReached,
    InstanceNotFound,
}

/// The result of an activation: the new instance, or the refusal and the key as it stands.
#[derive(Debug, Clone)]
pub enum Activation {
    Created(Instance),
    Refused(Refusal, Option<Box<License>>),
}

/// The result of a validation: the key with the named instance (if one was named and exists).
#[derive(Debug, Clone)]
pub enum Validation {
    Valid(Box<License>, Option<Instance>),
    Refused(Refusal),
}

/// The seller's changes to a key; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct KeyChanges {
    /// `Some(None)`: unlimited.
    pub limit: Option<Option<i64>>,
    /// `Some(None)`: never expires.
    pub expires_at: Option<Option<i64>>,
    pub active: Option<bool>,
}

/// A license, its app's switches and, when the LEFT JOIN found it, one of its instances.
#[derive(sqlx::FromRow)]
struct LicenseWithInstance {
    #[sqlx(flatten)]
    license: License,
    app_enabled: i64,
    app_paused: i64,
    instance_id: Option<String>,
    instance_name: Option<String>,
    instance_created_at: Option<UnixMs>,
    instance_updated_at: Option<UnixMs>,
}

impl FromColumns for LicenseWithInstance {
    fn from_columns(row: &impl Columns) -> Result<Self> {
        Ok(Self {
            license: License::from_columns(row)?,
            app_enabled: row.col("app_enabled")?,
            app_paused: row.col("app_paused")?,
            instance_id: row.col("instance_id")?,
            instance_name: row.col("instance_name")?,
            instance_created_at: row.col("instance_created_at")?,
            instance_updated_at: row.col("instance_updated_at")?,
        })
    }
}

impl LicenseWithInstance {
    fn app_flags(&self) -> AppFlags {
        AppFlags { enabled: self.app_enabled != 0, paused: self.app_paused != 0 }
    }

    fn instance(&self) -> Option<Instance> {
        Some(Instance {
            id: self.instance_id.clone()?,
            license_id: self.license.id,
            seller_id: self.license.seller_id,
            name: self.instance_name.clone()?,
            created_at: self.instance_created_at?,
            updated_at: self.instance_updated_at?,
        })
    }
}

impl Store {
    /// Activates `key` for `name`, once per `idempotency_key`, and returns `render`'s answer.
    /// A key with a duration that has not started yet starts now, in the same statement that
    /// counts the activation (so the client API and the Licenses API see one expiry).
    pub async fn activate_instance(
        &self,
        seller_id: SellerId,
        key: &str,
        name: &str,
        idempotency_key: Option<&str>,
        render: impl FnOnce(&Activation) -> Answer + Send,
    ) -> Result<Answer> {
        let mut tx = match self.begin_once(seller_id, idempotency_key).await? {
            Ok(tx) => tx,
            Err(saved) => return Ok(saved),
        };
        let outcome = activate_in(&mut tx, seller_id, key, name).await?;
        self.finish_once(tx, seller_id, idempotency_key, render(&outcome)).await
    }

    /// Activates `key` for `name` (no idempotency key): the same conditional write and
    /// transaction as [`Store::activate_instance`], so both APIs share one activation limit.
    pub async fn activate(&self, seller_id: SellerId, key: &str, name: &str) -> Result<Activation> {
        let mut tx = self.begin_write().await?;
        let outcome = activate_in(&mut tx, seller_id, key, name).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Removes one activation of `key` (no idempotency key), as [`Store::deactivate_instance`].
    pub async fn deactivate(
        &self,
        seller_id: SellerId,
        key: &str,
        instance_id: &str,
    ) -> Result<std::result::Result<(), Refusal>> {
        let mut tx = self.begin_write().await?;
        let outcome = deactivate_in(&mut tx, seller_id, key, instance_id).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The seller whose key `key` is, when exactly one seller has a key with that text (keys are
    /// unique per seller only). Used where no credential names the seller (Lemon Squeezy's
    /// License API): a text two sellers share is not reachable there.
    pub async fn sole_seller_of_key(&self, key: &str) -> Result<Option<SellerId>> {
        let sellers: Vec<(SellerId,)> = sqlx::query_as("SELECT seller_id FROM licenses WHERE key = $1 LIMIT 2")
            .bind(key)
            .fetch_all(&mut *self.read().await?)
            .await?;
        Ok(match sellers.as_slice() {
            [(id,)] => Some(*id),
            _ => None,
        })
    }

    /// Checks `key` (and, when given, that `instance_id` is one of its activations). One read.
    pub async fn validate_instance(
        &self,
        seller_id: SellerId,
        key: &str,
        instance_id: Option<&str>,
    ) -> Result<Validation> {
        let sql = "SELECT l.*, a.enabled AS app_enabled, a.paused AS app_paused, i.id AS instance_id, \
             i.name AS instance_name, i.created_at AS instance_created_at, i.updated_at AS instance_updated_at \
             FROM licenses l JOIN apps a ON a.id = l.app_id LEFT JOIN instances i ON i.license_id = l.id AND i.id = $3 \
             WHERE l.seller_id = $1 AND l.key = $2";
        let args = [Arg::Int(seller_id.get()), Arg::Text(key), Arg::OptText(instance_id)];
        let row = self.fetch_rows::<LicenseWithInstance>(sql, &args).await?.into_iter().next();
        let Some(row) = row else { return Ok(Validation::Refused(Refusal::KeyNotFound)) };
        if let Some(refusal) = usability(row.app_flags(), &row.license, now_ms()) {
            return Ok(Validation::Refused(refusal));
        }
        let instance = row.instance();
        if instance_id.is_some() && instance.is_none() {
            return Ok(Validation::Refused(Refusal::InstanceNotFound));
        }
        Ok(Validation::Valid(Box::new(row.license), instance))
    }

    /// Removes one activation of `key`, once per `idempotency_key`; `render` gets the removed
    /// instance's id or the refusal (`KeyNotFound`, `InstanceNotFound`).
    pub async fn deactivate_instance(
        &self,
        seller_id: SellerId,
        key: &str,
        instance_id: &str,
        idempotency_key: Option<&str>,
        render: impl FnOnce(std::result::Result<&str, Refusal>) -> Answer + Send,
    ) -> Result<Answer> {
        let mut tx = match self.begin_once(seller_id, idempotency_key).await? {
            Ok(tx) => tx,
            Err(saved) => return Ok(saved),
        };
        let outcome = deactivate_in(&mut tx, seller_id, key, instance_id).await?;
        self.finish_once(tx, seller_id, idempotency_key, render(outcome.map(|()| instance_id))).await
    }

    /// Applies the seller's changes to a key. Lowering the limit below the number of instances
    /// deletes the oldest instances, and a new expiry becomes the expiry of the subscription the
    /// key granted, in the same transaction. `NotFound` for another seller's key.
    pub async fn update_key(&self, seller_id: SellerId, id: LicenseId, changes: &KeyChanges) -> Result<License> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let (limit, activations): (Option<i64>, i64) = sqlx::query_as(
            "UPDATE licenses SET \
             max_activations = CASE WHEN $3 = 1 THEN $4 ELSE max_activations END, \
             expires_at = CASE WHEN $5 = 1 THEN $6 ELSE expires_at END, \
             active = CASE WHEN $7 = 1 THEN $8 ELSE active END, \
             updated_at = $9 \
             WHERE id = $1 AND seller_id = $2 RETURNING max_activations, activations",
        )
        .bind(id)
        .bind(seller_id)
        .bind(i64::from(changes.limit.is_some()))
        .bind(changes.limit.flatten())
        .bind(i64::from(changes.expires_at.is_some()))
        .bind(changes.expires_at.flatten())
        .bind(i64::from(changes.active.is_some()))
        .bind(i64::from(changes.active.unwrap_or(true)))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        // A new expiry is the expiry of what the key granted too: one license, one truth.
        if let Some(expires_at) = changes.expires_at {
            sqlx::query("UPDATE subscriptions SET expires_at = $2 WHERE license_id = $1")
                .bind(id)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(excess) = limit.map(|l| activations - l).filter(|e| *e > 0) {
            sqlx::query(
                "DELETE FROM instances WHERE id IN \
                 (SELECT id FROM instances WHERE license_id = $1 ORDER BY created_at, id LIMIT $2)",
            )
            .bind(id)
            .bind(excess)
            .execute(&mut *tx)
            .await?;
        }
        // Recount rather than subtract: the row lock keeps every other writer of this key out.
        let license = sqlx::query_as::<_, License>(
            "UPDATE licenses SET activations = (SELECT COUNT(*) FROM instances WHERE license_id = $1) \
             WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let fields = serde_json::json!({
            "key": license.key, "max_activations": license.max_activations, "expires_at": license.expires_at,
            "active": license.active,
        });
        events::insert(&mut tx, &[Event::license(EventKind::LicenseUpdated, seller_id, license.app_id, id, fields)])
            .await?;
        tx.commit().await?;
        Ok(license)
    }

    /// One page of the seller's keys (newest first) and their total.
    pub async fn list_store_keys(&self, seller_id: SellerId, page: Page) -> Result<(Vec<License>, i64)> {
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM licenses WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_one(&mut *self.read().await?)
            .await?;
        let rows = self.page_of(
            "SELECT * FROM licenses WHERE seller_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
            seller_id,
            page,
        );
        Ok((rows.await?, total))
    }

    /// One of a key's instances; `NotFound` unless the key belongs to the seller.
    pub async fn instance(&self, seller_id: SellerId, license_id: LicenseId, instance_id: &str) -> Result<Instance> {
        Ok(sqlx::query_as::<_, Instance>(concat!(
            "SELECT ",
            instance_columns!(),
            " FROM instances WHERE id = $1 AND license_id = $2 AND seller_id = $3"
        ))
        .bind(instance_id)
        .bind(license_id)
        .bind(seller_id)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// One page of a key's instances (newest first) and their total; `NotFound` for another
    /// seller's key.
    pub async fn list_key_instances(
        &self,
        seller_id: SellerId,
        license_id: LicenseId,
        page: Page,
    ) -> Result<(Vec<Instance>, i64)> {
        let (total,): (i64,) = sqlx::query_as(
            "SELECT COUNT(i.id) FROM licenses l LEFT JOIN instances i ON i.license_id = l.id \
             WHERE l.id = $1 AND l.seller_id = $2 GROUP BY l.id",
        )
        .bind(license_id)
        .bind(seller_id)
        .fetch_one(&mut *self.read().await?)
        .await?;
        let sql = concat!(
            "SELECT ",
            instance_columns!(),
            " FROM instances WHERE license_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        Ok((self.page_of(sql, license_id, page).await?, total))
    }

    /// One page of every instance of the seller's keys (newest first) and their total.
    pub async fn list_store_instances(&self, seller_id: SellerId, page: Page) -> Result<(Vec<Instance>, i64)> {
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_one(&mut *self.read().await?)
            .await?;
        let sql = concat!(
            "SELECT ",
            instance_columns!(),
            " FROM instances WHERE seller_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        Ok((self.page_of(sql, seller_id, page).await?, total))
    }

    /// One page of a listing whose SQL takes the owner as `$1`, LIMIT as `$2`, OFFSET as `$3`.
    async fn page_of<T>(&self, sql: &'static str, owner: impl Into<i64>, page: Page) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        Ok(sqlx::query_as::<_, T>(sql)
            .bind(owner.into())
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }
}

/// Why a key of an app with these switches cannot be used now, if it cannot (`domain::usable`).
fn usability(app: AppFlags, l: &License, now: i64) -> Option<Refusal> {
    match usable::license(app, l.facts(), now) {
        Ok(()) => None,
        Err(Denial::LicenseExpired) => Some(Refusal::Expired),
        Err(_) => Some(Refusal::Inactive),
    }
}

/// The conditional count update (the limit check and the start of a duration, in one
/// statement), then the instance. A refused update is explained by reading the key.
async fn activate_in(tx: &mut AnyConnection, seller_id: SellerId, key: &str, name: &str) -> Result<Activation> {
    let now = now_ms();
    // expires_at = expiry_on_start(expires_at, duration_secs, now), saturating like the domain rule.
    let started: Option<(LicenseId, AppId)> = sqlx::query_as(
        "UPDATE licenses SET activations = activations + 1, updated_at = $3, \
         expires_at = CASE WHEN expires_at IS NOT NULL THEN expires_at \
                           WHEN duration_secs IS NULL THEN NULL \
                           WHEN duration_secs > $4 THEN $5 \
                           ELSE $3 + duration_secs * 1000 END \
         WHERE seller_id = $1 AND key = $2 AND active = 1 AND banned_reason IS NULL \
         AND (expires_at IS NULL OR expires_at > $3) \
         AND (max_activations IS NULL OR activations < max_activations) \
         AND app_id IN (SELECT id FROM apps WHERE enabled = 1 AND paused = 0) \
         RETURNING id, app_id",
    )
    .bind(seller_id)
    .bind(key)
    .bind(now)
    .bind((i64::MAX - now) / 1000)
    .bind(i64::MAX)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((license_id, app_id)) = started else {
        let current = sqlx::query_as::<_, LicenseWithInstance>(
            "SELECT l.*, a.enabled AS app_enabled, a.paused AS app_paused, NULL AS instance_id, \
             NULL AS instance_name, NULL AS instance_created_at, NULL AS instance_updated_at \
             FROM licenses l JOIN apps a ON a.id = l.app_id WHERE l.seller_id = $1 AND l.key = $2",
        )
        .bind(seller_id)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let refusal = match &current {
            None => Refusal::KeyNotFound,
            Some(row) => usability(row.app_flags(), &row.license, now).unwrap_or(Refusal::LimitReached),
        };
        return Ok(Activation::Refused(refusal, current.map(|row| Box::new(row.license))));
    };
    let instance = sqlx::query_as::<_, Instance>(concat!(
        "INSERT INTO instances (id, license_id, seller_id, name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING ",
        instance_columns!()
    ))
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(license_id)
    .bind(seller_id)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let fields = serde_json::json!({ "key": key, "instance_id": instance.id, "instance_name": name });
    events::insert(tx, &[Event::license(EventKind::LicenseActivated, seller_id, app_id, license_id, fields)]).await?;
    Ok(Activation::Created(instance))
}

/// Takes the key's row first (a no-op update that locks it), then deletes the instance and
/// counts it off. Refusals change nothing.
async fn deactivate_in(
    tx: &mut AnyConnection,
    seller_id: SellerId,
    key: &str,
    instance_id: &str,
) -> Result<std::result::Result<(), Refusal>> {
    let locked: Option<(LicenseId, AppId)> = sqlx::query_as(
        "UPDATE licenses SET activations = activations WHERE seller_id = $1 AND key = $2 RETURNING id, app_id",
    )
    .bind(seller_id)
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((license_id, app_id)) = locked else { return Ok(Err(Refusal::KeyNotFound)) };
    let deleted = sqlx::query("DELETE FROM instances WHERE id = $1 AND license_id = $2")
        .bind(instance_id)
        .bind(license_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Ok(Err(Refusal::InstanceNotFound));
    }
    sqlx::query("UPDATE licenses SET activations = activations - 1, updated_at = $2 WHERE id = $1 AND activations > 0")
        .bind(license_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    let fields = serde_json::json!({ "key": key, "instance_id": instance_id });
    events::insert(tx, &[Event::license(EventKind::LicenseDeactivated, seller_id, app_id, license_id, fields)]).await?;
    Ok(Ok(()))
}
