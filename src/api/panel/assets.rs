//! Static assets embedded in the binary: one stylesheet, served under a name that carries a hash
//! of its content, so a browser may keep it for a year and still gets a new one with a new build.

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use std::sync::LazyLock;

const CSS: &str = include_str!("panel.css");

/// `panel-<first 16 hex digits of the SHA-256 of the CSS>.css`.
static CSS_NAME: LazyLock<String> = LazyLock::new(|| {
    let digest = crate::domain::secret::hash_secret(CSS);
    format!("panel-{}.css", &digest[..16])
});

/// The stylesheet's URL, for the page shell.
pub fn css_url() -> String {
    format!("/panel/assets/{}", *CSS_NAME)
}

pub async fn serve(Path(name): Path<String>) -> Response {
    if name != *CSS_NAME {
        return super::error::not_found().await.into_response();
    }
    let mut res = (StatusCode::OK, CSS).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    res
}
