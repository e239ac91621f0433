//! The seller's management of client API data: app variables, user variables, client logs,
//! blacklist entries and live sessions. Every operation starts from a `ClientApp`, which only
//! `client_app` makes from a `Tenant` after checking that the app is the tenant's (a foreign app answers
//! like a missing one).

use super::{ManageError, Tenant, change};
use crate::domain::ids::{AppId, UserId};
use crate::domain::{forwarded, time::now_ms, validate};
use crate::store::{
    Page, Store,
    apps::App,
    client_admin::{BlacklistEntry, LiveSession},
    client_data::{AppVar, ClientLog, UserVar},
    users::User,
};

/// Longest variable value a seller may store.
pub const MAX_VAR_VALUE_CHARS: usize = 10_000;
/// Longest name of a variable, webhook, file or channel.
pub const MAX_NAME_CHARS: usize = 100;
/// Default rows per page of the listings here.
pub const DEFAULT_LIMIT: i64 = 50;

/// An app the caller is allowed to manage.
#[derive(Debug, Clone)]
pub struct ClientApp {
    app: App,
    tenant: Tenant,
}

impl ClientApp {
    pub fn app(&self) -> &App {
        &self.app
    }

    pub fn id(&self) -> AppId {
        self.app.id
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// Records an audit event of this app's seller.
    pub async fn audit(&self, store: &Store, action: &str, target: &str, detail: &str) -> Result<(), ManageError> {
        self.tenant.audit(store, action, target, detail).await
    }
}

/// The tenant's app `app_id`.
pub async fn client_app(store: &Store, tenant: &Tenant, app_id: AppId) -> Result<ClientApp, ManageError> {
    Ok(ClientApp { app: tenant.app(store, app_id).await?, tenant: tenant.clone() })
}

/// A page of a listing: `limit` 1..=500 (default 50), `page` from 1.
pub fn page(limit: Option<i64>, page: Option<i64>) -> Result<Page, ManageError> {
    let limit = validate::in_range("limit", limit.unwrap_or(DEFAULT_LIMIT), 1, Page::MAX_LIMIT)?;
    let page = validate::in_range("page", page.unwrap_or(1), 1, i64::from(i32::MAX))?;
    Ok(Page::new(limit, page))
}

/// A required name without control characters, at most `MAX_NAME_CHARS`.
pub fn item_name(field: &'static str, value: &str) -> Result<String, ManageError> {
    Ok(validate::name(field, value, MAX_NAME_CHARS)?)
}

pub async fn list_app_vars(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<AppVar>, ManageError> {
    Ok(store.list_app_vars(at.id(), page).await?)
}

pub async fn set_app_var(
    store: &Store,
    at: &ClientApp,
    name: &str,
    value: &str,
    authed: bool,
) -> Result<AppVar, ManageError> {
    write_app_var(store, at, name, value, async |store, name, value| {
        Ok(store.set_app_var(at.id(), name, value, authed).await?)
    })
    .await
}

/// Creates a variable; a name the app already has is a `Conflict` (the insert decides).
pub async fn add_app_var(
    store: &Store,
    at: &ClientApp,
    name: &str,
    value: &str,
    authed: bool,
) -> Result<AppVar, ManageError> {
    write_app_var(store, at, name, value, async |store, name, value| {
        store.create_app_var(at.id(), name, value, authed).await?.ok_or_else(|| ManageError::Conflict {
            field: "name",
            message: "this variable name is already taken".into(),
        })
    })
    .await
}

/// Checks a variable's name and value, then runs `write` and its audit row in one transaction.
async fn write_app_var(
    store: &Store,
    at: &ClientApp,
    name: &str,
    value: &str,
    write: impl AsyncFnOnce(&Store, &str, &str) -> Result<AppVar, ManageError>,
) -> Result<AppVar, ManageError> {
    let name = item_name("name", name)?;
    let value = validate::bounded("value", value, MAX_VAR_VALUE_CHARS)?;
    change(store, async |store| {
        let var = write(store, &name, &value).await?;
        at.audit(store, "app_var.set", &name, "").await?;
        Ok(var)
    })
    .await
}

/// Changes the value of an existing variable, keeping whether it needs a validated session.
pub async fn edit_app_var(store: &Store, at: &ClientApp, name: &str, value: &str) -> Result<AppVar, ManageError> {
    let value = validate::bounded("value", value, MAX_VAR_VALUE_CHARS)?;
    change(store, async |store| {
        let var = store
            .update_app_var_value(at.id(), name, &value)
            .await
            .map_err(ManageError::from_store("variable", "name"))?;
        at.audit(store, "app_var.set", &var.name, "").await?;
        Ok(var)
    })
    .await
}

pub async fn delete_app_var(store: &Store, at: &ClientApp, name: &str) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_app_var(at.id(), name).await.map_err(ManageError::from_store("variable", "name"))?;
        at.audit(store, "app_var.delete", name, "").await
    })
    .await
}

/// A user of the app (another app's user is `NotFound`).
pub async fn app_user(store: &Store, at: &ClientApp, user_id: UserId) -> Result<User, ManageError> {
    store.client_user(at.id(), user_id).await.map_err(ManageError::from_store("user", "id"))
}

