//! licensd: a self-hosted software-licensing server.
//!
//! Layers, from the wire inwards: `api` (one module per protocol: client 1.3, Licenses v2,
//! reseller, admin) and `cli` parse and render; `manage` holds the seller's operations that the
//! admin API and the CLI share; `services` holds password hashing, outbound HTTP and mail;
//! `domain` holds the pure rules; `store` is the only place with SQL.

pub mod api;
pub mod backup;
pub mod cli;
pub mod config;
pub mod domain;
pub mod fsmode;
pub mod identity;
pub mod manage;
pub mod metrics;
pub mod ratelimit;
pub mod server;
pub mod services;
pub mod signing;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tls;
