//! The care report: follow-up coverage after delivery (7 days, the brand's target 100%) and
//! after service (3 days), each person's tasks on time (drawn with ECharts), and message
//! delivery by channel.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{Duration, NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_store::care::reports::{self, Coverage};
use serde::Deserialize;
use tower_sessions::Session;

use super::inbox::word;
use crate::AppState;
use crate::api::report_period;
use crate::auth::PageCaller;
use crate::ui::sales::page_requiring;
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/care/report", get(report_page))
}

#[derive(Deserialize)]
struct PeriodParams {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// Per mille as a percentage with one decimal: 875 → "87.5%"; "—" when nothing was due.
fn percent(permille: Option<u64>) -> String {
    permille.map_or_else(|| "—".to_owned(), |p| format!("{}.{}%", p / 10, p % 10))
}

pub struct CoverageCard {
    pub rate: String,
    pub due: u64,
    pub covered: u64,
    pub in_progress: u64,
    /// Below the 100% target.
    pub short: bool,
}

fn card(coverage: &Coverage) -> CoverageCard {
    CoverageCard {
        rate: percent(coverage.rate_permille),
        due: coverage.due,
        covered: coverage.covered,
        in_progress: coverage.in_progress,
        short: coverage.covered < coverage.due,
    }
}

pub struct ChannelLine {
    pub channel: String,
    pub sent: u64,
    pub failed: u64,
    pub pending: u64,
    pub suppressed: u64,
    pub delivery: String,
}

#[derive(Template)]
#[template(path = "care_report.html")]
struct ReportTemplate {
    page: Page,
    from: String,
    to: String,
    after_delivery: CoverageCard,
    after_service: CoverageCard,
    people: Vec<reports::PersonTasks>,
    channels: Vec<ChannelLine>,
    /// [[name, on time, late, unreached, overdue], …]
    people_json: String,
    /// [[channel, sent, failed, pending, suppressed], …]
    channels_json: String,
    /// The charts' series names: [[on time, late, unreached, overdue], [sent, failed, …]].
    labels_json: String,
}

async fn report_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(params): Query<PeriodParams>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let period = match report_period(&state, &actor, params.from, params.to).await {
        Ok(period) => period,
        Err(error) => return error_page(&page, error),
    };
    let report = match reports::care_report(&state.db.conn, &actor, period, Utc::now()).await {
        Ok(report) => report,
        Err(error) => return error_page(&page, error.into()),
    };
    let day = |at: chrono::DateTime<Utc>| at.with_timezone(&page.tz).date_naive().to_string();
    let people_rows: Vec<(String, u64, u64, u64, u64)> = report
        .people
        .iter()
        .map(|p| (p.name.clone(), p.on_time, p.late, p.unreached, p.overdue))
        .collect();
    let channels: Vec<ChannelLine> = report
        .messages
        .iter()
        .map(|m| ChannelLine {
            channel: word(&page, "channel", &m.channel),
            sent: m.sent,
            failed: m.failed,
            pending: m.pending,
            suppressed: m.suppressed,
            delivery: percent(m.delivery_permille),
        })
        .collect();
    let channel_rows: Vec<(&str, u64, u64, u64, u64)> = channels
        .iter()
        .map(|c| {
            (
                c.channel.as_str(),
                c.sent,
                c.failed,
                c.pending,
                c.suppressed,
            )
        })
        .collect();
    let labels = [
        ["on_time", "late", "unreached", "overdue"].map(|k| page.t(&format!("care.report.{k}"))),
        ["sent", "failed", "pending", "suppressed"].map(|k| word(&page, "message_status", k)),
    ];
    let template = ReportTemplate {
        labels_json: serde_json::to_string(&labels).unwrap_or_default(),
        from: day(period.from),
        to: day(period.to - Duration::seconds(1)),
        after_delivery: card(&report.after_delivery_7_days),
        after_service: card(&report.after_service_3_days),
        people_json: serde_json::to_string(&people_rows).unwrap_or_default(),
        channels_json: serde_json::to_string(&channel_rows).unwrap_or_default(),
        people: report.people,
        channels,
        page,
    };
    render(&template)
}
