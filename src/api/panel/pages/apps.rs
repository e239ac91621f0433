//! Apps: the list, and each app's settings form (owners may save it). The app's HMAC secret is
//! shown once, on the page answering its rotation, which an owner asks for with their password
//! again; no other page shows it.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::{self, Panel},
};
use crate::{
    domain::panel::Role,
    manage::{
        apps::{self, AppSettings},
        sellers,
    },
    state::AppState,
    store::apps::App,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

pub async fn list(State(state): State<AppState>, panel: Panel) -> Result<Markup, PanelError> {
    let all = super::all_apps(&state, &panel.tenant).await?;
    let content = html! {
        div.scroll {
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Version" } th scope="col" { "State" } th scope="col" { "Users" } } }
                tbody {
                    @for a in &all {
                        tr {
                            td { a href=(format!("/panel/apps/{}", a.id)) { (a.name) } }
                            td { (a.version) }
                            td { (app_state(a)) }
                            td { a href=(format!("/panel/users?app={}", a.id)) { "Users" } }
                        }
                    }
                    @if all.is_empty() { tr { td colspan="4" { "No apps yet: create one with licensd app create." } } }
                }
            }
        }
    };
    Ok(layout::page(&panel, "/panel/apps", "Apps", None, content))
}

fn app_state(a: &App) -> &'static str {
    match (a.enabled, a.paused) {
        (false, _) => "disabled",
        (true, true) => "paused",
        (true, false) => "enabled",
    }
}

pub async fn show(State(state): State<AppState>, panel: Panel, ids: Ids, q: Fields) -> Result<Markup, PanelError> {
    let app = apps::get(&state.store, &panel.tenant, ids.last()).await?.app;
    let seller = sellers::get(&state.store, &panel.tenant).await?;
    let title = format!("App {}", app.name);
    let settings = settings_form(&panel, &app, &format!("/customer/{}/{}/", seller.ownerid, app.id));
    let content = html! {
        p { a href=(format!("/panel/apps/{}/messages", app.id)) { "The app's answer texts (messages)" } }
        (settings)
        @if panel.role.may(Role::Owner) { (rotate_form(&panel, &app)) }
    };
    Ok(layout::page(&panel, "/panel/apps", &title, layout::notice(q.get("done")), content))
}

/// The settings of app `a`, whose customer panel (when on) is at `customer_panel`.
fn settings_form(panel: &Panel, a: &App, customer_panel: &str) -> Markup {
    let text = |id: &str, label: &str, value: &str| {
        html! { label for=(id) { (label) } input id=(id) type="text" name=(id) value=(value); }
    };
    let check = |id: &str, label: &str, on: bool| {
        html! { label.check for=(id) { input id=(id) type="checkbox" name=(id) value="1" checked[on]; " " (label) } }
    };
    let owner = panel.role.may(Role::Owner);
    html! {
        form.stack method="post" action=(format!("/panel/apps/{}", a.id)) {
            (layout::csrf(panel))
            fieldset disabled[!owner] {
                legend { "Settings" @if !owner { " (only an owner may change them)" } }
                (text("name", "Name", &a.name))
                (text("version", "Version (clients with another one are told to update)", &a.version))
                (text("download_url", "Download URL", &a.download_url))
                (text("customer_panel_link", "Customer panel link", &a.customer_panel_link))
                label for="session_ttl_secs" { "Session lifetime (seconds)" }
                input #session_ttl_secs type="number" name="session_ttl_secs" min="1" value=(a.session_ttl_secs);
                (check("enabled", "Enabled", a.enabled))
                (check("paused", "Paused (users cannot sign in)", a.paused))
                (check("hwid_lock", "Lock users to their HWID", a.hwid_lock))
                (check("force_hwid", "Require a HWID", a.force_hwid))
                (check("token_system", "Token system: init needs a client token and its file hash", a.token_system))
                (check("customer_panel", "Customer panel: users sign in, see their subscriptions, reset their HWID", a.customer_panel))
                label for="hwid_reset_cooldown_secs" { "Seconds between two HWID resets of a user's own" }
                input #hwid_reset_cooldown_secs type="number" name="hwid_reset_cooldown_secs" min="0" value=(a.hwid_reset_cooldown_secs);
                @if a.customer_panel {
                    p { "Your users' panel: " a href=(customer_panel) { (customer_panel) }
                        " (the client API's customerPanelLink unless you set a link above)." }
                }
                @if owner { button type="submit" { "Save" } }
            }
        }
    }
}

pub async fn update(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let id = ids.last();
    let settings = AppSettings {
        name: Some(f.required("name", 100)?),
        version: Some(f.required("version", 64)?),
        download_url: Some(f.text("download_url", 2000)?.unwrap_or_default()),
        customer_panel_link: Some(f.text("customer_panel_link", 2000)?.unwrap_or_default()),
        session_ttl_secs: f.number("session_ttl_secs")?,
        enabled: Some(f.checked("enabled")),
        paused: Some(f.checked("paused")),
        hwid_lock: Some(f.checked("hwid_lock")),
        force_hwid: Some(f.checked("force_hwid")),
        token_system: Some(f.checked("token_system")),
        customer_panel: Some(f.checked("customer_panel")),
        hwid_reset_cooldown_secs: f.number("hwid_reset_cooldown_secs")?,
        ..AppSettings::default()
    };
    apps::update(&state.store, &panel.tenant, id, settings).await?;
    Ok(Redirect::to(&format!("/panel/apps/{id}?done=saved")).into_response())
}

fn rotate_form(panel: &Panel, a: &App) -> Markup {
    html! {
        details.generate {
            summary { "Rotate the app secret" }
            form.stack method="post" action=(format!("/panel/apps/{}/secret", a.id)) {
                (layout::csrf(panel))
                p { "A new secret replaces the current one at once: clients that check the "
                    code { "signature" } " field of answers (an HMAC keyed by this secret, as LibreAuth "
                    "does) must be built with the new one. It is shown once." }
                (session::password_again())
                button.danger type="submit" { "Rotate the secret" }
            }
        }
    }
}

/// Rotates the app's secret and shows the new one, this once.
pub async fn rotate_secret(
    State(state): State<AppState>,
    panel: Panel,
    ids: Ids,
    f: Fields,
) -> Result<Markup, PanelError> {
    session::reauthenticate(&state, &panel, &f).await?;
    let rotated = apps::rotate_secret(&state.store, &panel.tenant, ids.last()).await?;
    let back = format!("/panel/apps/{}", rotated.app.id);
    let content = html! {
        p role="status" { "The secret of " strong { (rotated.app.name) } " was replaced." }
        label for="secret" { "The new secret, shown this once: put it in your client's build" }
        input #secret type="text" readonly value=(rotated.secret);
        p { a href=(back) { "Back to the app" } }
    };
    Ok(layout::page(&panel, "/panel/apps", "New app secret", None, content))
}
