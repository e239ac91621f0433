//! `/admin/v1/apps/{id}/...`: what the client API serves for one app: webhooks, files (JSON
//! with base64 `data`, or the raw bytes with `PUT`), chat channels, messages and mutes.
//! Scope rules as in `client_data`.

use super::client_data::SellerParam;
use super::client_data::{AppAt, listed};
use super::common::{Answer, ClientListing, Created, NoContent, created, data, no_content, yes};
use super::openapi::{Conflict, Errors};
use super::views::{ChatChannel, ChatMessage, ChatMute, ClientPage, Data, FileInfo, Webhook};
use super::{AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::{
    domain::time::{now_ms, parse_duration_secs},
    manage::{
        ManageError, PageRequest,
        client_content::{self as content, NewWebhook, Upload},
    },
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{State, rejection::BytesRejection},
};
use base64::Engine;
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/apps/{id}/webhooks", list_webhooks)
        .post("/apps/{id}/webhooks", create_webhook)
        .delete("/apps/{id}/webhooks/{webid}", delete_webhook)
        .get("/apps/{id}/files", list_files)
        .post("/apps/{id}/files", upload_json)
        .put("/apps/{id}/files/{fileid}", upload_raw)
        .delete("/apps/{id}/files/{fileid}", delete_file)
        .get("/apps/{id}/chat/channels", list_channels)
        .post("/apps/{id}/chat/channels", create_channel)
        .delete("/apps/{id}/chat/channels/{name}", delete_channel)
        .get("/apps/{id}/chat/channels/{name}/messages", list_messages)
        .delete("/apps/{id}/chat/messages/{message_id}", delete_message)
        .get("/apps/{id}/chat/mutes", list_mutes)
        .post("/apps/{id}/chat/mutes", mute)
        .delete("/apps/{id}/chat/mutes/{username}", unmute)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateWebhook {
    webid: String,
    url: String,
    user_agent: Option<String>,
    #[serde(default = "yes")]
    authed: bool,
}

/// List an app's webhooks.
#[utoipa::path(
    operation_id = "client_content_list_webhooks",
    get,
    path = "/apps/{id}/webhooks",
    tag = "client content",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<Webhook>), Errors)
)]
async fn list_webhooks(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<Webhook> {
    listed(q, async |p| content::list_webhooks(&s.store, &at, p).await).await
}

/// Create a webhook (the URL must be public http(s)).
#[utoipa::path(
    operation_id = "client_content_create_webhook",
    post,
    path = "/apps/{id}/webhooks",
    tag = "client content",
    params(("id" = i64, Path), SellerParam),
    request_body = CreateWebhook,
    responses((status = 201, description = "Created", body = Data<Webhook>), Conflict, Errors)
)]
async fn create_webhook(State(s): State<AppState>, AppAt(at): AppAt, Body(b): Body<CreateWebhook>) -> Created<Webhook> {
    let new = NewWebhook { webid: &b.webid, url: &b.url, user_agent: b.user_agent.as_deref(), authed: b.authed };
    created(content::create_webhook(&s.store, &at, new).await?)
}

/// Delete a webhook.
#[utoipa::path(
    operation_id = "client_content_delete_webhook",
    delete,
    path = "/apps/{id}/webhooks/{webid}",
    tag = "client content",
    params(("id" = i64, Path), ("webid" = String, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn delete_webhook(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, webid)): PathParam<(i64, String)>,
) -> NoContent {
    content::delete_webhook(&s.store, &at, &webid).await?;
    no_content()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UploadJson {
    fileid: String,
    name: String,
    /// The file's bytes, standard base64.
    data: String,
    #[serde(default = "yes")]
    authed: bool,
}

/// List an app's files (without their bytes).
#[utoipa::path(
    operation_id = "client_content_list_files",
    get,
    path = "/apps/{id}/files",
    tag = "client content",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<FileInfo>), Errors)
)]
async fn list_files(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<FileInfo> {
    listed(q, async |p| content::list_files(&s.store, &at, p).await).await
}

/// Upload a file as JSON with base64 data (replaces the same fileid).
#[utoipa::path(
    operation_id = "client_content_upload_json",
    post,
    path = "/apps/{id}/files",
    tag = "client content",
    params(("id" = i64, Path), SellerParam),
    request_body = UploadJson,
    responses((status = 201, description = "Created", body = Data<FileInfo>), Errors)
)]
async fn upload_json(State(s): State<AppState>, AppAt(at): AppAt, Body(b): Body<UploadJson>) -> Created<FileInfo> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b.data.as_bytes())
        .map_err(|_| ManageError::invalid("data", "must be standard base64"))?;
    let up = Upload { fileid: &b.fileid, name: &b.name, data: &bytes, authed: b.authed };
    created(content::put_file(&s.store, &at, up, s.config.max_file_bytes).await?)
}

/// `PUT .../files/{fileid}?name=&authed=` with the raw bytes as the body (`seller_id` is
/// read by `AppAt`).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UploadRaw {
    name: Option<String>,
    authed: Option<bool>,
}

