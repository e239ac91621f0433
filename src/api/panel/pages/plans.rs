//! Plans of an app: the list (name, level, the default duration of keys generated for it),
//! owners create one, and delete one behind a confirmation page (refused while keys use it).

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::{AppId, PlanId};
use crate::{
    domain::{panel::Role, time::parse_duration_secs},
    manage::{PageRequest, plans},
    state::AppState,
    store::plans::Plan,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let apps = super::all_apps(&state, &panel.tenant).await?;
    let app_id = super::chosen_app(&apps, &q)?;
    let content = match app_id {
        None => html! { p { "There are no apps yet." } },
        Some(app_id) => {
            let page = PageRequest::new(Some(50), q.number("page")?);
            let rows = plans::list(&state.store, &panel.tenant, app_id, page).await?;
            html! {
                (super::app_picker("/panel/plans", &apps, app_id))
                @if panel.role.may(Role::Owner) { (create_form(&panel, app_id)) }
                div.scroll {
                    table {
                        thead { tr {
                            th scope="col" { "Name" } th scope="col" { "Level" } th scope="col" { "Duration of new keys" }
                            th scope="col" { "Created (UTC)" } th scope="col" { "Actions" }
                        } }
                        tbody {
                            @for p in &rows.data { (row(&panel, p)) }
                            @if rows.data.is_empty() { tr { td colspan="5" { "No plans yet." } } }
                        }
                    }
                }
                (layout::pager("/panel/plans", &[("app", app_id.to_string())], &rows.meta))
            }
        }
    };
    Ok(layout::page(&panel, "/panel/plans", "Plans", layout::notice(q.get("done")), content))
}

/// `30 days`, `12 hours`, `90 seconds`, or `lifetime`.
fn duration_text(secs: Option<i64>) -> String {
    match secs {
        None => "lifetime".into(),
        Some(s) if s % 86_400 == 0 => format!("{} days", s / 86_400),
        Some(s) if s % 3_600 == 0 => format!("{} hours", s / 3_600),
        Some(s) => format!("{s} seconds"),
    }
}

fn created(p: &Plan) -> String {
    layout::when(Some(p.created_at.get()))
}

fn row(panel: &Panel, p: &Plan) -> Markup {
    html! {
        tr {
            td { (p.name) }
            td { (p.level) }
            td { (duration_text(p.duration_secs)) }
            td { (created(p)) }
            td.actions {
                @if panel.role.may(Role::Owner) {
                    a.danger href=(format!("/panel/apps/{}/plans/{}/delete", p.app_id, p.id)) { "Delete…" }
                }
            }
        }
    }
}

fn create_form(panel: &Panel, app_id: AppId) -> Markup {
    html! {
        details.generate {
            summary { "Add a plan" }
            form.stack method="post" action="/panel/plans" {
                (layout::csrf(panel))
                input type="hidden" name="app" value=(app_id);
                label for="name" { "Name" }
                input #name type="text" name="name" required maxlength="100";
                label for="level" { "Level (the client API's subscription level, 0 to 1000000, one plan per level)" }
                input #level type="number" name="level" min="0" max="1000000" value="1" required;
                label for="duration" { "Duration of new keys (30d, 12h, 2w, 1y; empty: lifetime)" }
                input #duration type="text" name="duration" maxlength="20" placeholder="30d";
                button type="submit" { "Add" }
            }
        }
    }
}

pub async fn create(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Response, PanelError> {
    let app_id = AppId(f.number("app")?.ok_or_else(|| PanelError::invalid("app", "is required"))?);
    let name = f.required("name", 100)?;
    let level = f.number("level")?.ok_or_else(|| PanelError::invalid("level", "is required"))?;
    let duration = match f.text("duration", 20)? {
        None => None,
        Some(d) => Some(
            parse_duration_secs(&d)
                .ok_or_else(|| PanelError::invalid("duration", "must look like 30d, 12h, 2w, 1y or seconds"))?,
        ),
    };
    plans::create(&state.store, &panel.tenant, app_id, &name, level, duration).await?;
    Ok(Redirect::to(&format!("/panel/plans?app={app_id}&done=saved")).into_response())
}

/// The plan `ids` names (app, plan), of the signed-in seller.
async fn plan_at(state: &AppState, panel: &Panel, ids: &Ids) -> Result<Plan, PanelError> {
    let (app_id, plan_id): (AppId, PlanId) = (ids.first(), ids.last());
    let all = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
    let rows = plans::list(&state.store, &panel.tenant, app_id, all).await?.data;
    rows.into_iter().find(|p| p.id == plan_id).ok_or(PanelError::Manage(crate::manage::ManageError::NotFound("plan")))
}

pub async fn confirm_delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let plan = plan_at(&state, &panel, &ids).await?;
    let action = format!("/panel/apps/{}/plans/{}/delete", plan.app_id, plan.id);
    let question = html! {
        "Delete plan " strong { (plan.name) } " (level " (plan.level) ")? "
        "This is refused while licenses use it. It cannot be undone."
    };
    let back = format!("/panel/plans?app={}", plan.app_id);
    let content = layout::confirmation(&panel, question, &action, "Yes, delete it", &back);
    Ok(layout::page(&panel, "/panel/plans", "Delete a plan", None, content))
}

pub async fn delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let (app_id, plan_id): (AppId, PlanId) = (ids.first(), ids.last());
    plans::delete(&state.store, &panel.tenant, app_id, plan_id).await?;
    Ok(Redirect::to(&format!("/panel/plans?app={app_id}&done=deleted")).into_response())
}
