//! Licenses in and out as CSV: the list's licenses (with its search and state filter) as a
//! download, and keys pasted as CSV imported for a plan. The same operations and file format
//! as `licensd license export|import` (docs/admin.md); a file larger than the body limit goes
//! through the CLI.

use super::super::{PanelError, fields::Fields, layout, session::Panel};
use super::licenses::{chosen_plan, plan_select};
use crate::domain::ids::{AppId, PlanId};
use crate::{
    manage::licenses::{self, Format, ImportDefaults},
    state::AppState,
};
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use maud::{Markup, html};
use std::collections::HashMap;

/// The export of the list as it is filtered now.
pub fn export_link(search: &str, state: &str) -> String {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("search", search)
        .append_pair("state", state)
        .finish();
    format!("/panel/licenses/export.csv?{q}")
}

pub async fn export(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Response, PanelError> {
    let query =
        licenses::ListQuery { search: q.text("search", 200)?, state: q.text("state", 20)?, ..Default::default() };
    let records = licenses::export(&state.store, &panel.tenant, &query).await?;
    let csv = licenses::to_csv(&records)?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"licenses.csv\""),
    ];
    Ok((headers, csv).into_response())
}

pub fn import_form(panel: &Panel, names: &HashMap<(AppId, PlanId), String>) -> Markup {
    html! {
        details.generate {
            summary { "Import keys (CSV)" }
            form.stack method="post" action="/panel/licenses/import" {
                (layout::csrf(panel))
                (plan_select(names))
                label for="csv" { "CSV with a header line: " code { "key" } " and optionally " code { "plan" } ", "
                    code { "duration_secs" } ", " code { "expires_at" } ", " code { "max_activations" } ", " code { "note" } }
                textarea #csv name="csv" rows="8" required placeholder="key,note\nAAAA-BBBB-CCCC,from the old server" {}
                button type="submit" { "Import" }
            }
        }
    }
}

pub async fn import(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Markup, PanelError> {
    let (app_id, plan_id) = chosen_plan(&f)?;
    let csv = f.required("csv", state.config.max_body_bytes)?;
    let records = licenses::parse_import(Format::Csv, csv.as_bytes())?;
    let defaults = ImportDefaults { plan_id: Some(plan_id), ..ImportDefaults::default() };
    let report = licenses::import(&state.store, &panel.tenant, app_id, defaults, records, &|_| {}).await?;
    let content = html! {
        p role="status" { "Imported " (report.imported) " keys; " (report.duplicates.len()) " were there already and were left as they are." }
        @if !report.duplicates.is_empty() {
            label for="duplicates" { "Keys that were there already" }
            textarea #duplicates readonly rows="6" { (report.duplicates.join("\n")) }
        }
        p { a href="/panel/licenses?state=unused" { "Back to the licenses" } }
    };
    Ok(layout::page(&panel, "/panel/licenses", "Imported keys", None, content))
}
