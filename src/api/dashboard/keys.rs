//! Settings: the reseller's Reseller API keys. A new key is shown once (only its digest is
//! stored); revoking one asks first. Both are `manage::resellers` operations run as the
//! reseller, on the reseller of the session, so they act at once on the Reseller API.

use super::session::{Dashboard, page};
use crate::api::panel::{
    PanelError,
    fields::{Fields, Ids},
    layout,
};
use crate::{
    manage::{PageRequest, resellers},
    state::AppState,
    store::resellers::ResellerKey,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const SETTINGS: &str = "/reseller/dashboard/settings";

pub async fn list(State(state): State<AppState>, dash: Dashboard, q: Fields) -> Result<Markup, PanelError> {
    let page_request = PageRequest::new(Some(50), q.number("page")?);
    let keys = resellers::list_keys(&state.store, &dash.tenant, dash.account.reseller_id, page_request).await?;
    let content = html! {
        h2 { "API keys" }
        p { "A key lets your bot call the Reseller API (" code { "/reseller/fetchlicense" } " and the others) \
             as you. It is shown once when created; revoked keys stop working at once." }
        form.filters method="post" action="/reseller/dashboard/settings/keys" {
            (layout::csrf(&dash))
            label for="label" { "Label (what the key is for)" }
            input #label type="text" name="label" maxlength="100";
            button type="submit" { "Create API key" }
        }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Id" } th scope="col" { "Label" } th scope="col" { "Created (UTC)" }
                    th scope="col" { "Last used" } th scope="col" { "State" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for k in &keys.data { (row(k)) }
                    @if keys.data.is_empty() { tr { td colspan="6" { "No API keys yet." } } }
                }
            }
        }
        (layout::pager(SETTINGS, &[], &keys.meta))
    };
    Ok(page(&dash, SETTINGS, "Settings", notice(q.get("done")), content))
}

fn row(k: &ResellerKey) -> Markup {
    html! {
        tr {
            td { (k.id) }
            td { (k.label) }
            td { (layout::when(Some(k.created_at.get()))) }
            td { (layout::when(k.last_used_at.map(i64::from))) }
            td {
                @if k.revoked_at.is_some() { span.badge.banned { "revoked " (layout::when(k.revoked_at.map(i64::from))) } }
                @else { span.badge.used { "active" } }
            }
            td.actions {
                @if k.revoked_at.is_none() {
                    a href=(format!("{SETTINGS}/keys/{}/revoke", k.id)) { "Revoke…" }
                }
            }
        }
    }
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    (done == Some("revoked")).then_some("The key was revoked: it no longer works.")
}

pub async fn create(State(state): State<AppState>, dash: Dashboard, f: Fields) -> Result<Markup, PanelError> {
    let label = f.text("label", 100)?.unwrap_or_default();
    let (key, secret) = resellers::create_key(&state.store, &dash.tenant, dash.account.reseller_id, &label).await?;
    let content = html! {
        p role="status" { "API key " (key.id) " was created." }
        label for="secret" { "The key, shown this once: copy it into your bot's configuration now" }
        input #secret type="text" readonly value=(secret);
        p { a href=(SETTINGS) { "Back to the settings" } }
    };
    Ok(page(&dash, SETTINGS, "New API key", None, content))
}

pub async fn confirm_revoke(State(state): State<AppState>, dash: Dashboard, ids: Ids) -> Result<Markup, PanelError> {
    let all = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
    let keys = resellers::list_keys(&state.store, &dash.tenant, dash.account.reseller_id, all).await?;
    let key = keys
        .data
        .into_iter()
        .find(|k| k.id == ids.last::<i64>() && k.revoked_at.is_none())
        .ok_or(PanelError::Manage(crate::manage::ManageError::NotFound("API key")))?;
    let content = html! {
        p { "Revoke API key " (key.id) " (" (key.label) ")? Whatever uses it stops working at once; this cannot be undone." }
        (layout::button(&dash, &format!("{SETTINGS}/keys/{}/revoke", key.id), "Revoke", &[]))
        " " a href=(SETTINGS) { "Cancel" }
    };
    Ok(page(&dash, SETTINGS, "Revoke an API key", None, content))
}

pub async fn revoke(State(state): State<AppState>, dash: Dashboard, ids: Ids) -> Result<Response, PanelError> {
    resellers::revoke_key(&state.store, &dash.tenant, dash.account.reseller_id, ids.last()).await?;
    Ok(Redirect::to(&format!("{SETTINGS}?done=revoked")).into_response())
}
