//! Users: `activate`, `adduser`, `deluser`, `userdata`, `resetuser`, `banuser`, `unbanuser`,
//! `extend`, `resetpw`, `fetchallusers`, `fetchallusernames`, `verifyuser`, `addhwiduser`.

use super::{Answer, keys::all_plans, lines, secs, secs_or_null};
use crate::api::seller::{error::SellerError, reply::Reply, request::Cx};
use crate::domain::client_messages::Msg;
use crate::manage::{
    PageRequest,
    users::{self, NewUser, UserDetail},
};
use crate::store::{
    Page,
    client_users::{KeyProblem, Registered},
    users::User,
};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Longest password hashed (bounds the work; the client API's own limit).
const MAX_PASSWORD_BYTES: usize = 1024;
/// Users per `fetchallusers` answer (`page` from 1 reads on); KeyAuth stops at 520.
const FETCH_PAGE: i64 = 500;

/// The user named by `user`, or `failure`.
async fn user(cx: &Cx, failure: &'static str) -> Result<User, SellerError> {
    let name = cx.require("user")?;
    users::by_name(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), name)
        .await
        .map_err(SellerError::or(failure))
}

async fn detail(cx: &Cx, user: &User) -> Result<UserDetail, SellerError> {
    Ok(users::get(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), user.id).await?)
}

/// Hashes a password off the async runtime (bounded concurrency, like the client API's).
async fn hash(cx: &Cx, field: &'static str) -> Result<String, SellerError> {
    let pass = cx.require(field)?;
    if pass.len() > MAX_PASSWORD_BYTES {
        return Err(SellerError::invalid(Msg::BadRequest.default_text()));
    }
    cx.state.services.passwords.hash(pass).await.map_err(|e| {
        tracing::error!(error = %e.0, "seller API: password hashing failed");
        SellerError::Refused(StatusCode::INTERNAL_SERVER_ERROR, Msg::ServerError.default_text().into())
    })
}

/// KeyAuth's `subscriptions` of a user: plan name, expiry and seconds left (lifetime: null).
fn subscriptions(cx: &Cx, d: &UserDetail) -> Vec<Value> {
    d.subscriptions
        .iter()
        .filter(|s| s.expires_at.is_none_or(|t| t.get() > cx.now))
        .map(|s| {
            json!({
                "subscription": s.plan,
                "level": s.level,
                "expiry": secs_or_null(s.expires_at.map(i64::from)),
                "timeleft": s.expires_at.map(|t| (t.get() - cx.now) / 1000),
            })
        })
        .collect()
}

pub async fn activate(cx: &Cx) -> Answer {
    let username = cx.require("user")?;
    let key = cx.require("key")?;
    let password_hash = hash(cx, "pass").await?;
    let new = NewUser { username, password_hash: Some(&password_hash), hwid: cx.field("hwid") };
    let (store, tenant) = (&cx.state.store, cx.caller.tenant());
    let id = match users::activate(store, tenant, cx.caller.app_id(), new, key).await? {
        Registered::Done(id) => id,
        Registered::UsernameTaken => {
            return Err(SellerError::Refused(StatusCode::CONFLICT, "Username Already Exists.".into()));
        }
        Registered::Key(KeyProblem::NotFound) => return Err(SellerError::not_found("Key Not Found.")),
        Registered::Key(KeyProblem::Used) => {
            return Err(SellerError::Refused(StatusCode::CONFLICT, "Key Already Used.".into()));
        }
        Registered::Key(KeyProblem::Banned) => {
            return Err(SellerError::Refused(StatusCode::FORBIDDEN, "Your license is banned.".into()));
        }
        Registered::Key(KeyProblem::Expired) => {
            return Err(SellerError::Refused(StatusCode::GONE, Msg::KeyExpired.default_text().into()));
        }
    };
    let d = users::get(store, tenant, cx.caller.app_id(), id).await?;
    let info = json!({ "username": d.user.username, "subscriptions": subscriptions(cx, &d), "ip": Value::Null });
    Ok(Reply::ok(Msg::LoggedIn.default_text()).with("info", info))
}

pub async fn add(cx: &Cx) -> Answer {
    let username = cx.require("user")?;
    let sub = cx.require("sub")?;
    let Some(secs) = cx.days_secs("expiry") else {
        return Err(SellerError::invalid("Expiry not set correctly, must be number of days"));
    };
    let plan = all_plans(cx)
        .await?
        .into_iter()
        .find(|p| p.name == sub)
        .ok_or_else(|| SellerError::not_found("Subscription not found!"))?;
    let password_hash = match cx.field("pass") {
        Some(_) => Some(hash(cx, "pass").await?),
        None => None,
    };
    let new = NewUser { username, password_hash: password_hash.as_deref(), hwid: cx.field("hwid") };
    let expires_at = cx.now.saturating_add(secs.saturating_mul(1000));
    users::create(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), new, plan.id, Some(expires_at))
        .await
        .map_err(SellerError::or("Failed to create user!"))?;
    Ok(Reply::ok("Successfully created user!"))
}

