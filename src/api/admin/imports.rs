//! KeyAuth imports over HTTP: `POST /admin/v1/apps/{id}/import/keyauth/users` (and `/keys`, `/tokens`)
//! takes one export file as the body, parses it before answering, and answers `202` with a job
//! whose rows then go in the background; `GET /admin/v1/imports/{id}` shows its progress and,
//! once done, its report (what `licensd import keyauth` prints). docs/migrating-from-keyauth.md.

use super::common::{Answer, Listing, Scoped, ScopedPage, data, listed, upload_format};
use super::openapi::Errors;
use super::views::{Data, ImportJob, Page};
use super::{Admin, AdminError, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::{AppId, SellerId};
use crate::manage::{
    Scope,
    keyauth::{Import, jobs, parse},
    licenses::Format,
};
use crate::state::AppState;
use axum::{
    Json,
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
};
use std::collections::HashMap;

/// The upload routes (their bodies are limited by `max_import_bytes`).
pub fn uploads() -> Routes {
    Routes::new()
        .post("/apps/{id}/import/keyauth/users", upload_users)
        .post("/apps/{id}/import/keyauth/keys", upload_keys)
        .post("/apps/{id}/import/keyauth/tokens", upload_tokens)
}

pub fn routes() -> Routes {
    Routes::new().get("/imports", list).get("/imports/{id}", show)
}

/// `?seller_id=&format=&plan=NAME=PLAN&plan=...` (read by hand: `plan` repeats).
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UploadQuery {
    /// The seller acted on: required with an operator token, optional (and only its own) with a
    /// seller token.
    #[param(value_type = Option<i64>)]
    seller_id: Option<SellerId>,
    /// `csv` or `json`; by default CSV when the body is sent as `text/csv`, else JSON.
    #[param(value_type = Option<String>)]
    format: Option<Format>,
    /// `NAME=PLAN`, repeatable: KeyAuth subscription NAME imports into licensd plan PLAN; a name
    /// not mapped is the plan of that name, created when missing.
    #[param(value_type = Option<Vec<String>>)]
    plan: HashMap<String, String>,
}

impl UploadQuery {
    fn parse(raw: Option<&str>) -> Result<Self, AdminError> {
        let bad = |m: String| AdminError::Rejected(StatusCode::BAD_REQUEST, m);
        let mut q = Self::default();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match &*name {
                "seller_id" => {
                    let id = value.parse::<i64>().map_err(|_| bad("seller_id: not a number".into()))?;
                    q.seller_id = Some(SellerId::from(id));
                }
                "format" => q.format = Some(Format::parse(&value)?),
                "plan" => {
                    let (from, to) = value.split_once('=').ok_or_else(|| bad("plan: give NAME=PLAN".into()))?;
                    q.plan.insert(from.trim().to_owned(), to.trim().to_owned());
                }
                other => return Err(bad(format!("unknown query parameter `{other}`"))),
            }
        }
        Ok(q)
    }
}

#[derive(Clone, Copy)]
enum File {
    Users,
    Keys,
    Tokens,
}

type Accepted = Result<(StatusCode, [(header::HeaderName, HeaderValue); 1], Json<Data<ImportJob>>), AdminError>;

