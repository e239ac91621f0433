//! End users of an app, as their seller manages them: search, HWID resets, bans, extending
//! subscriptions, deletion.

use super::{Listed, ManageError, PageRequest, Scope, audit, change, emit};
use crate::domain::{
    events::{Event, EventKind},
    time::parse_duration_secs,
    validate,
};
use crate::store::{
    Store,
    users::{User, UserSubscription},
};
use serde::Serialize;

/// A user with the HWIDs bound to it and its subscriptions.
#[derive(Debug, Clone, Serialize)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: User,
    pub hwids: Vec<String>,
    pub subscriptions: Vec<UserSubscription>,
}

/// Where a user lives: the seller (checked against the scope) and its app.
#[derive(Debug, Clone, Copy)]
pub struct AppRef {
    pub seller_id: Option<i64>,
    pub app_id: i64,
}

async fn seller_app(store: &Store, scope: &Scope, at: AppRef) -> Result<i64, ManageError> {
    let seller_id = scope.seller(at.seller_id)?;
    store.app(seller_id, at.app_id).await.map_err(ManageError::from_store("app", "id"))?;
    Ok(seller_id)
}

/// The user of the app, checked to belong to the scope's seller.
async fn user_of(store: &Store, scope: &Scope, at: AppRef, id: i64) -> Result<(i64, User), ManageError> {
    let seller_id = seller_app(store, scope, at).await?;
    let user = store.user(at.app_id, id).await.map_err(ManageError::from_store("user", "id"))?;
    Ok((seller_id, user))
}

pub async fn list(
    store: &Store,
    scope: &Scope,
    at: AppRef,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Listed<User>, ManageError> {
    seller_app(store, scope, at).await?;
    let search = search.map(|s| validate::bounded("search", s, 200)).transpose()?;
    let (page, meta) = page.page()?;
    let total = store.count_users(at.app_id, search.as_deref()).await?;
    let rows = store.list_users(at.app_id, search.as_deref(), page).await?;
    Ok(Listed::new(rows, meta, total))
}

pub async fn get(store: &Store, scope: &Scope, at: AppRef, id: i64) -> Result<UserDetail, ManageError> {
    let (_, user) = user_of(store, scope, at, id).await?;
    let hwids = store.user_hwids(user.id).await?;
    let subscriptions = store.user_subscriptions(user.id).await?;
    Ok(UserDetail { user, hwids, subscriptions })
}

/// Resolves a CLI reference (id or username) to a user of the app.
pub async fn resolve(store: &Store, app_id: i64, reference: &str) -> Result<User, ManageError> {
    store.user_by_ref(app_id, reference).await.map_err(ManageError::from_store("user", "username"))
}

/// Forgets the user's HWIDs; returns how many were bound.
pub async fn reset_hwid(store: &Store, scope: &Scope, at: AppRef, id: i64) -> Result<u64, ManageError> {
    change(store, async |store| {
        let (seller_id, user) = user_of(store, scope, at, id).await?;
        let n = store.reset_user_hwid(user.id).await?;
        audit(store, scope, seller_id, "user.reset_hwid", format!("user:{id}"), &user.username).await?;
        emit(store, &[user_event(EventKind::UserHwidReset, seller_id, &user, serde_json::json!({ "hwids": n }))])
            .await?;
        Ok(n)
    })
    .await
}

/// Bans (with a reason) or, with `None`, unbans a user.
pub async fn set_ban(
    store: &Store,
    scope: &Scope,
    at: AppRef,
    id: i64,
    reason: Option<&str>,
) -> Result<UserDetail, ManageError> {
    let reason = reason.map(|r| validate::name("reason", r, 500)).transpose()?;
    change(store, async |store| {
        let (seller_id, user) = user_of(store, scope, at, id).await?;
        store.set_user_ban(user.id, reason.as_deref()).await.map_err(ManageError::from_store("user", "id"))?;
        let (action, kind) = match reason {
            Some(_) => ("user.ban", EventKind::UserBanned),
            None => ("user.unban", EventKind::UserUnbanned),
        };
        audit(store, scope, seller_id, action, format!("user:{id}"), reason.as_deref().unwrap_or("")).await?;
        emit(store, &[user_event(kind, seller_id, &user, serde_json::json!({ "reason": reason }))]).await?;
        get(store, scope, at, id).await
    })
    .await
}

/// Extends every timed subscription of the user by a duration such as `30d`.
pub async fn extend(
    store: &Store,
    scope: &Scope,
    at: AppRef,
    id: i64,
    duration: &str,
) -> Result<UserDetail, ManageError> {
    let secs = parse_duration_secs(duration)
        .ok_or_else(|| ManageError::invalid("duration", "must look like 30d, 12h, 90m, 2w, 1y or seconds"))?;
    change(store, async |store| {
        let (seller_id, user) = user_of(store, scope, at, id).await?;
        store.extend_user_subscriptions(user.id, secs).await?;
        audit(store, scope, seller_id, "user.extend", format!("user:{id}"), duration).await?;
        emit(store, &[user_event(EventKind::UserExtended, seller_id, &user, serde_json::json!({ "seconds": secs }))])
            .await?;
        get(store, scope, at, id).await
    })
    .await
}

pub async fn delete(store: &Store, scope: &Scope, at: AppRef, id: i64) -> Result<(), ManageError> {
    change(store, async |store| {
        let (seller_id, user) = user_of(store, scope, at, id).await?;
        store.delete_user(at.app_id, user.id).await.map_err(ManageError::from_store("user", "id"))?;
        audit(store, scope, seller_id, "user.delete", format!("user:{id}"), &user.username).await?;
        emit(store, &[user_event(EventKind::UserDeleted, seller_id, &user, serde_json::Value::Null)]).await
    })
    .await
}

/// A user's event: the user's id, app and name, plus `extra`'s fields.
fn user_event(kind: EventKind, seller_id: i64, user: &User, mut extra: serde_json::Value) -> Event {
    if extra.is_null() {
        extra = serde_json::json!({});
    }
    if let Some(fields) = extra.as_object_mut() {
        fields.insert("username".into(), user.username.clone().into());
    }
    Event::user(kind, seller_id, user.app_id, user.id, extra)
}
