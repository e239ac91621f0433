//! A license checked out as a signed offline license file (docs/offline-licenses.md): the form
//! (machine, time-to-live, entitlements) and the page with the armoured file to paste or save.
//! The same operation as the admin API's and the CLI's checkout, audited as `license.checkout`.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::LicenseId;
use crate::{
    manage::{
        licenses,
        offline::{self, CheckoutRequest, Issuer},
    },
    state::AppState,
};
use axum::extract::State;
use maud::{Markup, html};

pub async fn form(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let id: LicenseId = ids.last();
    let l = licenses::get(&state.store, &panel.tenant, id).await?;
    let max_days = state.config.offline_ttl_secs / 86_400;
    let content = html! {
        p { "A signed file that lets the program run without network until it must refresh online. "
            "Bind it to the machine it is for; a banned or switched-off license gets no new file." }
        form.stack method="post" action=(format!("/panel/licenses/{id}/offline")) {
            (layout::csrf(&panel))
            p { "License " code { (l.key) } }
            label for="hwid" { "HWID of the machine (empty: any machine)" }
            input #hwid type="text" name="hwid" maxlength="256";
            label for="ttl_days" { "Days until it must refresh online (at most " (max_days) ")" }
            input #ttl_days type="number" name="ttl_days" min="1" max=(max_days) value=(max_days);
            label for="entitlements" { "Entitlements, space-separated (optional)" }
            input #entitlements type="text" name="entitlements" maxlength="2000";
            button type="submit" { "Check out" }
        }
    };
    Ok(layout::page(&panel, "/panel/licenses", "Offline license file", None, content))
}

pub async fn checkout(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Markup, PanelError> {
    let id: LicenseId = ids.last();
    let req = CheckoutRequest {
        ttl_secs: f.number("ttl_days")?.map(|d| d.saturating_mul(86_400)),
        hwid: f.text("hwid", 256)?,
        instance_id: None,
        entitlements: f.text("entitlements", 2000)?.unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
    };
    let file = offline::checkout(&Issuer::of(&state), &panel.tenant, id, req).await?;
    let content = html! {
        p role="status" { "Valid until " (layout::when(Some(file.refresh_by))) " (UTC), then the program must refresh online." }
        label for="file" { "The file: save it as license.lic beside the program, or paste it where it asks" }
        textarea #file readonly rows="14" { (file.file) }
        p { a href="/panel/licenses" { "Back to the licenses" } }
    };
    Ok(layout::page(&panel, "/panel/licenses", "Offline license file", None, content))
}
