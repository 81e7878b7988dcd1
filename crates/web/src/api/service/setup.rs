//! Workshop set-up: the store's rates and hours, labour operations, bays, and the staff that
//! bookings and dispatch choose from.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use fours_domain::access::{Permission, Role};
use fours_store::service::entities::{bay, labour_operation};
use fours_store::service::setup::{self, BayInput, OperationInput, ServicePolicy};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/service-policy", get(show_policy).put(set_policy))
        .route(
            "/api/v1/labour-operations",
            get(operations).post(add_operation),
        )
        .route("/api/v1/bays", get(bays).post(add_bay))
        .route("/api/v1/service-staff", get(staff))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct StoreParam {
    /// The store (group-level users); the caller's own by default.
    pub store_id: Option<Uuid>,
}

fn store_id(actor: &fours_store::org::Actor, given: Option<Uuid>) -> ApiResult<Uuid> {
    Ok(fours_store::sales::store_of(actor, given)?)
}

#[utoipa::path(get, path = "/api/v1/service-policy", tag = "service", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = ServicePolicy)))]
pub async fn show_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<ServicePolicy>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let store = store_id(actor, params.store_id)?;
    Ok(Json(
        setup::policy(&state.db.conn, actor.tenant_id, store).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/service-policy", tag = "service", security(("bearer" = [])), params(StoreParam), request_body = ServicePolicy,
    responses((status = 200, body = ServicePolicy), (status = 422, body = ErrorBody)))]
pub async fn set_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
    ApiJson(policy): ApiJson<ServicePolicy>,
) -> ApiResult<Json<ServicePolicy>> {
    let actor = caller.require(Permission::ServiceSetup)?;
    Ok(Json(
        setup::set_policy(&state.db, actor, params.store_id, &policy).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/labour-operations", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = Vec<labour_operation::Model>)))]
pub async fn operations(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<labour_operation::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(setup::operations(&state.db.conn, actor).await?))
}

#[utoipa::path(post, path = "/api/v1/labour-operations", tag = "service", security(("bearer" = [])), request_body = OperationInput,
    responses((status = 201, body = labour_operation::Model), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_operation(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OperationInput>,
) -> ApiResult<(StatusCode, Json<labour_operation::Model>)> {
    let actor = caller.require(Permission::ServiceSetup)?;
    let created = setup::add_operation(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/bays", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = Vec<bay::Model>)))]
pub async fn bays(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<bay::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(setup::bays(&state.db.conn, actor).await?))
}

#[utoipa::path(post, path = "/api/v1/bays", tag = "service", security(("bearer" = [])), request_body = BayInput,
    responses((status = 201, body = bay::Model), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_bay(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<BayInput>,
) -> ApiResult<(StatusCode, Json<bay::Model>)> {
    let actor = caller.require(Permission::ServiceSetup)?;
    let created = setup::add_bay(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StaffParams {
    /// `service_advisor` or `technician`.
    pub role: String,
    pub store_id: Option<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffOut {
    pub id: Uuid,
    pub display_name: String,
}

/// The store's advisors or technicians, for booking and dispatch.
#[utoipa::path(get, path = "/api/v1/service-staff", tag = "service", security(("bearer" = [])), params(StaffParams),
    responses((status = 200, body = Vec<StaffOut>), (status = 422, body = ErrorBody)))]
pub async fn staff(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StaffParams>,
) -> ApiResult<Json<Vec<StaffOut>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let role = Role::parse(&params.role)
        .filter(|r| matches!(r, Role::ServiceAdvisor | Role::Technician))
        .ok_or_else(|| {
            ApiError::Store(fours_store::StoreError::invalid("role", "choice.invalid"))
        })?;
    let store = store_id(actor, params.store_id)?;
    let people = setup::staff(&state.db.conn, actor.tenant_id, store, role).await?;
    Ok(Json(
        people
            .into_iter()
            .map(|u| StaffOut {
                id: u.id,
                display_name: u.display_name,
            })
            .collect(),
    ))
}
