//! Supplier orders: the day's replenishment suggestion (quantities editable, lines ticked)
//! becomes a sent order; an order's page takes the receipts line by line, which also tells the
//! special orders among them that their part has arrived.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Days, NaiveDate};
use fours_domain::access::Permission;
use fours_domain::money::format_fen;
use fours_domain::parts::parse_quantity;
use fours_store::StoreError;
use fours_store::org::Actor;
use fours_store::parts::catalogue;
use fours_store::parts::supplier::{
    self, OrderFilter, OrderLineInput, ReceiptInput, ReceiptLine, SupplierOrderInput,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{StorePick, StoreQuery, answer, people, qty, store_pick};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::filled;
use crate::ui::sales::{Values, page_requiring, uuid_field};
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/parts/supplier-orders", get(list_page).post(create))
        .route("/parts/supplier-orders/{id}", get(order_page))
        .route("/parts/supplier-orders/{id}/send", post(send))
        .route("/parts/supplier-orders/{id}/receipt", post(receive))
}

pub struct SuggestionRow {
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub on_hand: String,
    pub on_order: String,
    pub demand: String,
    pub levels: String,
    pub suggested: String,
    pub unit_cost: String,
}

pub struct OrderRow {
    pub id: Uuid,
    pub number: String,
    pub supplier: String,
    pub status: String,
    pub status_label: String,
    pub expected_on: String,
    pub created: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "parts_supplier_orders.html")]
struct ListTemplate {
    page: Page,
    stores: StorePick,
    suggestions: Vec<SuggestionRow>,
    orders: Vec<OrderRow>,
    expected_on: String,
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
    let db = &state.db.conn;
    let stores = store_pick(state, actor, store_id).await;
    let suggestions = supplier::suggestions(db, actor, stores.current)
        .await
        .unwrap_or_default();
    let lead_days = match stores.current {
        Some(store) => catalogue::policy(db, actor.tenant_id, store)
            .await
            .map(|p| p.lead_time_days)
            .unwrap_or(0),
        None => 0,
    };
    let today = fours_store::service::appointments::store_day(db, actor, 0).await;
    let expected_on = (today + Days::new(u64::from(lead_days.max(1)))).to_string();
    let people = people(state, actor).await;
    let orders = supplier::list(db, actor, &OrderFilter::default())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| OrderRow {
            id: o.id,
            status_label: page.t(&format!("parts.supplier_status.{}", o.status)),
            expected_on: o.expected_on.map(|d| d.to_string()).unwrap_or_default(),
            created: page.local_time(o.created_at),
            by: super::name_in(&people, Some(o.created_by)),
            status: o.status,
            number: o.number,
            supplier: o.supplier,
        })
        .collect();
    render(&ListTemplate {
        suggestions: suggestions
            .into_iter()
            .map(|s| SuggestionRow {
                part_id: s.part_id,
                part_number: s.part_number,
                name: s.name,
                on_hand: qty(s.on_hand),
                on_order: qty(s.on_order),
                demand: qty(s.demand),
                levels: format!("{} / {}", qty(s.min_level), qty(s.max_level)),
                suggested: qty(s.suggested),
                unit_cost: format_fen(s.unit_cost_fen),
            })
            .collect(),
        orders,
        expected_on,
        stores,
        error,
        page,
    })
}

fn expected(values: &Values) -> Result<Option<NaiveDate>, StoreError> {
    match filled(values, "expected_on") {
        Some(day) => day
            .parse()
            .map(Some)
            .map_err(|_| StoreError::invalid("expected_on", "date.format")),
        None => Ok(None),
    }
}

/// The ticked suggestion lines (`pick_<part>`) with their quantities (`qty_<part>`), ordered
/// and sent at once.
async fn create(
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
    let change = async {
        let mut lines = Vec::new();
        let mut picked: Vec<(&String, Uuid)> = values
            .keys()
            .filter_map(|key| Some((key, key.strip_prefix("pick_")?.parse().ok()?)))
            .collect();
        picked.sort();
        for (_, part_id) in picked {
            let typed = filled(&values, &format!("qty_{part_id}")).unwrap_or_default();
            let quantity = parse_quantity(&typed)
                .map_err(|invalid| StoreError::invalid("lines", invalid.0))?;
            lines.push(OrderLineInput {
                part_id,
                quantity,
                unit_cost_fen: None,
            });
        }
        let input = SupplierOrderInput {
            store_id,
            supplier: filled(&values, "supplier").unwrap_or_default(),
            expected_on: expected(&values)?,
            lines,
            send: true,
        };
        supplier::create(&state.db, &actor, &input).await
    };
    let outcome = change.await;
    answer(
        page,
        outcome,
        |order| format!("/parts/supplier-orders/{}", order.order.id),
        async |page, text| list_view(&state, page, &actor, store_id, Some(text)).await,
    )
    .await
}

