//! The panel's pages, one module per area. Each handler parses its fields, calls one `manage`
//! operation as the signed-in account, and renders a page or redirects (POST/redirect/GET).

pub mod apps;
pub mod audit;
pub mod blacklist;
pub mod license_csv;
pub mod licenses;
pub mod offline;
pub mod overview;
pub mod plans;
pub mod resellers;
pub mod tokens;
pub mod users;
pub mod variables;
pub mod webhooks;

use crate::manage::{PageRequest, Scope, apps as manage_apps};
use crate::state::AppState;
use crate::store::apps::App;

/// Every app of the account's seller (a seller has a handful: read whole).
async fn all_apps(state: &AppState, scope: &Scope) -> Result<Vec<App>, super::PanelError> {
    let all = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
    Ok(manage_apps::list(&state.store, scope, None, all).await?.data)
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
