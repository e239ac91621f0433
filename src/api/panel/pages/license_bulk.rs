//! An app's keys in bulk. Deleting its unused or its used keys at once (KeyAuth's "delete all
//! unused / used keys", the seller API's `delunused` and `delused`): the page shows how many
//! each choice takes and asks for the owner's password again, since one click removes
//! thousands of keys. Adding time to every unused key (KeyAuth's "add time", the seller API's
//! `addtime`): keys not yet redeemed last that much longer once they are.

use super::super::{PanelError, fields::Fields, layout, session, session::Panel};
use crate::domain::{ids::AppId, time::parse_duration_secs};
use crate::{
    manage::{client_data, licenses},
    state::AppState,
};
use axum::extract::State;
use maud::{Markup, html};

const PATH: &str = "/panel/licenses/bulk-delete";
const ADD_TIME: &str = "/panel/licenses/add-time";

pub async fn form(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    super::app_page(&state, &panel, &q, (PATH, "Keys in bulk"), async |at| {
        let counts = licenses::counts(&state.store, &at).await?;
        Ok(html! {
            p { "Banned and switched-off keys are never deleted here; unban or switch them on first." }
            form.stack method="post" action=(PATH) {
                (layout::csrf(&panel))
                input type="hidden" name="app" value=(at.id());
                fieldset {
                    legend { "Which keys" }
                    label.check { input type="radio" name="state" value="unused" required; " Every unused key (" (counts.unused) " now)" }
                    label.check { input type="radio" name="state" value="used"; " Every used key: redeemed by a user (" (counts.used) " now)" }
                }
                (session::password_again())
                button type="submit" { "Delete them" }
            }
            p { a href="/panel/licenses" { "No, keep them" } }
            h2 { "Add time to every unused key" }
            form.stack method="post" action=(ADD_TIME) {
                (layout::csrf(&panel))
                input type="hidden" name="app" value=(at.id());
                p { "Keys with a duration that nobody redeemed yet (" (counts.unused) " now) last this much longer "
                    "once they are; lifetime keys stay lifetime." }
                label for="duration" { "Time to add (30d, 12h, 2w, 1y)" }
                input #duration type="text" name="duration" required maxlength="20" placeholder="7d";
                button type="submit" { "Add the time" }
            }
        })
    })
    .await
}

pub async fn delete(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Markup, PanelError> {
    let app_id = AppId(f.number("app")?.ok_or_else(|| PanelError::invalid("app", "is required"))?);
    let (used, which) = match f.get("state") {
        Some("unused") => (false, "unused"),
        Some("used") => (true, "used"),
        _ => return Err(PanelError::invalid("state", "must be unused or used")),
    };
    session::reauthenticate(&state, &panel, &f).await?;
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    let gone = licenses::delete_in_state(&state.store, &at, used).await?;
    let content = html! {
        p role="status" { "Deleted " (gone) " " (which) " keys of " (at.app().name) "." }
        p { a href="/panel/licenses" { "Back to the licenses" } }
    };
    Ok(layout::page(&panel, "/panel/licenses", "Keys deleted", None, content))
}

pub async fn add_time(State(state): State<AppState>, panel: Panel, f: Fields) -> Result<Markup, PanelError> {
    let app_id = AppId(f.number("app")?.ok_or_else(|| PanelError::invalid("app", "is required"))?);
    let duration = f.required("duration", 20)?;
    let secs = parse_duration_secs(&duration)
        .ok_or_else(|| PanelError::invalid("duration", "must look like 30d, 12h, 90m, 2w, 1y or seconds"))?;
    let at = client_data::client_app(&state.store, &panel.tenant, app_id).await?;
    let n = licenses::add_time_to_unused(&state.store, &at, secs).await?;
    let content = html! {
        p role="status" { "Added " (duration) " to " (n) " unused keys of " (at.app().name) "." }
        p { a href="/panel/licenses" { "Back to the licenses" } }
    };
    Ok(layout::page(&panel, "/panel/licenses", "Time added", None, content))
}
