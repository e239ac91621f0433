//! Licenses: the paginated list with search by key and a state filter, generating keys for a
//! plan, ban and unban, and deletion behind a confirmation page.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    progress::{self, Outcome, Reporter},
    session::Panel,
};
use crate::domain::ids::{AppId, PlanId, ResellerId};
use crate::{
    domain::panel::Role,
    manage::{ManageError, PageRequest, licenses, plans},
    state::AppState,
    store::licenses::License,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};
use std::collections::HashMap;

const STATES: [&str; 4] = ["unused", "used", "banned", "assigned"];
/// Most keys the panel generates in one request: the operations' own bound. A batch larger than
/// one insert step shows its progress as it goes (`progress`).
const MAX_FROM_PANEL: i64 = licenses::MAX_BATCH;

/// `(app id, plan id) -> "app / plan"` for every plan of the seller.
pub(super) async fn plan_names(state: &AppState, panel: &Panel) -> Result<Vec<((AppId, PlanId), String)>, PanelError> {
    let mut out = Vec::new();
    for app in super::all_apps(state, &panel.tenant).await? {
        let all = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
        for plan in plans::list(&state.store, &panel.tenant, app.id, all).await?.data {
            out.push(((app.id, plan.id), format!("{} / {}", app.name, plan.name)));
        }
    }
    Ok(out)
}

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let search = q.text("search", 200)?;
    let filter = q.text("state", 20)?;
    let query = licenses::ListQuery {
        search: search.clone(),
        state: filter.clone(),
        limit: Some(50),
        page: q.number("page")?,
        ..Default::default()
    };
    let rows = licenses::list(&state.store, &panel.tenant, &query).await?;
    let names: HashMap<(AppId, PlanId), String> = plan_names(&state, &panel).await?.into_iter().collect();
    let (search, filter) = (search.unwrap_or_default(), filter.unwrap_or_default());
    let content = html! {
        form.filters method="get" action="/panel/licenses" role="search" {
            label for="search" { "Key" }
            input #search type="search" name="search" value=(search) placeholder="part of a key";
            label for="state" { "State" }
            select #state name="state" {
                option value="" { "any" }
                @for s in STATES { option value=(s) selected[filter == s] { (s) } }
            }
            button type="submit" { "Search" }
        }
        p { a href=(super::license_csv::export_link(&search, &filter)) download { "Export these licenses as CSV" } }
        @if panel.role.may(Role::Owner) {
            (generate_form(&panel, &names)) (super::license_csv::import_form(&panel, &names))
            p { a href="/panel/licenses/bulk-delete" { "An app's keys in bulk: delete the unused or used ones, add time to the unused…" } }
        }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Key" } th scope="col" { "App / plan" } th scope="col" { "State" }
                    th scope="col" { "Activations" } th scope="col" { "Created (UTC)" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for l in &rows.data { (row(&panel, l, &names)) }
                    @if rows.data.is_empty() { tr { td colspan="6" { "No licenses match." } } }
                }
            }
        }
        (layout::pager("/panel/licenses", &[("search", search.clone()), ("state", filter.clone())], &rows.meta))
    };
    Ok(layout::page(&panel, "/panel/licenses", "Licenses", layout::notice(q.get("done")), content))
}

fn state_of(l: &License) -> &'static str {
    if l.banned_reason.is_some() {
        "banned"
    } else if l.used_at.is_some() || l.activations > 0 {
        "used"
    } else if l.discord_user_id.is_some() {
        "assigned"
    } else {
        "unused"
    }
}

