//! One client API request from the wire to the action: body and fields, client IP, the checks
//! every request passes before dispatch (in the spec's order), and `Ctx`, what actions work with.

use super::{
    ApiVersion,
    actions::{self, Halt},
    envelope::{self, Reply},
    form::Fields,
    messages::{Messages, Msg},
};
use crate::api::middleware::Refused;
use crate::api::reached::Reached;
use crate::config::Config;
use crate::domain::forwarded::{Origin, Trust, client_addr};
use crate::{
    domain::{
        time::now_ms,
        usable::{self, Denial, SubscriptionFacts},
    },
    state::AppState,
    store::{StoreError, apps::App, client_request::ClientRequest, sessions::Session, users::User},
};
use axum::{
    body::to_bytes,
    extract::{ConnectInfo, Request},
    http::{HeaderMap, StatusCode, request::Parts},
    response::Response,
};
use std::net::{IpAddr, SocketAddr};

/// Everything an action needs: the app, the session (always present except for `init`), the
/// fields, the client IP, and the app's message texts.
pub struct Ctx {
    pub state: AppState,
    pub app: App,
    pub session: Option<Session>,
    /// The session's user, read with the session (validated sessions only).
    user: Option<User>,
    /// That user's subscriptions with the state of their keys, read in the same statement.
    subscriptions: Vec<SubscriptionFacts>,
    pub fields: Fields,
    pub ip: String,
    pub version: ApiVersion,
    /// Request time in unix ms, taken once so every check of a request agrees.
    pub now: i64,
    messages: Messages,
    /// Where the client reached this server, for links back to it.
    reached: Reached,
}

impl Ctx {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name)
    }

    /// A required field, or a failure naming it.
    pub fn require(&self, name: &str) -> Result<&str, Halt> {
        self.fields.get(name).ok_or_else(|| {
            Halt::Reply(Reply::failure(Msg::MissingField, format!("{}: {name}", self.text(Msg::MissingField))))
        })
    }

    /// The app's wording of `msg`.
    pub fn text(&self, msg: Msg) -> String {
        self.messages.text(msg)
    }

    /// A success answer carrying `msg`'s text.
    pub fn ok(&self, msg: Msg) -> Reply {
        Reply::success(self.text(msg))
    }

    /// A failure answer carrying `msg`'s text and code.
    pub fn fail(&self, msg: Msg) -> Reply {
        Reply::failure(msg, self.text(msg))
    }

    /// `fail` as an early return: `return Err(ctx.refuse(Msg::X))` or `Err(ctx.refuse(..))?`.
    pub fn refuse(&self, msg: Msg) -> Halt {
        Halt::Reply(self.fail(msg))
    }

    /// The app's `customerPanelLink`: the seller's own link, else this server's customer panel
    /// of the app when the seller turned it on (as the client reached the server), else empty.
    pub fn customer_panel_link(&self) -> String {
        let app = &self.app;
        if !app.customer_panel || !app.customer_panel_link.is_empty() {
            return app.customer_panel_link.clone();
        }
        let ownerid = self.field("ownerid").unwrap_or("");
        self.reached.url(&format!("/customer/{ownerid}/{}/", app.id)).unwrap_or_default()
    }

    /// The request's session (every type but `init` has one: dispatch checked it).
    pub fn session(&self) -> Result<&Session, Halt> {
        self.session.as_ref().ok_or_else(|| self.refuse(Msg::SessionNotFound))
    }

    /// The user of a validated session, else `Session is not validated`: also as soon as
    /// `domain::usable` no longer lets the user in (a ban of the user or of its key, a key
    /// switched off or deleted, expiry, a pause), judged on this request's own read.
    pub async fn validated_user(&self) -> Result<User, Halt> {
        self.session()?.validated_user_id().ok_or_else(|| self.refuse(Msg::SessionUnauthed))?;
        match &self.user {
            Some(user) if usable::user(self.app.flags(), user.facts(), &self.subscriptions, self.now).is_ok() => {
                Ok(user.clone())
            }
            _ => Err(self.refuse(Msg::SessionUnauthed)),
        }
    }
}

/// Serves one request of protocol `version`: read, check, dispatch, render, sign.
pub async fn serve(state: AppState, version: ApiVersion, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_ip(peer, &parts.headers, &state.config);
    let fields = match to_bytes(body, state.config.max_body_bytes).await {
        Ok(bytes) => Fields::parse(&bytes, parts.uri.query()),
        Err(_) => return bad_request(&state, &Fields::parse(b"", parts.uri.query())),
    };
    if fields.oversize().is_some() {
        return bad_request(&state, &fields);
    }
    let ownerid = fields.get("ownerid").unwrap_or("").to_owned();
    let reached = Reached::of(&parts, peer, &state.config);
    match prepare(state.clone(), version, fields, ip, reached).await {
        Ok(ctx) => {
            let reply = actions::dispatch(&ctx).await;
            reply.render(&ownerid, &state.signer, Some(&ctx.app.secret))
        }
        Err(Early::Reply(reply, secret)) => reply.render(&ownerid, &state.signer, secret.as_deref()),
        Err(Early::InvalidApp) => envelope::invalid_app(&state.signer),
    }
}

