//! Special orders for customers (客户订件): the parts manager's list of open orders (review,
//! order from the maker, receive through the supplier order, send back unclaimed parts), the
//! advisor team's list of parts waiting for their customer (take, tell the customer, book the
//! fitting), and the small panel the repair-order and customer pages show with the request form.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use fours_domain::access::Permission;
use fours_domain::parts::special_order::Status;
use fours_domain::service::order::Status as OrderStatus;
use fours_store::StoreError;
use fours_store::error::FieldError;
use fours_store::org::Actor;
use fours_store::parts::catalogue;
use fours_store::parts::special::{
    self, BookInput, PlaceInput, SpecialOrderFilter, SpecialOrderInput, SpecialOrderView,
};
use fours_store::service::appointments::{self, AppointmentFilter};
use fours_store::service::orders;
use fours_store::vehicles as vehicle_ops;
use tower_sessions::Session;
use uuid::Uuid;

use super::{answer, explain, local_path, name_in, people, qty, typed_quantity};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::filled;
use crate::ui::sales::{Values, fen, page_requiring, unless_invalid, uuid_field};
use crate::ui::{Page, error_page, page_for, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/parts/special-orders", get(list_page).post(request))
        .route("/parts/special-orders/{id}/{action}", post(act))
}

/// Who did a step, and when.
pub struct StepRow {
    pub label: String,
    pub by: String,
    pub at: String,
    pub note: String,
}

pub struct SpecialRow {
    pub id: Uuid,
    pub number: String,
    pub part: String,
    pub quantity: String,
    pub customer: String,
    pub car: String,
    pub status: String,
    pub status_label: String,
    pub not_contacted: bool,
    pub return_due: bool,
    pub supplier_order_id: Option<Uuid>,
    /// "一汽-大众配件中心 · 2026-12-03" once ordered.
    pub ordered: String,
    pub arrived_on: String,
    /// The fitting appointment, once booked.
    pub booked: String,
    pub repair_order_id: Option<Uuid>,
    pub steps: Vec<StepRow>,
    /// The car's coming appointments to book the fitting into: (id, "number time").
    pub appointments: Vec<(String, String)>,
}

impl SpecialRow {
    pub fn is(&self, status: &str) -> bool {
        self.status == status
    }

    /// The part is in the store, kept for its customer.
    pub fn on_the_shelf(&self) -> bool {
        Status::parse(&self.status).is_some_and(Status::on_the_shelf)
    }
}

async fn car_of(
    state: &AppState,
    actor: &Actor,
    vehicle_id: Uuid,
    known: &mut HashMap<Uuid, String>,
) -> String {
    if let Some(car) = known.get(&vehicle_id) {
        return car.clone();
    }
    let car = vehicle_ops::get(&state.db.conn, actor, vehicle_id)
        .await
        .map(|v| vehicle_ops::describe(&v))
        .unwrap_or_default();
    known.insert(vehicle_id, car.clone());
    car
}

/// The car's appointments still to come (booked or confirmed, from today on).
async fn upcoming(
    state: &AppState,
    page: &Page,
    actor: &Actor,
    vehicle_id: Option<Uuid>,
) -> Vec<(String, String)> {
    let Some(vehicle_id) = vehicle_id else {
        return Vec::new();
    };
    let db = &state.db.conn;
    let today = appointments::store_day(db, actor, 0).await;
    let filter = AppointmentFilter {
        vehicle_id: Some(vehicle_id),
        ..Default::default()
    };
    appointments::list(db, actor, &filter)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.service_day >= today && matches!(a.status.as_str(), "booked" | "confirmed"))
        .map(|a| {
            (
                a.id.to_string(),
                format!("{} {}", a.number, page.local_time(a.arrive_at)),
            )
        })
        .collect()
}

/// The special orders a filter finds, as the lists and panels show them.
pub(super) async fn rows(
    state: &AppState,
    page: &Page,
    actor: &Actor,
    filter: &SpecialOrderFilter,
) -> Vec<SpecialRow> {
    let db = &state.db.conn;
    let found: Vec<SpecialOrderView> = special::list(db, actor, filter).await.unwrap_or_default();
    let people = people(state, actor).await;
    let mut cars = HashMap::new();
    let mut histories = special::histories(db, actor, found.iter().map(|v| v.order.id))
        .await
        .unwrap_or_default();
    let mut rows = Vec::with_capacity(found.len());
    for view in found {
        let order = &view.order;
        let steps = histories
            .remove(&order.id)
            .unwrap_or_default()
            .into_iter()
            .map(|s| StepRow {
                label: page.t(&format!("parts.special_status.{}", s.status)),
                by: name_in(&people, s.by_user),
                at: page.local_time(s.at),
                note: s.note.unwrap_or_default(),
            })
            .collect();
        let car = match order.vehicle_id {
            Some(vehicle_id) => car_of(state, actor, vehicle_id, &mut cars).await,
            None => String::new(),
        };
        let appointments = if order.status == Status::CustomerNotified.as_str() {
            upcoming(state, page, actor, order.vehicle_id).await
        } else {
            Vec::new()
        };
        let booked = match order.booked_appointment_id {
            Some(id) => appointments::get(db, actor, id)
                .await
                .map(|a| format!("{} {}", a.number, page.local_time(a.arrive_at)))
                .unwrap_or_default(),
            None => String::new(),
        };
        let ordered = match (&order.supplier, order.expected_on) {
            (Some(supplier), Some(day)) => format!("{supplier} · {day}"),
            (Some(supplier), None) => supplier.clone(),
            _ => String::new(),
        };
        rows.push(SpecialRow {
            id: order.id,
            number: order.number.clone(),
            part: format!("{} {}", view.part_number, view.part_name),
            quantity: qty(order.quantity),
            customer: view.customer_name.clone(),
            car,
            status_label: page.t(&format!("parts.special_status.{}", order.status)),
            status: order.status.clone(),
            not_contacted: view.customer_not_contacted,
            return_due: view.return_due,
            supplier_order_id: order.supplier_order_id,
            ordered,
            arrived_on: order.arrived_on.map(|d| d.to_string()).unwrap_or_default(),
            booked,
            repair_order_id: order.repair_order_id,
            steps,
            appointments,
        });
    }
    rows
}

