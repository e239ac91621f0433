//! Integration tests: the real server on a real socket, on SQLite and on PostgreSQL.
//! Every `engine_tests!` body runs once per engine (`<test>::sqlite`, `<test>::postgres`).

mod harness;

mod abandoned;
mod admin;
mod admin_apps;
mod admin_client_data;
mod admin_licenses;
mod admin_list_filters;
mod admin_resellers;
mod adminkit;
mod backup;
mod body_limits;
mod cli;
mod client_account;
mod client_auth;
mod client_chat;
mod client_data;
mod client_init;
mod client_key_names;
mod client_races;
mod client_session_expiry;
mod client_sessions;
mod client_signin_limits;
mod client_support;
mod client_totp;
mod client_webhook;
mod crash;
mod hostile;
mod licenses;
mod licenses_inputs;
mod licenses_races;
mod licenses_sdk;
mod ops;
mod processes;
mod rate_limit_store;
mod reseller;
mod reseller_fixture;
mod reseller_limits;
mod revocation;
mod sdk;
mod signing_identity;
mod tenants;
