//! Service screens: the service desk (today's appointments, tomorrow's confirmation calls, cars
//! due for maintenance, booking, orders in the shop), reception, the repair order with every
//! life-cycle step, the workshop board, printable sheets, workshop set-up, and the customer's
//! approval page behind a signed link.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDate, Utc};
use fours_domain::access::{Permission, Role};
use fours_domain::money::format_fen;
use fours_domain::service::PayType;
use fours_domain::service::order::PauseReason;
use fours_domain::service::quality::ConcernCategory;
use fours_store::StoreError;
use fours_store::error::FieldError;
use fours_store::org::{self, Actor};
use fours_store::service::appointments::{
    self, AppointmentFilter, AppointmentInput, DueVehicle, PlannedJob, Preparation, REPAIR_TYPES,
};
use fours_store::service::campaigns::{self, CampaignInput};
use fours_store::service::claims::{self, ClaimFilter, ClaimInput, ClaimStep};
use fours_store::service::entities::appointment;
use fours_store::service::orders::{
    self, CloseInput, DAMAGE_KINDS, DamageMark, JobInput, OLD_PARTS, OrderFilter, PAYMENT_METHODS,
    PartInput, ReceptionInput, SettlementInput, SignatureInput,
};
use fours_store::service::setup::{self, BAY_KINDS, BayInput, OperationInput, ServicePolicy};
use fours_store::service::staff::{self, SKILLS, StaffInput};
use fours_store::service::workshop::{
    self, BoardCard, CheckInput, DecisionInput, DispatchInput, InternalDeliveryInput, ProposalInput,
};
use fours_store::vehicles::{self as vehicle_ops, VehicleFilter};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{filled, local_instant, number};
use super::parts::PanelFor;
use super::sales::{Values, fen, message, page_requiring, unless_invalid, uuid_field};
use super::{Page, error_page, page_for, render};
use crate::AppState;
use crate::api::service::orders::{LinkedProposals, OrderDetail, detail as order_detail, linked};
use crate::auth::{PageCaller, csrf_token};
use crate::locale;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/service", get(desk).post(book))
        .route(
            "/service/appointments/{id}/status",
            post(appointment_status),
        )
        .route(
            "/service/appointments/{id}/preparation",
            post(appointment_preparation),
        )
        .route("/service/reception", get(reception_page).post(receive))
        .route("/service/orders/{id}", get(order_page))
        .route("/service/orders/{id}/act/{action}", post(act))
        .route("/service/orders/{id}/print/{sheet}", get(print))
        .route("/service/board", get(board_page))
        .route("/service/board/cards", get(board_cards))
        .route("/service/setup", get(setup_page).post(save_setup))
        .route("/approve/{token}", get(approve_page).post(approve))
}

/// Labelled choices for a select from stored values and a translation group.
fn labelled(page: &Page, values: &[&str], group: &str) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| ((*v).to_owned(), page.t(&format!("{group}.{v}"))))
        .collect()
}

fn whole(values: &Values, name: &'static str, errors: &mut Vec<FieldError>) -> Option<u32> {
    number(values, name, errors).and_then(|n| u32::try_from(n).ok())
}

/// The car a plate, VIN or VIN tail names, when exactly one matches.
async fn vehicle_named(state: &AppState, actor: &Actor, text: &str) -> Result<Uuid, StoreError> {
    let filter = VehicleFilter {
        q: Some(text.to_owned()),
        customer_id: None,
    };
    let request = fours_store::paging::PageRequest {
        limit: Some(2),
        cursor: None,
    };
    let found = vehicle_ops::list(&state.db.conn, actor, &filter, request).await?;
    match found.items.as_slice() {
        [one] => Ok(one.id),
        _ => Err(StoreError::invalid("vehicle_id", "reference.not_found")),
    }
}

