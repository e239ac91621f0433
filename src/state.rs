//! What every request handler can reach: the store, the signing key, the rate-limit counters,
//! the shared services (password hashing, outbound HTTP, mail), the metrics, the configuration.

use crate::{
    config::Config, metrics::Metrics, ratelimit::RateLimiter, services::Services, signing::Signer, store::Store,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub signer: Arc<Signer>,
    pub limiter: Arc<RateLimiter>,
    pub services: Arc<Services>,
    pub metrics: Arc<Metrics>,
    pub config: Arc<Config>,
}
