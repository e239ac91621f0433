//! The customer panel under `/customer/{ownerid}/{app id}/`: an app's end user signs in with
//! username and password (or the key a key-only user signs in with), sees their subscriptions
//! and when they end, resets their HWID at most once per the seller's cooldown, and changes
//! their password; a buyer sees the keys they bought, by a code mailed to their order's email
//! (`keys`). Off unless the seller turns it on (`customer_panel`); then the client API's
//! `customerPanelLink` points here unless the seller set a link of their own. User
//! documentation: docs/customer-panel.md.
//!
//! Built on the seller panel's layers with a face of its own (`session::CustomerFace`): every
//! page acts on the user of the session, never on one named by the URL.

mod keys;
mod pages;
mod session;

use super::panel::{error, layout, security, session as panel_session};
use crate::state::AppState;
use axum::{
    Router,
    middleware::{from_fn, from_fn_with_state},
    response::Redirect,
    routing::{any, get, post},
};
use maud::Markup;
use panel_session::{authenticate, sign_in, sign_in_page, sign_out};
use session::Customer;
pub(crate) use session::CustomerFace;

pub fn router(state: &AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/customer/{ownerid}/{app}/", get(pages::account))
        .route("/customer/{ownerid}/{app}/reset-hwid", post(pages::reset_hwid))
        .route("/customer/{ownerid}/{app}/password", post(pages::change_password))
        .route("/customer/{ownerid}/{app}/signout", post(sign_out::<CustomerFace>))
        .route_layer(from_fn_with_state(state.clone(), authenticate::<CustomerFace>));
    Router::new()
        .route(
            "/customer/{ownerid}/{app}",
            get(async |uri: axum::http::Uri| Redirect::permanent(&format!("{}/", uri.path()))),
        )
        .route("/customer/{ownerid}/{app}/signin", get(sign_in_page::<CustomerFace>).post(sign_in::<CustomerFace>))
        .route("/customer/{ownerid}/{app}/keys", get(keys::page).post(keys::open))
        .route("/customer/{ownerid}/{app}/keys/code", post(keys::send_code))
        .merge(signed_in)
        .route("/customer/{ownerid}/{app}/{*rest}", any(error::not_found))
        .layer(from_fn(error::rehome::<CustomerFace>))
        .layer(from_fn(security::headers))
}

/// A signed-in page of the customer panel.
fn page(me: &Customer, title: &str, notice: Option<&str>, content: Markup) -> Markup {
    let nav = [(me.base.as_str(), "Your account")];
    let sign_out = format!("{}signout", me.base);
    let chrome = layout::Chrome { nav: &nav, sign_out: &sign_out, who: format!("{} ({})", me.username, me.app.name) };
    layout::shell(&chrome, me, &me.base, title, notice, content)
}
