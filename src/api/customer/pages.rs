//! The customer panel's pages: the account (subscriptions and their expiry, the machines bound,
//! the HWID reset with its cooldown, the password form) and the two changes it offers.

use super::session::Customer;
use crate::api::panel::{PanelError, fields::Fields, layout};
use crate::{domain::time::now_ms, manage::customer_panel, state::AppState, store::users::UserSubscription};
use axum::{extract::State, response::Redirect};
use maud::{Markup, html};

pub async fn account(State(state): State<AppState>, me: Customer, q: Fields) -> Result<Markup, PanelError> {
    let account = customer_panel::account(&state.store, &me.app, me.user_id).await?;
    let now = now_ms();
    let content = html! {
        h2 { "Subscriptions" }
        div.scroll {
            table {
                thead { tr { th scope="col" { "Plan" } th scope="col" { "Level" } th scope="col" { "Ends (UTC)" } th scope="col" { "State" } } }
                tbody {
                    @for s in &account.subscriptions {
                        tr {
                            td { (s.plan) } td { (s.level) }
                            td { @if s.expires_at.is_some() { (layout::when(s.expires_at.map(i64::from))) } @else { "never" } }
                            td { (state_of(s, now)) }
                        }
                    }
                    @if account.subscriptions.is_empty() { tr { td colspan="4" { "No subscriptions." } } }
                }
            }
        }
        h2 { "Your machine" }
        @if account.hwids.is_empty() {
            p { "No machine is bound: the next sign-in from your software binds the machine it runs on." }
        } @else {
            p { "Bound to: " @for (i, h) in account.hwids.iter().enumerate() { @if i > 0 { ", " } code { (h) } } }
        }
        @if let Some(next) = account.next_reset_at {
            p { "You can reset your HWID again after " (layout::when(Some(next))) " (UTC)." }
        } @else {
            (layout::button(&me, &format!("{}reset-hwid", me.base), "Reset HWID", &[]))
        }
        h2 { "Password" }
        @if account.user.password_hash.is_some() {
            form.stack method="post" action=(format!("{}password", me.base)) {
                (layout::csrf(&me))
                label for="current" { "Current password" }
                input #current type="password" name="current" autocomplete="current-password" required;
                label for="new" { "New password (at least 12 characters)" }
                input #new type="password" name="new" autocomplete="new-password" minlength="12" required;
                label for="confirm" { "New password again" }
                input #confirm type="password" name="confirm" autocomplete="new-password" minlength="12" required;
                button type="submit" { "Change password" }
            }
        } @else {
            p { "You sign in with your license key; there is no password to change." }
        }
    };
    let title = format!("{}: your account", me.app.name);
    Ok(super::page(&me, &title, layout::notice(q.get("done")), content))
}

fn state_of(s: &UserSubscription, now: i64) -> &'static str {
    match s.expires_at {
        _ if s.paused => "paused",
        Some(end) if end.get() <= now => "expired",
        _ => "running",
    }
}

pub async fn reset_hwid(State(state): State<AppState>, me: Customer) -> Result<Redirect, PanelError> {
    customer_panel::reset_hwid(&state.store, &me.app, me.user_id).await?;
    Ok(Redirect::to(&format!("{}?done=hwid_reset", me.base)))
}

pub async fn change_password(State(state): State<AppState>, me: Customer, f: Fields) -> Result<Redirect, PanelError> {
    let new = f.get("new").unwrap_or("");
    if f.get("confirm").unwrap_or("") != new {
        return Err(PanelError::invalid("confirm", "the two new passwords differ"));
    }
    let current = f.get("current").unwrap_or("");
    let (store, passwords) = (&state.store, &state.services.passwords);
    customer_panel::change_password(store, passwords, &me.app, me.user_id, me.session_id, current, new).await?;
    Ok(Redirect::to(&format!("{}?done=password", me.base)))
}
