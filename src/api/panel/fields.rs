//! Form and query input: name/value pairs read whole (the body limit bounds them), so a missing
//! or malformed field becomes a page naming the field with a 422, never a framework rejection.

use super::PanelError;
use crate::{domain::validate, state::AppState};
use axum::{
    body::to_bytes,
    extract::{FromRequest, FromRequestParts, RawPathParams, Request},
    http::{Method, request::Parts},
};
use std::collections::HashMap;

/// A GET's query string or a POST's `application/x-www-form-urlencoded` body.
#[derive(Debug, Default)]
pub struct Fields(HashMap<String, String>);

impl FromRequest<AppState> for Fields {
    type Rejection = PanelError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PanelError> {
        if req.method() == Method::GET {
            return Ok(Self::parse(req.uri().query().unwrap_or("").as_bytes()));
        }
        let bytes = to_bytes(req.into_body(), state.config.max_body_bytes)
            .await
            .map_err(|_| PanelError::invalid("form", "cannot be read"))?;
        Ok(Self::parse(&bytes))
    }
}

impl Fields {
    pub fn parse(bytes: &[u8]) -> Self {
        Self(form_urlencoded::parse(bytes).into_owned().collect())
    }

    /// The field's value, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A trimmed text field of at most `max` characters; `None` when absent or empty.
    pub fn text(&self, name: &'static str, max: usize) -> Result<Option<String>, PanelError> {
        match self.get(name).map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Ok(Some(validate::bounded(name, v, max).map_err(crate::manage::ManageError::from)?)),
            None => Ok(None),
        }
    }

    pub fn required(&self, name: &'static str, max: usize) -> Result<String, PanelError> {
        self.text(name, max)?.ok_or_else(|| PanelError::invalid(name, "is required"))
    }

    /// A whole number; `None` when absent or empty.
    pub fn number(&self, name: &'static str) -> Result<Option<i64>, PanelError> {
        self.get(name)
            .map(|v| v.trim().parse::<i64>().map_err(|_| PanelError::invalid(name, "must be a whole number")))
            .transpose()
    }

    /// A checkbox: sent (with any value) when ticked, absent when not.
    pub fn checked(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// The numeric ids in a route's path (`/panel/apps/{app}/users/{id}`), in order; a path
/// segment that is not a number names nothing, so it answers like a missing object.
#[derive(Debug)]
pub struct Ids(pub Vec<i64>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PanelError> {
        let not_found = || PanelError::Manage(crate::manage::ManageError::NotFound("page"));
        let raw = RawPathParams::from_request_parts(parts, state).await.map_err(|_| not_found())?;
        raw.iter().map(|(_, v)| v.parse::<i64>().map_err(|_| not_found())).collect::<Result<_, _>>().map(Self)
    }
}

impl Ids {
    /// The last id (the object a route acts on), as the id type of that object.
    pub fn last<T: From<i64>>(&self) -> T {
        T::from(self.0.last().copied().unwrap_or_default())
    }

    /// The first id (the app of a user route).
    pub fn first<T: From<i64>>(&self) -> T {
        T::from(self.0.first().copied().unwrap_or_default())
    }
}
