//! Stock-takes (盘点): start one for the whole store or an area, fill in the count sheet, hand
//! it in, and the parts manager approves the variances (which move stock) or sends it back.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::parts::parse_quantity;
use fours_store::StoreError;
use fours_store::org::Actor;
use fours_store::parts::takes::{self, Count, CountInput, StockTakeInput};
use tower_sessions::Session;
use uuid::Uuid;

use super::{StorePick, StoreQuery, answer, name_in, people, qty, store_pick};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::filled;
use crate::ui::sales::{Values, page_requiring, uuid_field};
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/parts/stock-takes", get(list_page).post(start))
        .route("/parts/stock-takes/{id}", get(take_page))
        .route("/parts/stock-takes/{id}/counts", post(count))
        .route("/parts/stock-takes/{id}/decision", post(decide))
}

pub struct TakeRow {
    pub id: Uuid,
    pub number: String,
    pub area: String,
    pub status: String,
    pub status_label: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "parts_stock_takes.html")]
struct ListTemplate {
    page: Page,
    stores: StorePick,
    takes: Vec<TakeRow>,
    error: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<StoreQuery>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => list_view(&state, page, &actor, query.store_id, None).await,
        Err(denied) => denied,
    }
}

async fn list_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    store_id: Option<Uuid>,
    error: Option<String>,
) -> Response {
    let people = people(state, actor).await;
    let takes = takes::list(&state.db.conn, actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| TakeRow {
            id: t.id,
            number: t.number,
            area: t.area.unwrap_or_else(|| page.t("parts.takes.whole_store")),
            status_label: page.t(&format!("parts.take_status.{}", t.status)),
            status: t.status,
            created: format!(
                "{} · {}",
                page.local_time(t.created_at),
                name_in(&people, Some(t.created_by))
            ),
        })
        .collect();
    render(&ListTemplate {
        stores: store_pick(state, actor, store_id).await,
        takes,
        error,
        page,
    })
}

async fn start(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let store_id = uuid_field(&values, "store_id");
    let input = StockTakeInput {
        store_id,
        area: filled(&values, "area"),
    };
    let outcome = takes::create(&state.db, &actor, &input).await;
    answer(
        page,
        outcome,
        |take| format!("/parts/stock-takes/{}", take.take.id),
        async |page, text| list_view(&state, page, &actor, store_id, Some(text)).await,
    )
    .await
}

pub struct SheetLine {
    pub id: Uuid,
    pub bin: String,
    pub part_number: String,
    pub name: String,
    pub expected: String,
    pub counted: String,
    pub variance: String,
    /// −1 short, 0 none or not counted, +1 over.
    pub direction: i8,
}

#[derive(Template)]
#[template(path = "parts_stock_take.html")]
struct SheetTemplate {
    page: Page,
    id: Uuid,
    number: String,
    area: String,
    status: String,
    status_label: String,
    decided: String,
    lines: Vec<SheetLine>,
    error: Option<String>,
}

async fn take_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => take_view(&state, page, &actor, id, None).await,
        Err(denied) => denied,
    }
}

async fn take_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    error: Option<String>,
) -> Response {
    let detail = match takes::detail(&state.db.conn, actor, id).await {
        Ok(detail) => detail,
        Err(error) => return error_page(&page, error.into()),
    };
    let people = people(state, actor).await;
    let take = detail.take;
    render(&SheetTemplate {
        id: take.id,
        number: take.number,
        area: take
            .area
            .unwrap_or_else(|| page.t("parts.takes.whole_store")),
        status_label: page.t(&format!("parts.take_status.{}", take.status)),
        status: take.status,
        decided: match take.decided_at {
            Some(at) => format!(
                "{} · {}",
                page.local_time(at),
                name_in(&people, take.decided_by)
            ),
            None => String::new(),
        },
        lines: detail
            .lines
            .into_iter()
            .map(|l| SheetLine {
                id: l.line.id,
                bin: l.line.bin_code.unwrap_or_default(),
                part_number: l.part_number,
                name: l.part_name,
                expected: qty(l.line.expected),
                counted: l.line.counted.map(qty).unwrap_or_default(),
                variance: l.variance.map(qty).unwrap_or_default(),
                direction: match l.variance {
                    Some(v) if v < 0 => -1,
                    Some(v) if v > 0 => 1,
                    _ => 0,
                },
            })
            .collect(),
        error,
        page,
    })
}

/// The counts typed on the sheet (`count_<line>`; "0" counts an empty shelf), saved, and
/// handed in when `submit` is pressed.
async fn count(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let change = async {
        let mut counts = Vec::new();
        let mut typed: Vec<(Uuid, String)> = values
            .iter()
            .filter_map(|(key, value)| {
                let line = key.strip_prefix("count_")?.parse().ok()?;
                let value = value.trim();
                (!value.is_empty()).then(|| (line, value.to_owned()))
            })
            .collect();
        typed.sort();
        for (line_id, counted) in typed {
            // An empty shelf is counted as 0, which a quantity to move may not be.
            let counted = match parse_quantity(&counted) {
                Ok(hundredths) => hundredths,
                Err(invalid) if invalid.0 == "quantity.positive" => 0,
                Err(invalid) => return Err(StoreError::invalid("counted", invalid.0)),
            };
            counts.push(Count { line_id, counted });
        }
        let input = CountInput {
            counts,
            submit: filled(&values, "submit").is_some_and(|v| v == "yes"),
        };
        takes::count(&state.db, &actor, id, &input).await
    };
    let outcome = change.await;
    answer(
        page,
        outcome,
        |_| format!("/parts/stock-takes/{id}"),
        async |page, text| take_view(&state, page, &actor, id, Some(text)).await,
    )
    .await
}

async fn decide(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let approve = filled(&values, "approve").is_some_and(|v| v == "yes");
    let outcome = takes::decide(&state.db, &actor, id, approve).await;
    answer(
        page,
        outcome,
        |_| format!("/parts/stock-takes/{id}"),
        async |page, text| take_view(&state, page, &actor, id, Some(text)).await,
    )
    .await
}
