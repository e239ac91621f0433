//! Licenses: generation by mask in bulk, listing with filters, ban/unban, terms (limit, expiry,
//! on/off), delete, and export and
//! import as CSV or JSON. Generation and import report progress through a callback so the CLI
//! can draw a bar; the admin API passes a no-op.

use super::{Listed, ManageError, PageRequest, Tenant, change, client_data::ClientApp, emit};
use crate::domain::ids::{AppId, CustomerId, LicenseId, PlanId, ResellerId, SellerId};
use crate::domain::{
    events::{Event, EventKind},
    keymask::{KeyCase, KeyMask},
    time::{now_ms, parse_duration_secs},
    validate,
};
use crate::store::{
    Store,
    customers::NewOrder,
    instances::KeyChanges,
    licenses::{License, LicenseCounts, LicenseFilter, NewLicenses},
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Most keys one generate or import call may create.
pub const MAX_BATCH: i64 = 100_000;
/// Keys per insert statement (a batch is one transaction): big enough to be fast, small enough
/// to show progress.
const CHUNK: usize = 10_000;

/// Progress of bulk work: called with the number of keys done so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// What to generate. The mask and case default to the app's, the duration to the plan's.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateSpec {
    #[schema(value_type = i64)]
    pub app_id: AppId,
    #[schema(value_type = i64)]
    pub plan_id: PlanId,
    pub count: i64,
    pub mask: Option<String>,
    pub case: Option<String>,
    pub duration_secs: Option<i64>,
    /// Fixed expiry (unix ms) instead of a duration counted from first use.
    pub expires_at: Option<i64>,
    pub max_activations: Option<i64>,
    #[serde(default)]
    pub note: String,
    /// Generate straight into this reseller's stock (with the reseller's key prefix).
    #[schema(value_type = Option<i64>)]
    pub reseller_id: Option<ResellerId>,
    /// The buyer: found by email among the seller's customers, or created. None: the seller's
    /// default customer.
    pub customer_email: Option<String>,
    /// The buyer's name (kept when empty).
    pub customer_name: Option<String>,
    /// The store order the keys were sold in (needs `customer_email`); the same store and order
    /// id again attach to the order already recorded.
    pub order: Option<OrderSpec>,
}

impl GenerateSpec {
    /// `count` keys of the plan with the app's mask and case and the plan's duration, for no
    /// reseller and no buyer; set the other fields with struct update syntax.
    pub fn new(app_id: AppId, plan_id: PlanId, count: i64) -> Self {
        Self {
            app_id,
            plan_id,
            count,
            mask: None,
            case: None,
            duration_secs: None,
            expires_at: None,
            max_activations: None,
            note: String::new(),
            reseller_id: None,
            customer_email: None,
            customer_name: None,
            order: None,
        }
    }
}

/// An order placed in a store, as the seller records it with the keys it bought.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderSpec {
    /// sellapp, lemonsqueezy, stripe or manual.
    pub store: String,
    /// The store's order id.
    pub external_id: String,
    /// In the currency's minor units (cents).
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub currency: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    pub count: usize,
    pub keys: Vec<String>,
}

pub async fn generate(
    store: &Store,
    tenant: &Tenant,
    spec: GenerateSpec,
    progress: Progress<'_>,
) -> Result<Generated, ManageError> {
    change(store, async |store| generate_in(store, tenant, spec, progress).await).await
}

