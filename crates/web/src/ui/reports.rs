//! Report screens: the sales report with its funnel and defeat charts.

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
use crate::auth::PageCaller;

pub fn routes() -> Router<AppState> {
    Router::new().route("/reports/sales", get(sales))
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