/// A car and its owner as one line: "沪A12345 大众 帕萨特 · 张三".
async fn car_line(state: &AppState, actor: &Actor, vehicle_id: Uuid) -> String {
    let Ok(car) = vehicle_ops::get(&state.db.conn, actor, vehicle_id).await else {
        return String::new();
    };
    let owner = match car.owner_id {
        Some(owner) => fours_store::customers::get(&state.db.conn, actor, owner)
            .await
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    format!("{} · {owner}", vehicle_ops::describe(&car))
}

async fn staff_names(state: &AppState, actor: &Actor) -> Vec<(Uuid, String)> {
    org::list_users(&state.db.conn, actor.tenant_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect()
}

fn name_of(people: &[(Uuid, String)], id: Option<Uuid>) -> String {
    people
        .iter()
        .find(|(pid, _)| Some(*pid) == id)
        .map(|(_, name)| name.clone())
        .unwrap_or_default()
}

pub struct AppointmentRow {
    pub id: Uuid,
    pub number: String,
    pub time: String,
    pub car: String,
    pub advisor: String,
    pub repair_type: String,
    pub status: String,
    pub status_label: String,
    pub open: bool,
    pub receivable: bool,
    pub repair_order_id: Option<Uuid>,
    /// The preparation items and whether each is ticked.
    pub preparation: Vec<(&'static str, bool)>,
    pub prepared: bool,
}

async fn appointment_rows(
    state: &AppState,
    page: &Page,
    actor: &Actor,
    found: Vec<appointment::Model>,
) -> Vec<AppointmentRow> {
    let people = staff_names(state, actor).await;
    let mut rows = Vec::with_capacity(found.len());
    for a in found {
        let ready: Preparation = serde_json::from_value(a.preparation.clone()).unwrap_or_default();
        rows.push(AppointmentRow {
            preparation: vec![
                ("advisor", ready.advisor),
                ("bay", ready.bay),
                ("parts", ready.parts),
                ("special_tools", ready.special_tools),
                ("courtesy_car", ready.courtesy_car),
            ],
            prepared: ready.complete(&a),
            time: page.local_time(a.arrive_at),
            car: car_line(state, actor, a.vehicle_id).await,
            advisor: name_of(&people, Some(a.advisor_id)),
            repair_type: page.t(&format!("repair_type.{}", a.repair_type)),
            status_label: page.t(&format!("appointment_status.{}", a.status)),
            open: matches!(a.status.as_str(), "booked" | "confirmed"),
            receivable: matches!(a.status.as_str(), "booked" | "confirmed"),
            status: a.status,
            id: a.id,
            number: a.number,
            repair_order_id: a.repair_order_id,
        });
    }
    rows
}

pub struct DueRow {
    pub car: String,
    pub plate: String,
    pub due_on: String,
    pub overdue: bool,
    pub booked: bool,
}

pub struct OrderRow {
    pub id: Uuid,
    pub number: String,
    pub car: String,
    pub status_label: String,
    pub promised: String,
}

#[derive(Template)]
#[template(path = "service_desk.html")]
struct DeskTemplate {
    page: Page,
    day: NaiveDate,
    appointments: Vec<AppointmentRow>,
    to_confirm: Vec<AppointmentRow>,
    due: Vec<DueRow>,
    orders: Vec<OrderRow>,
    repair_types: Vec<(String, String)>,
    operations: Vec<(String, String)>,
    advisors: Vec<(String, String)>,
    error: Option<String>,
    can_book: bool,
    can_receive: bool,
}

#[derive(Deserialize)]
struct DayQuery {
    day: Option<NaiveDate>,
}

async fn desk(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<DayQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    desk_view(&state, page, &actor, query.day, None).await
}

async fn desk_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    day: Option<NaiveDate>,
    error: Option<String>,
) -> Response {
    let db = &state.db.conn;
    let today = appointments::store_day(db, actor, 0).await;
    let day = day.unwrap_or(today);
    let filter = AppointmentFilter {
        day: Some(day),
        ..Default::default()
    };
    let (listed, calls, due, shop) = (
        appointments::list(db, actor, &filter)
            .await
            .unwrap_or_default(),
        appointments::to_confirm(db, actor)
            .await
            .unwrap_or_default(),
        if page.can(Permission::ServiceBook) {
            appointments::maintenance_due(db, actor, 30)
                .await
                .unwrap_or_default()
        } else {
            Vec::new()
        },
        orders::list(
            db,
            actor,
            &OrderFilter {
                status: Some("active".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default(),
    );
    let mut orders_in_shop = Vec::with_capacity(shop.len());
    for o in shop {
        orders_in_shop.push(OrderRow {
            car: car_line(state, actor, o.vehicle_id).await,
            status_label: page.t(&format!("ro_status.{}", o.status)),
            promised: page.local_time(o.promised_at),
            id: o.id,
            number: o.number,
        });
    }
    let advisors = match actor.store_id {
        Some(store) => setup::staff(db, actor.tenant_id, store, Role::ServiceAdvisor)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let template = DeskTemplate {
        appointments: appointment_rows(state, &page, actor, listed).await,
        to_confirm: appointment_rows(state, &page, actor, calls).await,
        due: due
            .into_iter()
            .map(|d: DueVehicle| DueRow {
                overdue: d.next_service_on < today,
                due_on: d.next_service_on.to_string(),
                plate: d.plate.clone().unwrap_or_else(|| d.vin.clone()),
                car: d.model,
                booked: d.booked,
            })
            .collect(),
        orders: orders_in_shop,
        repair_types: labelled(&page, &REPAIR_TYPES, "repair_type"),
        operations: setup::operations(db, actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|op| {
                (
                    op.id.to_string(),
                    format!("{} {} ({} min)", op.code, op.name, op.standard_minutes),
                )
            })
            .collect(),
        advisors: advisors
            .into_iter()
            .map(|u| (u.id.to_string(), u.display_name))
            .collect(),
        can_book: page.can(Permission::ServiceBook),
        can_receive: page.can(Permission::ServiceAdvise),
        day,
        error,
        page,
    };
    render(&template)
}

/// Where a form's change leads: to `done`'s page on success, back to the form's page with the
/// message on a field error (`again`), else to the error page.
pub(crate) async fn answer_form<T>(
    page: Page,
    outcome: Result<T, StoreError>,
    done: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(Page, String) -> Response,
) -> Response {
    match outcome {
        Ok(value) => Redirect::to(&done(value)).into_response(),
        Err(error) => match message(&page, &error) {
            Some(text) => again(page, text).await,
            None => error_page(&page, error.into()),
        },
    }
}

/// The desk page of the day a booking is on.
fn desk_of(booked: appointment::Model) -> String {
    format!("/service?day={}", booked.service_day)
}

async fn book(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceBook).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let arrive_at = local_instant(&page, &values, "arrive_at", &mut errors);
    let vehicle = match filled(&values, "vehicle") {
        Some(text) => vehicle_named(&state, &actor, &text).await.ok(),
        None => None,
    };
    let jobs = match (
        uuid_field(&values, "operation_id"),
        filled(&values, "job_name"),
    ) {
        (Some(op), _) => vec![PlannedJob {
            operation_id: Some(op),
            ..Default::default()
        }],
        (None, Some(name)) => vec![PlannedJob {
            name: Some(name),
            minutes: whole(&values, "job_minutes", &mut errors),
            ..Default::default()
        }],
        (None, None) => Vec::new(),
    };
    let change = async {
        let (Some(vehicle_id), Some(arrive_at)) = (vehicle, arrive_at) else {
            let field = if vehicle.is_none() {
                "vehicle_id"
            } else {
                "arrive_at"
            };
            return Err(StoreError::invalid(
                field,
                if vehicle.is_none() {
                    "reference.not_found"
                } else {
                    "required"
                },
            ));
        };
        let input = AppointmentInput {
            vehicle_id,
            arrive_at,
            advisor_id: uuid_field(&values, "advisor_id"),
            repair_type: filled(&values, "repair_type").unwrap_or_default(),
            concern: filled(&values, "concern"),
            jobs,
            courtesy_car: values.contains_key("courtesy_car"),
            pickup: values.contains_key("pickup"),
            ..Default::default()
        };
        appointments::book(&state.db, &actor, &input).await
    };
    let outcome = unless_invalid(errors, change).await;
    answer_form(page, outcome, desk_of, async |page, text| {
        desk_view(&state, page, &actor, None, Some(text)).await
    })
    .await
}

async fn appointment_status(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceBook).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let status = filled(&values, "status").unwrap_or_default();
    let outcome = appointments::set_status(&state.db, &actor, id, &status).await;
    answer_form(page, outcome, desk_of, async |page, text| {
        desk_view(&state, page, &actor, None, Some(text)).await
    })
    .await
}

async fn appointment_preparation(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceBook).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let ready = Preparation {
        advisor: yes(&values, "advisor"),
        bay: yes(&values, "bay"),
        parts: yes(&values, "parts"),
        special_tools: yes(&values, "special_tools"),
        courtesy_car: yes(&values, "courtesy_car"),
    };
    let outcome = appointments::prepare(&state.db, &actor, id, &ready).await;
    answer_form(page, outcome, desk_of, async |page, text| {
        desk_view(&state, page, &actor, None, Some(text)).await
    })
    .await
}

#[derive(Template)]
#[template(path = "service_reception.html")]
struct ReceptionTemplate {
    page: Page,
    appointment: Option<(Uuid, String)>,
    /// The jobs planned at booking, which the order takes unless others are written.
    planned: Vec<String>,
    car: String,
    vehicle: String,
    concern: String,
    operations: Vec<(String, String)>,
    pay_types: Vec<(String, String)>,
    payment_methods: Vec<(String, String)>,
    old_parts: Vec<(String, String)>,
    damage_kinds: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    fault_classes: Vec<(String, String)>,
    concern_categories: Vec<(String, String)>,
    promised: String,
    error: Option<String>,
}

const CAR_AREAS: [&str; 8] = [
    "front_bumper",
    "rear_bumper",
    "bonnet",
    "roof",
    "left_side",
    "right_side",
    "wheels",
    "interior",
];

#[derive(Deserialize)]
struct ReceptionQuery {
    appointment_id: Option<Uuid>,
    vehicle: Option<String>,
}

async fn reception_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<ReceptionQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceAdvise).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    reception_view(
        &state,
        page,
        &actor,
        query.appointment_id,
        query.vehicle.unwrap_or_default(),
        None,
    )
    .await
}

async fn reception_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    appointment_id: Option<Uuid>,
    vehicle: String,
    error: Option<String>,
) -> Response {
    let booked = match appointment_id {
        Some(id) => appointments::get(&state.db.conn, actor, id).await.ok(),
        None => None,
    };
    let car = match &booked {
        Some(a) => car_line(state, actor, a.vehicle_id).await,
        None => String::new(),
    };
    let promised = (Utc::now() + chrono::Duration::hours(3))
        .with_timezone(&page.tz)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let planned = booked
        .as_ref()
        .and_then(|a| serde_json::from_value::<Vec<PlannedJob>>(a.jobs.clone()).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|job| {
            format!(
                "{} ({} min)",
                job.name.unwrap_or_default(),
                job.minutes.unwrap_or(0)
            )
        })
        .collect();
    let template = ReceptionTemplate {
        planned,
        appointment: booked.as_ref().map(|a| (a.id, a.number.clone())),
        concern: booked
            .as_ref()
            .and_then(|a| a.concern.clone())
            .unwrap_or_default(),
        car,
        vehicle,
        operations: setup::operations(&state.db.conn, actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|op| {
                (
                    op.id.to_string(),
                    format!("{} {} ({} min)", op.code, op.name, op.standard_minutes),
                )
            })
            .collect(),
        pay_types: PayType::ALL
            .iter()
            .map(|p| {
                (
                    p.as_str().to_owned(),
                    page.t(&format!("pay_type.{}", p.as_str())),
                )
            })
            .collect(),
        payment_methods: labelled(&page, &PAYMENT_METHODS, "service_payment"),
        old_parts: labelled(&page, &OLD_PARTS, "old_parts"),
        damage_kinds: labelled(&page, &DAMAGE_KINDS, "damage"),
        areas: labelled(&page, &CAR_AREAS, "car_area"),
        fault_classes: labelled(
            &page,
            &["other", "safety_failure", "major_component"],
            "fault_class",
        ),
        concern_categories: ConcernCategory::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str().to_owned(),
                    page.t(&format!("concern_category.{}", c.as_str())),
                )
            })
            .collect(),
        promised,
        error,
        page,
    };
    render(&template)
}

