//! The admin API's OpenAPI 3.1 document, derived from the wire types (`views`), the inputs
//! and the `#[utoipa::path]` of every handler. Served at `/admin/v1/openapi.json`; the
//! committed copy is `docs/admin-openapi.json` (a test fails when the two differ, and
//! `UPDATE_OPENAPI=1` rewrites the copy).

use super::error::ErrorBody;
use super::{
    apps, audit, client_content, client_data, client_tokens, customers, event_webhooks, imports, licenses, offline,
    overview, resellers, sellers, store_connections, tokens, users,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

/// The error answers most routes can give (each in the `ErrorBody` envelope).
#[derive(IntoResponses)]
#[allow(dead_code)] // only its derived documentation is used
pub enum Errors {
    /// A path, query string or body that does not parse (`invalid_request`), or an unknown
    /// query parameter.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// A missing or unknown bearer token, or a store token (`unauthorized`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No such resource, or one of another seller (`not_found`).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A field out of bounds, or `seller_id` missing with an operator token (`invalid`, with `field`).
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// The database cannot store anything right now (`unavailable`); try again later.
    #[response(status = 503, headers(("Retry-After" = u64, description = "seconds to wait")))]
    Unavailable(ErrorBody),
}

/// A unique name or value already taken (`conflict`, with `field`).
#[derive(IntoResponses)]
#[response(status = 409)]
#[allow(dead_code)]
pub struct Conflict(ErrorBody);

/// The operation needs an operator token (`forbidden`).
#[derive(IntoResponses)]
#[response(status = 403)]
#[allow(dead_code)]
pub struct Forbidden(ErrorBody);

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("an operator or seller token (`licensd token create`)"))
            .build();
        doc.components.get_or_insert_with(Default::default).add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "licensd admin API",
        version = "1",
        description = "The seller's tools over HTTP. Bearer tokens: an operator token manages every seller and \
            names the seller with `seller_id` on per-seller routes; a seller token sees only its own data \
            (another seller's ids answer 404 like missing ones). Errors: `{\"error\": {\"code\", \"message\", \
            \"field\"?}}`. Lists: `{\"data\": [...], \"meta\": {\"page\", \"limit\", \"total\"}}`, limit at most 500. \
            Times are unix milliseconds."
    ),
    paths(
        super::serve_openapi,
        sellers::list,
        sellers::create,
        sellers::show,
        sellers::remove,
        tokens::list,
        tokens::create,
        tokens::revoke,
        apps::list,
        apps::create,
        apps::show,
        apps::update,
        apps::remove,
        apps::rotate_secret,
        apps::show_plan,
        apps::update_plan,
        apps::list_plans,
        apps::create_plan,
        apps::remove_plan,
        users::list,
        users::show,
        users::remove,
        users::reset_hwid,
        users::web_token,
        users::ban,
        users::unban,
        users::extend,
        licenses::list,
        licenses::generate,
        licenses::export,
        licenses::import,
        licenses::show,
        licenses::remove,
        licenses::ban,
        licenses::unban,
        licenses::extend,
        customers::list,
        offline::checkout,
        resellers::list,
        resellers::create,
        resellers::show,
        resellers::update,
        resellers::remove,
        resellers::list_keys,
        resellers::create_key,
        resellers::revoke_key,
        resellers::list_stock,
        resellers::add_stock,
        resellers::set_login,
        resellers::remove_login,
        audit::list,
        overview::show,
        client_data::list_vars,
        client_data::set_var,
        client_data::delete_var,
        client_data::list_user_vars,
        client_data::set_user_var,
        client_data::delete_user_var,
        client_data::end_user_sessions,
        client_data::list_blacklist,
        client_data::add_blacklist,
        client_data::remove_blacklist,
        client_data::list_sessions,
        client_data::end_session,
        client_data::list_logs,
        client_tokens::list,
        client_tokens::create,
        client_tokens::ban,
        client_tokens::unban,
        client_tokens::reset_hash,
        client_tokens::delete,
        client_content::list_webhooks,
        client_content::create_webhook,
        client_content::delete_webhook,
        client_content::list_files,
        client_content::upload_json,
        client_content::upload_raw,
        client_content::delete_file,
        client_content::list_channels,
        client_content::create_channel,
        client_content::delete_channel,
        client_content::list_messages,
        client_content::delete_message,
        client_content::list_mutes,
        client_content::mute,
        client_content::unmute,
        event_webhooks::list,
        event_webhooks::create,
        event_webhooks::show,
        event_webhooks::update,
        event_webhooks::remove,
        event_webhooks::deliveries,
        event_webhooks::redeliver_one,
        event_webhooks::redeliver_failed,
        store_connections::create,
        store_connections::list,
        store_connections::remove,
        imports::upload_users,
        imports::upload_keys,
        imports::upload_tokens,
        imports::list,
        imports::show
    ),
    components(schemas(ErrorBody)),
    modifiers(&Bearer),
    security(("bearer" = []))
)]
struct AdminApi;

/// The document, with every path under `/admin/v1` as the router nests them.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = AdminApi::openapi();
    let paths = std::mem::take(&mut doc.paths.paths);
    doc.paths.paths = paths.into_iter().map(|(path, item)| (format!("/admin/v1{path}"), item)).collect();
    doc
}
