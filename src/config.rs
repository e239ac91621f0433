//! Configuration: built-in defaults, then a TOML file, then `LICENSD_*` environment variables,
//! then command-line flags; each later source wins. Unknown keys are errors, so a typo in the
//! file or the environment is reported instead of silently ignored.

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "licensd.toml";
pub const DEFAULT_DATA_DIR: &str = "./data";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Directory for the SQLite database, the signing key and uploaded files.
    pub data_dir: PathBuf,
    /// `postgres://...` for PostgreSQL, `sqlite://PATH` for another SQLite file; unset: the
    /// embedded default `<data_dir>/licensd.db`.
    pub database_url: Option<String>,
    /// Allow creating a database file or data directory that does not exist yet. The default
    /// location is always created on first start; explicit paths need this.
    pub create: bool,
    /// Database connections per process.
    pub max_connections: u32,
    /// PostgreSQL: milliseconds a request waits for a database connection (including
    /// connecting) before it answers 503 with `Retry-After`.
    pub database_timeout_ms: u64,
    /// Ed25519 signing key file (raw 32-byte seed, hex or PEM PKCS#8); default `<data_dir>/signing.key`.
    pub signing_key_file: Option<PathBuf>,
    /// Ed25519 seed as 64 hex characters, e.g. shared by several processes through the environment.
    pub signing_key: Option<String>,
    /// Peers whose `X-Forwarded-For` is believed: the client is its right-most entry that is not
    /// itself a trusted proxy.
    pub trusted_proxies: Vec<IpAddr>,
    /// Believe `CF-Connecting-IP` from a trusted proxy (only when that proxy is Cloudflare, which
    /// overwrites the header; any other client can set it).
    pub trust_cf_connecting_ip: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest upload of the admin API's KeyAuth import routes, in bytes (an export of 100,000
    /// users is about 26 MB; the import holds the parsed file in memory).
    pub max_import_bytes: usize,
    /// Seconds a request body may take to arrive in full; a slower one is refused (408 in the
    /// protocol's shape) and its connection closed.
    pub body_read_timeout_secs: u64,
    /// Seconds a connection has to send a complete request head (line and headers). hyper counts
    /// from the moment the connection waits for a request, so this also ends any connection
    /// idle for that long.
    pub header_read_timeout_secs: u64,
    /// Seconds a keep-alive connection may sit with no request in flight after its last answer
    /// before it is closed (only matters when shorter than `header_read_timeout_secs`).
    pub idle_timeout_secs: u64,
    /// Connections served at once; when all are taken, new ones wait in the listen backlog
    /// until one closes (0 is taken as 1).
    pub max_concurrent_connections: usize,
    /// Largest file a seller may upload for the client API's `file` action, in bytes.
    pub max_file_bytes: usize,
    /// Concurrent Argon2id password hashes (each takes ~19 MiB and ~25 ms of a core).
    pub password_hash_concurrency: usize,
    /// Longest time-to-live of an offline license file, in seconds, and the TTL a checkout
    /// gets when it names none: past it the app must check out a fresh file online.
    pub offline_ttl_secs: i64,
    /// Let seller webhooks reach private and loopback addresses (off: SSRF protection).
    pub webhook_allow_private: bool,
    /// First wait before an event webhook delivery that failed is tried again (it doubles per
    /// attempt, up to 6 hours, for 3 days).
    pub webhook_retry_base_ms: u64,
    /// Days events are kept (the outbox, the delivery log, the panel's charts); older ones are
    /// deleted hourly. 0 keeps them forever; otherwise at least `MIN_EVENT_RETENTION_DAYS`.
    pub event_retention_days: u32,
    /// Bearer token that `GET /metrics` requires; unset: no metrics endpoint (404).
    pub metrics_token: Option<String>,
    /// Licenses API requests per store token per minute (0: unlimited).
    pub licenses_rate_limit_per_min: u32,
    /// Lemon Squeezy License API requests per client address per minute (0: unlimited); 60 is
    /// Lemon Squeezy's own limit.
    pub lemonsqueezy_rate_limit_per_min: u32,
    /// Seller API (`/api/seller/`) requests per seller API token per minute (0: unlimited).
    pub seller_api_rate_limit_per_min: u32,
    /// Failed client API sign-ins (login, license, register, upgrade, ...) per client IP and app
    /// per minute before further attempts are refused (0: unlimited).
    pub login_failures_per_ip_per_min: u32,
    /// Failed client API sign-ins per app per minute, all IPs together (0: unlimited).
    pub login_failures_per_app_per_min: u32,
    /// Failed seller panel sign-ins per client address (IPv6: per /64) per minute (0: unlimited).
    pub panel_login_failures_per_ip_per_min: u32,
    /// Failed seller panel sign-ins per account email per minute, all addresses together
    /// (0: unlimited).
    pub panel_login_failures_per_account_per_min: u32,
    /// A panel session ends after this many seconds without a request.
    pub panel_session_idle_secs: i64,
    /// A panel session ends this many seconds after its sign-in, used or not.
    pub panel_session_max_secs: i64,
    // Abuse limits of client API actions that cost the server work or storage without checking
    // any secret (0: unlimited). Rates count in one-minute windows where `rate_limit_store` says,
    // except `init`'s, which each process counts in its memory (`api::client::abuse_limits`).
    /// `forgot` calls per user per minute (each hashes a password and sends a mail).
    pub forgot_per_user_per_min: u32,
    /// `forgot` calls per client address (IPv6: per /64) and app per minute.
    pub forgot_per_ip_per_min: u32,
    /// `forgot` calls per app per minute, all addresses together.
    pub forgot_per_app_per_min: u32,
    /// Sessions `init` opens per client address (IPv6: per /64) and app per minute (per process).
    pub init_sessions_per_ip_per_min: u32,
    /// Sessions `init` opens per app per minute, all addresses together (per process).
    pub init_sessions_per_app_per_min: u32,
    /// `log` lines stored per client address (IPv6: per /64) and app per minute.
    pub log_lines_per_ip_per_min: u32,
    /// `log` lines stored per app per minute, all addresses together.
    pub log_lines_per_app_per_min: u32,
    /// Variables one user may hold (`setvar` refuses a new name past it; changing one still works).
    pub user_vars_per_user: u32,
    /// Messages kept per chat channel: each `chatsend` deletes the oldest beyond it.
    pub chat_messages_per_channel: u32,
    /// Where rate-limit counters live: `memory` (this process only; exact and IO-free) or
    /// `database` (shared by every process on the database). Unset: `memory` on SQLite,
    /// `database` on PostgreSQL. Several processes on one SQLite file need `database`.
    pub rate_limit_store: Option<RateLimitStore>,
    /// Seconds SIGTERM (or SIGINT) waits for in-flight requests after it stops accepting;
    /// connections still busy then are closed and the process exits.
    pub shutdown_timeout_secs: u64,
    /// HTTPS from certificate files: the PEM chain (leaf first) and its PEM private key.
    /// Read at start; together with `tls_key`, and not with `acme_domains`.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// HTTPS with certificates from an ACME CA (Let's Encrypt by default) for these names.
    pub acme_domains: Vec<String>,
    /// Contact address of the ACME account (the CA's expiry and policy mails).
    pub acme_email: Option<String>,
    /// The ACME CA's directory URL.
    pub acme_directory: String,
    /// How the CA checks control of each name: `tls-alpn-01` (on the HTTPS port, which must be
    /// the CA's port 443) or `http-01` (on `http_redirect_listen`, which must be port 80).
    pub acme_challenge: AcmeChallenge,
    /// PEM roots trusted for the ACME directory instead of the web PKI (a private CA).
    pub acme_ca_file: Option<PathBuf>,
    /// With HTTPS: a plain-HTTP listener that answers every request with a redirect to HTTPS
    /// (and the CA's HTTP-01 challenges). Unset: none.
    pub http_redirect_listen: Option<SocketAddr>,
    /// With HTTPS: `Strict-Transport-Security: max-age=` on every answer (0: no header).
    pub hsts_max_age_secs: u64,
    /// Seconds a TLS handshake may take, from the accepted connection to its end; a slower
    /// one is closed so it cannot hold one of `max_concurrent_connections`.
    pub tls_handshake_timeout_secs: u64,
    pub smtp: Option<SmtpConfig>,
    pub log: LogConfig,
}

