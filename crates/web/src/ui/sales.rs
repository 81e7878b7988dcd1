//! Sales screens: the receptionist's showroom log and live board, the consultant's pipeline
//! board and prospect page, the manager's defeat decisions and reassignment.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_domain::customers::mobile::normalize_mobile;
use fours_domain::sales::pipeline::{Standing, Step};
use fours_domain::sales::{Channel, ContactMethod, DefeatReason, grading::Grade};
use fours_store::StoreError;
use fours_store::org::{self, Actor};
use fours_store::paging::PageRequest;
use fours_store::sales::leads::{self, DefeatInput, FollowUpInput, LeadFilter, LeadInput};
use fours_store::sales::policy::{self, SalesPolicy};
use fours_store::sales::visits::{self, VisitInput};
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::filled;
use super::{Page, error_page, page_for, render};
use crate::AppState;
use crate::api::sales::leads::{LeadOut, due_list, leads_out, store_day};
use crate::api::sales::visits::{VisitOut, visit_out};
use crate::auth::PageCaller;
use crate::error::{ApiError, field_message};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/showroom", get(showroom).post(log_visit))
        .route("/showroom/{id}/departure", post(depart))
        .route("/showroom/{id}/customer", post(link_customer))
        .route("/leads", get(board).post(create_lead))
        .route("/leads/new", get(new_lead))
        .route("/leads/reassign", post(reassign_ticked))
        .route("/leads/{id}", get(lead_page))
        .route("/leads/{id}/follow-ups", post(add_follow_up))
        .route("/leads/{id}/step", post(advance))
        .route("/leads/{id}/defeat", post(request_defeat))
        .route("/leads/{id}/defeat/decision", post(decide_defeat))
        .route("/leads/{id}/reassign", post(reassign))
        .route("/leads/{id}/reactivate", post(reactivate))
        .route("/settings/sales", get(policy_page).post(save_policy))
}

pub(super) type Values = HashMap<String, String>;

/// The page, or the error page when the user's role may not do this.
pub(super) async fn page_requiring(
    state: &AppState,
    session: &Session,
    actor: &Actor,
    permission: Permission,
) -> Result<Page, Response> {
    let page = page_for(state, session, actor).await;
    if page.can(permission) {
        Ok(page)
    } else {
        Err(error_page(&page, ApiError::Forbidden))
    }
}

/// Runs `change` only when the form itself had no errors (values it could not parse).
pub(super) async fn unless_invalid<T>(
    errors: Vec<fours_store::error::FieldError>,
    change: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    if errors.is_empty() {
        change.await
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// The first field error of a failed change, in the user's language.
pub(super) fn message(page: &Page, error: &StoreError) -> Option<String> {
    match error {
        StoreError::Invalid(errors) => errors
            .first()
            .map(|e| field_message(page.locale, e).message),
        _ => None,
    }
}

/// Labelled choices for a select: (value, label).
fn choices<T: Copy>(
    page: &Page,
    all: &[T],
    text: fn(T) -> &'static str,
    group: &str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|c| {
            (
                text(*c).to_owned(),
                page.t(&format!("{group}.{}", text(*c))),
            )
        })
        .collect()
}

/// Consultants of the actor's store (or the group) who may be handed visitors and leads.
async fn consultants(state: &AppState, actor: &Actor) -> Vec<(String, String)> {
    org::list_users(&state.db.conn, actor.tenant_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.active && matches!(u.role.as_str(), "sales_consultant" | "sales_manager"))
        .filter(|u| actor.store_id.is_none() || u.store_id == actor.store_id)
        .map(|u| (u.id.to_string(), u.display_name))
        .collect()
}

fn split_list(values: &Values, name: &str) -> Option<Vec<String>> {
    filled(values, name).map(|v| {
        v.split([',', '，', '、'])
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect()
    })
}

pub(super) fn uuid_field(values: &Values, name: &str) -> Option<Uuid> {
    filled(values, name).and_then(|v| v.parse().ok())
}

#[derive(Template)]
#[template(path = "showroom.html")]
struct ShowroomTemplate {
    page: Page,
    in_showroom: Vec<VisitOut>,
    today: Vec<VisitOut>,
    channels: Vec<(String, String)>,
    consultants: Vec<(String, String)>,
    error: Option<String>,
}

impl ShowroomTemplate {
    fn consultant_name(&self, id: &Option<Uuid>) -> String {
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        self.consultants
            .iter()
            .find(|(value, _)| *value == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    }
}

async fn showroom_page(
    state: &AppState,
    page: Page,
    actor: &Actor,
    error: Option<String>,
) -> Response {
    let (_, midnight) = store_day(state, actor, None).await;
    let now = Utc::now();
    let found = (
        visits::in_showroom(&state.db.conn, actor, now).await,
        visits::since(&state.db.conn, actor, midnight).await,
    );
    let (Ok(present), Ok(today)) = found else {
        return error_page(&page, ApiError::Internal("visits unavailable".into()));
    };
    render(&ShowroomTemplate {
        in_showroom: present.into_iter().map(|v| visit_out(v, now)).collect(),
        today: today.into_iter().map(|v| visit_out(v, now)).collect(),
        channels: choices(&page, Channel::ALL, Channel::as_str, "choice.source"),
        consultants: consultants(state, actor).await,
        page,
        error,
    })
}

async fn showroom(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::ShowroomLog).await {
        Ok(page) => showroom_page(&state, page, &actor, None).await,
        Err(denied) => denied,
    }
}

async fn log_visit(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ShowroomLog).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let input = VisitInput {
        channel: filled(&values, "channel"),
        party_size: filled(&values, "party_size").and_then(|v| v.parse().ok()),
        models_of_interest: split_list(&values, "models_of_interest"),
        consultant_id: uuid_field(&values, "consultant_id"),
        name: filled(&values, "name"),
        mobile: filled(&values, "mobile"),
        notes: filled(&values, "notes"),
        ..Default::default()
    };
    match visits::log(&state.db, &actor, &input).await {
        Ok(_) => Redirect::to("/showroom").into_response(),
        Err(error) => match message(&page, &error) {
            Some(text) => showroom_page(&state, page, &actor, Some(text)).await,
            None => error_page(&page, error.into()),
        },
    }
}

