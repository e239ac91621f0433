//! Every client API action once: its `type`, its fields, what it does to the session and how its
//! answer becomes a typed result. `client_actions!` lists the public methods; the blocking and the
//! async client each expand it with their own transport, so no method body exists twice.

use crate::{
    core::Answer,
    error::{Error, Result},
    types::{AppInfo, ChatMessage, InitInfo, OfflineFile, TwoFactorSetup, UserInfo, member},
};
use serde_json::Value;

/// `Client is not blacklisted`: the inverted `checkblacklist` answer for a clean client.
const NOT_BLACKLISTED_CODE: i64 = 62;
/// `No online users found!` (its text is customisable, its code is not).
const NO_ONLINE_USERS_CODE: i64 = 122;

/// What a successful answer does to the client's session.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Effect {
    None,
    /// `init`: the answer's `sessionid` becomes the session.
    StartSession,
    /// The server deleted the session (`logout`, `changeUsername`, `ban`).
    EndSession,
}

/// One request of an action and the decoder of its answer.
pub(crate) struct Call<T> {
    pub kind: &'static str,
    pub fields: Vec<(&'static str, String)>,
    /// The client's HWID goes along (sign-ins, `checkblacklist`, `ban`).
    pub sends_hwid: bool,
    pub effect: Effect,
    pub decode: fn(Answer) -> Result<T>,
}

impl<T> Call<T> {
    fn new(kind: &'static str, decode: fn(Answer) -> Result<T>) -> Self {
        Self { kind, fields: Vec::new(), sends_hwid: false, effect: Effect::None, decode }
    }

    fn field(mut self, name: &'static str, value: &str) -> Self {
        self.fields.push((name, value.to_owned()));
        self
    }

    /// An optional field: left out when `None` (the server treats empty as absent anyway).
    fn maybe(self, name: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.field(name, v),
            None => self,
        }
    }

    fn with_hwid(mut self) -> Self {
        self.sends_hwid = true;
        self
    }

    fn effect(mut self, effect: Effect) -> Self {
        self.effect = effect;
        self
    }
}

fn done(a: Answer) -> Result<()> {
    a.ok().map(drop)
}

fn message(a: Answer) -> Result<String> {
    let doc = a.ok()?;
    member(&doc, "message")
}

fn response(a: Answer) -> Result<String> {
    member(&a.ok()?, "response")
}

fn user_info(a: Answer) -> Result<UserInfo> {
    member(&a.ok()?, "info")
}

fn app_info(a: Answer) -> Result<AppInfo> {
    member(&a.ok()?, "appinfo")
}

pub(crate) fn init() -> Call<InitInfo> {
    Call::new("init", |a| {
        let doc = a.ok()?;
        Ok(InitInfo {
            app: member(&doc, "appinfo")?,
            pubkey: member(&doc, "pubkey")?,
            changelog: member(&doc, "changelog")?,
        })
    })
    .effect(Effect::StartSession)
}

pub(crate) fn register(username: &str, pass: &str, key: &str, email: Option<&str>) -> Call<UserInfo> {
    Call::new("register", user_info)
        .field("username", username)
        .field("pass", pass)
        .field("key", key)
        .maybe("email", email)
        .with_hwid()
}

pub(crate) fn login(username: &str, pass: &str, code: Option<&str>) -> Call<UserInfo> {
    Call::new("login", user_info).field("username", username).field("pass", pass).maybe("code", code).with_hwid()
}

pub(crate) fn web_login(username: &str, token: &str) -> Call<UserInfo> {
    Call::new("login", user_info).field("username", username).field("token", token).with_hwid()
}

pub(crate) fn login_email(email: &str, pass: &str, code: Option<&str>) -> Call<UserInfo> {
    Call::new("loginEmail", user_info).field("email", email).field("pass", pass).maybe("code", code).with_hwid()
}

pub(crate) fn license(key: &str, code: Option<&str>) -> Call<UserInfo> {
    Call::new("license", user_info).field("key", key).maybe("code", code).with_hwid()
}

pub(crate) fn upgrade(username: &str, key: &str) -> Call<()> {
    Call::new("upgrade", done).field("username", username).field("key", key)
}

pub(crate) fn check() -> Call<()> {
    Call::new("check", done)
}

pub(crate) fn var(varid: &str) -> Call<String> {
    Call::new("var", message).field("varid", varid)
}

pub(crate) fn getvar(var: &str) -> Call<String> {
    Call::new("getvar", response).field("var", var)
}

