//! An app's files (what the client API's `file` action downloads): the list, 50 a page; owners
//! upload one (a known file id is replaced) and delete one behind a confirmation page.
//!
//! The upload is the one `multipart/form-data` form of the panel: the session layer finds its
//! CSRF token in the parts. A panel upload is bounded by the request limit (`max_body_bytes`)
//! as well as by `max_file_bytes`; the CLI uploads up to `max_file_bytes`.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::AppId;
use crate::{
    domain::panel::Role,
    manage::{
        client_content::{self, Upload},
        client_data::{self, MAX_NAME_CHARS},
    },
    state::AppState,
    store::files::FileInfo,
};
use axum::{
    extract::{FromRequest, Multipart, Request, State},
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const PER_PAGE: i64 = 50;

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    super::app_page(&state, &panel, &q, ("/panel/files", "Files"), async |at| {
        let rows = client_content::list_files(&state.store, &at, super::list_page(&q, PER_PAGE)?).await?;
        Ok(html! {
            @if panel.role.may(Role::Owner) { (upload_form(&panel, at.id(), upload_limit(&state))) }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "File id" } th scope="col" { "Name" } th scope="col" { "Size" }
                        th scope="col" { "Who may download it" } th scope="col" { "Uploaded (UTC)" }
                        th scope="col" { "Actions" }
                    } }
                    tbody {
                        @for f in &rows { (row(&panel, f)) }
                        @if rows.is_empty() { tr { td colspan="6" { "No files." } } }
                    }
                }
            }
            (super::next_pager("/panel/files", &[("app", at.id().to_string())], q.number("page")?, rows.len(), PER_PAGE))
        })
    })
    .await
}

/// The largest file the panel's form can carry: the smaller of the two limits.
fn upload_limit(state: &AppState) -> usize {
    state.config.max_file_bytes.min(state.config.max_body_bytes)
}

fn row(panel: &Panel, f: &FileInfo) -> Markup {
    html! {
        tr {
            td { code { (f.fileid) } }
            td { (f.name) }
            td { (f.size) " bytes" }
            td { (if f.authed { "signed-in users" } else { "any client" }) }
            td { (layout::when(Some(f.created_at.get()))) }
            td.actions {
                @if panel.role.may(Role::Owner) {
                    a.danger href=(format!("/panel/apps/{}/files/{}/delete", f.app_id, f.id)) { "Delete…" }
                }
            }
        }
    }
}

fn upload_form(panel: &Panel, app_id: AppId, limit: usize) -> Markup {
    html! {
        details.generate {
            summary { "Upload a file" }
            form.stack method="post" action="/panel/files" enctype="multipart/form-data" {
                (layout::csrf(panel))
                input type="hidden" name="app" value=(app_id);
                label for="fileid" { "File id (what the client asks for; an existing one is replaced)" }
                input #fileid type="text" name="fileid" required maxlength=(MAX_NAME_CHARS);
                label for="file" { "File (at most " (limit) " bytes)" }
                input #file type="file" name="file" required;
                label.check for="authed" { input #authed type="checkbox" name="authed" value="1" checked; " Only for signed-in users" }
                button type="submit" { "Upload" }
            }
        }
    }
}

/// The upload form's parts.
#[derive(Default)]
struct UploadForm {
    app: Option<i64>,
    fileid: Option<String>,
    name: String,
    data: Vec<u8>,
    authed: bool,
}

async fn read_upload(state: &AppState, req: Request) -> Result<UploadForm, PanelError> {
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|_| PanelError::invalid("form", "must be sent as multipart/form-data"))?;
    let unreadable = |_| PanelError::invalid("form", "cannot be read");
    let mut up = UploadForm::default();
    while let Some(part) = form.next_field().await.map_err(unreadable)? {
        match part.name().unwrap_or("") {
            "app" => up.app = part.text().await.map_err(unreadable)?.trim().parse().ok(),
            "fileid" => up.fileid = Some(part.text().await.map_err(unreadable)?.trim().to_owned()),
            "authed" => up.authed = true,
            "file" => {
                up.name = part.file_name().unwrap_or("").to_owned();
                up.data = part.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    Ok(up)
}

pub async fn upload(State(state): State<AppState>, panel: Panel, req: Request) -> Result<Response, PanelError> {
    let up = read_upload(&state, req).await?;
    let app_id = AppId(up.app.ok_or_else(|| PanelError::invalid("app", "is required"))?);
    let fileid = up.fileid.filter(|f| !f.is_empty()).ok_or_else(|| PanelError::invalid("fileid", "is required"))?;
    if up.data.is_empty() {
        return Err(PanelError::invalid("file", "is required (and may not be empty)"));
    }
    let name = if up.name.is_empty() { fileid.clone() } else { up.name };
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    let upload = Upload { fileid: &fileid, name: &name, data: &up.data, authed: up.authed };
    client_content::put_file(&state.store, &at, upload, upload_limit(&state)).await?;
    Ok(Redirect::to(&format!("/panel/files?app={app_id}&done=saved")).into_response())
}

/// The file `ids` names (app, file id number) of the signed-in seller.
async fn file_at(state: &AppState, panel: &Panel, ids: &Ids) -> Result<(client_data::ClientApp, FileInfo), PanelError> {
    let at = client_data::client_app(&state.store, &panel.tenant, ids.first()).await?;
    let id: i64 = ids.last();
    let file =
        super::find_listed("file", |page| client_content::list_files(&state.store, &at, page), |f| f.id == id).await?;
    Ok((at, file))
}

pub async fn confirm_delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let (_, f) = file_at(&state, &panel, &ids).await?;
    let question =
        html! { "Delete file " code { (f.fileid) } " (" (f.name) ")? Clients asking for it get an error from now on." };
    let action = format!("/panel/apps/{}/files/{}/delete", f.app_id, f.id);
    let back = format!("/panel/files?app={}", f.app_id);
    let content = layout::confirmation(&panel, question, &action, "Yes, delete it", &back);
    Ok(layout::page(&panel, "/panel/files", "Delete a file", None, content))
}

pub async fn delete(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let (at, f) = file_at(&state, &panel, &ids).await?;
    client_content::delete_file(&state.store, &at, &f.fileid).await?;
    Ok(Redirect::to(&format!("/panel/files?app={}&done=deleted", f.app_id)).into_response())
}
