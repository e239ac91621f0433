//! The one place the server makes HTTP requests on a client's behalf (`webhook`), and so a
//! server-side request forgery surface. Guards:
//! - only seller-configured URLs (the client adds query parameters, never the host);
//! - unless the operator sets `webhook_allow_private`, every address the host resolves to must
//!   be public (`domain::netaddr`), and the connection goes to exactly those checked addresses
//!   (the resolver below hands them to the connector, so a second DNS answer cannot differ);
//!   IP literals are checked before sending;
//! - redirects only to the same host, at most `MAX_REDIRECTS`; no proxy from the environment;
//! - `TIMEOUT` for the whole exchange, and at most `MAX_RESPONSE_BYTES` read, incrementally.
//!
//! `Http` holds the one client (connection pool, TLS roots) built at start-up for the
//! configured policy; it lives in `Services`.

use crate::domain::{
    deliveries::retry_after_ms,
    netaddr::{http_url, is_public},
};
use reqwest::{
    Client, Url,
    dns::{Addrs, Name, Resolve, Resolving},
    header::{CONTENT_TYPE, HeaderValue, USER_AGENT},
    redirect,
};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};
use thiserror::Error;

/// Longest a webhook exchange may take, connection to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Largest remote body relayed to the client.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
const MAX_REDIRECTS: usize = 5;

/// A request to a seller-configured URL.
#[derive(Debug, Clone, Copy)]
pub struct Outbound<'a> {
    pub url: &'a str,
    /// Appended to the URL's query (a leading `?` or `&` is dropped).
    pub params: Option<&'a str>,
    /// When present the request is a POST with this body; otherwise a GET.
    pub body: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub user_agent: &'a str,
}

/// What the remote answered.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Lossy UTF-8.
    pub body: String,
    /// The wait a rate-limiting receiver asked for (`Retry-After`, Discord's
    /// `X-RateLimit-Reset-After`), in milliseconds.
    pub retry_after_ms: Option<i64>,
}

