//! Resellers: the list (owners add one), and each reseller's page: its stock per plan (owners
//! generate keys straight into it), and its Reseller API keys (owners create one, shown once
//! after the account's password is given again, and revoke one behind a confirmation page).

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::{self, Panel},
};
use super::licenses::{count_fields, generate_page, generate_spec, keys_box, plan_names, plan_select};
use crate::domain::ids::ResellerId;
use crate::{
    domain::panel::Role,
    manage::{
        ManageError, PageRequest,
        resellers::{self, ResellerInput},
    },
    state::AppState,
    store::resellers::{Reseller, ResellerKey},
};
use axum::{
    extract::State,
    response::{Redirect, Response},
};
use maud::{Markup, html};
use std::collections::HashMap;

/// Every reseller of the seller (a handful: read whole).
fn all() -> PageRequest {
    PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None)
}

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let rows = resellers::list(&state.store, &panel.tenant, all()).await?.data;
    let content = html! {
        p { "Resellers sell your licenses through the Reseller API (a Discord bot, say) from a stock you "
            "give them, and sign in to their own dashboard at /reseller/dashboard/." }
        @if panel.role.may(Role::Owner) {
            details.generate {
                summary { "Add a reseller" }
                form.stack method="post" action="/panel/resellers" {
                    (layout::csrf(&panel))
                    label for="name" { "Name" }
                    input #name type="text" name="name" required maxlength="100";
                    button type="submit" { "Add" }
                }
            }
        }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Key prefix" }
                    th scope="col" { "Requests per minute" } th scope="col" { "Added (UTC)" }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            td { a href=(format!("/panel/resellers/{}", r.id)) { (r.name) } }
                            td { (r.key_prefix) } td { (r.rate_limit_per_min) }
                            td { (layout::when(Some(r.created_at.get()))) }
                        }
                    }
                    @if rows.is_empty() { tr { td colspan="4" { "No resellers yet." } } }
                }
            }
        }
    };
    Ok(layout::page(&panel, "/panel/resellers", "Resellers", layout::notice(q.get("done")), content))
}

pub async fn create(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Redirect, PanelError> {
    let input = ResellerInput { name: Some(f.required("name", 100)?), ..ResellerInput::default() };
    let r = resellers::create(&state.store, &panel.tenant, input).await?;
    Ok(Redirect::to(&format!("/panel/resellers/{}?done=saved", r.id)))
}

pub async fn show(State(state): State<AppState>, panel: Panel, ids: Ids, q: Fields) -> Result<Markup, PanelError> {
    let id: ResellerId = ids.last();
    let r = resellers::get(&state.store, &panel.tenant, id).await?;
    let stock = resellers::stock_by_plan(&state.store, &panel.tenant, id).await?;
    let keys = resellers::list_keys(&state.store, &panel.tenant, id, all()).await?.data;
    let owner = panel.role.may(Role::Owner);
    let names: HashMap<_, _> =
        if owner { plan_names(&state, &panel).await?.into_iter().collect() } else { HashMap::new() };
    let content = html! {
        h2 { "Stock" }
        (layout::stock_table(&stock, "The stock is empty."))
        @if owner && !names.is_empty() {
            details.generate {
                summary { "Generate keys into the stock" }
                form.stack method="post" action=(format!("/panel/resellers/{}/stock", r.id)) {
                    (layout::csrf(&panel))
                    (plan_select(&names))
                    (count_fields())
                    button type="submit" { "Generate" }
                }
            }
        }
        h2 { "Reseller API keys" }
        @if owner {
            details.generate {
                summary { "Create a key" }
                form.stack method="post" action=(format!("/panel/resellers/{}/keys", r.id)) {
                    (layout::csrf(&panel))
                    label for="label" { "Label (what uses it, e.g. \"Discord bot\")" }
                    input #label type="text" name="label" maxlength="100";
                    (session::password_again())
                    button type="submit" { "Create" }
                }
            }
        }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Label" } th scope="col" { "Created (UTC)" } th scope="col" { "Last used" }
                    th scope="col" { "State" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for k in &keys { (key_row(&panel, &r, k)) }
                    @if keys.is_empty() { tr { td colspan="5" { "No keys." } } }
                }
            }
        }
    };
    let title = format!("Reseller {}", r.name);
    Ok(layout::page(&panel, "/panel/resellers", &title, layout::notice(q.get("done")), content))
}

