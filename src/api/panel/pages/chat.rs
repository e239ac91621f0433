//! An app's chat (the client API's `chatget`/`chatsend`): its channels and muted users on one
//! page, each channel's messages on its own, newest first. Owners create and delete channels;
//! support and owners delete messages (behind a confirmation page) and mute and unmute users.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::Panel,
};
use crate::domain::ids::AppId;
use crate::{
    domain::{panel::Role, time},
    manage::{
        client_content::{self, MAX_CHAT_DELAY_SECS},
        client_data::{self, ClientApp, MAX_NAME_CHARS},
    },
    state::AppState,
    store::chat::{ChatChannel, ChatMessage, ChatMute},
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const PER_PAGE: i64 = 50;

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    super::app_page(&state, &panel, &q, ("/panel/chat", "Chat"), async |at| {
        let all = client_data::page(Some(crate::store::Page::MAX_LIMIT), None)?;
        let channels = client_content::list_channels(&state.store, &at, all).await?;
        let mutes = client_content::list_mutes(&state.store, &at, all).await?;
        Ok(html! {
            h2 { "Channels" }
            @if panel.role.may(Role::Owner) { (channel_form(&panel, at.id())) }
            (channel_table(&panel, &channels))
            h2 { "Muted users" }
            @if panel.role.may(Role::Support) { (mute_form(&panel, at.id())) }
            (mute_table(&panel, at.id(), &mutes))
        })
    })
    .await
}

fn channel_table(panel: &Panel, channels: &[ChatChannel]) -> Markup {
    html! {
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Channel" } th scope="col" { "Delay between a user's messages" }
                    th scope="col" { "Actions" }
                } }
                tbody {
                    @for c in channels {
                        tr {
                            td { a href=(format!("/panel/apps/{}/chat/{}", c.app_id, c.id)) { (c.name) } }
                            td { (c.delay_secs) " s" }
                            td.actions {
                                @if panel.role.may(Role::Owner) {
                                    a.danger href=(format!("/panel/apps/{}/chat/{}/delete", c.app_id, c.id)) { "Delete…" }
                                }
                            }
                        }
                    }
                    @if channels.is_empty() { tr { td colspan="3" { "No channels." } } }
                }
            }
        }
    }
}

fn mute_table(panel: &Panel, app_id: AppId, mutes: &[ChatMute]) -> Markup {
    let unmute = format!("/panel/apps/{app_id}/chat-mutes/unmute");
    html! {
        div.scroll {
            table {
                thead { tr { th scope="col" { "User" } th scope="col" { "Muted until (UTC)" } th scope="col" { "Actions" } } }
                tbody {
                    @for m in mutes {
                        tr {
                            td { (m.username) }
                            td { (layout::when(Some(m.until.get()))) }
                            td.actions {
                                @if panel.role.may(Role::Support) {
                                    (layout::button(panel, &unmute, "Unmute", &[("username", &m.username)]))
                                }
                            }
                        }
                    }
                    @if mutes.is_empty() { tr { td colspan="3" { "Nobody is muted." } } }
                }
            }
        }
    }
}

fn channel_form(panel: &Panel, app_id: AppId) -> Markup {
    html! {
        details.generate {
            summary { "Create a channel" }
            form.stack method="post" action=(format!("/panel/apps/{app_id}/chat")) {
                (layout::csrf(panel))
                label for="name" { "Name" }
                input #name type="text" name="name" required maxlength=(MAX_NAME_CHARS);
                label for="delay_secs" { "Seconds a user waits between two messages" }
                input #delay_secs type="number" name="delay_secs" min="0" max=(MAX_CHAT_DELAY_SECS) value="0";
                button type="submit" { "Create" }
            }
        }
    }
}

fn mute_form(panel: &Panel, app_id: AppId) -> Markup {
    html! {
        details.generate {
            summary { "Mute a user" }
            form.stack method="post" action=(format!("/panel/apps/{app_id}/chat-mutes")) {
                (layout::csrf(panel))
                label for="username" { "Username" }
                input #username type="text" name="username" required maxlength="200";
                label for="duration" { "For how long (30m, 12h, 7d, ...)" }
                input #duration type="text" name="duration" required placeholder="1d" size="6";
                button type="submit" { "Mute" }
            }
        }
    }
}

async fn app_at(state: &AppState, panel: &Panel, ids: &Ids) -> Result<ClientApp, PanelError> {
    Ok(client_data::client_app(&state.store, &panel.tenant, ids.first()).await?)
}

pub async fn create_channel(
    State(state): State<AppState>,
    panel: Panel,
    ids: Ids,
    f: Fields,
) -> Result<Response, PanelError> {
    let at = app_at(&state, &panel, &ids).await?;
    let name = f.required("name", MAX_NAME_CHARS)?;
    let delay = f.number("delay_secs")?.unwrap_or(0);
    client_content::create_channel(&state.store, &at, &name, delay).await?;
    Ok(Redirect::to(&format!("/panel/chat?app={}&done=saved", at.id())).into_response())
}

/// The channel `ids` names: (app, channel id, ...).
async fn channel_at(state: &AppState, panel: &Panel, ids: &Ids) -> Result<(ClientApp, ChatChannel), PanelError> {
    let at = app_at(state, panel, ids).await?;
    let id = ids.0.get(1).copied().unwrap_or_default();
    let channel =
        super::find_listed("channel", |page| client_content::list_channels(&state.store, &at, page), |c| c.id == id)
            .await?;
    Ok((at, channel))
}

