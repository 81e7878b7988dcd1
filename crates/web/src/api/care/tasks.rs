//! The task inbox: today's and overdue tasks (one's own, or the team's for managers), a task
//! with its attempts, recording an attempt, and handing tasks to someone else.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use fours_domain::access::Permission;
use fours_store::care::entities::care_task;
use fours_store::care::tasks::{
    self, AttemptInput, InboxQuery, ReassignInput, TaskDetail, TaskRow, View,
};
use serde::Serialize;
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tasks", get(inbox))
        .route("/api/v1/tasks/reassign", post(reassign))
        .route("/api/v1/tasks/{id}", get(show))
        .route("/api/v1/tasks/{id}/attempts", post(attempt))
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "care", security(("bearer" = [])), params(InboxQuery),
    responses((status = 200, body = Vec<TaskRow>), (status = 403, body = ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> ApiResult<Json<Vec<TaskRow>>> {
    let actor = caller.require(Permission::CareWork)?;
    if query.view == Some(View::Team) && !actor.role.allows(Permission::CareManage) {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(
        tasks::inbox(&state.db.conn, actor, &query, Utc::now()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = TaskDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TaskDetail>> {
    let actor = caller.require(Permission::CareWork)?;
    Ok(Json(
        tasks::detail(&state.db.conn, actor, id, Utc::now()).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/attempts", tag = "care", security(("bearer" = [])), request_body = AttemptInput,
    responses((status = 201, body = care_task::Model), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attempt(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<AttemptInput>,
) -> ApiResult<(StatusCode, Json<care_task::Model>)> {
    let actor = caller.require(Permission::CareWork)?;
    Ok((
        StatusCode::CREATED,
        Json(tasks::attempt(&state.db, actor, id, &input).await?),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reassigned {
    pub moved: u64,
}

#[utoipa::path(post, path = "/api/v1/tasks/reassign", tag = "care", security(("bearer" = [])), request_body = ReassignInput,
    responses((status = 200, body = Reassigned), (status = 422, body = ErrorBody)))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ReassignInput>,
) -> ApiResult<Json<Reassigned>> {
    let actor = caller.require(Permission::CareManage)?;
    Ok(Json(Reassigned {
        moved: tasks::reassign(&state.db, actor, &input).await?,
    }))
}
