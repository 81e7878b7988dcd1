//! Complaint screens (投诉): the list with SLA badges (response or resolution overdue), the
//! intake form, and a complaint's page with its history and the next step's form (respond,
//! analyse with the five gaps, resolve, confirm and close, reopen) and, for managers, the
//! owner, category and severity. Every change calls the same store operation as the API.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use fours_domain::access::Permission;
use fours_domain::care::complaint::{Category, Channel, Gap, Severity, Status, Step};
use fours_store::StoreError;
use fours_store::care::complaints::{
    self, ComplaintChange, ComplaintFilter, ComplaintInput, ComplaintView, StepInput, gaps_of,
};
use fours_store::customers::{self as customer_ops, CustomerFilter};
use fours_store::org::{self, Actor};
use fours_store::paging::PageRequest;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::{filled, form_status};
use crate::ui::sales::{Values, page_requiring, uuid_field};
use crate::ui::service::answer_form;
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/care/complaints", get(list_page).post(intake))
        .route("/care/complaints/new", get(new_page))
        .route("/care/complaints/{id}", get(detail_page))
        .route("/care/complaints/{id}/steps", post(step))
        .route("/care/complaints/{id}/change", post(change))
}

/// A word of one of the complaint vocabularies: `complaint.status.open`.
fn word(page: &Page, group: &str, value: &str) -> String {
    page.t(&format!("complaint.{group}.{value}"))
}

fn choices(page: &Page, group: &str, values: &[&'static str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| ((*v).to_owned(), word(page, group, v)))
        .collect()
}

/// A complaint in the list.
pub struct ComplaintRow {
    pub id: Uuid,
    pub number: String,
    pub customer: String,
    pub category: String,
    pub severity: String,
    pub severity_label: String,
    pub status: String,
    pub status_label: String,
    pub owner: String,
    pub opened: String,
    pub respond_by: String,
    pub resolve_by: String,
    pub response_overdue: bool,
    pub resolution_overdue: bool,
    pub escalated: bool,
    pub reopened: i32,
}

impl ComplaintRow {
    /// Bootstrap's colour of the severity badge.
    pub fn severity_class(&self) -> &'static str {
        match self.severity.as_str() {
            "critical" => "bg-danger",
            "high" => "bg-warning text-dark",
            "medium" => "bg-info text-dark",
            _ => "bg-secondary",
        }
    }

    pub fn status_class(&self) -> &'static str {
        match self.status.as_str() {
            "closed" => "bg-success",
            "resolved" => "bg-primary",
            _ => "bg-light text-dark border",
        }
    }
}

fn row(page: &Page, view: ComplaintView) -> ComplaintRow {
    let c = view.complaint;
    ComplaintRow {
        id: c.id,
        number: c.number,
        customer: view.customer_name,
        category: word(page, "category", &c.category),
        severity_label: word(page, "severity", &c.severity),
        severity: c.severity,
        status_label: word(page, "status", &c.status),
        status: c.status,
        owner: view.owner_name.unwrap_or_default(),
        opened: page.local_time(c.opened_at),
        respond_by: page.local_time(c.respond_by),
        resolve_by: page.local_time(c.resolve_by),
        response_overdue: view.response_overdue,
        resolution_overdue: view.resolution_overdue,
        escalated: c.escalated_at.is_some(),
        reopened: c.reopened,
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    severity: Option<String>,
    category: Option<String>,
    overdue: Option<String>,
    all: Option<String>,
}

#[derive(Template)]
#[template(path = "care_complaints.html")]
struct ListTemplate {
    page: Page,
    rows: Vec<ComplaintRow>,
    statuses: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    status: String,
    severity: String,
    category: String,
    overdue: bool,
    all: bool,
}

async fn list_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<ListQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let overdue = query.overdue.as_deref().is_some_and(|v| !v.is_empty());
    let all = query.all.as_deref().is_some_and(|v| !v.is_empty());
    let status = query.status.clone().unwrap_or_default();
    let filter = ComplaintFilter {
        status: Some(status.clone()),
        severity: query.severity.clone(),
        category: query.category.clone(),
        overdue: Some(overdue),
        // Closed complaints only when asked for (by status or "all").
        open: Some(!all && status.is_empty()),
        ..Default::default()
    };
    let rows = match complaints::list(&state.db.conn, &actor, &filter, Utc::now()).await {
        Ok(found) => found.into_iter().map(|v| row(&page, v)).collect(),
        Err(error) => return error_page(&page, error.into()),
    };
    render(&ListTemplate {
        rows,
        statuses: choices(&page, "status", &Status::ALL.map(Status::as_str)),
        severities: choices(&page, "severity", &Severity::ALL.map(Severity::as_str)),
        categories: choices(&page, "category", &Category::ALL.map(Category::as_str)),
        status,
        severity: query.severity.unwrap_or_default(),
        category: query.category.unwrap_or_default(),
        overdue,
        all,
        page,
    })
}

