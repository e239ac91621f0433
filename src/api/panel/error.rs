//! The panel's errors as HTML pages with a 4xx (or 5xx for the server's own faults): bad input
//! names the field and what is wrong with it; nothing else about the server is shown.

use super::{layout, session::Face};
use crate::{api::middleware::Refused, manage::ManageError, state::AppState, store::StoreError};
use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};

#[derive(Debug)]
pub enum PanelError {
    Manage(ManageError),
    /// A POST without the session's CSRF token, or a role that may not do this.
    Forbidden(&'static str),
    /// Too many failed sign-ins; try again after the window.
    TooManyAttempts,
    Status(StatusCode, String),
}

impl From<ManageError> for PanelError {
    fn from(e: ManageError) -> Self {
        Self::Manage(e)
    }
}

impl From<StoreError> for PanelError {
    fn from(e: StoreError) -> Self {
        Self::Manage(ManageError::Store(e))
    }
}

impl PanelError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Manage(ManageError::invalid(field, message))
    }

    fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, (*why).to_owned()),
            Self::TooManyAttempts => {
                (StatusCode::TOO_MANY_REQUESTS, "Too many failed sign-ins. Wait a minute and try again.".into())
            }
            Self::Status(status, message) => (*status, message.clone()),
            Self::Manage(e) => match e {
                ManageError::NotFound(what) => (StatusCode::NOT_FOUND, format!("No such {what}.")),
                ManageError::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, format!("{}: {}", f.field, f.message)),
                ManageError::Conflict { message, .. } => (StatusCode::CONFLICT, message.clone()),
                ManageError::Forbidden => (StatusCode::FORBIDDEN, "Your account may not do this.".into()),
                ManageError::Store(err) if err.is_unavailable() => {
                    tracing::error!(error = %err, "panel: database unavailable, answering 503");
                    (StatusCode::SERVICE_UNAVAILABLE, "The database cannot serve right now; try again later.".into())
                }
                ManageError::Store(err) => {
                    tracing::error!(error = %err, "panel: storage failure");
                    (StatusCode::INTERNAL_SERVER_ERROR, "Internal error.".into())
                }
            },
        }
    }
}

/// An error page's text, kept on the response so that another face's layer (`rehome`) can
/// render it again with its own start page.
#[derive(Debug, Clone)]
struct Shown {
    title: &'static str,
    message: String,
}

impl IntoResponse for PanelError {
    fn into_response(self) -> Response {
        self.page("/panel/")
    }
}

impl PanelError {
    /// The error as a page whose link leads to `home`, a face's start page.
    fn page(self, home: &str) -> Response {
        let (status, message) = self.status_and_message();
        let title = status.canonical_reason().unwrap_or("Error");
        let mut res = (status, layout::message_page(title, &message, home)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(StoreError::RETRY_AFTER_SECS));
        }
        res.extensions_mut().insert(Shown { title, message });
        res
    }
}

/// Error pages of face `F` link back to its own start page, not the seller panel's.
pub async fn rehome<F: Face>(req: Request, next: Next) -> Response {
    let home = home::<F>(req.uri().path());
    let mut res = next.run(req).await;
    if let Some(shown) = res.extensions_mut().remove::<Shown>() {
        *res.body_mut() = Body::from(layout::message_page(shown.title, &shown.message, &home).into_string());
    }
    res
}

/// The start page of face `F` that `path` lies under (the site's root when it names none).
fn home<F: Face>(path: &str) -> String {
    F::base(path).unwrap_or_else(|| "/".into())
}

pub async fn not_found() -> PanelError {
    PanelError::Status(StatusCode::NOT_FOUND, "There is no such page.".into())
}

/// A body refused by the size or time limit, as a page of face `F`. The limit wraps the face's
/// router from outside, so `rehome` never sees this answer: it names its home itself.
pub fn refuse_body<F: Face>(_: &AppState, parts: &Parts, why: Refused) -> Response {
    match why {
        Refused::TooLarge => PanelError::Status(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.".into()),
        Refused::TimedOut => {
            PanelError::Status(StatusCode::REQUEST_TIMEOUT, "The form took too long to arrive.".into())
        }
    }
    .page(&home::<F>(parts.uri.path()))
}
