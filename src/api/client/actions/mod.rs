//! The client API's actions, one file per action or group, chosen by one `match` on `type`.
//! A type not listed here gets the protocol's unknown-type answer.

mod account;
mod auth;
mod chat;
mod files;
mod forgot;
mod found;
mod init;
mod logs;
mod offline;
mod online;
mod session;
mod signin;
mod twofa;
mod upgrade;
mod vars;
mod webhook;

use super::{
    context::{Ctx, server_error_reply, store_error_reply},
    envelope::Reply,
    messages::Msg,
    signin_limits,
};
use crate::manage::ManageError;
use crate::store::StoreError;

/// Why an action stopped early: a protocol answer (a failure such as "Invalid username"), or a
/// fault of the server (rendered as HTTP 500 with the envelope, and logged), or a store error
/// (logged; 503 while the database cannot store anything, else 500).
#[derive(Debug)]
pub enum Halt {
    Reply(Reply),
    Fault(String),
    Store(StoreError),
}

impl From<Reply> for Halt {
    fn from(r: Reply) -> Self {
        Halt::Reply(r)
    }
}

impl From<StoreError> for Halt {
    fn from(e: StoreError) -> Self {
        Halt::Store(e)
    }
}

/// The end users' operations fail only in the store (their refusals are outcomes); anything
/// else is a fault of the server's.
impl From<ManageError> for Halt {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Store(e) => Halt::Store(e),
            e => Halt::Fault(e.to_string()),
        }
    }
}

/// What an action returns: `Ok` and `Err(Halt::Reply)` are both answers to the client.
pub type ActionResult = Result<Reply, Halt>;

/// Runs the action named by `type`; sign-in actions go through the brute-force limits.
pub async fn dispatch(ctx: &Ctx) -> Reply {
    let kind = ctx.field("type").unwrap_or("");
    if !signin_limits::GUARDED_TYPES.contains(&kind) {
        return run(ctx, kind).await;
    }
    match signin_limits::admit(ctx).await {
        Ok(Some(refusal)) => return refusal,
        Ok(None) => {}
        Err(e) => return store_error_reply(&e),
    }
    let reply = run(ctx, kind).await;
    if reply.is_success()
        && let Err(e) = signin_limits::refund(ctx).await
    {
        tracing::warn!(error = %e, "refunding a successful sign-in attempt failed");
    }
    reply
}

/// The action table: `type` name => handler. One list, so the name that labels an action's
/// metrics is the one it is dispatched by (a type nobody serves is labelled `unknown`).
macro_rules! dispatch {
    ($ctx:ident, $kind:ident; $($name:literal => $handler:path),* $(,)?) => {
        match $kind {
            $($name => ($name, $handler($ctx).await),)*
            _ => ("unknown", Ok($ctx.fail(Msg::UnknownType))),
        }
    };
}

async fn run(ctx: &Ctx, kind: &str) -> Reply {
    let (action, result) = dispatch!(ctx, kind;
        "init" => init::init,
        "register" => auth::register,
        "login" => auth::login,
        "loginEmail" => auth::login_email,
        "license" => auth::license,
        "upgrade" => upgrade::upgrade,
        "forgot" => forgot::forgot,
        "check" => session::check,
        "checkblacklist" => session::checkblacklist,
        "ban" => session::ban,
        "logout" => session::logout,
        "2faenable" => twofa::enable,
        "2fadisable" => twofa::disable,
        "var" => vars::var,
        "getvar" => vars::getvar,
        "setvar" => vars::setvar,
        "log" => logs::log,
        "webhook" => webhook::webhook,
        "file" => files::file,
        "chatget" => chat::chatget,
        "chatsend" => chat::chatsend,
        "fetchOnline" => online::fetch_online,
        "fetchStats" => online::fetch_stats,
        "changeUsername" => account::change_username,
        "offline" => offline::offline,
    );
    let reply = match result {
        Ok(reply) | Err(Halt::Reply(reply)) => reply,
        Err(Halt::Fault(e)) => fault(&e),
        Err(Halt::Store(e)) => store_error_reply(&e),
    };
    ctx.state.metrics.client_action(action, reply.is_success());
    reply
}

fn fault(error: &str) -> Reply {
    tracing::error!(error, "client API action failed");
    server_error_reply()
}
