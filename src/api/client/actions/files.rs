//! `file`: a seller upload, its bytes as lowercase hex in `contents`.

use super::{
    ActionResult,
    found::{found, require_authed},
};
use crate::api::client::{context::Ctx, messages::Msg};

pub async fn file(ctx: &Ctx) -> ActionResult {
    let fileid = ctx.require("fileid")?;
    let (authed, data) = found(ctx, ctx.state.store.file_contents(ctx.app.id, fileid).await, Msg::FileNotFound)?;
    require_authed(ctx, authed).await?;
    Ok(ctx.ok(Msg::FileOk).with("contents", hex::encode(data)))
}