async fn depart(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ShowroomLog).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    match visits::depart(&state.db, &actor, id, None).await {
        Ok(_) => Redirect::to("/showroom").into_response(),
        Err(error) => match message(&page, &error) {
            Some(text) => showroom_page(&state, page, &actor, Some(text)).await,
            None => error_page(&page, error.into()),
        },
    }
}

/// Links an anonymous visit to the customer the receptionist finds by mobile.
async fn link_customer(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::ShowroomLog).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let linked = async {
        let mobile = filled(&values, "mobile")
            .map(|m| normalize_mobile(&m))
            .transpose()
            .map_err(|invalid| StoreError::invalid("mobile", invalid.0))?
            .ok_or_else(|| StoreError::invalid("mobile", "required"))?;
        let customer =
            fours_store::customers::find_by_mobile(&state.db.conn, actor.tenant_id, &mobile)
                .await?
                .ok_or_else(|| StoreError::invalid("mobile", "reference.not_found"))?;
        visits::link_customer(&state.db, &actor, id, customer.id).await
    };
    match linked.await {
        Ok(_) => Redirect::to("/showroom").into_response(),
        Err(error) => match message(&page, &error) {
            Some(text) => showroom_page(&state, page, &actor, Some(text)).await,
            None => error_page(&page, error.into()),
        },
    }
}

