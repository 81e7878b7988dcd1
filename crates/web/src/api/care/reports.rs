//! The care report: follow-up coverage, tasks on time per person, message delivery.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_store::care::reports::{self, CareReport};
use serde::Deserialize;

use crate::AppState;
use crate::api::{ApiQuery, report_period};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/care", get(care_report))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// First store day (default: the first of this month).
    pub from: Option<NaiveDate>,
    /// Last store day, included (default: today).
    pub to: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/reports/care", tag = "care", security(("bearer" = [])), params(PeriodQuery),
    responses((status = 200, body = CareReport), (status = 422, body = ErrorBody)))]
pub async fn care_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<CareReport>> {
    let actor = caller.require(Permission::CareManage)?;
    let period = report_period(&state, actor, query.from, query.to).await?;
    Ok(Json(
        reports::care_report(&state.db.conn, actor, period, Utc::now()).await?,
    ))
}
