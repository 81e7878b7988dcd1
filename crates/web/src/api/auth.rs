//! Sign-in for API clients: a bearer token for the user.

use axum::extract::{Request, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use fours_store::org;
use fours_store::org::entities::user;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Caller, attempt_login, client_address};
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// `name`, or `name@group-code` when the name exists in several dealer groups.
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; valid for 12 hours.
    pub token: String,
    pub user: UserOut,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserOut {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope: String,
    pub store_id: Option<Uuid>,
    pub locale: String,
}

impl From<&user::Model> for UserOut {
    fn from(user: &user::Model) -> Self {
        UserOut {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.clone(),
            scope: user.scope.clone(),
            store_id: user.store_id,
            locale: user.locale.clone(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(State(state): State<AppState>, request: Request) -> ApiResult<Json<LoginResponse>> {
    let address = client_address(request.extensions());
    // Reading fails past the limit (or when the client goes away, who then hears nothing).
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::TooLarge)?;
    let credentials: LoginRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let user = attempt_login(
        &state,
        &credentials.username,
        &credentials.password,
        &address,
    )
    .await?;
    let token =
        org::issue_token(&state.db.conn, &user, "login", chrono::Duration::hours(12)).await?;
    Ok(Json(LoginResponse {
        token,
        user: UserOut::from(&user),
    }))
}

/// Ends every token and session of the caller.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::http::StatusCode> {
    org::end_all_sessions(&state.db.conn, caller.0.tenant_id, caller.0.user_id).await?;
    state.tokens.forget_user(caller.0.user_id);
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<UserOut>> {
    let user = org::find_user(&state.db.conn, caller.0.tenant_id, caller.0.user_id).await?;
    Ok(Json(UserOut::from(&user)))
}
