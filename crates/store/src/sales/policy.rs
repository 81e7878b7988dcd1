//! A store's sales settings: grade horizons, follow-up cadence, the manager's grace period and
//! the discount a consultant may give alone. A store that never changed them uses the defaults.

use chrono::Utc;
use fours_domain::sales::grading::GradingPolicy;
use fours_domain::sales::quote::DEFAULT_DISCOUNT_LIMIT_FEN;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::sales_policy;
use crate::audit::{self, AuditEntry};
use crate::error::StoreError;
use crate::error::StoreResult;
use crate::org::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SalesPolicy {
    /// Days to purchase that make a prospect H, A, B, C.
    pub horizon_days: [u32; 4],
    /// Days between follow-ups for H, A, B, C.
    pub cadence_days: [u32; 4],
    /// Days overdue before the sales manager sees a follow-up too.
    pub manager_grace_days: u32,
    /// Discounts above this (fen) need the sales manager's approval.
    pub discount_limit_fen: i64,
}

impl Default for SalesPolicy {
    fn default() -> Self {
        let grading = GradingPolicy::default();
        SalesPolicy {
            horizon_days: grading.horizon_days,
            cadence_days: grading.cadence_days,
            manager_grace_days: grading.manager_grace_days,
            discount_limit_fen: DEFAULT_DISCOUNT_LIMIT_FEN,
        }
    }
}

impl SalesPolicy {
    pub fn grading(&self) -> GradingPolicy {
        GradingPolicy {
            horizon_days: self.horizon_days,
            cadence_days: self.cadence_days,
            manager_grace_days: self.manager_grace_days,
        }
    }
}

async fn row(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Option<sales_policy::Model>> {
    Ok(sales_policy::Entity::find()
        .filter(sales_policy::Column::TenantId.eq(tenant_id))
        .filter(sales_policy::Column::StoreId.eq(store_id))
        .one(db)
        .await?)
}

pub async fn for_store(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<SalesPolicy> {
    let Some(found) = row(db, tenant_id, store_id).await? else {
        return Ok(SalesPolicy::default());
    };
    let days = |value: &serde_json::Value| serde_json::from_value::<[u32; 4]>(value.clone());
    match (days(&found.horizon_days), days(&found.cadence_days)) {
        (Ok(horizon_days), Ok(cadence_days)) => Ok(SalesPolicy {
            horizon_days,
            cadence_days,
            manager_grace_days: u32::try_from(found.manager_grace_days).unwrap_or(0),
            discount_limit_fen: found.discount_limit_fen,
        }),
        _ => Err(StoreError::Conflict("sales policy unreadable")),
    }
}

/// Replaces the store's settings (audited).
pub async fn set(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    policy: SalesPolicy,
) -> StoreResult<SalesPolicy> {
    policy
        .grading()
        .validate()
        .map_err(|invalid| StoreError::invalid("cadence_days", invalid.0))?;
    if policy.discount_limit_fen < 0 {
        return Err(StoreError::invalid("discount_limit_fen", "money.negative"));
    }
    let before = for_store(db, actor.tenant_id, store_id).await?;
    let json = |days: [u32; 4]| serde_json::json!(days);
    let existing = row(db, actor.tenant_id, store_id).await?;
    let mut model = match &existing {
        Some(found) => found.clone().into(),
        None => sales_policy::ActiveModel {
            tenant_id: Set(actor.tenant_id),
            id: Set(Uuid::now_v7()),
            store_id: Set(store_id),
            ..Default::default()
        },
    };
    model.horizon_days = Set(json(policy.horizon_days));
    model.cadence_days = Set(json(policy.cadence_days));
    model.manager_grace_days = Set(i32::try_from(policy.manager_grace_days).unwrap_or(i32::MAX));
    model.discount_limit_fen = Set(policy.discount_limit_fen);
    model.updated_at = Set(Utc::now());
    if existing.is_some() {
        model.update(db).await?;
    } else {
        model.insert(db).await?;
    }
    audit::record(
        db,
        actor,
        AuditEntry {
            action: "update",
            entity: "sales_policy",
            entity_id: Some(store_id),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(policy).ok(),
        },
    )
    .await?;
    Ok(policy)
}
