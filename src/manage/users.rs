//! End users of an app, as their seller manages them: creation (with a plan, or by redeeming a
//! key), search, HWIDs, bans, passwords, extending subscriptions, deletion.

use super::{Listed, ManageError, PageRequest, Tenant, change, emit};
use crate::domain::ids::{AppId, PlanId, UserId};
use crate::domain::{
    events::{Event, EventKind},
    secret,
    time::{now_ms, parse_duration_secs},
    validate,
};
use crate::store::{
    Store,
    client_users::{NewClientUser, Registered},
    users::{User, UserSubscription},
};

/// Longest username a seller may give a user (the client API's own limit).
pub const MAX_USERNAME_CHARS: usize = 64;
/// Longest HWID stored (the client API's own limit).
pub const MAX_HWID_CHARS: usize = 256;

/// A user the seller creates; the password arrives hashed (hashing is the caller's, off the
/// async runtime), `None` for a user who signs in with a key.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: Option<&'a str>,
    pub hwid: Option<&'a str>,
}
use serde::Serialize;

/// A user with the HWIDs bound to it and its subscriptions.
#[derive(Debug, Clone)]
pub struct UserDetail {
    pub user: User,
    pub hwids: Vec<String>,
    pub subscriptions: Vec<UserSubscription>,
}

/// The user of the tenant's app.
async fn user_of(store: &Store, tenant: &Tenant, app_id: AppId, id: UserId) -> Result<User, ManageError> {
    tenant.app(store, app_id).await?;
    store.user(app_id, id).await.map_err(ManageError::from_store("user", "id"))
}

/// Creates a user holding `plan_id` until `expires_at` (unix ms, in the future; `None`:
/// lifetime). A taken username is a `Conflict` on `username`.
pub async fn create(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    new: NewUser<'_>,
    plan_id: PlanId,
    expires_at: Option<i64>,
) -> Result<User, ManageError> {
    let username = validate::name("username", new.username, MAX_USERNAME_CHARS)?;
    let hwid = new.hwid.map(|h| validate::name("hwid", h, MAX_HWID_CHARS)).transpose()?;
    let now = now_ms();
    if expires_at.is_some_and(|t| t <= now) {
        return Err(ManageError::invalid("expires_at", "must lie in the future"));
    }
    change(store, async |store| {
        let seller_id = tenant.app(store, app_id).await?.seller_id;
        let plan = store.plan(app_id, plan_id).await.map_err(ManageError::from_store("plan", "id"))?;
        let row = NewClientUser {
            seller_id,
            app_id,
            username: &username,
            email: None,
            password_hash: new.password_hash,
            ip: "",
            hwid: hwid.as_deref(),
            now,
        };
        let id = store.create_user_with_plan(&row, plan.id, expires_at).await?.ok_or_else(|| {
            ManageError::Conflict { field: "username", message: "this user username is already taken".into() }
        })?;
        tenant.audit(store, "user.create", format!("user:{id}"), &format!("{username} plan={}", plan.name)).await?;
        store.user(app_id, id).await.map_err(ManageError::from_store("user", "id"))
    })
    .await
}

/// Creates a user by redeeming `key` for it, as the client API's `register` does (the key's
/// checks and the one-time redemption are the store's one transaction).
pub async fn activate(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    new: NewUser<'_>,
    key: &str,
) -> Result<Registered, ManageError> {
    let username = validate::name("username", new.username, MAX_USERNAME_CHARS)?;
    let hwid = new.hwid.map(|h| validate::name("hwid", h, MAX_HWID_CHARS)).transpose()?;
    let seller_id = tenant.app(store, app_id).await?.seller_id;
    let row = NewClientUser {
        seller_id,
        app_id,
        username: &username,
        email: None,
        password_hash: new.password_hash,
        ip: "",
        hwid: hwid.as_deref(),
        now: now_ms(),
    };
    // Joined to the operation's transaction, a refused redemption may have written a part
    // (the user, before the key turned out taken): the refusal must roll the whole back.
    let mut refused = None;
    let done = change(store, async |store| match store.register_with_key(&row, key).await? {
        Registered::Done(id) => {
            tenant.audit(store, "user.activate", format!("user:{id}"), &username).await?;
            Ok(id)
        }
        other => {
            refused = Some(other);
            Err(ManageError::Conflict { field: "key", message: "the key was not redeemed".into() })
        }
    })
    .await;
    match (done, refused) {
        (Ok(id), _) => Ok(Registered::Done(id)),
        (Err(_), Some(outcome)) => Ok(outcome),
        (Err(e), None) => Err(e),
    }
}

