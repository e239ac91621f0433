//! A small typed client of the Licenses API v2 (Sell.app-compatible, `docs/licenses-api.md`):
//! activate, validate and deactivate a license key with a store token. [`LicensesClient`] blocks;
//! [`crate::asynch::LicensesClient`] is the async one. The API is not signed (it is for the
//! seller's own backends, over TLS), so answers are only parsed.

use crate::{
    error::{Error, Result},
    transport::{self, Received, Request},
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// An activation of a key on one machine.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Instance {
    /// The instance id (a UUID): keep it to validate and deactivate with.
    pub id: String,
    /// The license key's id.
    pub license_key_id: i64,
    /// The label given at activation.
    pub name: String,
    /// The store (seller) id.
    pub store_id: i64,
    /// When it was created (ISO 8601).
    pub created_at: String,
    /// When it last changed (ISO 8601).
    pub updated_at: String,
}

/// A license key as the Licenses API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LicenseKey {
    /// The key's id.
    pub id: i64,
    /// The key itself.
    pub key: String,
    /// Activation limit; `None` = unlimited.
    pub limit: Option<i64>,
    /// The seller's on/off switch (1 or 0).
    pub active: i64,
    /// `ACTIVE`, `INACTIVE` or `EXPIRED`.
    pub status: String,
    /// When it expires (ISO 8601); `None` = never, or a duration not started yet.
    pub expires_at: Option<String>,
    /// Whether `expires_at` has passed.
    pub is_expired: bool,
    /// The store (seller) id.
    pub store_id: i64,
    /// The product (app) id.
    pub product_id: i64,
    /// The variant (plan) id.
    pub variant_id: i64,
    /// The customer, if known.
    pub customer_id: Option<i64>,
    /// Instances of the key (validate answers carry it).
    pub instances_count: Option<i64>,
}

/// A successful validation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Validation {
    /// Always true in an answer that validates (a refusal is an [`Error::Licenses`]).
    pub valid: bool,
    /// The key.
    pub license_key: LicenseKey,
    /// The instance, when `instance_id` was given.
    pub instance: Option<Instance>,
}

/// A signed offline license file bound to an instance (a licensd extension of the API: `POST
/// /v2/licenses/offline`). Verify it with [`OfflineVerifier`](crate::offline::OfflineVerifier).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LicenseFile {
    /// The armoured file.
    pub file: String,
    /// The server's public key that signed it (hex); pin your own copy, do not trust this one.
    pub public_key: String,
    /// When it was issued (ISO 8601).
    pub issued_at: String,
    /// When the app must check out a fresh file (ISO 8601).
    pub refresh_by: String,
    /// When the license ends (ISO 8601); `None` for a lifetime license.
    pub expires_at: Option<String>,
}

/// Where requests go and with which credentials.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    base: String,
    token: String,
    pub store: Option<String>,
}

impl Target {
    pub fn new(base_url: &str, token: &str) -> Self {
        Self { base: base_url.trim_end_matches('/').to_owned(), token: token.to_owned(), store: None }
    }

    pub fn request<T>(&self, call: &LicenseCall<T>) -> Request<'_> {
        Request::Json {
            url: format!("{}/v2/licenses/{}", self.base, call.action),
            token: &self.token,
            store: self.store.as_deref(),
            body: call.body.clone(),
        }
    }
}

/// One request and the decoder of its `data`.
pub(crate) struct LicenseCall<T> {
    action: &'static str,
    body: Value,
    decode: fn(Value) -> Result<T>,
}

fn data<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::Malformed(format!("Licenses API data: {e}")))
}

pub(crate) fn activate(license_key: &str, instance_name: &str) -> LicenseCall<Instance> {
    LicenseCall {
        action: "activate",
        body: json!({"license_key": license_key, "instance_name": instance_name}),
        decode: data,
    }
}

