//! The part catalogue (with CSV/XLSX import), bins and the store's parts settings.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::parts::catalogue::{self, BinInput, PartFilter, PartInput, PartsPolicy};
use fours_store::parts::entities::{bin, part};
use fours_store::parts::stock::{self, PlacementInput, StockLine};
use serde::Serialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::imports::save_upload;
use crate::api::service::setup::StoreParam;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/parts", get(list).post(create))
        .route(
            "/api/v1/parts/import",
            post(import).layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/api/v1/parts/{id}", get(show).put(update))
        .route("/api/v1/parts/{id}/placement", put(place))
        .route("/api/v1/bins", get(bins).post(add_bin))
        .route("/api/v1/parts-policy", get(show_policy).put(set_policy))
}

#[utoipa::path(get, path = "/api/v1/parts", tag = "parts", security(("bearer" = [])), params(PartFilter),
    responses((status = 200, body = Vec<part::Model>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<PartFilter>,
) -> ApiResult<Json<Vec<part::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(catalogue::list(&state.db.conn, actor, &filter).await?))
}

#[utoipa::path(post, path = "/api/v1/parts", tag = "parts", security(("bearer" = [])), request_body = PartInput,
    responses((status = 201, body = part::Model), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PartInput>,
) -> ApiResult<(StatusCode, Json<part::Model>)> {
    let actor = caller.require(Permission::PartsManage)?;
    let created = catalogue::create(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A part with its stock in each store the caller sees.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartDetail {
    pub part: part::Model,
    pub stock: Vec<StockLine>,
}

#[utoipa::path(get, path = "/api/v1/parts/{id}", tag = "parts", security(("bearer" = [])),
    responses((status = 200, body = PartDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PartDetail>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let part = catalogue::get(&state.db.conn, actor, id).await?;
    let stock = stock::everywhere(&state.db.conn, actor, id).await?;
    Ok(Json(PartDetail { part, stock }))
}

#[utoipa::path(put, path = "/api/v1/parts/{id}", tag = "parts", security(("bearer" = [])), request_body = PartInput,
    responses((status = 200, body = part::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Another part has this number", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PartInput>,
) -> ApiResult<Json<part::Model>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(catalogue::update(&state.db, actor, id, &input).await?))
}

#[utoipa::path(put, path = "/api/v1/parts/{id}/placement", tag = "parts", security(("bearer" = [])), request_body = PlacementInput,
    responses((status = 200, body = StockLine), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn place(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PlacementInput>,
) -> ApiResult<Json<StockLine>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(stock::place(&state.db, actor, id, &input).await?))
}

#[utoipa::path(post, path = "/api/v1/parts/import", tag = "parts", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "`file`: CSV (UTF-8, UTF-16 or GBK) or XLSX with a header row (零件号/配件编号, 名称, 品牌, 类别, 单位, 零售价, 成本价, 替代件号, 库位)"),
    responses((status = 200, body = fours_store::parts::catalogue::PartsImport), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<fours_store::parts::catalogue::PartsImport>> {
    let actor = caller.require(Permission::PartsManage)?.clone();
    let upload = save_upload(&state, multipart?).await?;
    let outcome = fours_onboarding::parts::import_file(&state.db, &actor, &upload.path).await;
    // The upload is only needed while it is read.
    let _ = tokio::fs::remove_file(&upload.path).await;
    Ok(Json(outcome.map_err(|e| match e {
        fours_onboarding::OnboardingError::Store(store) => ApiError::Store(store),
        other => ApiError::BadRequest(other.to_string()),
    })?))
}

#[utoipa::path(get, path = "/api/v1/bins", tag = "parts", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = Vec<bin::Model>)))]
pub async fn bins(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<Vec<bin::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(
        catalogue::bins(&state.db.conn, actor, params.store_id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/bins", tag = "parts", security(("bearer" = [])), request_body = BinInput,
    responses((status = 201, body = bin::Model), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_bin(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<BinInput>,
) -> ApiResult<(StatusCode, Json<bin::Model>)> {
    let actor = caller.require(Permission::PartsManage)?;
    let created = catalogue::create_bin(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/parts-policy", tag = "parts", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = PartsPolicy)))]
pub async fn show_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<PartsPolicy>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let store = fours_store::sales::store_of(actor, params.store_id)?;
    Ok(Json(
        catalogue::policy(&state.db.conn, actor.tenant_id, store).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/parts-policy", tag = "parts", security(("bearer" = [])), params(StoreParam), request_body = PartsPolicy,
    responses((status = 200, body = PartsPolicy), (status = 422, body = ErrorBody)))]
pub async fn set_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
    ApiJson(policy): ApiJson<PartsPolicy>,
) -> ApiResult<Json<PartsPolicy>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(
        catalogue::set_policy(&state.db, actor, params.store_id, &policy).await?,
    ))
}
