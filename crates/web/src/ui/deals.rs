//! The deal on the prospect page: test drives (with a printable agreement), quotes and their
//! approval, the order with a car from stock, and the delivery checklist; and the stock list.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::money::format_fen;
use fours_domain::sales::quote::FINANCE_TERMS;
use fours_store::org::Actor;
use fours_store::sales::deals::{self, QuoteInput, TestDriveInput, TestDriveReturn};
use fours_store::sales::entities::lead;
use fours_store::sales::orders::{self, DeliveryInput, OrderInput, PAYMENT_METHODS, StockInput};
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{filled, number};
use super::sales::{Values, fen, lead_change, page_requiring, unless_invalid, uuid_field};
use super::{Page, error_page, render};
use crate::AppState;
use crate::auth::PageCaller;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leads/{id}/test-drives", post(start_test_drive))
        .route("/leads/{id}/quotes", post(create_quote))
        .route("/leads/{id}/orders", post(place_order))
        .route("/test-drives/{id}/return", post(finish_test_drive))
        .route("/test-drives/{id}/agreement", get(agreement))
        .route("/quotes/{id}/decision", post(decide_quote))
        .route("/orders/{id}/delivery", post(deliver))
        .route("/stock", get(stock_page).post(add_stock))
}

pub struct DriveRow {
    pub id: Uuid,
    pub vehicle: String,
    pub out_at: String,
    pub back: bool,
    pub feedback: String,
}

pub struct QuoteRow {
    pub id: Uuid,
    pub vehicle: String,
    pub deal: String,
    pub customer_pays: String,
    pub approval: String,
    pub pending: bool,
    pub usable: bool,
}

pub struct OrderRow {
    pub id: Uuid,
    pub number: String,
    pub open: bool,
    pub has_car: bool,
}

/// What the prospect page shows of the deal.
#[derive(Default)]
pub struct DealPanel {
    pub drives: Vec<DriveRow>,
    pub quotes: Vec<QuoteRow>,
    pub orders: Vec<OrderRow>,
    /// Cars in stock at the store: (id, description).
    pub stock: Vec<(String, String)>,
    pub payment_methods: Vec<(String, String)>,
    pub terms: Vec<u32>,
}

pub async fn deal_panel(
    state: &AppState,
    page: &Page,
    actor: &Actor,
    lead: &lead::Model,
) -> DealPanel {
    let db = &state.db.conn;
    let drives = deals::test_drives(db, lead).await.unwrap_or_default();
    let quotes = deals::quotes(db, lead).await.unwrap_or_default();
    let placed = orders::orders_of_lead(db, actor, lead)
        .await
        .unwrap_or_default();
    let stock = orders::stock(db, actor, Some(orders::STOCK_IN_STOCK))
        .await
        .unwrap_or_default();
    DealPanel {
        drives: drives
            .into_iter()
            .map(|d| DriveRow {
                id: d.id,
                vehicle: d.demo_vehicle,
                out_at: page.local_time(d.out_at),
                back: d.in_at.is_some(),
                feedback: d.feedback.unwrap_or_default(),
            })
            .collect(),
        quotes: quotes
            .into_iter()
            .map(|q| QuoteRow {
                id: q.id,
                vehicle: q.vehicle,
                deal: format_fen(q.deal_fen),
                customer_pays: format_fen(q.customer_pays_fen),
                pending: q.approval == deals::APPROVAL_PENDING,
                usable: [deals::APPROVAL_APPROVED, deals::APPROVAL_NOT_NEEDED]
                    .contains(&q.approval.as_str()),
                approval: page.t(&format!("approval.{}", q.approval)),
            })
            .collect(),
        orders: placed
            .into_iter()
            .map(|o| OrderRow {
                id: o.id,
                number: o.number,
                open: o.status == "open",
                has_car: o.stock_id.is_some(),
            })
            .collect(),
        stock: stock
            .into_iter()
            .map(|c| {
                let colour = c.colour.unwrap_or_default();
                (
                    c.id.to_string(),
                    format!("{} {} {} {colour} {}", c.brand, c.series, c.model, c.vin),
                )
            })
            .collect(),
        payment_methods: PAYMENT_METHODS
            .iter()
            .map(|m| ((*m).to_owned(), page.t(&format!("payment.{m}"))))
            .collect(),
        terms: FINANCE_TERMS.to_vec(),
    }
}

/// The lead a form about one of its records came from (to return to its page).
fn lead_of(values: &Values) -> Uuid {
    uuid_field(values, "lead_id").unwrap_or_default()
}

async fn start_test_drive(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let mut errors = Vec::new();
    let input = TestDriveInput {
        demo_vehicle: filled(&values, "demo_vehicle"),
        licence_number: filled(&values, "licence_number"),
        licence_checked: Some(values.contains_key("licence_checked")),
        out_km: number(&values, "out_km", &mut errors),
        route: filled(&values, "route"),
        ..Default::default()
    };
    let change = unless_invalid(
        errors,
        deals::start_test_drive(&state.db, &actor, id, &input),
    );
    lead_change(&state, &session, &actor, id, Permission::LeadWork, change).await
}

async fn finish_test_drive(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let mut errors = Vec::new();
    let input = TestDriveReturn {
        in_km: number(&values, "in_km", &mut errors),
        feedback: filled(&values, "feedback"),
        ..Default::default()
    };
    let change = unless_invalid(
        errors,
        deals::finish_test_drive(&state.db, &actor, id, &input),
    );
    lead_change(
        &state,
        &session,
        &actor,
        lead_of(&values),
        Permission::LeadWork,
        change,
    )
    .await
}

