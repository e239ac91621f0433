//! The panel's pages, one module per area. Each handler parses its fields, calls one `manage`
//! operation as the signed-in account, and renders a page or redirects (POST/redirect/GET).

pub mod apps;
pub mod audit;
pub mod license_csv;
pub mod licenses;
pub mod overview;
pub mod users;
pub mod webhooks;

use crate::manage::{PageRequest, Scope, apps as manage_apps};
use crate::state::AppState;
use crate::store::apps::App;

/// Every app of the account's seller (a seller has a handful: read whole).
async fn all_apps(state: &AppState, scope: &Scope) -> Result<Vec<App>, super::PanelError> {
    let all = PageRequest::new(Some(crate::store::Page::MAX_LIMIT), None);
    Ok(manage_apps::list(&state.store, scope, None, all).await?.data)
}
