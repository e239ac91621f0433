//! The plain-HTTP face beside HTTPS (`http_redirect_listen`): every request is answered with a
//! 308 to the same path on HTTPS (308 keeps the method and body of a client that follows it),
//! except the ACME CA's HTTP-01 challenge requests when that challenge is configured.

use axum::{
    Router,
    http::{HeaderMap, StatusCode, Uri, header, uri::Authority},
    response::{IntoResponse, Response},
};
use rustls_acme::tower::TowerHttp01ChallengeService;

pub fn router(https_port: u16, http01: Option<TowerHttp01ChallengeService>) -> Router {
    let router =
        Router::new().fallback(move |headers: HeaderMap, uri: Uri| async move { redirect(&headers, &uri, https_port) });
    match http01 {
        Some(challenges) => router.route_service("/.well-known/acme-challenge/{token}", challenges),
        None => router,
    }
}

/// The HTTPS address of the request: its `Host` without the port, then the HTTPS port unless
/// it is the default.
fn redirect(headers: &HeaderMap, uri: &Uri, https_port: u16) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<Authority>().ok())
        .filter(|a| !a.host().is_empty());
    let Some(host) = host else {
        return (StatusCode::BAD_REQUEST, "a Host header is required\n").into_response();
    };
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let location = format!("https://{}{port}{path}", host.host());
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(host: Option<&str>, uri: &str, port: u16) -> (StatusCode, Option<String>) {
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(header::HOST, h.parse().unwrap());
        }
        let r = redirect(&headers, &uri.parse().unwrap(), port);
        (r.status(), r.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned()))
    }

    #[test]
    fn keeps_host_path_and_query_and_names_a_non_default_port() {
        let (s, l) = location(Some("lic.example.com:80"), "/api/1.3/?type=init", 443);
        assert_eq!(s, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(l.as_deref(), Some("https://lic.example.com/api/1.3/?type=init"));
        assert_eq!(location(Some("[::1]:8080"), "/readyz", 8443).1.as_deref(), Some("https://[::1]:8443/readyz"));
        assert_eq!(location(None, "/", 443).0, StatusCode::BAD_REQUEST);
        assert_eq!(location(Some("a b"), "/", 443).0, StatusCode::BAD_REQUEST);
    }
}
