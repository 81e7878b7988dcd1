//! `/api/v1/showroom-visits`: the receptionist's log of visits and calls, and the live board.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_store::sales::entities::showroom_visit;
use fours_store::sales::visits::{self, VisitInput};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::models;
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/showroom-visits", get(list).post(create))
        .route("/api/v1/showroom-visits/board", get(board))
        .route("/api/v1/showroom-visits/{id}/departure", post(depart))
        .route("/api/v1/showroom-visits/{id}/customer", post(link))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitOut {
    pub id: Uuid,
    pub store_id: Uuid,
    /// `walk_in`, `phone`, `online`, `event` or `referral`.
    pub channel: String,
    pub arrived_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    /// Minutes in the showroom (so far, while still there).
    pub minutes: i64,
    pub party_size: i32,
    pub first_visit: bool,
    pub models_of_interest: Vec<String>,
    pub consultant_id: Option<Uuid>,
    /// Empty for an anonymous visitor until linked.
    pub customer_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub visitor: Option<String>,
    pub notes: Option<String>,
}

pub fn visit_out(visit: showroom_visit::Model, now: DateTime<Utc>) -> VisitOut {
    VisitOut {
        minutes: (visit.left_at.unwrap_or(now) - visit.arrived_at)
            .num_minutes()
            .max(0),
        id: visit.id,
        store_id: visit.store_id,
        channel: visit.channel,
        arrived_at: visit.arrived_at,
        left_at: visit.left_at,
        party_size: visit.party_size,
        first_visit: visit.first_visit,
        models_of_interest: models(&visit.models_of_interest),
        consultant_id: visit.consultant_id,
        customer_id: visit.customer_id,
        lead_id: visit.lead_id,
        visitor: visit.visitor,
        notes: visit.notes,
    }
}

fn all_out(found: Vec<showroom_visit::Model>) -> Vec<VisitOut> {
    let now = Utc::now();
    found.into_iter().map(|v| visit_out(v, now)).collect()
}

/// Logs a visit or inbound call. With a mobile and a consultant the visitor's lead is found
/// or created (留档); without a mobile the visit stays anonymous until linked.
#[utoipa::path(post, path = "/api/v1/showroom-visits", tag = "sales", security(("bearer" = [])), request_body = VisitInput,
    responses((status = 201, body = VisitOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<VisitInput>,
) -> ApiResult<(StatusCode, Json<VisitOut>)> {
    let actor = caller.require(Permission::ShowroomLog)?;
    let visit = visits::log(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(visit_out(visit, Utc::now()))))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct VisitListParams {
    /// Visits that arrived from this day on (store time, `YYYY-MM-DD`); default today.
    pub since: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/showroom-visits", tag = "sales", security(("bearer" = [])), params(VisitListParams),
    responses((status = 200, body = Vec<VisitOut>), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<VisitListParams>,
) -> ApiResult<Json<Vec<VisitOut>>> {
    let actor = caller.require(Permission::ShowroomLog)?;
    let (_, since) = super::leads::store_day(&state, actor, params.since).await;
    Ok(Json(all_out(
        visits::since(&state.db.conn, actor, since).await?,
    )))
}

/// Who is in the showroom now, with whom, for how long.
#[utoipa::path(get, path = "/api/v1/showroom-visits/board", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<VisitOut>), (status = 403, body = ErrorBody)))]
async fn board(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<VisitOut>>> {
    let actor = caller.require(Permission::ShowroomLog)?;
    Ok(Json(all_out(
        visits::in_showroom(&state.db.conn, actor, Utc::now()).await?,
    )))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DepartureInput {
    /// Defaults to now.
    pub left_at: Option<DateTime<Utc>>,
}

#[utoipa::path(post, path = "/api/v1/showroom-visits/{id}/departure", tag = "sales", security(("bearer" = [])), request_body = DepartureInput,
    responses((status = 200, body = VisitOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn depart(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DepartureInput>,
) -> ApiResult<Json<VisitOut>> {
    let actor = caller.require(Permission::ShowroomLog)?;
    let visit = visits::depart(&state.db, actor, id, input.left_at).await?;
    Ok(Json(visit_out(visit, Utc::now())))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = VisitLinkInput)]
pub struct LinkInput {
    pub customer_id: Uuid,
}

/// Links an anonymous visit to the customer it turned out to be.
#[utoipa::path(post, path = "/api/v1/showroom-visits/{id}/customer", tag = "sales", security(("bearer" = [])), request_body = LinkInput,
    responses((status = 200, body = VisitOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn link(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<Json<VisitOut>> {
    let actor = caller.require(Permission::ShowroomLog)?;
    let visit = visits::link_customer(&state.db, actor, id, input.customer_id).await?;
    Ok(Json(visit_out(visit, Utc::now())))
}
