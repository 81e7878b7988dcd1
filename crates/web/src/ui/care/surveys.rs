//! Survey screens: the store's templates (SSI, CSI and its own, edited by care set-up users),
//! the scores report (index, top box, NPS by question, staff member, store and month, the CS
//! gaps, with a trend chart), sending a mobile link, and the customer's own mobile page behind
//! the link (`/s/{token}`: no sign-in, the token is the credential, answered once). Also the
//! survey's questions as a form for the care task page (`survey_form`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use fours_domain::access::Permission;
use fours_domain::care::survey::{Question, QuestionKind};
use fours_store::StoreError;
use fours_store::care::entities::care_task;
use fours_store::care::feedback::survey_template;
use fours_store::care::surveys::{
    self, LinkInput, ReportQuery, ResponseDetail, ResponseInput, SurveyReport, TemplateChange,
    TemplateFilter, answers_from_form, questions_of,
};
use fours_store::org::Actor;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::complaints::customer_for;
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::{filled, form_status};
use crate::ui::sales::{Values, message, page_requiring};
use crate::ui::service::{answer_form, public_page};
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/care/surveys", get(surveys_page))
        .route("/care/surveys/links", post(send_link))
        .route("/care/surveys/{id}", post(update_template))
        .route("/s/{token}", get(public_survey).post(answer_public))
}

/// The prefix of a question's form field: `q_overall`.
pub const FIELD_PREFIX: &str = "q_";

/// One question as a form shows it.
pub struct QuestionField {
    pub code: String,
    pub name: String,
    pub text: String,
    /// `scale10`, `scale5`, `yes_no`, `choice`, `text`
    pub kind: String,
    pub required: bool,
    /// The values of a scale (0–10, 1–5) or the choices.
    pub options: Vec<String>,
    /// What was typed when the form comes back with an error.
    pub value: String,
    /// "期望" / "实际" for paired questions.
    pub side: String,
}

impl QuestionField {
    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    pub fn picked(&self, option: &str) -> bool {
        self.value == option
    }
}

fn fields(page: &Page, questions: &[Question], typed: &Values) -> Vec<QuestionField> {
    questions
        .iter()
        .map(|q| {
            let options = match q.kind {
                QuestionKind::Scale10 => (0..=10).map(|v| v.to_string()).collect(),
                QuestionKind::Scale5 => (1..=5).map(|v| v.to_string()).collect(),
                QuestionKind::YesNo => vec!["yes".to_owned(), "no".to_owned()],
                QuestionKind::Choice => q.options.clone(),
                QuestionKind::Text => Vec::new(),
            };
            let name = format!("{FIELD_PREFIX}{}", q.code);
            QuestionField {
                value: typed.get(&name).cloned().unwrap_or_default(),
                code: q.code.clone(),
                text: q.text.clone(),
                kind: q.kind.as_str().to_owned(),
                required: q.required,
                options,
                side: q
                    .pair
                    .as_ref()
                    .map(|p| page.t(&format!("surveys.side.{}", p.side.as_str())))
                    .unwrap_or_default(),
                name,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "care_survey_form.html")]
pub struct SurveyFormTemplate<'a> {
    pub page: &'a Page,
    pub action: String,
    pub template_name: String,
    pub template_code: String,
    pub questions: Vec<QuestionField>,
}

/// A survey's questions as form fields posting to `/care/tasks/{task_id}/survey` (the care
/// task page embeds it; its handler passes the form to [`record_task_survey`]).
pub fn survey_form(page: &Page, template: &survey_template::Model, task_id: Uuid) -> String {
    let form = SurveyFormTemplate {
        page,
        action: format!("/care/tasks/{task_id}/survey"),
        template_name: template.name.clone(),
        template_code: template.code.clone(),
        questions: fields(page, &questions_of(template), &Values::new()),
    };
    form.render().unwrap_or_else(|error| {
        tracing::error!(%error, "survey form failed");
        String::new()
    })
}

/// The form of a task's survey (`task.survey`: `ssi`, `csi`) in the task's store; empty when
/// the task asks none or the store has no such template.
pub async fn task_survey_form(state: &AppState, page: &Page, task: &care_task::Model) -> String {
    let Some(code) = task.survey.as_deref() else {
        return String::new();
    };
    match surveys::template_by_code(&state.db, task.tenant_id, task.store_id, code).await {
        Ok(Some(template)) if template.active => survey_form(page, &template, task.id),
        _ => String::new(),
    }
}

/// Records the answers of a task's survey form (fields `q_<code>`) through
/// `surveys::record_response`, for the task's customer and the task's survey.
pub async fn record_task_survey(
    state: &AppState,
    actor: &Actor,
    task_id: Uuid,
    values: &Values,
) -> Result<ResponseDetail, StoreError> {
    let task = fours_store::care::tasks::get(&state.db.conn, actor, task_id).await?;
    let code = task
        .survey
        .clone()
        .ok_or(StoreError::invalid("template_code", "required"))?;
    let template = surveys::template_by_code(&state.db, task.tenant_id, task.store_id, &code)
        .await?
        .ok_or(StoreError::invalid("template_code", "reference.not_found"))?;
    let input = ResponseInput {
        template_id: Some(template.id),
        task_id: Some(task.id),
        answers: answers_from_form(&questions_of(&template), values, FIELD_PREFIX),
        ..Default::default()
    };
    surveys::record_response(&state.db, actor, &input).await
}

/// A template in the list.
pub struct TemplateRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub touch_point: String,
    pub touch_point_code: String,
    pub active: bool,
    pub store: String,
    pub questions: Vec<QuestionField>,
    /// The questions as JSON, for editing.
    pub questions_json: String,
}

