//! Apps and their settings: what the client API serves (version, download URL, HWID rules,
//! session TTL, key mask, customised messages) and the HMAC secret of its `signature` header.

use super::{Listed, ManageError, PageRequest, Tenant, change, emit};
use crate::domain::ids::{AppId, SellerId};
use crate::domain::{
    events::{Event, EventKind, Subject},
    keymask::{KeyCase, KeyMask},
    validate,
};
use crate::store::{Store, apps::App};
use serde::Deserialize;
use serde_json::{Map, Value};

/// An app as its seller sees it in `show`: the settings plus the HMAC secret.
#[derive(Debug, Clone)]
pub struct AppDetail {
    pub app: App,
    pub secret: String,
}

impl From<App> for AppDetail {
    fn from(app: App) -> Self {
        let secret = app.secret.clone();
        Self { app, secret }
    }
}

/// A change of settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    pub name: Option<String>,
    pub version: Option<String>,
    pub download_url: Option<String>,
    pub customer_panel_link: Option<String>,
    pub changelog: Option<String>,
    pub enabled: Option<bool>,
    pub paused: Option<bool>,
    pub hwid_lock: Option<bool>,
    pub force_hwid: Option<bool>,
    pub hwid_min_len: Option<i64>,
    /// Empty string: no program hash check.
    pub program_hash: Option<String>,
    pub session_ttl_secs: Option<i64>,
    pub key_mask: Option<String>,
    pub key_case: Option<String>,
    pub min_username_len: Option<i64>,
    /// 0: no per-app request limit.
    pub request_limit_per_min: Option<i64>,
    /// Message id -> text; replaces the whole set.
    #[schema(value_type = Option<Object>)]
    pub messages: Option<Map<String, Value>>,
    /// Whether the app's users may sign in to the customer panel.
    pub customer_panel: Option<bool>,
    /// Seconds between two HWID resets of a user's own in the customer panel (0: no wait).
    pub hwid_reset_cooldown_secs: Option<i64>,
    /// Whether `init` asks for a client token and its file hash (KeyAuth's token system).
    pub token_system: Option<bool>,
}

pub async fn create(store: &Store, tenant: &Tenant, name: &str) -> Result<AppDetail, ManageError> {
    let seller_id = tenant.seller_id();
    let name = validate::name("name", name, 100)?;
    change(store, async |store| {
        store.seller(seller_id).await.map_err(ManageError::from_store("seller", "id"))?;
        let app = store.create_app(seller_id, &name).await.map_err(ManageError::from_store("app", "name"))?;
        tenant.audit(store, "app.create", format!("app:{}", app.id), &app.name).await?;
        emit(store, &[app_event(EventKind::AppCreated, &app)]).await?;
        Ok(app.into())
    })
    .await
}

pub async fn list(store: &Store, tenant: &Tenant, page: PageRequest) -> Result<Listed<App>, ManageError> {
    let seller_id = tenant.seller_id();
    page.slice(store.list_apps(seller_id).await?)
}

pub async fn get(store: &Store, tenant: &Tenant, id: AppId) -> Result<AppDetail, ManageError> {
    let seller_id = tenant.seller_id();
    Ok(store.app(seller_id, id).await.map_err(ManageError::from_store("app", "id"))?.into())
}

/// Resolves a CLI reference (id or name) to an app of the seller.
pub async fn resolve(store: &Store, seller_id: SellerId, reference: &str) -> Result<App, ManageError> {
    store.app_by_ref(seller_id, reference).await.map_err(ManageError::from_store("app", "name"))
}

pub async fn update(
    store: &Store,
    tenant: &Tenant,
    id: AppId,
    settings: AppSettings,
) -> Result<AppDetail, ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        let mut app = store.app_for_update(seller_id, id).await.map_err(ManageError::from_store("app", "id"))?;
        apply(&mut app, settings)?;
        let app = store.save_app_settings(&app).await.map_err(ManageError::from_store("app", "name"))?;
        tenant.audit(store, "app.update", format!("app:{}", app.id), "").await?;
        emit(store, &[app_event(EventKind::AppUpdated, &app)]).await?;
        Ok(app.into())
    })
    .await
}

/// An app's event: its id and name, never its secret.
fn app_event(kind: EventKind, app: &App) -> Event {
    let payload = serde_json::json!({ "app_id": app.id, "name": app.name });
    Event::new(kind, app.seller_id, Some(app.id), Subject::App(app.id), payload)
}

