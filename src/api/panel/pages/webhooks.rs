//! Event webhooks: the seller's endpoints (where events are POSTed, signed), a new one with its
//! signing secret shown once, switching one on or off, and each endpoint's delivery log with
//! redelivery. URLs are shown by host only: a Discord webhook URL is itself a credential.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::{self, Panel},
};
use crate::{
    domain::panel::Role,
    manage::{
        PageRequest,
        event_webhooks::{self, EndpointInput},
    },
    services::outbound::host_of,
    state::AppState,
    store::event_webhooks::{Delivery, Endpoint},
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const DELIVERY_STATES: [&str; 3] = ["pending", "delivered", "failed"];

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let all = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
    let endpoints = event_webhooks::list(&state.store, &panel.tenant, all).await?.data;
    let content = html! {
        @if panel.role.may(Role::Owner) { (create_form(&panel)) }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Host" } th scope="col" { "Events" } th scope="col" { "Format" }
                    th scope="col" { "State" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for e in &endpoints { (row(&panel, e)) }
                    @if endpoints.is_empty() { tr { td colspan="5" { "No endpoints yet." } } }
                }
            }
        }
    };
    Ok(layout::page(&panel, "/panel/webhooks", "Webhooks", layout::notice(q.get("done")), content))
}

fn row(panel: &Panel, e: &Endpoint) -> Markup {
    let base = format!("/panel/webhooks/{}", e.id);
    let on = e.enabled;
    html! {
        tr {
            td { a href=(base) { (host_of(&e.url)) } }
            td { code { (e.events) } }
            td { (e.format.as_str()) }
            td { span class=(if on { "badge used" } else { "badge banned" }) { (if on { "on" } else { "off" }) } }
            td.actions {
                a href=(base) { "Deliveries" }
                @if panel.role.may(Role::Owner) {
                    (layout::button(panel, &format!("{base}/enabled"), if on { "Switch off" } else { "Switch on" },
                        &[("enabled", if on { "0" } else { "1" })]))
                }
            }
        }
    }
}

fn create_form(panel: &Panel) -> Markup {
    html! {
        details.generate {
            summary { "Add an endpoint" }
            form.stack method="post" action="/panel/webhooks" {
                (layout::csrf(panel))
                label for="url" { "URL (https://..., or a Discord webhook URL)" }
                input #url type="url" name="url" required maxlength="2000";
                label for="events" { "Event types, space-separated (* takes all but client.log)" }
                input #events type="text" name="events" value="*" required maxlength="2000";
                label for="format" { "Format" }
                select #format name="format" {
                    option value="json" { "json (signed event)" }
                    option value="discord" { "discord (an embed per event)" }
                }
                (session::password_again())
                button type="submit" { "Add" }
            }
        }
    }
}

pub async fn create(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Markup, PanelError> {
    let input = EndpointInput {
        url: Some(f.required("url", 2000)?),
        events: Some(f.required("events", 2000)?.split_whitespace().map(str::to_owned).collect()),
        format: f.text("format", 20)?,
        enabled: None,
    };
    session::reauthenticate(&state, &panel, &f).await?;
    let made = event_webhooks::create(&state.store, &panel.tenant, input).await?;
    let content = html! {
        p role="status" { "The endpoint for " (host_of(&made.endpoint.url)) " was added." }
        label for="secret" { "Its signing secret, shown this once: verify each delivery's licensd-signature with it" }
        input #secret type="text" readonly value=(made.secret);
        p { a href="/panel/webhooks" { "Back to the webhooks" } }
    };
    Ok(layout::page(&panel, "/panel/webhooks", "New endpoint", None, content))
}

pub async fn set_enabled(
    State(state): State<AppState>,
    panel: Panel,
    ids: Ids,
    f: Fields,
) -> Result<Response, PanelError> {
    let input = EndpointInput { enabled: Some(f.get("enabled") == Some("1")), ..EndpointInput::default() };
    event_webhooks::update(&state.store, &panel.tenant, ids.last(), input).await?;
    Ok(Redirect::to("/panel/webhooks?done=saved").into_response())
}

pub async fn show(State(state): State<AppState>, panel: Panel, ids: Ids, q: Fields) -> Result<Markup, PanelError> {
    let id = ids.last();
    let endpoint = event_webhooks::get(&state.store, &panel.tenant, id).await?;
    let filter = q.text("state", 20)?;
    let page = PageRequest::new(Some(50), q.number("page")?);
    let rows = event_webhooks::deliveries(&state.store, &panel.tenant, id, filter.as_deref(), page).await?;
    let base = format!("/panel/webhooks/{id}");
    let filter = filter.unwrap_or_default();
    let content = html! {
        p { "Events " code { (endpoint.events) } " to " (host_of(&endpoint.url)) " as " (endpoint.format.as_str()) "." }
        form.filters method="get" action=(base) {
            label for="state" { "State" }
            select #state name="state" {
                option value="" { "any" }
                @for s in DELIVERY_STATES { option value=(s) selected[filter == s] { (s) } }
            }
            button type="submit" { "Show" }
        }
        @if panel.role.may(Role::Support) {
            (layout::button(&panel, &format!("{base}/redeliver-failed"), "Send every failed delivery again", &[]))
        }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Event" } th scope="col" { "State" } th scope="col" { "Attempts" }
                    th scope="col" { "Last answer" } th scope="col" { "Next attempt (UTC)" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for d in &rows.data { (delivery_row(&panel, &base, d)) }
                    @if rows.data.is_empty() { tr { td colspan="6" { "No deliveries." } } }
                }
            }
        }
        (layout::pager(&base, &[("state", filter.clone())], &rows.meta))
    };
    let title = format!("Webhook {}", host_of(&endpoint.url));
    Ok(layout::page(&panel, "/panel/webhooks", &title, layout::notice(q.get("done")), content))
}

fn delivery_row(panel: &Panel, base: &str, d: &Delivery) -> Markup {
    let answer = match (d.last_status, d.last_error.as_str()) {
        (Some(status), _) => status.to_string(),
        (None, "") => "–".to_owned(),
        (None, error) => error.to_owned(),
    };
    html! {
        tr {
            td { (d.kind) " #" (d.event_id) }
            td { span class=(format!("badge {}", if d.state == "failed" { "banned" } else { "used" })) { (d.state) } }
            td { (d.attempts) }
            td { (answer) }
            td { @if d.state == "pending" { (layout::when(Some(d.next_attempt_at.get()))) } @else { "–" } }
            td.actions {
                @if panel.role.may(Role::Support) && d.state != "pending" {
                    (layout::button(panel, &format!("{base}/deliveries/{}/redeliver", d.id), "Send again", &[]))
                }
            }
        }
    }
}

pub async fn redeliver_one(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    event_webhooks::redeliver(&state.store, &panel.tenant, ids.first(), Some(ids.last())).await?;
    Ok(Redirect::to(&format!("/panel/webhooks/{}?done=redelivered", ids.first::<i64>())).into_response())
}

pub async fn redeliver_failed(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    event_webhooks::redeliver(&state.store, &panel.tenant, ids.last(), None).await?;
    Ok(Redirect::to(&format!("/panel/webhooks/{}?done=redelivered", ids.last::<i64>())).into_response())
}
