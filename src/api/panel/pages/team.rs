//! The seller's team: its panel accounts and the invitations still open. Owners invite an
//! email address with a role (behind their password: an invitation opens an account), see the
//! link once, on the page answering the invitation, and revoke an open invitation or remove
//! another account behind a confirmation. Nobody removes their own account here, so a seller
//! always keeps the owner who is looking.

use super::super::{
    PanelError,
    fields::{Fields, Ids},
    layout,
    session::{self, Panel},
};
use crate::{
    api::reached::Reached,
    domain::panel::Role,
    manage::{ManageError, panel as accounts, panel_invitations as invitations},
    state::AppState,
    store::{panel::PanelAccount, panel_invitations::PanelInvitation},
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};

const PATH: &str = "/panel/team";

pub async fn list(State(state): State<AppState>, panel: Panel, q: Fields) -> Result<Markup, PanelError> {
    let members = accounts::list(&state.store, &panel.tenant).await?;
    let open = invitations::open(&state.store, &panel.tenant).await?;
    let owner = panel.role.may(Role::Owner);
    let content = html! {
        p { "Everyone who signs in to this seller's panel. An owner changes everything, support "
            "works with licenses and users, readonly only looks." }
        @if owner { (invite_form(&panel)) }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "Second factor" }
                    th scope="col" { "Since (UTC)" } th scope="col" { "Actions" }
                } }
                tbody { @for a in &members { (member_row(&panel, a)) } }
            }
        }
        @if owner {
            h2 { "Open invitations" }
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "Invited by" }
                        th scope="col" { "Expires (UTC)" } th scope="col" { "Actions" }
                    } }
                    tbody {
                        @for i in &open { (invitation_row(i)) }
                        @if open.is_empty() { tr { td colspan="5" { "No open invitations." } } }
                    }
                }
            }
        }
    };
    Ok(layout::page(&panel, PATH, "Team", layout::notice(q.get("done")), content))
}

fn member_row(panel: &Panel, a: &PanelAccount) -> Markup {
    html! {
        tr {
            td { (a.email) @if a.id == panel.account.id { " " small { "(you)" } } }
            td { (a.role.as_str()) }
            td { @if a.totp_enrolled() { "TOTP" } @else { "–" } }
            td { (layout::when(Some(a.created_at.get()))) }
            td.actions {
                @if panel.role.may(Role::Owner) && a.id != panel.account.id {
                    a.danger href=(format!("/panel/team/accounts/{}/remove", a.id)) { "Remove…" }
                }
            }
        }
    }
}

fn invitation_row(i: &PanelInvitation) -> Markup {
    html! {
        tr {
            td { (i.email) } td { (i.role.as_str()) } td { (i.invited_by) }
            td { (layout::when(Some(i.expires_at.get()))) }
            td.actions { a.danger href=(format!("/panel/team/invitations/{}/revoke", i.id)) { "Revoke…" } }
        }
    }
}

fn invite_form(panel: &Panel) -> Markup {
    html! {
        details.generate {
            summary { "Invite someone" }
            form.stack method="post" action="/panel/team/invitations" {
                (layout::csrf(panel))
                label for="email" { "Their email address" }
                input #email type="email" name="email" required maxlength="254" autocomplete="off";
                label for="role" { "Role" }
                select #role name="role" {
                    option value="readonly" { "readonly: looks only" }
                    option value="support" { "support: bans, HWID resets, extensions" }
                    option value="owner" { "owner: everything" }
                }
                (session::password_again())
                button type="submit" { "Invite" }
            }
        }
    }
}

/// Makes the invitation and shows its link, this once: only the token's digest is stored.
pub async fn invite(
    State(state): State<AppState>,
    panel: Panel,
    reached: Reached,
    f: Fields,
) -> Result<Markup, PanelError> {
    let email = f.required("email", 254)?;
    let role = f.required("role", 20)?;
    session::reauthenticate(&state, &panel, &f).await?;
    let made = invitations::invite(&state.store, &panel.tenant, &email, &role).await?;
    let path = format!("/panel/invitation?token={}", made.token);
    let link = reached.url(&path).unwrap_or(path);
    let content = html! {
        p role="status" {
            strong { (made.invitation.email) } " is invited as " strong { (made.invitation.role.as_str()) } "."
        }
        label for="link" { "Their link, shown this once: send it to them; it works once, for "
            (invitations::INVITATION_DAYS) " days" }
        input #link type="text" readonly value=(link);
        p { a href=(PATH) { "Back to the team" } }
    };
    Ok(layout::page(&panel, PATH, "Invitation", None, content))
}

/// The seller's open invitation `ids` names; another one answers like a missing one.
async fn open_invitation(state: &AppState, panel: &Panel, ids: &Ids) -> Result<PanelInvitation, PanelError> {
    let id: i64 = ids.last();
    let open = invitations::open(&state.store, &panel.tenant).await?;
    open.into_iter().find(|i| i.id == id).ok_or(PanelError::Manage(ManageError::NotFound("invitation")))
}

pub async fn confirm_revoke(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let i = open_invitation(&state, &panel, &ids).await?;
    let question = html! { "Revoke the invitation of " strong { (i.email) } "? Its link stops working." };
    let action = format!("/panel/team/invitations/{}/revoke", i.id);
    let content = layout::confirmation(&panel, question, &action, "Yes, revoke it", PATH);
    Ok(layout::page(&panel, PATH, "Revoke an invitation", None, content))
}

pub async fn revoke(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    invitations::revoke(&state.store, &panel.tenant, ids.last()).await?;
    Ok(Redirect::to("/panel/team?done=revoked").into_response())
}

/// Another account of the seller that `ids` names (one's own account is not removed here).
async fn other_account(state: &AppState, panel: &Panel, ids: &Ids) -> Result<PanelAccount, PanelError> {
    let id: i64 = ids.last();
    if id == panel.account.id {
        return Err(PanelError::Forbidden("You cannot remove your own account; another owner can."));
    }
    Ok(accounts::get(&state.store, &panel.tenant, id).await?)
}

pub async fn confirm_remove(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Markup, PanelError> {
    let a = other_account(&state, &panel, &ids).await?;
    let question = html! { "Remove the account of " strong { (a.email) } "? They are signed out at once and cannot sign in again." };
    let action = format!("/panel/team/accounts/{}/remove", a.id);
    let content = layout::confirmation(&panel, question, &action, "Yes, remove it", PATH);
    Ok(layout::page(&panel, PATH, "Remove an account", None, content))
}

pub async fn remove(State(state): State<AppState>, panel: Panel, ids: Ids) -> Result<Response, PanelError> {
    let a = other_account(&state, &panel, &ids).await?;
    accounts::remove(&state.store, &panel.tenant, a.id).await?;
    Ok(Redirect::to("/panel/team?done=removed").into_response())
}
