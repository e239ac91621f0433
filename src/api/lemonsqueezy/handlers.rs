//! The three calls. Each finds the key's seller, runs the Licenses API's own operation in
//! `manage::activations` (one transaction, the shared activation limit), then reads the key as it
//! now stands for the answer's `license_key` and `meta`.

use super::body::Fields;
use super::error::{LsError, Verb};
use super::views;
use crate::api::client::context::client_ip;
use crate::domain::ids::SellerId;
use crate::{
    domain::time::now_ms,
    manage::{ManageError, activations},
    ratelimit::window_left_ms,
    state::AppState,
    store::{
        customers::KeyWithContext,
        instances::{Activation, Refusal, Validation},
    },
};
use axum::{
    Json,
    body::Bytes,
    extract::{ConnectInfo, FromRequestParts, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::net::SocketAddr;

/// A request within its client address's rate limit (`lemonsqueezy_rate_limit_per_min`).
pub struct Limited;

const RATE_WINDOW_MS: i64 = 60_000;

impl FromRequestParts<AppState> for Limited {
    type Rejection = LsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, LsError> {
        let limit = i64::from(state.config.lemonsqueezy_rate_limit_per_min);
        if limit == 0 {
            return Ok(Limited);
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let ip = client_ip(peer, &parts.headers, &state.config);
        let now = now_ms();
        let count = state.limiter.admit(&format!("lemonsqueezy:ip:{ip}"), now, RATE_WINDOW_MS, limit).await?;
        if count > limit {
            let left_ms = window_left_ms(now, RATE_WINDOW_MS);
            return Err(LsError::RateLimited { retry_after_secs: u64::try_from(left_ms / 1000 + 1).unwrap_or(1) });
        }
        Ok(Limited)
    }
}

pub async fn activate(_: Limited, State(state): State<AppState>, body: Bytes) -> Result<Response, LsError> {
    let verb = Verb::Activate;
    let f = Fields::parse(verb, &body)?;
    let key = f.required("license_key")?;
    let name = f.required("instance_name")?;
    let seller_id = seller_of(&state, verb, &key).await?;
    match activations::activate(&state.store, seller_id, &key, &name).await? {
        Activation::Created(i) => answer(&state, verb, seller_id, &key, Ok(Some(views::instance(&i)))).await,
        Activation::Refused(r, _) => answer(&state, verb, seller_id, &key, Err(r)).await,
    }
}

pub async fn validate(_: Limited, State(state): State<AppState>, body: Bytes) -> Result<Response, LsError> {
    let verb = Verb::Validate;
    let f = Fields::parse(verb, &body)?;
    let key = f.required("license_key")?;
    let instance_id = f.optional("instance_id")?;
    let seller_id = seller_of(&state, verb, &key).await?;
    match activations::validate(&state.store, seller_id, &key, instance_id.as_deref()).await? {
        Validation::Valid(_, i) => {
            answer(&state, verb, seller_id, &key, Ok(Some(i.as_ref().map_or(Value::Null, views::instance)))).await
        }
        Validation::Refused(r) => answer(&state, verb, seller_id, &key, Err(r)).await,
    }
}

pub async fn deactivate(_: Limited, State(state): State<AppState>, body: Bytes) -> Result<Response, LsError> {
    let verb = Verb::Deactivate;
    let f = Fields::parse(verb, &body)?;
    let key = f.required("license_key")?;
    let instance_id = f.required("instance_id")?;
    let seller_id = seller_of(&state, verb, &key).await?;
    let outcome = activations::deactivate(&state.store, seller_id, &key, &instance_id).await?;
    answer(&state, verb, seller_id, &key, outcome.map(|()| None)).await
}

/// The one seller with a key of this text; otherwise the key is not found here.
async fn seller_of(state: &AppState, verb: Verb, key: &str) -> Result<SellerId, LsError> {
    activations::sole_seller_of_key(&state.store, key).await?.ok_or(LsError::KeyNotFound(verb))
}

/// The answer after the change: success (with the instance, or null, for the calls that show
/// one) or the refusal, with the key as it stands now and its `meta`.
async fn answer(
    state: &AppState,
    verb: Verb,
    seller_id: SellerId,
    key: &str,
    outcome: Result<Option<Value>, Refusal>,
) -> Result<Response, LsError> {
    let gone = |e: ManageError| match e {
        ManageError::NotFound(_) => LsError::KeyNotFound(verb),
        e => e.into(),
    };
    if outcome == Err(Refusal::KeyNotFound) {
        return Err(LsError::KeyNotFound(verb));
    }
    let KeyWithContext { license, context } =
        activations::key_with_context(&state.store, seller_id, key).await.map_err(gone)?;
    let mut body = json!({
        verb.flag(): outcome.is_ok(),
        "error": outcome.as_ref().err().map(|r| refusal_message(*r)),
        "license_key": views::license_key(&license, now_ms()),
    });
    match &outcome {
        Ok(Some(instance)) => body["instance"] = instance.clone(),
        Ok(None) => {}
        Err(_) if verb != Verb::Deactivate => body["instance"] = Value::Null,
        Err(_) => {}
    }
    body["meta"] = views::meta(&license, &context);
    let status = match outcome {
        Ok(_) => StatusCode::OK,
        Err(Refusal::InstanceNotFound) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::BAD_REQUEST,
    };
    Ok((status, Json(body)).into_response())
}

fn refusal_message(r: Refusal) -> &'static str {
    match r {
        Refusal::KeyNotFound => super::error::KEY_NOT_FOUND,
        Refusal::Inactive => "This license key is disabled.",
        Refusal::Expired => "This license key has expired.",
        Refusal::LimitReached => "This license key has reached the activation limit.",
        Refusal::InstanceNotFound => "instance_id not found.",
    }
}
