//! Getting a validated session: `register` (new user + key), `login` (username + password, or
//! username + web-loader token),
//! `loginEmail` (email + password), `license` (the key alone).

use super::{
    ActionResult, Halt,
    signin::{check_blacklist, check_hwid_rules, check_password, finish_login, hwid, key_problem},
};
use crate::api::client::{context::Ctx, messages::Msg};
use crate::domain::ids::AppId;
use crate::manage::end_users;
use crate::store::{
    Result as StoreResult, Store,
    client_users::{KeyLogin, NewClientUser, Registered},
    users::User,
};

/// Longest username accepted.
const MAX_USERNAME_CHARS: usize = 64;
/// Longest password accepted (bounds hashing input; real passwords are far shorter).
const MAX_PASSWORD_BYTES: usize = 1024;

/// HWID rules and blacklist, first for every way in: a refused client costs no hash.
async fn admit(ctx: &Ctx) -> Result<Option<String>, Halt> {
    let hwid = hwid(ctx);
    check_hwid_rules(ctx, hwid.as_deref())?;
    check_blacklist(ctx, hwid.as_deref()).await?;
    Ok(hwid)
}

fn password_field(ctx: &Ctx) -> Result<&str, Halt> {
    let pass = ctx.require("pass")?;
    if pass.len() > MAX_PASSWORD_BYTES {
        return Err(ctx.refuse(Msg::BadRequest));
    }
    Ok(pass)
}

pub async fn register(ctx: &Ctx) -> ActionResult {
    let username = ctx.require("username")?;
    let pass = password_field(ctx)?;
    let key = ctx.require("key")?;
    let email = ctx.field("email");
    let hwid = admit(ctx).await?;
    let chars = username.chars().count();
    if (chars as i64) < ctx.app.min_username_len {
        return Err(ctx.refuse(Msg::UsernameTooShort));
    }
    if chars > MAX_USERNAME_CHARS || username.chars().any(char::is_control) {
        return Err(ctx.refuse(Msg::UsernameTooLong));
    }
    let store = &ctx.state.store;
    // Cheap reads first so that hopeless attempts cost no password hash; the transaction
    // below decides for real.
    if let Some(problem) = store.key_problem(ctx.app.seller_id, ctx.app.id, key, ctx.now).await? {
        return Err(key_problem(ctx, problem));
    }
    if store.client_user_by_name(ctx.app.id, username).await?.is_some() {
        return Err(ctx.refuse(Msg::UsernameTaken));
    }
    let hash = ctx.state.services.passwords.hash(pass).await.map_err(|e| Halt::Fault(e.0))?;
    let new = NewClientUser {
        seller_id: ctx.app.seller_id,
        app_id: ctx.app.id,
        username,
        email,
        password_hash: Some(&hash),
        ip: &ctx.ip,
        hwid: hwid.as_deref(),
        now: ctx.now,
    };
    match end_users::register(store, &new, key).await? {
        Registered::Done(user_id) => {
            finish_login(ctx, store.client_user(ctx.app.id, user_id).await?, hwid.as_deref()).await
        }
        Registered::Key(problem) => Err(key_problem(ctx, problem)),
        Registered::UsernameTaken => Err(ctx.refuse(Msg::UsernameTaken)),
    }
}

pub async fn login(ctx: &Ctx) -> ActionResult {
    let username = ctx.require("username")?;
    if let Some(token) = ctx.field("token") {
        return web_loader_login(ctx, username, token).await;
    }
    password_login(ctx, Msg::UsernameNotFound, |store, app_id| store.client_user_by_name(app_id, username)).await
}

pub async fn login_email(ctx: &Ctx) -> ActionResult {
    let email = ctx.require("email")?;
    password_login(ctx, Msg::EmailNotFound, |store, app_id| store.client_user_by_email(app_id, email)).await
}

/// KeyAuth's web loader: `login` with `username` + `token` and no password. The token is the
/// one the seller issued for this user (`users::issue_web_token`), spent by this sign-in; a
/// wrong, used or expired one answers like a wrong password (and counts as a failed sign-in).
async fn web_loader_login(ctx: &Ctx, username: &str, token: &str) -> ActionResult {
    let hwid = admit(ctx).await?;
    let store = &ctx.state.store;
    let spent = end_users::spend_web_token(store, &ctx.app, username, token, ctx.now).await?;
    let user_id = spent.ok_or_else(|| ctx.refuse(Msg::PassMismatch))?;
    finish_login(ctx, store.client_user(ctx.app.id, user_id).await?, hwid.as_deref()).await
}

/// login and loginEmail after naming the user: admission, lookup, password, login checks.
async fn password_login<'a, F, Fut>(ctx: &'a Ctx, unknown: Msg, lookup: F) -> ActionResult
where
    F: FnOnce(&'a Store, AppId) -> Fut,
    Fut: Future<Output = StoreResult<Option<User>>>,
{
    let pass = password_field(ctx)?;
    let hwid = admit(ctx).await?;
    let user = lookup(&ctx.state.store, ctx.app.id).await?.ok_or_else(|| ctx.refuse(unknown))?;
    check_password(ctx, &user, pass).await?;
    finish_login(ctx, user, hwid.as_deref()).await
}

/// The key is the credential: no password is hashed or checked. The first use creates a user
/// named after the key; later uses log that user in (with its HWID lock, ban and 2FA).
pub async fn license(ctx: &Ctx) -> ActionResult {
    let key = ctx.require("key")?;
    let hwid = admit(ctx).await?;
    let store = &ctx.state.store;
    let new = NewClientUser {
        seller_id: ctx.app.seller_id,
        app_id: ctx.app.id,
        username: key,
        email: None,
        password_hash: None,
        ip: &ctx.ip,
        hwid: hwid.as_deref(),
        now: ctx.now,
    };
    match end_users::sign_in_with_key(store, &new, key).await? {
        KeyLogin::Redeemed(user_id) | KeyLogin::Bound(user_id) => {
            finish_login(ctx, store.client_user(ctx.app.id, user_id).await?, hwid.as_deref()).await
        }
        KeyLogin::Key(problem) => Err(key_problem(ctx, problem)),
        KeyLogin::UsernameTaken => Err(ctx.refuse(Msg::UsernameTaken)),
    }
}
