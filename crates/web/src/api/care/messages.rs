//! Messages to customers: the outbox as staff see it, the store's message templates, and the
//! SMS gateway's callback for customers' replies (a "T" withdraws marketing consent).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::care::care_store;
use fours_store::care::entities::outbox_message;
use fours_store::care::outbox::{self, MessageFilter};
use fours_store::care::templates::{self, TemplateInput, TemplateView};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::service::setup::StoreParam;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/messages", get(list))
        .route("/api/v1/messages/replies", post(reply))
        .route(
            "/api/v1/message-templates",
            get(list_templates).put(set_template),
        )
}

#[utoipa::path(get, path = "/api/v1/messages", tag = "care", security(("bearer" = [])), params(MessageFilter),
    responses((status = 200, body = Vec<outbox_message::Model>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<MessageFilter>,
) -> ApiResult<Json<Vec<outbox_message::Model>>> {
    let actor = caller.require(Permission::CareManage)?;
    Ok(Json(outbox::list(&state.db.conn, actor, &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/message-templates", tag = "care", security(("bearer" = [])), params(StoreParam),
    responses((status = 200, body = Vec<TemplateView>)))]
pub async fn list_templates(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
) -> ApiResult<Json<Vec<TemplateView>>> {
    let actor = caller.require(Permission::CareManage)?;
    let store_id = care_store(&state.db.conn, actor, params.store_id).await?;
    Ok(Json(
        templates::list(&state.db.conn, actor.tenant_id, store_id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/message-templates", tag = "care", security(("bearer" = [])), params(StoreParam), request_body = TemplateInput,
    responses((status = 200, body = TemplateView), (status = 422, body = ErrorBody)))]
pub async fn set_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<StoreParam>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateView>> {
    let actor = caller.require(Permission::CareSetup)?;
    let store_id = care_store(&state.db.conn, actor, params.store_id).await?;
    Ok(Json(
        templates::set(&state.db.conn, actor, store_id, &input).await?,
    ))
}

/// A customer's reply, as the SMS gateway forwards it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Reply {
    /// The customer's mobile number.
    pub from: String,
    pub text: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReplyOutcome {
    /// Customer records whose marketing consent was withdrawn.
    pub opted_out: u64,
}

/// Signed like the messages Fours sends (`X-Fours-Timestamp`, `X-Fours-Signature` with the SMS
/// gateway's secret); unsigned or wrongly signed calls get 403.
#[utoipa::path(post, path = "/api/v1/messages/replies", tag = "care", request_body = Reply,
    responses((status = 200, body = ReplyOutcome), (status = 403, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ReplyOutcome>> {
    let secret = state
        .config
        .notify
        .sms
        .as_ref()
        .map(|sms| sms.secret.clone())
        .ok_or(ApiError::Forbidden)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let timestamp = header("x-fours-timestamp").and_then(|t| t.parse::<i64>().ok());
    let signature = header("x-fours-signature");
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(ApiError::Forbidden);
    };
    if !fours_notify::gateway::verify(&secret, timestamp, &body, signature) {
        return Err(ApiError::Forbidden);
    }
    let reply: Reply = serde_json::from_slice(&body)
        .map_err(|_| ApiError::from(fours_store::StoreError::invalid("body", "json.invalid")))?;
    Ok(Json(ReplyOutcome {
        opted_out: fours_store::care::consent::opt_out_by_reply(
            &state.db,
            &reply.from,
            &reply.text,
        )
        .await?,
    }))
}
