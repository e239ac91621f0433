//! License keys: `add`, `verify`, `info`, `del`, `ban`, `unban`, `delunused`, `delused`,
//! `fetchallkeys`, `addtime`, `stats`.

use super::{Answer, lines, secs, secs_or_null};
use crate::api::seller::{error::SellerError, reply::Reply, request::Cx};
use crate::domain::ids::PlanId;
use crate::domain::keymask::KeyCase;
use crate::manage::{
    PageRequest,
    licenses::{self, GenerateSpec, ListQuery},
    plans, users,
};
use crate::store::{licenses::License, plans::Plan};
use serde_json::{Value, json};

/// Most keys one `add` makes, as on KeyAuth.
const MAX_ADD: i64 = 100;
/// Keys per `fetchallkeys` answer (`page` from 1 reads on).
const FETCH_PAGE: i64 = 500;

pub async fn add(cx: &Cx) -> Answer {
    let Some(duration_secs) = cx.days_secs("expiry") else {
        return Err(SellerError::invalid("Expiry not set"));
    };
    // KeyAuth reads a missing or non-numeric amount or level as 1.
    let amount = cx.int("amount").filter(|n| *n >= 1).unwrap_or(1);
    if amount > MAX_ADD {
        return Err(SellerError::invalid("You can only generate 100 licenses at a time"));
    }
    let level = cx.int("level").unwrap_or(1);
    let plan = plan_of_level(cx, level).await?;
    let case = match cx.field("character") {
        Some("1") => Some(KeyCase::Mixed),
        Some("2") => Some(KeyCase::Upper),
        Some("3") => Some(KeyCase::Lower),
        _ => None,
    };
    let spec = GenerateSpec {
        mask: cx.field("mask").map(str::to_owned),
        case: case.map(|c| c.as_str().to_owned()),
        duration_secs: Some(duration_secs),
        note: cx.field("note").unwrap_or_default().to_owned(),
        ..GenerateSpec::new(cx.caller.at.id(), plan.id, amount)
    };
    let made = licenses::generate(&cx.state.store, cx.caller.tenant(), spec, &|_| {}).await?;
    let text = made.keys.join("\r\n");
    Ok(match made.keys.as_slice() {
        [one] => Reply::ok("License Successfully Generated").with("key", one.as_str()),
        keys => Reply::ok("Licenses successfully generated").with("keys", keys.to_vec()),
    }
    .text(text))
}

/// The app's plan (KeyAuth: subscription) of `level`: KeyAuth keys carry a level, licensd keys
/// a plan.
pub(super) async fn plan_of_level(cx: &Cx, level: i64) -> Result<Plan, SellerError> {
    all_plans(cx)
        .await?
        .into_iter()
        .find(|p| p.level == level)
        .ok_or_else(|| SellerError::not_found(format!("No subscription with level {level} found")))
}

pub(super) async fn all_plans(cx: &Cx) -> Result<Vec<Plan>, SellerError> {
    let page = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
    Ok(plans::list(&cx.state.store, cx.caller.tenant(), cx.caller.at.id(), page).await?.data)
}

async fn license(cx: &Cx, failure: &'static str) -> Result<License, SellerError> {
    let key = cx.require("key")?;
    licenses::by_key(&cx.state.store, &cx.caller.at, key).await.map_err(SellerError::or(failure))
}

pub async fn verify(cx: &Cx) -> Answer {
    license(cx, "Key Not Found").await?;
    Ok(Reply::ok("Key Successfully Verified"))
}

/// KeyAuth's status words.
fn status(l: &License) -> &'static str {
    if l.banned_reason.is_some() {
        "Banned"
    } else if !l.active {
        "Paused"
    } else if l.used_by_user_id.is_some() || l.activations > 0 {
        "Used"
    } else {
        "Not Used"
    }
}

pub async fn info(cx: &Cx) -> Answer {
    let l = license(cx, "Key Not Found").await?;
    let level = all_plans(cx).await?.into_iter().find(|p| p.id == l.plan_id).map(|p| p.level);
    let user = match l.used_by_user_id {
        Some(id) => Some(users::get(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), id).await?),
        None => None,
    };
    let hwid = user.as_ref().map(|u| u.hwids.join(",")).filter(|h| !h.is_empty());
    Ok(Reply::data()
        .with("duration", l.duration_secs.map(|d| d.to_string()))
        .with("hwid", hwid)
        .with("note", l.note.as_str())
        .with("status", status(&l))
        .with("level", level.map(|n| n.to_string()))
        .with("createdby", Value::Null)
        .with("usedby", user.map(|u| u.user.username))
        .with("usedon", secs_or_null(l.used_at.map(i64::from)))
        .with("creationdate", secs(l.created_at.get()))
        .with("expires", secs_or_null(l.expires_at.map(i64::from)))
        .with("banned", l.banned_reason.clone()))
}

