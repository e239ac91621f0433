//! Accepting an invitation to the seller panel, before any session exists: the link
//! `/panel/invitation?token=...` (the token travels in the query, which request logs leave
//! out) shows whom it invites as what, and a form to choose a password; posting it creates
//! the account, and the invitee signs in as anyone does. The form carries a double-submit
//! token like the sign-in form, and the invitation's own token as a hidden field.

use super::{
    PanelError, PanelFace,
    fields::Fields,
    layout,
    session::{self},
};
use crate::{
    manage::{ManageError, panel::MIN_PASSWORD_CHARS, panel_invitations},
    state::AppState,
    store::panel_invitations::PanelInvitation,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use maud::html;

const PATH: &str = "/panel/invitation";

pub async fn page(State(state): State<AppState>, q: Fields) -> Result<Response, PanelError> {
    let token = q.required("token", 200)?;
    let invitation = panel_invitations::by_token(&state.store, &token).await?;
    Ok(form(&state, &invitation, &token, StatusCode::OK, None))
}

fn form(
    state: &AppState,
    invitation: &PanelInvitation,
    token: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    session::signed_out_form::<PanelFace>(state, "/panel/", |csrf| {
        let fields = html! {
            p { "You are invited to licensd as " strong { (invitation.email) } ", with the role " strong { (invitation.role.as_str()) } "." }
            input type="hidden" name="token" value=(token);
            label for="password" { "Choose a password (at least " (MIN_PASSWORD_CHARS) " characters)" }
            input #password type="password" name="password" autocomplete="new-password" required minlength=(MIN_PASSWORD_CHARS) autofocus;
            label for="password2" { "The same password again" }
            input #password2 type="password" name="password2" autocomplete="new-password" required;
        };
        let page = layout::sign_in_shell(
            "Accept the invitation",
            error,
            layout::sign_in_fields(PATH, csrf, fields, "Create my account"),
        );
        (status, page).into_response()
    })
}

pub async fn accept(State(state): State<AppState>, headers: HeaderMap, f: Fields) -> Result<Response, PanelError> {
    if !session::signed_out_form_sent::<PanelFace>(&headers, &f) {
        return Err(PanelError::Forbidden(session::STALE));
    }
    let token = f.required("token", 200)?;
    let invitation = panel_invitations::by_token(&state.store, &token).await?;
    let password = f.get("password").unwrap_or("");
    if f.get("password2").unwrap_or("") != password {
        return Ok(form(
            &state,
            &invitation,
            &token,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("The two passwords differ."),
        ));
    }
    match panel_invitations::accept(&state.store, &state.services.passwords, &token, password).await {
        Ok(_) => Ok(Redirect::to("/panel/signin").into_response()),
        Err(ManageError::Invalid(e)) => {
            let message = format!("{}: {}", e.field, e.message);
            Ok(form(&state, &invitation, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(&message)))
        }
        Err(e) => Err(e.into()),
    }
}