/// Replaces the user's password with `password_hash` (a pending mailed one is dropped).
pub async fn set_password(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    id: UserId,
    password_hash: &str,
) -> Result<(), ManageError> {
    change(store, async |store| {
        let user = user_of(store, tenant, app_id, id).await?;
        // The same write as accepting a mailed replacement: the new hash, no pending one left.
        store.apply_password_reset(user.id, password_hash).await?;
        tenant.audit(store, "user.set_password", format!("user:{id}"), &user.username).await
    })
    .await
}

/// How long a web-loader token may wait for its one sign-in: the web loader hands it to the
/// client at once, so minutes are plenty.
pub const WEB_TOKEN_TTL_MS: i64 = 10 * 60 * 1000;

/// A web-loader token, shown once: the client's `login` with `username` + `token` spends it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebToken {
    pub username: String,
    pub token: String,
    /// Unix milliseconds; unused after this it is refused.
    pub expires_at: i64,
}

/// Issues the user's web-loader token (replacing an unused one): random, stored as its
/// SHA-256, so neither the database nor the password hash yields it.
pub async fn issue_web_token(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    id: UserId,
) -> Result<WebToken, ManageError> {
    let token = secret::random_string(b"0123456789abcdef", 32);
    let expires_at = now_ms() + WEB_TOKEN_TTL_MS;
    change(store, async |store| {
        let user = user_of(store, tenant, app_id, id).await?;
        store.set_web_token(user.id, &secret::hash_secret(&token), expires_at).await?;
        tenant.audit(store, "user.web_token", format!("user:{id}"), &user.username).await?;
        Ok(WebToken { username: user.username, token: token.clone(), expires_at })
    })
    .await
}

/// Binds one more HWID to the user; false when it already had this one.
pub async fn add_hwid(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    id: UserId,
    hwid: &str,
) -> Result<bool, ManageError> {
    let hwid = validate::name("hwid", hwid, MAX_HWID_CHARS)?;
    change(store, async |store| {
        let user = user_of(store, tenant, app_id, id).await?;
        let added = store.add_user_hwid(user.id, &hwid, now_ms()).await?;
        tenant.audit(store, "user.add_hwid", format!("user:{id}"), &hwid).await?;
        Ok(added)
    })
    .await
}

