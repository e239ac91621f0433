//! What every request handler can reach: the store, the signing key, the rate-limit counters,
//! the configuration.

use crate::{config::Config, ratelimit::RateLimiter, signing::Signer, store::Store};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub signer: Arc<Signer>,
    pub limiter: Arc<RateLimiter>,
    pub config: Arc<Config>,
}
