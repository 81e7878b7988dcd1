//! The parts reports: overview (stock value, turns, fill rate, ABC, slow movers, monthly
//! issues), dead stock, and the first-time fill rate.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::parts::reports::{self, DeadStock, FillRate, PartsOverview, ReportQuery};

use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/parts", get(overview))
        .route("/api/v1/reports/parts/dead-stock", get(dead_stock))
        .route("/api/v1/reports/parts/fill-rate", get(fill_rate))
}

#[utoipa::path(get, path = "/api/v1/reports/parts", tag = "parts", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = PartsOverview), (status = 422, body = ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<PartsOverview>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(
        reports::overview(&state.db.conn, actor, &query).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/reports/parts/dead-stock", tag = "parts", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = DeadStock), (status = 422, body = ErrorBody)))]
pub async fn dead_stock(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<DeadStock>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(
        reports::dead_stock(&state.db.conn, actor, &query).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/reports/parts/fill-rate", tag = "parts", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = FillRate), (status = 422, body = ErrorBody)))]
pub async fn fill_rate(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<FillRate>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(
        reports::fill_rate(&state.db.conn, actor, &query).await?,
    ))
}
