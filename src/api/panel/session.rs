//! Browser sessions of the web faces (the seller panel; the reseller dashboard through its own
//! `Face`). The cookie holds a random token; the database keeps only its SHA-256 digest, with an
//! absolute expiry (`panel_session_max_secs`) and an idle expiry (`panel_session_idle_secs`).
//! Cookies are `HttpOnly; SameSite=Strict` with the face's own `Path` (its base, so one face's
//! cookie never travels to another face or to the APIs), plus `Secure` when this server speaks
//! TLS.
//! Each session has a CSRF token that every POST must send back in its `csrf` field;
//! `authenticate` checks it before any handler runs, so a POST without it changes nothing. The
//! sign-in form, before there is a session, is protected the same way by a token in a
//! short-lived cookie of its own (double submit), and by brute-force limits.
//!
//! A face names its cookies, limiter buckets and session table, says where its pages live (its
//! base: a fixed path, or one per app for the customer panel) and how its sessions are looked up
//! and opened; everything else here is shared.

use super::{PanelError, fields::Fields, layout};
use crate::{
    api::client::context::client_ip,
    domain::{netaddr::network, panel::Role, secret, time::now_ms},
    manage::{ManageError, Tenant, panel},
    state::AppState,
    store::{StoreError, browser_sessions::SessionTable, panel::PanelAccount},
};
use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{ConnectInfo, FromRequest, FromRequestParts, Multipart, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header, header::CONTENT_TYPE, request::Parts},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use maud::Markup;
use std::net::SocketAddr;

const WINDOW_MS: i64 = 60_000;
/// A session's last use is written at most this often (not on every page view).
const TOUCH_EVERY_MS: i64 = 60_000;

/// The signed-in account of a request, put there by `authenticate`.
#[derive(Debug, Clone)]
pub struct Panel {
    pub account: PanelAccount,
    pub role: Role,
    pub csrf: String,
    /// The id of this browser session (kept when the account signs out its others).
    pub session_id: i64,
    /// Whom the operations act for: this account's seller, audited as `panel:<account id>`.
    pub tenant: Tenant,
}

impl<S: Send + Sync> FromRequestParts<S> for Panel {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PanelError> {
        parts.extensions.get::<Panel>().cloned().ok_or(PanelError::Forbidden("Sign in first."))
    }
}

/// The session's CSRF token, which every form of the session carries.
pub trait Csrf {
    fn csrf(&self) -> &str;
}

impl Csrf for Panel {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A live session as a face finds it: its id, last use, and who is signed in.
pub struct Live<W> {
    pub id: i64,
    pub last_used_at: i64,
    pub who: W,
}

/// One browser face with its own accounts and session table.
pub trait Face: Send + Sync + 'static {
    /// The signed-in principal, handed to handlers as a request extension.
    type Who: Csrf + Clone + Send + Sync + 'static;
    /// What a face's base names: nothing for a face at one fixed path, the app for the
    /// customer panel.
    type Place: Send + Sync + 'static;
    const COOKIE: &'static str;
    /// The double-submit cookie of the sign-in form.
    const SIGNIN_COOKIE: &'static str;
    /// Prefix of the sign-in limiter's buckets.
    const BUCKET: &'static str;
    /// The one answer to every failed sign-in.
    const WRONG: &'static str;
    /// Where its sessions are stored, touched and ended.
    const TABLE: SessionTable;

    /// The prefix (ending in `/`) of the face's pages that request path `path` lies under: the
    /// start page a signed-in browser lands on, `{base}signin`, and its cookies' `Path`. `None`
    /// when the path names no base of the face.
    fn base(path: &str) -> Option<String>;
    /// The place `base` names, if it exists and the face is open there.
    fn place(state: &AppState, base: &str) -> impl Future<Output = Result<Option<Self::Place>, PanelError>> + Send;
    fn session(
        state: &AppState,
        place: &Self::Place,
        digest: &str,
        now: i64,
        idle_since: i64,
    ) -> impl Future<Output = Result<Option<Live<Self::Who>>, PanelError>> + Send;
    /// Who the sign-in form names, as its per-account limiter bucket counts it.
    fn principal(place: &Self::Place, form: &Fields) -> String;
    /// Checks the sign-in form and opens a session; the cookie value. Wrong credentials are
    /// `ManageError::Forbidden`.
    fn open(
        state: &AppState,
        place: &Self::Place,
        form: &Fields,
    ) -> impl Future<Output = Result<String, ManageError>> + Send;
    fn sign_in_page(place: &Self::Place, base: &str, token: &str, error: Option<&str>) -> Markup;
}