/// The special-order panel of a repair order's or a customer's page, with the request form.
pub struct SpecialPanel {
    /// Only service and parts staff see special orders.
    pub shown: bool,
    pub rows: Vec<SpecialRow>,
    pub can_request: bool,
    pub repair_order_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    /// The customer's cars, on the customer page: (id, description).
    pub vehicles: Vec<(String, String)>,
    pub error: Option<String>,
    pub part_number: String,
    pub quantity: String,
}

/// What the panel is about.
#[derive(Clone, Copy)]
pub enum PanelFor {
    RepairOrder(Uuid),
    Customer(Uuid),
}

pub async fn special_panel(
    state: &AppState,
    page: &Page,
    actor: &Actor,
    about: PanelFor,
) -> SpecialPanel {
    let db = &state.db.conn;
    let mut panel = SpecialPanel {
        shown: page.can(Permission::ServiceRead),
        rows: Vec::new(),
        can_request: false,
        repair_order_id: None,
        customer_id: None,
        vehicles: Vec::new(),
        error: None,
        part_number: String::new(),
        quantity: "1".to_owned(),
    };
    if !panel.shown {
        return panel;
    }
    let may_request = page.can(Permission::ServiceBook);
    let (filter, can_request, vehicles) = match about {
        PanelFor::RepairOrder(id) => {
            let open = orders::get(db, actor, id).await.is_ok_and(|o| {
                !matches!(
                    OrderStatus::parse(&o.status),
                    Some(OrderStatus::Settled | OrderStatus::Closed | OrderStatus::Cancelled)
                )
            });
            let filter = SpecialOrderFilter {
                repair_order_id: Some(id),
                ..Default::default()
            };
            (filter, may_request && open, Vec::new())
        }
        PanelFor::Customer(id) => {
            let filter = SpecialOrderFilter {
                customer_id: Some(id),
                ..Default::default()
            };
            let cars = if may_request {
                vehicle_ops::of_customer(db, actor, id)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| (v.id.to_string(), vehicle_ops::describe(&v)))
                    .collect()
            } else {
                Vec::new()
            };
            // Without a repair order the request is for the user's own store.
            (filter, may_request && actor.store_id.is_some(), cars)
        }
    };
    panel.rows = rows(state, page, actor, &filter).await;
    panel.can_request = can_request;
    panel.vehicles = vehicles;
    match about {
        PanelFor::RepairOrder(id) => panel.repair_order_id = Some(id),
        PanelFor::Customer(id) => panel.customer_id = Some(id),
    }
    panel
}

#[derive(Template)]
#[template(path = "parts_special_panel.html")]
struct PanelTemplate<'a> {
    page: &'a Page,
    special: SpecialPanel,
}

