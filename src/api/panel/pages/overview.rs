//! The overview: licenses by state, users (all, active, online), a chart of the last 30 days'
//! events, recent audit.

use super::super::{PanelError, chart, layout, session::Panel};
use crate::{domain::time::now_ms, manage::overview, state::AppState};
use axum::extract::State;
use maud::{Markup, html};

/// The event types charted, with their legend labels.
const CHARTED: [(&str, &str); 4] = [
    ("user.signed_in", "Sign-ins"),
    ("license.redeemed", "Redemptions"),
    ("license.activated", "Activations"),
    ("user.registered", "Registrations"),
];

pub async fn show(State(state): State<AppState>, panel: Panel) -> Result<Markup, PanelError> {
    let o = overview::overview(&state.store, &panel.tenant, now_ms()).await?;
    let days: Vec<String> =
        (0..overview::DAYS).map(|d| layout::when(Some((o.first_day + d) * 86_400_000))[5..10].to_owned()).collect();
    let series: Vec<chart::Series> = CHARTED
        .iter()
        .map(|(kind, label)| {
            let mut counts = vec![0; days.len()];
            for c in o.daily.iter().filter(|c| c.kind == *kind) {
                if let Some(slot) = usize::try_from(c.day - o.first_day).ok().and_then(|i| counts.get_mut(i)) {
                    *slot += c.count;
                }
            }
            chart::Series { label, counts }
        })
        .collect();
    let content = html! {
        section.cards aria-label="Totals" {
            div.card { span.big { (o.apps) } " apps" }
            div.card { span.big { (o.users) } " users" }
            div.card { span.big { (o.active_users) } " active (30 days)" }
            div.card { span.big { (o.online_users) } " online now" }
            @for (state, n) in &o.licenses {
                a.card href=(if *state == "all" { "/panel/licenses".to_owned() } else { format!("/panel/licenses?state={state}") }) {
                    span.big { (n) } " " (if *state == "all" { "licenses" } else { state })
                }
            }
        }
        h2 { "Last 30 days" }
        (chart::bars("Sign-ins, redemptions, activations and registrations per day, last 30 days", &days, &series))
        h2 { "Recent changes" }
        (super::audit::table(&o.recent))
        p { a href="/panel/audit" { "The whole audit log" } }
    };
    Ok(layout::page(&panel, "/panel/", "Overview", None, content))
}