/// The email a sign-in form names, as accounts store it.
pub fn form_email(form: &Fields) -> String {
    form.get("email").unwrap_or("").trim().to_lowercase()
}

/// The seller panel's face.
pub struct PanelFace;

impl Face for PanelFace {
    type Who = Panel;
    type Place = ();
    const COOKIE: &'static str = "licensd_panel";
    const SIGNIN_COOKIE: &'static str = "licensd_panel_signin";
    const BUCKET: &'static str = "panel_signin";
    const WRONG: &'static str = "Wrong email, password or authenticator code.";
    const TABLE: SessionTable = SessionTable::Panel;

    fn base(_: &str) -> Option<String> {
        Some("/panel/".into())
    }

    async fn place(_: &AppState, _: &str) -> Result<Option<()>, PanelError> {
        Ok(Some(()))
    }

    async fn session(
        state: &AppState,
        _: &(),
        digest: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<Live<Panel>>, PanelError> {
        let Some(session) = state.store.panel_session(digest, now, idle_since).await? else { return Ok(None) };
        let role = session.account.role;
        let tenant = panel::account_tenant(&session.account);
        let who = Panel { account: session.account, role, csrf: session.csrf_token, session_id: session.id, tenant };
        Ok(Some(Live { id: session.id, last_used_at: session.last_used_at.get(), who }))
    }

    fn principal(_: &(), form: &Fields) -> String {
        form_email(form)
    }

    async fn open(state: &AppState, _: &(), form: &Fields) -> Result<String, ManageError> {
        let creds = panel::Credentials {
            email: &form_email(form),
            password: form.get("password").unwrap_or(""),
            code: form.get("code").unwrap_or(""),
        };
        let max_secs = state.config.panel_session_max_secs;
        Ok(panel::sign_in(&state.store, &state.services.passwords, &creds, max_secs).await?.cookie)
    }

    fn sign_in_page(_: &(), _: &str, token: &str, error: Option<&str>) -> Markup {
        layout::sign_in_page(token, error)
    }
}

/// Lets a request through with a live session of face `F` (and, for a POST, its CSRF token);
/// else sends a browser to the face's sign-in page.
pub async fn authenticate<F: Face>(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match check::<F>(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(res) => res,
    }
}

async fn check<F: Face>(state: &AppState, req: Request) -> Result<Request, Response> {
    let now = now_ms();
    let (base, place) = located::<F>(state, req.uri()).await.map_err(IntoResponse::into_response)?;
    let digest = cookie(req.headers(), F::COOKIE).map(secret::hash_secret).ok_or_else(|| to_sign_in(&base))?;
    let idle_since = now - state.config.panel_session_idle_secs.saturating_mul(1000);
    let session = F::session(state, &place, &digest, now, idle_since)
        .await
        .map_err(IntoResponse::into_response)?
        .ok_or_else(|| to_sign_in(&base))?;
    if now - session.last_used_at >= TOUCH_EVERY_MS {
        state.store.touch_browser_session(F::TABLE, session.id, now).await.map_err(fault)?;
    }
    let found = session.who;
    let mut req = if req.method() == Method::GET || req.method() == Method::HEAD {
        req
    } else {
        let (parts, body) = req.into_parts();
        let bytes = to_bytes(body, state.config.max_body_bytes).await.map_err(|_| forbidden(STALE))?;
        if !same(sent_csrf(&parts, &bytes).await.as_deref(), found.csrf()) {
            return Err(forbidden(STALE));
        }
        Request::from_parts(parts, Body::from(bytes))
    };
    req.extensions_mut().insert(found);
    Ok(req)
}

/// The `csrf` field of a POST body: a urlencoded form's, or the part of that name of a
/// `multipart/form-data` one (the file upload), which must come before the file.
async fn sent_csrf(parts: &Parts, bytes: &Bytes) -> Option<String> {
    let multipart = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.get(..19).is_some_and(|t| t.eq_ignore_ascii_case("multipart/form-data")));
    if !multipart {
        return Fields::parse(bytes).get("csrf").map(str::to_owned);
    }
    let mut req = Request::new(Body::from(bytes.clone()));
    *req.headers_mut() = parts.headers.clone();
    let mut form = Multipart::from_request(req, &()).await.ok()?;
    while let Ok(Some(part)) = form.next_field().await {
        if part.name() == Some("csrf") {
            return part.text().await.ok();
        }
    }
    None
}

