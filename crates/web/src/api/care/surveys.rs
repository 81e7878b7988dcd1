//! Satisfaction surveys: the store's templates (SSI, CSI and its own), responses asked on the
//! phone or sent as a mobile link, the customer's answer on the link (no sign-in: the token
//! is the credential, answered once), and the scores report.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use fours_domain::access::Permission;
use fours_store::care::feedback::{survey_response, survey_template};
use fours_store::care::surveys::{
    self, LinkInput, LinkedSurvey, ReportQuery, ResponseDetail, ResponseFilter, ResponseInput,
    SentLink, SurveyReport, TemplateChange, TemplateFilter, TemplateInput,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/surveys", get(list_templates).post(create_template))
        .route(
            "/api/v1/surveys/{id}",
            get(show_template).put(update_template),
        )
        .route(
            "/api/v1/survey-responses",
            get(list_responses).post(record_response),
        )
        .route("/api/v1/survey-responses/links", post(send_link))
        .route("/api/v1/survey-responses/{id}", get(show_response))
        .route("/api/v1/reports/surveys", get(report))
        .route(
            "/api/v1/survey-links/{token}",
            get(linked).post(answer_link),
        )
}

#[utoipa::path(get, path = "/api/v1/surveys", tag = "care", security(("bearer" = [])), params(TemplateFilter),
    responses((status = 200, body = Vec<survey_template::Model>)))]
pub async fn list_templates(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<TemplateFilter>,
) -> ApiResult<Json<Vec<survey_template::Model>>> {
    let actor = caller.require(Permission::CareWork)?;
    Ok(Json(surveys::templates(&state.db, actor, &filter).await?))
}

#[utoipa::path(post, path = "/api/v1/surveys", tag = "care", security(("bearer" = [])), request_body = TemplateInput,
    responses((status = 201, body = survey_template::Model), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<(StatusCode, Json<survey_template::Model>)> {
    let actor = caller.require(Permission::CareSetup)?;
    Ok((
        StatusCode::CREATED,
        Json(surveys::create_template(&state.db, actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = survey_template::Model), (status = 404, body = ErrorBody)))]
pub async fn show_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<survey_template::Model>> {
    let actor = caller.require(Permission::CareWork)?;
    Ok(Json(surveys::template(&state.db.conn, actor, id).await?))
}

#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "care", security(("bearer" = [])), request_body = TemplateChange,
    responses((status = 200, body = survey_template::Model), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<TemplateChange>,
) -> ApiResult<Json<survey_template::Model>> {
    let actor = caller.require(Permission::CareSetup)?;
    Ok(Json(
        surveys::update_template(&state.db, actor, id, &input).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/survey-responses", tag = "care", security(("bearer" = [])), params(ResponseFilter),
    responses((status = 200, body = Vec<survey_response::Model>)))]
pub async fn list_responses(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<ResponseFilter>,
) -> ApiResult<Json<Vec<survey_response::Model>>> {
    let actor = caller.require(Permission::CareWork)?;
    Ok(Json(
        surveys::responses(&state.db.conn, actor, &filter).await?,
    ))
}

/// Records the answers of a survey asked on the phone. A satisfaction answer below the store's
/// threshold opens a complaint for customer care (its id is in `complaint_id`).
#[utoipa::path(post, path = "/api/v1/survey-responses", tag = "care", security(("bearer" = [])), request_body = ResponseInput,
    responses((status = 201, body = ResponseDetail), (status = 422, body = ErrorBody)))]
pub async fn record_response(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ResponseInput>,
) -> ApiResult<(StatusCode, Json<ResponseDetail>)> {
    let actor = caller.require(Permission::CareWork)?;
    Ok((
        StatusCode::CREATED,
        Json(surveys::record_response(&state.db, actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/survey-responses/{id}", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = ResponseDetail), (status = 404, body = ErrorBody)))]
pub async fn show_response(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ResponseDetail>> {
    let actor = caller.require(Permission::CareWork)?;
    Ok(Json(surveys::response(&state.db.conn, actor, id).await?))
}

/// Texts the customer a link to the survey (through the outbox, after quiet hours). The token
/// is in the answer once; only its hash is kept.
#[utoipa::path(post, path = "/api/v1/survey-responses/links", tag = "care", security(("bearer" = [])), request_body = LinkInput,
    responses((status = 201, body = SentLink), (status = 422, body = ErrorBody)))]
pub async fn send_link(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<(StatusCode, Json<SentLink>)> {
    let actor = caller.require(Permission::CareManage)?;
    // The configured address, never the request's Host header: a forged Host would otherwise
    // put someone else's site into the customer's SMS.
    let base = &state.config.public_url;
    Ok((
        StatusCode::CREATED,
        Json(surveys::send_link(&state.db, actor, &input, base).await?),
    ))
}

/// SSI/CSI scores over a period: index (0–100), top-box share and NPS per template, question,
/// touch point, staff member, store and month, with the CS gap of each paired question.
#[utoipa::path(get, path = "/api/v1/reports/surveys", tag = "care", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = SurveyReport), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Json<SurveyReport>> {
    let actor = caller.require(Permission::CareManage)?;
    Ok(Json(surveys::report(&state.db.conn, actor, &query).await?))
}

/// The survey behind a mobile link: no sign-in, the token is the credential (answered once,
/// within 30 days).
#[utoipa::path(get, path = "/api/v1/survey-links/{token}", tag = "care",
    responses((status = 200, body = LinkedSurvey), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn linked(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<LinkedSurvey>> {
    Ok(Json(surveys::linked(&state.db, &token).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkAnswers {
    /// By question code: a number for scales, true/false for yes/no, words otherwise.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkAnswered {
    pub answered_at: Option<DateTime<Utc>>,
}

/// The customer's answers from the mobile page (once only).
#[utoipa::path(post, path = "/api/v1/survey-links/{token}", tag = "care", request_body = LinkAnswers,
    responses((status = 200, body = LinkAnswered), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_link(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(input): ApiJson<LinkAnswers>,
) -> ApiResult<Json<LinkAnswered>> {
    let detail = surveys::answer_by_link(&state.db, &token, &input.answers).await?;
    Ok(Json(LinkAnswered {
        answered_at: detail.response.answered_at,
    }))
}