/// One column of the pipeline board.
struct Column {
    label: String,
    leads: Vec<LeadOut>,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct BoardTemplate {
    page: Page,
    columns: Vec<Column>,
    defeat_requests: Vec<LeadOut>,
    /// Quotes whose discount waits for the manager: (lead id, vehicle, discount).
    quotes_waiting: Vec<(Uuid, String, String)>,
    /// Who leads can be handed to (managers reassign ticked cards in bulk).
    consultants: Vec<(String, String)>,
    can_manage: bool,
}

/// The pipeline board: open leads by step (the newest 500 the user may see), and for
/// managers the defeats waiting for a decision.
async fn board(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::LeadWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let filter = LeadFilter {
        standing: Some(Standing::Active.as_str().to_owned()),
        ..Default::default()
    };
    let request = PageRequest {
        limit: Some(500),
        cursor: None,
    };
    let can_manage = page.can(Permission::SalesManage);
    let open = leads::list(&state.db.conn, &actor, &filter, request).await;
    let pending = leads::defeat_requests(&state.db.conn, &actor).await;
    let (Ok(open), Ok(pending)) = (open, pending) else {
        return error_page(&page, ApiError::Internal("leads unavailable".into()));
    };
    let (Ok(open), Ok(pending)) = (
        leads_out(&state, &actor, open.items).await,
        leads_out(&state, &actor, pending).await,
    ) else {
        return error_page(&page, ApiError::Internal("leads unavailable".into()));
    };
    let columns = Step::ALL[..Step::ALL.len() - 1]
        .iter()
        .map(|step| Column {
            label: page.t(&format!("step.{}", step.as_str())),
            leads: open
                .iter()
                .filter(|l| l.step == step.as_str())
                .cloned()
                .collect(),
        })
        .collect();
    let quotes_waiting = fours_store::sales::deals::pending_quotes(&state.db.conn, &actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|q| {
            (
                q.lead_id,
                q.vehicle,
                fours_domain::money::format_fen(q.discount_fen),
            )
        })
        .collect();
    render(&BoardTemplate {
        page,
        columns,
        defeat_requests: pending,
        quotes_waiting,
        consultants: consultants(&state, &actor).await,
        can_manage,
    })
}

#[derive(Template)]
#[template(path = "lead_new.html")]
struct NewLeadTemplate {
    page: Page,
    values: Values,
    sources: Vec<(String, String)>,
    grades: Vec<(String, String)>,
    consultants: Vec<(String, String)>,
    error: Option<String>,
}

impl NewLeadTemplate {
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
}

async fn new_lead_page(
    state: &AppState,
    page: Page,
    actor: &Actor,
    values: Values,
    error: Option<String>,
) -> Response {
    render(&NewLeadTemplate {
        sources: choices(&page, Channel::ALL, Channel::as_str, "choice.source"),
        grades: Grade::ALL
            .iter()
            .map(|g| (g.as_str().to_owned(), g.as_str().to_owned()))
            .collect(),
        consultants: consultants(state, actor).await,
        page,
        values,
        error,
    })
}

async fn new_lead(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::LeadWork).await {
        Ok(page) => new_lead_page(&state, page, &actor, Values::new(), None).await,
        Err(denied) => denied,
    }
}

/// Parses a yuan amount typed in the form into fen; a bad amount becomes a field error.
pub(super) fn fen(
    values: &Values,
    name: &'static str,
    errors: &mut Vec<fours_store::error::FieldError>,
) -> Option<i64> {
    let raw = filled(values, name)?;
    match fours_domain::money::parse_yuan(&raw) {
        Ok(fen) => Some(fen),
        Err(invalid) => {
            errors.push(fours_store::error::FieldError {
                field: name,
                code: invalid.0,
            });
            None
        }
    }
}

fn lead_input(values: &Values) -> Result<LeadInput, StoreError> {
    let mut errors = Vec::new();
    let mut number = |name: &'static str| super::forms::number(values, name, &mut errors);
    let (buys_within_days, trade_in_year, trade_in_mileage_km) = (
        number("buys_within_days"),
        number("trade_in_year"),
        number("trade_in_mileage_km"),
    );
    let input = LeadInput {
        name: filled(values, "name"),
        mobile: filled(values, "mobile"),
        consultant_id: uuid_field(values, "consultant_id"),
        source: filled(values, "source"),
        models_of_interest: split_list(values, "models_of_interest"),
        budget_min_fen: fen(values, "budget_min_fen", &mut errors),
        budget_max_fen: fen(values, "budget_max_fen", &mut errors),
        buys_within_days,
        grade: filled(values, "grade"),
        competitor_models: filled(values, "competitor_models"),
        current_car: filled(values, "current_car"),
        trade_in_model: filled(values, "trade_in_model"),
        trade_in_year,
        trade_in_mileage_km,
        trade_in_offer_fen: fen(values, "trade_in_offer_fen", &mut errors),
        finance_interest: Some(values.contains_key("finance_interest")),
        ..Default::default()
    };
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(StoreError::Invalid(errors))
    }
}

