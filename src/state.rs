//! What every request handler can reach: the store, the signing key, the configuration.

use crate::{config::Config, signing::Signer, store::Store};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub signer: Arc<Signer>,
    pub config: Arc<Config>,
}