/// The jobs of a reception form: ticked operations and up to three described jobs.
fn reception_jobs(values: &Values, errors: &mut Vec<FieldError>) -> Vec<JobInput> {
    let pay = |n: &str| filled(values, &format!("job{n}_pay_type"));
    let mut jobs: Vec<JobInput> = values
        .iter()
        .filter(|(key, _)| key.starts_with("op_"))
        .filter_map(|(key, _)| key[3..].parse::<Uuid>().ok())
        .map(|op| JobInput {
            operation_id: Some(op),
            pay_type: pay(&op.to_string()),
            ..Default::default()
        })
        .collect();
    for n in 1..=3 {
        let Some(name) = filled(values, &format!("job{n}_name")) else {
            continue;
        };
        let minutes = filled(values, &format!("job{n}_minutes")).and_then(|m| m.parse().ok());
        if minutes.is_none() {
            errors.push(FieldError {
                field: "jobs",
                code: "number.format",
            });
        }
        jobs.push(JobInput {
            name: Some(name),
            minutes,
            pay_type: pay(&n.to_string()),
            ..Default::default()
        });
    }
    jobs
}

/// Up to three part lines: number, name, quantity (units, e.g. 4.5) and unit price (yuan).
fn reception_parts(values: &Values, errors: &mut Vec<FieldError>) -> Vec<PartInput> {
    (1..=3)
        .filter_map(|n| {
            let part_number = filled(values, &format!("part{n}_number"))?;
            let quantity = filled(values, &format!("part{n}_qty"))
                .and_then(|q| fours_domain::money::parse_yuan(&q).ok())
                .and_then(|hundredths| u32::try_from(hundredths).ok());
            let price = filled(values, &format!("part{n}_price"))
                .and_then(|p| fours_domain::money::parse_yuan(&p).ok());
            if quantity.is_none() || price.is_none() {
                errors.push(FieldError {
                    field: "parts",
                    code: "number.format",
                });
            }
            Some(PartInput {
                part_number,
                name: filled(values, &format!("part{n}_name")).unwrap_or_default(),
                quantity_hundredths: quantity.unwrap_or(0),
                unit_price_fen: price.unwrap_or(0),
                pay_type: None,
                job_position: Some(0),
            })
        })
        .collect()
}

