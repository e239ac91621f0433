//! What an app's end users and their software change through the client API: sessions,
//! registration and key redemption, the bookkeeping of a sign-in (an upgraded password hash, a
//! spent web-loader token or TOTP step, the first bound HWID), the client's own `ban`, renames,
//! user variables, logs, chat and two-factor settings. The client API decides what to answer;
//! these operations are the changes, each one transaction in which every invariant that must
//! hold across processes (one redemption per key, one use per TOTP step or token, one HWID
//! bound first, a chat delay) is a conditional write, and which records its own events. The
//! app is the one the request named (its owner id and name); a user is one of that app's,
//! read through the request's session. These are no seller's actions, so they write events, not
//! audit rows (see `docs/architecture.md`).

use super::{ManageError, change};
use crate::domain::{ids::UserId, secret};
use crate::store::{
    Store, StoreError,
    apps::App,
    chat::{ChatMessage, NewChatMessage},
    client_data::{NewClientLog, SetUserVar},
    client_users::{KeyLogin, NewClientUser, Registered, Upgraded},
    sessions::Session,
    users::User,
};

/// A new session of the app for a client at `ip`, unvalidated until a sign-in.
pub async fn open_session(store: &Store, app: &App, ip: &str, now: i64) -> Result<Session, ManageError> {
    Ok(store.create_session(app.id, app.session_ttl_secs, ip, now).await?)
}

/// Ends one session of the app (`logout`).
pub async fn end_session(store: &Store, app: &App, session_id: &str) -> Result<(), ManageError> {
    Ok(store.delete_session(app.id, session_id).await?)
}

/// A new user with a password, holding what `key` grants; the key is redeemed once.
pub async fn register(store: &Store, new: &NewClientUser<'_>, key: &str) -> Result<Registered, ManageError> {
    Ok(store.register_with_key(new, key).await?)
}

/// Signs in with the key alone: the first use makes a user named after the key.
pub async fn sign_in_with_key(store: &Store, new: &NewClientUser<'_>, key: &str) -> Result<KeyLogin, ManageError> {
    Ok(store.license_login(new, key).await?)
}

/// Redeems `key` onto the app's existing user `username` (`upgrade`).
pub async fn redeem_onto(
    store: &Store,
    app: &App,
    username: &str,
    key: &str,
    now: i64,
) -> Result<Upgraded, ManageError> {
    Ok(store.upgrade_user(app.seller_id, app.id, username, key, now).await?)
}

/// Spends `username`'s web-loader token if `token` is it and unexpired; the user it signs in.
pub async fn spend_web_token(
    store: &Store,
    app: &App,
    username: &str,
    token: &str,
    now: i64,
) -> Result<Option<UserId>, ManageError> {
    Ok(store.take_web_token(app.id, username, &secret::hash_secret(token), now).await?)
}

/// Replaces a matched legacy (bcrypt) hash by `new`, unless the password changed meanwhile.
pub async fn upgrade_password_hash(store: &Store, user: &User, old: &str, new: &str) -> Result<bool, ManageError> {
    Ok(store.replace_password_hash(user.id, old, new).await?)
}

/// The hash of the user's mailed, unexpired replacement password, if any.
pub async fn pending_password_reset(store: &Store, user: &User, now: i64) -> Result<Option<String>, ManageError> {
    Ok(store.password_reset(user.id, now).await?)
}

/// Stores a mailed replacement password (hashed) as pending until `expires_at`.
pub async fn request_password_reset(
    store: &Store,
    user: &User,
    hash: &str,
    expires_at: i64,
) -> Result<(), ManageError> {
    Ok(store.put_password_reset(user.id, hash, expires_at).await?)
}

/// Makes the replacement password the user's password (its first use signed in).
pub async fn apply_password_reset(store: &Store, user: &User, hash: &str) -> Result<(), ManageError> {
    Ok(store.apply_password_reset(user.id, hash).await?)
}

