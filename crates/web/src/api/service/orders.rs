//! Repair orders through their life cycle: reception, signature, dispatch, added work and the
//! customer's decision, clocks, pauses, the QC chain, internal delivery, settlement, hand-over;
//! and the workshop board.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use fours_domain::access::Permission;
use fours_domain::service::settlement::{Billed, Settlement, part_fen};
use fours_store::org::Actor;
use fours_store::service::entities::{
    repair_history, repair_job, repair_order, repair_part, service_payment,
};
use fours_store::service::orders::{
    self, CloseInput, OrderFilter, ReceptionInput, SettlementInput, SignatureInput, VehicleStanding,
};
use fours_store::service::workshop::{
    self, BoardCard, CheckInput, DecisionInput, DispatchInput, InternalDeliveryInput, ProposalInput,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    let order = |tail: &str| format!("/api/v1/repair-orders/{{id}}{tail}");
    Router::new()
        .route("/api/v1/repair-orders", get(list).post(receive))
        .route("/api/v1/workshop-board", get(board))
        .route(&order(""), get(show))
        .route(&order("/signature"), post(sign))
        .route(&order("/dispatch"), post(dispatch))
        .route(&order("/jobs"), post(propose))
        .route(&order("/approvals"), post(decide))
        .route(&order("/approval-link"), post(approval_link))
        .route(&order("/jobs/{position}/clock-on"), post(clock_on))
        .route(&order("/jobs/{position}/clock-off"), post(clock_off))
        .route(&order("/pause"), post(pause))
        .route(&order("/resume"), post(resume))
        .route(&order("/finish"), post(finish))
        .route(&order("/qc"), post(check))
        .route(&order("/internal-delivery"), post(deliver_internally))
        .route(&order("/settlement"), get(settlement).post(settle))
        .route(&order("/close"), post(close))
        .route(&order("/cancel"), post(cancel))
}

/// A repair order with everything on it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RepairOrderDetail)]
pub struct OrderDetail {
    pub order: repair_order::Model,
    pub jobs: Vec<repair_job::Model>,
    pub parts: Vec<repair_part::Model>,
    pub history: Vec<repair_history::Model>,
    pub payments: Vec<service_payment::Model>,
    pub settlement: SettlementOut,
    pub vehicle: VehicleStanding,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BilledOut {
    pub labour_fen: i64,
    pub parts_fen: i64,
    pub total_fen: i64,
}

impl From<Billed> for BilledOut {
    fn from(billed: Billed) -> Self {
        BilledOut {
            labour_fen: billed.labour_fen,
            parts_fen: billed.parts_fen,
            total_fen: billed.total_fen(),
        }
    }
}

/// The settlement sheet (结算单), all amounts integer fen, tax included.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettlementOut {
    pub customer: BilledOut,
    pub warranty: BilledOut,
    pub insurance: BilledOut,
    pub internal: BilledOut,
    pub labour_discount_fen: i64,
    pub parts_discount_fen: i64,
    pub customer_total_fen: i64,
    pub vat_included_fen: i64,
    pub paid_fen: i64,
    pub balance_due_fen: i64,
}

impl From<Settlement> for SettlementOut {
    fn from(s: Settlement) -> Self {
        SettlementOut {
            customer: s.customer.into(),
            warranty: s.warranty.into(),
            insurance: s.insurance.into(),
            internal: s.internal.into(),
            labour_discount_fen: s.labour_discount_fen,
            parts_discount_fen: s.parts_discount_fen,
            customer_total_fen: s.customer_total_fen,
            vat_included_fen: s.vat_included_fen,
            paid_fen: s.paid_fen,
            balance_due_fen: s.balance_due_fen,
        }
    }
}

pub async fn detail(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<OrderDetail> {
    let db = &state.db.conn;
    let order = orders::get(db, actor, id).await?;
    let jobs = orders::jobs_of(db, &order).await?;
    let parts = orders::parts_of(db, &order).await?;
    let payments = orders::payments_of(db, &order).await?;
    let settlement = orders::settle_sheet(&orders::sheet(&order, &jobs, &parts, &payments))?;
    Ok(OrderDetail {
        history: orders::history_of(db, &order).await?,
        vehicle: orders::standing(db, actor, &order).await?,
        settlement: settlement.into(),
        order,
        jobs,
        parts,
        payments,
    })
}

/// Receives a car (from an appointment or a walk-in) with its signed jobs and parts.
#[utoipa::path(post, path = "/api/v1/repair-orders", tag = "service", security(("bearer" = [])), request_body = ReceptionInput,
    responses((status = 201, body = OrderDetail), (status = 422, body = ErrorBody)))]
