//! The seller's management of what the client API serves: webhooks (target URLs kept on the
//! server), files (stored in the database, size-capped) and chat (channels, messages, mutes).
//! Operations take a `ClientApp`, the proof that the scope may manage the app.

use super::{
    ManageError, change,
    client_data::{ClientApp, item_name},
};
use crate::domain::{netaddr::http_url, time::now_ms, validate};
use crate::store::{
    Page, Store,
    chat::{ChatChannel, ChatMessage, ChatMute},
    files::FileInfo,
    webhooks::Webhook,
};

/// Longest delay between one user's messages in a channel (a day).
pub const MAX_CHAT_DELAY_SECS: i64 = 86_400;
/// User agent of webhook requests unless the seller names one.
pub const DEFAULT_USER_AGENT: &str = "licensd";

/// What a seller configures for a webhook.
#[derive(Debug, Clone)]
pub struct NewWebhook<'a> {
    pub webid: &'a str,
    pub url: &'a str,
    pub user_agent: Option<&'a str>,
    pub authed: bool,
}

pub async fn create_webhook(store: &Store, at: &ClientApp, new: NewWebhook<'_>) -> Result<Webhook, ManageError> {
    let webid = item_name("webid", new.webid)?;
    let url = validate::name("url", new.url, 2000)?;
    if http_url(&url).is_none() {
        return Err(ManageError::invalid("url", "must be an absolute http or https URL with a host"));
    }
    let agent = validate::name("user_agent", new.user_agent.unwrap_or(DEFAULT_USER_AGENT), 200)?;
    if !agent.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(ManageError::invalid("user_agent", "must be printable ASCII"));
    }
    change(store, async |store| {
        let hook = store
            .create_webhook(at.id(), &webid, &url, &agent, new.authed)
            .await
            .map_err(ManageError::from_store("webhook", "webid"))?;
        // The URL may carry the seller's own secrets: it stays out of the audit trail.
        at.audit(store, "webhook.create", &webid, "").await?;
        Ok(hook)
    })
    .await
}

pub async fn list_webhooks(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<Webhook>, ManageError> {
    Ok(store.list_webhooks(at.id(), page).await?)
}

pub async fn delete_webhook(store: &Store, at: &ClientApp, webid: &str) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_webhook(at.id(), webid).await.map_err(ManageError::from_store("webhook", "webid"))?;
        at.audit(store, "webhook.delete", webid, "").await
    })
    .await
}

/// A file to store under `fileid` (replacing the one there).
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    pub fileid: &'a str,
    pub name: &'a str,
    pub data: &'a [u8],
    pub authed: bool,
}

/// Stores an upload of at most `max_bytes` (the server's `max_file_bytes`).
pub async fn put_file(
    store: &Store,
    at: &ClientApp,
    up: Upload<'_>,
    max_bytes: usize,
) -> Result<FileInfo, ManageError> {
    let fileid = item_name("fileid", up.fileid)?;
    let name = validate::name("name", up.name, 255)?;
    if up.data.len() > max_bytes {
        return Err(ManageError::invalid("data", format!("files are limited to {max_bytes} bytes")));
    }
    change(store, async |store| {
        let info = store.put_file(at.id(), &fileid, &name, up.data, up.authed, now_ms()).await?;
        at.audit(store, "file.put", &fileid, &format!("{} bytes", up.data.len())).await?;
        Ok(info)
    })
    .await
}

pub async fn list_files(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<FileInfo>, ManageError> {
    Ok(store.list_files(at.id(), page).await?)
}

pub async fn delete_file(store: &Store, at: &ClientApp, fileid: &str) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_file(at.id(), fileid).await.map_err(ManageError::from_store("file", "fileid"))?;
        at.audit(store, "file.delete", fileid, "").await
    })
    .await
}

pub async fn create_channel(
    store: &Store,
    at: &ClientApp,
    name: &str,
    delay_secs: i64,
) -> Result<ChatChannel, ManageError> {
    let name = item_name("name", name)?;
    let delay = validate::in_range("delay_secs", delay_secs, 0, MAX_CHAT_DELAY_SECS)?;
    change(store, async |store| {
        let channel = store
            .create_chat_channel(at.id(), &name, delay)
            .await
            .map_err(ManageError::from_store("channel", "name"))?;
        at.audit(store, "chat.channel.create", &name, &format!("delay {delay}s")).await?;
        Ok(channel)
    })
    .await
}

pub async fn list_channels(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<ChatChannel>, ManageError> {
    Ok(store.list_chat_channels(at.id(), page).await?)
}

pub async fn delete_channel(store: &Store, at: &ClientApp, name: &str) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_chat_channel(at.id(), name).await.map_err(ManageError::from_store("channel", "name"))?;
        at.audit(store, "chat.channel.delete", name, "").await
    })
    .await
}

/// A channel's messages, newest first.
pub async fn list_messages(
    store: &Store,
    at: &ClientApp,
    channel: &str,
    page: Page,
) -> Result<Vec<ChatMessage>, ManageError> {
    let channel = store.chat_channel(at.id(), channel).await.map_err(ManageError::from_store("channel", "name"))?;
    Ok(store.list_chat_messages(channel.id, page).await?)
}

pub async fn delete_message(store: &Store, at: &ClientApp, message_id: i64) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_chat_message(at.id(), message_id).await.map_err(ManageError::from_store("message", "id"))?;
        at.audit(store, "chat.message.delete", &message_id.to_string(), "").await
    })
    .await
}

/// Mutes `username` in the app's chat until `until` (unix ms, in the future).
pub async fn mute(store: &Store, at: &ClientApp, username: &str, until: i64) -> Result<ChatMute, ManageError> {
    let username = validate::name("username", username, 200)?;
    if until <= now_ms() {
        return Err(ManageError::invalid("until", "must be in the future"));
    }
    change(store, async |store| {
        let mute = store.mute_chat_user(at.id(), &username, until).await?;
        at.audit(store, "chat.mute", &username, &until.to_string()).await?;
        Ok(mute)
    })
    .await
}

pub async fn unmute(store: &Store, at: &ClientApp, username: &str) -> Result<(), ManageError> {
    change(store, async |store| {
        store.unmute_chat_user(at.id(), username).await.map_err(ManageError::from_store("mute", "username"))?;
        at.audit(store, "chat.unmute", username, "").await
    })
    .await
}

pub async fn list_mutes(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<ChatMute>, ManageError> {
    Ok(store.list_chat_mutes(at.id(), now_ms(), page).await?)
}
