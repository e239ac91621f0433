//! An app's variables (what the client API's `var` request answers): the list, 50 a page;
//! owners set one (a new name adds it, a known one replaces its value) and delete one behind a
//! confirmation page.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::AppId;
use crate::{
    domain::panel::Role,
    manage::client_data::{self, MAX_NAME_CHARS, MAX_VAR_VALUE_CHARS},
    state::AppState,
    store::client_data::AppVar,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const PER_PAGE: i64 = 50;
/// Characters of a value shown in the list (the whole value is in the set form's field).
const SHOWN_CHARS: usize = 200;

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    super::app_page(&state, &panel, &q, ("/panel/variables", "Variables"), async |at| {
        let rows = client_data::list_app_vars(&state.store, &at, super::list_page(&q, PER_PAGE)?).await?;
        Ok(html! {
            @if panel.role.may(Role::Owner) { (set_form(&panel, at.id())) }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Name" } th scope="col" { "Value" } th scope="col" { "Who may read it" }
                        th scope="col" { "Actions" }
                    } }
                    tbody {
                        @for v in &rows { (row(&panel, v)) }
                        @if rows.is_empty() { tr { td colspan="4" { "No variables." } } }
                    }
                }
            }
            (super::next_pager("/panel/variables", &[("app", at.id().to_string())], q.number("page")?, rows.len(), PER_PAGE))
        })
    })
    .await
}

fn needs_session(v: &AppVar) -> bool {
    v.authed
}

fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_owned(),
    }
}

fn row(panel: &Panel, v: &AppVar) -> Markup {
    html! {
        tr {
            td { code { (v.name) } }
            td { (shown(&v.value)) }
            td { (if needs_session(v) { "signed-in users" } else { "any client" }) }
            td.actions {
                @if panel.role.may(Role::Owner) {
                    a.danger href=(format!("/panel/apps/{}/variables/{}/delete", v.app_id, v.id)) { "Delete…" }
                }
            }
        }
    }
}

fn set_form(panel: &Panel, app_id: AppId) -> Markup {
    html! {
        details.generate {
            summary { "Set a variable" }
            form.stack method="post" action="/panel/variables" {
                (layout::csrf(panel))
                input type="hidden" name="app" value=(app_id);
                label for="name" { "Name (an existing one gets the new value)" }
                input #name type="text" name="name" required maxlength=(MAX_NAME_CHARS);
                label for="value" { "Value" }
                textarea #value name="value" rows="4" maxlength=(MAX_VAR_VALUE_CHARS) {}
                label.check for="authed" { input #authed type="checkbox" name="authed" value="1" checked; " Only for signed-in users" }
                button type="submit" { "Save" }
            }
        }
    }
}

pub async fn set(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Response, PanelError> {
    let app_id = AppId(f.number("app")?.ok_or_else(|| PanelError::invalid("app", "is required"))?);
    let name = f.required("name", MAX_NAME_CHARS)?;
    // The value is kept as typed (spaces are data); empty is allowed.
    let value = f.get("value").unwrap_or("");
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    client_data::set_app_var(&state.store, &at, &name, value, f.checked("authed")).await?;
    Ok(Redirect::to(&format!("/panel/variables?app={app_id}&done=saved")).into_response())
}

/// The variable `ids` names (app, variable id) of the signed-in seller.
async fn var_at(state: &AppState, panel: &Panel, ids: &Ids) -> Result<AppVar, PanelError> {
    let at = client_data::client_app(&state.store, &panel.tenant, ids.first()).await?;
    let id: i64 = ids.last();
    super::find_listed("variable", |page| client_data::list_app_vars(&state.store, &at, page), |v| v.id == id).await
}

pub async fn confirm_delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let v = var_at(&state, &panel, &ids).await?;
    let question = html! { "Delete variable " code { (v.name) } "? Clients asking for it get an error from now on." };
    let action = format!("/panel/apps/{}/variables/{}/delete", v.app_id, v.id);
    let back = format!("/panel/variables?app={}", v.app_id);
    let content = layout::confirmation(&panel, question, &action, "Yes, delete it", &back);
    Ok(layout::page(&panel, "/panel/variables", "Delete a variable", None, content))
}

pub async fn delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let v = var_at(&state, &panel, &ids).await?;
    let at = client_data::client_app(&state.store, &panel.tenant, v.app_id).await?;
    client_data::delete_app_var(&state.store, &at, &v.name).await?;
    Ok(Redirect::to(&format!("/panel/variables?app={}&done=deleted", v.app_id)).into_response())
}