pub async fn receive(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ReceptionInput>,
) -> ApiResult<(StatusCode, Json<OrderDetail>)> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    let order = orders::receive(&state.db, actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, actor, order.id).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/repair-orders", tag = "service", security(("bearer" = [])), params(OrderFilter),
    responses((status = 200, body = Vec<repair_order::Model>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<OrderFilter>,
) -> ApiResult<Json<Vec<repair_order::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(orders::list(&state.db.conn, actor, &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/repair-orders/{id}", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = OrderDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(detail(&state, actor, id).await?))
}

/// One life-cycle step's answer: the order as it now stands.
async fn answer(
    state: &AppState,
    actor: &Actor,
    changed: repair_order::Model,
) -> ApiResult<Json<OrderDetail>> {
    Ok(Json(detail(state, actor, changed.id).await?))
}

#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/signature", tag = "service", security(("bearer" = [])), request_body = SignatureInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SignatureInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    answer(
        &state,
        actor,
        orders::sign(&state.db, actor, id, &input).await?,
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/dispatch", tag = "service", security(("bearer" = [])), request_body = DispatchInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dispatch(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DispatchInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::WorkshopDispatch)?;
    answer(
        &state,
        actor,
        workshop::dispatch(&state.db, actor, id, &input).await?,
    )
    .await
}

/// A technician's finding as added work (增项); nobody may start it before the customer agrees.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/jobs", tag = "service", security(("bearer" = [])), request_body = ProposalInput,
    responses((status = 201, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ProposalInput>,
) -> ApiResult<(StatusCode, Json<OrderDetail>)> {
    let actor = caller.require(Permission::WorkshopWork)?;
    let changed = workshop::propose(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, answer(&state, actor, changed).await?))
}

/// The customer's decision on one proposed job, as the advisor records it.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/approvals", tag = "service", security(("bearer" = [])), request_body = DecisionInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    answer(
        &state,
        actor,
        workshop::decide(&state.db, actor, id, &input).await?,
    )
    .await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalLinkOut {
    /// The path of the customer's page (send it with the store's address by SMS or WeChat).
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

/// A signed link, valid for 24 hours, to a page where the customer approves or declines each
/// proposed job.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/approval-link", tag = "service", security(("bearer" = [])),
    responses((status = 201, body = ApprovalLinkOut), (status = 404, body = ErrorBody)))]
pub async fn approval_link(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<ApprovalLinkOut>)> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    let (token, expires_at) = workshop::approval_link(&state.db, actor, id).await?;
    let path = format!("/approve/{token}");
    Ok((
        StatusCode::CREATED,
        Json(ApprovalLinkOut { path, expires_at }),
    ))
}

#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/jobs/{position}/clock-on", tag = "service", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("position" = u32, Path, description = "The job's position on the order, from 0")),
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn clock_on(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, position)): ApiPath<(Uuid, u32)>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::WorkshopWork)?;
    answer(
        &state,
        actor,
        workshop::clock_on(&state.db, actor, id, position).await?,
    )
    .await
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockOffInput {
    /// The job is finished (otherwise the technician only stops its clock).
    #[serde(default)]
    pub done: bool,
}

#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/jobs/{position}/clock-off", tag = "service", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("position" = u32, Path, description = "The job's position on the order, from 0")), request_body = ClockOffInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn clock_off(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, position)): ApiPath<(Uuid, u32)>,
    ApiJson(input): ApiJson<ClockOffInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::WorkshopWork)?;
    let changed = workshop::clock_off(&state.db, actor, id, position, input.done).await?;
    answer(&state, actor, changed).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseInput {
    /// `waiting_parts`, `waiting_approval` or `other`.
    pub pause_reason: String,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/pause", tag = "service", security(("bearer" = [])), request_body = PauseInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PauseInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::WorkshopWork)?;
    let changed = workshop::pause(&state.db, actor, id, &input.pause_reason, input.note).await?;
    answer(&state, actor, changed).await
}

#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/resume", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::WorkshopWork)?;
    answer(&state, actor, workshop::resume(&state.db, actor, id).await?).await
}

/// Work is finished; the technician's self-check comes next.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/finish", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn finish(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::WorkshopWork)?;
    answer(&state, actor, workshop::finish(&state.db, actor, id).await?).await
}

/// The current quality check passes or fails (a failure sends one job back).
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/qc", tag = "service", security(("bearer" = [])), request_body = CheckInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CheckInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::WorkshopWork)?;
    answer(
        &state,
        actor,
        workshop::check(&state.db, actor, id, &input).await?,
    )
    .await
}

