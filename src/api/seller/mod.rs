//! KeyAuth-compatible seller API: `GET`/`POST /api/seller/` with form fields (query string or
//! body), `sellerkey` (a licensd `sellerapi` token, which acts for one app), `type` picking the
//! operation and `format=json` (default) or `format=text`. User documentation:
//! docs/seller-api.md.
//!
//! - `request`: the fields, the answer format and `Cx`; `auth`: the seller key and its rate
//!   limit; `reply`: KeyAuth's `{"success":..,"message":..}` or plain text; `error`: every
//!   refusal with its text and status; `types`: THE `match` on `type`, one file per group.
//!
//! Every type is a call of the operations layer (`manage::`), the one the admin API and CLI
//! call: audited, evented, and held to the token's seller and app.

mod auth;
mod error;
mod reply;
mod request;
mod types;

use crate::{api::client::form::Fields, api::middleware::Refused, domain::time::now_ms, state::AppState};
use axum::{
    Router,
    body::to_bytes,
    extract::{Request, State},
    http::request::Parts,
    response::Response,
    routing::{MethodRouter, get},
};
use error::SellerError;
use request::{Cx, Format};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/seller/", endpoint()).route("/api/seller", endpoint())
}

fn endpoint() -> MethodRouter<AppState> {
    get(serve).post(serve)
}

async fn serve(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, state.config.max_body_bytes).await else {
        return SellerError::BodyTooLarge.into_reply().render(Format::Json);
    };
    let fields = Fields::parse(&bytes, parts.uri.query());
    let format = Format::of(&fields);
    let reply = match answer(state, fields).await {
        Ok(reply) => reply,
        Err(e) => e.into_reply(),
    };
    reply.render(format)
}

/// KeyAuth's order: the seller key is named, then the type, then the key is looked up.
async fn answer(state: AppState, fields: Fields) -> Result<reply::Reply, SellerError> {
    if fields.oversize().is_some() {
        return Err(SellerError::FieldTooLong);
    }
    let sellerkey = fields.get("sellerkey").ok_or(SellerError::NoSellerKey)?.to_owned();
    let kind = fields.get("type").ok_or(SellerError::NoType)?.to_owned();
    let caller = auth::authorize(&state, &sellerkey).await?;
    let cx = Cx { state, fields, caller, now: now_ms() };
    types::dispatch(&cx, &kind).await
}

/// A body over `max_body_bytes` or too slow to arrive (see `api::middleware::limit_body`).
pub(crate) fn refuse_body(_: &AppState, parts: &Parts, why: Refused) -> Response {
    let format = Format::of(&Fields::parse(b"", parts.uri.query()));
    match why {
        Refused::TooLarge => SellerError::BodyTooLarge,
        Refused::TimedOut => SellerError::BodyTimedOut,
    }
    .into_reply()
    .render(format)
}