async fn receive(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceAdvise).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let appointment_id = uuid_field(&values, "appointment_id");
    let vehicle_text = filled(&values, "vehicle").unwrap_or_default();
    let vehicle_id = match (appointment_id, vehicle_text.as_str()) {
        (None, text) if !text.is_empty() => vehicle_named(&state, &actor, text).await.ok(),
        _ => None,
    };
    let damage = CAR_AREAS
        .iter()
        .filter_map(|area| {
            let kind = filled(&values, &format!("damage_{area}"))?;
            Some(DamageMark {
                area: (*area).to_owned(),
                kind,
                note: None,
            })
        })
        .collect();
    let input = ReceptionInput {
        appointment_id,
        vehicle_id,
        mileage_km: number(&values, "mileage_km", &mut errors).unwrap_or(-1),
        fuel_percent: whole(&values, "fuel_percent", &mut errors).unwrap_or(0),
        damage,
        valuables: filled(&values, "valuables"),
        warning_lights: filled(&values, "warning_lights"),
        concern: filled(&values, "concern").unwrap_or_default(),
        fault_class: filled(&values, "fault_class"),
        concern_category: filled(&values, "concern_category"),
        promised_at: local_instant(&page, &values, "promised_at", &mut errors).unwrap_or_default(),
        payment_method: filled(&values, "payment_method").unwrap_or_default(),
        old_parts: filled(&values, "old_parts").unwrap_or_default(),
        free_wash: values.contains_key("free_wash"),
        courtesy_out_km: number(&values, "courtesy_out_km", &mut errors),
        courtesy_out_fuel_percent: whole(&values, "courtesy_out_fuel_percent", &mut errors),
        jobs: reception_jobs(&values, &mut errors),
        parts: reception_parts(&values, &mut errors),
        advisor_id: None,
    };
    let outcome = unless_invalid(errors, orders::receive(&state.db, &actor, &input)).await;
    answer_form(
        page,
        outcome,
        |order| format!("/service/orders/{}", order.id),
        async |page, text| {
            reception_view(
                &state,
                page,
                &actor,
                appointment_id,
                vehicle_text,
                Some(text),
            )
            .await
        },
    )
    .await
}

pub struct JobRow {
    pub position: i32,
    pub name: String,
    pub minutes: i32,
    pub pay_type: String,
    pub price: String,
    pub approval: String,
    pub approval_label: String,
    pub progress: String,
    pub progress_label: String,
    pub technician: String,
    pub clocked_minutes: i32,
    pub on_clock: bool,
    pub reworks: i32,
    pub finding: String,
    pub decided: String,
}

pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub what: String,
    pub note: String,
}

pub struct Figures {
    pub customer_labour: String,
    pub customer_parts: String,
    pub warranty: String,
    pub insurance: String,
    pub internal: String,
    pub discount: String,
    pub total: String,
    pub vat: String,
    pub paid: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "repair_order.html")]
struct OrderTemplate {
    page: Page,
    view: OrderDetail,
    car: String,
    advisor: String,
    status_label: String,
    jobs: Vec<JobRow>,
    parts: Vec<(String, String, String, String)>,
    history: Vec<HistoryRow>,
    figures: Figures,
    technicians: Vec<(String, String)>,
    bays: Vec<(String, String)>,
    pause_reasons: Vec<(String, String)>,
    pay_types: Vec<(String, String)>,
    payment_methods: Vec<(String, String)>,
    link: Option<String>,
    error: Option<String>,
    signed: bool,
    can_advise: bool,
    can_dispatch: bool,
    can_work: bool,
    claims: Vec<ClaimRow>,
    has_warranty: bool,
    /// Safety-related work the customer declined: they sign for it at hand-over.
    declined_safety: Vec<String>,
    /// The order's special orders for parts, with the request form.
    special: super::parts::SpecialPanel,
}

pub struct ClaimRow {
    pub id: Uuid,
    pub codes: String,
    pub amount: String,
    pub status: String,
    pub status_label: String,
    pub reason: String,
}

impl OrderTemplate {
    fn status_is(&self, statuses: &[&str]) -> bool {
        statuses.contains(&self.view.order.status.as_str())
    }
}

#[derive(Deserialize)]
struct OrderQuery {
    link: Option<String>,
}

async fn order_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Query(query): Query<OrderQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    order_view(&state, page, &actor, id, query.link, None).await
}

