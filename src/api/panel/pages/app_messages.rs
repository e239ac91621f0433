//! An app's answer texts: every message of the client API that a seller may reword (the
//! others are matched literally by clients), with its default and the app's own wording. Every
//! role reads them; an owner saves them all at once, and an empty field means the default.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::client_messages::{Messages, Msg};
use crate::{
    domain::panel::Role,
    manage::apps::{self, AppSettings},
    state::AppState,
    store::apps::App,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};
use serde_json::{Map, Value};

/// Longest text of one message (the operation refuses longer ones too).
const MAX_TEXT: usize = 1_000;

fn rewordable() -> impl Iterator<Item = Msg> {
    Msg::ALL.iter().copied().filter(|m| m.customisable())
}

fn field(m: Msg) -> String {
    format!("msg_{}", m.id())
}

pub async fn show(State(state): State<AppState>, panel: Panel, ids: Ids, q: Fields) -> Result<Markup, PanelError> {
    let app = apps::get(&state.store, &panel.tenant, ids.last()).await?.app;
    let title = format!("Messages of {}", app.name);
    Ok(layout::page(&panel, "/panel/apps", &title, layout::notice(q.get("done")), form(&panel, &app)))
}

fn form(panel: &Panel, a: &App) -> Markup {
    let custom = Messages::from_json(&a.messages);
    let owner = panel.role.may(Role::Owner);
    html! {
        p { "What the client API answers, in your words: leave a field empty for the default. "
            "Messages that clients compare literally are not listed." }
        form.stack method="post" action=(format!("/panel/apps/{}/messages", a.id)) {
            (layout::csrf(panel))
            fieldset disabled[!owner] {
                legend { "Messages" @if !owner { " (only an owner may change them)" } }
                @for m in rewordable() {
                    @let text = custom.text(m);
                    label for=(field(m)) { code { (m.id()) } ": " (m.default_text()) }
                    input id=(field(m)) type="text" name=(field(m)) maxlength=(MAX_TEXT)
                        value=(if text == m.default_text() { "" } else { text.as_str() });
                }
                @if owner { button type="submit" { "Save" } }
            }
        }
        p { a href=(format!("/panel/apps/{}", a.id)) { "Back to the app" } }
    }
}

/// Saves every non-empty field that differs from its default; the rest go back to the
/// default. The operation checks the texts (too long: 422, nothing saved).
pub async fn save(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let id = ids.last();
    let mut custom = Map::new();
    for m in rewordable() {
        let text = f.get(&field(m)).map(str::trim).unwrap_or_default();
        if !text.is_empty() && text != m.default_text() {
            custom.insert(m.id().to_owned(), Value::String(text.to_owned()));
        }
    }
    let settings = AppSettings { messages: Some(custom), ..AppSettings::default() };
    apps::update(&state.store, &panel.tenant, id, settings).await?;
    Ok(Redirect::to(&format!("/panel/apps/{id}/messages?done=saved")).into_response())
}
