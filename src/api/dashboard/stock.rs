//! The reseller's stock per plan (available to sell, assigned) and its assignments: which
//! license went to which Discord user, paginated and searchable.

use super::session::{Dashboard, page};
use crate::api::panel::{PanelError, fields::Fields, layout};
use crate::{
    manage::{PageRequest, reseller_dashboard},
    state::AppState,
};
use axum::extract::State;
use maud::{Markup, html};

pub async fn show(State(state): State<AppState>, dash: Dashboard) -> Result<Markup, PanelError> {
    let plans = reseller_dashboard::stock(&state.store, &dash.account).await?;
    let content = html! {
        p { "Licenses your seller put into your stock, per plan. Available ones can be sold now \
             (through the Reseller API's fetchlicense); assigned ones went to a Discord user." }
        (layout::stock_table(&plans, "Your stock is empty: ask your seller for licenses."))
    };
    Ok(page(&dash, "/reseller/dashboard/", "Stock", None, content))
}

pub async fn assignments(State(state): State<AppState>, dash: Dashboard, q: Fields) -> Result<Markup, PanelError> {
    let search = q.text("search", 200)?;
    let page_request = PageRequest::new(Some(50), q.number("page")?);
    let rows = reseller_dashboard::assignments(&state.store, &dash.account, search.as_deref(), page_request).await?;
    let search = search.unwrap_or_default();
    let content = html! {
        form.filters method="get" action="/reseller/dashboard/assignments" role="search" {
            label for="search" { "Key or Discord user id" }
            input #search type="search" name="search" value=(search);
            button type="submit" { "Search" }
        }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Key" } th scope="col" { "Discord user" } th scope="col" { "Assigned (UTC)" }
                    th scope="col" { "Expires (UTC)" }
                } }
                tbody {
                    @for l in &rows.data {
                        tr {
                            td { code { (l.key) } }
                            td { (l.discord_user_id.as_deref().unwrap_or("")) }
                            td { (layout::when(l.assigned_at.map(i64::from))) }
                            td { (layout::when(l.expires_at.map(i64::from))) }
                        }
                    }
                    @if rows.data.is_empty() { tr { td colspan="4" { "No assignments match." } } }
                }
            }
        }
        (layout::pager("/reseller/dashboard/assignments", &[("search", search.clone())], &rows.meta))
    };
    Ok(page(&dash, "/reseller/dashboard/assignments", "Assignments", None, content))
}