async fn create_lead(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::LeadWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let created = match lead_input(&values) {
        Ok(input) => leads::create(&state.db, &actor, &input).await,
        Err(invalid) => Err(invalid),
    };
    match created {
        Ok(lead) => Redirect::to(&format!("/leads/{}", lead.id)).into_response(),
        Err(error) => match message(&page, &error) {
            Some(text) => new_lead_page(&state, page, &actor, values, Some(text)).await,
            None => error_page(&page, error.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadTemplate {
    page: Page,
    lead: LeadOut,
    step_label: String,
    standing_label: String,
    source_label: String,
    consultant: String,
    /// Steps the consultant may move the lead on to.
    next_steps: Vec<(String, String)>,
    methods: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    consultants: Vec<(String, String)>,
    follow_ups: Vec<(String, String, String, String, bool)>,
    history: Vec<(String, String, String)>,
    deal: super::deals::DealPanel,
    can_manage: bool,
    error: Option<String>,
}

async fn lead_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    error: Option<String>,
) -> Response {
    let found = match leads::get(&state.db.conn, actor, id).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let position = leads::position(&found).ok();
    let (follow_ups, history, people) = (
        leads::follow_ups(&state.db.conn, &found)
            .await
            .unwrap_or_default(),
        leads::history(&state.db.conn, &found)
            .await
            .unwrap_or_default(),
        consultants(state, actor).await,
    );
    let name_of = |id: Uuid| {
        people
            .iter()
            .find(|(value, _)| *value == id.to_string())
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    let deal = super::deals::deal_panel(state, &page, actor, &found).await;
    let Ok(mut found) = leads_out(state, actor, vec![found]).await else {
        return error_page(&page, ApiError::Internal("lead unavailable".into()));
    };
    let Some(lead) = found.pop() else {
        return error_page(&page, StoreError::NotFound.into());
    };
    let next_steps = position
        .map(|p| {
            Step::ALL
                .iter()
                .filter(|s| p.advance(**s).is_ok())
                .map(|s| {
                    (
                        s.as_str().to_owned(),
                        page.t(&format!("step.{}", s.as_str())),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    render(&LeadTemplate {
        step_label: page.t(&format!("step.{}", lead.step)),
        standing_label: page.t(&format!("standing.{}", lead.standing)),
        source_label: page.t(&format!("choice.source.{}", lead.source)),
        consultant: name_of(lead.consultant_id),
        next_steps,
        methods: choices(&page, ContactMethod::ALL, ContactMethod::as_str, "method"),
        reasons: choices(
            &page,
            DefeatReason::ALL,
            DefeatReason::as_str,
            "defeat_reason",
        ),
        follow_ups: follow_ups
            .into_iter()
            .map(|f| {
                (
                    page.local_time(f.done_at),
                    page.t(&format!("method.{}", f.method)),
                    f.outcome,
                    f.next_follow_up_on.to_string(),
                    f.on_time,
                )
            })
            .collect(),
        history: history
            .into_iter()
            .map(|h| {
                let change = match (h.kind.as_str(), h.to_value) {
                    ("assigned", Some(to)) => name_of(to.parse().unwrap_or_default()),
                    (_, to) => to.unwrap_or_default(),
                };
                (
                    page.local_time(h.at),
                    page.t(&format!("history.{}", h.kind)),
                    change,
                )
            })
            .collect(),
        can_manage: page.can(Permission::SalesManage),
        deal,
        consultants: people.clone(),
        lead,
        page,
        error,
    })
}

async fn lead_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::LeadWork).await {
        Ok(page) => lead_view(&state, page, &actor, id, None).await,
        Err(denied) => denied,
    }
}

/// Runs a change from the prospect page: back to the page, with the field error if it failed.
pub(super) async fn lead_change<T, F>(
    state: &AppState,
    session: &Session,
    actor: &Actor,
    id: Uuid,
    permission: Permission,
    change: F,
) -> Response
where
    F: std::future::Future<Output = Result<T, StoreError>>,
{
    let page = match page_requiring(state, session, actor, permission).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    match change.await {
        Ok(_) => Redirect::to(&format!("/leads/{id}")).into_response(),
        Err(error) => match message(&page, &error) {
            Some(text) => lead_view(state, page, actor, id, Some(text)).await,
            None => error_page(&page, error.into()),
        },
    }
}

async fn add_follow_up(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let input = FollowUpInput {
        method: filled(&values, "method"),
        outcome: filled(&values, "outcome"),
        next_step: filled(&values, "next_step"),
        next_follow_up_on: filled(&values, "next_follow_up_on")
            .and_then(|d| d.parse::<NaiveDate>().ok()),
        grade: filled(&values, "grade"),
        ..Default::default()
    };
    let change = leads::add_follow_up(&state.db, &actor, id, &input);
    lead_change(&state, &session, &actor, id, Permission::LeadWork, change).await
}

async fn advance(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let step = filled(&values, "step").unwrap_or_default();
    let change = leads::advance(&state.db, &actor, id, &step, filled(&values, "note"));
    lead_change(&state, &session, &actor, id, Permission::LeadWork, change).await
}

async fn request_defeat(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let input = DefeatInput {
        reason: filled(&values, "reason"),
        competitor_brand: filled(&values, "competitor_brand"),
        competitor_model: filled(&values, "competitor_model"),
        note: filled(&values, "note"),
    };
    let change = leads::request_defeat(&state.db, &actor, id, &input);
    lead_change(&state, &session, &actor, id, Permission::LeadWork, change).await
}

async fn decide_defeat(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let approve = filled(&values, "approve").as_deref() == Some("true");
    let change = leads::decide_defeat(&state.db, &actor, id, approve, filled(&values, "note"));
    lead_change(
        &state,
        &session,
        &actor,
        id,
        Permission::SalesManage,
        change,
    )
    .await
}

async fn reassign(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let consultant_id = uuid_field(&values, "consultant_id").unwrap_or_default();
    let ids = [id];
    let change = leads::reassign(
        &state.db,
        &actor,
        &ids,
        consultant_id,
        filled(&values, "note"),
    );
    lead_change(
        &state,
        &session,
        &actor,
        id,
        Permission::SalesManage,
        change,
    )
    .await
}

/// Hands every ticked card of the board to one consultant.
async fn reassign_ticked(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::SalesManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    let ids: Vec<Uuid> = pairs
        .iter()
        .filter(|(key, _)| key == "lead_ids")
        .filter_map(|(_, id)| id.parse().ok())
        .collect();
    let consultant_id = value("consultant_id")
        .and_then(|id| id.parse().ok())
        .unwrap_or_default();
    match leads::reassign(&state.db, &actor, &ids, consultant_id, None).await {
        Ok(_) => Redirect::to("/leads").into_response(),
        Err(error) => error_page(&page, error.into()),
    }
}

async fn reactivate(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let change = leads::reactivate(&state.db, &actor, id);
    lead_change(
        &state,
        &session,
        &actor,
        id,
        Permission::SalesManage,
        change,
    )
    .await
}

/// The sales part of the today page: follow-ups due, and for managers the escalated ones and
/// the defeats waiting for them.
pub struct SalesToday {
    pub due: Vec<crate::api::sales::leads::DueLead>,
    pub defeat_requests: usize,
}

pub async fn sales_today(state: &AppState, actor: &Actor) -> Option<SalesToday> {
    if !actor.can(Permission::LeadWork) {
        return None;
    }
    let mut due = due_list(state, actor).await.ok()?.items;
    if actor.can(Permission::SalesManage) {
        due.retain(|d| d.escalated || d.lead.consultant_id == actor.user_id);
    }
    let defeat_requests = if actor.can(Permission::SalesManage) {
        leads::defeat_requests(&state.db.conn, actor)
            .await
            .map(|r| r.len())
            .unwrap_or(0)
    } else {
        0
    };
    Some(SalesToday {
        due,
        defeat_requests,
    })
}

#[derive(Template)]
#[template(path = "sales_policy.html")]
struct PolicyTemplate {
    page: Page,
    policy: SalesPolicy,
    discount_limit_yuan: String,
    saved: bool,
    error: Option<String>,
}

async fn policy_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    saved: bool,
    error: Option<String>,
) -> Response {
    let Some(store_id) = actor.store_id else {
        return error_page(&page, StoreError::invalid("store_id", "required").into());
    };
    match policy::for_store(&state.db.conn, actor.tenant_id, store_id).await {
        Ok(policy) => render(&PolicyTemplate {
            discount_limit_yuan: fours_domain::money::format_fen(policy.discount_limit_fen)
                .replace(',', ""),
            policy,
            page,
            saved,
            error,
        }),
        Err(error) => error_page(&page, error.into()),
    }
}

/// The store's grading horizons, follow-up cadence, grace period and discount limit.
async fn policy_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::SalesManage).await {
        Ok(page) => policy_view(&state, page, &actor, false, None).await,
        Err(denied) => denied,
    }
}

async fn save_policy(
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
    let days = |prefix: &str| {
        let mut all = [0u32; 4];
        for (i, grade) in ["H", "A", "B", "C"].iter().enumerate() {
            all[i] = filled(&values, &format!("{prefix}_{grade}"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
        }
        all
    };
    let policy = SalesPolicy {
        horizon_days: days("horizon"),
        cadence_days: days("cadence"),
        manager_grace_days: filled(&values, "manager_grace_days")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        discount_limit_fen: fen(&values, "discount_limit_fen", &mut errors).unwrap_or(0),
    };
    let saved = match (actor.store_id, errors.is_empty()) {
        (Some(store_id), true) => policy::set(&state.db.conn, &actor, store_id, policy)
            .await
            .map(|_| ()),
        (None, _) => Err(StoreError::invalid("store_id", "required")),
        (_, false) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(()) => policy_view(&state, page, &actor, true, None).await,
        Err(error) => match message(&page, &error) {
            Some(text) => policy_view(&state, page, &actor, false, Some(text)).await,
            None => error_page(&page, error.into()),
        },
    }
}