/// One line of a scores table.
pub struct ScoreLine {
    pub key: String,
    pub label: String,
    pub answers: i64,
    pub index: String,
    pub top_box: String,
    pub nps: String,
}

pub struct PairLine {
    pub template: String,
    pub pair: String,
    pub expectation: String,
    pub performance: String,
    pub gap: String,
    pub reading: String,
    pub reading_label: String,
}

fn shown(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.1}"))
        .unwrap_or_else(|| "–".to_owned())
}

fn line(score: &fours_store::care::surveys::Score, label: String) -> ScoreLine {
    ScoreLine {
        key: score.key.clone(),
        label,
        answers: score.answers,
        index: shown(score.index),
        top_box: score
            .top_box
            .map(|v| format!("{v:.1}%"))
            .unwrap_or_else(|| "–".to_owned()),
        nps: shown(score.nps),
    }
}

#[derive(Template)]
#[template(path = "care_surveys.html")]
struct SurveysTemplate {
    page: Page,
    templates: Vec<TemplateRow>,
    can_setup: bool,
    /// The report (managers), and its filter.
    report: Option<SurveyReport>,
    total: Option<ScoreLine>,
    by_template: Vec<ScoreLine>,
    by_question: Vec<ScoreLine>,
    by_staff: Vec<ScoreLine>,
    by_store: Vec<ScoreLine>,
    by_touch_point: Vec<ScoreLine>,
    pairs: Vec<PairLine>,
    months_json: String,
    template_code: String,
    from: String,
    to: String,
    codes: Vec<String>,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ReportParams {
    template_code: Option<String>,
    from: Option<String>,
    to: Option<String>,
    store_id: Option<Uuid>,
    sent: Option<String>,
}

async fn surveys_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(params): Query<ReportParams>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::CareWork).await {
        Ok(page) => surveys_view(&state, page, &actor, params, None).await,
        Err(denied) => denied,
    }
}

fn day(raw: &Option<String>) -> Option<NaiveDate> {
    raw.as_deref().and_then(|d| d.trim().parse().ok())
}