fn row(panel: &Panel, l: &License, names: &HashMap<(AppId, PlanId), String>) -> Markup {
    let base = format!("/panel/licenses/{}", l.id);
    html! {
        tr {
            td { code { (l.key) } }
            td { (names.get(&(l.app_id, l.plan_id)).map(String::as_str).unwrap_or("?")) }
            td { span class=(format!("badge {}", state_of(l))) { (state_of(l)) }
                 @if let Some(r) = &l.banned_reason { " " small { (r) } } }
            td { (l.activations) @if let Some(m) = l.max_activations { " / " (m) } }
            td { (layout::when(Some(l.created_at.get()))) }
            td.actions {
                @if panel.role.may(Role::Support) {
                    @if l.banned_reason.is_some() {
                        (layout::button(panel, &format!("{base}/unban"), "Unban", &[]))
                    } @else {
                        form.inline method="post" action=(format!("{base}/ban")) {
                            (layout::csrf(panel))
                            label.sr for=(format!("reason-{}", l.id)) { "Reason for banning " (l.key) }
                            input id=(format!("reason-{}", l.id)) type="text" name="reason" placeholder="reason" required maxlength="500";
                            button type="submit" { "Ban" }
                        }
                    }
                }
                @if panel.role.may(Role::Support) && (l.expires_at.is_some() || l.duration_secs.is_some()) {
                    " "
                    form.inline method="post" action=(format!("{base}/extend")) {
                        (layout::csrf(panel))
                        label.sr for=(format!("extend-{}", l.id)) { "Time to add to " (l.key) }
                        input id=(format!("extend-{}", l.id)) type="text" name="duration" placeholder="30d" required maxlength="20" size="5";
                        button type="submit" { "Extend" }
                    }
                }
                @if panel.role.may(Role::Support) && l.banned_reason.is_none() {
                    " " a href=(format!("{base}/offline")) { "Offline file…" }
                }
                @if panel.role.may(Role::Owner) { " " a.danger href=(format!("{base}/delete")) { "Delete…" } }
            }
        }
    }
}

fn generate_form(panel: &Panel, names: &HashMap<(AppId, PlanId), String>) -> Markup {
    html! {
        details.generate {
            summary { "Generate keys" }
            form.stack method="post" action="/panel/licenses/generate" {
                (layout::csrf(panel))
                (plan_select(names))
                (count_fields())
                button type="submit" { "Generate" }
            }
        }
    }
}

/// The `plan` field of a form that offers the seller's plans as `app:plan` (`plan_select`).
pub(super) fn chosen_plan(f: &Fields) -> Result<(AppId, PlanId), PanelError> {
    f.required("plan", 50)?
        .split_once(':')
        .and_then(|(a, p)| Some((a.parse().ok()?, p.parse().ok()?)))
        .ok_or_else(|| PanelError::invalid("plan", "must be one of the listed plans"))
}

/// A labelled select of every plan of the seller, sent as `plan=app:plan`.
pub(super) fn plan_select(names: &HashMap<(AppId, PlanId), String>) -> Markup {
    let mut plans: Vec<_> = names.iter().collect();
    plans.sort_by(|a, b| a.1.cmp(b.1));
    html! {
        label for="plan" { "App / plan" }
        select #plan name="plan" required {
            @for ((app, plan), name) in plans { option value=(format!("{app}:{plan}")) { (name) } }
        }
    }
}

/// The keys a generate form asks for (plan, count, note), made for the seller or, with
/// `reseller`, straight into that reseller's stock.
pub(super) fn generate_spec(f: &Fields, reseller: Option<ResellerId>) -> Result<licenses::GenerateSpec, PanelError> {
    let (app_id, plan_id) = chosen_plan(f)?;
    let count = f.number("count")?.ok_or_else(|| PanelError::invalid("count", "is required"))?;
    if !(1..=MAX_FROM_PANEL).contains(&count) {
        return Err(PanelError::invalid("count", format!("must be from 1 to {MAX_FROM_PANEL}")));
    }
    Ok(licenses::GenerateSpec {
        note: f.text("note", 500)?.unwrap_or_default(),
        reseller_id: reseller,
        ..licenses::GenerateSpec::new(app_id, plan_id, count)
    })
}

