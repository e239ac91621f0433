//! A reseller's stock as the Reseller API sees it: the licenses whose `reseller_id` is the
//! reseller, listed, looked up by key, drawn at random, and assigned to a Discord user; and the
//! last-use stamp of the key that asked.
//!
//! Every query names the reseller (and its seller, for the `(seller_id, key)` index), so a key
//! outside the caller's stock is indistinguishable from a missing one. Assignment is one
//! conditional UPDATE: under concurrency (threads or server processes) exactly one wins.

use super::values::Flag;
use super::{
    Page, Result, Store,
    direct::{Arg, from_columns},
    events,
};
use crate::domain::events::{Event, EventKind};
use crate::domain::ids::{AppId, LicenseId, ResellerId, SellerId};
use crate::domain::time::UnixMs;
use crate::domain::usable::{self, AppFlags, Denial, LicenseFacts};
use rand::Rng;

/// One license of a reseller's stock with its plan's name (the reseller API's "product").
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StockLicense {
    pub key: String,
    pub product: String,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<UnixMs>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    pub banned_reason: Option<String>,
    pub discord_user_id: Option<String>,
    pub created_at: UnixMs,
    #[sqlx(try_from = "Flag")]
    pub app_enabled: bool,
    #[sqlx(try_from = "Flag")]
    pub app_paused: bool,
}

/// How much of a reseller's stock is of one plan: sellable now, and assigned to Discord users.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanStock {
    pub app: String,
    pub plan: String,
    pub available: i64,
    pub assigned: i64,
    /// Every license of the plan in the stock, also those neither sellable nor assigned
    /// (expired, banned, switched off, or of a paused app).
    pub total: i64,
}

from_columns!(StockLicense {
    key,
    product,
    duration_secs,
    expires_at,
    active as Flag,
    banned_reason,
    discord_user_id,
    created_at,
    app_enabled as Flag,
    app_paused as Flag,
});

/// What an assignment did (a license outside the stock is `StoreError::NotFound`).
#[derive(Debug, Clone)]
pub enum AssignOutcome {
    /// This request assigned the license with this id.
    Assigned(LicenseId),
    /// Another request (or an earlier one) assigned it first.
    AlreadyAssigned,
    /// Unassigned but not sellable now, and why.
    Unavailable(Denial),
}

macro_rules! stock_select {
    () => {
        "SELECT l.key, p.name AS product, l.duration_secs, l.expires_at, l.active, l.banned_reason, \
         l.discord_user_id, l.created_at, a.enabled AS app_enabled, a.paused AS app_paused \
         FROM licenses l JOIN plans p ON p.id = l.plan_id JOIN apps a ON a.id = l.app_id "
    };
}

/// Sellable stock of reseller $1 at time $2, to be read `ORDER BY l.discord_user_id, l.id`: the
/// SQL form of `domain::usable::license` (`StockLicense::usable` is the same rule on a row,
/// and the reseller tests hold the two together), leaving the assignment aside.
///
/// That order (constant `discord_user_id`, all NULL here, then id) is the one of the index
/// `licenses_reseller_stock (reseller_id, discord_user_id, id)`, which both engines then seek
/// into. Ordered by `l.id` alone PostgreSQL may instead walk the primary key, filtering out every
/// other reseller's row on the way (measured: 130 ms for one page when 150k rows of others
/// precede the stock); the primary key cannot deliver this order.
macro_rules! sellable {
    () => {
        "l.reseller_id = $1 AND l.discord_user_id IS NULL AND l.active = 1 AND l.banned_reason IS NULL \
         AND (l.expires_at IS NULL OR l.expires_at > $2) AND a.enabled = 1 AND a.paused = 0"
    };
}

