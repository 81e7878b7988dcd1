//! `/api/v1/leads`: prospects' deals, their follow-ups, steps, reassignment and defeats; and
//! `/api/v1/sales-policy`: the store's grading, cadence and discount settings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_domain::sales::grading::overdue_days;
use fours_store::customers;
use fours_store::org::{self, Actor};
use fours_store::sales::entities::{follow_up, lead, lead_history};
use fours_store::sales::leads::{self, DefeatInput, FollowUpInput, LeadFilter, LeadInput};
use fours_store::sales::policy::{self, SalesPolicy};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::models;
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, page_request};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads", get(list).post(create))
        .route("/api/v1/leads/due", get(due))
        .route("/api/v1/leads/reassign", post(reassign))
        .route("/api/v1/leads/{id}", get(show).patch(update))
        .route(
            "/api/v1/leads/{id}/follow-ups",
            get(follow_ups).post(add_follow_up),
        )
        .route("/api/v1/leads/{id}/history", get(history))
        .route("/api/v1/leads/{id}/step", post(advance))
        .route("/api/v1/leads/{id}/defeat", post(request_defeat))
        .route("/api/v1/leads/{id}/defeat/decision", post(decide_defeat))
        .route("/api/v1/leads/{id}/reactivate", post(reactivate))
        .route("/api/v1/sales-policy", get(show_policy).put(set_policy))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeadOut {
    pub id: Uuid,
    pub store_id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: Option<String>,
    pub consultant_id: Uuid,
    pub source: String,
    pub info_source: Option<String>,
    pub models_of_interest: Vec<String>,
    /// Integer fen (分).
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub buys_within_days: Option<i32>,
    /// `H`, `A`, `B` or `C`.
    pub grade: String,
    /// Whether the grade is the consultant's judgement rather than the timeframe's.
    pub grade_judged: bool,
    pub competitor_models: Option<String>,
    pub current_car: Option<String>,
    pub trade_in_model: Option<String>,
    pub trade_in_year: Option<i32>,
    pub trade_in_mileage_km: Option<i32>,
    pub trade_in_offer_fen: Option<i64>,
    pub finance_interest: bool,
    /// `first_contact`, `needs_analysis`, `presentation`, `test_drive`, `negotiation`,
    /// `ordered`, `delivered`.
    pub step: String,
    /// `active`, `defeat_requested`, `defeated` or `won`.
    pub standing: String,
    pub next_follow_up_on: Option<NaiveDate>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub defeat_reason: Option<String>,
    pub defeat_brand: Option<String>,
    pub defeat_model: Option<String>,
    pub defeat_note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn lead_out(lead: lead::Model, customer_name: Option<String>) -> LeadOut {
    LeadOut {
        id: lead.id,
        store_id: lead.store_id,
        customer_id: lead.customer_id,
        customer_name,
        consultant_id: lead.consultant_id,
        source: lead.source,
        info_source: lead.info_source,
        models_of_interest: models(&lead.models_of_interest),
        budget_min_fen: lead.budget_min_fen,
        budget_max_fen: lead.budget_max_fen,
        buys_within_days: lead.buys_within_days,
        grade: lead.grade,
        grade_judged: lead.grade_judged,
        competitor_models: lead.competitor_models,
        current_car: lead.current_car,
        trade_in_model: lead.trade_in_model,
        trade_in_year: lead.trade_in_year,
        trade_in_mileage_km: lead.trade_in_mileage_km,
        trade_in_offer_fen: lead.trade_in_offer_fen,
        finance_interest: lead.finance_interest,
        step: lead.step,
        standing: lead.standing,
        next_follow_up_on: lead.next_follow_up_on,
        last_contact_at: lead.last_contact_at,
        defeat_reason: lead.defeat_reason,
        defeat_brand: lead.defeat_brand,
        defeat_model: lead.defeat_model,
        defeat_note: lead.defeat_note,
        closed_at: lead.closed_at,
        created_at: lead.created_at,
        updated_at: lead.updated_at,
    }
}

/// Leads with their customers' names, looked up in one query.
pub async fn leads_out(
    state: &AppState,
    actor: &Actor,
    found: Vec<lead::Model>,
) -> ApiResult<Vec<LeadOut>> {
    let ids: Vec<Uuid> = found.iter().map(|l| l.customer_id).collect();
    let people = customers::by_ids(&state.db.conn, actor, &ids).await?;
    Ok(found
        .into_iter()
        .map(|lead| {
            let name = people
                .iter()
                .find(|c| c.id == lead.customer_id)
                .map(|c| c.name.clone());
            lead_out(lead, name)
        })
        .collect())
}

async fn one_out(state: &AppState, actor: &Actor, lead: lead::Model) -> ApiResult<Json<LeadOut>> {
    let mut all = leads_out(state, actor, vec![lead]).await?;
    all.pop()
        .map(Json)
        .ok_or_else(|| ApiError::Internal("lead vanished".into()))
}

/// The actor's store day now, and the UTC instant `day` (default today) began there.
pub async fn store_day(
    state: &AppState,
    actor: &Actor,
    day: Option<NaiveDate>,
) -> (NaiveDate, DateTime<Utc>) {
    let zone = org::store_zone(&state.db.conn, actor.tenant_id, actor.store_id).await;
    let now = Utc::now();
    let today = now.with_timezone(&zone).date_naive();
    let start = day
        .unwrap_or(today)
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(zone).earliest())
        .map_or(now, |t| t.with_timezone(&Utc));
    (today, start)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadPage {
    pub items: Vec<LeadOut>,
    pub next_cursor: Option<Uuid>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct LeadListParams {
    pub consultant_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub step: Option<String>,
    pub standing: Option<String>,
    pub grade: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    pub cursor: Option<Uuid>,
}

/// Leads the caller may see: a consultant their own, a manager the store's, the group all.
#[utoipa::path(get, path = "/api/v1/leads", tag = "sales", security(("bearer" = [])), params(LeadListParams),
    responses((status = 200, body = LeadPage), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<LeadListParams>,
) -> ApiResult<Json<LeadPage>> {
    let actor = caller.require(Permission::LeadWork)?;
    let filter = LeadFilter {
        consultant_id: params.consultant_id,
        customer_id: params.customer_id,
        step: params.step,
        standing: params.standing,
        grade: params.grade,
    };
    let page = leads::list(
        &state.db.conn,
        actor,
        &filter,
        page_request(params.limit, params.cursor),
    )
    .await?;
    Ok(Json(LeadPage {
        items: leads_out(&state, actor, page.items).await?,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/api/v1/leads", tag = "sales", security(("bearer" = [])), request_body = LeadInput,
    responses((status = 201, body = LeadOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<(StatusCode, Json<LeadOut>)> {
    let actor = caller.require(Permission::LeadWork)?;
    let created = leads::create(&state.db, actor, &input).await?;
    Ok((StatusCode::CREATED, one_out(&state, actor, created).await?))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = LeadOut), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<LeadOut>> {
    let actor = caller.require(Permission::LeadWork)?;
    let found = leads::get(&state.db.conn, actor, id).await?;
    one_out(&state, actor, found).await
}

/// Changes what is known; a new timeframe or grade regrades and resets the next follow-up.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "sales", security(("bearer" = [])), request_body = LeadInput,
    responses((status = 200, body = LeadOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<Json<LeadOut>> {
    let actor = caller.require(Permission::LeadWork)?;
    let updated = leads::update(&state.db, actor, id, &input).await?;
    one_out(&state, actor, updated).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DueLead {
    #[serde(flatten)]
    pub lead: LeadOut,
    /// Days past the due day (0 when due today).
    pub overdue_days: i64,
    /// Late beyond the store's grace period: the sales manager sees it too.
    pub escalated: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DueList {
    /// The store day the list is for.
    pub today: NaiveDate,
    pub items: Vec<DueLead>,
}

/// Follow-ups due today or overdue: a consultant's own; for a manager every lead in their
/// scope, each marked when it is past the grace period.
#[utoipa::path(get, path = "/api/v1/leads/due", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = DueList), (status = 403, body = ErrorBody)))]
async fn due(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<DueList>> {
    let actor = caller.require(Permission::LeadWork)?;
    Ok(Json(due_list(&state, actor).await?))
}

pub async fn due_list(state: &AppState, actor: &Actor) -> ApiResult<DueList> {
    let (today, _) = store_day(state, actor, None).await;
    let found = leads::due(&state.db.conn, actor, today, 500).await?;
    let grading = match actor.store_id {
        Some(store_id) => policy::for_store(&state.db.conn, actor.tenant_id, store_id).await?,
        None => SalesPolicy::default(),
    }
    .grading();
    let items = leads_out(state, actor, found)
        .await?
        .into_iter()
        .map(|lead| {
            let due_on = lead.next_follow_up_on.unwrap_or(today);
            DueLead {
                overdue_days: overdue_days(due_on, today),
                escalated: grading.escalated(due_on, today),
                lead,
            }
        })
        .collect();
    Ok(DueList { today, items })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FollowUpOut {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub consultant_id: Uuid,
    pub done_at: DateTime<Utc>,
    /// `call`, `visit`, `wechat` or `sms`.
    pub method: String,
    pub outcome: String,
    pub next_step: Option<String>,
    /// The day this follow-up was due; `on_time` when done by then.
    pub due_on: Option<NaiveDate>,
    pub on_time: bool,
    pub next_follow_up_on: NaiveDate,
}

fn follow_up_out(row: follow_up::Model) -> FollowUpOut {
    FollowUpOut {
        id: row.id,
        lead_id: row.lead_id,
        consultant_id: row.consultant_id,
        done_at: row.done_at,
        method: row.method,
        outcome: row.outcome,
        next_step: row.next_step,
        due_on: row.due_on,
        on_time: row.on_time,
        next_follow_up_on: row.next_follow_up_on,
    }
}

#[utoipa::path(get, path = "/api/v1/leads/{id}/follow-ups", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<FollowUpOut>), (status = 404, body = ErrorBody)))]
async fn follow_ups(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<FollowUpOut>>> {
    let actor = caller.require(Permission::LeadWork)?;
    let lead = leads::get(&state.db.conn, actor, id).await?;
    let rows = leads::follow_ups(&state.db.conn, &lead).await?;
    Ok(Json(rows.into_iter().map(follow_up_out).collect()))
}

/// Records a contact; the next follow-up is set by the grade's cadence unless chosen.
#[utoipa::path(post, path = "/api/v1/leads/{id}/follow-ups", tag = "sales", security(("bearer" = [])), request_body = FollowUpInput,
    responses((status = 201, body = FollowUpOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_follow_up(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> ApiResult<(StatusCode, Json<FollowUpOut>)> {
    let actor = caller.require(Permission::LeadWork)?;
    let recorded = leads::add_follow_up(&state.db, actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(follow_up_out(recorded))))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryOut {
    pub at: DateTime<Utc>,
    pub by_user: Uuid,
    /// `created`, `step`, `grade`, `assigned`, `defeat_requested`, `defeat_approved`,
    /// `defeat_rejected` or `reactivated`.
    pub kind: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub note: Option<String>,
}

fn history_out(row: lead_history::Model) -> HistoryOut {
    HistoryOut {
        at: row.at,
        by_user: row.by_user,
        kind: row.kind,
        from_value: row.from_value,
        to_value: row.to_value,
        note: row.note,
    }
}

#[utoipa::path(get, path = "/api/v1/leads/{id}/history", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = Vec<HistoryOut>), (status = 404, body = ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<HistoryOut>>> {
    let actor = caller.require(Permission::LeadWork)?;
    let lead = leads::get(&state.db.conn, actor, id).await?;
    let rows = leads::history(&state.db.conn, &lead).await?;
    Ok(Json(rows.into_iter().map(history_out).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = LeadStepInput)]
pub struct StepInput {
    /// `needs_analysis`, `presentation`, `test_drive` or `negotiation` (later steps come from
    /// orders and deliveries).
    pub step: String,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/leads/{id}/step", tag = "sales", security(("bearer" = [])), request_body = StepInput,
    responses((status = 200, body = LeadOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn advance(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<StepInput>,
) -> ApiResult<Json<LeadOut>> {
    let actor = caller.require(Permission::LeadWork)?;
    let moved = leads::advance(&state.db, actor, id, &input.step, input.note).await?;
    one_out(&state, actor, moved).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = LeadReassignInput)]
pub struct ReassignInput {
    pub lead_ids: Vec<Uuid>,
    pub consultant_id: Uuid,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReassignOut {
    /// Leads that changed hands (those already with the consultant are left as they are).
    pub reassigned: u64,
}

/// Hands one or many leads to another consultant; each lead's history keeps who had it.
#[utoipa::path(post, path = "/api/v1/leads/reassign", tag = "sales", security(("bearer" = [])), request_body = ReassignInput,
    responses((status = 200, body = ReassignOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ReassignInput>,
) -> ApiResult<Json<ReassignOut>> {
    let actor = caller.require(Permission::SalesManage)?;
    let reassigned = leads::reassign(
        &state.db,
        actor,
        &input.lead_ids,
        input.consultant_id,
        input.note,
    )
    .await?;
    Ok(Json(ReassignOut { reassigned }))
}

/// The consultant asks to close the lead as lost (战败), with the reason and the competitor.
#[utoipa::path(post, path = "/api/v1/leads/{id}/defeat", tag = "sales", security(("bearer" = [])), request_body = DefeatInput,
    responses((status = 200, body = LeadOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn request_defeat(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DefeatInput>,
) -> ApiResult<Json<LeadOut>> {
    let actor = caller.require(Permission::LeadWork)?;
    let asked = leads::request_defeat(&state.db, actor, id, &input).await?;
    one_out(&state, actor, asked).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = DefeatDecisionInput)]
pub struct DecisionInput {
    pub approve: bool,
    pub note: Option<String>,
}

/// The sales manager approves (closed, kept for reactivation) or rejects (back to follow-up).
#[utoipa::path(post, path = "/api/v1/leads/{id}/defeat/decision", tag = "sales", security(("bearer" = [])), request_body = DecisionInput,
    responses((status = 200, body = LeadOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn decide_defeat(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<LeadOut>> {
    let actor = caller.require(Permission::SalesManage)?;
    let decided = leads::decide_defeat(&state.db, actor, id, input.approve, input.note).await?;
    one_out(&state, actor, decided).await
}

/// Takes a lost prospect from the reactivation pool back into follow-up.
#[utoipa::path(post, path = "/api/v1/leads/{id}/reactivate", tag = "sales", security(("bearer" = [])),
    responses((status = 200, body = LeadOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn reactivate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<LeadOut>> {
    let actor = caller.require(Permission::SalesManage)?;
    let reopened = leads::reactivate(&state.db, actor, id).await?;
    one_out(&state, actor, reopened).await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PolicyParams {
    /// Default: the caller's store.
    pub store_id: Option<Uuid>,
}

fn policy_store(actor: &Actor, params: &PolicyParams) -> ApiResult<Uuid> {
    params
        .store_id
        .or(actor.store_id)
        .ok_or_else(|| fours_store::StoreError::invalid("store_id", "required").into())
}

#[utoipa::path(get, path = "/api/v1/sales-policy", tag = "sales", security(("bearer" = [])), params(PolicyParams),
    responses((status = 200, body = SalesPolicy), (status = 403, body = ErrorBody)))]
async fn show_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<PolicyParams>,
) -> ApiResult<Json<SalesPolicy>> {
    let actor = caller.require(Permission::LeadWork)?;
    let store_id = policy_store(actor, &params)?;
    Ok(Json(
        policy::for_store(&state.db.conn, actor.tenant_id, store_id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/sales-policy", tag = "sales", security(("bearer" = [])), params(PolicyParams), request_body = SalesPolicy,
    responses((status = 200, body = SalesPolicy), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn set_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<PolicyParams>,
    ApiJson(input): ApiJson<SalesPolicy>,
) -> ApiResult<Json<SalesPolicy>> {
    let actor = caller.require(Permission::SalesManage)?;
    let store_id = policy_store(actor, &params)?;
    Ok(Json(
        policy::set(&state.db.conn, actor, store_id, input).await?,
    ))
}
