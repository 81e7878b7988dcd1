//! `/api/v1/reports/service`: the workshop's KPIs per advisor, technician or store; and
//! `/api/v1/service-capacity`: how many advisors reception needs per hour of the day (Erlang C).

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Duration, NaiveDate, Utc};
use fours_domain::access::{Permission, Role};
use fours_domain::sales::funnel::basis_points;
use fours_domain::service::capacity::{Demand, ServiceTarget, advisors_needed, forecast};
use fours_domain::service::quality::WorkshopCounts;
use fours_store::StoreError;
use fours_store::org::{self, Actor};
use fours_store::sales::reports::Period;
use fours_store::service::reports::{self, KpiBy};
use fours_store::service::setup;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/service", get(service_report))
        .route("/api/v1/service-capacity", get(capacity))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct KpiParams {
    /// First store day (default: the first of this month).
    pub from: Option<NaiveDate>,
    /// Last store day, included (default: today).
    pub to: Option<NaiveDate>,
    /// `advisor` (default), `technician`, `team` or `store`.
    pub by: Option<String>,
}

/// One row of the KPI report. Rates are basis points (1/100 %), `null` without a base; money
/// is integer fen.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = ServiceKpiRow)]
pub struct KpiRow {
    /// The advisor's, technician's or store's id ("" for the total).
    pub key: String,
    pub label: String,
    /// 台次: repair orders closed in the period.
    pub repair_orders: u64,
    pub revenue_fen: i64,
    /// 客单价.
    pub revenue_per_order_fen: Option<i64>,
    /// Hours sold, in minutes.
    pub billed_minutes: u64,
    pub clocked_minutes: u64,
    pub effective_labour_rate_fen: Option<i64>,
    /// Billed ÷ clocked.
    pub efficiency: Option<u32>,
    /// Clocked ÷ available (opening hours).
    pub productivity: Option<u32>,
    pub on_time_delivery: Option<u32>,
    pub show_rate: Option<u32>,
    pub comeback_rate: Option<u32>,
    pub first_time_fix: Option<u32>,
    /// Warranty value ÷ revenue.
    pub warranty_share: Option<u32>,
}

fn row(key: String, label: String, counts: &WorkshopCounts, warranty_fen: i64) -> KpiRow {
    let rates = counts.rates();
    let share = u64::try_from(warranty_fen)
        .ok()
        .zip(u64::try_from(counts.revenue_fen).ok());
    KpiRow {
        key,
        label,
        repair_orders: counts.repair_orders,
        revenue_fen: counts.revenue_fen,
        revenue_per_order_fen: rates.revenue_per_order_fen,
        billed_minutes: counts.billed_minutes,
        clocked_minutes: counts.clocked_minutes,
        effective_labour_rate_fen: rates.effective_labour_rate_fen,
        efficiency: rates.efficiency,
        productivity: rates.productivity,
        on_time_delivery: rates.on_time_delivery,
        show_rate: rates.show_rate,
        comeback_rate: rates.comeback,
        first_time_fix: rates.first_time_fix,
        warranty_share: share.and_then(|(warranty, revenue)| basis_points(warranty, revenue)),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: String,
    pub rows: Vec<KpiRow>,
    pub total: KpiRow,
}

/// The period's KPIs within the caller's data scope.
#[utoipa::path(get, path = "/api/v1/reports/service", tag = "service", security(("bearer" = [])), params(KpiParams),
    responses((status = 200, body = ServiceReport), (status = 422, body = ErrorBody)))]
pub async fn service_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<KpiParams>,
) -> ApiResult<Json<ServiceReport>> {
    let actor = caller.require(Permission::ServiceReport)?;
    Ok(Json(build(&state, actor, &params).await?))
}

pub async fn build(
    state: &AppState,
    actor: &Actor,
    params: &KpiParams,
) -> ApiResult<ServiceReport> {
    let by_name = params.by.clone().unwrap_or_else(|| "advisor".into());
    let by = KpiBy::parse(&by_name).ok_or_else(|| StoreError::invalid("by", "choice.invalid"))?;
    let period = crate::api::report_period(state, actor, params.from, params.to).await?;
    let counts = reports::kpis(&state.db.conn, actor, period, by).await?;
    let names = labels(state, actor, by).await?;
    let mut total = WorkshopCounts::default();
    let mut warranty_total = 0;
    let rows = counts
        .rows
        .iter()
        .map(|(key, (counts, warranty))| {
            total.add(counts);
            warranty_total += warranty;
            let label = match by {
                KpiBy::Team => key.clone(),
                _ => names.get(key).cloned().unwrap_or_default(),
            };
            row(key.clone(), label, counts, *warranty)
        })
        .collect();
    let zone = org::store_zone(&state.db.conn, actor.tenant_id, actor.store_id).await;
    Ok(ServiceReport {
        from: period.from.with_timezone(&zone).date_naive(),
        to: (period.to - Duration::days(1))
            .with_timezone(&zone)
            .date_naive(),
        by: by_name,
        rows,
        total: row(String::new(), String::new(), &total, warranty_total),
    })
}

