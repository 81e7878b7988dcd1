//! Stock-takes: start a count (whole store or one area), enter counts, approve the variances.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::parts::entities::stock_take;
use fours_store::parts::takes::{self, CountInput, StockTakeInput, TakeDetail};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/stock-takes", get(list).post(start))
        .route("/api/v1/stock-takes/{id}", get(show))
        .route("/api/v1/stock-takes/{id}/counts", post(count))
        .route("/api/v1/stock-takes/{id}/decision", post(decide))
}

#[utoipa::path(get, path = "/api/v1/stock-takes", tag = "parts", security(("bearer" = [])),
    responses((status = 200, body = Vec<stock_take::Model>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<stock_take::Model>>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(takes::list(&state.db.conn, actor).await?))
}

#[utoipa::path(post, path = "/api/v1/stock-takes", tag = "parts", security(("bearer" = [])), request_body = StockTakeInput,
    responses((status = 201, body = TakeDetail), (status = 422, body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<StockTakeInput>,
) -> ApiResult<(StatusCode, Json<TakeDetail>)> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok((
        StatusCode::CREATED,
        Json(takes::create(&state.db, actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/stock-takes/{id}", tag = "parts", security(("bearer" = [])),
    responses((status = 200, body = TakeDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TakeDetail>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(takes::detail(&state.db.conn, actor, id).await?))
}

#[utoipa::path(post, path = "/api/v1/stock-takes/{id}/counts", tag = "parts", security(("bearer" = [])), request_body = CountInput,
    responses((status = 200, body = TakeDetail), (status = 422, body = ErrorBody)))]
pub async fn count(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CountInput>,
) -> ApiResult<Json<TakeDetail>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(takes::count(&state.db, actor, id, &input).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = StockTakeDecisionInput)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub approve: bool,
}

#[utoipa::path(post, path = "/api/v1/stock-takes/{id}/decision", tag = "parts", security(("bearer" = [])), request_body = DecisionInput,
    responses((status = 200, body = TakeDetail), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<TakeDetail>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(
        takes::decide(&state.db, actor, id, input.approve).await?,
    ))
}
