//! Test drives, quotes, the new-car stock, orders and deliveries.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_store::sales::deals::{self, QuoteInput, TestDriveInput, TestDriveReturn};
use fours_store::sales::entities::{delivery, quote, sales_order, stock_car, test_drive};
use fours_store::sales::leads;
use fours_store::sales::orders::{self, DeliveryInput, OrderInput, StockInput};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/leads/{id}/test-drives",
            get(test_drives).post(start_test_drive),
        )
        .route("/api/v1/test-drives/{id}/return", post(finish_test_drive))
        .route("/api/v1/leads/{id}/quotes", get(quotes).post(create_quote))
        .route("/api/v1/quotes/pending", get(pending_quotes))
        .route("/api/v1/quotes/{id}/decision", post(decide_quote))
        .route("/api/v1/stock", get(stock).post(add_stock))
        .route("/api/v1/leads/{id}/orders", get(orders).post(place_order))
        .route("/api/v1/orders/{id}", get(order))
        .route("/api/v1/orders/{id}/delivery", post(deliver))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestDriveOut {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub consultant_id: Uuid,
    pub demo_vehicle: String,
    /// The licence number masked; the full number is kept sealed.
    pub licence_masked: String,
    pub licence_checked: bool,
    pub out_at: DateTime<Utc>,
    pub in_at: Option<DateTime<Utc>>,
    pub out_km: i32,
    pub in_km: Option<i32>,
    pub route: Option<String>,
    pub feedback: Option<String>,
}

fn test_drive_out(drive: test_drive::Model) -> TestDriveOut {
    TestDriveOut {
        id: drive.id,
        lead_id: drive.lead_id,
        consultant_id: drive.consultant_id,
        demo_vehicle: drive.demo_vehicle,
        licence_masked: drive.licence_masked,
        licence_checked: drive.licence_checked,
        out_at: drive.out_at,
        in_at: drive.in_at,
        out_km: drive.out_km,
        in_km: drive.in_km,
        route: drive.route,
        feedback: drive.feedback,
    }
}