/// Generation inside the operation's transaction: every key of the batch, its events and the
/// audit row commit together, so a failure leaves no partial batch and a retry no double one.
pub(super) async fn generate_in(
    store: &Store,
    tenant: &Tenant,
    spec: GenerateSpec,
    progress: Progress<'_>,
) -> Result<Generated, ManageError> {
    let seller_id = tenant.seller_id();
    let seller = store.seller(seller_id).await.map_err(ManageError::from_store("seller", "id"))?;
    let app = store.app(seller_id, spec.app_id).await.map_err(ManageError::from_store("app", "id"))?;
    let plan = store.plan(app.id, spec.plan_id).await.map_err(ManageError::from_store("plan", "id"))?;
    let count = validate::in_range("count", spec.count, 1, MAX_BATCH)? as usize;
    let case = match spec.case.as_deref() {
        Some(text) => {
            KeyCase::parse(text).ok_or_else(|| ManageError::invalid("case", "must be upper, lower or mixed"))?
        }
        None => app.key_case,
    };
    let mask = KeyMask::parse(spec.mask.as_deref().unwrap_or(&app.key_mask), case)
        .map_err(|e| ManageError::invalid("mask", e.to_string()))?;
    let (duration_secs, expires_at) = term(spec.duration_secs, spec.expires_at, plan.duration_secs)?;
    let prefix = match spec.reseller_id {
        Some(id) => store.reseller(seller_id, id).await.map_err(ManageError::from_store("reseller", "id"))?.key_prefix,
        None => seller.key_prefix,
    };
    let batch = NewLicenses {
        seller_id,
        app_id: app.id,
        plan_id: plan.id,
        duration_secs,
        expires_at,
        max_activations: max_activations(spec.max_activations)?,
        note: validate::bounded("note", &spec.note, 1_000)?,
        reseller_id: spec.reseller_id,
        order_id: None,
        customer_id: customer(store, seller_id, spec.customer_email.as_deref(), spec.customer_name.as_deref()).await?,
    };
    let batch = NewLicenses { order_id: order(store, &batch, spec.order).await?, ..batch };
    let created = insert_generated(store, &batch, &mask, &prefix, count, progress).await?;
    let mut detail = format!("count={} plan={}", created.len(), plan.name);
    if let Some(r) = spec.reseller_id {
        detail.push_str(&format!(" reseller={r}"));
    }
    tenant.audit(store, "license.generate", format!("app:{}", app.id), &detail).await?;
    emit(store, &created_events(&batch, &created)).await?;
    Ok(Generated { count: created.len(), keys: created.into_iter().map(|(_, key)| key).collect() })
}

/// The id of the buyer with `email` (made on first use); `None` without an email.
async fn customer(
    store: &Store,
    seller_id: SellerId,
    email: Option<&str>,
    name: Option<&str>,
) -> Result<Option<CustomerId>, ManageError> {
    let Some(email) = email else { return Ok(None) };
    let email = validate::email("customer_email", email)?;
    let name = validate::bounded("customer_name", name.unwrap_or("").trim(), 200)?;
    Ok(Some(store.customer_by_email(seller_id, &email, &name).await?.id))
}

/// Records the order of a batch (its product, variant and buyer are the batch's).
async fn order(store: &Store, batch: &NewLicenses, spec: Option<OrderSpec>) -> Result<Option<i64>, ManageError> {
    let Some(o) = spec else { return Ok(None) };
    if !matches!(o.store.as_str(), "sellapp" | "lemonsqueezy" | "stripe" | "manual") {
        return Err(ManageError::invalid("order.store", "must be sellapp, lemonsqueezy, stripe or manual"));
    }
    let customer_id =
        batch.customer_id.ok_or_else(|| ManageError::invalid("customer_email", "an order needs a buyer"))?;
    let currency = o.currency.trim().to_ascii_uppercase();
    if !(currency.is_empty() || currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(ManageError::invalid("order.currency", "must be an ISO 4217 code such as USD"));
    }
    let new = NewOrder {
        seller_id: batch.seller_id,
        store: o.store,
        external_id: validate::name("order.external_id", &o.external_id, 200)?,
        app_id: Some(batch.app_id),
        plan_id: Some(batch.plan_id),
        customer_id,
        amount: validate::in_range("order.amount", o.amount, 0, i64::from(i32::MAX) * 100)?,
        currency,
    };
    Ok(Some(store.record_order(&new).await?.id))
}

/// One `license.created` per new license.
fn created_events(batch: &NewLicenses, created: &[(LicenseId, String)]) -> Vec<Event> {
    created
        .iter()
        .map(|(id, key)| {
            let fields = serde_json::json!({ "key": key, "plan_id": batch.plan_id, "reseller_id": batch.reseller_id });
            Event::license(EventKind::LicenseCreated, batch.seller_id, batch.app_id, *id, fields)
        })
        .collect()
}

