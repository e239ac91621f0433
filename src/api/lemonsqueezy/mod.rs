//! Lemon Squeezy's License API: `POST /v1/licenses/activate`, `/validate`, `/deactivate`, so an
//! app built on Lemon Squeezy (or its official SDK) checks licensd keys by changing only the
//! host. No credential: the key names its seller (`Store::sole_seller_of_key`). The same key is
//! the same license as on the Licenses API: activations run through the same store functions
//! and count against the one `max_activations`. Wire details and choices: docs/stores.md.

mod body;
mod error;
mod handlers;
mod views;

pub use error::refuse_body;

use crate::state::AppState;
use axum::{Router, routing::post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/licenses/activate", post(handlers::activate))
        .route("/v1/licenses/validate", post(handlers::validate))
        .route("/v1/licenses/deactivate", post(handlers::deactivate))
}
