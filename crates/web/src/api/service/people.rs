//! The workshop's technicians (teams and skills) and the maker's recalls and campaigns.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::service::campaigns::{self, CampaignInput};
use fours_store::service::entities::{campaign_completion, service_campaign};
use fours_store::service::staff::{self, StaffInput, Technician};
use uuid::Uuid;

use super::setup::StoreParam;
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/technicians", get(technicians))
        .route("/api/v1/technicians/{id}", put(set_technician))
        .route(
            "/api/v1/service-campaigns",
            get(list_campaigns).post(create_campaign),
        )
        .route(
            "/api/v1/repair-orders/{id}/campaigns/{campaign_id}",
            post(complete_campaign),
        )
}

/// The store's technicians with their teams and skills.
#[utoipa::path(get, path = "/api/v1/technicians", tag = "service", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = Vec<Technician>), (status = 422, body = ErrorBody)))]
pub async fn technicians(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<Vec<Technician>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let store = fours_store::sales::store_of(actor, params.store_id)?;
    Ok(Json(
        staff::technicians(&state.db.conn, actor.tenant_id, store).await?,
    ))
}

/// Sets a technician's team, skills and whether they lead it (the supervisor's job).
#[utoipa::path(put, path = "/api/v1/technicians/{id}", tag = "service", security(("bearer" = [])), request_body = StaffInput,
    responses((status = 200, body = Technician), (status = 422, body = ErrorBody)))]
pub async fn set_technician(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<StaffInput>,
) -> ApiResult<Json<Technician>> {
    let actor = caller.require(Permission::WorkshopDispatch)?;
    Ok(Json(staff::set(&state.db, actor, id, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/service-campaigns", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = Vec<service_campaign::Model>)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<service_campaign::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(campaigns::list(&state.db.conn, actor).await?))
}

/// A recall or campaign from the maker, for the listed VINs, group-wide.
#[utoipa::path(post, path = "/api/v1/service-campaigns", tag = "service", security(("bearer" = [])), request_body = CampaignInput,
    responses((status = 201, body = service_campaign::Model), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CampaignInput>,
) -> ApiResult<(StatusCode, Json<service_campaign::Model>)> {
    let actor = caller.require(Permission::ServiceSetup)?;
    Ok((
        StatusCode::CREATED,
        Json(campaigns::create(&state.db, actor, &input).await?),
    ))
}

/// Records an open campaign done on the order's car.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/campaigns/{campaign_id}", tag = "service", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("campaign_id" = Uuid, Path)),
    responses((status = 201, body = campaign_completion::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn complete_campaign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, campaign_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<(StatusCode, Json<campaign_completion::Model>)> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    let done = campaigns::complete(&state.db, actor, id, campaign_id).await?;
    Ok((StatusCode::CREATED, Json(done)))
}
