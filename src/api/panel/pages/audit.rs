//! The audit log: every change of the seller's, newest first, paginated.

use super::super::{PanelError, fields::Fields, layout, session::Panel};
use crate::{
    manage::{PageRequest, audit},
    state::AppState,
    store::audit::AuditEvent,
};
use axum::extract::State;
use maud::{Markup, html};

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let page = PageRequest::new(Some(50), q.number("page")?);
    let rows = audit::list_of(&state.store, &panel.tenant, page).await?;
    let content = html! {
        (table(&rows.data))
        (layout::pager("/panel/audit", &[], &rows.meta))
    };
    Ok(layout::page(&panel, "/panel/audit", "Audit log", None, content))
}

pub fn table(rows: &[AuditEvent]) -> Markup {
    html! {
        div.scroll {
            table {
                thead { tr { th scope="col" { "Time (UTC)" } th scope="col" { "Who" } th scope="col" { "Action" } th scope="col" { "Object" } th scope="col" { "Detail" } } }
                tbody {
                    @for e in rows {
                        tr { td { (layout::when(Some(e.created_at.get()))) } td { (e.actor) } td { (e.action) } td { (e.target) } td { (e.detail) } }
                    }
                    @if rows.is_empty() { tr { td colspan="5" { "Nothing yet." } } }
                }
            }
        }
    }
}
