//! `/api/v1/vehicles`: the vehicle archive, mileage history and ownership transfers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_store::vehicles::entities::{mileage_reading, ownership, vehicle, vehicle_model};
use fours_store::vehicles::{self, MileageInput, TransferInput, VehicleFilter, VehicleInput};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ApiJson, ApiPath, ApiQuery, page_request};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/vehicles", get(list).post(create))
        .route(
            "/api/v1/vehicles/{id}",
            get(show).patch(update).delete(remove),
        )
        .route(
            "/api/v1/vehicles/{id}/mileage",
            get(mileage).post(add_mileage),
        )
        .route("/api/v1/vehicles/{id}/transfer", post(transfer))
        .route("/api/v1/vehicles/{id}/owners", get(owners))
        .route("/api/v1/vehicle-models", get(catalogue))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VehicleOut {
    pub id: Uuid,
    pub store_id: Uuid,
    /// The current owner (a customer).
    pub customer_id: Option<Uuid>,
    pub vin: String,
    pub plate: Option<String>,
    pub engine_no: Option<String>,
    pub brand: Option<String>,
    pub series: Option<String>,
    pub model: Option<String>,
    pub trim: Option<String>,
    pub colour: Option<String>,
    pub production_date: Option<NaiveDate>,
    pub pdi_date: Option<NaiveDate>,
    pub licence_date: Option<NaiveDate>,
    pub delivery_date: Option<NaiveDate>,
    /// Integer fen (分).
    pub purchase_price_fen: Option<i64>,
    pub warranty_start: Option<NaiveDate>,
    pub warranty_months: Option<i32>,
    pub warranty_km: Option<i32>,
    pub insurer: Option<String>,
    pub insurance_expiry: Option<NaiveDate>,
    /// Latest odometer reading.
    pub mileage_km: Option<i32>,
    /// Codes such as `vin_check_digit`, `plate_unusual`: saved, but worth a second look.
    pub warnings: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VehiclePage {
    pub items: Vec<VehicleOut>,
    pub next_cursor: Option<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MileageOut {
    pub id: Uuid,
    pub read_on: NaiveDate,
    pub km: i32,
    pub source: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnershipOut {
    pub customer_id: Uuid,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VehicleModelOut {
    pub id: Uuid,
    pub brand: String,
    pub series: String,
    pub model: String,
    pub trim: String,
    pub msrp_fen: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct VehicleListParams {
    /// Plate (whole or part), VIN (whole or last 6).
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// Only this owner's vehicles.
    pub customer_id: Option<Uuid>,
}

pub fn vehicle_out(model: vehicle::Model) -> VehicleOut {
    VehicleOut {
        id: model.id,
        store_id: model.store_id,
        customer_id: model.owner_id,
        warnings: model
            .warnings
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|w| w.as_str().map(str::to_owned))
            .collect(),
        vin: model.vin,
        plate: model.plate,
        engine_no: model.engine_no,
        brand: model.brand,
        series: model.series,
        model: model.model,
        trim: model.trim,
        colour: model.colour,
        production_date: model.production_date,
        pdi_date: model.pdi_date,
        licence_date: model.licence_date,
        delivery_date: model.delivery_date,
        purchase_price_fen: model.purchase_price_fen,
        warranty_start: model.warranty_start,
        warranty_months: model.warranty_months,
        warranty_km: model.warranty_km,
        insurer: model.insurer,
        insurance_expiry: model.insurance_expiry,
        mileage_km: model.mileage_km,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

fn mileage_out(reading: mileage_reading::Model) -> MileageOut {
    MileageOut {
        id: reading.id,
        read_on: reading.read_on,
        km: reading.km,
        source: reading.source,
    }
}

fn ownership_out(row: ownership::Model) -> OwnershipOut {
    OwnershipOut {
        customer_id: row.customer_id,
        started_on: row.started_on,
        ended_on: row.ended_on,
    }
}

#[utoipa::path(get, path = "/api/v1/vehicles", tag = "vehicles", security(("bearer" = [])), params(VehicleListParams),
    responses((status = 200, body = VehiclePage), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<VehicleListParams>,
) -> ApiResult<Json<VehiclePage>> {
    let actor = caller.require(Permission::VehicleRead)?;
    let filter = VehicleFilter {
        q: params.q,
        customer_id: params.customer_id,
    };
    let page = vehicles::list(
        &state.db.conn,
        actor,
        &filter,
        page_request(params.limit, params.cursor),
    )
    .await?;
    Ok(Json(VehiclePage {
        items: page.items.into_iter().map(vehicle_out).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/api/v1/vehicles", tag = "vehicles", security(("bearer" = [])), request_body = VehicleInput,
    responses((status = 201, body = VehicleOut), (status = 409, description = "Same VIN exists; `existing_id` names it", body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<VehicleInput>,
) -> ApiResult<(StatusCode, Json<VehicleOut>)> {
    let actor = caller.require(Permission::VehicleWrite)?;
    let created = vehicles::create(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(vehicle_out(created))))
}

#[utoipa::path(get, path = "/api/v1/vehicles/{id}", tag = "vehicles", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = VehicleOut), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<VehicleOut>> {
    let actor = caller.require(Permission::VehicleRead)?;
    Ok(Json(vehicle_out(
        vehicles::get(&state.db.conn, actor, id).await?,
    )))
}

#[utoipa::path(patch, path = "/api/v1/vehicles/{id}", tag = "vehicles", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = VehicleInput,
    responses((status = 200, body = VehicleOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<VehicleInput>,
) -> ApiResult<Json<VehicleOut>> {
    let actor = caller.require(Permission::VehicleWrite)?;
    Ok(Json(vehicle_out(
        vehicles::update(&state.db, actor, id, &input).await?,
    )))
}

#[utoipa::path(delete, path = "/api/v1/vehicles/{id}", tag = "vehicles", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let actor = caller.require(Permission::CustomerDelete)?;
    vehicles::delete(&state.db, actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/vehicles/{id}/mileage", tag = "vehicles", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<MileageOut>), (status = 404, body = ErrorBody)))]
async fn mileage(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<MileageOut>>> {
    let actor = caller.require(Permission::VehicleRead)?;
    Ok(Json(
        vehicles::mileage(&state.db.conn, actor, id)
            .await?
            .into_iter()
            .map(mileage_out)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/vehicles/{id}/mileage", tag = "vehicles", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MileageInput,
    responses((status = 201, body = MileageOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_mileage(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MileageInput>,
) -> ApiResult<(StatusCode, Json<MileageOut>)> {
    let actor = caller.require(Permission::VehicleWrite)?;
    let reading = vehicles::add_mileage(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(mileage_out(reading))))
}

/// Hands the vehicle to another customer; the ownership history keeps both.
#[utoipa::path(post, path = "/api/v1/vehicles/{id}/transfer", tag = "vehicles", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = TransferInput,
    responses((status = 200, body = VehicleOut), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<TransferInput>,
) -> ApiResult<Json<VehicleOut>> {
    let actor = caller.require(Permission::VehicleTransfer)?;
    Ok(Json(vehicle_out(
        vehicles::transfer(&state.db, actor, id, &input).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/vehicles/{id}/owners", tag = "vehicles", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<OwnershipOut>), (status = 404, body = ErrorBody)))]
async fn owners(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<OwnershipOut>>> {
    let actor = caller.require(Permission::VehicleRead)?;
    vehicles::get(&state.db.conn, actor, id).await?;
    Ok(Json(
        vehicles::ownership_history(&state.db.conn, actor, id)
            .await?
            .into_iter()
            .map(ownership_out)
            .collect(),
    ))
}

/// The model catalogue (reference data shared by all dealer groups).
#[utoipa::path(get, path = "/api/v1/vehicle-models", tag = "vehicles", security(("bearer" = [])),
    responses((status = 200, body = Vec<VehicleModelOut>)))]
async fn catalogue(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<VehicleModelOut>>> {
    caller.require(Permission::VehicleRead)?;
    let models = vehicles::catalogue(&state.db.conn).await?;
    Ok(Json(
        models
            .into_iter()
            .map(|m: vehicle_model::Model| VehicleModelOut {
                id: m.id,
                brand: m.brand,
                series: m.series,
                model: m.model,
                trim: m.trim,
                msrp_fen: m.msrp_fen,
            })
            .collect(),
    ))
}
