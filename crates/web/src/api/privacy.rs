//! The customer's PIPL rights: `GET /api/v1/customers/{id}/personal-data` (a copy of
//! everything held about them, art. 45) and `POST /api/v1/customers/{id}/erasure` (art. 47).

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::customers::privacy;
use serde::Deserialize;
use uuid::Uuid;

use super::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/{id}/personal-data", get(personal_data))
        .route("/api/v1/customers/{id}/erasure", post(erasure))
}

/// The customer's copy as a file download.
pub fn personal_data_file(customer_id: Uuid, document: &serde_json::Value) -> Response {
    let body = serde_json::to_vec_pretty(document).unwrap_or_default();
    (
        [
            (CONTENT_TYPE, "application/json".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=customer-{customer_id}.json"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Everything held about one customer (PIPL art. 45), as a JSON file: the record, family,
/// cars with mileage and owners, sales, service, care, surveys, complaints, messages, timeline
/// and audit rows. The ID number is in clear only for roles that may reveal it (and that read
/// is audited); the export itself is audited.
#[utoipa::path(get, path = "/api/v1/customers/{id}/personal-data", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, description = "JSON file (`customer-<id>.json`)", content_type = "application/json"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn personal_data(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let actor = caller.require(Permission::PersonalDataExport)?;
    let document = privacy::export(&state.db, actor, id).await?;
    Ok(personal_data_file(id, &document))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// Why, as the customer asked it (kept in the audit log).
    pub reason: String,
}

/// Erases the customer's personal data on their request (PIPL art. 47): the record stays,
/// anonymous, with its cars and service history; it is no longer found by search, list,
/// export or read (404). The request and its completion are audited.
#[utoipa::path(post, path = "/api/v1/customers/{id}/erasure", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ErasureRequest,
    responses((status = 200, body = privacy::Erased), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn erasure(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ErasureRequest>,
) -> ApiResult<Json<privacy::Erased>> {
    let actor = caller.require(Permission::CustomerDelete)?;
    Ok(Json(
        privacy::erase(&state.db, actor, id, &request.reason).await?,
    ))
}
