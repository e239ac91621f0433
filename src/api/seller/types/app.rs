//! The app and its subscriptions (licensd: plans): `addsub`, `delappsub`, `fetchallsubs`,
//! `pauseapp`, `unpauseapp`, `getsettings`, `updatesettings`.

use super::{Answer, keys::all_plans};
use crate::api::seller::{error::SellerError, reply::Reply, request::Cx};
use crate::domain::client_messages::{Messages, Msg};
use crate::manage::{
    apps::{self, AppSettings},
    plans,
};
use serde_json::{Map, Value, json};

/// KeyAuth's names of the customisable client messages, with licensd's message of each. The
/// same KeyAuth name is the `updatesettings` field and, with `msg` appended, mostly the
/// `getsettings` member; KeyAuth's own `getsettings` names differ for some (second column).
const MESSAGES: [(&str, &str, Msg); 12] = [
    ("appdisabled", "disabledmsg", Msg::AppDisabled),
    ("usernametaken", "usernametakenmsg", Msg::UsernameTaken),
    ("keynotfound", "licenseinvalidmsg", Msg::KeyNotFound),
    ("keyused", "keytakenmsg", Msg::KeyUsed),
    ("nosublevel", "nosubmsg", Msg::NoSubLevel),
    ("usernamenotfound", "userinvalidmsg", Msg::UsernameNotFound),
    ("passmismatch", "passinvalidmsg", Msg::PassMismatch),
    ("hwidmismatch", "hwidmismatchmsg", Msg::HwidMismatch),
    ("noactivesubs", "noactivesubmsg", Msg::NoActiveSubs),
    ("hwidblacked", "blackedmsg", Msg::Blacklisted),
    ("keypaused", "pausedmsg", Msg::PausedSub),
    ("keyexpired", "expiredmsg", Msg::KeyExpired),
];

pub async fn add_sub(cx: &Cx) -> Answer {
    let name = cx.require("name")?;
    let level = cx.int("level").ok_or(SellerError::Missing("level"))?;
    plans::create(&cx.state.store, cx.caller.tenant(), cx.caller.at.id(), name, level, None)
        .await
        .map_err(SellerError::or("Failed to create subscription!"))?;
    Ok(Reply::ok("Successfully created subscription!"))
}

pub async fn delete_sub(cx: &Cx) -> Answer {
    let failure = "Failed to delete subscription!";
    let name = cx.require("name")?;
    let plan =
        all_plans(cx).await?.into_iter().find(|p| p.name == name).ok_or_else(|| SellerError::not_found(failure))?;
    plans::delete(&cx.state.store, cx.caller.tenant(), cx.caller.at.id(), plan.id)
        .await
        .map_err(SellerError::or(failure))?;
    Ok(Reply::ok("Successfully deleted subscription!"))
}

pub async fn fetch_all_subs(cx: &Cx) -> Answer {
    let rows = all_plans(cx).await?;
    if rows.is_empty() {
        return Err(SellerError::not_found("No subscriptions found"));
    }
    let subs: Vec<Value> = rows.iter().map(|p| json!({ "name": p.name, "level": p.level.to_string() })).collect();
    Ok(Reply::ok("Successfully retrieved subscriptions").with("subs", subs))
}

pub async fn pause(cx: &Cx, paused: bool) -> Answer {
    let settings = AppSettings { paused: Some(paused), ..AppSettings::default() };
    apps::update(&cx.state.store, cx.caller.tenant(), cx.caller.at.id(), settings).await?;
    // KeyAuth's own words.
    Ok(Reply::ok(if paused { "Subscription paused application" } else { "Subscription unpaused application" }))
}

pub async fn settings(cx: &Cx) -> Answer {
    let app = apps::get(&cx.state.store, cx.caller.tenant(), cx.caller.at.id()).await?.app;
    let texts = Messages::from_json(&app.messages);
    let mut reply = Reply::ok("Retrieved Settings Successfully")
        .with("enabled", app.enabled)
        .with("hwid-lock", app.hwid_lock)
        .with("version", app.version.as_str())
        .with("download", app.download_url.as_str())
        .with("paused", app.paused);
    for (_, member, msg) in MESSAGES {
        reply = reply.with(member, texts.text(msg));
    }
    Ok(reply)
}

/// KeyAuth names one message per field; licensd's operation takes the whole set, so the
/// current set is read and the named ones replaced (a concurrent change of another message in
/// between would be overwritten: settings have one editor in practice).
pub async fn update_settings(cx: &Cx) -> Answer {
    let app = apps::get(&cx.state.store, cx.caller.tenant(), cx.caller.at.id()).await?.app;
    let bool_field = |name: &'static str| match cx.field(name) {
        None => Ok(None),
        Some(_) => {
            cx.switch(name).map(Some).ok_or_else(|| SellerError::invalid(format!("{name} must be true or false")))
        }
    };
    let mut messages: Map<String, Value> = match serde_json::from_str(&app.messages) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut messages_changed = false;
    for (field, _, msg) in MESSAGES {
        if let Some(text) = cx.field(field) {
            messages.insert(msg.id().to_owned(), text.into());
            messages_changed = true;
        }
    }
    let settings = AppSettings {
        enabled: bool_field("enabled")?,
        hwid_lock: bool_field("hwidcheck")?,
        version: cx.field("ver").map(str::to_owned),
        download_url: cx.field("download").map(str::to_owned),
        messages: messages_changed.then_some(messages),
        ..AppSettings::default()
    };
    apps::update(&cx.state.store, cx.caller.tenant(), cx.caller.at.id(), settings).await?;
    Ok(Reply::ok("Settings Update Successful"))
}
