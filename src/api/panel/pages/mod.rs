//! The panel's pages, one module per area. Each handler parses its fields, calls one `manage`
//! operation as the signed-in account, and renders a page or redirects (POST/redirect/GET).

pub mod account;
pub mod app_messages;
pub mod apps;
pub mod audit;
pub mod blacklist;
pub mod chat;
pub mod files;
pub mod license_bulk;
pub mod license_csv;
pub mod licenses;
pub mod logs;
pub mod offline;
pub mod overview;
pub mod plans;
pub mod resellers;
pub mod sessions;
pub mod team;
pub mod tokens;
pub mod users;
pub mod variables;
pub mod webhooks;

use crate::manage::{PageRequest, Tenant, apps as manage_apps};
use crate::state::AppState;
use crate::store::apps::App;

/// Every app of the account's seller (a seller has a handful: read whole).
async fn all_apps(state: &AppState, tenant: &Tenant) -> Result<Vec<App>, super::PanelError> {
    let all = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
    Ok(manage_apps::list(&state.store, tenant, all).await?.data)
}

/// Previous/next links for a list read a page at a time without a total (the client-data
/// listings): "next" while a page comes back full. `page` is the request's `page` field.
fn next_pager(base: &str, query: &[(&str, String)], page: Option<i64>, shown: usize, per_page: i64) -> maud::Markup {
    let page = page.unwrap_or(1);
    let link = |to: i64| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in query {
            q.append_pair(k, v);
        }
        q.append_pair("page", &to.to_string());
        format!("{base}?{}", q.finish())
    };
    maud::html! {
        nav.pager aria-label="Pages" {
            @if page > 1 { a href=(link(page - 1)) rel="prev" { "← Previous" } }
            span { "Page " (page) }
            @if shown as i64 >= per_page { a href=(link(page + 1)) rel="next" { "Next →" } }
        }
    }
}

/// The app a per-app page shows: the `app` query field, else the seller's first app (`None`
/// when the seller has none). A foreign id is refused by the page's operation, like a missing one.
fn chosen_app(apps: &[App], q: &super::fields::Fields) -> Result<Option<crate::domain::ids::AppId>, super::PanelError> {
    Ok(match q.number("app")? {
        Some(id) => Some(crate::domain::ids::AppId(id)),
        None => apps.first().map(|a| a.id),
    })
}

/// The form that switches a per-app page (`action`) to another of the seller's `apps`.
fn app_picker(action: &str, apps: &[App], app_id: crate::domain::ids::AppId) -> maud::Markup {
    maud::html! {
        form.filters method="get" action=(action) {
            label for="app" { "App" }
            select #app name="app" {
                @for a in apps { option value=(a.id) selected[a.id == app_id] { (a.name) } }
            }
            button type="submit" { "Show" }
        }
    }
}

/// The row of a client-data list that `wanted` picks, read a page at a time (those lists are
/// short and have no single-row read); a row of another app is never in the list, so it
/// answers like a missing one (`what`).
async fn find_listed<T, Read>(
    what: &'static str,
    read: impl Fn(crate::store::Page) -> Read,
    wanted: impl Fn(&T) -> bool,
) -> Result<T, super::PanelError>
where
    Read: Future<Output = Result<Vec<T>, crate::manage::ManageError>>,
{
    let per_page = crate::store::Page::MAX_LIMIT;
    for page_no in 1.. {
        let rows = read(crate::manage::client_data::page(Some(per_page), Some(page_no))?).await?;
        let last = (rows.len() as i64) < per_page;
        if let Some(row) = rows.into_iter().find(&wanted) {
            return Ok(row);
        }
        if last {
            break;
        }
    }
    Err(super::PanelError::Manage(crate::manage::ManageError::NotFound(what)))
}

/// A page about one app's client data at `path`: the app picker, then what `body` renders for
/// the chosen app (the `app` query field, else the seller's first app), with the message a
/// redirect asked for.
async fn app_page<Body, Fut>(
    state: &AppState,
    panel: &super::session::Panel,
    q: &super::fields::Fields,
    (path, title): (&str, &str),
    body: Body,
) -> Result<maud::Markup, super::PanelError>
where
    Body: FnOnce(crate::manage::client_data::ClientApp) -> Fut,
    Fut: Future<Output = Result<maud::Markup, super::PanelError>>,
{
    let apps = all_apps(state, &panel.tenant).await?;
    let content = match chosen_app(&apps, q)? {
        None => maud::html! { p { "There are no apps yet." } },
        Some(app_id) => {
            let at = crate::manage::client_data::client_app(&state.store, &panel.tenant, app_id).await?;
            let shown = body(at).await?;
            maud::html! { (app_picker(path, &apps, app_id)) (shown) }
        }
    };
    Ok(super::layout::page(panel, path, title, super::layout::notice(q.get("done")), content))
}

/// Page `q.page` of a client-data list, `per_page` rows.
fn list_page(q: &super::fields::Fields, per_page: i64) -> Result<crate::store::Page, super::PanelError> {
    Ok(crate::manage::client_data::page(Some(per_page), q.number("page")?)?)
}