pub struct LineRow {
    pub id: Uuid,
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub quantity: String,
    pub received: String,
    pub outstanding: String,
    pub open: bool,
    pub unit_cost: String,
    pub special: bool,
}

#[derive(Template)]
#[template(path = "parts_supplier_order.html")]
struct OrderTemplate {
    page: Page,
    id: Uuid,
    number: String,
    supplier: String,
    status: String,
    status_label: String,
    expected_on: String,
    sent: String,
    lines: Vec<LineRow>,
    error: Option<String>,
}

impl OrderTemplate {
    fn receivable(&self) -> bool {
        matches!(
            self.status.as_str(),
            supplier::SENT | supplier::PARTLY_RECEIVED
        )
    }
}

async fn order_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => order_view(&state, page, &actor, id, None).await,
        Err(denied) => denied,
    }
}

async fn order_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    error: Option<String>,
) -> Response {
    let detail = match supplier::detail(&state.db.conn, actor, id).await {
        Ok(detail) => detail,
        Err(error) => return error_page(&page, error.into()),
    };
    let order = detail.order;
    render(&OrderTemplate {
        id: order.id,
        number: order.number,
        supplier: order.supplier,
        status_label: page.t(&format!("parts.supplier_status.{}", order.status)),
        status: order.status,
        expected_on: order.expected_on.map(|d| d.to_string()).unwrap_or_default(),
        sent: order
            .sent_at
            .map(|t| page.local_time(t))
            .unwrap_or_default(),
        lines: detail
            .lines
            .into_iter()
            .map(|l| {
                let outstanding = (l.line.quantity - l.line.received).max(0);
                LineRow {
                    id: l.line.id,
                    part_id: l.line.part_id,
                    part_number: l.part_number,
                    name: l.part_name,
                    quantity: qty(l.line.quantity),
                    received: qty(l.line.received),
                    outstanding: qty(outstanding),
                    open: outstanding > 0,
                    unit_cost: format_fen(l.line.unit_cost_fen),
                    special: l.line.special_order_id.is_some(),
                }
            })
            .collect(),
        error,
        page,
    })
}

async fn send(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let outcome = supplier::send(&state.db, &actor, id).await;
    answer(
        page,
        outcome,
        |_| format!("/parts/supplier-orders/{id}"),
        async |page, text| order_view(&state, page, &actor, id, Some(text)).await,
    )
    .await
}

/// The goods that came in: `receive_<line>` units (and `cost_<line>` in yuan when the invoice
/// says otherwise) for each line filled in.
async fn receive(
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
        let mut lines = Vec::new();
        let mut typed: Vec<(Uuid, String)> = values
            .iter()
            .filter_map(|(key, value)| {
                let line = key.strip_prefix("receive_")?.parse().ok()?;
                let value = value.trim();
                (!value.is_empty()).then(|| (line, value.to_owned()))
            })
            .collect();
        typed.sort();
        for (line_id, quantity) in typed {
            let quantity = parse_quantity(&quantity)
                .map_err(|invalid| StoreError::invalid("quantity", invalid.0))?;
            let unit_cost_fen = match filled(&values, &format!("cost_{line_id}")) {
                Some(cost) => Some(
                    fours_domain::money::parse_yuan(&cost)
                        .map_err(|invalid| StoreError::invalid("unit_cost_fen", invalid.0))?,
                ),
                None => None,
            };
            lines.push(ReceiptLine {
                line_id,
                quantity,
                unit_cost_fen,
            });
        }
        supplier::receive(&state.db, &actor, id, &ReceiptInput { lines }).await
    };
    let outcome = change.await;
    answer(
        page,
        outcome,
        |_| format!("/parts/supplier-orders/{id}"),
        async |page, text| order_view(&state, page, &actor, id, Some(text)).await,
    )
    .await
}
