//! Vehicle screens: create/edit, the vehicle page with its mileage chart, readings, transfer.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::money::{format_fen, parse_yuan};
use fours_store::StoreError;
use fours_store::customers::{self as customer_ops, CustomerFilter};
use fours_store::error::FieldError;
use fours_store::paging::PageRequest;
use fours_store::vehicles::entities::vehicle;
use fours_store::vehicles::{
    self as ops, MileageInput, TransferInput, VehicleFilter, VehicleInput,
};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{FormPage, Spec, edited, filled, number};
use super::{Page, error_page, page_for, render, urlencode};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::{ApiError, field_message};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/vehicles", get(list).post(create))
        .route("/vehicles/new", get(new_form))
        .route("/vehicles/{id}", get(show))
        .route("/vehicles/{id}/edit", get(edit_form).post(update))
        .route("/vehicles/{id}/mileage", post(add_mileage))
        .route("/vehicles/{id}/transfer", post(transfer))
}

/// One line of the vehicle list.
struct VehicleRow {
    id: Uuid,
    vin: String,
    plate: String,
    description: String,
    owner: Option<(Uuid, String)>,
    mileage_km: String,
}

#[derive(Template)]
#[template(path = "vehicles.html")]
struct ListTemplate {
    page: Page,
    rows: Vec<VehicleRow>,
    q: String,
    next_link: Option<String>,
    /// The list's filter as a query string, for roles that may export it.
    export_query: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    cursor: Option<Uuid>,
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<ListQuery>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    let filter = VehicleFilter {
        q: query.q.clone(),
        customer_id: None,
    };
    let request = PageRequest {
        limit: Some(50),
        cursor: query.cursor,
    };
    let found = match ops::list(&state.db.conn, &actor, &filter, request).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let owner_ids: Vec<Uuid> = found.items.iter().filter_map(|v| v.owner_id).collect();
    let owners = match customer_ops::by_ids(&state.db.conn, &actor, &owner_ids).await {
        Ok(owners) => owners,
        Err(error) => return error_page(&page, error.into()),
    };
    let rows = found
        .items
        .iter()
        .map(|car| VehicleRow {
            id: car.id,
            vin: car.vin.clone(),
            plate: car.plate.clone().unwrap_or_default(),
            description: ops::describe(car),
            owner: owners
                .iter()
                .find(|c| Some(c.id) == car.owner_id)
                .map(|c| (c.id, c.name.clone())),
            mileage_km: car.mileage_km.map(|km| km.to_string()).unwrap_or_default(),
        })
        .collect();
    let q = query.q.unwrap_or_default();
    let next_link = found
        .next_cursor
        .map(|cursor| format!("/vehicles?q={}&cursor={cursor}", urlencode(&q)));
    let export_query = page
        .can(Permission::ExportData)
        .then(|| format!("q={}", urlencode(&q)));
    render(&ListTemplate {
        page,
        rows,
        q,
        next_link,
        export_query,
    })
}

const SPECS: &[Spec] = &[
    ("vin", "text", &[]),
    ("plate", "text", &[]),
    ("brand", "text", &[]),
    ("series", "text", &[]),
    ("model", "text", &[]),
    ("trim", "text", &[]),
    ("colour", "text", &[]),
    ("engine_no", "text", &[]),
    ("production_date", "date", &[]),
    ("pdi_date", "date", &[]),
    ("licence_date", "date", &[]),
    ("delivery_date", "date", &[]),
    ("purchase_price_fen", "text", &[]),
    ("warranty_start", "date", &[]),
    ("warranty_months", "number", &[]),
    ("warranty_km", "number", &[]),
    ("insurer", "text", &[]),
    ("insurance_expiry", "date", &[]),
];

/// The create form also takes today's odometer reading.
static CREATE_SPECS: std::sync::LazyLock<Vec<Spec>> = std::sync::LazyLock::new(|| {
    let mut specs: Vec<Spec> = vec![("mileage_km", "number", &[])];
    specs.extend_from_slice(SPECS);
    specs
});

