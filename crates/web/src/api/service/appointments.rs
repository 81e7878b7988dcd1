//! Appointments: booking with the capacity check, the day's list, tomorrow's confirmation
//! calls, status changes, rescheduling, and the vehicles due for maintenance.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::service::appointments::{
    self, AppointmentFilter, AppointmentInput, DueVehicle, Preparation, RescheduleInput,
};
use fours_store::service::entities::appointment;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/appointments", get(list).post(book))
        .route("/api/v1/appointments/to-confirm", get(to_confirm))
        .route("/api/v1/appointments/{id}", get(show))
        .route("/api/v1/appointments/{id}/status", post(set_status))
        .route("/api/v1/appointments/{id}/reschedule", post(reschedule))
        .route("/api/v1/appointments/{id}/preparation", post(prepare))
        .route("/api/v1/maintenance-due", get(maintenance_due))
}

/// Books an appointment; refused (422) with the capacity it lacks: the advisor's slot
/// (`arrive_at`), the day's bay hours (`bay_id`) or technician hours (`technician_id`).
#[utoipa::path(post, path = "/api/v1/appointments", tag = "service", security(("bearer" = [])), request_body = AppointmentInput,
    responses((status = 201, body = appointment::Model), (status = 422, body = ErrorBody)))]
pub async fn book(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> ApiResult<(StatusCode, Json<appointment::Model>)> {
    let actor = caller.require(Permission::ServiceBook)?;
    let booked = appointments::book(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(booked)))
}

#[utoipa::path(get, path = "/api/v1/appointments", tag = "service", security(("bearer" = [])), params(AppointmentFilter),
    responses((status = 200, body = Vec<appointment::Model>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<AppointmentFilter>,
) -> ApiResult<Json<Vec<appointment::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(
        appointments::list(&state.db.conn, actor, &filter).await?,
    ))
}

/// Tomorrow's bookings not yet confirmed: the appointment specialist's calls for today.
#[utoipa::path(get, path = "/api/v1/appointments/to-confirm", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = Vec<appointment::Model>)))]
pub async fn to_confirm(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<appointment::Model>>> {
    let actor = caller.require(Permission::ServiceBook)?;
    Ok(Json(appointments::to_confirm(&state.db.conn, actor).await?))
}

#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = appointment::Model), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<appointment::Model>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(appointments::get(&state.db.conn, actor, id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// `confirmed`, `no_show` or `cancelled`.
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/appointments/{id}/status", tag = "service", security(("bearer" = [])), request_body = StatusInput,
    responses((status = 200, body = appointment::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Json<appointment::Model>> {
    let actor = caller.require(Permission::ServiceBook)?;
    Ok(Json(
        appointments::set_status(&state.db, actor, id, &input.status).await?,
    ))
}

/// Moves a booking: returns the new appointment; the old one is marked rescheduled.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/reschedule", tag = "service", security(("bearer" = [])), request_body = RescheduleInput,
    responses((status = 201, body = appointment::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reschedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<RescheduleInput>,
) -> ApiResult<(StatusCode, Json<appointment::Model>)> {
    let actor = caller.require(Permission::ServiceBook)?;
    let booked = appointments::reschedule(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(booked)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DueParams {
    /// Due within this many days from today (default 30); overdue cars are included.
    pub within_days: Option<u32>,
}

/// Vehicles due for maintenance (by date, or earlier by mileage at the car's own pace),
/// soonest first, with whether they already have a booking.
#[utoipa::path(get, path = "/api/v1/maintenance-due", tag = "service", security(("bearer" = [])), params(DueParams),
    responses((status = 200, body = Vec<DueVehicle>)))]
pub async fn maintenance_due(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<DueParams>,
) -> ApiResult<Json<Vec<DueVehicle>>> {
    let actor = caller.require(Permission::ServiceBook)?;
    let within = params.within_days.unwrap_or(30).min(366);
    Ok(Json(
        appointments::maintenance_due(&state.db.conn, actor, within).await?,
    ))
}

/// The day-before preparation: advisor, bay, parts, special tools, courtesy car ticked off.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/preparation", tag = "service", security(("bearer" = [])), request_body = Preparation,
    responses((status = 200, body = appointment::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn prepare(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(ready): ApiJson<Preparation>,
) -> ApiResult<Json<appointment::Model>> {
    let actor = caller.require(Permission::ServiceBook)?;
    Ok(Json(
        appointments::prepare(&state.db, actor, id, &ready).await?,
    ))
}