pub(crate) fn setvar(var: &str, data: &str) -> Call<()> {
    Call::new("setvar", done).field("var", var).field("data", data)
}

pub(crate) fn log(message: &str, pcuser: Option<&str>) -> Call<()> {
    Call::new("log", done).field("message", message).maybe("pcuser", pcuser)
}

pub(crate) fn file(fileid: &str) -> Call<Vec<u8>> {
    Call::new("file", |a| {
        let contents: String = member(&a.ok()?, "contents")?;
        hex::decode(contents).map_err(|e| Error::Malformed(format!("file contents are not hex: {e}")))
    })
    .field("fileid", fileid)
}

pub(crate) fn webhook(webid: &str, params: Option<&str>, body: Option<&str>, conttype: Option<&str>) -> Call<String> {
    Call::new("webhook", response)
        .field("webid", webid)
        .maybe("params", params)
        .maybe("body", body)
        .maybe("conttype", conttype)
}

pub(crate) fn ban(reason: Option<&str>) -> Call<()> {
    Call::new("ban", done).maybe("reason", reason).with_hwid().effect(Effect::EndSession)
}

pub(crate) fn checkblacklist() -> Call<bool> {
    // Inverted on the wire: success means blacklisted, the one failure code means clean.
    Call::new("checkblacklist", |a| match (a.success, a.code) {
        (true, _) => Ok(true),
        (false, NOT_BLACKLISTED_CODE) => Ok(false),
        _ => a.ok().map(|_| false),
    })
    .with_hwid()
}

pub(crate) fn fetch_online() -> Call<Vec<String>> {
    Call::new("fetchOnline", |a| {
        if !a.success && a.code == NO_ONLINE_USERS_CODE {
            return Ok(Vec::new());
        }
        let users: Vec<Value> = member(&a.ok()?, "users")?;
        users
            .iter()
            .map(|u| u.get("credential").and_then(Value::as_str).map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| Error::Malformed("users without credential".into()))
    })
}

pub(crate) fn fetch_stats() -> Call<AppInfo> {
    Call::new("fetchStats", app_info)
}

pub(crate) fn chatget(channel: &str) -> Call<Vec<ChatMessage>> {
    Call::new("chatget", |a| member(&a.ok()?, "messages")).field("channel", channel)
}

pub(crate) fn chatsend(message: &str, channel: &str) -> Call<()> {
    Call::new("chatsend", done).field("message", message).field("channel", channel)
}

pub(crate) fn change_username(new_username: &str) -> Call<()> {
    Call::new("changeUsername", done).field("newUsername", new_username).effect(Effect::EndSession)
}

pub(crate) fn forgot(username: &str, email: &str) -> Call<()> {
    Call::new("forgot", done).field("username", username).field("email", email)
}

pub(crate) fn logout() -> Call<()> {
    Call::new("logout", done).effect(Effect::EndSession)
}

pub(crate) fn enable_2fa(code: Option<&str>) -> Call<TwoFactorSetup> {
    Call::new("2faenable", |a| {
        let doc = a.ok()?;
        let Some(secret) = doc.get("2fa") else { return Ok(TwoFactorSetup::Activated) };
        let text = |k: &str| secret.get(k).and_then(Value::as_str).map(str::to_owned);
        match (text("secret_code"), text("QRCode")) {
            (Some(secret_code), Some(qr_code)) => Ok(TwoFactorSetup::Secret { secret_code, qr_code }),
            _ => Err(Error::Malformed("2fa without secret_code or QRCode".into())),
        }
    })
    .maybe("code", code)
}

pub(crate) fn disable_2fa(code: &str) -> Call<()> {
    Call::new("2fadisable", done).field("code", code)
}

pub(crate) fn offline(key: Option<&str>) -> Call<OfflineFile> {
    Call::new("offline", |a| {
        let doc = a.ok()?;
        let secs = |name: &str| -> Result<Option<i64>> {
            let text: String = member(&doc, name)?;
            match text.as_str() {
                "null" => Ok(None),
                t => t.parse().map(Some).map_err(|_| Error::Malformed(format!("{name} is not unix seconds: {t}"))),
            }
        };
        let refresh_by = secs("refresh_by")?.ok_or_else(|| Error::Malformed("refresh_by is null".into()))?;
        Ok(OfflineFile { file: member(&doc, "file")?, refresh_by, expires_at: secs("expiry")? })
    })
    .maybe("key", key)
    .with_hwid()
}