fn figures(detail: &OrderDetail) -> Figures {
    let s = &detail.settlement;
    Figures {
        customer_labour: format_fen(s.customer.labour_fen),
        customer_parts: format_fen(s.customer.parts_fen),
        warranty: format_fen(s.warranty.total_fen),
        insurance: format_fen(s.insurance.total_fen),
        internal: format_fen(s.internal.total_fen),
        discount: format_fen(s.labour_discount_fen + s.parts_discount_fen),
        total: format_fen(s.customer_total_fen),
        vat: format_fen(s.vat_included_fen),
        paid: format_fen(s.paid_fen),
        due: format_fen(s.balance_due_fen),
    }
}

fn job_rows(page: &Page, detail: &OrderDetail, people: &[(Uuid, String)]) -> Vec<JobRow> {
    detail
        .jobs
        .iter()
        .map(|j| JobRow {
            position: j.position,
            name: j.name.clone(),
            minutes: j.standard_minutes,
            pay_type: page.t(&format!("pay_type.{}", j.pay_type)),
            price: format_fen(j.labour_fen),
            approval_label: page.t(&format!("job_approval.{}", j.approval)),
            approval: j.approval.clone(),
            progress_label: page.t(&format!("progress.{}", j.progress)),
            progress: j.progress.clone(),
            technician: name_of(people, j.technician_id),
            clocked_minutes: j.clocked_minutes,
            on_clock: j.clocked_on_at.is_some(),
            reworks: j.reworks,
            finding: j.finding.clone().unwrap_or_default(),
            decided: match (&j.decided_by, j.decided_at) {
                (Some(by), Some(at)) => format!(
                    "{by} · {} · {}",
                    page.t(&format!(
                        "decided_via.{}",
                        j.decided_via.as_deref().unwrap_or("")
                    )),
                    page.local_time(at)
                ),
                _ => String::new(),
            },
        })
        .collect()
}

async fn order_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    link: Option<String>,
    error: Option<String>,
) -> Response {
    let detail = match order_detail(state, actor, id).await {
        Ok(detail) => detail,
        Err(error) => return error_page(&page, error),
    };
    let people = staff_names(state, actor).await;
    let store = detail.order.store_id;
    let db = &state.db.conn;
    let technicians = staff::technicians(db, actor.tenant_id, store)
        .await
        .unwrap_or_default();
    let bays = setup::store_bays(db, actor.tenant_id, store)
        .await
        .unwrap_or_default();
    let template = OrderTemplate {
        car: car_line(state, actor, detail.order.vehicle_id).await,
        advisor: name_of(&people, Some(detail.order.advisor_id)),
        status_label: page.t(&format!("ro_status.{}", detail.order.status)),
        jobs: job_rows(&page, &detail, &people),
        parts: detail
            .parts
            .iter()
            .map(|p| {
                (
                    p.part_number.clone(),
                    p.name.clone(),
                    format!("{}", f64::from(p.quantity_hundredths) / 100.0),
                    format_fen(p.unit_price_fen),
                )
            })
            .collect(),
        history: detail
            .history
            .iter()
            .map(|h| HistoryRow {
                at: page.local_time(h.at),
                by: name_of(&people, h.by_user),
                what: page.t(&format!("ro_event.{}", h.kind)),
                note: h.note.clone().unwrap_or_default(),
            })
            .collect(),
        figures: figures(&detail),
        technicians: technicians
            .into_iter()
            .map(|t| {
                let skills: Vec<String> = t
                    .skills
                    .iter()
                    .map(|k| page.t(&format!("skill.{k}")))
                    .collect();
                let label = format!("{} {} {}", t.display_name, t.team, skills.join("/"));
                (t.user_id.to_string(), label.trim().to_owned())
            })
            .collect(),
        bays: bays
            .into_iter()
            .map(|b| (b.id.to_string(), b.code))
            .collect(),
        pause_reasons: PauseReason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str().to_owned(),
                    page.t(&format!("pause.{}", r.as_str())),
                )
            })
            .collect(),
        pay_types: PayType::ALL
            .iter()
            .map(|p| {
                (
                    p.as_str().to_owned(),
                    page.t(&format!("pay_type.{}", p.as_str())),
                )
            })
            .collect(),
        payment_methods: labelled(&page, &PAYMENT_METHODS, "service_payment"),
        signed: detail.order.signed_at.is_some(),
        can_advise: page.can(Permission::ServiceAdvise),
        can_dispatch: page.can(Permission::WorkshopDispatch),
        can_work: page.can(Permission::WorkshopWork),
        has_warranty: detail.settlement.warranty.total_fen > 0,
        declined_safety: detail
            .jobs
            .iter()
            .filter(|j| j.safety_related && j.approval == "declined")
            .map(|j| j.name.clone())
            .collect(),
        claims: claims::list(
            db,
            actor,
            &ClaimFilter {
                order_id: Some(id),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| ClaimRow {
            codes: format!("{} / {} / {}", c.fault_code, c.labour_code, c.causal_part),
            amount: format_fen(c.amount_fen),
            status_label: page.t(&format!("claim_status.{}", c.status)),
            reason: c.rejection_reason.unwrap_or_default(),
            status: c.status,
            id: c.id,
        })
        .collect(),
        special: super::parts::special_panel(state, &page, actor, PanelFor::RepairOrder(id)).await,
        view: detail,
        link,
        error,
        page,
    };
    render(&template)
}

/// The permission each step of the order page needs (as its API route does).
fn permission_for(action: &str) -> Option<Permission> {
    Some(match action {
        "sign" | "decide" | "link" | "ready" | "settle" | "close" | "cancel" | "claim"
        | "claim_step" => Permission::ServiceAdvise,
        "dispatch" => Permission::WorkshopDispatch,
        "propose" | "clock_on" | "clock_off" | "pause" | "resume" | "finish" | "qc" => {
            Permission::WorkshopWork
        }
        _ => return None,
    })
}

fn yes(values: &Values, name: &str) -> bool {
    matches!(
        values.get(name).map(String::as_str),
        Some("yes" | "on" | "true")
    )
}

