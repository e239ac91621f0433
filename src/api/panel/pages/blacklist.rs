//! An app's blacklist: HWIDs and IP addresses the client API refuses. The list, 50 a page;
//! support and owners add an entry and remove one behind a confirmation page.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::AppId;
use crate::{domain::panel::Role, manage::client_data, state::AppState, store::client_admin::BlacklistEntry};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const PER_PAGE: i64 = 50;

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    super::app_page(&state, &panel, &q, ("/panel/blacklist", "Blacklist"), async |at| {
        let rows = client_data::list_blacklist(&state.store, &at, super::list_page(&q, PER_PAGE)?).await?;
        Ok(html! {
            @if panel.role.may(Role::Support) { (add_form(&panel, at.id())) }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Kind" } th scope="col" { "Value" } th scope="col" { "Reason" }
                        th scope="col" { "Added (UTC)" } th scope="col" { "Actions" }
                    } }
                    tbody {
                        @for e in &rows { (row(&panel, e)) }
                        @if rows.is_empty() { tr { td colspan="5" { "No entries." } } }
                    }
                }
            }
            (super::next_pager("/panel/blacklist", &[("app", at.id().to_string())], q.number("page")?, rows.len(), PER_PAGE))
        })
    })
    .await
}

fn added(e: &BlacklistEntry) -> String {
    layout::when(Some(e.created_at.get()))
}

fn row(panel: &Panel, e: &BlacklistEntry) -> Markup {
    html! {
        tr {
            td { (e.kind) }
            td { code { (e.value) } }
            td { (e.reason) }
            td { (added(e)) }
            td.actions {
                @if panel.role.may(Role::Support) {
                    a.danger href=(format!("/panel/apps/{}/blacklist/{}/remove", e.app_id, e.id)) { "Remove…" }
                }
            }
        }
    }
}

fn add_form(panel: &Panel, app_id: AppId) -> Markup {
    html! {
        details.generate {
            summary { "Add an entry" }
            form.stack method="post" action="/panel/blacklist" {
                (layout::csrf(panel))
                input type="hidden" name="app" value=(app_id);
                label for="kind" { "Kind" }
                select #kind name="kind" {
                    option value="hwid" { "HWID" }
                    option value="ip" { "IP address" }
                }
                label for="value" { "Value" }
                input #value type="text" name="value" required maxlength="256";
                label for="reason" { "Reason (optional)" }
                input #reason type="text" name="reason" maxlength="500";
                button type="submit" { "Add" }
            }
        }
    }
}

pub async fn add(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Response, PanelError> {
    let app_id = AppId(f.number("app")?.ok_or_else(|| PanelError::invalid("app", "is required"))?);
    let kind = f.required("kind", 10)?;
    let value = f.required("value", 256)?;
    let reason = f.text("reason", 500)?.unwrap_or_default();
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    client_data::add_blacklist(&state.store, &at, &kind, &value, &reason).await?;
    Ok(Redirect::to(&format!("/panel/blacklist?app={app_id}&done=saved")).into_response())
}

/// The entry `ids` names (app, entry) of the signed-in seller.
async fn entry_at(state: &AppState, panel: &Panel, ids: &Ids) -> Result<BlacklistEntry, PanelError> {
    let at = client_data::client_app(&state.store, &panel.tenant, ids.first()).await?;
    let id: i64 = ids.last();
    super::find_listed("blacklist entry", |page| client_data::list_blacklist(&state.store, &at, page), |e| e.id == id)
        .await
}

pub async fn confirm_remove(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let e = entry_at(&state, &panel, &ids).await?;
    let question = html! { "Remove " (e.kind) " " code { (e.value) } " from the blacklist? The client API accepts it again at once." };
    let action = format!("/panel/apps/{}/blacklist/{}/remove", e.app_id, e.id);
    let back = format!("/panel/blacklist?app={}", e.app_id);
    let content = layout::confirmation(&panel, question, &action, "Yes, remove it", &back);
    Ok(layout::page(&panel, "/panel/blacklist", "Remove a blacklist entry", None, content))
}

pub async fn remove(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let app_id: AppId = ids.first();
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    client_data::remove_blacklist(&state.store, &at, ids.last()).await?;
    Ok(Redirect::to(&format!("/panel/blacklist?app={app_id}&done=deleted")).into_response())
}
