//! Special orders for customers (requested by advisors and appointment specialists, reviewed,
//! ordered and received by the parts manager, then taken on by the advisor team) and supplier
//! orders with the day's replenishment suggestion.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_domain::parts::special_order::Status;
use fours_store::parts::entities::{special_order, special_order_step, supplier_order};
use fours_store::parts::special::{
    self, BookInput, PlaceInput, SpecialOrderFilter, SpecialOrderInput, SpecialOrderView,
};
use fours_store::parts::supplier::{
    self, OrderDetail, OrderFilter, ReceiptInput, Suggestion, SupplierOrderInput,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::service::setup::StoreParam;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    let special = |tail: &str| format!("/api/v1/special-orders/{{id}}{tail}");
    Router::new()
        .route("/api/v1/special-orders", get(list).post(request))
        .route(&special(""), get(show))
        .route(&special("/review"), post(review))
        .route(&special("/order"), post(place))
        .route(&special("/take"), post(take))
        .route(&special("/notify"), post(notify))
        .route(&special("/booking"), post(book))
        .route(&special("/cancel"), post(cancel))
        .route(&special("/return"), post(send_back))
        .route(
            "/api/v1/supplier-orders",
            get(supplier_orders).post(create_supplier_order),
        )
        .route("/api/v1/supplier-orders/suggestions", get(suggestions))
        .route("/api/v1/supplier-orders/{id}", get(supplier_order))
        .route("/api/v1/supplier-orders/{id}/send", post(send))
        .route("/api/v1/supplier-orders/{id}/receipts", post(receive))
}

#[utoipa::path(get, path = "/api/v1/special-orders", tag = "parts", security(("bearer" = [])), params(SpecialOrderFilter),
    responses((status = 200, body = Vec<SpecialOrderView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<SpecialOrderFilter>,
) -> ApiResult<Json<Vec<SpecialOrderView>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(special::list(&state.db.conn, actor, &filter).await?))
}

#[utoipa::path(post, path = "/api/v1/special-orders", tag = "parts", security(("bearer" = [])), request_body = SpecialOrderInput,
    responses((status = 201, body = special_order::Model), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SpecialOrderInput>,
) -> ApiResult<(StatusCode, Json<special_order::Model>)> {
    let actor = caller.require(Permission::ServiceBook)?;
    Ok((
        StatusCode::CREATED,
        Json(special::create(&state.db, actor, &input).await?),
    ))
}

/// A special order with every step taken so far.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SpecialOrderDetail {
    pub order: special_order::Model,
    pub steps: Vec<special_order_step::Model>,
}