/// An advisor (or customer care) asks for a part for a customer, from the repair order's or
/// the customer's page. htmx swaps the panel; without it the browser goes back to the page.
async fn request(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    headers: HeaderMap,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceBook).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let order_id = uuid_field(&values, "repair_order_id");
    let about = match (order_id, uuid_field(&values, "customer_id")) {
        (Some(id), _) => PanelFor::RepairOrder(id),
        (None, Some(id)) => PanelFor::Customer(id),
        (None, None) => return error_page(&page, StoreError::NotFound.into()),
    };
    let mut errors = Vec::new();
    let quantity = typed_quantity(&values, "quantity", &mut errors);
    let change = async {
        let number = filled(&values, "part_number")
            .ok_or_else(|| StoreError::invalid("part_number", "required"))?;
        let part = catalogue::by_number(&state.db.conn, actor.tenant_id, &number)
            .await?
            .ok_or_else(|| StoreError::invalid("part_number", "reference.not_found"))?;
        let (customer_id, vehicle_id) = match about {
            PanelFor::RepairOrder(id) => {
                let order = orders::get(&state.db.conn, &actor, id)
                    .await
                    .map_err(|_| StoreError::invalid("repair_order_id", "reference.not_found"))?;
                (order.customer_id, Some(order.vehicle_id))
            }
            PanelFor::Customer(id) => (id, uuid_field(&values, "vehicle_id")),
        };
        let input = SpecialOrderInput {
            part_id: part.id,
            quantity: quantity.unwrap_or(0),
            customer_id,
            vehicle_id,
            repair_order_id: order_id,
            appointment_id: None,
            note: filled(&values, "note"),
            store_id: None,
        };
        special::create(&state.db, &actor, &input).await
    };
    let outcome = unless_invalid(errors, change).await;
    if !headers.contains_key("hx-request") {
        let back = local_path(&values, "back").unwrap_or_else(|| "/parts/special-orders".into());
        return match outcome {
            Ok(_) => Redirect::to(&back).into_response(),
            Err(error) => error_page(&page, error.into()),
        };
    }
    let mut panel = special_panel(&state, &page, &actor, about).await;
    if let Err(error) = outcome {
        panel.error = Some(explain(&page, &error).unwrap_or_else(|| {
            crate::error::ApiError::from(error)
                .body(page.locale)
                .error
                .message
        }));
        panel.part_number = filled(&values, "part_number").unwrap_or_default();
        panel.quantity = filled(&values, "quantity").unwrap_or_default();
    }
    render(&PanelTemplate {
        page: &page,
        special: panel,
    })
}

#[derive(Template)]
#[template(path = "parts_special_orders.html")]
struct ListTemplate {
    page: Page,
    /// Parts in the store waiting for the advisor team (arrived, taken, customer told).
    team: Vec<SpecialRow>,
    /// Every other open order: to review, to order, on order, booked for fitting.
    others: Vec<SpecialRow>,
    can_manage: bool,
    can_book: bool,
    error: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => list_view(&state, page, &actor, None).await,
        Err(denied) => denied,
    }
}

async fn list_view(state: &AppState, page: Page, actor: &Actor, error: Option<String>) -> Response {
    let filter = SpecialOrderFilter {
        open: Some(true),
        ..Default::default()
    };
    let (team, others) = rows(state, &page, actor, &filter)
        .await
        .into_iter()
        .partition(|row| Status::parse(&row.status).is_some_and(Status::awaits_advisor));
    render(&ListTemplate {
        team,
        others,
        can_manage: page.can(Permission::PartsManage),
        can_book: page.can(Permission::ServiceBook),
        error,
        page,
    })
}

/// The parts department reviews, orders and sends back; the advisor team takes on, tells the
/// customer, books, or cancels (as the API's routes).
fn permission_for(action: &str) -> Option<Permission> {
    Some(match action {
        "review" | "order" | "return" => Permission::PartsManage,
        "take" | "notify" | "booking" | "cancel" => Permission::ServiceBook,
        _ => return None,
    })
}

fn ticked(values: &Values, name: &str) -> bool {
    matches!(
        values.get(name).map(String::as_str),
        Some("yes" | "on" | "true")
    )
}

fn day_field(
    values: &Values,
    name: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let raw = filled(values, name)?;
    let parsed = raw.parse().ok();
    if parsed.is_none() {
        errors.push(FieldError {
            field: name,
            code: "date.format",
        });
    }
    parsed
}

async fn act(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path((id, action)): Path<(Uuid, String)>,
    Form(values): Form<Values>,
) -> Response {
    let Some(permission) = permission_for(&action) else {
        let page = page_for(&state, &session, &actor).await;
        return error_page(&page, StoreError::NotFound.into());
    };
    let page = match page_requiring(&state, &session, &actor, permission).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let outcome = step(&state, &actor, id, &action, &values).await;
    let back = local_path(&values, "back").unwrap_or_else(|| "/parts/special-orders".into());
    answer(
        page,
        outcome,
        |()| back,
        async |page, text| list_view(&state, page, &actor, Some(text)).await,
    )
    .await
}

async fn step(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    action: &str,
    values: &Values,
) -> Result<(), StoreError> {
    let db = &state.db;
    let note = filled(values, "note");
    let next = match action {
        "review" if ticked(values, "approve") => Status::Approved,
        "review" => Status::Rejected,
        "take" => Status::AdvisorNotified,
        "notify" => Status::CustomerNotified,
        "cancel" => Status::Cancelled,
        "return" => Status::Returned,
        "order" => {
            let mut errors = Vec::new();
            let input = PlaceInput {
                supplier: filled(values, "supplier").unwrap_or_default(),
                expected_on: day_field(values, "expected_on", &mut errors),
                unit_cost_fen: fen(values, "unit_cost_fen", &mut errors),
            };
            unless_invalid(errors, special::place_order(db, actor, id, &input)).await?;
            return Ok(());
        }
        "booking" => {
            let appointment_id = uuid_field(values, "appointment_id")
                .ok_or_else(|| StoreError::invalid("appointment_id", "required"))?;
            special::book(db, actor, id, &BookInput { appointment_id }).await?;
            return Ok(());
        }
        _ => return Err(StoreError::NotFound),
    };
    special::step(db, actor, id, next, note).await?;
    Ok(())
}