pub(crate) fn validate(license_key: &str, instance_id: Option<&str>) -> LicenseCall<Validation> {
    let mut body = json!({"license_key": license_key});
    if let Some(id) = instance_id {
        body["instance_id"] = json!(id);
    }
    LicenseCall { action: "validate", body, decode: data }
}

pub(crate) fn deactivate(license_key: &str, instance_id: &str) -> LicenseCall<()> {
    LicenseCall {
        action: "deactivate",
        body: json!({"license_key": license_key, "instance_id": instance_id}),
        decode: |d| match d.get("deactivated") {
            Some(Value::Bool(true)) => Ok(()),
            _ => Err(Error::Malformed("deactivate answered without deactivated: true".into())),
        },
    }
}

pub(crate) fn offline(license_key: &str, instance_id: &str) -> LicenseCall<LicenseFile> {
    LicenseCall {
        action: "offline",
        body: json!({"license_key": license_key, "instance_id": instance_id}),
        decode: data,
    }
}

/// A 2xx answer's `data`, decoded; any other status is the API's refusal with its `message`.
pub(crate) fn finish<T>(call: LicenseCall<T>, res: Received) -> Result<T> {
    let body: Value = serde_json::from_slice(&res.raw.body)
        .map_err(|e| Error::Malformed(format!("Licenses API answered {} without JSON: {e}", res.status)))?;
    if !(200..300).contains(&res.status) {
        let message = body.get("message").and_then(Value::as_str).unwrap_or("").to_owned();
        return Err(Error::Licenses { status: res.status, message });
    }
    match body.get("data") {
        Some(d) => (call.decode)(d.clone()),
        None => Err(Error::Malformed("Licenses API answer without data".into())),
    }
}

/// A blocking client of the Licenses API v2 (not on an async runtime's thread; see
/// [`crate::asynch::LicensesClient`]).
///
/// ```no_run
/// # fn run() -> Result<(), licensd_client::Error> {
/// let licenses = licensd_client::licenses::LicensesClient::new("https://host/api", "store token");
/// let instance = licenses.activate("K-XXXX", "hwid-123")?;
/// assert!(licenses.validate("K-XXXX", Some(&instance.id))?.valid);
/// licenses.deactivate("K-XXXX", &instance.id)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct LicensesClient {
    target: Target,
    http: reqwest::blocking::Client,
}

impl LicensesClient {
    /// A client of the API under `base_url` (e.g. `https://host/api`) with a store token.
    pub fn new(base_url: &str, store_token: &str) -> Self {
        let http = reqwest::blocking::Client::builder().timeout(transport::TIMEOUT).build().unwrap_or_default();
        Self { target: Target::new(base_url, store_token), http }
    }

    /// Sends `X-STORE` (the store's id, name or ownerid), which must name the token's own store.
    pub fn with_store(mut self, store: &str) -> Self {
        self.target.store = Some(store.to_owned());
        self
    }

    fn run<T>(&self, call: LicenseCall<T>) -> Result<T> {
        let res = transport::send_blocking(&self.http, self.target.request(&call))?;
        finish(call, res)
    }

    /// Activates `license_key` on a machine labelled `instance_name`: the new instance.
    pub fn activate(&self, license_key: &str, instance_name: &str) -> Result<Instance> {
        self.run(activate(license_key, instance_name))
    }

    /// Checks the key (and, with `instance_id`, that the instance is one of it).
    pub fn validate(&self, license_key: &str, instance_id: Option<&str>) -> Result<Validation> {
        self.run(validate(license_key, instance_id))
    }

    /// Deletes the instance, freeing its slot.
    pub fn deactivate(&self, license_key: &str, instance_id: &str) -> Result<()> {
        self.run(deactivate(license_key, instance_id))
    }

    /// Checks out the key as a signed offline file bound to the instance `instance_id`.
    pub fn offline(&self, license_key: &str, instance_id: &str) -> Result<LicenseFile> {
        self.run(offline(license_key, instance_id))
    }
}