pub async fn list(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Listed<User>, ManageError> {
    tenant.app(store, app_id).await?;
    let search = search.map(|s| validate::bounded("search", s, 200)).transpose()?;
    let (page, meta) = page.page()?;
    let total = store.count_users(app_id, search.as_deref()).await?;
    let rows = store.list_users(app_id, search.as_deref(), page).await?;
    Ok(Listed::new(rows, meta, total))
}

pub async fn get(store: &Store, tenant: &Tenant, app_id: AppId, id: UserId) -> Result<UserDetail, ManageError> {
    let user = user_of(store, tenant, app_id, id).await?;
    let hwids = store.user_hwids(user.id).await?;
    let subscriptions = store.user_subscriptions(user.id).await?;
    Ok(UserDetail { user, hwids, subscriptions })
}

/// Resolves a CLI reference (id or username) to a user of the app.
pub async fn resolve(store: &Store, app_id: AppId, reference: &str) -> Result<User, ManageError> {
    store.user_by_ref(app_id, reference).await.map_err(ManageError::from_store("user", "username"))
}

/// The user of the app with exactly this username (never read as an id).
pub async fn by_name(store: &Store, tenant: &Tenant, app_id: AppId, username: &str) -> Result<User, ManageError> {
    tenant.app(store, app_id).await?;
    store.client_user_by_name(app_id, username).await?.ok_or(ManageError::NotFound("user"))
}

/// Forgets the user's HWIDs; returns how many were bound.
pub async fn reset_hwid(store: &Store, tenant: &Tenant, app_id: AppId, id: UserId) -> Result<u64, ManageError> {
    change(store, async |store| {
        let user = user_of(store, tenant, app_id, id).await?;
        let n = store.reset_user_hwid(user.id).await?;
        tenant.audit(store, "user.reset_hwid", format!("user:{id}"), &user.username).await?;
        emit(store, &[user_event(EventKind::UserHwidReset, tenant, &user, serde_json::json!({ "hwids": n }))]).await?;
        Ok(n)
    })
    .await
}

/// Bans (with a reason) or, with `None`, unbans a user.
pub async fn set_ban(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    id: UserId,
    reason: Option<&str>,
) -> Result<UserDetail, ManageError> {
    let reason = reason.map(|r| validate::name("reason", r, 500)).transpose()?;
    change(store, async |store| {
        let user = user_of(store, tenant, app_id, id).await?;
        store.set_user_ban(user.id, reason.as_deref()).await.map_err(ManageError::from_store("user", "id"))?;
        let (action, kind) = match reason {
            Some(_) => ("user.ban", EventKind::UserBanned),
            None => ("user.unban", EventKind::UserUnbanned),
        };
        tenant.audit(store, action, format!("user:{id}"), reason.as_deref().unwrap_or("")).await?;
        emit(store, &[user_event(kind, tenant, &user, serde_json::json!({ "reason": reason }))]).await?;
        get(store, tenant, app_id, id).await
    })
    .await
}

/// Extends every timed subscription of the user by a duration such as `30d`.
pub async fn extend(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    id: UserId,
    duration: &str,
) -> Result<UserDetail, ManageError> {
    let secs = parse_duration_secs(duration)
        .ok_or_else(|| ManageError::invalid("duration", "must look like 30d, 12h, 90m, 2w, 1y or seconds"))?;
    change(store, async |store| {
        let user = user_of(store, tenant, app_id, id).await?;
        store.extend_user_subscriptions(user.id, secs).await?;
        tenant.audit(store, "user.extend", format!("user:{id}"), duration).await?;
        emit(store, &[user_event(EventKind::UserExtended, tenant, &user, serde_json::json!({ "seconds": secs }))])
            .await?;
        get(store, tenant, app_id, id).await
    })
    .await
}

pub async fn delete(store: &Store, tenant: &Tenant, app_id: AppId, id: UserId) -> Result<(), ManageError> {
    change(store, async |store| {
        let user = user_of(store, tenant, app_id, id).await?;
        store.delete_user(app_id, user.id).await.map_err(ManageError::from_store("user", "id"))?;
        tenant.audit(store, "user.delete", format!("user:{id}"), &user.username).await?;
        emit(store, &[user_event(EventKind::UserDeleted, tenant, &user, serde_json::Value::Null)]).await
    })
    .await
}

/// A user's event: the user's id, app and name, plus `extra`'s fields.
fn user_event(kind: EventKind, tenant: &Tenant, user: &User, mut extra: serde_json::Value) -> Event {
    if extra.is_null() {
        extra = serde_json::json!({});
    }
    if let Some(fields) = extra.as_object_mut() {
        fields.insert("username".into(), user.username.clone().into());
    }
    Event::user(kind, tenant.seller_id(), user.app_id, user.id, extra)
}
