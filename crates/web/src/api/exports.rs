//! `/api/v1/customers/export` and `/api/v1/vehicles/export`: a list, as the caller sees it on
//! screen, out as an XLSX or CSV file.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::Utc;
use fours_domain::access::Permission;
use fours_onboarding::export::{ExportList, export};
use fours_sheets::{Format, TableWriter};
use fours_store::customers::CustomerFilter;
use fours_store::org::Actor;
use fours_store::vehicles::VehicleFilter;
use serde::Deserialize;
use uuid::Uuid;

use super::ApiQuery;
use super::imports::{FileParams, download, file_format, onboarding_error};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::{AppState, imports};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/export", get(customers))
        .route("/api/v1/vehicles/export", get(vehicles))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CustomerExportParams {
    /// `xlsx` (default) or `csv` (UTF-8 with BOM, for Excel).
    pub format: Option<String>,
    /// Same search as the customer list.
    pub q: Option<String>,
    pub class: Option<String>,
    pub tag: Option<String>,
}

/// The customer list as the caller sees it (data scope, filter, masking), one line per car.
/// Audited.
#[utoipa::path(get, path = "/api/v1/customers/export", tag = "customers", security(("bearer" = [])), params(CustomerExportParams),
    responses((status = 200, description = "XLSX or CSV file"), (status = 403, body = ErrorBody)))]
async fn customers(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<CustomerExportParams>,
) -> ApiResult<Response> {
    let list = ExportList::Customers(CustomerFilter {
        q: params.q,
        class: params.class,
        tag: params.tag,
        ..Default::default()
    });
    exported(&state, &caller, list, params.format, "customers").await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct VehicleExportParams {
    /// `xlsx` (default) or `csv` (UTF-8 with BOM, for Excel).
    pub format: Option<String>,
    /// Same search as the vehicle list: plate, VIN, model.
    pub q: Option<String>,
    /// Only this customer's cars.
    pub customer_id: Option<Uuid>,
}

/// The vehicle list as the caller sees it (data scope, filter, masking), one line per car with
/// its owner. Audited.
#[utoipa::path(get, path = "/api/v1/vehicles/export", tag = "vehicles", security(("bearer" = [])), params(VehicleExportParams),
    responses((status = 200, description = "XLSX or CSV file"), (status = 403, body = ErrorBody)))]
async fn vehicles(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<VehicleExportParams>,
) -> ApiResult<Response> {
    let list = ExportList::Vehicles(VehicleFilter {
        q: params.q,
        customer_id: params.customer_id,
    });
    exported(&state, &caller, list, params.format, "vehicles").await
}

async fn exported(
    state: &AppState,
    caller: &Caller,
    list: ExportList,
    format: Option<String>,
    stem: &str,
) -> ApiResult<Response> {
    let actor = caller.require(Permission::ExportData)?;
    let format = file_format(&FileParams { format })?;
    let bytes = export_to_bytes(state, actor, &list, format).await?;
    let stem = format!("{stem}-{}", Utc::now().format("%Y%m%d-%H%M"));
    Ok(download(bytes, format, &stem))
}

/// Writes the export to a temporary file (XLSX needs a seekable target) and reads it back.
async fn export_to_bytes(
    state: &AppState,
    actor: &Actor,
    list: &ExportList,
    format: Format,
) -> ApiResult<Vec<u8>> {
    let path = imports::upload_path(state, "export.tmp");
    let internal = |e: String| ApiError::Internal(e);
    tokio::fs::create_dir_all(&state.config.upload_dir)
        .await
        .map_err(|e| internal(e.to_string()))?;
    let result = async {
        let mut out = TableWriter::create(&path, format, list.sheet_name())
            .map_err(|e| internal(e.to_string()))?;
        export(&state.db, actor, list, &mut out)
            .await
            .map_err(onboarding_error)?;
        out.finish().map_err(|e| internal(e.to_string()))?;
        tokio::fs::read(&path)
            .await
            .map_err(|e| internal(e.to_string()))
    }
    .await;
    let _ = tokio::fs::remove_file(&path).await;
    result
}
