//! The customer panel's operations: an app's end user signs in (username and password, or the
//! key a key-only user signs in with), sees their subscriptions, resets their own HWID at most
//! once per the app's cooldown, and changes their password. The seller decides whether the
//! panel is open (`apps.customer_panel`); every change is audited as `customer:<user id>`.

use super::panel::{NewSession, check_password, hashing_stopped, new_password_hash};
use super::{ManageError, Tenant, change, emit};
use crate::domain::events::{Event, EventKind};
use crate::domain::ids::UserId;
use crate::domain::{time::now_ms, totp};
use crate::services::password::{self, Passwords};
use crate::store::{
    Store,
    apps::App,
    browser_sessions::SessionTable,
    users::{User, UserSubscription},
};

/// What the sign-in form sent: a username with its password, or a key; and the TOTP code
/// when the user turned 2FA on.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub key: &'a str,
    pub code: &'a str,
}

/// The tenant of a signed-in user: their seller's objects, audited as `customer:<user id>`.
pub fn customer_tenant(app: &App, user_id: UserId) -> Tenant {
    Tenant::system(app.seller_id, format!("customer:{user_id}"))
}

/// Checks the credentials against the app's users and opens a session of `max_secs`; the
/// cookie value. A wrong or unknown name, password, key or code is the same `Forbidden` (an
/// unknown name still costs one hash); a banned user is told so once the credentials are right.
pub async fn sign_in(
    store: &Store,
    passwords: &Passwords,
    app: &App,
    creds: &Credentials<'_>,
    max_secs: i64,
) -> Result<String, ManageError> {
    let user = credentials_user(store, passwords, app, creds).await?;
    if user.totp_enabled {
        let now_secs = u64::try_from(now_ms() / 1000).unwrap_or_default();
        let secret = user.totp_secret.as_deref().unwrap_or("");
        let step = totp::verify(secret, creds.code, now_secs).ok_or(ManageError::Forbidden)?;
        if !store.claim_totp_step(user.id, step).await? {
            return Err(ManageError::Forbidden);
        }
    }
    if user.banned_reason.is_some() {
        return Err(ManageError::Conflict { field: "user", message: "This account is banned.".into() });
    }
    let fresh = NewSession::new("customer", max_secs);
    change(store, async |store| {
        fresh.store(store, SessionTable::Customer, user.id.get()).await?;
        customer_tenant(app, user.id).audit(store, "customer.signin", format!("user:{}", user.id), &user.username).await
    })
    .await?;
    Ok(fresh.cookie)
}

/// The user the credentials name: by key when one was sent (only a key-only user, whose name
/// is the key: a key redeemed into a password account does not open it), else by username and
/// password. An imported bcrypt hash that matched is replaced by Argon2id, as at the client API.
async fn credentials_user(
    store: &Store,
    passwords: &Passwords,
    app: &App,
    creds: &Credentials<'_>,
) -> Result<User, ManageError> {
    let key = creds.key.trim();
    if !key.is_empty() {
        let user = store.client_user_by_name(app.id, key).await?;
        return user.filter(|u| u.password_hash.is_none()).ok_or(ManageError::Forbidden);
    }
    let found = store.client_user_by_name(app.id, creds.username.trim()).await?.filter(|u| u.password_hash.is_some());
    let user = check_password(passwords, found, |u| u.password_hash.as_deref().unwrap_or(""), creds.password).await?;
    if let Some(stored) = user.password_hash.as_deref().filter(|h| password::is_legacy(h)) {
        let upgraded = passwords.hash(creds.password).await.map_err(hashing_stopped)?;
        store.replace_password_hash(user.id, stored, &upgraded).await?;
    }
    Ok(user)
}

/// What the panel's start page shows a user.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub hwids: Vec<String>,
    pub subscriptions: Vec<UserSubscription>,
    /// When the user may reset their HWID again; `None`: now.
    pub next_reset_at: Option<i64>,
}

pub async fn account(store: &Store, app: &App, user_id: UserId) -> Result<Account, ManageError> {
    let user = store.user(app.id, user_id).await.map_err(ManageError::from_store("user", "id"))?;
    let next_reset_at = store
        .hwid_reset_at(user.id)
        .await?
        .map(|at| at.get().saturating_add(app.hwid_reset_cooldown_secs.saturating_mul(1000)))
        .filter(|&next| next > now_ms());
    Ok(Account {
        hwids: store.user_hwids(user.id).await?,
        subscriptions: store.user_subscriptions(user.id).await?,
        next_reset_at,
        user,
    })
}

/// Forgets the user's HWIDs (the next sign-in binds the new machine), unless they did so less
/// than the app's cooldown ago: then `Conflict`, and nothing changes. Returns how many were
/// bound.
pub async fn reset_hwid(store: &Store, app: &App, user_id: UserId) -> Result<u64, ManageError> {
    let now = now_ms();
    let not_since = now.saturating_sub(app.hwid_reset_cooldown_secs.saturating_mul(1000));
    change(store, async |store| {
        let user = store.user(app.id, user_id).await.map_err(ManageError::from_store("user", "id"))?;
        if !store.claim_hwid_reset(user.id, now, not_since).await? {
            return Err(ManageError::Conflict {
                field: "hwid",
                message: "You reset your HWID recently; the page says when you may again.".into(),
            });
        }
        let n = store.reset_user_hwid(user.id).await?;
        customer_tenant(app, user.id)
            .audit(store, "user.reset_hwid", format!("user:{}", user.id), &user.username)
            .await?;
        let payload = serde_json::json!({ "hwids": n, "username": user.username, "by": "customer" });
        emit(store, &[Event::user(EventKind::UserHwidReset, app.seller_id, app.id, user.id, payload)]).await?;
        Ok(n)
    })
    .await
}

/// Replaces the user's password after checking the current one, and ends their other panel
/// sessions (`session_id` is the one that asked).
pub async fn change_password(
    store: &Store,
    passwords: &Passwords,
    app: &App,
    user_id: UserId,
    session_id: i64,
    current: &str,
    new: &str,
) -> Result<(), ManageError> {
    let user = store.user(app.id, user_id).await.map_err(ManageError::from_store("user", "id"))?;
    let Some(stored) = user.password_hash.clone() else {
        return Err(ManageError::invalid("password", "this account signs in with its key and has no password"));
    };
    if !passwords.verify(current, &stored).await.map_err(hashing_stopped)? {
        return Err(ManageError::invalid("current", "is not your current password"));
    }
    let hash = new_password_hash(passwords, new).await?;
    change(store, async |store| {
        // Compare-and-swap: a password changed meanwhile (another session) is not overwritten.
        if !store.replace_password_hash(user.id, &stored, &hash).await? {
            return Err(ManageError::Conflict { field: "password", message: "The password changed meanwhile.".into() });
        }
        store.end_other_browser_sessions(SessionTable::Customer, user.id.get(), session_id).await?;
        customer_tenant(app, user.id).audit(store, "user.password", format!("user:{}", user.id), &user.username).await
    })
    .await
}
