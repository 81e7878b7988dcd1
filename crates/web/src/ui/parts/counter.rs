//! The parts counter: the repair-order number is typed or scanned (a scanner types it and
//! presses Enter), the order's part lines show what is issued, the free stock and the bin; a
//! line is issued to a technician who signs on the counter's tablet (the special order kept for
//! the car is fitted this way), and unused parts come back.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::parts::parse_quantity;
use fours_domain::parts::special_order::Status;
use fours_domain::service::order::Status as OrderStatus;
use fours_store::StoreError;
use fours_store::org::Actor;
use fours_store::parts::special::{self, SpecialOrderFilter};
use fours_store::parts::stock::{self, IssueInput, ReturnInput};
use fours_store::service::orders;
use fours_store::service::staff;
use fours_store::vehicles as vehicle_ops;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{answer, qty};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::filled;
use crate::ui::sales::{Values, page_requiring, unless_invalid, uuid_field};
use crate::ui::{Page, error_page, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/parts/counter", get(counter_page))
        .route("/parts/counter/issue", post(issue))
        .route("/parts/counter/return", post(give_back))
}

pub struct OrderHead {
    pub id: Uuid,
    pub number: String,
    pub car: String,
    pub status_label: String,
}

pub struct LineRow {
    pub id: Uuid,
    pub part_number: String,
    pub name: String,
    pub quantity: String,
    pub issued: String,
    /// What is still to issue, the issue form's default.
    pub outstanding: String,
    pub available: String,
    pub bin: String,
    pub short: bool,
    pub can_issue: bool,
    pub can_return: bool,
    /// Special orders booked for this car and part: (id, "SP number · customer").
    pub specials: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "parts_counter.html")]
struct CounterTemplate {
    page: Page,
    number: String,
    order: Option<OrderHead>,
    lines: Vec<LineRow>,
    technicians: Vec<(String, String)>,
    /// The user may issue and the order still takes parts.
    can_issue: bool,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize)]
struct CounterQuery {
    number: Option<String>,
    done: Option<String>,
}

async fn counter_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<CounterQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let done = query
        .done
        .filter(|d| matches!(d.as_str(), "issued" | "returned"))
        .map(|d| page.t(&format!("parts.counter.done_{d}")));
    counter_view(
        &state,
        page,
        &actor,
        query.number.unwrap_or_default(),
        None,
        done,
    )
    .await
}

async fn counter_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    number: String,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let db = &state.db.conn;
    let number = number.trim().to_ascii_uppercase();
    let mut template = CounterTemplate {
        number: number.clone(),
        order: None,
        lines: Vec::new(),
        technicians: Vec::new(),
        can_issue: false,
        error,
        done,
        page,
    };
    if number.is_empty() {
        return render(&template);
    }
    let order = match orders::by_number(db, actor, &number).await {
        Ok(order) => order,
        Err(StoreError::NotFound) => {
            template.error = template.error.or_else(|| {
                Some(
                    rust_i18n::t!(
                        "parts.counter.not_found",
                        locale = template.page.lang(),
                        number = number
                    )
                    .into_owned(),
                )
            });
            return render(&template);
        }
        Err(other) => return error_page(&template.page, other.into()),
    };
    let page = &template.page;
    let open = !matches!(
        OrderStatus::parse(&order.status),
        Some(OrderStatus::Settled | OrderStatus::Closed | OrderStatus::Cancelled)
    );
    let lines = stock::counter_lines(db, actor, &order)
        .await
        .unwrap_or_default();
    // Parts kept for this car's customer, booked for fitting, by part.
    let booked = SpecialOrderFilter {
        status: Some(Status::Booked.as_str().to_owned()),
        ..Default::default()
    };
    let mut specials: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for view in special::list(db, actor, &booked).await.unwrap_or_default() {
        if view
            .order
            .vehicle_id
            .is_none_or(|car| car == order.vehicle_id)
        {
            specials.entry(view.order.part_id).or_default().push((
                view.order.id.to_string(),
                format!(
                    "{} · {} × {}",
                    view.order.number,
                    view.customer_name,
                    qty(view.order.quantity)
                ),
            ));
        }
    }
    template.lines = lines
        .into_iter()
        .map(|line| {
            let outstanding = (line.quantity - line.issued).max(0);
            LineRow {
                id: line.repair_part_id,
                quantity: qty(line.quantity),
                issued: qty(line.issued),
                outstanding: qty(outstanding),
                // A catalogued part never stocked here has none free; "—" is not catalogued.
                available: match (line.available, line.part_id) {
                    (Some(free), _) => qty(free),
                    (None, Some(_)) => qty(0),
                    (None, None) => "—".to_owned(),
                },
                bin: line.bin_code.unwrap_or_default(),
                short: line.short,
                can_issue: outstanding > 0,
                can_return: line.issued > 0,
                specials: line
                    .part_id
                    .and_then(|id| specials.get(&id).cloned())
                    .unwrap_or_default(),
                part_number: line.part_number,
                name: line.name,
            }
        })
        .collect();
    template.technicians = staff::technicians(db, actor.tenant_id, order.store_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            let label = format!("{} {}", t.display_name, t.team);
            (t.user_id.to_string(), label.trim().to_owned())
        })
        .collect();
    template.can_issue = open && page.can(Permission::PartsManage);
    let car = match vehicle_ops::get(db, actor, order.vehicle_id).await {
        Ok(car) => vehicle_ops::describe(&car),
        Err(_) => String::new(),
    };
    template.order = Some(OrderHead {
        id: order.id,
        status_label: page.t(&format!("ro_status.{}", order.status)),
        number: order.number,
        car,
    });
    render(&template)
}

