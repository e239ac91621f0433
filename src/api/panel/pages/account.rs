//! The signed-in account's own page, for every role: who it is, its authenticator code (turned
//! on or replaced with a fresh secret, behind the password and a first code; turned off behind
//! the password and a current code), and a
//! password change (the current password, the new one twice) that signs out the account's
//! other sessions. Nothing here touches the seller's data, so readonly may post it.

use super::super::{
    PanelError,
    fields::Fields,
    layout,
    session::{self, Panel},
};
use crate::{
    domain::totp,
    manage::{ManageError, panel as accounts, panel::MIN_PASSWORD_CHARS},
    state::AppState,
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const PATH: &str = "/panel/account";
const TOTP: &str = "/panel/account/totp";
const TOTP_OFF: &str = "/panel/account/totp/off";

pub async fn show(panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    Ok(page(&panel, layout::notice(q.get("done")), None, None))
}

fn page(panel: &Panel, notice: Option<&str>, error: Option<&str>, totp_error: Option<&str>) -> Markup {
    let a = &panel.account;
    let content = html! {
        p { "Signed in as " strong { (a.email) } ", " (a.role.as_str()) "." }
        p {
            @if a.totp_enrolled() { "An authenticator code is asked at every sign-in. " a href=(TOTP) { "Replace it…" } }
            @else { "No authenticator code is asked at sign-in. " a href=(TOTP) { "Turn it on…" } }
        }
        @if let Some(e) = totp_error { p.error role="alert" { (e) } }
        @if a.totp_enrolled() {
            h2 { "Turn the authenticator code off" }
            form.stack method="post" action=(TOTP_OFF) {
                (layout::csrf(panel))
                label for="off-code" { "The code your app shows now" }
                input #off-code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required;
                (session::password_again())
                button type="submit" { "Turn it off" }
            }
        }
        h2 { "Change your password" }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form.stack method="post" action=(PATH) {
            (layout::csrf(panel))
            label for="current" { "Your current password" }
            input #current type="password" name="current" autocomplete="current-password" required;
            label for="password" { "The new password (at least " (MIN_PASSWORD_CHARS) " characters)" }
            input #password type="password" name="password" autocomplete="new-password" required minlength=(MIN_PASSWORD_CHARS);
            label for="password2" { "The new password again" }
            input #password2 type="password" name="password2" autocomplete="new-password" required;
            button type="submit" { "Change the password" }
        }
    };
    layout::page(panel, PATH, "Your account", notice, content)
}

pub async fn change_password(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Response, PanelError> {
    let new = f.get("password").unwrap_or("");
    if f.get("password2").unwrap_or("") != new {
        return Ok(refused(&panel, "The two new passwords differ."));
    }
    let current = f.get("current").unwrap_or("");
    let passwords = &state.services.passwords;
    match accounts::change_password(&state.store, passwords, &panel.account, panel.session_id, current, new).await {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=password")).into_response()),
        Err(ManageError::Invalid(e)) => Ok(refused(&panel, &format!("{}: {}", e.field, e.message))),
        Err(e) => Err(e.into()),
    }
}

fn refused(panel: &Panel, why: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page(panel, None, Some(why), None)).into_response()
}

fn totp_refused(panel: &Panel, why: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page(panel, None, None, Some(why))).into_response()
}

/// Turns the account's own authenticator code off: the password again and a current code.
pub async fn remove_totp(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Response, PanelError> {
    session::reauthenticate(&state, &panel, &f).await?;
    match accounts::remove_own_totp(&state.store, &panel.account, f.get("code").unwrap_or("")).await {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=totp_off")).into_response()),
        Err(ManageError::Invalid(e)) => {
            session::count_failed_check(&state, &panel).await?;
            Ok(totp_refused(&panel, &format!("{}: {}", e.field, e.message)))
        }
        Err(ManageError::Conflict { message, .. }) => Ok(totp_refused(&panel, &message)),
        Err(e) => Err(e.into()),
    }
}

/// A fresh secret to scan, with the form that turns it on: the secret travels in the form
/// (it is on the page anyway), and the POST is what checks the password and a first code.
pub async fn totp_form(panel: Panel) -> Result<Markup, PanelError> {
    Ok(totp_page(&panel, &totp::new_secret(), None))
}

fn totp_page(panel: &Panel, secret: &str, error: Option<&str>) -> Markup {
    let uri = totp::otpauth_url(secret, "licensd", &panel.account.email).unwrap_or_default();
    let content = html! {
        p { "Add this secret to your authenticator app (scan or paste the link, or type the secret), "
            "then give the six-digit code it shows and your password." }
        label for="uri" { "Link for the authenticator app" }
        input #uri type="text" readonly value=(uri);
        label for="shown" { "The secret" }
        input #shown type="text" readonly value=(secret);
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form.stack method="post" action=(TOTP) {
            (layout::csrf(panel))
            input type="hidden" name="secret" value=(secret);
            label for="code" { "The code your app shows now" }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required;
            (session::password_again())
            button type="submit" { "Turn it on" }
        }
        p { a href=(PATH) { "Back to your account" } }
    };
    layout::page(panel, PATH, "Authenticator code", None, content)
}

pub async fn enrol_totp(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Response, PanelError> {
    let secret = f.required("secret", 64)?;
    session::reauthenticate(&state, &panel, &f).await?;
    let code = f.get("code").unwrap_or("");
    match accounts::enrol_own_totp(&state.store, &panel.account, &secret, code).await {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?done=totp")).into_response()),
        Err(ManageError::Invalid(e)) if e.field == "code" => {
            let why = format!("{}: {}", e.field, e.message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, totp_page(&panel, &secret, Some(&why))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