/// Upload a file's raw bytes as the body (replaces the same fileid).
#[utoipa::path(
    operation_id = "client_content_upload_raw",
    put,
    path = "/apps/{id}/files/{fileid}",
    tag = "client content",
    params(("id" = i64, Path), ("fileid" = String, Path), SellerParam, UploadRaw),
    request_body(content = [u8], content_type = "application/octet-stream"),
    responses((status = 201, description = "Created", body = Data<FileInfo>), Errors)
)]
async fn upload_raw(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<UploadRaw>,
    PathParam((_, fileid)): PathParam<(i64, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Created<FileInfo> {
    let bytes = body.map_err(|e| AdminError::Rejected(e.status(), e.body_text()))?;
    let up = Upload {
        fileid: &fileid,
        name: q.name.as_deref().unwrap_or(&fileid),
        data: &bytes,
        authed: q.authed.unwrap_or(true),
    };
    created(content::put_file(&s.store, &at, up, s.config.max_file_bytes).await?)
}

/// Delete a file.
#[utoipa::path(
    operation_id = "client_content_delete_file",
    delete,
    path = "/apps/{id}/files/{fileid}",
    tag = "client content",
    params(("id" = i64, Path), ("fileid" = String, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn delete_file(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, fileid)): PathParam<(i64, String)>,
) -> NoContent {
    content::delete_file(&s.store, &at, &fileid).await?;
    no_content()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateChannel {
    name: String,
    #[serde(default)]
    delay_secs: i64,
}

/// List an app's chat channels.
#[utoipa::path(
    operation_id = "client_content_list_channels",
    get,
    path = "/apps/{id}/chat/channels",
    tag = "client content",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<ChatChannel>), Errors)
)]
async fn list_channels(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<ChatChannel> {
    listed(q, async |p| content::list_channels(&s.store, &at, p).await).await
}

/// Create a chat channel.
#[utoipa::path(
    operation_id = "client_content_create_channel",
    post,
    path = "/apps/{id}/chat/channels",
    tag = "client content",
    params(("id" = i64, Path), SellerParam),
    request_body = CreateChannel,
    responses((status = 201, description = "Created", body = Data<ChatChannel>), Conflict, Errors)
)]
async fn create_channel(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    Body(b): Body<CreateChannel>,
) -> Created<ChatChannel> {
    created(content::create_channel(&s.store, &at, &b.name, b.delay_secs).await?)
}

/// Delete a chat channel and its messages.
#[utoipa::path(
    operation_id = "client_content_delete_channel",
    delete,
    path = "/apps/{id}/chat/channels/{name}",
    tag = "client content",
    params(("id" = i64, Path), ("name" = String, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn delete_channel(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, name)): PathParam<(i64, String)>,
) -> NoContent {
    content::delete_channel(&s.store, &at, &name).await?;
    no_content()
}

/// List a channel's messages.
#[utoipa::path(
    operation_id = "client_content_list_messages",
    get,
    path = "/apps/{id}/chat/channels/{name}/messages",
    tag = "client content",
    params(("id" = i64, Path), ("name" = String, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<ChatMessage>), Errors)
)]
async fn list_messages(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
    PathParam((_, name)): PathParam<(i64, String)>,
) -> ClientListing<ChatMessage> {
    listed(q, async |p| content::list_messages(&s.store, &at, &name, p).await).await
}

/// Delete a chat message.
#[utoipa::path(
    operation_id = "client_content_delete_message",
    delete,
    path = "/apps/{id}/chat/messages/{message_id}",
    tag = "client content",
    params(("id" = i64, Path), ("message_id" = i64, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn delete_message(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, message_id)): PathParam<(i64, i64)>,
) -> NoContent {
    content::delete_message(&s.store, &at, message_id).await?;
    no_content()
}

/// A mute for `duration` (`30m`, `1d`, ...) or `until` a unix time in milliseconds.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Mute {
    username: String,
    duration: Option<String>,
    until: Option<i64>,
}

/// List an app's chat mutes.
#[utoipa::path(
    operation_id = "client_content_list_mutes",
    get,
    path = "/apps/{id}/chat/mutes",
    tag = "client content",
    params(("id" = i64, Path), SellerParam, PageRequest),
    responses((status = 200, description = "OK", body = ClientPage<ChatMute>), Errors)
)]
async fn list_mutes(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    QueryParams(q): QueryParams<PageRequest>,
) -> ClientListing<ChatMute> {
    listed(q, async |p| content::list_mutes(&s.store, &at, p).await).await
}

/// Mute a user in chat for a duration or until a time (give exactly one).
#[utoipa::path(
    operation_id = "client_content_mute",
    post,
    path = "/apps/{id}/chat/mutes",
    tag = "client content",
    params(("id" = i64, Path), SellerParam),
    request_body = Mute,
    responses((status = 200, description = "OK", body = Data<ChatMute>), Errors)
)]
async fn mute(State(s): State<AppState>, AppAt(at): AppAt, Body(b): Body<Mute>) -> Answer<ChatMute> {
    let until = match (b.duration.as_deref(), b.until) {
        (Some(d), None) => {
            let secs = parse_duration_secs(d).ok_or_else(|| ManageError::invalid("duration", "like 30m, 12h, 7d"))?;
            now_ms().saturating_add(secs.saturating_mul(1000))
        }
        (None, Some(until)) => until,
        _ => return Err(ManageError::invalid("duration", "give either duration or until").into()),
    };
    data(content::mute(&s.store, &at, &b.username, until).await?)
}

/// Unmute a user.
#[utoipa::path(
    operation_id = "client_content_unmute",
    delete,
    path = "/apps/{id}/chat/mutes/{username}",
    tag = "client content",
    params(("id" = i64, Path), ("username" = String, Path), SellerParam),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn unmute(
    State(s): State<AppState>,
    AppAt(at): AppAt,
    PathParam((_, username)): PathParam<(i64, String)>,
) -> NoContent {
    content::unmute(&s.store, &at, &username).await?;
    no_content()
}
