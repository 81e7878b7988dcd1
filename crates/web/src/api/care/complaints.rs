//! Complaints (投诉): intake from any channel, the list with SLA flags, a complaint with its
//! history, the owner's steps (respond, analyse with the five gaps, resolve, close on the
//! customer's confirmation, reopen), changes of owner, category and severity, and the KPIs.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use fours_domain::access::Permission;
use fours_store::care::complaints::{
    self, ComplaintChange, ComplaintDetail, ComplaintFilter, ComplaintInput, ComplaintKpis,
    ComplaintView, KpiQuery, StepInput,
};
use fours_store::care::feedback::complaint;
use utoipa::OpenApi;
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints", get(list).post(intake))
        .route("/api/v1/complaints/{id}", get(show).patch(change))
        .route("/api/v1/complaints/{id}/steps", post(step))
        .route("/api/v1/reports/complaints", get(kpis))
}

#[utoipa::path(get, path = "/api/v1/complaints", tag = "care", security(("bearer" = [])), params(ComplaintFilter),
    responses((status = 200, body = Vec<ComplaintView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<ComplaintFilter>,
) -> ApiResult<Json<Vec<ComplaintView>>> {
    let actor = caller.require(Permission::CareWork)?;
    Ok(Json(
        complaints::list(&state.db.conn, actor, &filter, Utc::now()).await?,
    ))
}

/// Takes a complaint: its deadlines follow from the severity (critical 2 h / 24 h, high
/// 4 h / 48 h, medium 24 h / 72 h, low 48 h / 7 days).
#[utoipa::path(post, path = "/api/v1/complaints", tag = "care", security(("bearer" = [])), request_body = ComplaintInput,
    responses((status = 201, body = complaint::Model), (status = 422, body = ErrorBody)))]
pub async fn intake(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ComplaintInput>,
) -> ApiResult<(StatusCode, Json<complaint::Model>)> {
    let actor = caller.require(Permission::CareWork)?;
    Ok((
        StatusCode::CREATED,
        Json(complaints::intake(&state.db, actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = ComplaintDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ComplaintDetail>> {
    let actor = caller.require(Permission::CareWork)?;
    Ok(Json(
        complaints::detail(&state.db.conn, actor, id, Utc::now()).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/complaints/{id}", tag = "care", security(("bearer" = [])), request_body = ComplaintChange,
    responses((status = 200, body = complaint::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ComplaintChange>,
) -> ApiResult<Json<complaint::Model>> {
    let actor = caller.require(Permission::CareManage)?;
    Ok(Json(
        complaints::change(&state.db, actor, id, &input).await?,
    ))
}

/// One step of the owner: `respond`, `analyse` (gaps and cause), `resolve` (resolution),
/// `close` (`customer_confirmed: true`) or `reopen`.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/steps", tag = "care", security(("bearer" = [])), request_body = StepInput,
    responses((status = 200, body = complaint::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<StepInput>,
) -> ApiResult<Json<complaint::Model>> {
    let actor = caller.require(Permission::CareManage)?;
    Ok(Json(complaints::step(&state.db, actor, id, &input).await?))
}

/// Complaint KPIs of the complaints opened in a period: two-week close rate, response and
/// resolution hours, reopened, escalated, recovery, by category and store.
#[utoipa::path(get, path = "/api/v1/reports/complaints", tag = "care", security(("bearer" = [])), params(KpiQuery),
    responses((status = 200, body = ComplaintKpis), (status = 422, body = ErrorBody)))]
pub async fn kpis(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<KpiQuery>,
) -> ApiResult<Json<ComplaintKpis>> {
    let actor = caller.require(Permission::CareManage)?;
    Ok(Json(
        complaints::kpis(&state.db.conn, actor, &query, Utc::now()).await?,
    ))
}

/// Surveys and complaints.
#[derive(OpenApi)]
#[openapi(paths(
    super::surveys::list_templates,
    super::surveys::create_template,
    super::surveys::show_template,
    super::surveys::update_template,
    super::surveys::list_responses,
    super::surveys::record_response,
    super::surveys::show_response,
    super::surveys::send_link,
    super::surveys::report,
    super::surveys::linked,
    super::surveys::answer_link,
    list,
    intake,
    show,
    change,
    step,
    kpis,
))]
pub struct FeedbackDoc;