pub async fn messages(State(state): State<AppState>, panel: Panel, ids: Ids, q: Fields) -> Result<Markup, PanelError> {
    let (at, channel) = channel_at(&state, &panel, &ids).await?;
    let page_no = q.number("page")?;
    let rows = client_content::list_messages(&state.store, &at, &channel.name, super::list_page(&q, PER_PAGE)?).await?;
    let base = format!("/panel/apps/{}/chat/{}", channel.app_id, channel.id);
    let content = html! {
        p { a href=(format!("/panel/chat?app={}", channel.app_id)) { "← All channels" } }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Time (UTC)" } th scope="col" { "Author" } th scope="col" { "Message" }
                    th scope="col" { "Actions" }
                } }
                tbody {
                    @for m in &rows { (message_row(&panel, &base, m)) }
                    @if rows.is_empty() { tr { td colspan="4" { "No messages." } } }
                }
            }
        }
        (super::next_pager(&base, &[], page_no, rows.len(), PER_PAGE))
    };
    let title = format!("Chat: {}", channel.name);
    Ok(layout::page(&panel, "/panel/chat", &title, layout::notice(q.get("done")), content))
}

fn message_row(panel: &Panel, base: &str, m: &ChatMessage) -> Markup {
    html! {
        tr {
            td { (layout::when(Some(m.created_at.get()))) }
            td { (m.author) }
            td { (m.message) }
            td.actions {
                @if panel.role.may(Role::Support) {
                    a.danger href=(format!("{base}/messages/{}/delete", m.id)) { "Delete…" }
                }
            }
        }
    }
}

pub async fn confirm_delete_channel(
    State(state): State<AppState>,
    panel: Panel,
    ids: Ids,
) -> Result<Markup, PanelError> {
    let (_, c) = channel_at(&state, &panel, &ids).await?;
    let question = html! { "Delete channel " code { (c.name) } " and all its messages? Clients sending to it get an error from now on." };
    let action = format!("/panel/apps/{}/chat/{}/delete", c.app_id, c.id);
    let back = format!("/panel/chat?app={}", c.app_id);
    let content = layout::confirmation(&panel, question, &action, "Yes, delete it", &back);
    Ok(layout::page(&panel, "/panel/chat", "Delete a channel", None, content))
}

pub async fn delete_channel(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let (at, c) = channel_at(&state, &panel, &ids).await?;
    client_content::delete_channel(&state.store, &at, &c.name).await?;
    Ok(Redirect::to(&format!("/panel/chat?app={}&done=deleted", c.app_id)).into_response())
}

/// The message `ids` names (app, channel, message) in that channel of the signed-in seller.
async fn message_at(
    state: &AppState,
    panel: &Panel,
    ids: &Ids,
) -> Result<(ClientApp, ChatChannel, ChatMessage), PanelError> {
    let (at, channel) = channel_at(state, panel, ids).await?;
    let id: i64 = ids.last();
    let message = super::find_listed(
        "message",
        |page| client_content::list_messages(&state.store, &at, &channel.name, page),
        |m| m.id == id,
    )
    .await?;
    Ok((at, channel, message))
}

pub async fn confirm_delete_message(
    State(state): State<AppState>,
    panel: Panel,
    ids: Ids,
) -> Result<Markup, PanelError> {
    let (_, c, m) = message_at(&state, &panel, &ids).await?;
    let question = html! { "Delete this message of " (m.author) "? " q { (m.message) } };
    let base = format!("/panel/apps/{}/chat/{}", c.app_id, c.id);
    let content =
        layout::confirmation(&panel, question, &format!("{base}/messages/{}/delete", m.id), "Yes, delete it", &base);
    Ok(layout::page(&panel, "/panel/chat", "Delete a message", None, content))
}

pub async fn delete_message(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let (at, c, m) = message_at(&state, &panel, &ids).await?;
    client_content::delete_message(&state.store, &at, m.id).await?;
    Ok(Redirect::to(&format!("/panel/apps/{}/chat/{}?done=deleted", c.app_id, c.id)).into_response())
}

pub async fn mute(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let at = app_at(&state, &panel, &ids).await?;
    let username = f.required("username", 200)?;
    let duration = f.required("duration", 20)?;
    let until = time::parse_duration_secs(&duration)
        .and_then(|secs| secs.checked_mul(1000)?.checked_add(time::now_ms()))
        .ok_or_else(|| PanelError::invalid("duration", "must be a duration such as 30m, 12h or 7d"))?;
    client_content::mute(&state.store, &at, &username, until).await?;
    Ok(Redirect::to(&format!("/panel/chat?app={}&done=saved", at.id())).into_response())
}

pub async fn unmute(State(state): State<AppState>, panel: Panel, ids: Ids, f: Fields) -> Result<Response, PanelError> {
    let at = app_at(&state, &panel, &ids).await?;
    let username = f.required("username", 200)?;
    client_content::unmute(&state.store, &at, &username).await?;
    Ok(Redirect::to(&format!("/panel/chat?app={}&done=saved", at.id())).into_response())
}
