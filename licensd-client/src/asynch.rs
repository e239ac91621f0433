//! The async clients: [`LibreAuth`] for the client API and [`LicensesClient`] for the Licenses
//! API v2. Same methods and results as the blocking ones at the crate root, over reqwest's async
//! client (they need a tokio runtime).

use crate::{
    calls::{self, Call, client_actions},
    core::Core,
    error::Result,
    licenses::{self, Instance, LicenseCall, Validation},
    settings::settings_methods,
    transport::{self, Request},
    types::{AppInfo, ChatMessage, InitInfo, OfflineFile, TwoFactorSetup, UserInfo},
};

/// An async client of licensd's client API 1.3; see [`crate::LibreAuth`] for the blocking one.
///
/// ```no_run
/// # async fn run() -> Result<(), licensd_client::Error> {
/// let mut app = licensd_client::asynch::LibreAuth::new("MyApp", "XXXXXXXXXX", "1.0", "https://host/api/1.3/")
///     .with_public_key("5f2c...server key in hex...")?;
/// app.init().await?;
/// let user = app.license("XXXX-XXXX", None).await?;
/// println!("signed in as {}", user.username);
/// # Ok(()) }
/// ```
///
/// A clone shares the connection pool and starts with the same settings and session; from then
/// on each keeps its own.
#[derive(Debug, Clone)]
pub struct LibreAuth {
    core: Core,
    http: reqwest::Client,
}

impl LibreAuth {
    /// As [`crate::LibreAuth::new`].
    pub fn new(name: &str, ownerid: &str, version: &str, url: &str) -> Self {
        let http = reqwest::Client::builder().timeout(transport::TIMEOUT).build().unwrap_or_default();
        Self { core: Core::new(name, ownerid, version, url), http }
    }

    settings_methods!();

    async fn run<T>(&mut self, call: Call<T>) -> Result<T> {
        let fields = self.core.fields(&call)?;
        let res = transport::send_async(&self.http, Request::Form { url: &self.core.url, fields }).await?;
        self.core.finish(call, res.raw)
    }
}

macro_rules! async_methods {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        impl LibreAuth {
            $(
                $(#[$doc])*
                pub async fn $name(&mut self, $($arg: $ty),*) -> Result<$out> {
                    self.run(calls::$name($($arg),*)).await
                }
            )*
        }
    };
}

client_actions!(async_methods);

/// An async client of the Licenses API v2; see [`crate::licenses::LicensesClient`].
#[derive(Debug, Clone)]
pub struct LicensesClient {
    target: licenses::Target,
    http: reqwest::Client,
}

impl LicensesClient {
    /// As [`crate::licenses::LicensesClient::new`].
    pub fn new(base_url: &str, store_token: &str) -> Self {
        let http = reqwest::Client::builder().timeout(transport::TIMEOUT).build().unwrap_or_default();
        Self { target: licenses::Target::new(base_url, store_token), http }
    }

    /// As [`crate::licenses::LicensesClient::with_store`].
    pub fn with_store(mut self, store: &str) -> Self {
        self.target.store = Some(store.to_owned());
        self
    }

    async fn run<T>(&self, call: LicenseCall<T>) -> Result<T> {
        let res = transport::send_async(&self.http, self.target.request(&call)).await?;
        licenses::finish(call, res)
    }

    /// As [`crate::licenses::LicensesClient::activate`].
    pub async fn activate(&self, license_key: &str, instance_name: &str) -> Result<Instance> {
        self.run(licenses::activate(license_key, instance_name)).await
    }

    /// As [`crate::licenses::LicensesClient::validate`].
    pub async fn validate(&self, license_key: &str, instance_id: Option<&str>) -> Result<Validation> {
        self.run(licenses::validate(license_key, instance_id)).await
    }

    /// As [`crate::licenses::LicensesClient::deactivate`].
    pub async fn deactivate(&self, license_key: &str, instance_id: &str) -> Result<()> {
        self.run(licenses::deactivate(license_key, instance_id)).await
    }

    /// Checks out the key as a signed offline file bound to the instance `instance_id`.
    pub async fn offline(&self, license_key: &str, instance_id: &str) -> Result<licenses::LicenseFile> {
        self.run(licenses::offline(license_key, instance_id)).await
    }
}
