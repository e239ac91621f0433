//! Stores' order webhooks: `POST /hooks/{lemonsqueezy,stripe}/{ownerid}`. The seller's
//! connection holds the signing secret; a verified paid order makes the order's key (once per
//! store order id) and mails it to the buyer when SMTP is configured, a refund or chargeback
//! bans the order's keys. Anything unsigned, badly signed or malformed is refused with a 4xx
//! before anything changes. Each store's module only parses its wire format; what an order
//! does is here and in `manage::store_connections`. Set-up: docs/stores.md.

mod lemonsqueezy;
mod stripe;

use crate::api::middleware::Refused;
use crate::manage::ManageError;
use crate::manage::store_connections::{self, PaidOrder};
use crate::state::AppState;
use crate::store::{StoreError, store_connections::Connection};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hooks/lemonsqueezy/{seller_ref}", post(receive::<lemonsqueezy::LemonSqueezy>))
        .route("/hooks/stripe/{seller_ref}", post(receive::<stripe::Stripe>))
}

/// One store's webhook: how its deliveries are signed, and what a verified one means.
trait StoreHook {
    /// The store's name in connections and in the URL.
    const STORE: &'static str;
    /// The header that carries the signature.
    const HEADER: &'static str;
    /// Whether `signature` signs `body` under the connection's `secret`.
    fn verify(secret: &str, signature: &str, body: &[u8]) -> bool;
    /// Parses a verified delivery and acts on it.
    fn handle(
        state: &AppState,
        connection: &Connection,
        body: &[u8],
    ) -> impl Future<Output = Result<Json<Value>, HookError>> + Send;
}

/// `POST /hooks/{store}/{ownerid}`: the connection the URL names, the signature checked before
/// the body is even parsed, then the store's own handling.
async fn receive<H: StoreHook>(
    State(state): State<AppState>,
    Path(seller_ref): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, HookError> {
    let connection = connection(&state, &seller_ref, H::STORE).await?;
    let signature = headers.get(H::HEADER).and_then(|v| v.to_str().ok()).ok_or(HookError::Signature)?;
    if !H::verify(&connection.secret, signature, &body) {
        return Err(HookError::Signature);
    }
    H::handle(&state, &connection, &body).await
}

/// The seller's connection to `store`, which the webhook URL names.
async fn connection(state: &AppState, seller_ref: &str, store: &str) -> Result<Connection, HookError> {
    match state.store.connection_of(seller_ref, store).await {
        Ok(c) => Ok(c),
        Err(StoreError::NotFound) => Err(HookError::Unknown),
        Err(e) => Err(HookError::Manage(e.into())),
    }
}

/// A verified paid order: its keys (made once), mailed to the buyer when they are new.
async fn paid(state: &AppState, connection: &Connection, order: PaidOrder) -> Result<Json<Value>, HookError> {
    let to = order.email.clone();
    let done = store_connections::fulfil(&state.store, connection, order).await?;
    if done.new {
        mail_keys(state, &to, &done.keys).await;
    }
    Ok(Json(json!({ "keys": done.keys.len(), "new": done.new })))
}

/// A verified refund or chargeback (`why`) of store order `order_id`: its keys are banned.
async fn reversed(
    state: &AppState,
    connection: &Connection,
    order_id: &str,
    why: &str,
) -> Result<Json<Value>, HookError> {
    let banned = store_connections::revoke(&state.store, connection, order_id, why).await?;
    Ok(Json(json!({ "banned": banned })))
}

/// Other events the seller subscribed to are acknowledged, so the store does not retry them.
fn ignored() -> Json<Value> {
    Json(json!({ "ignored": true }))
}

/// A store's id as text: stores send numbers or strings; empty is missing.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Mails the new keys to the buyer; a mail failure is logged, the keys stay (the seller can
/// resend them, and the store must not retry an order that is already fulfilled).
async fn mail_keys(state: &AppState, to: &str, keys: &[String]) {
    let Some(mailer) = state.services.mail.as_ref() else { return };
    if let Err(e) = mailer.send_license_keys(to, keys).await {
        tracing::warn!(error = %e.0, "mailing an order's keys failed");
    }
}

/// The one error of the webhook face: `{"error": ...}` with a status the store understands
/// (a 4xx is not retried as a server fault would be).
#[derive(Debug)]
pub enum HookError {
    /// No such seller or connection (404: the same for both, so the URL reveals nothing).
    Unknown,
    /// Missing or wrong signature (401).
    Signature,
    /// Not the payload the store documents (400).
    Malformed(String),
    /// Well formed, but not sellable here (422: e.g. a variant with no mapping).
    Unprocessable(String),
    Manage(ManageError),
}

impl From<ManageError> for HookError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Invalid(f) => HookError::Unprocessable(format!("{}: {}", f.field, f.message)),
            ManageError::NotFound(what) => HookError::Unprocessable(format!("{what} not found")),
            other => HookError::Manage(other),
        }
    }
}

impl IntoResponse for HookError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            HookError::Unknown => (StatusCode::NOT_FOUND, "unknown webhook".to_owned()),
            HookError::Signature => (StatusCode::UNAUTHORIZED, "missing or invalid signature".to_owned()),
            HookError::Malformed(m) => (StatusCode::BAD_REQUEST, m),
            HookError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
            HookError::Manage(ManageError::Store(e)) if e.is_unavailable() => {
                let retry = [(header::RETRY_AFTER, crate::store::StoreError::RETRY_AFTER_SECS.to_string())];
                return (StatusCode::SERVICE_UNAVAILABLE, retry, Json(json!({ "error": "service unavailable" })))
                    .into_response();
            }
            HookError::Manage(e) => {
                tracing::error!(error = %e, "store webhook failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "server error".to_owned())
            }
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

pub fn refuse_body(_: &AppState, _: &axum::http::request::Parts, why: Refused) -> Response {
    let message = match why {
        Refused::TooLarge => "body too large",
        Refused::TimedOut => "body not received in time",
    };
    let status = match why {
        Refused::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Refused::TimedOut => StatusCode::REQUEST_TIMEOUT,
    };
    (status, Json(json!({ "error": message }))).into_response()
}