#[derive(Debug, Error)]
pub enum OutboundError {
    #[error("the webhook URL is not an http(s) URL with a host")]
    BadUrl,
    #[error("address {0} is not public (set webhook_allow_private to allow it)")]
    NotPublic(IpAddr),
    #[error("invalid {0} header value")]
    BadHeader(&'static str),
    #[error("response larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
    /// The exchange failed. Held without its URL (`From` strips it): the seller's URL and the
    /// client's query parameters may carry secrets, and this error is logged.
    #[error("{}", with_causes(.0))]
    Http(reqwest::Error),
}

impl From<reqwest::Error> for OutboundError {
    fn from(e: reqwest::Error) -> Self {
        Self::Http(e.without_url())
    }
}

/// `e` and its causes, `error: cause: cause` (reqwest's own text says only "error sending
/// request"; the causes say why, e.g. connection refused, and name no URL).
fn with_causes(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The URL's host (empty when it is not a webhook URL), which is all of it a log line may name.
pub fn host_of(url: &str) -> String {
    http_url(url).and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
}

/// The outbound HTTP client of the configured address policy.
#[derive(Debug, Clone)]
pub struct Http {
    client: Client,
    allow_private: bool,
}

impl Http {
    /// The client for `allow_private` (`webhook_allow_private`): without it, names resolve
    /// through `PublicOnly`.
    pub fn new(allow_private: bool) -> Result<Self, OutboundError> {
        let mut builder = Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .no_proxy()
            .redirect(redirect::Policy::custom(same_host_redirects));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self { client: builder.build()?, allow_private })
    }

    /// Sends the request and returns the remote body (lossy UTF-8), whatever its HTTP status:
    /// the seller's endpoint decides what its answer means.
    pub async fn send(&self, req: &Outbound<'_>) -> Result<String, OutboundError> {
        Ok(self.exchange(req, &[]).await?.body)
    }

    /// Like `send`, with `headers` added, answering the HTTP status and the receiver's
    /// requested wait beside the body (event webhook deliveries judge them).
    pub async fn exchange(
        &self,
        req: &Outbound<'_>,
        headers: &[(&'static str, String)],
    ) -> Result<Reply, OutboundError> {
        let url = target_url(req.url, req.params)?;
        if !self.allow_private
            && let Some(ip) = literal_ip(&url).filter(|ip| !is_public(*ip))
        {
            return Err(OutboundError::NotPublic(ip));
        }
        let mut rb = match req.body {
            Some(body) => self.client.post(url).body(body.to_owned()),
            None => self.client.get(url),
        };
        let agent = HeaderValue::from_str(req.user_agent).map_err(|_| OutboundError::BadHeader("user-agent"))?;
        rb = rb.header(USER_AGENT, agent);
        if let Some(ct) = req.content_type {
            let ct = HeaderValue::from_str(ct).map_err(|_| OutboundError::BadHeader("content-type"))?;
            rb = rb.header(CONTENT_TYPE, ct);
        }
        for (name, value) in headers {
            rb = rb.header(*name, HeaderValue::from_str(value).map_err(|_| OutboundError::BadHeader(name))?);
        }
        let mut res = rb.send().await?;
        let status = res.status().as_u16();
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let retry_after_ms =
            retry_after_ms(header("retry-after").as_deref(), header("x-ratelimit-reset-after").as_deref());
        if res.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            return Err(OutboundError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(OutboundError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply { status, body: String::from_utf8_lossy(&body).into_owned(), retry_after_ms })
    }
}

/// The seller's URL with the client's `params` added to its query (never to host or path).
fn target_url(base: &str, params: Option<&str>) -> Result<Url, OutboundError> {
    let mut url = http_url(base).ok_or(OutboundError::BadUrl)?;
    if let Some(extra) = params.map(|p| p.trim_start_matches(['?', '&'])).filter(|p| !p.is_empty()) {
        let query = match url.query() {
            Some(q) if !q.is_empty() => format!("{q}&{extra}"),
            _ => extra.to_owned(),
        };
        url.set_query(Some(&query));
    }
    Ok(url)
}

/// The host as an IP address when the URL names one directly (no DNS involved).
fn literal_ip(url: &Url) -> Option<IpAddr> {
    url.host_str()?.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

fn same_host_redirects(attempt: redirect::Attempt<'_>) -> redirect::Action {
    let first_host = attempt.previous().first().and_then(Url::host_str).map(str::to_owned);
    if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error("too many redirects")
    } else if attempt.url().host_str() != first_host.as_deref() {
        attempt.error("redirect to another host refused")
    } else {
        attempt.follow()
    }
}

/// Resolves with the system resolver and refuses the name unless every address is public;
/// the connector then dials exactly the addresses returned here.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(OutboundError::NotPublic(bad.ip())) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_only_extend_the_query() {
        let u = target_url("https://example.com/hook?key=s", Some("&a=1@evil.com/x")).unwrap();
        assert_eq!(u.host_str(), Some("example.com"));
        assert_eq!(u.path(), "/hook");
        assert_eq!(u.query(), Some("key=s&a=1@evil.com/x"));
        let u = target_url("http://example.com", Some("?x=1#frag")).unwrap();
        assert_eq!(u.host_str(), Some("example.com"));
        assert!(u.query().unwrap().starts_with("x=1"));
        assert!(target_url("ftp://example.com/", None).is_err());
        assert!(target_url("not a url", None).is_err());
    }

    #[test]
    fn logs_name_the_host_only() {
        assert_eq!(host_of("https://user:pw@hooks.example.com:8443/k/SECRET?token=T#f"), "hooks.example.com");
        assert_eq!(host_of("http://[::1]:8/x"), "[::1]");
        assert_eq!(host_of("http://example.com?q=1"), "example.com");
        assert_eq!(host_of("example.com/SECRET"), "");
    }

    #[test]
    fn literal_addresses_are_seen() {
        assert_eq!(literal_ip(&Url::parse("http://[::1]:8/").unwrap()), Some("::1".parse().unwrap()));
        assert_eq!(literal_ip(&Url::parse("http://127.1/").unwrap()), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(literal_ip(&Url::parse("http://example.com/").unwrap()), None);
    }
}