/// Checks every given setting and writes it into `app`.
fn apply(app: &mut App, s: AppSettings) -> Result<(), ManageError> {
    if let Some(v) = s.name {
        app.name = validate::name("name", &v, 100)?;
    }
    if let Some(v) = s.version {
        app.version = validate::name("version", &v, 64)?;
    }
    if let Some(v) = s.download_url {
        app.download_url = url("download_url", &v)?;
    }
    if let Some(v) = s.customer_panel_link {
        app.customer_panel_link = url("customer_panel_link", &v)?;
    }
    if let Some(v) = s.changelog {
        app.changelog = validate::bounded("changelog", &v, 20_000)?;
    }
    app.enabled = s.enabled.unwrap_or(app.enabled);
    app.paused = s.paused.unwrap_or(app.paused);
    app.hwid_lock = s.hwid_lock.unwrap_or(app.hwid_lock);
    app.force_hwid = s.force_hwid.unwrap_or(app.force_hwid);
    app.token_system = s.token_system.unwrap_or(app.token_system);
    if let Some(v) = s.hwid_min_len {
        app.hwid_min_len = validate::in_range("hwid_min_len", v, 0, 512)?;
    }
    if let Some(v) = s.program_hash {
        let v = validate::bounded("program_hash", v.trim(), 256)?;
        app.program_hash = (!v.is_empty()).then_some(v);
    }
    if let Some(v) = s.session_ttl_secs {
        app.session_ttl_secs = validate::in_range("session_ttl_secs", v, 60, 30 * 86_400)?;
    }
    if let Some(v) = s.key_case {
        app.key_case =
            KeyCase::parse(&v).ok_or_else(|| ManageError::invalid("key_case", "must be upper, lower or mixed"))?;
    }
    if let Some(v) = s.key_mask {
        app.key_mask = v;
    }
    KeyMask::parse(&app.key_mask, app.key_case).map_err(|e| ManageError::invalid("key_mask", e.to_string()))?;
    if let Some(v) = s.min_username_len {
        app.min_username_len = validate::in_range("min_username_len", v, 1, 64)?;
    }
    if let Some(v) = s.request_limit_per_min {
        let v = validate::in_range("request_limit_per_min", v, 0, 1_000_000)?;
        app.request_limit_per_min = (v > 0).then_some(v);
    }
    if let Some(m) = s.messages {
        app.messages = messages(m)?;
    }
    app.customer_panel = s.customer_panel.unwrap_or(app.customer_panel);
    if let Some(v) = s.hwid_reset_cooldown_secs {
        app.hwid_reset_cooldown_secs = validate::in_range("hwid_reset_cooldown_secs", v, 0, 365 * 86_400)?;
    }
    Ok(())
}

/// An empty string or an http(s) URL.
fn url(field: &'static str, v: &str) -> Result<String, ManageError> {
    let v = validate::bounded(field, v.trim(), 2048)?;
    if !(v.is_empty() || v.starts_with("https://") || v.starts_with("http://")) {
        return Err(ManageError::invalid(field, "must be an http:// or https:// URL"));
    }
    Ok(v)
}

/// Message ids are short names, texts are strings; stored as one JSON object.
fn messages(m: Map<String, Value>) -> Result<String, ManageError> {
    if m.len() > 200 {
        return Err(ManageError::invalid("messages", "at most 200 messages"));
    }
    for (id, text) in &m {
        if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ManageError::invalid(
                "messages",
                format!("message id {id:?} must be 1-64 letters, digits or _"),
            ));
        }
        match text {
            Value::String(t) => validate::bounded("messages", t, 1_000).map(drop)?,
            _ => return Err(ManageError::invalid("messages", format!("message {id:?} must be a string"))),
        }
    }
    Ok(Value::Object(m).to_string())
}

/// A new HMAC secret; the old one stops working at once.
pub async fn rotate_secret(store: &Store, tenant: &Tenant, id: AppId) -> Result<AppDetail, ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        store.rotate_app_secret(seller_id, id).await.map_err(ManageError::from_store("app", "id"))?;
        tenant.audit(store, "app.rotate_secret", format!("app:{id}"), "").await?;
        get(store, tenant, id).await
    })
    .await
}

pub async fn delete(store: &Store, tenant: &Tenant, id: AppId) -> Result<(), ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        let app = store.app(seller_id, id).await.map_err(ManageError::from_store("app", "id"))?;
        store.delete_app(seller_id, id).await.map_err(ManageError::from_store("app", "id"))?;
        tenant.audit(store, "app.delete", format!("app:{id}"), "").await?;
        emit(store, &[app_event(EventKind::AppDeleted, &app)]).await
    })
    .await
}
