//! The dashboard's face of the shared browser sessions: its cookies, its sign-in page, and its
//! sessions in `reseller_sessions`, each of one reseller's sign-in.

use crate::api::panel::{
    PanelError,
    fields::Fields,
    layout,
    session::{Csrf, Face, Live, form_email},
};
use crate::{
    manage::{ManageError, Tenant, reseller_dashboard},
    state::AppState,
    store::{browser_sessions::SessionTable, reseller_accounts::ResellerAccount},
};
use axum::{extract::FromRequestParts, http::request::Parts};
use maud::{Markup, html};

/// The signed-in reseller of a request.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub account: ResellerAccount,
    pub csrf: String,
    /// Whom the operations act for: the reseller's seller, audited as `reseller:<reseller id>`.
    pub tenant: Tenant,
}

impl Csrf for Dashboard {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Dashboard {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PanelError> {
        parts.extensions.get::<Dashboard>().cloned().ok_or(PanelError::Forbidden("Sign in first."))
    }
}

pub struct DashFace;

/// The dashboard's start page, the prefix of all its pages.
const HOME: &str = "/reseller/dashboard/";

impl Face for DashFace {
    type Who = Dashboard;
    type Place = ();
    const COOKIE: &'static str = "licensd_dash";
    const SIGNIN_COOKIE: &'static str = "licensd_dash_signin";
    const BUCKET: &'static str = "dash_signin";
    const WRONG: &'static str = "Wrong email or password.";
    const TABLE: SessionTable = SessionTable::Reseller;

    fn base(_: &str) -> Option<String> {
        Some(HOME.into())
    }

    async fn place(_: &AppState, _: &str) -> Result<Option<()>, PanelError> {
        Ok(Some(()))
    }

    async fn session(
        state: &AppState,
        _: &(),
        digest: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<Live<Dashboard>>, PanelError> {
        let Some(s) = state.store.reseller_session(digest, now, idle_since).await? else { return Ok(None) };
        let tenant = reseller_dashboard::reseller_tenant(&s.account);
        let who = Dashboard { account: s.account, csrf: s.csrf_token, tenant };
        Ok(Some(Live { id: s.session_id, last_used_at: s.last_used_at.get(), who }))
    }

    fn principal(_: &(), form: &Fields) -> String {
        form_email(form)
    }

    async fn open(state: &AppState, _: &(), form: &Fields) -> Result<String, ManageError> {
        let password = form.get("password").unwrap_or("");
        let max_secs = state.config.panel_session_max_secs;
        let signed_in =
            reseller_dashboard::sign_in(&state.store, &state.services.passwords, &form_email(form), password, max_secs)
                .await?;
        Ok(signed_in.cookie)
    }

    fn sign_in_page(_: &(), base: &str, token: &str, error: Option<&str>) -> Markup {
        layout::sign_in_form("Reseller dashboard", &format!("{base}signin"), token, error, html! {})
    }
}

/// The dashboard's navigation.
const NAV: [(&str, &str); 3] = [
    ("/reseller/dashboard/", "Stock"),
    ("/reseller/dashboard/assignments", "Assignments"),
    ("/reseller/dashboard/settings", "Settings"),
];

/// A signed-in dashboard page.
pub fn page(dash: &Dashboard, current: &str, title: &str, notice: Option<&str>, content: Markup) -> Markup {
    let chrome = layout::Chrome {
        nav: &NAV,
        sign_out: "/reseller/dashboard/signout",
        who: format!("{} ({})", dash.account.reseller_name, dash.account.email),
    };
    layout::shell(&chrome, dash, current, title, notice, content)
}