/// A duration or a fixed expiry, not both; neither: the plan's duration.
fn term(
    duration_secs: Option<i64>,
    expires_at: Option<i64>,
    plan_duration: Option<i64>,
) -> Result<(Option<i64>, Option<i64>), ManageError> {
    match (duration_secs, expires_at) {
        (Some(_), Some(_)) => Err(ManageError::invalid("expires_at", "give a duration or a fixed expiry, not both")),
        (Some(d), None) => Ok((Some(validate::in_range("duration_secs", d, 1, 100 * 365 * 86_400)?), None)),
        (None, Some(at)) if at <= now_ms() => Err(ManageError::invalid("expires_at", "must lie in the future")),
        (None, Some(at)) => Ok((None, Some(at))),
        (None, None) => Ok((plan_duration, None)),
    }
}

fn max_activations(v: Option<i64>) -> Result<Option<i64>, ManageError> {
    v.map(|n| validate::in_range("max_activations", n, 1, 1_000_000)).transpose().map_err(Into::into)
}

/// Generates and inserts until `count` keys are in, replacing the ones that collided. A round
/// that inserts nothing means the mask's key space is used up: stop with an error then.
async fn insert_generated(
    store: &Store,
    batch: &NewLicenses,
    mask: &KeyMask,
    prefix: &str,
    count: usize,
    progress: Progress<'_>,
) -> Result<Vec<(LicenseId, String)>, ManageError> {
    let mut done = Vec::with_capacity(count);
    while done.len() < count {
        let want = (count - done.len()).min(CHUNK);
        let inserted = store.insert_licenses(batch, &mask.generate_many(prefix, want)).await?;
        if inserted.is_empty() {
            return Err(ManageError::Conflict {
                field: "mask",
                message: format!(
                    "the mask's key space is exhausted: {} of {count} keys generated; use a longer mask",
                    done.len()
                ),
            });
        }
        done.extend(inserted);
        progress(done.len() as u64);
    }
    Ok(done)
}

/// Filters of the license list, as both faces take them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[param(value_type = Option<i64>)]
    pub seller_id: Option<SellerId>,
    #[param(value_type = Option<i64>)]
    pub app_id: Option<AppId>,
    #[param(value_type = Option<i64>)]
    pub plan_id: Option<PlanId>,
    #[param(value_type = Option<i64>)]
    pub reseller_id: Option<ResellerId>,
    pub search: Option<String>,
    /// used, unused, banned or assigned.
    pub state: Option<String>,
    pub limit: Option<i64>,
    pub page: Option<i64>,
    /// Export only: csv or json.
    pub format: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> Result<LicenseFilter, ManageError> {
        if let Some(s) = &self.state
            && !matches!(s.as_str(), "used" | "unused" | "banned" | "assigned")
        {
            return Err(ManageError::invalid("state", "must be used, unused, banned or assigned"));
        }
        let search = self.search.as_deref().map(|s| validate::bounded("search", s, 200)).transpose()?;
        Ok(LicenseFilter {
            app_id: self.app_id,
            plan_id: self.plan_id,
            reseller_id: self.reseller_id,
            search,
            state: self.state.clone(),
        })
    }
}

pub async fn list(store: &Store, tenant: &Tenant, q: &ListQuery) -> Result<Listed<License>, ManageError> {
    let seller_id = tenant.seller_id();
    let (page, meta) = PageRequest::new(q.limit, q.page).page()?;
    let (rows, total) = store.list_licenses(seller_id, &q.filter()?, page).await?;
    Ok(Listed::new(rows, meta, total))
}

pub async fn get(store: &Store, tenant: &Tenant, id: LicenseId) -> Result<License, ManageError> {
    let seller_id = tenant.seller_id();
    store.license(seller_id, id).await.map_err(ManageError::from_store("license", "id"))
}