/// `userToo=1`: the user who redeemed the key goes too (`del`) or is banned too (`ban`).
fn user_too(cx: &Cx) -> bool {
    cx.switch("userToo").unwrap_or(false)
}

pub async fn del(cx: &Cx) -> Answer {
    let failure = "Failed to delete license!";
    let l = license(cx, failure).await?;
    let (store, tenant) = (&cx.state.store, cx.caller.tenant());
    licenses::delete(store, tenant, l.id).await.map_err(SellerError::or(failure))?;
    if let (true, Some(user_id)) = (user_too(cx), l.used_by_user_id) {
        users::delete(store, tenant, cx.caller.app_id(), user_id).await.map_err(SellerError::or(failure))?;
    }
    Ok(Reply::ok("Successfully deleted license!"))
}

pub async fn ban(cx: &Cx) -> Answer {
    let failure = "Failed to ban license!";
    let l = license(cx, failure).await?;
    let reason = cx.require("reason")?;
    let (store, tenant) = (&cx.state.store, cx.caller.tenant());
    licenses::set_ban(store, tenant, l.id, Some(reason)).await.map_err(SellerError::or(failure))?;
    if let (true, Some(user_id)) = (user_too(cx), l.used_by_user_id) {
        users::set_ban(store, tenant, cx.caller.app_id(), user_id, Some(reason))
            .await
            .map_err(SellerError::or(failure))?;
    }
    Ok(Reply::ok("Successfully banned license!"))
}

pub async fn unban(cx: &Cx) -> Answer {
    let failure = "Failed to unban license!";
    let l = license(cx, failure).await?;
    licenses::set_ban(&cx.state.store, cx.caller.tenant(), l.id, None).await.map_err(SellerError::or(failure))?;
    Ok(Reply::ok("Successfully unbanned license!"))
}

pub async fn delete_in_state(cx: &Cx, used: bool) -> Answer {
    let n = licenses::delete_in_state(&cx.state.store, &cx.caller.at, used).await?;
    match (n, used) {
        (0, true) => Err(SellerError::not_found("Didn't find any used keys!")),
        (0, false) => Err(SellerError::not_found("Didn't find any unused keys!")),
        (_, true) => Ok(Reply::ok("Deleted All Used Keys!")),
        (_, false) => Ok(Reply::ok("Deleted All Unused Keys!")),
    }
}

pub async fn fetch_all(cx: &Cx) -> Answer {
    let q = ListQuery {
        app_id: Some(cx.caller.at.id()),
        limit: Some(FETCH_PAGE),
        page: Some(cx.int("page").unwrap_or(1)),
        ..ListQuery::default()
    };
    let rows = licenses::list(&cx.state.store, cx.caller.tenant(), &q).await?.data;
    if rows.is_empty() {
        return Err(SellerError::not_found("No License Keys Found"));
    }
    let levels: std::collections::HashMap<PlanId, i64> = all_plans(cx).await?.iter().map(|p| (p.id, p.level)).collect();
    let text = lines(rows.iter().map(|l| l.key.as_str()));
    let keys: Vec<Value> = rows
        .iter()
        .map(|l| {
            json!({
                "key": l.key,
                "note": l.note,
                "expires": l.duration_secs.map(|d| d.to_string()),
                "status": status(l),
                "level": levels.get(&l.plan_id).map(|n| n.to_string()),
                "gendate": secs(l.created_at.get()),
                "usedon": secs_or_null(l.used_at.map(i64::from)),
                "banned": l.banned_reason,
            })
        })
        .collect();
    Ok(Reply::ok("Successfully Retrieved Licenses").with("keys", keys).text(text))
}

pub async fn add_time(cx: &Cx) -> Answer {
    let secs = cx.days_secs("time").ok_or_else(|| SellerError::invalid("Failed to add time!"))?;
    licenses::add_time_to_unused(&cx.state.store, &cx.caller.at, secs).await?;
    Ok(Reply::ok("Added time to unused licenses!"))
}

pub async fn stats(cx: &Cx) -> Answer {
    let c = licenses::counts(&cx.state.store, &cx.caller.at).await?;
    Ok(Reply::data()
        .with("unused", c.unused.to_string())
        .with("used", c.used.to_string())
        .with("paused", c.paused.to_string())
        .with("banned", c.banned.to_string())
        .with("totalkeys", c.total.to_string()))
}
