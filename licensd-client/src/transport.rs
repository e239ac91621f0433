//! Sending one request, blocking or async: the only code the two clients do not share. An error
//! before the answer's headers is a transport error; one while reading its body is a truncation.

use crate::{
    error::{Error, Result},
    verify::{RawAnswer, SIG_HEADER, TS_HEADER},
};
use reqwest::header::HeaderMap;
use std::time::Duration;

/// Requests that get no answer within this time fail with [`Error::Transport`].
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// A request of either API.
pub(crate) enum Request<'a> {
    /// Client API: form fields POSTed to the API URL.
    Form { url: &'a str, fields: Vec<(&'static str, String)> },
    /// Licenses API: a JSON body POSTed with the store token.
    Json { url: String, token: &'a str, store: Option<&'a str>, body: serde_json::Value },
}

/// An answer: its status and what [`RawAnswer`] holds.
pub(crate) struct Received {
    pub status: u16,
    pub raw: RawAnswer,
}

fn received(status: u16, headers: &HeaderMap, body: Vec<u8>) -> Received {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Received { status, raw: RawAnswer { timestamp: header(TS_HEADER), signature: header(SIG_HEADER), body } }
}

/// Blocking transport (reqwest's blocking client; must not run on an async runtime's thread).
pub(crate) fn send_blocking(http: &reqwest::blocking::Client, req: Request<'_>) -> Result<Received> {
    let builder = match req {
        Request::Form { url, fields } => http.post(url).form(&fields),
        Request::Json { url, token, store, body } => {
            let b = http.post(url).bearer_auth(token).json(&body);
            match store {
                Some(s) => b.header("X-STORE", s),
                None => b,
            }
        }
    };
    let res = builder.send().map_err(Error::Transport)?;
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    let body = res.bytes().map_err(Error::Truncated)?;
    Ok(received(status, &headers, body.to_vec()))
}

/// Async transport (reqwest's client; needs a tokio runtime).
pub(crate) async fn send_async(http: &reqwest::Client, req: Request<'_>) -> Result<Received> {
    let builder = match req {
        Request::Form { url, fields } => http.post(url).form(&fields),
        Request::Json { url, token, store, body } => {
            let b = http.post(url).bearer_auth(token).json(&body);
            match store {
                Some(s) => b.header("X-STORE", s),
                None => b,
            }
        }
    };
    let res = builder.send().await.map_err(Error::Transport)?;
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    let body = res.bytes().await.map_err(Error::Truncated)?;
    Ok(received(status, &headers, body.to_vec()))
}