/// The public methods of both clients, with their documentation, handed to `$emit` (a macro of
/// the blocking or the async client). Each one calls the constructor of the same name above.
macro_rules! client_actions {
    ($emit:ident) => {
        $emit! {
            /// `init`: opens a session (sending `ver` = the version given to `new`, and the hash
            /// when set). Fails with [`Error::OutdatedVersion`](crate::Error::OutdatedVersion) when
            /// the app has another version. Call it first.
            fn init() -> InitInfo;
            /// `register`: creates the user `username` with password `pass`, redeeming `key`
            /// (and the HWID when set), and signs the session in.
            fn register(username: &str, pass: &str, key: &str, email: Option<&str>) -> UserInfo;
            /// `login`: signs in with username and password (`code`: the TOTP code when 2FA is on).
            fn login(username: &str, pass: &str, code: Option<&str>) -> UserInfo;
            /// `login` as KeyAuth's web loader sends it: `username` with the one-time `token` the
            /// seller issued for that user (instead of a password).
            fn web_login(username: &str, token: &str) -> UserInfo;
            /// `loginEmail`: signs in with the user's email and password.
            fn login_email(email: &str, pass: &str, code: Option<&str>) -> UserInfo;
            /// `license`: signs in with a license key alone (the first use creates a user named
            /// after the key).
            fn license(key: &str, code: Option<&str>) -> UserInfo;
            /// `upgrade`: redeems `key` for the user `username` (adds or extends a subscription;
            /// the session stays as it is).
            fn upgrade(username: &str, key: &str) -> ();
            /// `check`: succeeds while the session is signed in and its user may still use the app.
            fn check() -> ();
            /// `var`: the app variable `varid` (its value is the answer's `message`).
            fn var(varid: &str) -> String;
            /// `getvar`: the signed-in user's variable `var`.
            fn getvar(var: &str) -> String;
            /// `setvar`: sets the signed-in user's variable `var` to `data`.
            fn setvar(var: &str, data: &str) -> ();
            /// `log`: stores a log line for the seller (`pcuser`: the OS account name, optional).
            fn log(message: &str, pcuser: Option<&str>) -> ();
            /// `file`: downloads the app file `fileid` (decoded from the answer's hex `contents`).
            fn file(fileid: &str) -> Vec<u8>;
            /// `webhook`: has the server call the seller's webhook `webid` (with extra query
            /// `params`, a `body` and its content type) and returns the remote body.
            fn webhook(webid: &str, params: Option<&str>, body: Option<&str>, conttype: Option<&str>) -> String;
            /// `ban`: bans the signed-in user (its HWIDs and address are blacklisted; the session ends).
            fn ban(reason: Option<&str>) -> ();
            /// `checkblacklist`: whether this client's HWID (when set) or address is blacklisted
            /// (the protocol's inverted answer, read the right way round).
            fn checkblacklist() -> bool;
            /// `fetchOnline`: the public names of the users online (empty when none are).
            fn fetch_online() -> Vec<String>;
            /// `fetchStats`: the app with its real counts.
            fn fetch_stats() -> AppInfo;
            /// `chatget`: the newest messages of chat channel `channel`.
            fn chatget(channel: &str) -> Vec<ChatMessage>;
            /// `chatsend`: posts `message` to chat channel `channel`.
            fn chatsend(message: &str, channel: &str) -> ();
            /// `changeUsername`: renames the signed-in user; the server then signs it out, so the
            /// session ends.
            fn change_username(new_username: &str) -> ();
            /// `forgot`: mails the user a replacement password when `email` is theirs.
            fn forgot(username: &str, email: &str) -> ();
            /// `logout`: deletes the session on the server.
            fn logout() -> ();
            /// `2faenable`: without a code, a new TOTP secret; with a code from it, turns 2FA on.
            fn enable_2fa(code: Option<&str>) -> TwoFactorSetup;
            /// `2fadisable`: turns 2FA off with a current code.
            fn disable_2fa(code: &str) -> ();
            /// `offline` (a licensd extension): checks out the signed-in user's license (`key`:
            /// one of the keys they redeemed, default the last) as a signed offline file bound
            /// to this client's HWID (when set). Verify it with
            /// [`OfflineVerifier`](crate::offline::OfflineVerifier).
            fn offline(key: Option<&str>) -> OfflineFile;
        }
    };
}
pub(crate) use client_actions;