#[derive(Template)]
#[template(path = "care_complaint_new.html")]
struct NewTemplate {
    page: Page,
    channels: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    severities: Vec<(String, String)>,
    values: Values,
    /// The customer named by the link (`?customer_id=`), shown by name.
    customer_name: String,
    error: Option<String>,
}

impl NewTemplate {
    fn typed(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    fn chosen(&self, name: &str, value: &str, default: &str) -> bool {
        match self.values.get(name).filter(|v| !v.is_empty()) {
            Some(typed) => typed == value,
            None => value == default,
        }
    }
}

async fn new_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(values): Query<Values>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => new_view(&state, page, &actor, values, None).await,
        Err(denied) => denied,
    }
}

async fn new_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    values: Values,
    error: Option<String>,
) -> Response {
    let customer_name = match uuid_field(&values, "customer_id") {
        Some(id) => customer_ops::get(&state.db.conn, actor, id)
            .await
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let status = form_status(error.is_some());
    let template = NewTemplate {
        channels: choices(&page, "channel", &Channel::ALL.map(Channel::as_str)),
        categories: choices(&page, "category", &Category::ALL.map(Category::as_str)),
        severities: choices(&page, "severity", &Severity::ALL.map(Severity::as_str)),
        values,
        customer_name,
        error,
        page,
    };
    (status, render(&template)).into_response()
}

/// The customer a form names (a complaint's intake, a survey link): by id (from a link), or
/// one search box (mobile, name, plate…) that must find exactly one.
pub(super) async fn customer_for(
    state: &AppState,
    actor: &Actor,
    values: &Values,
) -> Result<Uuid, StoreError> {
    if let Some(id) = uuid_field(values, "customer_id") {
        return Ok(id);
    }
    let q = filled(values, "customer").ok_or(StoreError::invalid("customer_id", "required"))?;
    let filter = CustomerFilter {
        q: Some(q),
        ..Default::default()
    };
    let found = customer_ops::list(
        &state.db.conn,
        actor,
        &filter,
        PageRequest {
            limit: Some(2),
            cursor: None,
        },
    )
    .await?;
    match found.items.as_slice() {
        [one] => Ok(one.id),
        [] => Err(StoreError::invalid("customer_id", "reference.not_found")),
        _ => Err(StoreError::invalid(
            "customer_id",
            "feedback.customer_ambiguous",
        )),
    }
}

async fn intake(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let outcome = async {
        let customer_id = customer_for(&state, &actor, &values).await?;
        let input = ComplaintInput {
            customer_id: Some(customer_id),
            vehicle_id: uuid_field(&values, "vehicle_id"),
            sales_order_id: uuid_field(&values, "sales_order_id"),
            repair_order_id: uuid_field(&values, "repair_order_id"),
            channel: filled(&values, "channel").unwrap_or_default(),
            category: filled(&values, "category").unwrap_or_default(),
            severity: filled(&values, "severity"),
            words: filled(&values, "words").unwrap_or_default(),
            owner_id: None,
            store_id: None,
        };
        complaints::intake(&state.db, &actor, &input).await
    }
    .await;
    answer_form(
        page,
        outcome,
        |created| format!("/care/complaints/{}", created.id),
        async |page, text| new_view(&state, page, &actor, values, Some(text)).await,
    )
    .await
}

pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "care_complaint.html")]
struct DetailTemplate {
    page: Page,
    c: ComplaintRow,
    customer_id: Uuid,
    words: String,
    channel: String,
    cause: String,
    actions: String,
    resolution: String,
    gaps: Vec<String>,
    confirmed: bool,
    history: Vec<HistoryRow>,
    /// The step the owner takes next (`respond`, `analyse`, `resolve`, `close`), if any.
    next: String,
    /// Resolved or closed: it may be reopened.
    reopenable: bool,
    gap_choices: Vec<(String, String)>,
    owners: Vec<(String, String)>,
    owner_id: String,
    severities: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    category_code: String,
    can_manage: bool,
    error: Option<String>,
}

