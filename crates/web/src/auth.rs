//! Who is calling: bearer tokens for API clients, session cookies for browsers; login throttling;
//! CSRF protection of every state-changing browser request.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use fours_domain::access::Permission;
use fours_store::org::entities::user;
use fours_store::org::{self, Actor};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

const AUTH_KEY: &str = "auth";
const CSRF_KEY: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf_token";

/// What a browser session remembers about its sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionAuth {
    tenant_id: Uuid,
    user_id: Uuid,
    login_at: DateTime<Utc>,
}

/// Recently verified bearer tokens and whom they belong to: an API call then costs no token
/// and user queries of its own. Entries live for `WebConfig::token_trust`.
#[derive(Clone)]
pub struct TokenCache(moka::sync::Cache<String, Actor>);

impl TokenCache {
    pub fn new(trust: std::time::Duration) -> TokenCache {
        TokenCache(
            moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(trust)
                .build(),
        )
    }

    /// Forgets every token of a user whose sign-ins ended or whose details changed.
    pub fn forget_user(&self, user_id: Uuid) {
        // Invalidation is rare (logout, password or locale change); a sweep is fine.
        for (token, actor) in self.0.iter() {
            if actor.user_id == user_id {
                self.0.invalidate(token.as_str());
            }
        }
    }
}

/// The authenticated caller of an API endpoint.
pub struct Caller(pub Actor);

impl Caller {
    /// The single check every handler makes: may this role do this?
    pub fn require(&self, permission: Permission) -> ApiResult<&Actor> {
        if self.0.can(permission) {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Resolves the caller from a bearer token, else from the session cookie.
async fn resolve(parts: &mut Parts, state: &AppState) -> ApiResult<Actor> {
    if let Some(token) = bearer_token(parts) {
        if let Some(actor) = state.tokens.0.get(token) {
            return Ok(actor);
        }
        let user = org::user_for_token(&state.db.conn, token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let actor = Actor::from_user(&user)?;
        state.tokens.0.insert(token.to_owned(), actor.clone());
        return Ok(actor);
    }
    let session = Session::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::Unauthorized)?;
    let auth: SessionAuth = session
        .get(AUTH_KEY)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or(ApiError::Unauthorized)?;
    let user = org::find_user(&state.db.conn, auth.tenant_id, auth.user_id)
        .await
        .map_err(|_| ApiError::Unauthorized)?;
    let expired = Utc::now() - auth.login_at
        > chrono::Duration::from_std(state.config.session_absolute).unwrap_or_default();
    if !user.active || user.sessions_valid_after > auth.login_at || expired {
        let _ = session.flush().await;
        return Err(ApiError::Unauthorized);
    }
    Ok(Actor::from_user(&user)?)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        resolve(parts, state).await.map(Caller)
    }
}

/// The signed-in user of a UI page; anyone else is sent to the sign-in page.
pub struct PageCaller(pub Actor);

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match resolve(parts, state).await {
            Ok(actor) => Ok(PageCaller(actor)),
            Err(ApiError::Unauthorized) => Err(Redirect::to("/login").into_response()),
            Err(other) => Err(other.into_response()),
        }
    }
}

pub fn client_address(request_extensions: &axum::http::Extensions) -> String {
    request_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "local".to_owned())
}

/// Checks a password with throttling: after the configured number of failures within an hour,
/// for the account or from the address, further attempts are refused without checking.
pub async fn attempt_login(
    state: &AppState,
    login: &str,
    password: &str,
    address: &str,
) -> ApiResult<user::Model> {
    let since = Utc::now() - chrono::Duration::hours(1);
    let failures = org::recent_login_failures(&state.db.conn, login, address, since).await?;
    let limit = state.config.max_failed_logins_per_hour;
    if failures.by_account >= limit || failures.by_address >= limit {
        tracing::warn!(login, address, "login throttled");
        return Err(ApiError::Throttled);
    }
    match org::authenticate(&state.db.conn, login, password).await? {
        Some(user) => Ok(user),
        None => {
            org::record_login_failure(&state.db.conn, login, address).await?;
            Err(ApiError::Unauthorized)
        }
    }
}

/// Starts a browser session for `user` under a fresh session id (no fixation).
pub async fn start_session(session: &Session, user: &user::Model) -> ApiResult<()> {
    session
        .cycle_id()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let auth = SessionAuth {
        tenant_id: user.tenant_id,
        user_id: user.id,
        login_at: Utc::now(),
    };
    session
        .insert(AUTH_KEY, auth)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    session
        .insert(CSRF_KEY, new_csrf_token())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

pub async fn end_session(session: &Session) {
    if let Err(error) = session.flush().await {
        tracing::warn!(%error, "could not delete session");
    }
}

fn new_csrf_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_KEY).await {
        return token;
    }
    let token = new_csrf_token();
    if let Err(error) = session.insert(CSRF_KEY, token.clone()).await {
        tracing::warn!(%error, "could not store CSRF token");
    }
    token
}

/// Refuses any state-changing request authenticated by cookie unless it carries the session's
/// CSRF token, in the `X-CSRF-Token` header (htmx, fetch) or the `csrf_token` form field.
/// Bearer-token requests carry no ambient credentials and need no token.
pub async fn csrf_guard(State(_state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method();
    let safe = method.is_safe();
    let has_bearer = request.headers().get(AUTHORIZATION).is_some();
    let is_api_login = request.uri().path() == "/api/v1/auth/login";
    if safe || has_bearer || is_api_login {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return ApiError::Csrf.into_response();
    };
    // An API call with neither token nor signed-in session carries no credentials to abuse:
    // let it through to be answered 401.
    let signed_in = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .ok()
        .flatten()
        .is_some();
    if request.uri().path().starts_with("/api/") && !signed_in {
        return next.run(request).await;
    }
    let expected = session.get::<String>(CSRF_KEY).await.ok().flatten();
    let (sent, request) = match sent_csrf_token(request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match (expected, sent) {
        (Some(expected), Some(sent)) if !expected.is_empty() && expected == sent => {
            next.run(request).await
        }
        _ => ApiError::Csrf.into_response(),
    }
}

/// The token from the header, or from a urlencoded form body (which is then put back).
async fn sent_csrf_token(request: Request) -> Result<(Option<String>, Request), Response> {
    if let Some(header) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        let header = header.to_owned();
        return Ok((Some(header), request));
    }
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((None, request));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::TooLarge.into_response())?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(name, _)| name == CSRF_FIELD)
                .map(|(_, value)| value)
        });
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}
