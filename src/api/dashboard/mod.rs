//! The reseller dashboard under `/reseller/dashboard/`: a reseller signs in with the email and
//! password its seller gave it (`licensd reseller login set`), sees its stock per plan and which
//! license went to which Discord user, and creates, lists and revokes its Reseller API keys.
//! User documentation: docs/reseller-dashboard.md.
//!
//! Built on the seller panel's layers (`panel::{security, assets, session, fields, layout,
//! error}`) with a face of its own (`session::DashFace`: its cookies, its session table). Every
//! operation names the reseller of the session, never one from the URL, so a reseller reaches
//! nothing but its own stock and keys.

mod keys;
mod session;
mod stock;

use super::panel::{error, security, session as panel_session};
use crate::state::AppState;
use axum::{
    Router,
    middleware::{from_fn, from_fn_with_state},
    response::Redirect,
    routing::{any, get, post},
};
use panel_session::{authenticate, sign_in, sign_in_page, sign_out};
pub(crate) use session::DashFace;

pub fn router(state: &AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/reseller/dashboard/", get(stock::show))
        .route("/reseller/dashboard/assignments", get(stock::assignments))
        .route("/reseller/dashboard/settings", get(keys::list))
        .route("/reseller/dashboard/settings/keys", post(keys::create))
        .route("/reseller/dashboard/settings/keys/{id}/revoke", get(keys::confirm_revoke).post(keys::revoke))
        .route("/reseller/dashboard/signout", post(sign_out::<DashFace>))
        .route_layer(from_fn_with_state(state.clone(), authenticate::<DashFace>));
    Router::new()
        .route("/reseller/dashboard", get(async || Redirect::permanent("/reseller/dashboard/")))
        .route("/reseller/dashboard/signin", get(sign_in_page::<DashFace>).post(sign_in::<DashFace>))
        .merge(signed_in)
        .route("/reseller/dashboard/{*rest}", any(error::not_found))
        .layer(from_fn(error::rehome::<DashFace>))
        .layer(from_fn(security::headers))
}