pub(crate) const STALE: &str =
    "This form has no valid security token (it may be from an old page). Reload the page and try again.";

/// Asks the signed-in account for its password again (the form's `password` field) before a
/// secret is shown or many objects are deleted at once. Failures count in the account's sign-in bucket, so a stolen session cannot
/// guess the password faster than a sign-in form could.
pub async fn reauthenticate(state: &AppState, panel: &Panel, form: &Fields) -> Result<(), PanelError> {
    let now = now_ms();
    let c = &state.config;
    let limit = i64::from(c.panel_login_failures_per_account_per_min);
    let bucket = account_bucket::<PanelFace>(&panel.account.email);
    if limit > 0 && state.limiter.hit(&bucket, now, WINDOW_MS).await? > limit {
        return Err(PanelError::TooManyAttempts);
    }
    let password = form.get("password").unwrap_or("");
    panel::confirm_password(&state.services.passwords, &panel.account, password).await?;
    if limit > 0 {
        state.limiter.refund(&bucket, now, WINDOW_MS).await?;
    }
    Ok(())
}

/// Counts a failed check made after `reauthenticate` (a wrong authenticator code) in the
/// account's sign-in bucket, as a failed sign-in counts: the password alone does not open
/// unlimited guesses at the code.
pub async fn count_failed_check(state: &AppState, panel: &Panel) -> Result<(), PanelError> {
    let limit = i64::from(state.config.panel_login_failures_per_account_per_min);
    if limit > 0 {
        let bucket = account_bucket::<PanelFace>(&panel.account.email);
        state.limiter.hit(&bucket, now_ms(), WINDOW_MS).await?;
    }
    Ok(())
}

/// The password field of a form that `reauthenticate` checks.
pub fn password_again() -> Markup {
    maud::html! {
        label for="password" { "Your password (asked again for this)" }
        input #password type="password" name="password" autocomplete="current-password" required;
    }
}

/// Refuses a request whose account's role is below `needed`.
pub async fn require_role(State(needed): State<Role>, req: Request, next: Next) -> Response {
    match req.extensions().get::<Panel>() {
        Some(p) if p.role.may(needed) => next.run(req).await,
        _ => forbidden("Your account's role may not do this."),
    }
}

fn forbidden(why: &'static str) -> Response {
    PanelError::Forbidden(why).into_response()
}

fn fault(e: StoreError) -> Response {
    PanelError::from(e).into_response()
}

fn to_sign_in(base: &str) -> Response {
    Redirect::to(&format!("{base}signin")).into_response()
}

/// The face's base and place that the request's path names; a path that names none (an app
/// without a customer panel, say) is not found.
pub(crate) async fn located<F: Face>(state: &AppState, uri: &Uri) -> Result<(String, F::Place), PanelError> {
    let nowhere = || PanelError::Status(StatusCode::NOT_FOUND, "There is no such page.".into());
    let base = F::base(uri.path()).ok_or_else(nowhere)?;
    let place = F::place(state, &base).await?.ok_or_else(nowhere)?;
    Ok((base, place))
}

pub async fn to_panel() -> Redirect {
    Redirect::permanent("/panel/")
}

pub async fn sign_in_page<F: Face>(State(state): State<AppState>, uri: Uri) -> Result<Response, PanelError> {
    let (base, place) = located::<F>(&state, &uri).await?;
    Ok(sign_in_form::<F>(&state, &base, &place, StatusCode::OK, None))
}

/// The form with a fresh double-submit token (cookie and hidden field).
fn sign_in_form<F: Face>(
    state: &AppState,
    base: &str,
    place: &F::Place,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    signed_out_form::<F>(state, base, |token| (status, F::sign_in_page(place, base, token, error)).into_response())
}

