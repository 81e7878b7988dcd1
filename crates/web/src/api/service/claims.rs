//! Warranty claims (索赔) and the commission accepted claims earn.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use fours_domain::access::Permission;
use fours_store::service::claims::{self, ClaimFilter, ClaimInput, ClaimStep, CommissionLine};
use fours_store::service::entities::warranty_claim;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/warranty-claims", get(list).post(create))
        .route("/api/v1/warranty-claims/commissions", get(commissions))
        .route("/api/v1/warranty-claims/{id}", get(show))
        .route("/api/v1/warranty-claims/{id}/status", post(advance))
}

/// A claim for an order's approved warranty lines; its amount is what the maker owes for them.
#[utoipa::path(post, path = "/api/v1/warranty-claims", tag = "service", security(("bearer" = [])), request_body = ClaimInput,
    responses((status = 201, body = warranty_claim::Model), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ClaimInput>,
) -> ApiResult<(StatusCode, Json<warranty_claim::Model>)> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    Ok((
        StatusCode::CREATED,
        Json(claims::create(&state.db, actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/warranty-claims", tag = "service", security(("bearer" = [])), params(ClaimFilter),
    responses((status = 200, body = Vec<warranty_claim::Model>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<ClaimFilter>,
) -> ApiResult<Json<Vec<warranty_claim::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(claims::list(&state.db.conn, actor, &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/warranty-claims/{id}", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = warranty_claim::Model), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<warranty_claim::Model>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(claims::get(&state.db.conn, actor, id).await?))
}

/// Submitted, approved, rejected (with the maker's reason), revised as a draft, or paid.
#[utoipa::path(post, path = "/api/v1/warranty-claims/{id}/status", tag = "service", security(("bearer" = [])), request_body = ClaimStep,
    responses((status = 200, body = warranty_claim::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn advance(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(step): ApiJson<ClaimStep>,
) -> ApiResult<Json<warranty_claim::Model>> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    Ok(Json(claims::advance(&state.db, actor, id, &step).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PeriodParams {
    /// First store day (default: the first of this month).
    pub from: Option<NaiveDate>,
    /// Last store day, included (default: today).
    pub to: Option<NaiveDate>,
}

/// Accepted claim value per advisor in the period (by the maker's decision day) and the
/// commission on value-added claims: 4% to the advisor, 3% to each supervisor.
#[utoipa::path(get, path = "/api/v1/warranty-claims/commissions", tag = "service", security(("bearer" = [])), params(PeriodParams),
    responses((status = 200, body = Vec<CommissionLine>), (status = 422, body = ErrorBody)))]
pub async fn commissions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<PeriodParams>,
) -> ApiResult<Json<Vec<CommissionLine>>> {
    let actor = caller.require(Permission::ServiceReport)?;
    let period = crate::api::report_period(&state, actor, params.from, params.to).await?;
    Ok(Json(
        claims::commissions(&state.db.conn, actor, period.from, period.to).await?,
    ))
}
