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
mod online;
mod session;
mod signin;
mod twofa;
mod upgrade;
mod vars;
mod webhook;

use super::{
    context::{Ctx, server_error_reply},
    envelope::Reply,
    messages::Msg,
};
use crate::store::StoreError;

/// Why an action stopped early: a protocol answer (a failure such as "Invalid username"), or a
/// fault of the server (rendered as HTTP 500 with the envelope, and logged).
#[derive(Debug)]
pub enum Halt {
    Reply(Reply),
    Fault(String),
}

impl From<Reply> for Halt {
    fn from(r: Reply) -> Self {
        Halt::Reply(r)
    }
}

impl From<StoreError> for Halt {
    fn from(e: StoreError) -> Self {
        Halt::Fault(e.to_string())
    }
}

/// What an action returns: `Ok` and `Err(Halt::Reply)` are both answers to the client.
pub type ActionResult = Result<Reply, Halt>;

/// Runs the action named by `type`.
pub async fn dispatch(ctx: &Ctx) -> Reply {
    let result = match ctx.field("type").unwrap_or("") {
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
        _ => Ok(ctx.fail(Msg::UnknownType)),
    };
    match result {
        Ok(reply) | Err(Halt::Reply(reply)) => reply,
        Err(Halt::Fault(e)) => {
            tracing::error!(error = %e, "client API action failed");
            server_error_reply()
        }
    }
}