/// Runs one step of the order from its page's form and returns to the page.
async fn act(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path((id, action)): Path<(Uuid, String)>,
    Form(values): Form<Values>,
) -> Response {
    let Some(permission) = permission_for(&action) else {
        let page = page_for(&state, &session, &actor).await;
        return error_page(&page, crate::error::ApiError::Store(StoreError::NotFound));
    };
    let page = match page_requiring(&state, &session, &actor, permission).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    if action == "link" {
        return match workshop::approval_link(&state.db, &actor, id).await {
            Ok((token, _)) => {
                Redirect::to(&format!("/service/orders/{id}?link=/approve/{token}")).into_response()
            }
            Err(error) => error_page(&page, error.into()),
        };
    }
    let outcome = step(&state, &actor, id, &action, &values).await;
    answer_form(
        page,
        outcome,
        |()| format!("/service/orders/{id}"),
        async |page, text| order_view(&state, page, &actor, id, None, Some(text)).await,
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
    let mut errors = Vec::new();
    let position = whole(values, "job_position", &mut errors);
    let position_or = |errors: &[FieldError]| match (position, errors.is_empty()) {
        (Some(p), true) => Ok(p),
        _ => Err(StoreError::invalid("job_position", "required")),
    };
    match action {
        "sign" => {
            let input = SignatureInput {
                signed_by: filled(values, "signed_by").unwrap_or_default(),
                signature: filled(values, "signature").unwrap_or_default(),
            };
            orders::sign(db, actor, id, &input).await?;
        }
        "dispatch" => {
            let technician_id = uuid_field(values, "technician_id")
                .ok_or_else(|| StoreError::invalid("technician_id", "required"))?;
            let input = DispatchInput {
                technician_id,
                team: filled(values, "team"),
                bay_id: uuid_field(values, "bay_id"),
                priority: whole(values, "priority", &mut errors),
            };
            workshop::dispatch(db, actor, id, &input).await?;
        }
        "propose" => {
            let mut parts = reception_parts(values, &mut errors);
            parts.iter_mut().for_each(|p| p.job_position = None);
            let job = JobInput {
                name: filled(values, "name"),
                minutes: whole(values, "minutes", &mut errors),
                pay_type: filled(values, "pay_type"),
                operation_id: None,
            };
            let input = ProposalInput {
                job,
                finding: filled(values, "finding").unwrap_or_default(),
                safety_related: yes(values, "safety_related"),
                parts,
            };
            unless_invalid(errors, workshop::propose(db, actor, id, &input)).await?;
        }
        "decide" => {
            let input = DecisionInput {
                job_position: position_or(&errors)?,
                approve: yes(values, "approve"),
                via: filled(values, "via").unwrap_or_default(),
                decided_by: filled(values, "decided_by").unwrap_or_default(),
            };
            workshop::decide(db, actor, id, &input).await?;
        }
        "clock_on" => {
            workshop::clock_on(db, actor, id, position_or(&errors)?).await?;
        }
        "clock_off" => {
            workshop::clock_off(db, actor, id, position_or(&errors)?, yes(values, "done")).await?;
        }
        "pause" => {
            workshop::pause(
                db,
                actor,
                id,
                &filled(values, "pause_reason").unwrap_or_default(),
                filled(values, "note"),
            )
            .await?;
        }
        "resume" => {
            workshop::resume(db, actor, id).await?;
        }
        "finish" => {
            workshop::finish(db, actor, id).await?;
        }
        "qc" => {
            let input = CheckInput {
                pass: yes(values, "pass"),
                job_position: position,
                note: filled(values, "note"),
            };
            workshop::check(db, actor, id, &input).await?;
        }
        "ready" => {
            let input = InternalDeliveryInput {
                jobs_signed: yes(values, "jobs_signed"),
                fault_gone: yes(values, "fault_gone"),
                old_parts_ready: yes(values, "old_parts_ready"),
                clean: yes(values, "clean"),
                no_tools_left: yes(values, "no_tools_left"),
            };
            workshop::deliver_internally(db, actor, id, &input).await?;
        }
        "settle" => {
            let percent = whole(values, "labour_discount_percent", &mut errors);
            let input = SettlementInput {
                labour_discount_bp: percent.map(|p| p.saturating_mul(100)),
                parts_discount_bp: whole(values, "parts_discount_percent", &mut errors)
                    .map(|p| p.saturating_mul(100)),
                payment_fen: fen(values, "payment_fen", &mut errors),
                payment_method: filled(values, "payment_method"),
            };
            unless_invalid(errors, orders::settle(db, actor, id, &input)).await?;
        }
        "close" => {
            let input = CloseInput {
                next_service_on: filled(values, "next_service_on").and_then(|d| d.parse().ok()),
                next_service_km: number(values, "next_service_km", &mut errors),
                follow_up_time: filled(values, "follow_up_time"),
                declined_safety_signed_by: filled(values, "declined_safety_signed_by"),
            };
            unless_invalid(errors, orders::close(db, actor, id, &input)).await?;
        }
        "cancel" => {
            orders::cancel(db, actor, id, filled(values, "note")).await?;
        }
        "claim" => {
            let input = ClaimInput {
                order_id: id,
                fault_code: filled(values, "fault_code").unwrap_or_default(),
                labour_code: filled(values, "labour_code").unwrap_or_default(),
                causal_part: filled(values, "causal_part").unwrap_or_default(),
                value_added: yes(values, "value_added"),
            };
            claims::create(db, actor, &input).await?;
        }
        "campaign" => {
            let campaign = uuid_field(values, "campaign_id").ok_or(StoreError::NotFound)?;
            campaigns::complete(db, actor, id, campaign).await?;
        }
        "claim_step" => {
            let claim = uuid_field(values, "claim_id").ok_or(StoreError::NotFound)?;
            let step = ClaimStep {
                action: filled(values, "step").unwrap_or_default(),
                rejection_reason: filled(values, "rejection_reason"),
            };
            claims::advance(db, actor, claim, &step).await?;
        }
        _ => return Err(StoreError::NotFound),
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "service_print.html")]
struct PrintTemplate {
    page: Page,
    sheet: String,
    title: String,
    store: String,
    car: String,
    advisor: String,
    view: OrderDetail,
    jobs: Vec<JobRow>,
    parts: Vec<(String, String, String, String)>,
    figures: Figures,
    damage: Vec<String>,
}

/// A printable sheet (A4): `reception` (接车登记表), `order` (任务委托书), `settlement` (结算单).
async fn print(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path((id, sheet)): Path<(Uuid, String)>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    if !["reception", "order", "settlement"].contains(&sheet.as_str()) {
        return error_page(&page, crate::error::ApiError::Store(StoreError::NotFound));
    }
    let detail = match order_detail(&state, &actor, id).await {
        Ok(detail) => detail,
        Err(error) => return error_page(&page, error),
    };
    let people = staff_names(&state, &actor).await;
    let store = org::find_store(&state.db.conn, actor.tenant_id, detail.order.store_id)
        .await
        .map(|s| s.name)
        .unwrap_or_default();
    let damage: Vec<DamageMark> =
        serde_json::from_value(detail.order.damage.clone()).unwrap_or_default();
    let template = PrintTemplate {
        title: page.t(&format!("print.{sheet}")),
        car: car_line(&state, &actor, detail.order.vehicle_id).await,
        advisor: name_of(&people, Some(detail.order.advisor_id)),
        jobs: job_rows(&page, &detail, &people)
            .into_iter()
            .filter(|j| j.approval == "approved")
            .collect(),
        parts: detail
            .parts
            .iter()
            .map(|p| {
                (
                    p.part_number.clone(),
                    p.name.clone(),
                    format!("{}", f64::from(p.quantity_hundredths) / 100.0),
                    format_fen(p.unit_price_fen),
                )
            })
            .collect(),
        figures: figures(&detail),
        damage: damage
            .iter()
            .map(|d| {
                format!(
                    "{}：{}",
                    page.t(&format!("car_area.{}", d.area)),
                    page.t(&format!("damage.{}", d.kind))
                )
            })
            .collect(),
        sheet,
        store,
        view: detail,
        page,
    };
    render(&template)
}

#[derive(Template)]
#[template(path = "workshop_board.html")]
struct BoardTemplate {
    page: Page,
}

#[derive(Template)]
#[template(path = "workshop_cards.html")]
struct CardsTemplate {
    page: Page,
    cards: Vec<CardRow>,
}

pub struct CardRow {
    pub card: BoardCard,
    pub car: String,
    pub bay: String,
    pub technicians: String,
    pub status_label: String,
    pub promised: String,
}

async fn board_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => render(&BoardTemplate { page }),
        Err(denied) => denied,
    }
}