/// Resolves a CLI reference: a key, or else a license id.
pub async fn resolve(store: &Store, seller_id: SellerId, reference: &str) -> Result<License, ManageError> {
    match store.license_by_key(seller_id, reference).await {
        Ok(l) => Ok(l),
        Err(_) => match reference.parse::<LicenseId>() {
            Ok(id) => store.license(seller_id, id).await.map_err(ManageError::from_store("license", "id")),
            Err(_) => Err(ManageError::NotFound("license")),
        },
    }
}

/// The license with this exact key in the app (another app's key is `NotFound`).
pub async fn by_key(store: &Store, at: &ClientApp, key: &str) -> Result<License, ManageError> {
    let license =
        store.license_by_key(at.app().seller_id, key).await.map_err(ManageError::from_store("license", "key"))?;
    if license.app_id == at.id() { Ok(license) } else { Err(ManageError::NotFound("license")) }
}

/// Bans (with a reason) or, with `None`, unbans a license.
pub async fn set_ban(
    store: &Store,
    tenant: &Tenant,
    id: LicenseId,
    reason: Option<&str>,
) -> Result<License, ManageError> {
    let seller_id = tenant.seller_id();
    let reason = reason.map(|r| validate::name("reason", r, 500)).transpose()?;
    change(store, async |store| {
        let license = store
            .set_license_ban(seller_id, id, reason.as_deref())
            .await
            .map_err(ManageError::from_store("license", "id"))?;
        let (action, kind) = match reason {
            Some(_) => ("license.ban", EventKind::LicenseBanned),
            None => ("license.unban", EventKind::LicenseUnbanned),
        };
        tenant.audit(store, action, format!("license:{id}"), reason.as_deref().unwrap_or("")).await?;
        emit(store, &[license_event(kind, &license, serde_json::json!({ "reason": reason }))]).await?;
        Ok(license)
    })
    .await
}

/// Lengthens a license by `duration` (`30d`, `12h`, ...; see `Store::extend_license`), with
/// its `license.updated` event and an audit row. A lifetime license has nothing to lengthen.
pub async fn extend(store: &Store, tenant: &Tenant, id: LicenseId, duration: &str) -> Result<License, ManageError> {
    let secs = parse_duration_secs(duration)
        .filter(|s| (1..=100 * 365 * 86_400).contains(s))
        .ok_or_else(|| ManageError::invalid("duration", "must look like 30d, 12h, 90m, 2w, 1y or seconds"))?;
    change(store, async |store| {
        let license = store
            .extend_license(tenant.seller_id(), id, secs, now_ms())
            .await
            .map_err(ManageError::from_store("license", "id"))?
            .ok_or_else(|| {
                ManageError::invalid("duration", "this license never expires: there is nothing to extend")
            })?;
        tenant.audit(store, "license.extend", format!("license:{id}"), duration).await?;
        let fields = serde_json::json!({
            "seconds": secs, "expires_at": license.expires_at, "duration_secs": license.duration_secs,
        });
        emit(store, &[license_event(EventKind::LicenseUpdated, &license, fields)]).await?;
        Ok(license)
    })
    .await
}

/// Changes a key's terms as the Licenses API's `PATCH` does (limit, expiry, on/off; see
/// `Store::update_key`), with its `license.updated` event and an audit row in one transaction.
/// Switching a key off stops it on every face from the next request.
pub async fn update_terms(
    store: &Store,
    tenant: &Tenant,
    id: LicenseId,
    changes: &KeyChanges,
) -> Result<License, ManageError> {
    change(store, async |store| {
        let license = store
            .update_key(tenant.seller_id(), id, changes)
            .await
            .map_err(ManageError::from_store("license", "id"))?;
        tenant.audit(store, "license.update", format!("license:{id}"), &terms_detail(changes)).await?;
        Ok(license)
    })
    .await
}

/// The audit detail of a change of terms: the fields it sets.
fn terms_detail(c: &KeyChanges) -> String {
    let mut set = Vec::new();
    if let Some(limit) = c.limit {
        set.push(format!("limit={}", limit.map_or("unlimited".into(), |n| n.to_string())));
    }
    if let Some(at) = c.expires_at {
        set.push(format!("expires_at={}", at.map_or("never".into(), |ms| ms.to_string())));
    }
    if let Some(active) = c.active {
        set.push(format!("active={active}"));
    }
    set.join(" ")
}