/// Import a KeyAuth users export (`KeyAuthUsers.json`, or CSV): users with their bcrypt
/// hashes, subscriptions, HWIDs, IPs and bans. Users the app has are left as they are.
#[utoipa::path(
    operation_id = "imports_keyauth_users",
    post,
    path = "/apps/{id}/import/keyauth/users",
    tag = "imports",
    params(("id" = i64, Path), UploadQuery),
    request_body(content(
        (Object = "application/json"),
        (String = "text/csv", example = "username,email,password,hwid,ip,banned,subscription,expiry")
    )),
    responses((status = 202, description = "Accepted: the rows import in the background", body = Data<ImportJob>,
        headers(("Location" = String, description = "the job, /admin/v1/imports/{id}"))), Errors)
)]
async fn upload_users(
    State(s): State<AppState>,
    Admin(scope): Admin,
    PathParam(app_id): PathParam<AppId>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Accepted {
    upload(&s, &scope, app_id, q, &headers, body, File::Users).await
}

/// Import a KeyAuth keys export (`KeyAuthKeys.json`, `fetchallkeys`' answer, or CSV): keys
/// with state, level, expiry, note and who used them. Keys already present are left as they are.
#[utoipa::path(
    operation_id = "imports_keyauth_keys",
    post,
    path = "/apps/{id}/import/keyauth/keys",
    tag = "imports",
    params(("id" = i64, Path), UploadQuery),
    request_body(content(
        (Object = "application/json"),
        (String = "text/csv", example = "key,note,expires,status,level,usedon,usedby,banned")
    )),
    responses((status = 202, description = "Accepted: the rows import in the background", body = Data<ImportJob>,
        headers(("Location" = String, description = "the job, /admin/v1/imports/{id}"))), Errors)
)]
async fn upload_keys(
    State(s): State<AppState>,
    Admin(scope): Admin,
    PathParam(app_id): PathParam<AppId>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Accepted {
    upload(&s, &scope, app_id, q, &headers, body, File::Keys).await
}

/// Import the client tokens of KeyAuth's token system: the rows of its `tokens` table (KeyAuth
/// has no export of them), as JSON or CSV, with their locked file hashes and bans. Tokens the
/// app has are left as they are.
#[utoipa::path(
    operation_id = "imports_keyauth_tokens",
    post,
    path = "/apps/{id}/import/keyauth/tokens",
    tag = "imports",
    params(("id" = i64, Path), UploadQuery),
    request_body(content(
        (Object = "application/json"),
        (String = "text/csv", example = "token,assigned,type,banned,reason,hash")
    )),
    responses((status = 202, description = "Accepted: the rows import in the background", body = Data<ImportJob>,
        headers(("Location" = String, description = "the job, /admin/v1/imports/{id}"))), Errors)
)]
async fn upload_tokens(
    State(s): State<AppState>,
    Admin(scope): Admin,
    PathParam(app_id): PathParam<AppId>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Accepted {
    upload(&s, &scope, app_id, q, &headers, body, File::Tokens).await
}

async fn upload(
    s: &AppState,
    scope: &Scope,
    app_id: AppId,
    query: Option<String>,
    headers: &HeaderMap,
    body: Bytes,
    file: File,
) -> Accepted {
    let q = UploadQuery::parse(query.as_deref())?;
    let tenant = scope.tenant(q.seller_id)?;
    // The app first: a large file is parsed only for an app the caller may import into.
    tenant.app(&s.store, app_id).await?;
    let format = q.format.unwrap_or_else(|| upload_format(headers));
    // Parsing tens of megabytes takes a core for a while: not on the request threads.
    let parsed = tokio::task::spawn_blocking(move || -> Result<Import, crate::manage::ManageError> {
        Ok(match file {
            File::Users => Import { users: Some(parse::users(format, &body)?), ..Import::default() },
            File::Keys => Import { keys: Some(parse::keys(format, &body)?), ..Import::default() },
            File::Tokens => Import { tokens: Some(parse::tokens(format, &body)?), ..Import::default() },
        })
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
    let files = Import { plans: q.plan, ..parsed };
    let job = jobs::start(&s.store, &tenant, app_id, files).await?;
    let location = HeaderValue::try_from(format!("/admin/v1/imports/{}", job.id)).expect("a path is a header value");
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(Data { data: job.into() })))
}

/// The seller's imports, newest first.
#[utoipa::path(
    operation_id = "imports_list",
    get,
    path = "/imports",
    tag = "imports",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<ImportJob>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<ImportJob> {
    listed(jobs::list(&s.store, &scope.tenant(q.seller_id)?, q.page()).await?)
}

/// One import: `running` with its count, `done` with its report, `failed` with why, or
/// `interrupted` (its server process ended while it ran: start it again, it adds what is missing).
#[utoipa::path(
    operation_id = "imports_show",
    get,
    path = "/imports/{id}",
    tag = "imports",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<ImportJob>), Errors)
)]
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
) -> Answer<ImportJob> {
    data(jobs::get(&s.store, &scope.tenant(q.seller_id)?, id).await?)
}
