//! THE `match` on `type`: one arm per supported KeyAuth type, grouped by what they manage.
//! A type without an arm answers KeyAuth's `Type doesn't exist` (no stubs).

mod app;
mod content;
mod keys;
mod resellers;
mod users;
mod vars;

use super::{error::SellerError, reply::Reply, request::Cx};

pub type Answer = Result<Reply, SellerError>;

pub async fn dispatch(cx: &Cx, kind: &str) -> Answer {
    match kind {
        "add" => keys::add(cx).await,
        "verify" => keys::verify(cx).await,
        "info" => keys::info(cx).await,
        "del" => keys::del(cx).await,
        "ban" => keys::ban(cx).await,
        "unban" => keys::unban(cx).await,
        "delunused" => keys::delete_in_state(cx, false).await,
        "delused" => keys::delete_in_state(cx, true).await,
        "fetchallkeys" => keys::fetch_all(cx).await,
        "addtime" => keys::add_time(cx).await,
        "stats" => keys::stats(cx).await,
        "activate" => users::activate(cx).await,
        "adduser" => users::add(cx).await,
        "deluser" => users::delete(cx).await,
        "userdata" => users::data(cx).await,
        "resetuser" => users::reset_hwid(cx).await,
        "banuser" => users::ban(cx).await,
        "unbanuser" => users::unban(cx).await,
        "extend" => users::extend(cx).await,
        "resetpw" => users::reset_password(cx).await,
        "fetchallusers" => users::fetch_all(cx).await,
        "fetchallusernames" => users::fetch_all_names(cx).await,
        "verifyuser" => users::verify(cx).await,
        "addhwiduser" => users::add_hwid(cx).await,
        "setvar" => vars::set_user_var(cx).await,
        "getvar" => vars::get_user_var(cx).await,
        "addvar" => vars::add(cx).await,
        "editvar" => vars::edit(cx).await,
        "delvar" => vars::delete(cx).await,
        "fetchallvars" => vars::fetch_all(cx).await,
        "addsub" => app::add_sub(cx).await,
        "delappsub" => app::delete_sub(cx).await,
        "fetchallsubs" => app::fetch_all_subs(cx).await,
        "pauseapp" => app::pause(cx, true).await,
        "unpauseapp" => app::pause(cx, false).await,
        "getsettings" => app::settings(cx).await,
        "updatesettings" => app::update_settings(cx).await,
        "balance" => resellers::balance(cx).await,
        "setseller" => Ok(Reply::ok("Seller Key Successfully Found")),
        "fetchallsessions" => content::fetch_all_sessions(cx).await,
        "kill" => content::kill(cx).await,
        "killall" => content::kill_all(cx).await,
        "black" => content::black(cx).await,
        "delblack" => content::delete_black(cx).await,
        "fetchallblacks" => content::fetch_all_blacks(cx).await,
        "addchannel" => content::add_channel(cx).await,
        "delchannel" => content::delete_channel(cx).await,
        "muteuser" => content::mute(cx).await,
        "unmuteuser" => content::unmute(cx).await,
        "fetchallchats" => content::fetch_all_chats(cx).await,
        _ => Err(SellerError::UnknownType),
    }
}

/// Unix ms as KeyAuth's unix seconds, a string as KeyAuth's answers hold them.
fn secs(ms: i64) -> String {
    (ms.div_euclid(1000)).to_string()
}

/// An optional time as KeyAuth writes it: seconds, or `null`.
fn secs_or_null(ms: Option<i64>) -> serde_json::Value {
    ms.map_or(serde_json::Value::Null, |t| secs(t).into())
}

/// A list's lines for `format=text`.
fn lines<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("\n")
}