/// A license's event: its id, key, app and plan, plus `extra`'s fields.
fn license_event(kind: EventKind, license: &License, mut extra: serde_json::Value) -> Event {
    if extra.is_null() {
        extra = serde_json::json!({});
    }
    if let Some(fields) = extra.as_object_mut() {
        fields.insert("key".into(), license.key.clone().into());
        fields.insert("plan_id".into(), license.plan_id.get().into());
    }
    Event::license(kind, license.seller_id, license.app_id, license.id, extra)
}

pub async fn delete(store: &Store, tenant: &Tenant, id: LicenseId) -> Result<(), ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        let license = store.license(seller_id, id).await.map_err(ManageError::from_store("license", "id"))?;
        store.delete_license(seller_id, id).await.map_err(ManageError::from_store("license", "id"))?;
        tenant.audit(store, "license.delete", format!("license:{id}"), "").await?;
        emit(store, &[license_event(EventKind::LicenseDeleted, &license, serde_json::Value::Null)]).await
    })
    .await
}

/// Deletes the app's redeemed (`used`) or never-used licenses, as KeyAuth's `delused` and
/// `delunused` do (banned and switched-off ones stay); returns how many went.
pub async fn delete_in_state(store: &Store, at: &ClientApp, used: bool) -> Result<usize, ManageError> {
    change(store, async |store| {
        let gone = store.delete_app_licenses(at.app().seller_id, at.id(), used).await?;
        let action = if used { "license.delete_used" } else { "license.delete_unused" };
        at.audit(store, action, &format!("app:{}", at.id()), &format!("count={}", gone.len())).await?;
        let events: Vec<Event> =
            gone.iter().map(|l| license_event(EventKind::LicenseDeleted, l, serde_json::Value::Null)).collect();
        emit(store, &events).await?;
        Ok(gone.len())
    })
    .await
}

/// Lengthens every never-used duration license of the app by `secs` (KeyAuth's `addtime`);
/// returns how many.
pub async fn add_time_to_unused(store: &Store, at: &ClientApp, secs: i64) -> Result<u64, ManageError> {
    let secs = validate::in_range("time", secs, 1, 100 * 365 * 86_400)?;
    change(store, async |store| {
        let n = store.add_time_to_unused(at.app().seller_id, at.id(), secs).await?;
        at.audit(store, "license.add_time", &format!("app:{}", at.id()), &format!("seconds={secs} count={n}")).await?;
        Ok(n)
    })
    .await
}

/// How many of the app's licenses are unused, used, paused and banned.
pub async fn counts(store: &Store, at: &ClientApp) -> Result<LicenseCounts, ManageError> {
    Ok(store.license_counts(at.app().seller_id, at.id()).await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Result<Self, ManageError> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            _ => Err(ManageError::invalid("format", "must be csv or json")),
        }
    }
}

/// One exported license. Plans and resellers are named, so a file moves between servers.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRecord {
    pub key: String,
    pub app: String,
    pub plan: String,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_activations: Option<i64>,
    pub activations: i64,
    pub banned_reason: Option<String>,
    pub note: String,
    pub reseller: Option<String>,
    pub discord_user_id: Option<String>,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

