//! `offline`, a licensd extension: the signed-in user's license checked out as a signed
//! offline file (`manage::offline`, docs/offline-licenses.md), bound to the user's HWID. `key`
//! picks one of the user's redeemed keys (default: the last redeemed), `hwid` one of the user's
//! HWIDs (default: the only one; a user with none gets a file for any machine), under the
//! app's HWID rules as at sign-in.

use super::{
    ActionResult, Halt,
    signin::{check_hwid_rules, hwid},
};
use crate::api::client::{context::Ctx, envelope::Reply, messages::Msg};
use crate::domain::offline::{Machine, MachineKind};
use crate::manage::{ManageError, offline::Issuer};

pub async fn offline(ctx: &Ctx) -> ActionResult {
    let user = ctx.validated_user().await?;
    let store = &ctx.state.store;
    let license = store
        .redeemed_license(ctx.app.id, user.id, ctx.field("key"))
        .await?
        .ok_or_else(|| ctx.refuse(Msg::KeyNotFound))?;
    let asked = hwid(ctx);
    check_hwid_rules(ctx, asked.as_deref())?;
    let hwids = store.user_hwids(user.id).await?;
    let hwid = match (asked, hwids.as_slice()) {
        (Some(asked), _) if hwids.is_empty() || hwids.contains(&asked) => Some(asked),
        (Some(_), _) => return Err(ctx.refuse(Msg::HwidMismatch)),
        (None, []) => None,
        (None, [only]) => Some(only.clone()),
        (None, _) => return Err(ctx.refuse(Msg::HwidRequired)),
    };
    let machine = hwid.map(|id| Machine { id, kind: MachineKind::Hwid });
    let file = match Issuer::of(&ctx.state).issue(&license, machine, None, Vec::new()).await {
        Ok(file) => file,
        Err(ManageError::Conflict { message, .. }) => {
            let text = format!("{}: {message}", ctx.text(Msg::OfflineRefused));
            return Err(Halt::Reply(Reply::failure(Msg::OfflineRefused, text)));
        }
        Err(ManageError::Store(e)) => return Err(Halt::Store(e)),
        Err(e) => return Err(Halt::Fault(e.to_string())),
    };
    let secs = |ms: i64| (ms / 1000).to_string();
    Ok(ctx
        .ok(Msg::OfflineIssued)
        .with("file", file.file)
        .with("refresh_by", secs(file.refresh_by))
        .with("expiry", file.expires_at.map_or_else(|| "null".to_owned(), secs)))
}
