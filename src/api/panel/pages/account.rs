//! The signed-in account's own page, for every role: who it is, whether TOTP is on, and a
//! password change (the current password, the new one twice) that signs out the account's
//! other sessions. Nothing here touches the seller's data, so readonly may post it.

use super::super::{PanelError, fields::Fields, layout, session::Panel};
use crate::{
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

pub async fn show(panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    Ok(page(&panel, layout::notice(q.get("done")), None))
}

fn page(panel: &Panel, notice: Option<&str>, error: Option<&str>) -> Markup {
    let a = &panel.account;
    let content = html! {
        p { "Signed in as " strong { (a.email) } ", " (a.role.as_str()) "." }
        p {
            @if a.totp_enrolled() { "An authenticator code is asked at every sign-in." }
            @else { "No authenticator code is asked at sign-in: the operator turns it on with "
                    code { "licensd seller user totp" } "." }
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
    (StatusCode::UNPROCESSABLE_ENTITY, page(panel, None, Some(why))).into_response()
}
