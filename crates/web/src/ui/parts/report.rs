//! The parts report: stock value, turns, first-time fill rate, ABC classes and the monthly
//! issue value (drawn with ECharts), dead stock and its warning list, slow movers.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use fours_domain::access::Permission;
use fours_domain::money::format_fen;
use fours_store::parts::reports::{self, DeadStock, PartsOverview, ReportQuery};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{StorePick, qty, store_pick};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::sales::page_requiring;
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/parts/report", get(report_page))
}

#[derive(Deserialize)]
struct ReportParams {
    store_id: Option<Uuid>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

pub struct AgedRow {
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub on_hand: String,
    pub value: String,
    pub last_moved: String,
    pub dead: bool,
}

pub struct SlowRow {
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub on_hand: String,
    pub issued: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "parts_report.html")]
struct ReportTemplate {
    page: Page,
    stores: StorePick,
    from: String,
    to: String,
    stock_value: String,
    parts_in_stock: i64,
    issue_value: String,
    turns: String,
    fill_rate: String,
    fill_lines: String,
    /// (class, parts, issue value, stock value).
    abc: Vec<(String, i64, String, String)>,
    abc_json: String,
    months_json: String,
    dead_parts: i64,
    dead_value: String,
    warning_parts: i64,
    warning_value: String,
    dead_months: u32,
    warning_months: u32,
    aged: Vec<AgedRow>,
    slow: Vec<SlowRow>,
}

/// Hundredths as a decimal with two places: 350 → "3.50".
fn hundredths(value: i64) -> String {
    format!("{}.{:02}", value / 100, (value % 100).abs())
}

async fn report_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(params): Query<ReportParams>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let stores = store_pick(&state, &actor, params.store_id).await;
    let query = ReportQuery {
        store_id: stores.current,
        from: params.from,
        to: params.to,
        limit: Some(50),
    };
    let db = &state.db.conn;
    let found = async {
        let overview = reports::overview(db, &actor, &query).await?;
        let dead = reports::dead_stock(db, &actor, &query).await?;
        Ok::<_, fours_store::StoreError>((overview, dead))
    };
    let (overview, dead): (PartsOverview, DeadStock) = match found.await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let abc_rows: Vec<(String, i64, i64, i64)> = overview
        .abc
        .iter()
        .map(|a| {
            (
                a.class.clone(),
                a.parts,
                a.issue_value_fen,
                a.stock_value_fen,
            )
        })
        .collect();
    let months: Vec<(String, i64)> = overview
        .months
        .iter()
        .map(|m| (m.month.clone(), m.issue_value_fen))
        .collect();
    let fill = &overview.fill_rate;
    let template = ReportTemplate {
        from: fill.from.to_string(),
        to: fill.to.to_string(),
        stock_value: format_fen(overview.stock_value_fen),
        parts_in_stock: overview.parts_in_stock,
        issue_value: format_fen(overview.issue_value_12_months_fen),
        turns: overview
            .turns_hundredths
            .map(hundredths)
            .unwrap_or_else(|| "—".into()),
        fill_rate: fill
            .fill_rate_bp
            .map(|bp| format!("{}%", hundredths(bp)))
            .unwrap_or_else(|| "—".into()),
        fill_lines: format!(
            "{} / {}",
            fill.lines_filled_first_time, fill.lines_requested
        ),
        abc: abc_rows
            .iter()
            .map(|(class, parts, issued, stock)| {
                (
                    class.clone(),
                    *parts,
                    format_fen(*issued),
                    format_fen(*stock),
                )
            })
            .collect(),
        abc_json: serde_json::to_string(&abc_rows).unwrap_or_default(),
        months_json: serde_json::to_string(&months).unwrap_or_default(),
        dead_parts: dead.dead_parts,
        dead_value: format_fen(dead.dead_value_fen),
        warning_parts: dead.warning_parts,
        warning_value: format_fen(dead.warning_value_fen),
        dead_months: dead.dead_months,
        warning_months: dead.warning_months,
        aged: dead
            .parts
            .into_iter()
            .map(|p| AgedRow {
                part_id: p.part_id,
                part_number: p.part_number,
                name: p.name,
                on_hand: qty(p.on_hand),
                value: format_fen(p.value_fen),
                last_moved: p
                    .last_moved_at
                    .map(|t| page.local_time(t))
                    .unwrap_or_else(|| page.t("parts.report.never_moved")),
                dead: p.ageing == "dead",
            })
            .collect(),
        slow: overview
            .slow_movers
            .into_iter()
            .map(|s| SlowRow {
                part_id: s.part_id,
                part_number: s.part_number,
                name: s.name,
                on_hand: qty(s.on_hand),
                issued: qty(s.issued_12_months),
                value: format_fen(s.value_fen),
            })
            .collect(),
        stores,
        page,
    };
    render(&template)
}