#[utoipa::path(get, path = "/api/v1/special-orders/{id}", tag = "parts", security(("bearer" = [])),
    responses((status = 200, body = SpecialOrderDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SpecialOrderDetail>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let order = special::get(&state.db.conn, actor, id).await?;
    let steps = special::history(&state.db.conn, actor, id).await?;
    Ok(Json(SpecialOrderDetail { order, steps }))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub approve: bool,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/special-orders/{id}/review", tag = "parts", security(("bearer" = [])), request_body = ReviewInput,
    responses((status = 200, body = special_order::Model), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<special_order::Model>> {
    let actor = caller.require(Permission::PartsManage)?;
    let next = if input.approve {
        Status::Approved
    } else {
        Status::Rejected
    };
    Ok(Json(
        special::step(&state.db, actor, id, next, input.note).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/special-orders/{id}/order", tag = "parts", security(("bearer" = [])), request_body = PlaceInput,
    responses((status = 200, body = special_order::Model), (status = 422, body = ErrorBody)))]
pub async fn place(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PlaceInput>,
) -> ApiResult<Json<special_order::Model>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(
        special::place_order(&state.db, actor, id, &input).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub note: Option<String>,
}

/// A step that takes only a note, under one permission.
macro_rules! step_handler {
    ($(#[$doc:meta])* $name:ident, $permission:ident, $status:ident) => {
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            ApiPath(id): ApiPath<Uuid>,
            ApiJson(input): ApiJson<NoteInput>,
        ) -> ApiResult<Json<special_order::Model>> {
            let actor = caller.require(Permission::$permission)?;
            Ok(Json(special::step(&state.db, actor, id, Status::$status, input.note).await?))
        }
    };
}

step_handler!(
    /// An advisor takes the arrived part on for the team.
    #[utoipa::path(post, path = "/api/v1/special-orders/{id}/take", tag = "parts", security(("bearer" = [])), request_body = NoteInput,
        responses((status = 200, body = special_order::Model), (status = 422, body = ErrorBody)))]
    take, ServiceBook, AdvisorNotified
);
step_handler!(
    /// Tells the customer by SMS (through the outbox) that the part is in.
    #[utoipa::path(post, path = "/api/v1/special-orders/{id}/notify", tag = "parts", security(("bearer" = [])), request_body = NoteInput,
        responses((status = 200, body = special_order::Model), (status = 422, body = ErrorBody)))]
    notify, ServiceBook, CustomerNotified
);
step_handler!(
    #[utoipa::path(post, path = "/api/v1/special-orders/{id}/cancel", tag = "parts", security(("bearer" = [])), request_body = NoteInput,
        responses((status = 200, body = special_order::Model), (status = 422, body = ErrorBody)))]
    cancel,
    ServiceBook,
    Cancelled
);
step_handler!(
    /// Sends an unclaimed part back to the maker (it leaves the stock).
    #[utoipa::path(post, path = "/api/v1/special-orders/{id}/return", tag = "parts", security(("bearer" = [])), request_body = NoteInput,
        responses((status = 200, body = special_order::Model), (status = 422, body = ErrorBody)))]
    send_back, PartsManage, Returned
);

#[utoipa::path(post, path = "/api/v1/special-orders/{id}/booking", tag = "parts", security(("bearer" = [])), request_body = BookInput,
    responses((status = 200, body = special_order::Model), (status = 422, body = ErrorBody)))]
pub async fn book(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<BookInput>,
) -> ApiResult<Json<special_order::Model>> {
    let actor = caller.require(Permission::ServiceBook)?;
    Ok(Json(special::book(&state.db, actor, id, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/supplier-orders", tag = "parts", security(("bearer" = [])), params(OrderFilter),
    responses((status = 200, body = Vec<supplier_order::Model>)))]
pub async fn supplier_orders(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<OrderFilter>,
) -> ApiResult<Json<Vec<supplier_order::Model>>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(supplier::list(&state.db.conn, actor, &filter).await?))
}

#[utoipa::path(post, path = "/api/v1/supplier-orders", tag = "parts", security(("bearer" = [])), request_body = SupplierOrderInput,
    responses((status = 201, body = OrderDetail), (status = 422, body = ErrorBody)))]
pub async fn create_supplier_order(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SupplierOrderInput>,
) -> ApiResult<(StatusCode, Json<OrderDetail>)> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok((
        StatusCode::CREATED,
        Json(supplier::create(&state.db, actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/supplier-orders/suggestions", tag = "parts", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = Vec<Suggestion>)))]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<Vec<Suggestion>>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(
        supplier::suggestions(&state.db.conn, actor, params.store_id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/supplier-orders/{id}", tag = "parts", security(("bearer" = [])),
    responses((status = 200, body = OrderDetail), (status = 404, body = ErrorBody)))]
pub async fn supplier_order(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(supplier::detail(&state.db.conn, actor, id).await?))
}

#[utoipa::path(post, path = "/api/v1/supplier-orders/{id}/send", tag = "parts", security(("bearer" = [])),
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(supplier::send(&state.db, actor, id).await?))
}

#[utoipa::path(post, path = "/api/v1/supplier-orders/{id}/receipts", tag = "parts", security(("bearer" = [])), request_body = ReceiptInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody)))]
pub async fn receive(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReceiptInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::PartsManage)?;
    Ok(Json(supplier::receive(&state.db, actor, id, &input).await?))
}
