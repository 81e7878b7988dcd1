//! The today page (今日回访): the signed-in user's open contacts due today and overdue, with
//! what they need to make the call; and for those who run care, the team's tasks with their
//! assignees, a filter by person and reassignment in bulk.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use fours_domain::access::Permission;
use fours_store::StoreError;
use fours_store::care::tasks::{self, InboxQuery, ReassignInput, TaskRow, View};
use fours_store::org::{self, Actor};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::sales::{message, page_requiring};
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/care", get(today))
        .route("/care/reassign", post(reassign))
}

const FLASH_KEY: &str = "care_flash";

/// Keeps a short notice for the next care page the user sees.
pub(super) async fn set_flash(session: &Session, text: String) {
    if let Err(error) = session.insert(FLASH_KEY, text).await {
        tracing::warn!(%error, "could not keep the care notice");
    }
}

/// The notice a change left, shown once.
pub(super) async fn take_flash(session: &Session) -> Option<String> {
    session.remove::<String>(FLASH_KEY).await.ok().flatten()
}

/// A stored care word in the user's language: `word(page, "channel", "phone")` is "电话".
pub(super) fn word(page: &Page, group: &str, value: &str) -> String {
    page.t(&format!("care.{group}.{value}"))
}

/// A vocabulary as select options: (value, label).
pub(super) fn options<'a>(
    page: &Page,
    group: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, String)> {
    values
        .into_iter()
        .map(|v| (v.to_owned(), word(page, group, v)))
        .collect()
}

/// A task as the today page and the task page show it.
pub struct TaskLine {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: String,
    /// As the caller may see it (masked without the phone permission).
    pub phone: String,
    /// The number to dial, when the caller sees it whole.
    pub tel: Option<String>,
    pub contact_time: String,
    pub car: String,
    pub title: String,
    pub channel: String,
    pub due: String,
    /// When the next try is planned, after a missed call or a call-back request.
    pub next_attempt: Option<String>,
    pub attempts: i32,
    pub overdue: bool,
    pub escalated: bool,
    pub assignee: String,
    pub status: String,
    pub status_label: String,
}

impl TaskLine {
    pub fn is_open(&self) -> bool {
        self.status == tasks::OPEN
    }
}

pub(super) fn task_line(page: &Page, row: TaskRow) -> TaskLine {
    let task = row.task;
    let phone = row.customer_mobile.unwrap_or_default();
    let dialable = !phone.is_empty() && phone.chars().all(|c| c.is_ascii_digit() || c == '+');
    TaskLine {
        id: task.id,
        customer_id: task.customer_id,
        customer_name: row.customer_name,
        tel: dialable.then(|| phone.clone()),
        phone,
        contact_time: row.customer_contact_time.unwrap_or_default(),
        car: row.vehicle.unwrap_or_default(),
        title: task.title,
        channel: word(page, "channel", &task.channel),
        due: page.local_time(task.due_at),
        next_attempt: task.next_attempt_at.map(|at| page.local_time(at)),
        attempts: task.attempts,
        overdue: row.overdue,
        escalated: task.escalated_at.is_some(),
        assignee: row.assignee_name.unwrap_or_default(),
        status_label: word(page, "status", &task.status),
        status: task.status,
    }
}

/// Active users of the actor's store (or the group) who work care tasks: (id, name).
async fn care_staff(state: &AppState, actor: &Actor) -> Vec<(String, String)> {
    org::list_users(&state.db.conn, actor.tenant_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.active && (actor.store_id.is_none() || u.store_id == actor.store_id))
        .filter(|u| {
            fours_domain::access::Role::parse(&u.role)
                .is_some_and(|role| role.allows(Permission::CareWork))
        })
        .map(|u| (u.id.to_string(), u.display_name))
        .collect()
}

#[derive(Deserialize)]
struct TodayQuery {
    view: Option<String>,
    assignee_id: Option<String>,
}

#[derive(Template)]
#[template(path = "care_inbox.html")]
struct InboxTemplate {
    page: Page,
    team: bool,
    tasks: Vec<TaskLine>,
    overdue: usize,
    staff: Vec<(String, String)>,
    assignee: String,
    flash: Option<String>,
    error: Option<String>,
}

async fn today(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<TodayQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let team = query.view.as_deref() == Some("team");
    if team && !page.can(Permission::CareManage) {
        return error_page(&page, crate::error::ApiError::Forbidden);
    }
    let assignee = query.assignee_id.and_then(|id| id.parse().ok());
    let flash = take_flash(&session).await;
    inbox_view(&state, page, &actor, team, assignee, flash, None).await
}

async fn inbox_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    team: bool,
    assignee: Option<Uuid>,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    let query = InboxQuery {
        view: Some(if team { View::Team } else { View::Mine }),
        assignee_id: assignee.filter(|_| team),
        ..Default::default()
    };
    let found = match tasks::inbox(&state.db.conn, actor, &query, Utc::now()).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let mut lines: Vec<TaskLine> = found.into_iter().map(|row| task_line(&page, row)).collect();
    // Overdue first (each part keeps the store's order: oldest due first).
    lines.sort_by_key(|line| !line.overdue);
    let staff = if team {
        care_staff(state, actor).await
    } else {
        Vec::new()
    };
    render(&InboxTemplate {
        team,
        overdue: lines.iter().filter(|l| l.overdue).count(),
        tasks: lines,
        staff,
        assignee: assignee.map(|id| id.to_string()).unwrap_or_default(),
        flash,
        error,
        page,
    })
}

/// The team view's form: the ticked `task_ids` go to `to_user_id`.
async fn reassign(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let value = |name: &str| {
        fields
            .iter()
            .find(|(key, v)| key == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
    };
    let task_ids: Vec<Uuid> = fields
        .iter()
        .filter(|(key, _)| key == "task_ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let assignee: Option<Uuid> = value("assignee_id").and_then(|v| v.parse().ok());
    let outcome = match value("to_user_id").and_then(|v| v.parse().ok()) {
        None => Err(StoreError::invalid("to_user_id", "required")),
        Some(_) if task_ids.is_empty() => Err(StoreError::invalid("task_ids", "required")),
        Some(to_user_id) => {
            let input = ReassignInput {
                task_ids: Some(task_ids),
                from_user_id: None,
                to_user_id,
            };
            tasks::reassign(&state.db, &actor, &input).await
        }
    };
    match outcome {
        Ok(moved) => {
            let text = rust_i18n::t!("care.inbox.reassigned", locale = page.lang(), count = moved);
            set_flash(&session, text.into_owned()).await;
            let filter = assignee
                .map(|id| format!("&assignee_id={id}"))
                .unwrap_or_default();
            Redirect::to(&format!("/care?view=team{filter}")).into_response()
        }
        Err(error) => match message(&page, &error) {
            Some(text) => {
                let shown = inbox_view(&state, page, &actor, true, assignee, None, Some(text));
                (axum::http::StatusCode::UNPROCESSABLE_ENTITY, shown.await).into_response()
            }
            None => error_page(&page, error.into()),
        },
    }
}