/// A body over `max_body_bytes` or too slow to arrive (see `api::middleware::limit_body`): a
/// signed failure envelope
/// with HTTP 200 like every client answer (KeyAuth SDKs treat any other status as a crash), its
/// `ownerid` echoed from the query string when given there (the body is not read).
pub fn refuse_body(state: &AppState, parts: &Parts, _: Refused) -> Response {
    bad_request(state, &Fields::parse(b"", parts.uri.query()))
}

/// The answer to a body that could not be read or a field over the length bound.
fn bad_request(state: &AppState, fields: &Fields) -> Response {
    let ownerid = fields.get("ownerid").unwrap_or("");
    Reply::failure(Msg::BadRequest, Msg::BadRequest.default_text()).render(ownerid, &state.signer, None)
}

/// How a request ends before reaching its action.
enum Early {
    /// A failure, signed with the app's HMAC secret when the app is known.
    Reply(Reply, Option<String>),
    InvalidApp,
}

/// The pre-dispatch checks, in the spec's order; on success the action's context.
async fn prepare(
    state: AppState,
    version: ApiVersion,
    fields: Fields,
    ip: String,
    reached: Reached,
) -> Result<Ctx, Early> {
    let plain = |msg: Msg| Early::Reply(Reply::failure(msg, msg.default_text()), None);
    let server_error = |e: StoreError| Early::Reply(store_error_reply(&e), None);
    let ownerid = fields.get("ownerid").ok_or_else(|| plain(Msg::NoOwnerId))?;
    let name = fields.get("name").ok_or_else(|| plain(Msg::NoAppName))?;
    if ownerid.chars().count() != 10 {
        return Err(plain(Msg::OwnerIdLength));
    }
    let now = now_ms();
    let is_init = fields.get("type") == Some("init");
    let session_id = if is_init { None } else { fields.get("sessionid") };
    let found = match state.store.client_request(ownerid, name, session_id, now).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(Early::InvalidApp),
        Err(e) => return Err(server_error(e)),
    };
    let ClientRequest { app, session, user, subscriptions } = found;
    let messages = Messages::from_json(&app.messages);
    // A disabled or paused app stops every request, not only new sessions.
    if let Err(denial) = usable::app(app.flags()) {
        let msg = if denial == Denial::AppDisabled { Msg::AppDisabled } else { Msg::PausedApp };
        return Err(Early::Reply(Reply::failure(msg, messages.text(msg)), Some(app.secret)));
    }
    if let Some(limit) = app.request_limit_per_min {
        let bucket = format!("app:{}", app.id);
        let count = state.limiter.admit(&bucket, now, 60_000, limit).await.map_err(server_error)?;
        if count > limit {
            let reply = Reply::failure(Msg::TooManyRequests, Msg::TooManyRequests.default_text())
                .with_status(StatusCode::TOO_MANY_REQUESTS);
            return Err(Early::Reply(reply, Some(app.secret)));
        }
    }
    if !is_init && session.is_none() {
        return Err(Early::Reply(
            Reply::failure(Msg::SessionNotFound, Msg::SessionNotFound.default_text()),
            Some(app.secret),
        ));
    }
    Ok(Ctx { state, app, session, user, subscriptions, fields, ip, version, now, messages, reached })
}

/// The answer to a fault of the server itself (database down): HTTP 500, still the envelope.
pub fn server_error_reply() -> Reply {
    Reply::failure(Msg::ServerError, Msg::ServerError.default_text()).with_status(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The answer while the database cannot store anything (full disk): HTTP 503 with
/// `Retry-After`, still the envelope.
pub fn unavailable_reply() -> Reply {
    server_error_reply().with_status(StatusCode::SERVICE_UNAVAILABLE).with_retry_after(StoreError::RETRY_AFTER_SECS)
}

/// Logs a store error that is the server's fault and renders it: 503 or 500.
pub fn store_error_reply(e: &StoreError) -> Reply {
    if e.is_unavailable() {
        tracing::error!(error = %e, "client API: database unavailable, answering 503");
        unavailable_reply()
    } else {
        tracing::error!(error = %e, "client API: database error");
        server_error_reply()
    }
}

/// The client's address, canonical (`domain::forwarded`): the socket peer, or behind a trusted
/// proxy the right-most untrusted `X-Forwarded-For` entry (or `CF-Connecting-IP` when so
/// configured).
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, config: &Config) -> String {
    let Some(peer) = peer else { return String::new() };
    let forwarded_for: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let cf_connecting_ip = headers.get("cf-connecting-ip").and_then(|v| v.to_str().ok());
    let origin = Origin { peer, forwarded_for: &forwarded_for, cf_connecting_ip };
    let trust = Trust { proxies: &config.trusted_proxies, cf_connecting_ip: config.trust_cf_connecting_ip };
    client_addr(&origin, &trust).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_headers_only_from_trusted_peers() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "198.51.100.66, 203.0.113.7".parse().unwrap());
        h.append("x-forwarded-for", "10.0.0.1".parse().unwrap());
        h.insert("cf-connecting-ip", "2001:DB8::1".parse().unwrap());
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "198.51.100.2".parse().unwrap();
        let mut config = Config { trusted_proxies: vec![proxy], ..Config::default() };
        assert_eq!(client_ip(Some(proxy), &h, &config), "203.0.113.7");
        assert_eq!(client_ip(Some(other), &h, &config), "198.51.100.2");
        config.trust_cf_connecting_ip = true;
        assert_eq!(client_ip(Some(proxy), &h, &config), "2001:db8::1");
        assert_eq!(client_ip(Some(other), &h, &config), "198.51.100.2");
    }
}
