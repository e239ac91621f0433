//! The buyer's keys (`/customer/{ownerid}/{app id}/keys`), before and without any session: the
//! buyer gives the email of their order, gets a code by mail (`keys/code`), and the code shown
//! back (`keys`) answers the list of their keys of the app. Forms carry the sign-in form's
//! double-submit token; both posts count against the sign-in limit per address, and a code
//! survives only a few wrong guesses (`manage::bought_keys`).

use super::session::{CustomerFace, PanelApp};
use crate::api::client::context::client_ip;
use crate::api::panel::{PanelError, fields::Fields, layout, session};
use crate::domain::{netaddr::network, time::now_ms};
use crate::manage::{ManageError, bought_keys};
use crate::state::AppState;
use crate::store::purchase_codes::BoughtKey;
use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use maud::{Markup, html};
use std::net::SocketAddr;

const WRONG: &str = "Wrong or expired code. Ask for a new one if it keeps failing.";

/// The email form.
pub async fn page(State(state): State<AppState>, uri: Uri) -> Result<Response, PanelError> {
    let (base, at) = session::located::<CustomerFace>(&state, &uri).await?;
    if state.services.mail.is_none() {
        return Ok(no_mail(&at));
    }
    Ok(email_form(&state, &base, &at, StatusCode::OK, None))
}

/// Mails a code when the address bought keys of the app; the answer is the same either way.
pub async fn send_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    form: Fields,
) -> Result<Response, PanelError> {
    let (base, at) = checked(&state, &uri, &headers, &form, peer).await?;
    let Some(mailer) = state.services.mail.as_ref() else { return Ok(no_mail(&at)) };
    let email = form.get("email").unwrap_or("").trim().to_owned();
    match bought_keys::send_code(&state.store, mailer, &at.app, &email) {
        Ok(()) => Ok(code_form(&state, &base, &at, &email, StatusCode::OK, None)),
        Err(ManageError::Invalid(_)) => Ok(email_form(
            &state,
            &base,
            &at,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Enter the email address of your order."),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The buyer's keys for a right code; the code form again for a wrong one.
pub async fn open(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    form: Fields,
) -> Result<Response, PanelError> {
    let (base, at) = checked(&state, &uri, &headers, &form, peer).await?;
    let email = form.get("email").unwrap_or("").trim().to_owned();
    match bought_keys::open(&state.store, &at.app, &email, form.get("code").unwrap_or("")).await {
        Ok(keys) => Ok(list(&at, &base, &email, &keys).into_response()),
        Err(ManageError::Forbidden) => Ok(code_form(&state, &base, &at, &email, StatusCode::UNAUTHORIZED, Some(WRONG))),
        Err(e) => Err(e.into()),
    }
}

/// The panel the path names, a form that came from it, and the address's budget of attempts
/// (`panel_login_failures_per_ip_per_min`, counted for every post: asking for codes and
/// guessing them both cost).
async fn checked(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    form: &Fields,
    peer: SocketAddr,
) -> Result<(String, PanelApp), PanelError> {
    let (base, at) = session::located::<CustomerFace>(state, uri).await?;
    if !session::signed_out_form_sent::<CustomerFace>(headers, form) {
        return Err(PanelError::Forbidden(session::STALE));
    }
    let limit = i64::from(state.config.panel_login_failures_per_ip_per_min);
    if limit > 0 {
        let ip = client_ip(Some(peer.ip()), headers, &state.config);
        let bucket = format!("customer_keys:{}", network(&ip));
        if state.limiter.hit(&bucket, now_ms(), 60_000).await? > limit {
            return Err(PanelError::TooManyAttempts);
        }
    }
    Ok((base, at))
}

fn heading(at: &PanelApp) -> String {
    format!("{}: your keys", at.app.name)
}

fn no_mail(at: &PanelApp) -> Response {
    let message = "This server does not send mail, so it cannot show bought keys here. Ask the seller for your key.";
    (StatusCode::NOT_FOUND, layout::message_page(&heading(at), message, &format!("{}signin", at.base))).into_response()
}

fn email_form(state: &AppState, base: &str, at: &PanelApp, status: StatusCode, error: Option<&str>) -> Response {
    session::signed_out_form::<CustomerFace>(state, base, |token| {
        let fields = html! {
            p { "Enter the email address you bought with. If it bought keys of " (at.app.name) ", we mail it a code that shows them here." }
            label for="email" { "Email" }
            input #email type="email" name="email" autocomplete="email" required autofocus;
        };
        let forms = layout::sign_in_fields(&format!("{base}keys/code"), token, fields, "Mail me a code");
        (status, layout::sign_in_shell(&heading(at), error, forms)).into_response()
    })
}

fn code_form(
    state: &AppState,
    base: &str,
    at: &PanelApp,
    email: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    session::signed_out_form::<CustomerFace>(state, base, |token| {
        let fields = html! {
            p { "If " strong { (email) } " bought keys of " (at.app.name) ", a code is on its way to it (or was, if you asked before). It works once, for "
                (bought_keys::CODE_TTL_MS / 60_000) " minutes." }
            input type="hidden" name="email" value=(email);
            label for="code" { "Code" }
            input #code type="text" name="code" autocomplete="one-time-code" maxlength="20" required autofocus;
        };
        let forms = html! {
            (layout::sign_in_fields(&format!("{base}keys"), token, fields, "Show my keys"))
            p { a href=(format!("{base}keys")) { "Ask for a new code" } }
        };
        (status, layout::sign_in_shell(&heading(at), error, forms)).into_response()
    })
}

fn list(at: &PanelApp, base: &str, email: &str, keys: &[BoughtKey]) -> Markup {
    let now = now_ms();
    let content = html! {
        p { "Keys of " (at.app.name) " bought with " strong { (email) } ", newest first. This page is shown once: keep your keys safe." }
        div.scroll {
            table {
                thead { tr { th scope="col" { "Key" } th scope="col" { "Plan" } th scope="col" { "Order" } th scope="col" { "Bought (UTC)" } th scope="col" { "State" } } }
                tbody {
                    @for k in keys {
                        tr {
                            td { code { (k.key) } } td { (k.plan_name) }
                            td { @if let (Some(s), Some(id)) = (&k.store, &k.external_id) { (s) " " (id) } @else { "-" } }
                            td { (layout::when(Some(k.created_at.get()))) }
                            td { (state_of(k, now)) }
                        }
                    }
                }
            }
        }
        p { a href=(format!("{base}signin")) { "Sign in to your account" } }
    };
    layout::sign_in_shell(&heading(at), None, content)
}

/// What the buyer can do with the key now.
fn state_of(k: &BoughtKey, now: i64) -> &'static str {
    match k.expires_at {
        _ if k.banned_reason.is_some() => "banned",
        _ if !k.active => "switched off",
        Some(end) if end.get() <= now => "expired",
        _ if k.used_at.is_some() => "in use",
        _ => "not used yet",
    }
}