impl Store {
    /// One page of the reseller's sellable stock, oldest first.
    pub async fn available_stock(&self, reseller_id: ResellerId, now_ms: i64, page: Page) -> Result<Vec<StockLicense>> {
        Ok(sqlx::query_as::<_, StockLicense>(concat!(
            stock_select!(),
            "WHERE ",
            sellable!(),
            " ORDER BY l.discord_user_id, l.id LIMIT $3 OFFSET $4"
        ))
        .bind(reseller_id)
        .bind(now_ms)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// The reseller's stock counted per plan (a reseller sells a handful of plans).
    pub async fn stock_by_plan(&self, reseller_id: ResellerId, now_ms: i64) -> Result<Vec<PlanStock>> {
        Ok(sqlx::query_as::<_, PlanStock>(concat!(
            "SELECT a.name AS app, p.name AS plan, \
             SUM(CASE WHEN ",
            sellable!(),
            " THEN 1 ELSE 0 END) AS available, \
             SUM(CASE WHEN l.discord_user_id IS NOT NULL THEN 1 ELSE 0 END) AS assigned, COUNT(*) AS total \
             FROM licenses l JOIN plans p ON p.id = l.plan_id JOIN apps a ON a.id = l.app_id \
             WHERE l.reseller_id = $1 GROUP BY a.name, p.id, p.name ORDER BY a.name, p.name"
        ))
        .bind(reseller_id)
        .bind(now_ms)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// A license of the reseller's stock by key, whatever its state.
    pub async fn stock_license(&self, seller_id: SellerId, reseller_id: ResellerId, key: &str) -> Result<StockLicense> {
        let sql = concat!(stock_select!(), "WHERE l.seller_id = $1 AND l.key = $2 AND l.reseller_id = $3");
        self.fetch_first(sql, &[Arg::Int(seller_id.get()), Arg::Text(key), Arg::Int(reseller_id.get())]).await
    }

    /// A random sellable license of the reseller's stock, `None` when there is none.
    ///
    /// Cost is independent of the stock's size: read the id range of the unassigned stock (two
    /// index seeks), draw an id in it, and take the first sellable license at or after that id,
    /// wrapping around to the start. A license's chance is proportional to the id gap before it,
    /// which is close to uniform for stock generated in batches.
    pub async fn random_available_stock(&self, reseller_id: ResellerId, now_ms: i64) -> Result<Option<StockLicense>> {
        // The ends of the unassigned stock, one index seek each (in the order `sellable!` explains).
        let (low, high): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT id FROM licenses WHERE reseller_id = $1 AND discord_user_id IS NULL \
                     ORDER BY discord_user_id, id LIMIT 1), \
                    (SELECT id FROM licenses WHERE reseller_id = $1 AND discord_user_id IS NULL \
                     ORDER BY discord_user_id DESC, id DESC LIMIT 1)",
        )
        .bind(reseller_id)
        .fetch_one(&mut *self.read().await?)
        .await?;
        let (Some(low), Some(high)) = (low, high) else { return Ok(None) };
        let start = rand::thread_rng().gen_range(low..=high);
        for from in [start, low] {
            let found = sqlx::query_as::<_, StockLicense>(concat!(
                stock_select!(),
                "WHERE ",
                sellable!(),
                " AND l.id >= $3 ORDER BY l.discord_user_id, l.id LIMIT 1"
            ))
            .bind(reseller_id)
            .bind(now_ms)
            .bind(from)
            .fetch_optional(&mut *self.read().await?)
            .await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Assigns a sellable license of the reseller's stock to a Discord user, in one conditional
    /// UPDATE. On PostgreSQL (READ COMMITTED) a concurrent assignment of the same row waits for
    /// the row lock and then re-checks the WHERE clause against the committed row, so it finds
    /// `discord_user_id` set and updates nothing; SQLite runs writers one at a time. On refusal a
    /// read tells why; should that read find the license sellable again (the seller released it
    /// in between), the UPDATE is retried.
    pub async fn assign_stock_license(
        &self,
        seller_id: SellerId,
        reseller_id: ResellerId,
        key: &str,
        discord_user_id: &str,
        now_ms: i64,
    ) -> Result<AssignOutcome> {
        const ATTEMPTS: usize = 3;
        for _ in 0..ATTEMPTS {
            if let Some(id) = self.assign_if_free(seller_id, reseller_id, key, discord_user_id, now_ms).await? {
                return Ok(AssignOutcome::Assigned(id));
            }
            let current = self.stock_license(seller_id, reseller_id, key).await?;
            if current.discord_user_id.is_some() {
                return Ok(AssignOutcome::AlreadyAssigned);
            }
            if let Err(denial) = current.usable(now_ms) {
                return Ok(AssignOutcome::Unavailable(denial));
            }
        }
        // Released and taken again three times in a row: someone else keeps winning.
        Ok(AssignOutcome::AlreadyAssigned)
    }

    /// The conditional assignment and its event, in one transaction; the license id, or `None` when it
    /// is not free to assign (taken, unusable, or not in this reseller's stock).
    async fn assign_if_free(
        &self,
        seller_id: SellerId,
        reseller_id: ResellerId,
        key: &str,
        discord_user_id: &str,
        now_ms: i64,
    ) -> Result<Option<LicenseId>> {
        let mut tx = self.begin_write().await?;
        let assigned: Option<(LicenseId, AppId)> = sqlx::query_as(
            "UPDATE licenses SET discord_user_id = $4, assigned_at = $5, updated_at = $5 \
             WHERE seller_id = $1 AND key = $2 AND reseller_id = $3 AND discord_user_id IS NULL \
             AND active = 1 AND banned_reason IS NULL AND (expires_at IS NULL OR expires_at > $5) \
             AND app_id IN (SELECT id FROM apps WHERE enabled = 1 AND paused = 0) RETURNING id, app_id",
        )
        .bind(seller_id)
        .bind(key)
        .bind(reseller_id)
        .bind(discord_user_id)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((license_id, app_id)) = assigned else { return Ok(None) };
        let fields = serde_json::json!({ "key": key, "reseller_id": reseller_id, "discord_user_id": discord_user_id });
        let event = Event::license(EventKind::ResellerLicenseAssigned, seller_id, app_id, license_id, fields);
        events::insert(&mut tx, &[event]).await?;
        tx.commit().await?;
        Ok(Some(license_id))
    }

    /// Records that a reseller key was used (the seller sees it in the key list).
    pub async fn touch_reseller_key(&self, key_id: i64, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE reseller_keys SET last_used_at = $2 WHERE id = $1")
            .bind(key_id)
            .bind(now_ms)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }
}

impl StockLicense {
    /// Whether the license may be sold now: `domain::usable::license`, the rule `sellable!()` spells in SQL.
    pub fn usable(&self, now_ms: i64) -> std::result::Result<(), Denial> {
        let app = AppFlags { enabled: self.app_enabled, paused: self.app_paused };
        let facts = LicenseFacts {
            active: self.active,
            banned: self.banned_reason.is_some(),
            expires_at: self.expires_at.map(i64::from),
        };
        usable::license(app, facts, now_ms)
    }
}
