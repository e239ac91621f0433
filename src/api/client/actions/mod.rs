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

async fn run(ctx: &Ctx, kind: &str) -> Reply {
    let action = known_action(kind);
    let result = match kind {
        "init" => init::init(ctx).await,
        "register" => auth::register(ctx).await,
        "login" => auth::login(ctx).await,
        "loginEmail" => auth::login_email(ctx).await,
        "license" => auth::license(ctx).await,
        "upgrade" => upgrade::upgrade(ctx).await,
        "forgot" => forgot::forgot(ctx).await,
        "check" => session::check(ctx).await,
        "checkblacklist" => session::checkblacklist(ctx).await,
        "ban" => session::ban(ctx).await,
        "logout" => session::logout(ctx).await,
        "2faenable" => twofa::enable(ctx).await,
        "2fadisable" => twofa::disable(ctx).await,
        "var" => vars::var(ctx).await,
        "getvar" => vars::getvar(ctx).await,
        "setvar" => vars::setvar(ctx).await,
        "log" => logs::log(ctx).await,
        "webhook" => webhook::webhook(ctx).await,
        "file" => files::file(ctx).await,
        "chatget" => chat::chatget(ctx).await,
        "chatsend" => chat::chatsend(ctx).await,
        "fetchOnline" => online::fetch_online(ctx).await,
        "fetchStats" => online::fetch_stats(ctx).await,
        "changeUsername" => account::change_username(ctx).await,
        "offline" => offline::offline(ctx).await,
        _ => Ok(ctx.fail(Msg::UnknownType)),
    };
    let reply = match result {
        Ok(reply) | Err(Halt::Reply(reply)) => reply,
        Err(Halt::Fault(e)) => fault(&e),
        Err(Halt::Store(e)) => store_error_reply(&e),
    };
    ctx.state.metrics.client_action(action, reply.is_success());
    reply
}

/// The action's name as a metrics label: one of the fixed names `run` serves.
fn known_action(kind: &str) -> &'static str {
    const ACTIONS: [&str; 25] = [
        "init",
        "register",
        "login",
        "loginEmail",
        "license",
        "upgrade",
        "forgot",
        "check",
        "checkblacklist",
        "ban",
        "logout",
        "2faenable",
        "2fadisable",
        "var",
        "getvar",
        "setvar",
        "log",
        "webhook",
        "file",
        "chatget",
        "chatsend",
        "fetchOnline",
        "fetchStats",
        "changeUsername",
        "offline",
    ];
    ACTIONS.into_iter().find(|a| *a == kind).unwrap_or("unknown")
}

fn fault(error: &str) -> Reply {
    tracing::error!(error, "client API action failed");
    server_error_reply()
}