/// Spends TOTP time step `step` for the user; false when it (or a later one) was used already.
pub async fn claim_totp_step(store: &Store, user: &User, step: i64) -> Result<bool, ManageError> {
    Ok(store.claim_totp_step(user.id, step).await?)
}

/// Binds `hwid` as the user's first HWID; false when another got there first.
pub async fn bind_first_hwid(store: &Store, user: &User, hwid: &str, now: i64) -> Result<bool, ManageError> {
    Ok(store.bind_first_hwid(user.id, hwid, now).await?)
}

/// Records a successful sign-in in one transaction: the session becomes `user`'s (validated),
/// the user's last sign-in time and address, and its `user.signed_in` event (the overview's
/// sign-ins per day). `NotFound` when the session ended meanwhile (a logout, ban or expiry):
/// then nothing is recorded.
pub async fn record_sign_in(
    store: &Store,
    app: &App,
    session_id: &str,
    user: &User,
    ip: &str,
    now: i64,
) -> Result<(), ManageError> {
    change(store, async |store| {
        store.record_login(app.seller_id, user, ip, now).await?;
        // Last, so that a wait for the user's row (a concurrent writer) cannot outlast the
        // session unseen: the session is checked alive when the sign-in commits.
        store.validate_session(app.id, session_id, user.id).await.map_err(ManageError::from_store("session", "id"))
    })
    .await
}

/// The client's `ban` of its own user: the user, its HWIDs and the IP, its sessions ended.
pub async fn ban_self(
    store: &Store,
    app: &App,
    user: &User,
    reason: &str,
    hwids: &[String],
    ip: &str,
    now: i64,
) -> Result<(), ManageError> {
    Ok(store.ban_client_user(app.seller_id, user, reason, hwids, ip, now).await?)
}

/// What a rename did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renamed {
    Done,
    /// Another user of the app has that name (the unique constraint decided).
    Taken,
    /// The user is gone.
    Gone,
}

/// Renames the user and ends all of its sessions, atomically.
pub async fn rename(store: &Store, app: &App, user: &User, username: &str) -> Result<Renamed, ManageError> {
    match store.rename_user_and_end_sessions(app.id, user.id, username).await {
        Ok(()) => Ok(Renamed::Done),
        Err(StoreError::Conflict(_)) => Ok(Renamed::Taken),
        Err(StoreError::NotFound) => Ok(Renamed::Gone),
        Err(e) => Err(e.into()),
    }
}

/// Sets one of the user's own variables, within `cap` variables and never a read-only one.
pub async fn set_var(store: &Store, user: &User, name: &str, value: &str, cap: i64) -> Result<SetUserVar, ManageError> {
    Ok(store.client_set_user_var(user.id, name, value, cap).await?)
}

/// Stores a log line (and its `client.log` event), keeping the app's newest `keep`.
pub async fn log(store: &Store, line: NewClientLog<'_>, keep: i64) -> Result<(), ManageError> {
    Ok(store.insert_client_log(line, keep).await?)
}

/// Posts a chat message; `None` while the channel's delay since the user's last one runs.
pub async fn post_chat(store: &Store, message: NewChatMessage<'_>) -> Result<Option<ChatMessage>, ManageError> {
    Ok(store.post_chat_message(message).await?)
}

/// Stores a pending TOTP secret; false when 2FA is on already.
pub async fn start_totp(store: &Store, user: &User, secret: &str) -> Result<bool, ManageError> {
    Ok(store.set_totp_secret(user.id, secret).await?)
}

/// Turns the pending secret on with the step of a valid code; false when the code's step was
/// not later than the last one accepted, or the secret changed meanwhile.
pub async fn enable_totp(store: &Store, user: &User, secret: &str, step: i64) -> Result<bool, ManageError> {
    Ok(store.enable_totp(user.id, secret, step).await?)
}

/// Turns 2FA off with the step of a valid code (once per step, as `enable_totp`).
pub async fn disable_totp(store: &Store, user: &User, secret: &str, step: i64) -> Result<bool, ManageError> {
    Ok(store.disable_totp(user.id, secret, step).await?)
}
