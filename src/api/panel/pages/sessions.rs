//! An app's live client sessions (what `init` opened and not yet expired or ended): who, from
//! where, since when, until when, 50 a page. Support and owners end one session (the client
//! signs in again) or, behind a confirmation page, every session of the app at once.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::AppId;
use crate::{domain::panel::Role, manage::client_data, state::AppState, store::client_admin::LiveSession};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const PATH: &str = "/panel/sessions";
const PER_PAGE: i64 = 50;

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    super::app_page(&state, &panel, &q, (PATH, "Sessions"), async |at| {
        let rows = client_data::list_sessions(&state.store, &at, super::list_page(&q, PER_PAGE)?).await?;
        let support = panel.role.may(Role::Support);
        Ok(html! {
            @if support && !rows.is_empty() {
                p { a.danger href=(format!("/panel/apps/{}/sessions/end-all", at.id())) { "End every session…" } }
            }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "User" } th scope="col" { "State" } th scope="col" { "IP address" }
                        th scope="col" { "Opened (UTC)" } th scope="col" { "Expires (UTC)" } th scope="col" { "Actions" }
                    } }
                    tbody {
                        @for s in &rows { (row(&panel, at.id(), s, support)) }
                        @if rows.is_empty() { tr { td colspan="6" { "No live sessions." } } }
                    }
                }
            }
            (super::next_pager(PATH, &[("app", at.id().to_string())], q.number("page")?, rows.len(), PER_PAGE))
        })
    })
    .await
}

fn row(panel: &Panel, app_id: AppId, s: &LiveSession, support: bool) -> Markup {
    html! {
        tr {
            td { (s.username.as_deref().unwrap_or("–")) }
            td { @if s.validated { span.badge.used { "signed in" } } @else { span.badge { "opened" } } }
            td { code { (s.ip) } }
            td { (layout::when(Some(s.created_at.get()))) }
            td { (layout::when(Some(s.expires_at.get()))) }
            td.actions {
                @if support {
                    (layout::button(panel, &format!("/panel/apps/{app_id}/sessions/end"), "End", &[("session", &s.id)]))
                }
            }
        }
    }
}

/// Ends the session the `session` field names (its listed id, a digest: never the client's own).
pub async fn end(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let app_id: AppId = ids.first();
    let session = f.required("session", 64)?;
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    client_data::end_session(&state.store, &at, &session).await?;
    Ok(Redirect::to(&format!("{PATH}?app={app_id}&done=ended")).into_response())
}

pub async fn confirm_end_all(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let at = client_data::client_app(&state.store, &panel.tenant, ids.first()).await?;
    let question = html! {
        "End every session of " strong { (at.app().name) } "? Every running client must sign in again."
    };
    let action = format!("/panel/apps/{}/sessions/end-all", at.id());
    let back = format!("{PATH}?app={}", at.id());
    let content = layout::confirmation(&panel, question, &action, "Yes, end them all", &back);
    Ok(layout::page(&panel, PATH, "End every session", None, content))
}

pub async fn end_all(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let app_id: AppId = ids.first();
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    client_data::end_all_sessions(&state.store, &at).await?;
    Ok(Redirect::to(&format!("{PATH}?app={app_id}&done=ended")).into_response())
}