/// Form values → API input, plus the errors of values the form itself cannot parse.
/// The price is typed in yuan and stored in fen.
fn to_input(values: &HashMap<String, String>, creating: bool) -> (VehicleInput, Vec<FieldError>) {
    let get = |name: &str| {
        if creating {
            filled(values, name)
        } else {
            edited(values, name)
        }
    };
    let mut errors = Vec::new();
    let purchase_price_fen = filled(values, "purchase_price_fen").and_then(|raw| {
        parse_yuan(&raw)
            .map_err(|invalid| {
                errors.push(FieldError {
                    field: "purchase_price_fen",
                    code: invalid.0,
                })
            })
            .ok()
    });
    let input = VehicleInput {
        vin: get("vin"),
        plate: get("plate"),
        engine_no: get("engine_no"),
        brand: get("brand"),
        series: get("series"),
        model: get("model"),
        trim: get("trim"),
        colour: get("colour"),
        production_date: get("production_date"),
        pdi_date: get("pdi_date"),
        licence_date: get("licence_date"),
        delivery_date: get("delivery_date"),
        purchase_price_fen,
        warranty_start: get("warranty_start"),
        warranty_months: number(values, "warranty_months", &mut errors),
        warranty_km: number(values, "warranty_km", &mut errors),
        insurer: get("insurer"),
        insurance_expiry: get("insurance_expiry"),
        customer_id: filled(values, "customer_id").and_then(|id| id.parse().ok()),
        store_id: None,
        mileage_km: if creating {
            number(values, "mileage_km", &mut errors)
        } else {
            None
        },
    };
    (input, errors)
}

fn form<'a>(
    page: &'a Page,
    values: &'a HashMap<String, String>,
    editing: Option<Uuid>,
) -> FormPage<'a> {
    let customer_id = values.get("customer_id").cloned().unwrap_or_default();
    match editing {
        Some(id) => FormPage {
            page,
            heading: page.t("vehicles.edit"),
            action: format!("/vehicles/{id}/edit"),
            cancel: format!("/vehicles/{id}"),
            hidden: vec![],
            specs: SPECS,
            values,
            with_family: false,
            stores: vec![],
        },
        None => FormPage {
            page,
            heading: page.t("vehicles.new"),
            action: "/vehicles".into(),
            cancel: format!("/customers/{customer_id}"),
            hidden: vec![("customer_id".into(), customer_id)],
            specs: &CREATE_SPECS,
            values,
            with_family: false,
            stores: vec![],
        },
    }
}

/// Saves through `save` unless the form already found errors; re-renders the form on failure.
async fn save_or_show(
    page: &Page,
    form_page: FormPage<'_>,
    form_errors: Vec<FieldError>,
    save: impl std::future::Future<Output = Result<vehicle::Model, StoreError>>,
) -> Response {
    if !form_errors.is_empty() {
        return (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            form_page.show(&form_errors, None),
        )
            .into_response();
    }
    match save.await {
        Ok(saved) => Redirect::to(&format!("/vehicles/{}", saved.id)).into_response(),
        Err(error) => form_page
            .show_store_error(&error, "/vehicles")
            .unwrap_or_else(|| error_page(page, error.into())),
    }
}

#[derive(Deserialize)]
struct NewQuery {
    customer_id: Option<Uuid>,
}

async fn new_form(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<NewQuery>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::VehicleWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    let values = HashMap::from([(
        "customer_id".to_owned(),
        query
            .customer_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
    )]);
    form(&page, &values, None).show(&[], None)
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::VehicleWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    let (input, errors) = to_input(&values, true);
    save_or_show(
        &page,
        form(&page, &values, None),
        errors,
        ops::create(&state.db, &actor, &input),
    )
    .await
}