/// Starts a test drive (licence checked); the lead reaches the test-drive step.
#[utoipa::path(post, path = "/api/v1/leads/{id}/test-drives", tag = "sales", security(("bearer" = [])), request_body = TestDriveInput,
    responses((status = 201, body = TestDriveOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn start_test_drive(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<TestDriveInput>,
) -> ApiResult<(StatusCode, Json<TestDriveOut>)> {
    let actor = caller.require(Permission::LeadWork)?;
    let drive = deals::start_test_drive(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(test_drive_out(drive))))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}/test-drives", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<TestDriveOut>), (status = 404, body = ErrorBody)))]
async fn test_drives(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<TestDriveOut>>> {
    let actor = caller.require(Permission::LeadWork)?;
    let lead = leads::get(&state.db.conn, actor, id).await?;
    let drives = deals::test_drives(&state.db.conn, &lead).await?;
    Ok(Json(drives.into_iter().map(test_drive_out).collect()))
}

/// The car is back: time, odometer, the prospect's feedback.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/return", tag = "sales", security(("bearer" = [])), request_body = TestDriveReturn,
    responses((status = 200, body = TestDriveOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn finish_test_drive(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<TestDriveReturn>,
) -> ApiResult<Json<TestDriveOut>> {
    let actor = caller.require(Permission::LeadWork)?;
    let drive = deals::finish_test_drive(&state.db, actor, id, &input).await?;
    Ok(Json(test_drive_out(drive)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuoteOut {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub vehicle: String,
    /// All amounts integer fen (分).
    pub vehicle_price_fen: i64,
    pub discount_fen: i64,
    pub accessories_fen: i64,
    pub insurance_fen: i64,
    pub fees_fen: i64,
    pub trade_in_credit_fen: i64,
    pub down_payment_fen: Option<i64>,
    pub finance_term_months: Option<i32>,
    /// Vehicle after discount plus accessories, insurance and fees.
    pub deal_fen: i64,
    /// The deal less the trade-in credit.
    pub customer_pays_fen: i64,
    pub financed_fen: i64,
    /// `not_needed`, `pending`, `approved` or `rejected`.
    pub approval: String,
    pub created_at: DateTime<Utc>,
}

fn quote_out(q: quote::Model) -> QuoteOut {
    QuoteOut {
        id: q.id,
        lead_id: q.lead_id,
        vehicle: q.vehicle,
        vehicle_price_fen: q.vehicle_price_fen,
        discount_fen: q.discount_fen,
        accessories_fen: q.accessories_fen,
        insurance_fen: q.insurance_fen,
        fees_fen: q.fees_fen,
        trade_in_credit_fen: q.trade_in_credit_fen,
        down_payment_fen: q.down_payment_fen,
        finance_term_months: q.finance_term_months,
        deal_fen: q.deal_fen,
        customer_pays_fen: q.customer_pays_fen,
        financed_fen: q.financed_fen,
        approval: q.approval,
        created_at: q.created_at,
    }
}

/// Records a quote; a discount above the store's limit waits for the sales manager.
#[utoipa::path(post, path = "/api/v1/leads/{id}/quotes", tag = "sales", security(("bearer" = [])), request_body = QuoteInput,
    responses((status = 201, body = QuoteOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_quote(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<QuoteInput>,
) -> ApiResult<(StatusCode, Json<QuoteOut>)> {
    let actor = caller.require(Permission::LeadWork)?;
    let created = deals::create_quote(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(quote_out(created))))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}/quotes", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<QuoteOut>), (status = 404, body = ErrorBody)))]
async fn quotes(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<QuoteOut>>> {
    let actor = caller.require(Permission::LeadWork)?;
    let lead = leads::get(&state.db.conn, actor, id).await?;
    let found = deals::quotes(&state.db.conn, &lead).await?;
    Ok(Json(found.into_iter().map(quote_out).collect()))
}

/// Quotes whose discount waits for the manager's approval.
#[utoipa::path(get, path = "/api/v1/quotes/pending", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<QuoteOut>), (status = 403, body = ErrorBody)))]
async fn pending_quotes(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<QuoteOut>>> {
    let actor = caller.require(Permission::SalesManage)?;
    let found = deals::pending_quotes(&state.db.conn, actor).await?;
    Ok(Json(found.into_iter().map(quote_out).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct QuoteDecision {
    pub approve: bool,
}

#[utoipa::path(post, path = "/api/v1/quotes/{id}/decision", tag = "sales", security(("bearer" = [])), request_body = QuoteDecision,
    responses((status = 200, body = QuoteOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn decide_quote(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<QuoteDecision>,
) -> ApiResult<Json<QuoteOut>> {
    let actor = caller.require(Permission::SalesManage)?;
    let decided = deals::decide_quote(&state.db, actor, id, input.approve).await?;
    Ok(Json(quote_out(decided)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockOut {
    pub id: Uuid,
    pub store_id: Uuid,
    pub vin: String,
    pub brand: String,
    pub series: String,
    pub model: String,
    pub trim: Option<String>,
    pub colour: Option<String>,
    /// Integer fen (分).
    pub list_price_fen: i64,
    /// `in_stock`, `allocated` or `delivered`.
    pub status: String,
    pub order_id: Option<Uuid>,
}

fn stock_out(car: stock_car::Model) -> StockOut {
    StockOut {
        id: car.id,
        store_id: car.store_id,
        vin: car.vin,
        brand: car.brand,
        series: car.series,
        model: car.model,
        trim: car.trim,
        colour: car.colour,
        list_price_fen: car.list_price_fen,
        status: car.status,
        order_id: car.order_id,
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct StockParams {
    /// `in_stock`, `allocated` or `delivered`.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/stock", tag = "sales", security(("bearer" = [])), params(StockParams),
    responses((status = 200, body = Vec<StockOut>), (status = 403, body = ErrorBody)))]
async fn stock(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StockParams>,
) -> ApiResult<Json<Vec<StockOut>>> {
    let actor = caller.require(Permission::LeadWork)?;
    let cars = orders::stock(&state.db.conn, actor, params.status.as_deref()).await?;
    Ok(Json(cars.into_iter().map(stock_out).collect()))
}

/// Adds a new car to the store's stock.
#[utoipa::path(post, path = "/api/v1/stock", tag = "sales", security(("bearer" = [])), request_body = StockInput,
    responses((status = 201, body = StockOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn add_stock(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<StockInput>,
) -> ApiResult<(StatusCode, Json<StockOut>)> {
    let actor = caller.require(Permission::SalesManage)?;
    let car = orders::add_stock(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, Json(stock_out(car))))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderOut {
    pub id: Uuid,
    /// The store's order number, e.g. `A1-SO-000042`.
    pub number: String,
    pub store_id: Uuid,
    pub lead_id: Uuid,
    pub quote_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub consultant_id: Uuid,
    pub stock_id: Option<Uuid>,
    /// Integer fen (分).
    pub deposit_fen: i64,
    pub payment_method: String,
    pub expected_delivery_on: Option<NaiveDate>,
    /// `open` or `delivered`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

fn order_out(o: sales_order::Model) -> OrderOut {
    OrderOut {
        id: o.id,
        number: o.number,
        store_id: o.store_id,
        lead_id: o.lead_id,
        quote_id: o.quote_id,
        customer_id: o.customer_id,
        consultant_id: o.consultant_id,
        stock_id: o.stock_id,
        deposit_fen: o.deposit_fen,
        payment_method: o.payment_method,
        expected_delivery_on: o.expected_delivery_on,
        status: o.status,
        created_at: o.created_at,
    }
}

/// Places the order: numbered per store, quote accepted, a car allocated from stock.
#[utoipa::path(post, path = "/api/v1/leads/{id}/orders", tag = "sales", security(("bearer" = [])), request_body = OrderInput,
    responses((status = 201, body = OrderOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn place_order(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<OrderInput>,
) -> ApiResult<(StatusCode, Json<OrderOut>)> {
    let actor = caller.require(Permission::LeadWork)?;
    let placed = orders::place_order(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(order_out(placed))))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}/orders", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<OrderOut>), (status = 404, body = ErrorBody)))]
async fn orders(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<OrderOut>>> {
    let actor = caller.require(Permission::LeadWork)?;
    let lead = leads::get(&state.db.conn, actor, id).await?;
    let found = orders::orders_of_lead(&state.db.conn, actor, &lead).await?;
    Ok(Json(found.into_iter().map(order_out).collect()))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = OrderOut), (status = 404, body = ErrorBody)))]
async fn order(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderOut>> {
    let actor = caller.require(Permission::LeadWork)?;
    Ok(Json(order_out(
        orders::order(&state.db.conn, actor, id).await?,
    )))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryOut {
    pub id: Uuid,
    pub order_id: Uuid,
    /// The car, now in the customer's archive.
    pub vehicle_id: Uuid,
    pub delivered_at: DateTime<Utc>,
    pub first_service_reminder: bool,
    pub referral_asked: bool,
}

fn delivery_out(d: delivery::Model) -> DeliveryOut {
    DeliveryOut {
        id: d.id,
        order_id: d.order_id,
        vehicle_id: d.vehicle_id,
        delivered_at: d.delivered_at,
        first_service_reminder: d.first_service_reminder,
        referral_asked: d.referral_asked,
    }
}

/// Hands the car over: it joins the customer's archive, the lead is won, and a
/// `vehicle_delivered` event is recorded for the care plans.
#[utoipa::path(post, path = "/api/v1/orders/{id}/delivery", tag = "sales", security(("bearer" = [])), request_body = DeliveryInput,
    responses((status = 201, body = DeliveryOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn deliver(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DeliveryInput>,
) -> ApiResult<(StatusCode, Json<DeliveryOut>)> {
    let actor = caller.require(Permission::LeadWork)?;
    let handed_over = orders::deliver(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(delivery_out(handed_over))))
}