/// The internal delivery check; records `vehicle_ready` for the customer to be told.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/internal-delivery", tag = "service", security(("bearer" = [])), request_body = InternalDeliveryInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deliver_internally(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<InternalDeliveryInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    let changed = workshop::deliver_internally(&state.db, actor, id, &input).await?;
    answer(&state, actor, changed).await
}

#[utoipa::path(get, path = "/api/v1/repair-orders/{id}/settlement", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = SettlementOut), (status = 404, body = ErrorBody)))]
pub async fn settlement(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SettlementOut>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(detail(&state, actor, id).await?.settlement))
}

/// Discounts and a payment; the order is settled once nothing is left to pay.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/settlement", tag = "service", security(("bearer" = [])), request_body = SettlementInput,
    responses((status = 200, body = SettlementOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn settle(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SettlementInput>,
) -> ApiResult<Json<SettlementOut>> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    Ok(Json(
        orders::settle(&state.db, actor, id, &input).await?.into(),
    ))
}

/// The car is handed back; records `repair_order_closed` for the 3-day follow-up call.
#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/close", tag = "service", security(("bearer" = [])), request_body = CloseInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CloseInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    answer(
        &state,
        actor,
        orders::close(&state.db, actor, id, &input).await?,
    )
    .await
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/repair-orders/{id}/cancel", tag = "service", security(("bearer" = [])), request_body = CancelInput,
    responses((status = 200, body = OrderDetail), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CancelInput>,
) -> ApiResult<Json<OrderDetail>> {
    let actor = caller.require(Permission::ServiceAdvise)?;
    answer(
        &state,
        actor,
        orders::cancel(&state.db, actor, id, input.note).await?,
    )
    .await
}

/// Every order in the workshop, by priority and promised time, for the big screen.
#[utoipa::path(get, path = "/api/v1/workshop-board", tag = "service", security(("bearer" = [])),
    responses((status = 200, body = Vec<BoardCard>)))]
pub async fn board(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<BoardCard>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(workshop::board(&state.db.conn, actor).await?))
}

pub fn public_routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/approvals/{token}",
        get(linked_proposals).post(decide_by_link),
    )
}

/// One proposed job as the customer's page shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProposedJob {
    pub job_position: i32,
    pub name: String,
    pub finding: Option<String>,
    pub safety_related: bool,
    /// Labour plus the job's parts, tax included, integer fen.
    pub price_fen: i64,
    /// `proposed`, `approved` or `declined`.
    pub approval: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkedProposals {
    pub order_number: String,
    pub jobs: Vec<ProposedJob>,
}

pub fn linked(found: workshop::LinkedProposal) -> LinkedProposals {
    let part_total = |position: i32| -> i64 {
        found
            .parts
            .iter()
            .filter(|p| p.job_position == Some(position))
            .filter_map(|p| {
                let quantity = u32::try_from(p.quantity_hundredths).ok()?;
                part_fen(quantity, p.unit_price_fen)
            })
            .sum()
    };
    LinkedProposals {
        order_number: found.order.number.clone(),
        jobs: found
            .jobs
            .iter()
            .filter(|j| j.proposed_by.is_some())
            .map(|j| ProposedJob {
                job_position: j.position,
                name: j.name.clone(),
                finding: j.finding.clone(),
                safety_related: j.safety_related,
                price_fen: j.labour_fen + part_total(j.position),
                approval: j.approval.clone(),
            })
            .collect(),
    }
}

/// The customer's page behind a signed approval link: the added work proposed, with prices.
/// No sign-in: the link's signature is the credential, and it expires.
#[utoipa::path(get, path = "/api/v1/approvals/{token}", tag = "service",
    responses((status = 200, body = LinkedProposals), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn linked_proposals(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<LinkedProposals>> {
    Ok(Json(linked(
        workshop::proposals_for_link(&state.db, &token).await?,
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkDecision {
    pub job_position: u32,
    pub approve: bool,
}

/// The customer approves or declines one proposed job through the link.
#[utoipa::path(post, path = "/api/v1/approvals/{token}", tag = "service", request_body = LinkDecision,
    responses((status = 200, body = LinkedProposals), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_by_link(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(input): ApiJson<LinkDecision>,
) -> ApiResult<Json<LinkedProposals>> {
    workshop::decide_by_link(&state.db, &token, input.job_position, input.approve).await?;
    Ok(Json(linked(
        workshop::proposals_for_link(&state.db, &token).await?,
    )))
}