/// The quantity typed beside a line (`qty_<line>`), in hundredths; empty means the rest.
fn line_quantity(values: &Values, name: &str) -> Result<Option<i64>, StoreError> {
    match filled(values, name) {
        Some(raw) => parse_quantity(&raw)
            .map(Some)
            .map_err(|invalid| StoreError::invalid("quantity", invalid.0)),
        None => Ok(None),
    }
}

fn counter_of(values: &Values, done: &str) -> String {
    let number = filled(values, "number").unwrap_or_default();
    format!("/parts/counter?number={}&done={done}", urlencode(&number))
}

/// Issues the line whose button was pressed to the technician who signed.
async fn issue(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let change = async {
        let line = uuid_field(&values, "repair_part_id")
            .ok_or_else(|| StoreError::invalid("repair_part_id", "required"))?;
        let technician_id = uuid_field(&values, "technician_id")
            .ok_or_else(|| StoreError::invalid("technician_id", "required"))?;
        let input = IssueInput {
            repair_part_id: line,
            quantity: line_quantity(&values, &format!("qty_{line}"))?,
            technician_id,
            signature_png: filled(&values, "signature_png").unwrap_or_default(),
            special_order_id: uuid_field(&values, &format!("special_{line}")),
        };
        stock::issue(&state.db, &actor, &input).await
    };
    let outcome = change.await;
    let number = filled(&values, "number").unwrap_or_default();
    answer(
        page,
        outcome,
        |_| counter_of(&values, "issued"),
        async |page, text| counter_view(&state, page, &actor, number, Some(text), None).await,
    )
    .await
}

/// Parts brought back unused from the car.
async fn give_back(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let quantity = super::typed_quantity(&values, "quantity", &mut errors);
    let change = async {
        let line = uuid_field(&values, "repair_part_id")
            .ok_or_else(|| StoreError::invalid("repair_part_id", "required"))?;
        let input = ReturnInput {
            repair_part_id: line,
            quantity: quantity.unwrap_or(0),
            reason: filled(&values, "reason"),
        };
        stock::return_from_order(&state.db, &actor, &input).await
    };
    let outcome = unless_invalid(errors, change).await;
    let number = filled(&values, "number").unwrap_or_default();
    answer(
        page,
        outcome,
        |_| counter_of(&values, "returned"),
        async |page, text| counter_view(&state, page, &actor, number, Some(text), None).await,
    )
    .await
}
