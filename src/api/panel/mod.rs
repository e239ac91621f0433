//! The seller panel under `/panel/`: server-rendered HTML pages (maud) over the same `manage`
//! operations as the admin API and the CLI, for a seller's staff signed in with a panel account.
//! User documentation: docs/panel.md; security rules: SECURITY.md.
//!
//! The layers, reusable by other browser faces (a reseller dashboard, a customer panel):
//! `security` (headers: CSP, no framing, no sniffing), `assets` (embedded, content-hashed CSS),
//! `session` (cookie session stored as a digest, idle and absolute expiry, CSRF token checked on
//! every POST before any handler runs, sign-in limits), `fields` (form and query input that
//! fails as a page, not a plain-text rejection), `layout` (page shell, pagination, messages).
//! Who may do what is decided here, once: each route sits in the group of the least role that
//! may use it, and the group's layer refuses every other role with 403.

pub(super) mod assets;
mod chart;
pub(super) mod error;
pub(super) mod fields;
mod invitation;
pub(super) mod layout;
mod pages;
mod progress;
pub(super) mod security;
pub(super) mod session;

pub use error::PanelError;
pub(crate) use error::refuse_body;

use crate::{domain::panel::Role, state::AppState};
use axum::{
    Router,
    middleware::{from_fn, from_fn_with_state},
    routing::{any, get, post},
};
use pages::{
    account, app_messages, apps, audit, blacklist, chat, files, license_bulk, license_csv, licenses, logs, offline,
    overview, plans, resellers, sessions, team, tokens, users, variables, webhooks,
};
pub(crate) use session::PanelFace;