/// Every license matching the filter (pagination fields are ignored).
pub async fn export(store: &Store, tenant: &Tenant, q: &ListQuery) -> Result<Vec<ExportRecord>, ManageError> {
    let seller_id = tenant.seller_id();
    let rows = store.all_licenses(seller_id, &q.filter()?).await?;
    let apps: HashMap<AppId, String> = store.list_apps(seller_id).await?.into_iter().map(|a| (a.id, a.name)).collect();
    let mut plans = HashMap::new();
    for app_id in apps.keys() {
        plans.extend(store.list_plans(*app_id).await?.into_iter().map(|p| (p.id, p.name)));
    }
    let resellers: HashMap<ResellerId, String> =
        store.list_resellers(seller_id).await?.into_iter().map(|r| (r.id, r.name)).collect();
    fn name<K: std::hash::Hash + Eq>(m: &HashMap<K, String>, id: K) -> String {
        m.get(&id).cloned().unwrap_or_default()
    }
    Ok(rows
        .into_iter()
        .map(|l| ExportRecord {
            app: name(&apps, l.app_id),
            plan: name(&plans, l.plan_id),
            reseller: l.reseller_id.map(|r| name(&resellers, r)),
            key: l.key,
            duration_secs: l.duration_secs,
            expires_at: l.expires_at.map(i64::from),
            max_activations: l.max_activations,
            activations: l.activations,
            banned_reason: l.banned_reason,
            note: l.note,
            discord_user_id: l.discord_user_id,
            used_at: l.used_at.map(i64::from),
            created_at: l.created_at.get(),
        })
        .collect())
}