/// See `Config::acme_challenge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcmeChallenge {
    #[serde(rename = "tls-alpn-01")]
    TlsAlpn01,
    #[serde(rename = "http-01")]
    Http01,
}

/// Let's Encrypt's production directory, the default of `acme_directory`.
pub const LETS_ENCRYPT_DIRECTORY: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// See `Config::rate_limit_store`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RateLimitStore {
    Memory,
    Database,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://...` (TLS) or `smtp://host:25?tls=none`.
    pub url: String,
    /// Sender address, e.g. `licensd <noreply@example.com>`.
    pub from: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A `tracing` filter such as `info` or `info,licensd::access=warn` (no request
    /// log); `RUST_LOG` wins.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: "text".into(), level: "info".into() }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            create: false,
            max_connections: 16,
            database_timeout_ms: 1000,
            signing_key_file: None,
            signing_key: None,
            trusted_proxies: Vec::new(),
            trust_cf_connecting_ip: false,
            max_body_bytes: 1024 * 1024,
            max_import_bytes: 64 * 1024 * 1024,
            body_read_timeout_secs: 20,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 5,
            max_concurrent_connections: 512,
            max_file_bytes: 8 * 1024 * 1024,
            password_hash_concurrency: 2,
            offline_ttl_secs: 7 * 86_400,
            webhook_allow_private: false,
            webhook_retry_base_ms: 30_000,
            event_retention_days: 90,
            metrics_token: None,
            licenses_rate_limit_per_min: 6000,
            lemonsqueezy_rate_limit_per_min: 60,
            seller_api_rate_limit_per_min: 600,
            login_failures_per_ip_per_min: 10,
            login_failures_per_app_per_min: 600,
            panel_login_failures_per_ip_per_min: 10,
            panel_login_failures_per_account_per_min: 20,
            panel_session_idle_secs: 30 * 60,
            panel_session_max_secs: 12 * 3600,
            forgot_per_user_per_min: 2,
            forgot_per_ip_per_min: 5,
            forgot_per_app_per_min: 60,
            init_sessions_per_ip_per_min: 120,
            init_sessions_per_app_per_min: 6000,
            log_lines_per_ip_per_min: 60,
            log_lines_per_app_per_min: 1200,
            user_vars_per_user: 100,
            chat_messages_per_channel: 1000,
            rate_limit_store: None,
            shutdown_timeout_secs: 30,
            tls_cert: None,
            tls_key: None,
            acme_domains: Vec::new(),
            acme_email: None,
            acme_directory: LETS_ENCRYPT_DIRECTORY.into(),
            acme_challenge: AcmeChallenge::TlsAlpn01,
            acme_ca_file: None,
            http_redirect_listen: None,
            hsts_max_age_secs: 31_536_000,
            tls_handshake_timeout_secs: 10,
            smtp: None,
            log: LogConfig::default(),
        }
    }
}