/// A form of face `F` shown without a session (signing in, accepting an invitation): `page`
/// renders it with a fresh token for its hidden `csrf` field, which is also set as a
/// short-lived cookie; `signed_out_form_sent` checks that a POST brings both back alike.
pub fn signed_out_form<F: Face>(state: &AppState, base: &str, page: impl FnOnce(&str) -> Response) -> Response {
    let token = secret::new_session_id();
    let mut res = page(&token);
    set_cookie(&mut res, state, base, F::SIGNIN_COOKIE, &token, 600);
    res
}

/// Whether a POST of a form made by `signed_out_form` carries its token in field and cookie.
pub fn signed_out_form_sent<F: Face>(headers: &HeaderMap, form: &Fields) -> bool {
    cookie(headers, F::SIGNIN_COOKIE).is_some_and(|c| same(form.get("csrf"), c))
}

pub async fn sign_in<F: Face>(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    form: Fields,
) -> Result<Response, PanelError> {
    let (base, place) = located::<F>(&state, &uri).await?;
    if !signed_out_form_sent::<F>(&headers, &form) {
        return Err(PanelError::Forbidden(STALE));
    }
    let ip = client_ip(Some(peer.ip()), &headers, &state.config);
    let buckets = buckets::<F>(&state, &ip, &F::principal(&place, &form));
    let now = now_ms();
    // Counted before the password is checked, refunded on success: parallel guesses cannot
    // overshoot, and signing in does not use up the budget. Per address first, so an address
    // that is refused does not lock the account for everyone else.
    for (bucket, limit) in &buckets {
        if state.limiter.hit(bucket, now, WINDOW_MS).await? > *limit {
            return Err(PanelError::TooManyAttempts);
        }
    }
    match F::open(&state, &place, &form).await {
        Ok(session_cookie) => {
            for (bucket, _) in &buckets {
                state.limiter.refund(bucket, now, WINDOW_MS).await?;
            }
            let mut res = Redirect::to(&base).into_response();
            set_cookie(&mut res, &state, &base, F::COOKIE, &session_cookie, state.config.panel_session_max_secs);
            set_cookie(&mut res, &state, &base, F::SIGNIN_COOKIE, "", 0);
            Ok(res)
        }
        Err(ManageError::Forbidden) => {
            Ok(sign_in_form::<F>(&state, &base, &place, StatusCode::UNAUTHORIZED, Some(F::WRONG)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The counters a sign-in attempt goes into, with their limits (0: unlimited, left out).
fn buckets<F: Face>(state: &AppState, ip: &str, principal: &str) -> Vec<(String, i64)> {
    let c = &state.config;
    [
        (format!("{}:{}", F::BUCKET, network(ip)), c.panel_login_failures_per_ip_per_min),
        (account_bucket::<F>(principal), c.panel_login_failures_per_account_per_min),
    ]
    .into_iter()
    .filter(|(_, limit)| *limit > 0)
    .map(|(bucket, limit)| (bucket, i64::from(limit)))
    .collect()
}

/// The limiter bucket of one account's failed sign-ins (and re-authentications) at face `F`.
fn account_bucket<F: Face>(principal: &str) -> String {
    format!("{}_account:{principal}", F::BUCKET)
}

pub async fn sign_out<F: Face>(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, PanelError> {
    let (base, _) = located::<F>(&state, &uri).await?;
    if let Some(c) = cookie(&headers, F::COOKIE) {
        state.store.delete_browser_session(F::TABLE, &secret::hash_secret(c)).await?;
    }
    let mut res = to_sign_in(&base);
    set_cookie(&mut res, &state, &base, F::COOKIE, "", 0);
    Ok(res)
}

/// The value of cookie `name` in the request, if any.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

fn same(sent: Option<&str>, expected: &str) -> bool {
    sent.is_some_and(|s| secret::constant_time_eq(s.as_bytes(), expected.as_bytes()))
}

/// Sets a cookie of the face at `base` that scripts cannot read and other sites' requests do not
/// carry; `Secure` when this server speaks TLS (a TLS-terminating proxy in front: see
/// docs/panel.md).
fn set_cookie(res: &mut Response, state: &AppState, base: &str, name: &str, value: &str, max_age_secs: i64) {
    let secure = if state.config.serves_tls() { "; Secure" } else { "" };
    let line = format!("{name}={value}; HttpOnly; SameSite=Strict; Path={base}; Max-Age={max_age_secs}{secure}");
    if let Ok(v) = HeaderValue::from_str(&line) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}