pub async fn delete(cx: &Cx) -> Answer {
    let failure = "Failed to delete user!";
    let u = user(cx, failure).await?;
    users::delete(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), u.id)
        .await
        .map_err(SellerError::or(failure))?;
    Ok(Reply::ok("Successfully deleted user!"))
}

pub async fn data(cx: &Cx) -> Answer {
    let u = user(cx, "User not found").await?;
    let d = detail(cx, &u).await?;
    Ok(Reply::data()
        .with("username", d.user.username.as_str())
        .with("subscriptions", subscriptions(cx, &d))
        .with("ip", d.user.ip.clone())
        .with("hwid", Some(d.hwids.join(",")).filter(|h| !h.is_empty()))
        .with("createdate", secs(d.user.created_at.get()))
        .with("lastlogin", secs_or_null(d.user.last_login_at.map(i64::from)))
        .with("banned", d.user.banned_reason.clone()))
}

pub async fn reset_hwid(cx: &Cx) -> Answer {
    let failure = "Failed to reset user!";
    let u = user(cx, failure).await?;
    users::reset_hwid(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), u.id)
        .await
        .map_err(SellerError::or(failure))?;
    Ok(Reply::ok("Successfully reset user!"))
}

pub async fn ban(cx: &Cx) -> Answer {
    let u = user(cx, "User not found!").await?;
    let reason = cx.require("reason")?;
    users::set_ban(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), u.id, Some(reason))
        .await
        .map_err(SellerError::or("Failed to ban user!"))?;
    Ok(Reply::ok("Successfully banned user!"))
}

pub async fn unban(cx: &Cx) -> Answer {
    let u = user(cx, "User not found!").await?;
    users::set_ban(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), u.id, None)
        .await
        .map_err(SellerError::or("Failed to unban user!"))?;
    Ok(Reply::ok("Successfully unbanned user!"))
}

/// KeyAuth extends one named subscription; licensd's operation extends every timed one of the
/// user, so the named one must be among them.
pub async fn extend(cx: &Cx) -> Answer {
    let Some(secs) = cx.days_secs("expiry") else {
        return Err(SellerError::invalid("Expiry not set correctly, must be number of days"));
    };
    let sub = cx.require("sub")?;
    let u = user(cx, "User(s) not found!").await?;
    if !detail(cx, &u).await?.subscriptions.iter().any(|s| s.plan == sub) {
        return Err(SellerError::not_found("Subscription not found!"));
    }
    users::extend(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), u.id, &secs.to_string())
        .await
        .map_err(SellerError::or("Failed to extend user(s)!"))?;
    Ok(Reply::ok("Successfully extended user(s)!"))
}

pub async fn reset_password(cx: &Cx) -> Answer {
    let failure = "Failed To reset password";
    let u = user(cx, failure).await?;
    let password_hash = hash(cx, "passwd").await?;
    users::set_password(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), u.id, &password_hash)
        .await
        .map_err(SellerError::or(failure))?;
    Ok(Reply::ok("Password reset successful"))
}

async fn page_of_users(cx: &Cx) -> Result<Vec<User>, SellerError> {
    let page = PageRequest::new(Some(FETCH_PAGE.min(Page::MAX_LIMIT)), Some(cx.int("page").unwrap_or(1)));
    Ok(users::list(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), None, page).await?.data)
}

pub async fn fetch_all(cx: &Cx) -> Answer {
    let rows = page_of_users(cx).await?;
    if rows.is_empty() {
        return Err(SellerError::not_found("No Users Found"));
    }
    let users: Vec<Value> = rows
        .iter()
        .map(|u| {
            json!({
                "username": u.username,
                "ip": u.ip,
                "createdate": secs(u.created_at.get()),
                "lastlogin": secs_or_null(u.last_login_at.map(i64::from)),
                "banned": u.banned_reason,
            })
        })
        .collect();
    Ok(Reply::ok("Successfully Retrieved Users").with("users", users))
}

pub async fn fetch_all_names(cx: &Cx) -> Answer {
    let rows = page_of_users(cx).await?;
    if rows.is_empty() {
        return Err(SellerError::not_found("No users found"));
    }
    let names: Vec<&str> = rows.iter().map(|u| u.username.as_str()).collect();
    Ok(Reply::ok("Successfully Retrieved Usernames").text(lines(names.iter().copied())).with("usernames", names))
}

pub async fn verify(cx: &Cx) -> Answer {
    user(cx, "User Not Found").await?;
    Ok(Reply::ok("User Successfully Verified"))
}

pub async fn add_hwid(cx: &Cx) -> Answer {
    let u = user(cx, "User not found!").await?;
    let hwid = cx.require("hwid")?;
    users::add_hwid(&cx.state.store, cx.caller.tenant(), cx.caller.app_id(), u.id, hwid).await?;
    Ok(Reply::ok("Added HWID"))
}
