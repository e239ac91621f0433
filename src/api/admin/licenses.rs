//! `/admin/v1/licenses`: generate, list and filter, ban/unban, delete, export and import.

use super::common::{
    Answer, Ban, Created, Extend, Listing, NoContent, Scoped, created, data, listed, no_content, upload_format,
};
use super::openapi::Errors;
use super::views::{Data, ExportRecord, Generated, ImportReport, License, Page};
use super::{Admin, AdminError, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::{AppId, LicenseId, PlanId, SellerId};
use crate::manage::licenses::{ImportCustomer, ImportDefaults, ImportRecord};
use crate::{
    manage::licenses::{self, Format, GenerateSpec, ListQuery},
    state::AppState,
};
use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/licenses", list)
        .post("/licenses", generate)
        .get("/licenses/export", export)
        .post("/licenses/import", import)
        .get("/licenses/{id}", show)
        .delete("/licenses/{id}", remove)
        .post("/licenses/{id}/ban", ban)
        .post("/licenses/{id}/unban", unban)
        .post("/licenses/{id}/extend", extend)
}

/// Generate up to 100000 keys.
#[utoipa::path(
    operation_id = "licenses_generate",
    post,
    path = "/licenses",
    tag = "licenses",
    params(Scoped),
    request_body = GenerateSpec,
    responses((status = 201, description = "Created", body = Data<Generated>), Errors)
)]
async fn generate(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    Body(spec): Body<GenerateSpec>,
) -> Created<Generated> {
    created(licenses::generate(&s.store, &scope.tenant(q.seller_id)?, spec, &|_| {}).await?)
}

/// List licenses with filters.
#[utoipa::path(
    operation_id = "licenses_list",
    get,
    path = "/licenses",
    tag = "licenses",
    params(ListQuery),
    responses((status = 200, description = "OK", body = Page<License>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ListQuery>,
) -> Listing<License> {
    listed(licenses::list(&s.store, &scope.tenant(q.seller_id)?, &q).await?)
}

/// Show a license.
#[utoipa::path(
    operation_id = "licenses_show",
    get,
    path = "/licenses/{id}",
    tag = "licenses",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<License>), Errors)
)]
async fn show(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<LicenseId>,
) -> Answer<License> {
    data(licenses::get(&s.store, &scope.tenant(q.seller_id)?, id).await?)
}

/// Delete a license.
#[utoipa::path(
    operation_id = "licenses_remove",
    delete,
    path = "/licenses/{id}",
    tag = "licenses",
    params(("id" = i64, Path), Scoped),
    responses((status = 204, description = "Done; no body"), Errors)
)]
async fn remove(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<LicenseId>,
) -> NoContent {
    licenses::delete(&s.store, &scope.tenant(q.seller_id)?, id).await?;
    no_content()
}

/// Extend a license: a running expiry (and the subscription it granted) moves on from itself,
/// or from now once passed; an unused key's duration grows. A lifetime key answers 422.
#[utoipa::path(
    operation_id = "licenses_extend",
    post,
    path = "/licenses/{id}/extend",
    tag = "licenses",
    params(("id" = i64, Path), Scoped),
    request_body = Extend,
    responses((status = 200, description = "OK", body = Data<License>), Errors)
)]
async fn extend(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<LicenseId>,
    Body(b): Body<Extend>,
) -> Answer<License> {
    data(licenses::extend(&s.store, &scope.tenant(q.seller_id)?, id, &b.duration).await?)
}

/// Ban a license.
#[utoipa::path(
    operation_id = "licenses_ban",
    post,
    path = "/licenses/{id}/ban",
    tag = "licenses",
    params(("id" = i64, Path), Scoped),
    request_body = Ban,
    responses((status = 200, description = "OK", body = Data<License>), Errors)
)]
async fn ban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<LicenseId>,
    Body(b): Body<Ban>,
) -> Answer<License> {
    data(licenses::set_ban(&s.store, &scope.tenant(q.seller_id)?, id, Some(&b.reason)).await?)
}

/// Unban a license.
#[utoipa::path(
    operation_id = "licenses_unban",
    post,
    path = "/licenses/{id}/unban",
    tag = "licenses",
    params(("id" = i64, Path), Scoped),
    responses((status = 200, description = "OK", body = Data<License>), Errors)
)]
async fn unban(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<LicenseId>,
) -> Answer<License> {
    data(licenses::set_ban(&s.store, &scope.tenant(q.seller_id)?, id, None).await?)
}

/// `?format=csv` answers `text/csv`; otherwise `{"data": [...]}`.
#[utoipa::path(
    operation_id = "licenses_export",
    get,
    path = "/licenses/export",
    tag = "licenses",
    params(ListQuery),
    responses(
        (status = 200, description = "OK", content(
            (Data<Vec<ExportRecord>> = "application/json"),
            (String = "text/csv", example = "key,app,plan,duration_secs,...")
        )),
        Errors
    )
)]
async fn export(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Response, AdminError> {
    let format = Format::parse(q.format.as_deref().unwrap_or("json"))?;
    let records = licenses::export(&s.store, &scope.tenant(q.seller_id)?, &q).await?;
    Ok(match format {
        Format::Csv => {
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], licenses::to_csv(&records)?).into_response()
        }
        Format::Json => {
            Json(Data { data: records.into_iter().map(ExportRecord::from).collect::<Vec<_>>() }).into_response()
        }
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    #[param(value_type = Option<i64>)]
    seller_id: Option<SellerId>,
    #[param(value_type = i64)]
    app_id: AppId,
    /// Plan (id) of records that name none.
    #[param(value_type = Option<i64>)]
    plan_id: Option<PlanId>,
    /// Buyer (found by email or created) of records that name none; none: the default customer.
    customer_email: Option<String>,
    customer_name: Option<String>,
}

/// The body is CSV when sent as `text/csv`, else JSON (`{"licenses": [...]}` or an array).
#[utoipa::path(
    operation_id = "licenses_import",
    post,
    path = "/licenses/import",
    tag = "licenses",
    params(ImportQuery),
    request_body(content(
        (Vec<ImportRecord> = "application/json"),
        (String = "text/csv", example = "key,plan,duration_secs,expires_at,max_activations,note,customer_email")
    )),
    responses((status = 200, description = "OK", body = Data<ImportReport>), Errors)
)]
async fn import(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<ImportReport> {
    let records = licenses::parse_import(upload_format(&headers), &body)?;
    let customer = ImportCustomer { email: q.customer_email, name: q.customer_name };
    let defaults = ImportDefaults { plan_id: q.plan_id, customer };
    let report = licenses::import(&s.store, &scope.tenant(q.seller_id)?, q.app_id, defaults, records, &|_| {}).await?;
    data(report)
}
