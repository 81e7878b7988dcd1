//! A task's page: the customer's key facts, the script (话术) to follow, the attempts so far,
//! and the outcome form (reached, not reached, wrong number, refused, call back at a time the
//! customer named). The survey form of a task with a survey sits beside the script.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use fours_domain::access::Permission;
use fours_domain::care::attempts::Outcome;
use fours_store::care::tasks::{self, AttemptInput};
use fours_store::org::{self, Actor};
use tower_sessions::Session;
use uuid::Uuid;

use super::inbox::{TaskLine, options, set_flash, take_flash, task_line, word};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::{filled, form_status, local_instant};
use crate::ui::sales::{Values, message, page_requiring, unless_invalid};
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/care/tasks/{id}", get(task_page))
        .route("/care/tasks/{id}/attempts", post(record))
        .route("/care/tasks/{id}/survey", post(answer_survey))
}

pub struct AttemptLine {
    pub at: String,
    pub by: String,
    pub outcome: String,
    pub outcome_label: String,
    pub note: String,
    pub call_back_at: Option<String>,
}

#[derive(Template)]
#[template(path = "care_task.html")]
struct TaskTemplate {
    page: Page,
    task: TaskLine,
    script: String,
    attempts: Vec<AttemptLine>,
    outcomes: Vec<(String, String)>,
    /// The survey's questions as form fields (from `care::surveys`), or empty.
    survey_form: String,
    error: Option<String>,
    /// What the last change on this page did (the survey saved).
    notice: Option<String>,
    /// What was typed, when the form comes back with an error.
    values: Values,
}

impl TaskTemplate {
    fn typed(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
}

async fn task_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => {
            let notice = take_flash(&session).await;
            let mut view = task_view(&state, page, &actor, id, None, Values::new()).await;
            if let Ok(template) = view.as_mut() {
                template.notice = notice;
            }
            answer(view)
        }
        Err(denied) => denied,
    }
}

/// The task page, or the page explaining why it cannot be shown.
async fn task_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    error: Option<String>,
    values: Values,
) -> Result<TaskTemplate, Response> {
    let detail = match tasks::detail(&state.db.conn, actor, id, Utc::now()).await {
        Ok(detail) => detail,
        Err(error) => return Err(error_page(&page, error.into())),
    };
    let people: HashMap<Uuid, String> = org::list_users(&state.db.conn, actor.tenant_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let attempts = detail
        .attempts
        .into_iter()
        .map(|a| AttemptLine {
            at: page.local_time(a.at),
            by: people.get(&a.by_id).cloned().unwrap_or_default(),
            outcome_label: word(&page, "outcome", &a.outcome),
            outcome: a.outcome,
            note: a.note.unwrap_or_default(),
            call_back_at: a.call_back_at.map(|at| page.local_time(at)),
        })
        .collect();
    let script = detail.row.task.script.clone();
    let survey_form = if detail.row.task.status == tasks::OPEN {
        super::surveys::task_survey_form(state, &page, &detail.row.task).await
    } else {
        String::new()
    };
    Ok(TaskTemplate {
        task: task_line(&page, detail.row),
        script,
        attempts,
        outcomes: options(&page, "outcome", Outcome::ALL.map(Outcome::as_str)),
        survey_form,
        error,
        notice: None,
        values,
        page,
    })
}

/// The page as the answer: 422 when it comes back with an error.
fn answer(view: Result<TaskTemplate, Response>) -> Response {
    match view {
        Ok(template) => {
            let status = form_status(template.error.is_some());
            (status, render(&template)).into_response()
        }
        Err(denied) => denied,
    }
}

/// Records an attempt; back to the today page with what became of the task, or the task page
/// again with the reason.
async fn record(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let outcome = filled(&values, "outcome").unwrap_or_default();
    let input = AttemptInput {
        call_back_at: local_instant(&page, &values, "call_back_at", &mut errors)
            .filter(|_| outcome == Outcome::CallBack.as_str()),
        note: filled(&values, "note"),
        outcome,
    };
    let saved = unless_invalid(errors, tasks::attempt(&state.db, &actor, id, &input)).await;
    match saved {
        Ok(task) => {
            let outcome = word(&page, "outcome", &input.outcome);
            let next = match task.next_attempt_at {
                Some(at) if task.status == tasks::OPEN => rust_i18n::t!(
                    "care.task.retry_at",
                    locale = page.lang(),
                    at = page.local_time(at)
                )
                .into_owned(),
                _ => word(&page, "status", &task.status),
            };
            set_flash(&session, format!("{}：{outcome}（{next}）", task.title)).await;
            Redirect::to("/care").into_response()
        }
        Err(error) => again_with(&state, page, &actor, id, error, values).await,
    }
}

/// The task page again, with the reason a change was refused.
async fn again_with(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    error: fours_store::StoreError,
    values: Values,
) -> Response {
    match message(&page, &error) {
        Some(text) => answer(task_view(state, page, actor, id, Some(text), values).await),
        None => error_page(&page, error.into()),
    }
}

/// Saves the survey asked on the phone; back to the task page to record the call's outcome.
async fn answer_survey(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    match super::surveys::record_task_survey(&state, &actor, id, &values).await {
        Ok(saved) => {
            let text = rust_i18n::t!(
                "care.task.survey_saved",
                locale = page.lang(),
                survey = saved.template_name
            );
            set_flash(&session, text.into_owned()).await;
            Redirect::to(&format!("/care/tasks/{id}")).into_response()
        }
        Err(error) => again_with(&state, page, &actor, id, error, values).await,
    }
}
