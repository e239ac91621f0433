//! The blocking client of the client API, [`LibreAuth`] (re-exported at the crate root).

use crate::{
    calls::{self, Call, client_actions},
    core::Core,
    error::Result,
    settings::settings_methods,
    transport::{self, Request},
    types::{AppInfo, ChatMessage, InitInfo, OfflineFile, TwoFactorSetup, UserInfo},
};

/// A blocking client of licensd's client API 1.3 (KeyAuth-compatible). Every answer is checked
/// against the pinned Ed25519 public key and for freshness before it is read.
///
/// Uses reqwest's blocking client: do not create, call or drop it on a thread of an async runtime
/// (use [`crate::asynch::LibreAuth`] there).
#[derive(Debug)]
pub struct LibreAuth {
    core: Core,
    http: reqwest::blocking::Client,
}

impl LibreAuth {
    /// A client of app `name` of the seller `ownerid` (10 characters), built as `version`, talking
    /// to `url` (e.g. `https://host/api/1.3/`). Pin the server's key with
    /// [`with_public_key`](Self::with_public_key) before the first call.
    pub fn new(name: &str, ownerid: &str, version: &str, url: &str) -> Self {
        let http = reqwest::blocking::Client::builder().timeout(transport::TIMEOUT).build().unwrap_or_default();
        Self { core: Core::new(name, ownerid, version, url), http }
    }

    settings_methods!();

    fn run<T>(&mut self, call: Call<T>) -> Result<T> {
        let fields = self.core.fields(&call)?;
        let res = transport::send_blocking(&self.http, Request::Form { url: &self.core.url, fields })?;
        self.core.finish(call, res.raw)
    }
}

macro_rules! blocking_methods {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        impl LibreAuth {
            $(
                $(#[$doc])*
                pub fn $name(&mut self, $($arg: $ty),*) -> Result<$out> {
                    self.run(calls::$name($($arg),*))
                }
            )*
        }
    };
}

client_actions!(blocking_methods);