pub fn router(state: &AppState) -> Router<AppState> {
    // Looking: every role. Signing out and changing one's own password are no change to the
    // seller's data, so readonly may.
    let read = Router::new()
        .route("/panel/", get(overview::show))
        .route("/panel/signout", post(session::sign_out::<PanelFace>))
        .route("/panel/account", get(account::show).post(account::change_password))
        .route("/panel/account/totp", get(account::totp_form).post(account::enrol_totp))
        .route("/panel/account/totp/off", post(account::remove_totp))
        .route("/panel/apps", get(apps::list))
        .route("/panel/apps/{app}", get(apps::show))
        .route("/panel/apps/{app}/messages", get(app_messages::show))
        .route("/panel/plans", get(plans::list))
        .route("/panel/apps/{app}/plans/{id}/delete", get(plans::confirm_delete))
        .route("/panel/variables", get(variables::list))
        .route("/panel/apps/{app}/variables/{id}/delete", get(variables::confirm_delete))
        .route("/panel/blacklist", get(blacklist::list))
        .route("/panel/apps/{app}/blacklist/{id}/remove", get(blacklist::confirm_remove))
        .route("/panel/files", get(files::list))
        .route("/panel/apps/{app}/files/{id}/delete", get(files::confirm_delete))
        .route("/panel/chat", get(chat::list))
        .route("/panel/apps/{app}/chat/{id}", get(chat::messages))
        .route("/panel/apps/{app}/chat/{id}/delete", get(chat::confirm_delete_channel))
        .route("/panel/apps/{app}/chat/{id}/messages/{message}/delete", get(chat::confirm_delete_message))
        .route("/panel/logs", get(logs::list))
        .route("/panel/tokens", get(tokens::list))
        .route("/panel/tokens/{id}/revoke", get(tokens::confirm_revoke))
        .route("/panel/licenses", get(licenses::list))
        .route("/panel/licenses/export.csv", get(license_csv::export))
        .route("/panel/licenses/bulk-delete", get(license_bulk::form))
        .route("/panel/licenses/{id}/delete", get(licenses::confirm_delete))
        .route("/panel/licenses/{id}/offline", get(offline::form))
        .route("/panel/users", get(users::list))
        .route("/panel/sessions", get(sessions::list))
        .route("/panel/apps/{app}/sessions/end-all", get(sessions::confirm_end_all))
        .route("/panel/resellers", get(resellers::list))
        .route("/panel/resellers/{id}", get(resellers::show))
        .route("/panel/resellers/{id}/keys/{key}/revoke", get(resellers::confirm_revoke_key))
        .route("/panel/team", get(team::list))
        .route("/panel/team/invitations/{id}/revoke", get(team::confirm_revoke))
        .route("/panel/team/accounts/{id}/remove", get(team::confirm_remove))
        .route("/panel/audit", get(audit::list))
        .route("/panel/webhooks", get(webhooks::list))
        .route("/panel/webhooks/{id}", get(webhooks::show));
    let support = Router::new()
        .route("/panel/licenses/{id}/ban", post(licenses::ban))
        .route("/panel/licenses/{id}/unban", post(licenses::unban))
        .route("/panel/licenses/{id}/extend", post(licenses::extend))
        .route("/panel/licenses/{id}/offline", post(offline::checkout))
        .route("/panel/apps/{app}/users/{id}/reset-hwid", post(users::reset_hwid))
        .route("/panel/apps/{app}/users/{id}/ban", post(users::ban))
        .route("/panel/apps/{app}/users/{id}/unban", post(users::unban))
        .route("/panel/apps/{app}/users/{id}/extend", post(users::extend))
        .route("/panel/apps/{app}/sessions/end", post(sessions::end))
        .route("/panel/apps/{app}/sessions/end-all", post(sessions::end_all))
        .route("/panel/blacklist", post(blacklist::add))
        .route("/panel/apps/{app}/blacklist/{id}/remove", post(blacklist::remove))
        .route("/panel/apps/{app}/chat/{id}/messages/{message}/delete", post(chat::delete_message))
        .route("/panel/apps/{app}/chat-mutes", post(chat::mute))
        .route("/panel/apps/{app}/chat-mutes/unmute", post(chat::unmute))
        .route("/panel/webhooks/{id}/redeliver-failed", post(webhooks::redeliver_failed))
        .route("/panel/webhooks/{id}/deliveries/{delivery}/redeliver", post(webhooks::redeliver_one))
        .route_layer(from_fn_with_state(Role::Support, session::require_role));
    let owner = Router::new()
        .route("/panel/apps/{app}", post(apps::update))
        .route("/panel/apps/{app}/secret", post(apps::rotate_secret))
        .route("/panel/apps/{app}/messages", post(app_messages::save))
        .route("/panel/licenses/generate", post(licenses::generate))
        .route("/panel/licenses/import", post(license_csv::import))
        .route("/panel/licenses/bulk-delete", post(license_bulk::delete))
        .route("/panel/licenses/add-time", post(license_bulk::add_time))
        .route("/panel/licenses/{id}/delete", post(licenses::delete))
        .route("/panel/plans", post(plans::create))
        .route("/panel/apps/{app}/plans/{id}/delete", post(plans::delete))
        .route("/panel/variables", post(variables::set))
        .route("/panel/apps/{app}/variables/{id}/delete", post(variables::delete))
        .route("/panel/files", post(files::upload))
        .route("/panel/apps/{app}/files/{id}/delete", post(files::delete))
        .route("/panel/apps/{app}/chat", post(chat::create_channel))
        .route("/panel/apps/{app}/chat/{id}/delete", post(chat::delete_channel))
        .route("/panel/tokens", post(tokens::create))
        .route("/panel/resellers", post(resellers::create))
        .route("/panel/resellers/{id}/stock", post(resellers::add_stock))
        .route("/panel/resellers/{id}/keys", post(resellers::create_key))
        .route("/panel/resellers/{id}/keys/{key}/revoke", post(resellers::revoke_key))
        .route("/panel/tokens/{id}/revoke", post(tokens::revoke))
        .route("/panel/team/invitations", post(team::invite))
        .route("/panel/team/invitations/{id}/revoke", post(team::revoke))
        .route("/panel/team/accounts/{id}/remove", post(team::remove))
        .route("/panel/webhooks", post(webhooks::create))
        .route("/panel/webhooks/{id}/enabled", post(webhooks::set_enabled))
        .route_layer(from_fn_with_state(Role::Owner, session::require_role));
    let signed_in = read
        .merge(support)
        .merge(owner)
        .route_layer(from_fn_with_state(state.clone(), session::authenticate::<PanelFace>));
    Router::new()
        .route("/panel", get(session::to_panel))
        .route("/panel/signin", get(session::sign_in_page::<PanelFace>).post(session::sign_in::<PanelFace>))
        .route("/panel/invitation", get(invitation::page).post(invitation::accept))
        .route("/panel/assets/{name}", get(assets::serve))
        .merge(signed_in)
        .route("/panel/{*rest}", any(error::not_found))
        .layer(from_fn(security::headers))
}