pub async fn list_user_vars(
    store: &Store,
    at: &ClientApp,
    user_id: UserId,
    page: Page,
) -> Result<Vec<UserVar>, ManageError> {
    let user = app_user(store, at, user_id).await?;
    Ok(store.list_user_vars(user.id, page).await?)
}

pub async fn set_user_var(
    store: &Store,
    at: &ClientApp,
    user_id: UserId,
    name: &str,
    value: &str,
    readonly: bool,
) -> Result<UserVar, ManageError> {
    let name = item_name("name", name)?;
    let value = validate::bounded("value", value, MAX_VAR_VALUE_CHARS)?;
    change(store, async |store| {
        let user = app_user(store, at, user_id).await?;
        let var = store.put_user_var(user.id, &name, &value, readonly).await?;
        at.audit(store, "user_var.set", &format!("user:{}", user.id), &name).await?;
        Ok(var)
    })
    .await
}

pub async fn delete_user_var(store: &Store, at: &ClientApp, user_id: UserId, name: &str) -> Result<(), ManageError> {
    change(store, async |store| {
        let user = app_user(store, at, user_id).await?;
        store.delete_user_var(user.id, name).await.map_err(ManageError::from_store("variable", "name"))?;
        at.audit(store, "user_var.delete", &format!("user:{}", user.id), name).await
    })
    .await
}

/// One variable of a user of the app.
pub async fn user_var(store: &Store, at: &ClientApp, user_id: UserId, name: &str) -> Result<UserVar, ManageError> {
    let user = app_user(store, at, user_id).await?;
    store.user_var(user.id, name).await.map_err(ManageError::from_store("variable", "name"))
}

pub async fn list_logs(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<ClientLog>, ManageError> {
    Ok(store.list_client_logs(at.id(), page).await?)
}

pub async fn add_blacklist(
    store: &Store,
    at: &ClientApp,
    kind: &str,
    value: &str,
    reason: &str,
) -> Result<BlacklistEntry, ManageError> {
    let mut value = validate::name("value", value, 256)?;
    match kind {
        "hwid" => {}
        // Stored canonical, as client addresses are compared (`2001:DB8::1` is `2001:db8::1`).
        "ip" => {
            let ip = forwarded::parse(&value).ok_or_else(|| ManageError::invalid("value", "must be an IP address"))?;
            value = ip.to_string();
        }
        _ => return Err(ManageError::invalid("kind", "must be hwid or ip")),
    }
    let reason = validate::bounded("reason", reason, 500)?;
    change(store, async |store| {
        let entry = store
            .add_blacklist_entry(at.id(), kind, &value, &reason, now_ms())
            .await
            .map_err(ManageError::from_store("blacklist entry", "value"))?;
        at.audit(store, "blacklist.add", &format!("{kind}:{value}"), &reason).await?;
        Ok(entry)
    })
    .await
}

pub async fn list_blacklist(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<BlacklistEntry>, ManageError> {
    Ok(store.list_blacklist_entries(at.id(), page).await?)
}

pub async fn remove_blacklist(store: &Store, at: &ClientApp, id: i64) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_blacklist_entry(at.id(), id).await.map_err(ManageError::from_store("blacklist entry", "id"))?;
        at.audit(store, "blacklist.remove", &id.to_string(), "").await
    })
    .await
}

/// Removes the entry of this kind (`hwid` or `ip`) and value, the value read as `add_blacklist`
/// stores it.
pub async fn remove_blacklist_value(store: &Store, at: &ClientApp, kind: &str, value: &str) -> Result<(), ManageError> {
    let value = match kind {
        "hwid" => value.to_owned(),
        "ip" => forwarded::parse(value).map(|ip| ip.to_string()).unwrap_or_else(|| value.to_owned()),
        _ => return Err(ManageError::invalid("kind", "must be hwid or ip")),
    };
    change(store, async |store| {
        store
            .delete_blacklist_value(at.id(), kind, &value)
            .await
            .map_err(ManageError::from_store("blacklist entry", "value"))?;
        at.audit(store, "blacklist.remove", &format!("{kind}:{value}"), "").await
    })
    .await
}

pub async fn list_sessions(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<LiveSession>, ManageError> {
    Ok(store.list_live_sessions(at.id(), now_ms(), page).await?)
}

pub async fn end_session(store: &Store, at: &ClientApp, session_id: &str) -> Result<(), ManageError> {
    change(store, async |store| {
        store.end_session(at.id(), session_id).await.map_err(ManageError::from_store("session", "id"))?;
        at.audit(store, "session.end", "session", "").await
    })
    .await
}

/// Ends every session of the app; returns how many there were.
pub async fn end_all_sessions(store: &Store, at: &ClientApp) -> Result<u64, ManageError> {
    change(store, async |store| {
        let n = store.end_app_sessions(at.id()).await?;
        at.audit(store, "session.end_all", &format!("app:{}", at.id()), &n.to_string()).await?;
        Ok(n)
    })
    .await
}

/// Ends every session of one user of the app; returns how many there were.
pub async fn end_user_sessions(store: &Store, at: &ClientApp, user_id: UserId) -> Result<u64, ManageError> {
    change(store, async |store| {
        let user = app_user(store, at, user_id).await?;
        let n = store.delete_user_sessions(user.id).await?;
        at.audit(store, "session.end_user", &format!("user:{}", user.id), &n.to_string()).await?;
        Ok(n)
    })
    .await
}
