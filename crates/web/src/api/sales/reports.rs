//! `/api/v1/reports/sales`: the funnel with conversion rates, follow-up discipline, defeat
//! analysis and lead ageing, for a period, within the caller's data scope.

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_domain::sales::funnel::{AGE_BUCKETS, FunnelCounts, basis_points};
use fours_store::StoreError;
use fours_store::org::{self, Actor};
use fours_store::sales::reports::{self, Dimension};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{ApiQuery, report_days};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/sales", get(sales_report))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportParams {
    /// First store day of the period (default: the first of this month).
    pub from: Option<NaiveDate>,
    /// Last store day of the period, included (default: today).
    pub to: Option<NaiveDate>,
    /// `source` (default), `consultant` or `model`.
    pub by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FunnelRow {
    /// The source, consultant id or model ("" when not recorded).
    pub key: String,
    /// What to show for the key (the consultant's name for consultants).
    pub label: String,
    pub traffic: u64,
    pub contacts_kept: u64,
    pub test_drives: u64,
    pub orders: u64,
    pub deliveries: u64,
    /// Rates in basis points (1/100 %): contacts kept per visit (留档率), test drives and
    /// orders per contact kept, deliveries per order.
    pub contact_rate: Option<u32>,
    pub test_drive_rate: Option<u32>,
    pub order_rate: Option<u32>,
    pub delivery_rate: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisciplineRow {
    pub consultant_id: String,
    pub consultant: String,
    pub follow_ups: u64,
    pub on_time: u64,
    /// On-time share in basis points.
    pub on_time_rate: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountRow {
    pub key: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SalesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: String,
    pub funnel: Vec<FunnelRow>,
    pub total: FunnelRow,
    pub follow_up_discipline: Vec<DisciplineRow>,
    pub defeats_by_reason: Vec<CountRow>,
    pub defeats_by_brand: Vec<CountRow>,
    pub defeats_by_consultant: Vec<CountRow>,
    /// Open leads aged 0–7, 8–30, 31–90 and over 90 days.
    pub lead_ageing: Vec<CountRow>,
}

fn funnel_row(key: String, label: String, counts: &FunnelCounts) -> FunnelRow {
    let rates = counts.rates();
    FunnelRow {
        key,
        label,
        traffic: counts.traffic,
        contacts_kept: counts.contacts_kept,
        test_drives: counts.test_drives,
        orders: counts.orders,
        deliveries: counts.deliveries,
        contact_rate: rates.contact_rate,
        test_drive_rate: rates.test_drive_rate,
        order_rate: rates.order_rate,
        delivery_rate: rates.delivery_rate,
    }
}

/// The sales report for a period (store days, both ends included).
#[utoipa::path(get, path = "/api/v1/reports/sales", tag = "sales", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, body = SalesReport), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn sales_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> ApiResult<Json<SalesReport>> {
    let actor = caller.require(Permission::LeadWork)?;
    Ok(Json(build(&state, actor, &params).await?))
}

pub async fn build(
    state: &AppState,
    actor: &Actor,
    params: &ReportParams,
) -> ApiResult<SalesReport> {
    let dimension = match params.by.as_deref() {
        None => Dimension::Source,
        Some(by) => {
            Dimension::parse(by).ok_or_else(|| StoreError::invalid("by", "choice.invalid"))?
        }
    };
    let (period, days) = report_days(state, actor, params.from, params.to).await?;
    let db = &state.db.conn;
    // Independent reads, asked together: each runs on its own pooled connection, so the report
    // takes about as long as its slowest part (the funnel) instead of the sum of all five.
    let (users, funnel, discipline, defeats, ageing) = tokio::try_join!(
        org::list_users(db, actor.tenant_id),
        reports::funnel(db, actor, dimension, period, days),
        reports::follow_up_discipline(db, actor, period, days),
        reports::defeats(db, actor, period),
        reports::lead_ageing(db, actor, Utc::now()),
    )?;
    let names: HashMap<String, String> = users
        .into_iter()
        .map(|u| (u.id.to_string(), u.display_name))
        .collect();
    let label = |key: &str| names.get(key).cloned().unwrap_or_else(|| key.to_owned());
    let mut total = FunnelCounts::default();
    let funnel = funnel
        .iter()
        .map(|(key, counts)| {
            total.add(counts);
            funnel_row(key.clone(), label(key), counts)
        })
        .collect();
    let follow_up_discipline = discipline
        .into_iter()
        .map(|(consultant, (done, on_time))| DisciplineRow {
            consultant: label(&consultant.to_string()),
            consultant_id: consultant.to_string(),
            follow_ups: done,
            on_time,
            on_time_rate: basis_points(on_time, done),
        })
        .collect();
    let count_rows = |rows: Vec<(String, u64)>| -> Vec<CountRow> {
        rows.into_iter()
            .map(|(key, count)| CountRow {
                label: label(&key),
                key,
                count,
            })
            .collect()
    };
    let lead_ageing = AGE_BUCKETS
        .iter()
        .zip(ageing)
        .map(|((from_days, to_days), count)| {
            let key = match to_days {
                Some(to_days) => format!("{from_days}-{to_days}"),
                None => format!("{from_days}+"),
            };
            CountRow {
                label: key.clone(),
                key,
                count,
            }
        })
        .collect();
    Ok(SalesReport {
        from: days.first,
        to: days.last,
        by: params.by.clone().unwrap_or_else(|| "source".into()),
        total: funnel_row("total".into(), "total".into(), &total),
        funnel,
        follow_up_discipline,
        defeats_by_reason: count_rows(defeats.by_reason),
        defeats_by_brand: count_rows(defeats.by_brand),
        defeats_by_consultant: count_rows(defeats.by_consultant),
        lead_ageing,
    })
}
