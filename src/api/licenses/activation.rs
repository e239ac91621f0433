//! `POST /v2/licenses/activate`, `/validate`, `/deactivate`: what apps call with a key.

use super::{
    error::{LicensesError, answer, answer_response},
    extract::{StoreCaller, idempotency_key},
    fields::{Fields, JsonObject},
    views::{InstanceView, KeyView, activation_refusal, refusal_message, top_level_and_data},
};
use crate::{
    domain::time::now_ms,
    manage::activations,
    state::AppState,
    store::instances::{Activation, Refusal, Validation},
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde_json::{Value, json};

/// Creates an instance. Answers the instance at the top level and under `data`; a refusal is
/// 422 with the message and the key's id/status/expiry. Honours `Idempotency-Key`.
pub async fn activate(
    caller: StoreCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, LicensesError> {
    let mut f = Fields::new(&body);
    let key = f.string("license_key");
    let name = f.string("instance_name");
    f.finish()?;
    let idem = idempotency_key(&headers)?.map(|k| format!("activate:{k}"));
    let now = now_ms();
    let render = |outcome: &Activation| match outcome {
        Activation::Created(instance) => {
            answer(StatusCode::OK, &top_level_and_data(json!(InstanceView::from(instance))))
        }
        Activation::Refused(r, license) => {
            answer(StatusCode::UNPROCESSABLE_ENTITY, &activation_refusal(*r, license.as_deref(), now))
        }
    };
    let rendered =
        activations::activate_once(&state.store, caller.seller_id, &key, &name, idem.as_deref(), render).await?;
    Ok(answer_response(rendered))
}

/// Checks a key and, when `instance_id` is given, that activation. `instance` is null when no
/// instance was named (the SDK allows that).
pub async fn validate(
    caller: StoreCaller,
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, LicensesError> {
    let mut f = Fields::new(&body);
    let key = f.string("license_key");
    let instance_id = f.optional_string("instance_id");
    f.finish()?;
    match activations::validate(&state.store, caller.seller_id, &key, instance_id.as_deref()).await? {
        Validation::Valid(license, instance) => Ok(Json(top_level_and_data(json!({
            "valid": true,
            "license_key": KeyView::counted(&license, now_ms()),
            "instance": instance.as_ref().map(InstanceView::from),
        })))),
        Validation::Refused(r) => Err(LicensesError::Refused(refusal_message(r).to_owned())),
    }
}

/// Removes an instance, freeing its slot. Honours `Idempotency-Key`.
pub async fn deactivate(
    caller: StoreCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, LicensesError> {
    let mut f = Fields::new(&body);
    let key = f.string("license_key");
    let instance_id = f.string("instance_id");
    f.finish()?;
    let idem = idempotency_key(&headers)?.map(|k| format!("deactivate:{k}"));
    let render = |outcome: Result<&str, Refusal>| match outcome {
        Ok(id) => answer(StatusCode::OK, &json!({"data": {"deactivated": true, "instance_id": id}})),
        Err(r) => answer(StatusCode::UNPROCESSABLE_ENTITY, &json!({"message": refusal_message(r)})),
    };
    let (seller, idem) = (caller.seller_id, idem.as_deref());
    let rendered = activations::deactivate_once(&state.store, seller, &key, &instance_id, idem, render).await?;
    Ok(answer_response(rendered))
}