async fn detail_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => detail_view(&state, page, &actor, id, None).await,
        Err(denied) => denied,
    }
}

async fn detail_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    error: Option<String>,
) -> Response {
    let detail = match complaints::detail(&state.db.conn, actor, id, Utc::now()).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let users = org::list_users(&state.db.conn, actor.tenant_id)
        .await
        .unwrap_or_default();
    let people: HashMap<Uuid, String> = users
        .iter()
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let c = &detail.view.complaint;
    let status = Status::parse(&c.status).unwrap_or(Status::Open);
    let owners = users
        .iter()
        .filter(|u| u.active && u.store_id.is_none_or(|s| s == c.store_id))
        .filter(|u| {
            fours_domain::access::Role::parse(&u.role)
                .is_some_and(|r| r.allows(Permission::CareManage))
        })
        .map(|u| (u.id.to_string(), u.display_name.clone()))
        .collect();
    let history = detail
        .history
        .iter()
        .map(|h| HistoryRow {
            at: page.local_time(h.at),
            by: h
                .by_id
                .and_then(|by| people.get(&by).cloned())
                .unwrap_or_else(|| page.t("complaint.system")),
            from: if h.from_status == "new" {
                String::new()
            } else {
                word(&page, "status", &h.from_status)
            },
            to: word(&page, "status", &h.to_status),
            note: h.note.clone().unwrap_or_default(),
        })
        .collect();
    let status_code = form_status(error.is_some());
    let template = DetailTemplate {
        customer_id: c.customer_id,
        words: c.words.clone(),
        channel: word(&page, "channel", &c.channel),
        cause: c.cause.clone().unwrap_or_default(),
        actions: c.actions.clone().unwrap_or_default(),
        resolution: c.resolution.clone().unwrap_or_default(),
        gaps: gaps_of(c)
            .into_iter()
            .map(|g| word(&page, "gap", g.as_str()))
            .collect(),
        confirmed: c.customer_confirmed,
        next: status
            .next_step()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        reopenable: matches!(status, Status::Resolved | Status::Closed),
        gap_choices: choices(&page, "gap", &Gap::ALL.map(Gap::as_str)),
        owners,
        owner_id: c.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        severities: choices(&page, "severity", &Severity::ALL.map(Severity::as_str)),
        categories: choices(&page, "category", &Category::ALL.map(Category::as_str)),
        category_code: c.category.clone(),
        can_manage: page.can(Permission::CareManage),
        history,
        error,
        c: row(&page, detail.view),
        page,
    };
    (status_code, render(&template)).into_response()
}

/// One value of a form that may repeat (the gaps' checkboxes).
fn all_of(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(n, v)| n == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

fn first_of(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(n, v)| n == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
}

async fn step(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let gaps = all_of(&fields, "gaps");
    let step_name = first_of(&fields, "step").unwrap_or_default();
    let input = StepInput {
        step: step_name.clone(),
        note: first_of(&fields, "note"),
        gaps: (step_name == Step::Analyse.as_str()).then_some(gaps),
        cause: first_of(&fields, "cause"),
        actions: first_of(&fields, "actions"),
        resolution: first_of(&fields, "resolution"),
        customer_confirmed: Some(matches!(
            first_of(&fields, "customer_confirmed").as_deref(),
            Some("yes" | "on" | "true")
        )),
    };
    let outcome = complaints::step(&state.db, &actor, id, &input).await;
    settle(&state, page, &actor, id, outcome.map(|_| ())).await
}

async fn change(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let input = ComplaintChange {
        owner_id: uuid_field(&values, "owner_id"),
        category: filled(&values, "category"),
        severity: filled(&values, "severity"),
        note: filled(&values, "note"),
    };
    let outcome = complaints::change(&state.db, &actor, id, &input).await;
    settle(&state, page, &actor, id, outcome.map(|_| ())).await
}

/// Back to the complaint's page: as it now stands, or with the reason the change was refused.
async fn settle(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    outcome: Result<(), StoreError>,
) -> Response {
    answer_form(
        page,
        outcome,
        |()| format!("/care/complaints/{id}"),
        async |page, text| detail_view(state, page, actor, id, Some(text)).await,
    )
    .await
}