/// The board's cards, refreshed by the page every few seconds (htmx polling).
async fn board_cards(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let cards = workshop::board(&state.db.conn, &actor)
        .await
        .unwrap_or_default();
    let people = staff_names(&state, &actor).await;
    let bays = setup::bays(&state.db.conn, &actor)
        .await
        .unwrap_or_default();
    let mut rows = Vec::with_capacity(cards.len());
    for card in cards {
        rows.push(CardRow {
            car: car_line(
                &state,
                &actor,
                orders::get(&state.db.conn, &actor, card.order_id)
                    .await
                    .map(|o| o.vehicle_id)
                    .unwrap_or_default(),
            )
            .await,
            bay: bays
                .iter()
                .find(|b| Some(b.id) == card.bay_id)
                .map(|b| b.code.clone())
                .unwrap_or_default(),
            technicians: card
                .technician_ids
                .iter()
                .map(|t| name_of(&people, Some(*t)))
                .collect::<Vec<_>>()
                .join("、"),
            status_label: page.t(&format!("ro_status.{}", card.status)),
            promised: page.local_time(card.promised_at),
            card,
        });
    }
    render(&CardsTemplate { page, cards: rows })
}

#[derive(Template)]
#[template(path = "service_setup.html")]
struct SetupTemplate {
    page: Page,
    policy: ServicePolicy,
    opens_at: String,
    closes_at: String,
    closed_dates: String,
    operations: Vec<(String, String, i32)>,
    bays: Vec<(String, String)>,
    bay_kinds: Vec<(String, String)>,
    technicians: Vec<(String, String)>,
    skills: Vec<(String, String)>,
    campaigns: Vec<(String, String, String)>,
    error: Option<String>,
}

async fn setup_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::ServiceSetup).await {
        Ok(page) => setup_view(&state, page, &actor, None).await,
        Err(denied) => denied,
    }
}

async fn setup_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    error: Option<String>,
) -> Response {
    let db = &state.db.conn;
    let policy = match actor.store_id {
        Some(store) => setup::policy(db, actor.tenant_id, store)
            .await
            .unwrap_or_default(),
        None => ServicePolicy::default(),
    };
    let clock = |minute: u32| format!("{:02}:{:02}", minute / 60, minute % 60);
    let template = SetupTemplate {
        opens_at: clock(policy.opens_at_minute),
        closes_at: clock(policy.closes_at_minute),
        closed_dates: policy
            .closed_dates
            .iter()
            .map(NaiveDate::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        policy,
        operations: setup::operations(db, actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|o| (o.code, o.name, o.standard_minutes))
            .collect(),
        bays: setup::bays(db, actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|b| (b.code, page.t(&format!("bay_type.{}", b.kind))))
            .collect(),
        bay_kinds: labelled(&page, &BAY_KINDS, "bay_type"),
        technicians: match actor.store_id {
            Some(store) => staff::technicians(db, actor.tenant_id, store)
                .await
                .unwrap_or_default(),
            None => Vec::new(),
        }
        .into_iter()
        .map(|t| {
            (
                t.user_id.to_string(),
                format!("{} · {} · {}", t.display_name, t.team, t.skills.join("/")),
            )
        })
        .collect(),
        skills: labelled(&page, &SKILLS, "skill"),
        campaigns: campaigns::list(db, actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.code, c.title, c.ends_on.to_string()))
            .collect(),
        error,
        page,
    };
    render(&template)
}

