//! Where a request reached this server (its `Host`, and whether over HTTPS: this server's TLS,
//! or a trusted proxy's `X-Forwarded-Proto`), for absolute links back to it: the client API's
//! `customerPanelLink`, the panel's invitation links.

use crate::{config::Config, state::AppState};
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderValue, header::HOST, request::Parts},
};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Default)]
pub struct Reached {
    host: Option<HeaderValue>,
    https: bool,
}

impl Reached {
    pub fn of(parts: &Parts, peer: Option<IpAddr>, config: &Config) -> Self {
        let proxied_tls = peer
            .is_some_and(|p| config.trusted_proxies.iter().any(|t| t.to_canonical() == p.to_canonical()))
            && parts.headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
        Self { host: parts.headers.get(HOST).cloned(), https: config.serves_tls() || proxied_tls }
    }

    /// `path` (starting with `/`) as an absolute URL of this server; `None` without a usable
    /// `Host` header.
    pub fn url(&self, path: &str) -> Option<String> {
        let host = self.host.as_ref()?.to_str().ok().filter(|h| !h.is_empty())?;
        let scheme = if self.https { "https" } else { "http" };
        Some(format!("{scheme}://{host}{path}"))
    }
}

impl FromRequestParts<AppState> for Reached {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(Self::of(parts, peer, &state.config))
    }
}
