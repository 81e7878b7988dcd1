//! Report screens: the sales report with its funnel and defeat charts; the workshop's KPIs with
//! efficiency and productivity bars and the reception staffing plan.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use fours_domain::access::Permission;
use fours_domain::sales::funnel::{STAGES, percent};
use tower_sessions::Session;

use super::sales::page_requiring;
use super::{Page, error_page, render};
use crate::AppState;
use crate::api::sales::reports::{FunnelRow, ReportParams, SalesReport, build};
use crate::api::service::reports::{
    CapacityParams, CapacityPlan, KpiParams, KpiRow, ServiceReport, build as service_kpis, plan,
};
use crate::auth::PageCaller;
use fours_domain::money::format_fen;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/sales", get(sales))
        .route("/reports/service", get(service))
}

#[derive(Template)]
#[template(path = "sales_report.html")]
struct SalesTemplate {
    page: Page,
    report: SalesReport,
    dimensions: Vec<(String, String)>,
    stage_labels: Vec<String>,
    rows: Vec<Vec<String>>,
    funnel_json: String,
    defeat_json: String,
}

impl SalesTemplate {
    fn percent(&self, rate: &Option<u32>) -> String {
        percent(*rate)
    }
}

/// A funnel row as table cells: label, the five counts, three rates.
fn cells(label: String, row: &FunnelRow) -> Vec<String> {
    let mut cells = vec![label];
    cells.extend(
        [
            row.traffic,
            row.contacts_kept,
            row.test_drives,
            row.orders,
            row.deliveries,
        ]
        .iter()
        .map(u64::to_string),
    );
    cells.extend([row.contact_rate, row.test_drive_rate, row.order_rate].map(percent));
    cells
}

async fn sales(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(params): Query<ReportParams>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::LeadWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let report = match build(&state, &actor, &params).await {
        Ok(report) => report,
        Err(error) => return error_page(&page, error),
    };
    let label_of = |row: &FunnelRow| match (report.by.as_str(), row.label.as_str()) {
        (_, "") => page.t("report.unrecorded"),
        ("source", source) => page.t(&format!("choice.source.{source}")),
        (_, label) => label.to_owned(),
    };
    let mut rows: Vec<Vec<String>> = report
        .funnel
        .iter()
        .map(|r| cells(label_of(r), r))
        .collect();
    rows.push(cells(page.t("report.total"), &report.total));
    let stage_labels: Vec<String> = STAGES
        .iter()
        .map(|s| page.t(&format!("report.stage.{s}")))
        .collect();
    let total = &report.total;
    let stage_counts = [
        total.traffic,
        total.contacts_kept,
        total.test_drives,
        total.orders,
        total.deliveries,
    ];
    let funnel: Vec<(String, u64)> = stage_labels.iter().cloned().zip(stage_counts).collect();
    let defeats: Vec<(String, u64)> = report
        .defeats_by_reason
        .iter()
        .map(|r| (page.t(&format!("defeat_reason.{}", r.key)), r.count))
        .collect();
    render(&SalesTemplate {
        dimensions: ["source", "consultant", "model"]
            .iter()
            .map(|d| ((*d).to_owned(), page.t(&format!("report.by.{d}"))))
            .collect(),
        funnel_json: serde_json::to_string(&funnel).unwrap_or_default(),
        defeat_json: serde_json::to_string(&defeats).unwrap_or_default(),
        stage_labels,
        rows,
        report,
        page,
    })
}

#[derive(Template)]
#[template(path = "service_report.html")]
struct ServiceTemplate {
    page: Page,
    report: ServiceReport,
    plan: Option<CapacityPlan>,
    dimensions: Vec<(String, String)>,
    rows: Vec<Vec<String>>,
    rates_json: String,
    plan_json: String,
}

/// A KPI row as table cells: label, orders, revenue, per order, hours sold, the rates.
fn kpi_cells(label: String, row: &KpiRow) -> Vec<String> {
    let money = |fen: Option<i64>| fen.map(format_fen).unwrap_or_else(|| "—".into());
    vec![
        label,
        row.repair_orders.to_string(),
        format_fen(row.revenue_fen),
        money(row.revenue_per_order_fen),
        format!("{:.1}", row.billed_minutes as f64 / 60.0),
        money(row.effective_labour_rate_fen),
        percent(row.efficiency),
        percent(row.productivity),
        percent(row.on_time_delivery),
        percent(row.show_rate),
        percent(row.comeback_rate),
        percent(row.warranty_share),
    ]
}

async fn service(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(params): Query<KpiParams>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceReport).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let report = match service_kpis(&state, &actor, &params).await {
        Ok(report) => report,
        Err(error) => return error_page(&page, error),
    };
    // Group-level users see the plan of one store at a time (the API takes `store_id`).
    let plan = plan(&state, &actor, &CapacityParams::default()).await.ok();
    let mut rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| kpi_cells(r.label.clone(), r))
        .collect();
    rows.push(kpi_cells(page.t("report.total"), &report.total));
    let rates: Vec<(String, Option<u32>, Option<u32>)> = report
        .rows
        .iter()
        .map(|r| (r.label.clone(), r.efficiency, r.productivity))
        .collect();
    let hours: Vec<(u32, f64, Option<u32>)> = plan
        .iter()
        .flat_map(|p| {
            p.hours
                .iter()
                .map(|h| (h.hour, h.arrivals_per_hour, h.advisors_needed))
        })
        .collect();
    render(&ServiceTemplate {
        dimensions: ["advisor", "technician", "team", "store"]
            .iter()
            .map(|d| ((*d).to_owned(), page.t(&format!("service_report.by.{d}"))))
            .collect(),
        rates_json: serde_json::to_string(&rates).unwrap_or_default(),
        plan_json: serde_json::to_string(&hours).unwrap_or_default(),
        rows,
        report,
        plan,
        page,
    })
}