fn form_values(v: &vehicle::Model) -> HashMap<String, String> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let date = |value: Option<chrono::NaiveDate>| value.map(|d| d.to_string()).unwrap_or_default();
    let int = |value: Option<i32>| value.map(|n| n.to_string()).unwrap_or_default();
    HashMap::from([
        ("vin".to_owned(), v.vin.clone()),
        ("plate".to_owned(), text(&v.plate)),
        ("brand".to_owned(), text(&v.brand)),
        ("series".to_owned(), text(&v.series)),
        ("model".to_owned(), text(&v.model)),
        ("trim".to_owned(), text(&v.trim)),
        ("colour".to_owned(), text(&v.colour)),
        ("engine_no".to_owned(), text(&v.engine_no)),
        ("production_date".to_owned(), date(v.production_date)),
        ("pdi_date".to_owned(), date(v.pdi_date)),
        ("licence_date".to_owned(), date(v.licence_date)),
        ("delivery_date".to_owned(), date(v.delivery_date)),
        (
            "purchase_price_fen".to_owned(),
            v.purchase_price_fen.map(format_fen).unwrap_or_default(),
        ),
        ("warranty_start".to_owned(), date(v.warranty_start)),
        ("warranty_months".to_owned(), int(v.warranty_months)),
        ("warranty_km".to_owned(), int(v.warranty_km)),
        ("insurer".to_owned(), text(&v.insurer)),
        ("insurance_expiry".to_owned(), date(v.insurance_expiry)),
    ])
}

async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::VehicleWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    match ops::get(&state.db.conn, &actor, id).await {
        Ok(found) => form(&page, &form_values(&found), Some(id)).show(&[], None),
        Err(error) => error_page(&page, error.into()),
    }
}

async fn update(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::VehicleWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    let (input, errors) = to_input(&values, false);
    save_or_show(
        &page,
        form(&page, &values, Some(id)),
        errors,
        ops::update(&state.db, &actor, id, &input),
    )
    .await
}

#[derive(Template)]
#[template(path = "vehicle.html")]
struct VehicleTemplate {
    page: Page,
    id: Uuid,
    title: String,
    warnings: Vec<String>,
    details: Vec<(String, String)>,
    owners: Vec<String>,
    owner_link: Option<(String, String)>,
    mileage_json: String,
    can_write: bool,
    can_transfer: bool,
    mileage_error: Option<String>,
    transfer_error: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    vehicle_page(&state, page, id, None, None).await
}

