//! Integration tests: the real server on a real socket, on SQLite and on PostgreSQL.
//! Every `engine_tests!` body runs once per engine (`<test>::sqlite`, `<test>::postgres`).

mod harness;

mod admin;
mod admin_client_data;
mod client_chat;
mod client_data;
mod client_init;
mod client_support;
mod client_webhook;
mod ops;
mod processes;