#[derive(Template)]
#[template(path = "test_drive_agreement.html")]
struct AgreementTemplate {
    page: Page,
    customer: String,
    vehicle: String,
    licence: String,
    out_at: String,
    route: String,
}

/// The test-drive agreement to print and sign (试乘试驾协议).
async fn agreement(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::LeadWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let drive = match deals::test_drive(&state.db.conn, &actor, id).await {
        Ok(drive) => drive,
        Err(error) => return error_page(&page, error.into()),
    };
    let customer = match fours_store::sales::leads::get(&state.db.conn, &actor, drive.lead_id).await
    {
        Ok(lead) => fours_store::customers::get(&state.db.conn, &actor, lead.customer_id)
            .await
            .map(|c| c.name)
            .unwrap_or_default(),
        Err(error) => return error_page(&page, error.into()),
    };
    render(&AgreementTemplate {
        customer,
        vehicle: drive.demo_vehicle,
        licence: drive.licence_masked,
        out_at: page.local_time(drive.out_at),
        route: drive.route.unwrap_or_default(),
        page,
    })
}

async fn create_quote(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let mut errors = Vec::new();
    let input = QuoteInput {
        vehicle: filled(&values, "vehicle"),
        vehicle_price_fen: fen(&values, "vehicle_price_fen", &mut errors),
        discount_fen: fen(&values, "discount_fen", &mut errors),
        accessories_fen: fen(&values, "accessories_fen", &mut errors),
        insurance_fen: fen(&values, "insurance_fen", &mut errors),
        fees_fen: fen(&values, "fees_fen", &mut errors),
        trade_in_credit_fen: fen(&values, "trade_in_credit_fen", &mut errors),
        down_payment_fen: fen(&values, "down_payment_fen", &mut errors),
        finance_term_months: filled(&values, "finance_term_months").and_then(|t| t.parse().ok()),
    };
    let change = unless_invalid(errors, deals::create_quote(&state.db, &actor, id, &input));
    lead_change(&state, &session, &actor, id, Permission::LeadWork, change).await
}

async fn decide_quote(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let approve = filled(&values, "approve").as_deref() == Some("true");
    let change = deals::decide_quote(&state.db, &actor, id, approve);
    lead_change(
        &state,
        &session,
        &actor,
        lead_of(&values),
        Permission::SalesManage,
        change,
    )
    .await
}

async fn place_order(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let mut errors = Vec::new();
    let input = OrderInput {
        quote_id: uuid_field(&values, "quote_id"),
        stock_id: uuid_field(&values, "stock_id"),
        deposit_fen: fen(&values, "deposit_fen", &mut errors),
        payment_method: filled(&values, "payment_method"),
        expected_delivery_on: filled(&values, "expected_delivery_on").and_then(|d| d.parse().ok()),
    };
    let change = unless_invalid(errors, orders::place_order(&state.db, &actor, id, &input));
    lead_change(&state, &session, &actor, id, Permission::LeadWork, change).await
}

async fn deliver(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let ticked = |name: &str| Some(values.contains_key(name));
    let input = DeliveryInput {
        documents_checked: ticked("documents_checked"),
        functions_explained: ticked("functions_explained"),
        first_service_reminder: ticked("first_service_reminder"),
        referral_asked: ticked("referral_asked"),
        plate: filled(&values, "plate"),
        notes: filled(&values, "notes"),
    };
    let change = orders::deliver(&state.db, &actor, id, &input);
    lead_change(
        &state,
        &session,
        &actor,
        lead_of(&values),
        Permission::LeadWork,
        change,
    )
    .await
}

#[derive(Template)]
#[template(path = "stock.html")]
struct StockTemplate {
    page: Page,
    cars: Vec<(String, String, String, String)>,
    can_add: bool,
    error: Option<String>,
}

async fn stock_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    error: Option<String>,
) -> Response {
    let cars = match orders::stock(&state.db.conn, actor, None).await {
        Ok(cars) => cars,
        Err(error) => return error_page(&page, error.into()),
    };
    render(&StockTemplate {
        cars: cars
            .into_iter()
            .map(|c| {
                (
                    c.vin,
                    format!(
                        "{} {} {} {}",
                        c.brand,
                        c.series,
                        c.model,
                        c.colour.unwrap_or_default()
                    ),
                    format_fen(c.list_price_fen),
                    page.t(&format!("stock.{}", c.status)),
                )
            })
            .collect(),
        can_add: page.can(Permission::SalesManage),
        page,
        error,
    })
}

async fn stock_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::LeadWork).await {
        Ok(page) => stock_view(&state, page, &actor, None).await,
        Err(denied) => denied,
    }
}

async fn add_stock(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::SalesManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let input = StockInput {
        vin: filled(&values, "vin"),
        brand: filled(&values, "brand"),
        series: filled(&values, "series"),
        model: filled(&values, "model"),
        trim: filled(&values, "trim"),
        colour: filled(&values, "colour"),
        list_price_fen: fen(&values, "list_price_fen", &mut errors),
        store_id: None,
    };
    let added = unless_invalid(errors, orders::add_stock(&state.db, &actor, &input)).await;
    match added {
        Ok(_) => Redirect::to("/stock").into_response(),
        Err(error) => {
            let message = super::sales::message(&page, &error);
            match message {
                Some(text) => stock_view(&state, page, &actor, Some(text)).await,
                None => error_page(&page, error.into()),
            }
        }
    }
}