async fn labels(state: &AppState, actor: &Actor, by: KpiBy) -> ApiResult<HashMap<String, String>> {
    let db = &state.db.conn;
    Ok(match by {
        KpiBy::Store => org::list_stores(db, actor.tenant_id)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
        _ => org::list_users(db, actor.tenant_id)
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u.display_name))
            .collect(),
    })
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CapacityParams {
    /// The store (group-level users); the caller's own by default.
    pub store_id: Option<uuid::Uuid>,
    /// Weeks of arrival history to average (default 8).
    pub weeks: Option<u32>,
    /// Average minutes to receive one customer (default 12).
    pub service_minutes: Option<f64>,
    /// The target: this share of customers (default 0.8)…
    pub target_share: Option<f64>,
    /// …received within this many minutes (default 5).
    pub within_minutes: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CapacityHour {
    pub hour: u32,
    pub arrivals_per_hour: f64,
    /// The fewest advisors that meet the target; `null` when no staffing does.
    pub advisors_needed: Option<u32>,
    /// With today's advisors: the expected wait (minutes) and the share who wait at all;
    /// `null` when the queue would grow without end.
    pub expected_wait_minutes: Option<f64>,
    pub wait_probability: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CapacityPlan {
    /// The store's service advisors today.
    pub advisors: u32,
    pub hours: Vec<CapacityHour>,
}

/// Reception staffing per opening hour from the store's arrival history (Erlang C).
#[utoipa::path(get, path = "/api/v1/service-capacity", tag = "service", security(("bearer" = [])), params(CapacityParams),
    responses((status = 200, body = CapacityPlan), (status = 422, body = ErrorBody)))]
pub async fn capacity(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<CapacityParams>,
) -> ApiResult<Json<CapacityPlan>> {
    let actor = caller.require(Permission::ServiceReport)?;
    Ok(Json(plan(&state, actor, &params).await?))
}

pub async fn plan(
    state: &AppState,
    actor: &Actor,
    params: &CapacityParams,
) -> ApiResult<CapacityPlan> {
    let invalid = |field: &'static str| {
        move |e: fours_domain::validation::Invalid| StoreError::invalid(field, e.0)
    };
    let target = ServiceTarget::new(
        params.target_share.unwrap_or(0.8),
        params.within_minutes.unwrap_or(5.0),
    )
    .map_err(invalid("target_share"))?;
    let service_minutes = params.service_minutes.unwrap_or(12.0);
    let store = fours_store::sales::store_of(actor, params.store_id)?;
    let now = Utc::now();
    let weeks = i64::from(params.weeks.unwrap_or(8).clamp(1, 52));
    let period = Period {
        from: now - Duration::weeks(weeks),
        to: now,
    };
    let arrivals =
        reports::arrivals_per_hour(&state.db.conn, actor.tenant_id, store, period).await?;
    let advisors = setup::staff(&state.db.conn, actor.tenant_id, store, Role::ServiceAdvisor)
        .await?
        .len();
    let advisors = u32::try_from(advisors).unwrap_or(u32::MAX);
    let policy = setup::policy(&state.db.conn, actor.tenant_id, store).await?;
    let mut hours = Vec::new();
    for hour in policy.opens_at_minute / 60..policy.closes_at_minute.div_ceil(60) {
        let rate = arrivals[hour as usize];
        let demand = Demand::new(rate, service_minutes).map_err(invalid("service_minutes"))?;
        let queue = forecast(&demand, advisors);
        hours.push(CapacityHour {
            hour,
            arrivals_per_hour: (rate * 100.0).round() / 100.0,
            advisors_needed: advisors_needed(&demand, &target),
            expected_wait_minutes: queue.map(|q| (q.expected_wait_minutes * 10.0).round() / 10.0),
            wait_probability: queue.map(|q| (q.wait_probability * 1000.0).round() / 1000.0),
        });
    }
    Ok(CapacityPlan { advisors, hours })
}
