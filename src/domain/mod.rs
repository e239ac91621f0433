//! Pure licensing rules: key masks, license status and expiry, secrets, time formats.
//! Nothing in here does IO, so every rule is unit-tested directly.

pub mod client_messages;
pub mod deliveries;
pub mod discord;
pub mod events;
pub mod forwarded;
pub mod ids;
pub mod keymask;
pub mod license;
pub mod names;
pub mod netaddr;
pub mod offline;
pub mod panel;
pub mod secret;
pub mod store_hooks;
pub mod time;
pub mod totp;
pub mod usable;
pub mod validate;