async fn save_setup(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceSetup).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let change = async {
        match filled(&values, "what").as_deref() {
            Some("operation") => {
                let input = OperationInput {
                    code: filled(&values, "code").unwrap_or_default(),
                    name: filled(&values, "name").unwrap_or_default(),
                    standard_minutes: whole(&values, "standard_minutes", &mut errors).unwrap_or(0),
                    two_person_minutes: whole(&values, "two_person_minutes", &mut errors),
                    store_id: None,
                };
                unless_invalid(errors, setup::add_operation(&state.db, &actor, &input))
                    .await
                    .map(|_| ())
            }
            Some("technician") => {
                let user = uuid_field(&values, "user_id")
                    .ok_or_else(|| StoreError::invalid("user_id", "required"))?;
                let input = StaffInput {
                    team: filled(&values, "team").unwrap_or_default(),
                    skills: SKILLS
                        .iter()
                        .filter(|k| yes(&values, &format!("skill_{k}")))
                        .map(|k| (*k).to_owned())
                        .collect(),
                    team_leader: yes(&values, "team_leader"),
                };
                staff::set(&state.db, &actor, user, &input)
                    .await
                    .map(|_| ())
            }
            Some("campaign") => {
                let input = CampaignInput {
                    code: filled(&values, "code").unwrap_or_default(),
                    title: filled(&values, "title").unwrap_or_default(),
                    kind: filled(&values, "kind").unwrap_or_default(),
                    vins: filled(&values, "vins")
                        .unwrap_or_default()
                        .split([',', '，', ' ', '\n'])
                        .map(str::to_owned)
                        .collect(),
                    ends_on: filled(&values, "ends_on")
                        .and_then(|d| d.parse().ok())
                        .unwrap_or_default(),
                };
                campaigns::create(&state.db, &actor, &input)
                    .await
                    .map(|_| ())
            }
            Some("bay") => {
                let input = BayInput {
                    code: filled(&values, "code").unwrap_or_default(),
                    bay_type: filled(&values, "bay_type").unwrap_or_default(),
                    store_id: None,
                };
                setup::add_bay(&state.db, &actor, &input).await.map(|_| ())
            }
            _ => {
                let hour = |name: &str| {
                    filled(&values, name).and_then(|t| {
                        let (h, m) = t.split_once(':')?;
                        Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
                    })
                };
                let rate = fen(&values, "customer_rate", &mut errors);
                let mut policy = ServicePolicy::default();
                if let Some(store) = actor.store_id {
                    policy = setup::policy(&state.db.conn, actor.tenant_id, store).await?;
                }
                policy.opens_at_minute = hour("opens_at").unwrap_or(policy.opens_at_minute);
                policy.closes_at_minute = hour("closes_at").unwrap_or(policy.closes_at_minute);
                policy.reception_slot_minutes =
                    whole(&values, "reception_slot_minutes", &mut errors)
                        .unwrap_or(policy.reception_slot_minutes);
                if let Some(rate) = rate {
                    policy
                        .labour_rates_fen
                        .insert(PayType::Customer.as_str().to_owned(), rate);
                }
                if let Some(dates) = values.get("closed_dates") {
                    policy.closed_dates = dates
                        .split([',', '，', ' ', '\n'])
                        .filter(|d| !d.trim().is_empty())
                        .filter_map(|d| d.trim().parse::<NaiveDate>().ok())
                        .collect();
                }
                unless_invalid(errors, setup::set_policy(&state.db, &actor, None, &policy))
                    .await
                    .map(|_| ())
            }
        }
    };
    let outcome = change.await;
    answer_form(
        page,
        outcome,
        |()| "/service/setup".to_owned(),
        async |page, text| setup_view(&state, page, &actor, Some(text)).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "approve.html")]
struct ApproveTemplate {
    page: Page,
    token: String,
    proposals: LinkedProposals,
    error: Option<String>,
}

impl ApproveTemplate {
    fn money(&self, fen: &i64) -> String {
        format_fen(*fen)
    }
}

/// A customer's page (approval, survey, opt-out): no sign-in, the signed link is the
/// credential; in the browser's language.
pub(crate) async fn public_page(state: &AppState, session: &Session) -> Page {
    Page {
        locale: locale::current(),
        csrf: csrf_token(session).await,
        demo: state.config.demo,
        user: None,
        tz: chrono_tz::Asia::Shanghai,
    }
}

async fn approve_page(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> Response {
    let page = public_page(&state, &session).await;
    approve_view(&state, page, token, None).await
}

async fn approve_view(
    state: &AppState,
    page: Page,
    token: String,
    error: Option<String>,
) -> Response {
    match workshop::proposals_for_link(&state.db, &token).await {
        Ok(found) => render(&ApproveTemplate {
            page,
            token,
            proposals: linked(found),
            error,
        }),
        Err(error) => error_page(&page, error.into()),
    }
}

async fn approve(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    let page = public_page(&state, &session).await;
    let mut errors = Vec::new();
    let position = whole(&values, "job_position", &mut errors).unwrap_or(u32::MAX);
    let outcome =
        workshop::decide_by_link(&state.db, &token, position, yes(&values, "approve")).await;
    let back = format!("/approve/{token}");
    answer_form(
        page,
        outcome,
        |_| back,
        async |page, text| approve_view(&state, page, token, Some(text)).await,
    )
    .await
}
