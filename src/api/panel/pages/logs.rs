//! An app's client logs (what the client API's `log` action sent: message, user, PC user),
//! newest first, 50 a page. Every role may read them; nobody edits them here.

use super::super::{PanelError, fields::Fields, layout, session::Panel};
use crate::{manage::client_data, state::AppState, store::client_data::ClientLog};
use axum::extract::State;
use maud::{Markup, html};

const PER_PAGE: i64 = 50;

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    super::app_page(&state, &panel, &q, ("/panel/logs", "Client logs"), async |at| {
        let rows = client_data::list_logs(&state.store, &at, super::list_page(&q, PER_PAGE)?).await?;
        Ok(html! {
            (table(&rows))
            (super::next_pager("/panel/logs", &[("app", at.id().to_string())], q.number("page")?, rows.len(), PER_PAGE))
        })
    })
    .await
}

fn table(rows: &[ClientLog]) -> Markup {
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
    html! {
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Time (UTC)" } th scope="col" { "User" } th scope="col" { "PC user" }
                    th scope="col" { "Message" }
                } }
                tbody {
                    @for l in rows {
                        tr {
                            td { (layout::when(Some(l.created_at.get()))) }
                            td { (or_dash(&l.username)) }
                            td { (or_dash(&l.pcuser)) }
                            td { (l.message) }
                        }
                    }
                    @if rows.is_empty() { tr { td colspan="4" { "No logs." } } }
                }
            }
        }
    }
}
