//! An app's end users: the paginated list with search, HWID reset, ban and unban, extending
//! their subscriptions.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::{AppId, UserId};
use crate::{
    domain::panel::Role,
    manage::{PageRequest, users},
    state::AppState,
    store::users::User,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let apps = super::all_apps(&state, &panel.tenant).await?;
    let app_id = super::chosen_app(&apps, &q)?;
    let search = q.text("search", 200)?;
    let content = match app_id {
        None => html! { p { "There are no apps yet." } },
        Some(app_id) => {
            let page = PageRequest::new(Some(50), q.number("page")?);
            let rows = users::list(&state.store, &panel.tenant, app_id, search.as_deref(), page).await?;
            let search = search.unwrap_or_default();
            html! {
                form.filters method="get" action="/panel/users" role="search" {
                    label for="app" { "App" }
                    select #app name="app" {
                        @for a in &apps { option value=(a.id) selected[a.id == app_id] { (a.name) } }
                    }
                    label for="search" { "Username or email" }
                    input #search type="search" name="search" value=(search);
                    button type="submit" { "Search" }
                }
                div.scroll {
                    table {
                        thead { tr {
                            th scope="col" { "Username" } th scope="col" { "Email" } th scope="col" { "Last IP" }
                            th scope="col" { "Created (UTC)" } th scope="col" { "Last sign-in" } th scope="col" { "Actions" }
                        } }
                        tbody {
                            @for u in &rows.data { (row(&panel, app_id, u)) }
                            @if rows.data.is_empty() { tr { td colspan="6" { "No users match." } } }
                        }
                    }
                }
                (layout::pager("/panel/users", &[("app", app_id.to_string()), ("search", search.clone())], &rows.meta))
            }
        }
    };
    Ok(layout::page(&panel, "/panel/users", "Users", layout::notice(q.get("done")), content))
}

fn row(panel: &Panel, app_id: AppId, u: &User) -> Markup {
    let base = format!("/panel/apps/{app_id}/users/{}", u.id);
    html! {
        tr {
            td { (u.username) @if let Some(r) = &u.banned_reason { " " span.badge.banned { "banned" } " " small { (r) } } }
            td { (u.email.as_deref().unwrap_or("")) }
            td { (u.ip.as_deref().unwrap_or("")) }
            td { (layout::when(Some(u.created_at.get()))) }
            td { (layout::when(u.last_login_at.map(i64::from))) }
            td.actions {
                @if panel.role.may(Role::Support) {
                    (layout::button(panel, &format!("{base}/reset-hwid"), "Reset HWID", &[]))
                    @if u.banned_reason.is_some() {
                        (layout::button(panel, &format!("{base}/unban"), "Unban", &[]))
                    } @else {
                        form.inline method="post" action=(format!("{base}/ban")) {
                            (layout::csrf(panel))
                            label.sr for=(format!("ureason-{}", u.id)) { "Reason for banning " (u.username) }
                            input id=(format!("ureason-{}", u.id)) type="text" name="reason" placeholder="reason" required maxlength="500";
                            button type="submit" { "Ban" }
                        }
                    }
                    form.inline method="post" action=(format!("{base}/extend")) {
                        (layout::csrf(panel))
                        label.sr for=(format!("extend-{}", u.id)) { "Extend " (u.username) " by" }
                        input id=(format!("extend-{}", u.id)) type="text" name="duration" placeholder="30d" required size="5";
                        button type="submit" { "Extend" }
                    }
                }
            }
        }
    }
}

/// Back to the list, on the user, with a message.
fn back(app_id: AppId, user: &User, done: &str) -> Response {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("app", &app_id.to_string())
        .append_pair("search", &user.username)
        .append_pair("done", done)
        .finish();
    Redirect::to(&format!("/panel/users?{q}")).into_response()
}

fn at(ids: &Ids) -> (AppId, UserId) {
    (ids.first(), ids.last())
}

pub async fn reset_hwid(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let (app_id, id) = at(&ids);
    users::reset_hwid(&state.store, &panel.tenant, app_id, id).await?;
    let user = users::get(&state.store, &panel.tenant, app_id, id).await?.user;
    Ok(back(app_id, &user, "hwid_reset"))
}

pub async fn ban(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let (app_id, id) = at(&ids);
    let reason = f.required("reason", 500)?;
    let d = users::set_ban(&state.store, &panel.tenant, app_id, id, Some(&reason)).await?;
    Ok(back(app_id, &d.user, "banned"))
}

pub async fn unban(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let (app_id, id) = at(&ids);
    let d = users::set_ban(&state.store, &panel.tenant, app_id, id, None).await?;
    Ok(back(app_id, &d.user, "unbanned"))
}

pub async fn extend(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let (app_id, id) = at(&ids);
    let duration = f.required("duration", 20)?;
    let d = users::extend(&state.store, &panel.tenant, app_id, id, &duration).await?;
    Ok(back(app_id, &d.user, "extended"))
}
