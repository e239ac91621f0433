//! The seller's admin API tokens: the list (names and dates: a token's secret is stored only as
//! a hash and shown once, on the page answering its creation), owners create one and revoke one
//! behind a confirmation page. The seller's other tokens (store, seller API) are not shown here.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::{self, Panel},
};
use crate::{
    domain::panel::Role,
    manage::{ManageError, tokens},
    state::AppState,
    store::tokens::{ApiToken, TokenKind},
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

fn is_admin(t: &ApiToken) -> bool {
    t.kind == TokenKind::Seller
}

fn revoked(t: &ApiToken) -> bool {
    t.revoked_at.is_some()
}

/// The seller's admin tokens, oldest first.
async fn admin_tokens(state: &AppState, panel: &Panel) -> Result<Vec<ApiToken>, PanelError> {
    let all = tokens::list(&state.store, &panel.tenant.scope(), None).await?;
    Ok(all.into_iter().filter(is_admin).collect())
}

/// The admin token `ids` names, not yet revoked; another one answers like a missing one.
async fn live_token(state: &AppState, panel: &Panel, ids: &Ids) -> Result<ApiToken, PanelError> {
    let id: i64 = ids.last();
    admin_tokens(state, panel)
        .await?
        .into_iter()
        .find(|t| t.id == id && !revoked(t))
        .ok_or(PanelError::Manage(ManageError::NotFound("token")))
}

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let rows = admin_tokens(&state, &panel).await?;
    let content = html! {
        p { "An admin API token manages this seller's data through the admin API: keep it as safe "
            "as an owner's password. Its secret is shown once, when it is made." }
        @if panel.role.may(Role::Owner) { (create_form(&panel)) }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Created (UTC)" } th scope="col" { "Last used" }
                    th scope="col" { "State" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for t in &rows { (row(&panel, t)) }
                    @if rows.is_empty() { tr { td colspan="5" { "No admin tokens." } } }
                }
            }
        }
    };
    Ok(layout::page(&panel, "/panel/tokens", "API tokens", layout::notice(q.get("done")), content))
}

fn row(panel: &Panel, t: &ApiToken) -> Markup {
    html! {
        tr {
            td { (t.name) }
            td { (layout::when(Some(t.created_at.get()))) }
            td { (layout::when(t.last_used_at.map(i64::from))) }
            td {
                @if revoked(t) { span.badge.banned { "revoked" } " " small { (layout::when(t.revoked_at.map(i64::from))) } }
                @else { span.badge.used { "active" } }
            }
            td.actions {
                @if panel.role.may(Role::Owner) && !revoked(t) {
                    a.danger href=(format!("/panel/tokens/{}/revoke", t.id)) { "Revoke…" }
                }
            }
        }
    }
}

fn create_form(panel: &Panel) -> Markup {
    html! {
        details.generate {
            summary { "Create a token" }
            form.stack method="post" action="/panel/tokens" {
                (layout::csrf(panel))
                label for="name" { "Name (what uses it, e.g. \"shop backend\")" }
                input #name type="text" name="name" required maxlength="100";
                (session::password_again())
                button type="submit" { "Create" }
            }
        }
    }
}

pub async fn create(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Markup, PanelError> {
    let name = f.required("name", 100)?;
    session::reauthenticate(&state, &panel, &f).await?;
    let (token, secret) =
        tokens::create(&state.store, &panel.tenant.scope(), TokenKind::Seller, None, None, &name).await?;
    let content = html! {
        p role="status" { "Token " strong { (token.name) } " was created." }
        label for="secret" { "Its secret, shown this once: send it as Authorization: Bearer to the admin API" }
        input #secret type="text" readonly value=(secret);
        p { a href="/panel/tokens" { "Back to the tokens" } }
    };
    Ok(layout::page(&panel, "/panel/tokens", "New token", None, content))
}

pub async fn confirm_revoke(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let t = live_token(&state, &panel, &ids).await?;
    let question = html! { "Revoke token " strong { (t.name) } "? Whatever uses it is refused from now on. This cannot be undone." };
    let action = format!("/panel/tokens/{}/revoke", t.id);
    let content = layout::confirmation(&panel, question, &action, "Yes, revoke it", "/panel/tokens");
    Ok(layout::page(&panel, "/panel/tokens", "Revoke a token", None, content))
}

/// Only admin tokens are revoked here (the seller's store and seller API tokens have their own
/// places); the check reads the list, the revocation itself is one operation.
pub async fn revoke(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let t = live_token(&state, &panel, &ids).await?;
    tokens::revoke(&state.store, &panel.tenant.scope(), t.id).await?;
    Ok(Redirect::to("/panel/tokens?done=revoked").into_response())
}
