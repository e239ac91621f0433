//! A router builder that remembers every (method, path) it registers, so the OpenAPI document
//! can be checked against the routes the server really serves.

use crate::state::AppState;
use axum::{
    Router,
    handler::Handler,
    routing::{MethodFilter, on},
};

pub struct Routes {
    pub router: Router<AppState>,
    pub table: Vec<(&'static str, &'static str)>,
}

impl Routes {
    pub fn new() -> Self {
        Self { router: Router::new(), table: Vec::new() }
    }

    fn add<H, T>(mut self, method: &'static str, filter: MethodFilter, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, on(filter, handler));
        self.table.push((method, path));
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("get", MethodFilter::GET, path, h)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("post", MethodFilter::POST, path, h)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("put", MethodFilter::PUT, path, h)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("patch", MethodFilter::PATCH, path, h)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add("delete", MethodFilter::DELETE, path, h)
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }
}
