//! Plans of an app: a name, a level (the client API's subscription level) and the default
//! duration of keys generated for it (none: lifetime).

use super::{Listed, ManageError, PageRequest, Tenant, change};
use crate::domain::ids::{AppId, PlanId};
use crate::domain::validate;
use crate::store::{Store, StoreError, plans::Plan};

pub async fn create(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    name: &str,
    level: i64,
    duration_secs: Option<i64>,
) -> Result<Plan, ManageError> {
    let name = validate::name("name", name, 100)?;
    let level = validate::in_range("level", level, 0, 1_000_000)?;
    let duration_secs = checked_duration(duration_secs)?;
    change(store, async |store| {
        tenant.app(store, app_id).await?;
        let plan = store.create_plan(app_id, &name, level, duration_secs).await.map_err(plan_conflict)?;
        tenant.audit(store, "plan.create", format!("plan:{}", plan.id), &plan.name).await?;
        Ok(plan)
    })
    .await
}

/// Two unique constraints: (app, name) and (app, level); the message names the column.
fn plan_conflict(e: StoreError) -> ManageError {
    match e {
        StoreError::Conflict(c) if c.contains("level") => {
            ManageError::Conflict { field: "level", message: "this app already has a plan with this level".into() }
        }
        e => ManageError::from_store("plan", "name")(e),
    }
}

fn checked_duration(duration_secs: Option<i64>) -> Result<Option<i64>, ManageError> {
    Ok(duration_secs.map(|d| validate::in_range("duration_secs", d, 1, 100 * 365 * 86_400)).transpose()?)
}

/// A change of a plan; absent fields stay. `duration_secs: Some(None)` makes it lifetime.
/// Keys already generated keep their own duration and expiry.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanChanges {
    pub name: Option<String>,
    pub level: Option<i64>,
    /// Seconds; `null` for lifetime.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub duration_secs: Option<Option<i64>>,
}

/// A field that is present (its value, `null` included) as `Some`; absent stays `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// Edits a plan in one transaction with its row locked, so concurrent edits of different fields
/// all land.
pub async fn update(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    plan_id: PlanId,
    changes: PlanChanges,
) -> Result<Plan, ManageError> {
    let name = changes.name.as_deref().map(|n| validate::name("name", n, 100)).transpose()?;
    let level = changes.level.map(|l| validate::in_range("level", l, 0, 1_000_000)).transpose()?;
    let duration = changes.duration_secs.map(checked_duration).transpose()?;
    change(store, async |store| {
        tenant.app(store, app_id).await?;
        let mut plan = store.plan_for_update(app_id, plan_id).await.map_err(ManageError::from_store("plan", "id"))?;
        plan.name = name.clone().unwrap_or(plan.name);
        plan.level = level.unwrap_or(plan.level);
        plan.duration_secs = duration.unwrap_or(plan.duration_secs);
        let plan = store.save_plan(&plan).await.map_err(plan_conflict)?;
        tenant.audit(store, "plan.update", format!("plan:{plan_id}"), &plan.name).await?;
        Ok(plan)
    })
    .await
}

pub async fn list(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    page: PageRequest,
) -> Result<Listed<Plan>, ManageError> {
    tenant.app(store, app_id).await?;
    page.slice(store.list_plans(app_id).await?)
}

pub async fn get(store: &Store, tenant: &Tenant, app_id: AppId, plan_id: PlanId) -> Result<Plan, ManageError> {
    tenant.app(store, app_id).await?;
    store.plan(app_id, plan_id).await.map_err(ManageError::from_store("plan", "id"))
}

/// Resolves a CLI reference (id or name) to a plan of the app.
pub async fn resolve(store: &Store, app_id: AppId, reference: &str) -> Result<Plan, ManageError> {
    store.plan_by_ref(app_id, reference).await.map_err(ManageError::from_store("plan", "name"))
}

/// Refused with 409 while licenses use the plan: keys never lose their plan.
pub async fn delete(store: &Store, tenant: &Tenant, app_id: AppId, plan_id: PlanId) -> Result<(), ManageError> {
    change(store, async |store| {
        tenant.app(store, app_id).await?;
        store.delete_plan(app_id, plan_id).await.map_err(|e| match e {
            StoreError::Conflict(_) => ManageError::Conflict {
                field: "plan",
                message: "licenses still use this plan; delete them first".into(),
            },
            e => ManageError::from_store("plan", "id")(e),
        })?;
        tenant.audit(store, "plan.delete", format!("plan:{plan_id}"), "").await
    })
    .await
}
