//! `POST /api/v2/licenses/offline`: a licensd extension of the Licenses API. An app that
//! activated an instance checks its license out as a signed offline file bound to that instance
//! (`manage::offline`, docs/offline-licenses.md), after the same checks as `validate`.

use super::{
    error::LicensesError,
    extract::StoreCaller,
    fields::{Fields, JsonObject},
    views::{refusal_message, top_level_and_data},
};
use crate::{
    domain::{
        offline::{Machine, MachineKind},
        time::iso_micros,
    },
    manage::{ManageError, activations, offline::Issuer},
    state::AppState,
    store::instances::Validation,
};
use axum::{Json, extract::State};
use serde_json::{Value, json};

pub async fn checkout(
    caller: StoreCaller,
    State(state): State<AppState>,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, LicensesError> {
    let mut f = Fields::new(&body);
    let key = f.string("license_key");
    let instance_id = f.string("instance_id");
    f.finish()?;
    let (license, instance) =
        match activations::validate(&state.store, caller.seller_id, &key, Some(&instance_id)).await? {
            Validation::Valid(license, Some(instance)) => (license, instance),
            Validation::Valid(_, None) => return Err(LicensesError::NotFound(super::error::INSTANCE_NOT_FOUND)),
            Validation::Refused(r) => return Err(LicensesError::Refused(refusal_message(r).to_owned())),
        };
    let machine = Machine { id: instance.id, kind: MachineKind::Instance };
    let file = Issuer::of(&state).issue(&license, Some(machine), None, Vec::new()).await.map_err(refused)?;
    Ok(Json(top_level_and_data(json!({
        "file": file.file,
        "public_key": file.public_key,
        "issued_at": iso_micros(file.issued_at),
        "refresh_by": iso_micros(file.refresh_by),
        "expires_at": file.expires_at.map(iso_micros),
    }))))
}

/// The operation's refusals in this protocol's shapes: a license that cannot be used now is a
/// refused request (422 `{"message"}`), like a refused validation.
fn refused(e: ManageError) -> LicensesError {
    match e {
        ManageError::NotFound(_) => LicensesError::NotFound(super::error::KEY_NOT_FOUND),
        ManageError::Invalid(f) => LicensesError::field(f.field, f.message),
        ManageError::Conflict { message, .. } => LicensesError::Refused(capitalised(&message)),
        ManageError::Forbidden => LicensesError::Refused("This license cannot be checked out.".into()),
        ManageError::Store(e) => LicensesError::Store(e),
    }
}

/// Laravel's messages start with a capital and end with a full stop.
fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}