/// Renders exported records as CSV with a header line.
pub fn to_csv(records: &[ExportRecord]) -> Result<String, ManageError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in records {
        w.serialize(r).map_err(|e| ManageError::invalid("format", e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| ManageError::invalid("format", e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ManageError::invalid("format", e.to_string()))
}

/// One license to import. Other columns (an export's `activations`, `app`, ...) are ignored,
/// so an exported file imports as is.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ImportRecord {
    pub key: String,
    /// Plan name or id; empty: the plan given for the whole import.
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub duration_secs: Option<i64>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub max_activations: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
    /// The buyer's email; empty: the customer given for the whole import, else the default one.
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub customer_name: Option<String>,
}

/// The buyer of every imported key whose record names none.
#[derive(Debug, Clone, Default)]
pub struct ImportCustomer {
    pub email: Option<String>,
    pub name: Option<String>,
}

/// What records that name no plan or buyer get.
#[derive(Debug, Clone, Default)]
pub struct ImportDefaults {
    pub plan_id: Option<PlanId>,
    pub customer: ImportCustomer,
}

/// Parses an import file: CSV with a header line, or JSON (an array of records, or an object
/// holding it under `licenses` or `data`).
pub fn parse_import(format: Format, bytes: &[u8]) -> Result<Vec<ImportRecord>, ManageError> {
    let bad = |e: String| ManageError::invalid("licenses", e);
    match format {
        Format::Csv => csv::Reader::from_reader(bytes)
            .deserialize()
            .enumerate()
            .map(|(i, r)| r.map_err(|e| bad(format!("record {}: {e}", i + 1))))
            .collect(),
        Format::Json => {
            #[derive(Deserialize)]
            #[serde(untagged)]
            enum Doc {
                List(Vec<ImportRecord>),
                Licenses { licenses: Vec<ImportRecord> },
                Data { data: Vec<ImportRecord> },
            }
            match serde_json::from_slice::<Doc>(bytes).map_err(|e| bad(e.to_string()))? {
                Doc::List(v) | Doc::Licenses { licenses: v } | Doc::Data { data: v } => Ok(v),
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    /// Keys already present (or repeated in the file); existing rows are never overwritten.
    pub duplicates: Vec<String>,
}

/// Licenses that share every attribute but the key go in together (the last: customer id).
type Group = (PlanId, Option<i64>, Option<i64>, Option<i64>, String, Option<CustomerId>);

pub async fn import(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    defaults: ImportDefaults,
    records: Vec<ImportRecord>,
    progress: Progress<'_>,
) -> Result<ImportReport, ManageError> {
    change(store, async |store| import_in(store, tenant, app_id, defaults, records, progress).await).await
}

/// Import inside the operation's transaction (all keys, events and the audit row, or none).
async fn import_in(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    ImportDefaults { plan_id: default_plan, customer: default_customer }: ImportDefaults,
    records: Vec<ImportRecord>,
    progress: Progress<'_>,
) -> Result<ImportReport, ManageError> {
    let seller_id = tenant.seller_id();
    let app = store.app(seller_id, app_id).await.map_err(ManageError::from_store("app", "id"))?;
    if records.len() as i64 > MAX_BATCH {
        return Err(ManageError::invalid("licenses", format!("at most {MAX_BATCH} licenses per import")));
    }
    if let Some(id) = default_plan {
        store.plan(app.id, id).await.map_err(ManageError::from_store("plan", "id"))?;
    }
    let (groups, mut duplicates) =
        group_records(store, (seller_id, app.id), default_plan, default_customer, records).await?;
    let mut imported = 0;
    let mut events = Vec::new();
    for (g, keys) in groups {
        let batch = NewLicenses {
            seller_id,
            app_id: app.id,
            plan_id: g.0,
            duration_secs: g.1,
            expires_at: g.2,
            max_activations: g.3,
            note: g.4,
            reseller_id: None,
            order_id: None,
            customer_id: g.5,
        };
        for chunk in keys.chunks(CHUNK) {
            let created = store.insert_licenses(&batch, chunk).await?;
            events.extend(created_events(&batch, &created));
            let inserted: HashSet<String> = created.into_iter().map(|(_, key)| key).collect();
            imported += inserted.len();
            duplicates.extend(chunk.iter().filter(|k| !inserted.contains(*k)).cloned());
            progress((imported + duplicates.len()) as u64);
        }
    }
    let detail = format!("imported={imported} duplicates={}", duplicates.len());
    tenant.audit(store, "license.import", format!("app:{}", app.id), &detail).await?;
    emit(store, &events).await?;
    Ok(ImportReport { imported, duplicates })
}

/// Checks every record, resolves plan names, and groups keys by their shared attributes;
/// keys repeated in the file come back as duplicates.
async fn group_records(
    store: &Store,
    (seller_id, app_id): (SellerId, AppId),
    default_plan: Option<PlanId>,
    default_customer: ImportCustomer,
    records: Vec<ImportRecord>,
) -> Result<(Vec<(Group, Vec<String>)>, Vec<String>), ManageError> {
    let mut plans: HashMap<String, PlanId> = HashMap::new();
    let mut customers: HashMap<String, Option<CustomerId>> = HashMap::new();
    let mut index: HashMap<Group, usize> = HashMap::new();
    let mut groups: Vec<(Group, Vec<String>)> = Vec::new();
    let mut seen = HashSet::new();
    let mut duplicates = Vec::new();
    for (i, r) in records.into_iter().enumerate() {
        let at = |m: &str| ManageError::invalid("licenses", format!("record {}: {m}", i + 1));
        let key = r.key.trim().to_owned();
        if key.is_empty() || key.len() > 200 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(at("key must be 1-200 characters without spaces"));
        }
        let plan_id = match r.plan.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => match plans.get(p) {
                Some(id) => *id,
                None => {
                    let id = store.plan_by_ref(app_id, p).await.map_err(|_| at(&format!("no plan {p:?}")))?.id;
                    plans.insert(p.to_owned(), id);
                    id
                }
            },
            None => default_plan.ok_or_else(|| at("no plan, and no plan given for the import"))?,
        };
        let max = max_activations(r.max_activations).map_err(|e| at(&e.to_string()))?;
        let note = validate::bounded("note", r.note.as_deref().unwrap_or(""), 1_000).map_err(|e| at(&e.to_string()))?;
        if !seen.insert(key.clone()) {
            duplicates.push(key);
            continue;
        }
        let named = r.customer_email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        let (email, name) = match named {
            Some(e) => (Some(e), r.customer_name.as_deref()),
            None => (default_customer.email.as_deref(), default_customer.name.as_deref()),
        };
        let customer_id = match email.map(str::to_lowercase) {
            Some(e) if customers.contains_key(&e) => customers[&e],
            Some(e) => {
                let id = customer(store, seller_id, Some(&e), name).await.map_err(|err| at(&err.to_string()))?;
                customers.insert(e, id);
                id
            }
            None => None,
        };
        let g: Group = (plan_id, r.duration_secs, r.expires_at, max, note, customer_id);
        let slot = *index.entry(g.clone()).or_insert_with(|| {
            groups.push((g, Vec::new()));
            groups.len() - 1
        });
        groups[slot].1.push(key);
    }
    Ok((groups, duplicates))
}