/// The shortest event retention: longer than a delivery's retry window of 3 days.
pub const MIN_EVENT_RETENTION_DAYS: u32 = 7;

/// Values given as command-line flags; `None` leaves the lower sources' value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acme_domains: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acme_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acme_directory: Option<String>,
}

impl Config {
    /// Whether this server itself speaks TLS (certificate files or ACME); behind a
    /// TLS-terminating proxy it does not.
    pub fn serves_tls(&self) -> bool {
        self.tls_cert.is_some() || !self.acme_domains.is_empty()
    }

    /// Layers the sources. `file`: an explicit `--config` path, which must exist; without it
    /// `licensd.toml` in the working directory is read when present.
    pub fn load(file: Option<&Path>, flags: &FlagOverrides) -> Result<Self, String> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.is_file() => return Err(format!("config file {} does not exist", path.display())),
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => fig = fig.merge(Toml::file_exact(DEFAULT_CONFIG_FILE)),
            None => {}
        }
        fig = fig.merge(Env::prefixed("LICENSD_").split("__")).merge(Serialized::defaults(flags));
        let mut config: Config = fig.extract().map_err(|e| format!("configuration: {e}"))?;
        if (1..MIN_EVENT_RETENTION_DAYS).contains(&config.event_retention_days) {
            return Err(format!(
                "configuration: event_retention_days must be 0 (keep) or at least {MIN_EVENT_RETENTION_DAYS}: \
                 an event is retried for 3 days"
            ));
        }
        // The default location is created on first start; an explicit one only on request.
        if flags.data_dir.is_none() && config.data_dir == Path::new(DEFAULT_DATA_DIR) && config.database_url.is_none() {
            config.create = true;
        }
        Ok(config)
    }

    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key_file.clone().unwrap_or_else(|| self.data_dir.join("signing.key"))
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail closures return its (large) error type
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file_and_env() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "listen = \"127.0.0.1:1000\"\nmax_connections = 3\n[log]\nformat = \"json\"\n")?;
            jail.set_env("LICENSD_LISTEN", "127.0.0.1:2000");
            jail.set_env("LICENSD_LOG__LEVEL", "debug");
            let flags = FlagOverrides { listen: Some("127.0.0.1:3000".parse().unwrap()), ..Default::default() };
            let c = Config::load(Some(Path::new("c.toml")), &flags).unwrap();
            assert_eq!(c.listen.port(), 3000);
            assert_eq!(c.max_connections, 3);
            assert_eq!(c.log.format, "json");
            assert_eq!(c.log.level, "debug");
            let c = Config::load(Some(Path::new("c.toml")), &FlagOverrides::default()).unwrap();
            assert_eq!(c.listen.port(), 2000);
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "lisen = \"x\"\n")?;
            assert!(Config::load(Some(Path::new("c.toml")), &FlagOverrides::default()).unwrap_err().contains("lisen"));
            assert!(Config::load(Some(Path::new("nope.toml")), &FlagOverrides::default()).is_err());
            jail.create_file("d.toml", "listen = 5\n")?;
            assert!(Config::load(Some(Path::new("d.toml")), &FlagOverrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    fn event_retention_outlasts_the_retry_window() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("LICENSD_EVENT_RETENTION_DAYS", "3");
            assert!(Config::load(None, &FlagOverrides::default()).unwrap_err().contains("event_retention_days"));
            jail.set_env("LICENSD_EVENT_RETENTION_DAYS", "0");
            assert_eq!(Config::load(None, &FlagOverrides::default()).unwrap().event_retention_days, 0);
            jail.set_env("LICENSD_EVENT_RETENTION_DAYS", "7");
            assert_eq!(Config::load(None, &FlagOverrides::default()).unwrap().event_retention_days, 7);
            Ok(())
        });
    }

    #[test]
    fn default_location_is_created_explicit_is_not() {
        figment::Jail::expect_with(|_| {
            assert!(Config::load(None, &FlagOverrides::default()).unwrap().create);
            let flags = FlagOverrides { data_dir: Some("/elsewhere".into()), ..Default::default() };
            assert!(!Config::load(None, &flags).unwrap().create);
            Ok(())
        });
    }
}
