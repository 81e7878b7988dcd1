//! Care plans and their rules, the store's care settings, and running the date rules now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use chrono::Utc;
use fours_domain::access::Permission;
use fours_store::care::care_store;
use fours_store::care::entities::{care_plan, care_rule};
use fours_store::care::generate::{self, RunReport};
use fours_store::care::plans::{self, PlanInput, PlanView, RuleInput};
use fours_store::care::policy::{self, CarePolicy};
use uuid::Uuid;

use crate::AppState;
use crate::api::service::setup::StoreParam;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/care-plans", get(list))
        .route("/api/v1/care-plans/{id}", patch(update_plan))
        .route("/api/v1/care-plans/{id}/rules", post(add_rule))
        .route("/api/v1/care-rules/{id}", put(update_rule))
        .route("/api/v1/care-policy", get(show_policy).put(set_policy))
        .route("/api/v1/care-runs", post(run_now))
}

#[utoipa::path(get, path = "/api/v1/care-plans", tag = "care", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = Vec<PlanView>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<Vec<PlanView>>> {
    let actor = caller.require(Permission::CareManage)?;
    let store_id = care_store(&state.db.conn, actor, params.store_id).await?;
    Ok(Json(plans::list(&state.db, actor, store_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/care-plans/{id}", tag = "care", security(("bearer" = [])), request_body = PlanInput,
    responses((status = 200, body = care_plan::Model), (status = 404, body = ErrorBody)))]
pub async fn update_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<Json<care_plan::Model>> {
    let actor = caller.require(Permission::CareSetup)?;
    Ok(Json(
        plans::update_plan(&state.db, actor, id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/care-plans/{id}/rules", tag = "care", security(("bearer" = [])), request_body = RuleInput,
    responses((status = 201, body = care_rule::Model), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<(StatusCode, Json<care_rule::Model>)> {
    let actor = caller.require(Permission::CareSetup)?;
    Ok((
        StatusCode::CREATED,
        Json(plans::add_rule(&state.db, actor, id, &input).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/care-rules/{id}", tag = "care", security(("bearer" = [])), request_body = RuleInput,
    responses((status = 200, body = care_rule::Model), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<Json<care_rule::Model>> {
    let actor = caller.require(Permission::CareSetup)?;
    Ok(Json(
        plans::update_rule(&state.db, actor, id, &input).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/care-policy", tag = "care", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = CarePolicy)))]
pub async fn show_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<CarePolicy>> {
    let actor = caller.require(Permission::CareManage)?;
    let store_id = care_store(&state.db.conn, actor, params.store_id).await?;
    Ok(Json(
        policy::for_store(&state.db.conn, actor.tenant_id, store_id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/care-policy", tag = "care", security(("bearer" = [])), params(StoreParam), request_body = CarePolicy,
    responses((status = 200, body = CarePolicy), (status = 422, body = ErrorBody)))]
pub async fn set_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
    ApiJson(input): ApiJson<CarePolicy>,
) -> ApiResult<Json<CarePolicy>> {
    let actor = caller.require(Permission::CareSetup)?;
    let store_id = care_store(&state.db.conn, actor, params.store_id).await?;
    Ok(Json(
        policy::set(&state.db.conn, actor, store_id, input).await?,
    ))
}

/// Handles waiting events and runs today's date rules for the caller's store now (what the
/// server's daily job does; running it again creates nothing new).
#[utoipa::path(post, path = "/api/v1/care-runs", tag = "care", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = RunReport)))]
pub async fn run_now(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<RunReport>> {
    let actor = caller.require(Permission::CareSetup)?;
    let store_id = care_store(&state.db.conn, actor, params.store_id).await?;
    generate::handle_events(&state.db, 1000).await?;
    let zone = fours_store::org::store_zone(&state.db.conn, actor.tenant_id, Some(store_id)).await;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let created = generate::run_day(&state.db, actor.tenant_id, store_id, today).await?;
    Ok(Json(RunReport { stores: 1, created }))
}