/// The count and note fields of a generate form.
pub(super) fn count_fields() -> Markup {
    html! {
        label for="count" { "How many (1 to " (MAX_FROM_PANEL) ")" }
        input #count type="number" name="count" min="1" max=(MAX_FROM_PANEL) value="1" required;
        label for="note" { "Note (optional)" }
        input #note type="text" name="note" maxlength="500";
    }
}

pub async fn generate(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Response, PanelError> {
    let spec = generate_spec(&f, None)?;
    generate_page(&state, &panel, spec, ("/panel/licenses", "New keys"), |made| {
        html! {
            p role="status" { "Generated " (made.count) " keys. They are in the license list too." }
            (keys_box(made))
            p { a href="/panel/licenses?state=unused" { "Back to the licenses" } }
        }
    })
    .await
}

/// Generates `spec`'s keys and answers the page `(current, title)` with `shown(made)`; a batch
/// of more than one insert step streams its progress first.
pub(super) async fn generate_page(
    state: &AppState,
    panel: &Panel,
    spec: licenses::GenerateSpec,
    (current, title): (&str, &str),
    shown: impl FnOnce(&licenses::Generated) -> Markup + Send + 'static,
) -> Result<Response, PanelError> {
    let total = u64::try_from(spec.count).unwrap_or_default();
    let (store, tenant) = (state.store.clone(), panel.tenant.clone());
    let work =
        move |report: Reporter<_>| async move { licenses::generate(&store, &tenant, spec, &|n| report.done(n)).await };
    Ok(match progress::start(total, work).await? {
        Outcome::Finished(made) => layout::page(panel, current, title, None, shown(&made?)).into_response(),
        Outcome::Running(running) => running.page(panel, current, title, "keys", |made| match made {
            Ok(made) => shown(&made),
            Err(e) => not_generated(e),
        }),
    })
}

/// The end of a streamed page whose batch failed (and was rolled back whole).
fn not_generated(e: ManageError) -> Markup {
    let why = match e {
        ManageError::Store(e) => {
            tracing::error!(error = %e, "panel key generation failed");
            "the server could not store them; see its log.".to_owned()
        }
        e => e.to_string(),
    };
    html! { p.error role="alert" { "Nothing was generated: " (why) } }
}

/// The new keys to copy, one per line.
pub(super) fn keys_box(made: &licenses::Generated) -> Markup {
    html! {
        label for="keys" { "The new keys, one per line" }
        textarea #keys readonly rows="12" { (made.keys.join("\n")) }
    }
}

fn back_to(license: &License, done: &str) -> Response {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("search", &license.key)
        .append_pair("done", done)
        .finish();
    Redirect::to(&format!("/panel/licenses?{q}")).into_response()
}

pub async fn ban(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let id = ids.last();
    let reason = f.required("reason", 500)?;
    let l = licenses::set_ban(&state.store, &panel.tenant, id, Some(&reason)).await?;
    Ok(back_to(&l, "banned"))
}

/// Lengthens the license (and what it granted) by the form's `duration`.
pub async fn extend(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let duration = f.required("duration", 20)?;
    let l = licenses::extend(&state.store, &panel.tenant, ids.last(), &duration).await?;
    Ok(back_to(&l, "license_extended"))
}

pub async fn unban(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let id = ids.last();
    let l = licenses::set_ban(&state.store, &panel.tenant, id, None).await?;
    Ok(back_to(&l, "unbanned"))
}

pub async fn confirm_delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let id = ids.last();
    let l = licenses::get(&state.store, &panel.tenant, id).await?;
    let question = html! {
        "Delete license " code { (l.key) } " for good? A program using it stops working at its next check. "
        "This cannot be undone."
    };
    let action = format!("/panel/licenses/{id}/delete");
    let content = layout::confirmation(&panel, question, &action, "Yes, delete it", "/panel/licenses");
    Ok(layout::page(&panel, "/panel/licenses", "Delete a license", None, content))
}

pub async fn delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let id = ids.last();
    licenses::delete(&state.store, &panel.tenant, id).await?;
    Ok(Redirect::to("/panel/licenses?done=deleted").into_response())
}
