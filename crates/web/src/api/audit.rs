//! `/api/v1/audit`: the audit log, for managers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use fours_domain::access::Permission;
use fours_store::audit;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::ApiQuery;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/audit", get(list))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventOut {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    /// `create`, `update`, `delete`, `merge`, `transfer`, `add_mileage`, `reveal_id_number`…
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// Only the events of this record.
    pub entity_id: Option<Uuid>,
    /// At most this many, newest first (default 100, at most 500).
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = Vec<AuditEventOut>), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<Json<Vec<AuditEventOut>>> {
    let actor = caller.require(Permission::ReadAudit)?;
    let limit = params.limit.unwrap_or(100).clamp(1, 500);
    let events = audit::list(&state.db.conn, actor.tenant_id, params.entity_id, limit).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| AuditEventOut {
                id: e.id,
                at: e.at,
                actor_id: e.actor_id,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: e.before,
                after: e.after,
            })
            .collect(),
    ))
}
