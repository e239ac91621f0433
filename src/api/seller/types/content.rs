//! Client API state of the app: sessions (`fetchallsessions`, `kill`, `killall`), the
//! blacklist (`black`, `delblack`, `fetchallblacks`) and chat (`addchannel`, `delchannel`,
//! `muteuser`, `unmuteuser`, `fetchallchats`).

use super::{Answer, secs};
use crate::api::seller::{error::SellerError, reply::Reply, request::Cx};
use crate::manage::{ManageError, client_content, client_data, users};
use serde_json::{Value, json};

/// Rows per listing answer (`page` from 1 reads on).
const FETCH_PAGE: i64 = 500;

fn page(cx: &Cx) -> Result<crate::store::Page, SellerError> {
    Ok(client_data::page(Some(FETCH_PAGE), cx.int("page"))?)
}

pub async fn fetch_all_sessions(cx: &Cx) -> Answer {
    let rows = client_data::list_sessions(&cx.state.store, &cx.caller.at, page(cx)?).await?;
    if rows.is_empty() {
        return Err(SellerError::not_found("No sessions found"));
    }
    let sessions: Vec<Value> = rows
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "credential": s.username,
                "expiry": secs(s.expires_at.get()),
                "validated": i64::from(s.validated).to_string(),
                "ip": s.ip,
            })
        })
        .collect();
    Ok(Reply::ok("Successfully retrieved sessions").with("sessions", sessions))
}

pub async fn kill(cx: &Cx) -> Answer {
    let id = cx.require("sessid")?;
    client_data::end_session(&cx.state.store, &cx.caller.at, id)
        .await
        .map_err(SellerError::or("Failed to kill session!"))?;
    Ok(Reply::ok("Successfully killed session!"))
}

pub async fn kill_all(cx: &Cx) -> Answer {
    client_data::end_all_sessions(&cx.state.store, &cx.caller.at).await?;
    Ok(Reply::ok("Successfully killed all sessions!"))
}

/// Blacklists the `hwid`, the `ip`, or both; one already blacklisted stays so.
pub async fn black(cx: &Cx) -> Answer {
    let entries: Vec<(&str, &str)> =
        [("hwid", cx.field("hwid")), ("ip", cx.field("ip"))].into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    if entries.is_empty() {
        return Err(SellerError::Missing("hwid"));
    }
    for (kind, value) in entries {
        match client_data::add_blacklist(&cx.state.store, &cx.caller.at, kind, value, "").await {
            Ok(_) | Err(ManageError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Reply::ok("Blacklist Addition Successful"))
}

pub async fn delete_black(cx: &Cx) -> Answer {
    let value = cx.require("data")?;
    let kind = cx.require("blacktype")?;
    if !matches!(kind, "hwid" | "ip") {
        return Err(SellerError::invalid("Invalid blacklist type!"));
    }
    client_data::remove_blacklist_value(&cx.state.store, &cx.caller.at, kind, value)
        .await
        .map_err(SellerError::or("Failed to delete blacklist!"))?;
    Ok(Reply::ok("Successfully deleted blacklist!"))
}

pub async fn fetch_all_blacks(cx: &Cx) -> Answer {
    let rows = client_data::list_blacklist(&cx.state.store, &cx.caller.at, page(cx)?).await?;
    if rows.is_empty() {
        return Err(SellerError::not_found("No blacklists found"));
    }
    let blacklists: Vec<Value> = rows
        .iter()
        .map(|b| {
            let (hwid, ip) = if b.kind == "ip" { (None, Some(&b.value)) } else { (Some(&b.value), None) };
            json!({ "hwid": hwid, "ip": ip, "type": b.kind })
        })
        .collect();
    Ok(Reply::ok("Successfully retrieved blacklists").with("blacklists", blacklists))
}

pub async fn add_channel(cx: &Cx) -> Answer {
    let name = cx.require("name")?;
    let delay = cx.int("delay").ok_or(SellerError::Missing("delay"))?;
    client_content::create_channel(&cx.state.store, &cx.caller.at, name, delay)
        .await
        .map_err(SellerError::or("Failed to create channel!"))?;
    Ok(Reply::ok("Successfully created channel!"))
}

pub async fn delete_channel(cx: &Cx) -> Answer {
    let name = cx.require("name")?;
    client_content::delete_channel(&cx.state.store, &cx.caller.at, name)
        .await
        .map_err(SellerError::or("Failed to delete channel!"))?;
    Ok(Reply::ok("Successfully deleted channel!"))
}

/// Mutes `user` for `time` seconds.
pub async fn mute(cx: &Cx) -> Answer {
    let name = cx.require("user")?;
    let Some(time) = cx.int("time").filter(|t| (1..=100 * 365 * 86_400).contains(t)) else {
        return Err(SellerError::invalid("Invalid time paramater, must be number"));
    };
    let user = users::by_name(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), name)
        .await
        .map_err(SellerError::or("User doesn't exist!"))?;
    let until = cx.now + time * 1000;
    client_content::mute(&cx.state.store, &cx.caller.at, &user.username, until)
        .await
        .map_err(SellerError::or("Failed to mute user!"))?;
    Ok(Reply::ok("Successfully muted user!"))
}

pub async fn unmute(cx: &Cx) -> Answer {
    let name = cx.require("user")?;
    client_content::unmute(&cx.state.store, &cx.caller.at, name)
        .await
        .map_err(SellerError::or("Failed to unmute user!"))?;
    Ok(Reply::ok("Successfully unmuted user!"))
}

pub async fn fetch_all_chats(cx: &Cx) -> Answer {
    let rows = client_content::list_channels(&cx.state.store, &cx.caller.at, page(cx)?).await?;
    if rows.is_empty() {
        return Err(SellerError::not_found("No chat channels found"));
    }
    let chats: Vec<Value> = rows.iter().map(|c| json!({ "name": c.name, "delay": c.delay_secs.to_string() })).collect();
    Ok(Reply::ok("Successfully retrieved chats").with("chats", chats))
}
