//! The customer panel's face of the shared browser sessions: one base per app
//! (`/customer/{ownerid}/{app id}/`, cookies scoped to it, so a user of two apps has two
//! sessions), open only while the seller has the panel on, with sessions in `customer_sessions`.

use crate::api::panel::{
    PanelError,
    fields::Fields,
    layout,
    session::{Csrf, Face, Live},
};
use crate::domain::ids::{AppId, UserId};
use crate::{
    manage::{
        ManageError,
        customer_panel::{self, Credentials},
    },
    state::AppState,
    store::{apps::App, browser_sessions::SessionTable},
};
use axum::{extract::FromRequestParts, http::request::Parts};
use maud::{Markup, html};

/// The signed-in user of a request, with the app whose panel it is.
#[derive(Debug, Clone)]
pub struct Customer {
    pub app: App,
    /// The panel's prefix, `/customer/{ownerid}/{app id}/`.
    pub base: String,
    pub user_id: UserId,
    pub username: String,
    pub session_id: i64,
    pub csrf: String,
}

impl Csrf for Customer {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Customer {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PanelError> {
        parts.extensions.get::<Customer>().cloned().ok_or(PanelError::Forbidden("Sign in first."))
    }
}

pub struct CustomerFace;

/// An app whose customer panel is open, at its base.
pub struct PanelApp {
    pub app: App,
    pub base: String,
    /// The server sends mail, so buyers can be shown their keys (`keys`).
    pub mails: bool,
}

/// The ownerid and app id a customer panel path starts with.
fn parse_base(path: &str) -> Option<(&str, AppId)> {
    let mut parts = path.strip_prefix("/customer/")?.splitn(3, '/');
    let ownerid =
        parts.next().filter(|o| !o.is_empty() && o.len() <= 64 && o.bytes().all(|b| b.is_ascii_alphanumeric()))?;
    let app_id = parts.next()?.parse::<i64>().ok().filter(|id| *id > 0)?;
    parts.next()?;
    Some((ownerid, AppId::from(app_id)))
}

impl Face for CustomerFace {
    type Who = Customer;
    type Place = PanelApp;
    const COOKIE: &'static str = "licensd_customer";
    const SIGNIN_COOKIE: &'static str = "licensd_customer_signin";
    const BUCKET: &'static str = "customer_signin";
    const WRONG: &'static str = "Wrong username, password, key or authenticator code.";
    const TABLE: SessionTable = SessionTable::Customer;

    fn base(path: &str) -> Option<String> {
        parse_base(path).map(|(ownerid, app_id)| format!("/customer/{ownerid}/{app_id}/"))
    }

    async fn place(state: &AppState, base: &str) -> Result<Option<PanelApp>, PanelError> {
        let Some((ownerid, app_id)) = parse_base(base) else { return Ok(None) };
        let app = state.store.customer_panel_app(ownerid, app_id).await?;
        let mails = state.services.mail.is_some();
        Ok(app.map(|app| PanelApp { app, base: base.to_owned(), mails }))
    }

    async fn session(
        state: &AppState,
        at: &PanelApp,
        digest: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<Live<Customer>>, PanelError> {
        let app = &at.app;
        let Some(s) = state.store.customer_session(app.id, digest, now, idle_since).await? else { return Ok(None) };
        let who = Customer {
            base: at.base.clone(),
            app: app.clone(),
            user_id: s.user_id,
            username: s.username,
            session_id: s.session_id,
            csrf: s.csrf_token,
        };
        Ok(Some(Live { id: s.session_id, last_used_at: s.last_used_at.get(), who }))
    }

    fn principal(at: &PanelApp, form: &Fields) -> String {
        let name = form.get("key").map(str::trim).filter(|k| !k.is_empty()).or(form.get("username"));
        format!("{}:{}", at.app.id, name.unwrap_or("").trim().to_lowercase())
    }

    async fn open(state: &AppState, at: &PanelApp, form: &Fields) -> Result<String, ManageError> {
        let creds = Credentials {
            username: form.get("username").unwrap_or(""),
            password: form.get("password").unwrap_or(""),
            key: form.get("key").unwrap_or(""),
            code: form.get("code").unwrap_or(""),
        };
        let max_secs = state.config.panel_session_max_secs;
        customer_panel::sign_in(&state.store, &state.services.passwords, &at.app, &creds, max_secs).await
    }

    fn sign_in_page(at: &PanelApp, base: &str, token: &str, error: Option<&str>) -> Markup {
        let action = format!("{base}signin");
        let code = |id: &str| {
            html! {
                label for=(id) { "Authenticator code (if you turned 2FA on)" }
                input id=(id) type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6";
            }
        };
        let with_password = html! {
            label for="username" { "Username" }
            input #username type="text" name="username" autocomplete="username" required autofocus;
            label for="password" { "Password" }
            input #password type="password" name="password" autocomplete="current-password" required;
            (code("code"))
        };
        let with_key = html! {
            label for="key" { "License key" }
            input #key type="text" name="key" autocomplete="off" required;
            (code("key-code"))
        };
        let forms = html! {
            (layout::sign_in_fields(&action, token, with_password, "Sign in"))
            h2 { "Or with your license key" }
            (layout::sign_in_fields(&action, token, with_key, "Sign in with key"))
            @if at.mails { p { "Bought a key and lost it? " a href=(format!("{base}keys")) { "See the keys you bought" } } }
        };
        layout::sign_in_shell(&format!("{}: your account", at.app.name), error, forms)
    }
}