fn key_row(panel: &Panel, r: &Reseller, k: &ResellerKey) -> Markup {
    html! {
        tr {
            td { (k.label) }
            td { (layout::when(Some(k.created_at.get()))) }
            td { (layout::when(k.last_used_at.map(i64::from))) }
            td {
                @if k.revoked_at.is_some() { span.badge.banned { "revoked" } } @else { span.badge.used { "active" } }
            }
            td.actions {
                @if panel.role.may(Role::Owner) && k.revoked_at.is_none() {
                    a.danger href=(format!("/panel/resellers/{}/keys/{}/revoke", r.id, k.id)) { "Revoke…" }
                }
            }
        }
    }
}

pub async fn add_stock(
    State(state): State<AppState>,
    panel: Panel,
    ids: Ids,
    f: Fields,
) -> Result<Response, PanelError> {
    let id: ResellerId = ids.last();
    let r = resellers::get(&state.store, &panel.tenant, id).await?;
    let spec = generate_spec(&f, Some(r.id))?;
    generate_page(&state, &panel, spec, ("/panel/resellers", "New stock"), move |made| {
        html! {
            p role="status" { "Generated " (made.count) " keys into " (r.name) "'s stock." }
            (keys_box(made))
            p { a href=(format!("/panel/resellers/{}", r.id)) { "Back to the reseller" } }
        }
    })
    .await
}

pub async fn create_key(
    State(state): State<AppState>,
    panel: Panel,
    ids: Ids,
    f: Fields,
) -> Result<Markup, PanelError> {
    let id: ResellerId = ids.last();
    let label = f.text("label", 100)?.unwrap_or_default();
    let r = resellers::get(&state.store, &panel.tenant, id).await?;
    session::reauthenticate(&state, &panel, &f).await?;
    let (_, secret) = resellers::create_key(&state.store, &panel.tenant, r.id, &label).await?;
    let content = html! {
        p role="status" { "A Reseller API key for " strong { (r.name) } " was created." }
        label for="secret" { "The key, shown this once: the reseller sends it as api_token" }
        input #secret type="text" readonly value=(secret);
        p { a href=(format!("/panel/resellers/{}", r.id)) { "Back to the reseller" } }
    };
    Ok(layout::page(&panel, "/panel/resellers", "New key", None, content))
}

/// The reseller and its key that `ids` name (reseller first), the key not yet revoked; another
/// reseller's key answers like a missing one.
async fn live_key(state: &AppState, panel: &Panel, ids: &Ids) -> Result<(Reseller, ResellerKey), PanelError> {
    let (id, key_id): (ResellerId, i64) = (ids.first(), ids.last());
    let r = resellers::get(&state.store, &panel.tenant, id).await?;
    let keys = resellers::list_keys(&state.store, &panel.tenant, id, all()).await?.data;
    let key = keys.into_iter().find(|k| k.id == key_id && k.revoked_at.is_none());
    Ok((r, key.ok_or(PanelError::Manage(ManageError::NotFound("reseller key")))?))
}

pub async fn confirm_revoke_key(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let (r, k) = live_key(&state, &panel, &ids).await?;
    let action = format!("/panel/resellers/{}/keys/{}/revoke", r.id, k.id);
    let question = html! {
        "Revoke the key " strong { (k.label) } " of " (r.name) "? Whatever uses it is refused from now on. "
        "This cannot be undone."
    };
    let back = format!("/panel/resellers/{}", r.id);
    let content = layout::confirmation(&panel, question, &action, "Yes, revoke it", &back);
    Ok(layout::page(&panel, "/panel/resellers", "Revoke a key", None, content))
}

pub async fn revoke_key(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Redirect, PanelError> {
    let (r, k) = live_key(&state, &panel, &ids).await?;
    resellers::revoke_key(&state.store, &panel.tenant, r.id, k.id).await?;
    Ok(Redirect::to(&format!("/panel/resellers/{}?done=revoked", r.id)))
}
