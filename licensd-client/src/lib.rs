//! Rust client SDK for licensd servers: the KeyAuth-compatible client API
//! 1.3 with every answer's Ed25519 signature and timestamp verified, a small client of the
//! Licenses API v2, and the offline verification of signed license files ([`offline`]).
//!
//! ```no_run
//! use licensd_client::LibreAuth;
//!
//! # fn main() -> Result<(), licensd_client::Error> {
//! // The server's public key: `GET /api/info` (`public_key`), `GET /health` or the start-up log.
//! let mut app = LibreAuth::new("MyApp", "XXXXXXXXXX", "1.0", "https://host/api/1.3/")
//!     .with_public_key("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")?
//!     .with_hwid("machine-id");
//! app.init()?;
//! app.upgrade("user123", "XXXX-XXXX")?;
//! let user = app.login("user123", "password", None)?;
//! println!("{} until {}", user.username, user.subscriptions[0].expiry);
//! app.check()?;
//! # Ok(()) }
//! ```
//!
//! # Trust
//!
//! Before any member of an answer is read, the client checks that `x-signature-ed25519` is the
//! pinned key's signature over `x-signature-timestamp` followed by the body, and that the
//! timestamp is within 20 s of the local clock ([`with_max_skew`](LibreAuth::with_max_skew)).
//! Each way this can fail is its own [`Error`] variant: [`Error::MissingSignature`],
//! [`Error::BadSignature`] (altered or forged), [`Error::WrongPublicKey`] (validly signed by
//! another key, seen on `init`, whose answer names its key), [`Error::StaleTimestamp`]
//! (replayed or delayed), and for what is signed but not the protocol, [`Error::Malformed`]. An
//! answer whose body broke off is [`Error::Truncated`]; no answer at all is
//! [`Error::Transport`]. The server's refusals are [`Error::Refused`] with its message and code.
//!
//! Without a pinned key every call fails with [`Error::NoPublicKey`], unless the program opts
//! into trust on first use ([`LibreAuth::trust_on_first_use`]): the key named by the first `init`
//! answer (that verifies under it) is pinned from then on.
//!
//! # Blocking and async
//!
//! [`LibreAuth`] and [`licenses::LicensesClient`] block (reqwest's blocking client: never call
//! them on an async runtime's thread). [`asynch::LibreAuth`] and [`asynch::LicensesClient`] have
//! the same methods as `async fn`s. Both share the request building and the answer checks; only
//! the transport differs.
//!
//! The methods map to the protocol's `type`s: `init`, `register`, `login`, `loginEmail`
//! ([`login_email`](LibreAuth::login_email)), `license`, `upgrade`, `check`, `var`, `getvar`,
//! `setvar`, `log`, `file`, `webhook`, `ban`, `checkblacklist`, `fetchOnline`
//! ([`fetch_online`](LibreAuth::fetch_online)), `fetchStats`, `chatget`, `chatsend`,
//! `changeUsername`, `forgot`, `logout`, `2faenable` ([`enable_2fa`](LibreAuth::enable_2fa)),
//! `2fadisable` ([`disable_2fa`](LibreAuth::disable_2fa)), `offline`, and the web loader's `login`
//! with a one-time token ([`web_login`](LibreAuth::web_login)).
//!
//! The client keeps the session `init` opened ([`session_id`](LibreAuth::session_id)) until the
//! server ends it; [`with_session`](LibreAuth::with_session) continues one opened elsewhere, and
//! [`last_message`](LibreAuth::last_message) is the text of the last successful answer.

#![deny(missing_docs)]

pub mod asynch;
mod blocking;
mod calls;
mod core;
mod error;
pub mod licenses;
pub mod offline;
mod settings;
mod transport;
mod types;
mod verify;

pub use blocking::LibreAuth;
pub use error::{Error, Result};
pub use types::{AppInfo, ChatMessage, InitInfo, OfflineFile, Subscription, TwoFactorSetup, UserInfo};
