//! Turning "no such row" into the action's own failure answer.

use super::Halt;
use crate::api::client::{context::Ctx, messages::Msg};
use crate::store::StoreError;

/// The row, or `missing` answered to the client when it does not exist (other store errors
/// are server faults).
pub fn found<T>(ctx: &Ctx, result: Result<T, StoreError>, missing: Msg) -> Result<T, Halt> {
    match result {
        Ok(v) => Ok(v),
        Err(StoreError::NotFound) => Err(ctx.refuse(missing)),
        Err(e) => Err(e.into()),
    }
}

/// Items the seller marked `authed` need a validated session (`Session is not validated`).
pub async fn require_authed(ctx: &Ctx, authed: bool) -> Result<(), Halt> {
    if authed {
        ctx.validated_user().await?;
    }
    Ok(())
}
