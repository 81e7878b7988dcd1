//! The audit log: who changed what and when (before and after), and every read of personal
//! information in clear. Written in the same transaction as the change it records.

pub mod entities;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::org::Actor;
use entities::audit_event;

pub struct AuditEntry<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    entry: AuditEntry<'_>,
) -> StoreResult<()> {
    let model = audit_event::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_id: Set(Some(actor.user_id)),
        action: Set(entry.action.to_owned()),
        entity: Set(entry.entity.to_owned()),
        entity_id: Set(entry.entity_id),
        before: Set(entry.before),
        after: Set(entry.after),
    };
    model.insert(db).await?;
    Ok(())
}

/// Newest first; optionally only the events of one record.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    entity_id: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<audit_event::Model>> {
    let mut query = audit_event::Entity::find().filter(audit_event::Column::TenantId.eq(tenant_id));
    if let Some(entity_id) = entity_id {
        query = query.filter(audit_event::Column::EntityId.eq(entity_id));
    }
    Ok(query
        .order_by_desc(audit_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