async fn surveys_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    params: ReportParams,
    error: Option<String>,
) -> Response {
    let stores: HashMap<Uuid, String> =
        fours_store::org::list_stores(&state.db.conn, actor.tenant_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.id, format!("{} {}", s.code, s.name)))
            .collect();
    let found = match surveys::templates(&state.db, actor, &TemplateFilter::default()).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let mut codes: Vec<String> = found.iter().map(|t| t.code.clone()).collect();
    codes.sort();
    codes.dedup();
    let templates = found
        .iter()
        .map(|t| {
            let questions = questions_of(t);
            TemplateRow {
                id: t.id,
                code: t.code.clone(),
                name: t.name.clone(),
                touch_point: page.t(&format!("surveys.touch_point.{}", t.touch_point)),
                touch_point_code: t.touch_point.clone(),
                active: t.active,
                store: stores.get(&t.store_id).cloned().unwrap_or_default(),
                questions_json: serde_json::to_string_pretty(&questions).unwrap_or_default(),
                questions: fields(&page, &questions, &Values::new()),
            }
        })
        .collect();
    let can_manage = page.can(Permission::CareManage);
    let query = ReportQuery {
        store_id: params.store_id,
        template_code: params.template_code.clone().filter(|c| !c.is_empty()),
        staff_id: None,
        from: day(&params.from),
        to: day(&params.to),
    };
    let report = if can_manage {
        match surveys::report(&state.db.conn, actor, &query).await {
            Ok(report) => Some(report),
            Err(error) => return error_page(&page, error.into()),
        }
    } else {
        None
    };
    let lines = |scores: &[fours_store::care::surveys::Score],
                 label: &dyn Fn(&str, &str) -> String| {
        scores
            .iter()
            .map(|s| line(s, label(&s.key, &s.label)))
            .collect::<Vec<_>>()
    };
    let same = |_: &str, label: &str| label.to_owned();
    let touch = |key: &str, _: &str| page.t(&format!("surveys.touch_point.{key}"));
    let (by_template, by_question, by_staff, by_store, by_touch_point, pairs, months_json, total) =
        match &report {
            Some(r) => (
                lines(&r.by_template, &same),
                lines(&r.by_question, &same),
                lines(&r.by_staff, &same),
                lines(&r.by_store, &same),
                lines(&r.by_touch_point, &touch),
                r.pairs
                    .iter()
                    .map(|p| PairLine {
                        template: p.template_code.clone(),
                        pair: page.t(&format!("surveys.pair.{}", p.pair)),
                        expectation: shown(p.expectation),
                        performance: shown(p.performance),
                        gap: shown(p.gap),
                        reading_label: p
                            .reading
                            .as_deref()
                            .map(|r| page.t(&format!("surveys.reading.{r}")))
                            .unwrap_or_default(),
                        reading: p.reading.clone().unwrap_or_default(),
                    })
                    .collect(),
                serde_json::to_string(
                    &r.by_month
                        .iter()
                        .map(|m| (m.key.clone(), m.index, m.top_box, m.nps))
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default(),
                Some(line(&r.total, String::new())),
            ),
            None => Default::default(),
        };
    let status = form_status(error.is_some());
    let template = SurveysTemplate {
        templates,
        can_setup: page.can(Permission::CareSetup),
        from: report
            .as_ref()
            .map(|r| r.from.to_string())
            .unwrap_or_default(),
        to: report
            .as_ref()
            .map(|r| r.to.to_string())
            .unwrap_or_default(),
        report,
        total,
        by_template,
        by_question,
        by_staff,
        by_store,
        by_touch_point,
        pairs,
        months_json,
        template_code: params.template_code.unwrap_or_default(),
        codes,
        error,
        notice: params
            .sent
            .filter(|s| !s.is_empty())
            .map(|_| page.t("surveys.link_sent")),
        page,
    };
    (status, render(&template)).into_response()
}