/// The vehicle page, optionally with an error beside the mileage or transfer form.
async fn vehicle_page(
    state: &AppState,
    page: Page,
    id: Uuid,
    mileage_error: Option<String>,
    transfer_error: Option<String>,
) -> Response {
    let Some(actor) = page.user.clone() else {
        return Redirect::to("/login").into_response();
    };
    let loaded = async {
        let found = ops::get(&state.db.conn, &actor, id).await?;
        let readings = ops::mileage(&state.db.conn, &actor, id).await?;
        let history = ops::ownership_history(&state.db.conn, &actor, id).await?;
        let mut names = HashMap::new();
        for row in &history {
            if let Ok(owner) = customer_ops::get(&state.db.conn, &actor, row.customer_id).await {
                names.insert(row.customer_id, owner.name);
            }
        }
        Ok::<_, StoreError>((found, readings, history, names))
    };
    let (found, readings, history, names) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return error_page(&page, error.into()),
    };
    let warnings = found
        .warnings
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w.as_str())
        .map(|w| page.t(&format!("vehicles.warning.{w}")))
        .collect();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let date = |value: Option<chrono::NaiveDate>| value.map(|d| d.to_string()).unwrap_or_default();
    let details = vec![
        ("field.vin", found.vin.clone()),
        ("field.plate", text(&found.plate)),
        ("field.brand", text(&found.brand)),
        ("field.series", text(&found.series)),
        ("field.model", text(&found.model)),
        ("field.trim", text(&found.trim)),
        ("field.colour", text(&found.colour)),
        ("field.engine_no", text(&found.engine_no)),
        ("field.production_date", date(found.production_date)),
        ("field.delivery_date", date(found.delivery_date)),
        (
            "field.purchase_price_fen",
            found
                .purchase_price_fen
                .map(|fen| format!("¥{}", format_fen(fen)))
                .unwrap_or_default(),
        ),
        ("field.warranty_start", date(found.warranty_start)),
        (
            "field.warranty_months",
            found
                .warranty_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
        (
            "field.warranty_km",
            found.warranty_km.map(|m| m.to_string()).unwrap_or_default(),
        ),
        ("field.insurer", text(&found.insurer)),
        ("field.insurance_expiry", date(found.insurance_expiry)),
        (
            "field.mileage_km",
            found
                .mileage_km
                .map(|km| format!("{km} km"))
                .unwrap_or_default(),
        ),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(key, value)| (page.t(key), value))
    .collect();
    let owners = history
        .iter()
        .map(|row| {
            format!(
                "{} {} ~ {}",
                names.get(&row.customer_id).cloned().unwrap_or_default(),
                row.started_on,
                row.ended_on.map(|d| d.to_string()).unwrap_or_default()
            )
        })
        .collect();
    let owner_link = found.owner_id.map(|owner| {
        (
            format!("/customers/{owner}"),
            names.get(&owner).cloned().unwrap_or_default(),
        )
    });
    let points: Vec<(String, i32)> = readings
        .iter()
        .map(|r| (r.read_on.to_string(), r.km))
        .collect();
    render(&VehicleTemplate {
        id,
        title: ops::describe(&found),
        warnings,
        details,
        owners,
        owner_link,
        mileage_json: serde_json::to_string(&points).unwrap_or_else(|_| "[]".into()),
        can_write: page.can(Permission::VehicleWrite),
        can_transfer: page.can(Permission::VehicleTransfer),
        mileage_error,
        transfer_error,
        page,
    })
}

fn first_error(page: &Page, error: &StoreError) -> Option<String> {
    match error {
        StoreError::Invalid(errors) => errors
            .first()
            .map(|e| field_message(page.locale, e).message),
        _ => None,
    }
}

async fn add_mileage(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::VehicleWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    let mut errors = Vec::new();
    let Some(km) = number(&values, "km", &mut errors) else {
        let message = errors
            .first()
            .map(|e| field_message(page.locale, e).message)
            .unwrap_or_else(|| page.t("error.required"));
        return vehicle_page(&state, page, id, Some(message), None).await;
    };
    let input = MileageInput {
        km,
        read_on: filled(&values, "read_on"),
        source: Some("service".into()),
    };
    match ops::add_mileage(&state.db, &actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/vehicles/{id}")).into_response(),
        Err(error) => match first_error(&page, &error) {
            Some(message) => vehicle_page(&state, page, id, Some(message), None).await,
            None => error_page(&page, error.into()),
        },
    }
}

/// Transfers to the one customer the search text finds (full mobile, name…).
async fn transfer(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::VehicleTransfer) {
        return error_page(&page, ApiError::Forbidden);
    }
    let filter = CustomerFilter {
        q: filled(&values, "customer_q"),
        ..Default::default()
    };
    let matches = match customer_ops::list(
        &state.db.conn,
        &actor,
        &filter,
        PageRequest {
            limit: Some(2),
            cursor: None,
        },
    )
    .await
    {
        Ok(found) => found.items,
        Err(error) => return error_page(&page, error.into()),
    };
    let [target] = matches.as_slice() else {
        let message = page.t("error.transfer.customer_not_found");
        return vehicle_page(&state, page, id, None, Some(message)).await;
    };
    match ops::transfer(
        &state.db,
        &actor,
        id,
        &TransferInput {
            customer_id: target.id,
            date: None,
        },
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/vehicles/{id}")).into_response(),
        Err(error) => match first_error(&page, &error) {
            Some(message) => vehicle_page(&state, page, id, None, Some(message)).await,
            None => error_page(&page, error.into()),
        },
    }
}
