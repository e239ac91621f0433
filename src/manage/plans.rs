//! Plans of an app: a name, a level (the client API's subscription level) and the default
//! duration of keys generated for it (none: lifetime).

use super::{Listed, ManageError, PageRequest, Scope, audit, change};
use crate::domain::ids::{AppId, PlanId, SellerId};
use crate::domain::validate;
use crate::store::{Store, StoreError, plans::Plan};

/// Resolves the app of a seller-scoped request: a foreign app answers like a missing one.
async fn app_of(
    store: &Store,
    scope: &Scope,
    seller_id: Option<SellerId>,
    app_id: AppId,
) -> Result<SellerId, ManageError> {
    let seller_id = scope.seller(seller_id)?;
    store.app(seller_id, app_id).await.map_err(ManageError::from_store("app", "id"))?;
    Ok(seller_id)
}

pub async fn create(
    store: &Store,
    scope: &Scope,
    seller_id: Option<SellerId>,
    app_id: AppId,
    name: &str,
    level: i64,
    duration_secs: Option<i64>,
) -> Result<Plan, ManageError> {
    let name = validate::name("name", name, 100)?;
    let level = validate::in_range("level", level, 0, 1_000_000)?;
    if let Some(d) = duration_secs {
        validate::in_range("duration_secs", d, 1, 100 * 365 * 86_400)?;
    }
    change(store, async |store| {
        let seller_id = app_of(store, scope, seller_id, app_id).await?;
        let plan = store.create_plan(app_id, &name, level, duration_secs).await.map_err(|e| match e {
            // Two unique constraints: (app, name) and (app, level); the message names the column.
            StoreError::Conflict(c) if c.contains("level") => {
                ManageError::Conflict { field: "level", message: "this app already has a plan with this level".into() }
            }
            e => ManageError::from_store("plan", "name")(e),
        })?;
        audit(store, scope, seller_id, "plan.create", format!("plan:{}", plan.id), &plan.name).await?;
        Ok(plan)
    })
    .await
}

pub async fn list(
    store: &Store,
    scope: &Scope,
    seller_id: Option<SellerId>,
    app_id: AppId,
    page: PageRequest,
) -> Result<Listed<Plan>, ManageError> {
    app_of(store, scope, seller_id, app_id).await?;
    page.slice(store.list_plans(app_id).await?)
}

/// Resolves a CLI reference (id or name) to a plan of the app.
pub async fn resolve(store: &Store, app_id: AppId, reference: &str) -> Result<Plan, ManageError> {
    store.plan_by_ref(app_id, reference).await.map_err(ManageError::from_store("plan", "name"))
}

/// Refused with 409 while licenses use the plan: keys never lose their plan.
pub async fn delete(
    store: &Store,
    scope: &Scope,
    seller_id: Option<SellerId>,
    app_id: AppId,
    plan_id: PlanId,
) -> Result<(), ManageError> {
    change(store, async |store| {
        let seller_id = app_of(store, scope, seller_id, app_id).await?;
        store.delete_plan(app_id, plan_id).await.map_err(|e| match e {
            StoreError::Conflict(_) => ManageError::Conflict {
                field: "plan",
                message: "licenses still use this plan; delete them first".into(),
            },
            e => ManageError::from_store("plan", "id")(e),
        })?;
        audit(store, scope, seller_id, "plan.delete", format!("plan:{plan_id}"), "").await
    })
    .await
}