/// A care set-up user changes a template (name, touch point, questions as JSON, in use).
async fn update_template(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareSetup).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let questions = match filled(&values, "questions").map(|raw| serde_json::from_str(&raw)) {
        None => Ok(None),
        Some(Ok(parsed)) => Ok(Some(parsed)),
        Some(Err(_)) => Err(StoreError::invalid("questions", "survey.questions_json")),
    };
    let outcome = match questions {
        Ok(questions) => {
            let input = TemplateChange {
                name: filled(&values, "name"),
                touch_point: filled(&values, "touch_point"),
                questions,
                active: Some(matches!(
                    values.get("active").map(String::as_str),
                    Some("yes" | "on" | "true")
                )),
            };
            surveys::update_template(&state.db, &actor, id, &input).await
        }
        Err(error) => Err(error),
    };
    answer_form(
        page,
        outcome,
        |_| "/care/surveys".to_owned(),
        async |page, text| {
            surveys_view(&state, page, &actor, ReportParams::default(), Some(text)).await
        },
    )
    .await
}

/// A manager texts a customer the survey's link (the customer found by mobile or name).
async fn send_link(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let outcome = async {
        let customer_id = customer_for(&state, &actor, &values).await?;
        let input = LinkInput {
            template_code: filled(&values, "template_code"),
            customer_id: Some(customer_id),
            ..Default::default()
        };
        surveys::send_link(&state.db, &actor, &input, &state.config.public_url).await
    }
    .await;
    answer_form(
        page,
        outcome,
        |_| "/care/surveys?sent=1".to_owned(),
        async |page, text| {
            surveys_view(&state, page, &actor, ReportParams::default(), Some(text)).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "care_survey_public.html")]
struct PublicTemplate {
    page: Page,
    token: String,
    store_name: String,
    template_name: String,
    questions: Vec<QuestionField>,
    /// The customer answered: the thank-you.
    done: bool,
    /// The link cannot be answered (used, expired, unknown): why.
    closed: Option<String>,
    error: Option<String>,
}

async fn public_survey(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Query(params): Query<Values>,
) -> Response {
    let page = public_page(&state, &session).await;
    let done = params.contains_key("done");
    public_view(&state, page, token, Values::new(), done, None).await
}

async fn public_view(
    state: &AppState,
    page: Page,
    token: String,
    typed: Values,
    done: bool,
    error: Option<String>,
) -> Response {
    let mut template = PublicTemplate {
        token: token.clone(),
        store_name: String::new(),
        template_name: String::new(),
        questions: Vec::new(),
        done,
        closed: None,
        error,
        page,
    };
    if done {
        return render(&template);
    }
    let status = match surveys::linked(&state.db, &token).await {
        Ok(linked) => {
            template.store_name = linked.store_name;
            template.template_name = linked.template_name;
            template.questions = fields(&template.page, &linked.questions, &typed);
            form_status(template.error.is_some())
        }
        Err(StoreError::NotFound) => {
            template.closed = Some(template.page.t("surveys.link_unknown"));
            StatusCode::NOT_FOUND
        }
        Err(error) => {
            template.closed = Some(
                message(&template.page, &error)
                    .unwrap_or_else(|| template.page.t("surveys.link_unknown")),
            );
            StatusCode::GONE
        }
    };
    (status, render(&template)).into_response()
}

async fn answer_public(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    let page = public_page(&state, &session).await;
    let questions = match surveys::linked(&state.db, &token).await {
        Ok(linked) => linked.questions,
        Err(_) => return public_view(&state, page, token, values, false, None).await,
    };
    let answers = answers_from_form(&questions, &values, FIELD_PREFIX);
    match surveys::answer_by_link(&state.db, &token, &answers).await {
        Ok(_) => Redirect::to(&format!("/s/{token}?done=1")).into_response(),
        Err(error) => {
            let text = message(&page, &error);
            public_view(&state, page, token, values, false, text).await
        }
    }
}
