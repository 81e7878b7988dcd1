//! After-sales service: the workshop's master data and settings, appointments with their
//! capacity check, and repair orders from reception to hand-over. The rules (the order's life
//! cycle, settlement, warranty, capacity) live in `fours_domain::service`; this module applies
//! them to stored rows, one transaction per change, each change audited.

pub mod appointments;
pub mod campaigns;
pub mod claims;
pub mod entities;
pub mod orders;
pub mod reports;
pub mod setup;
pub mod staff;
pub mod workshop;

use chrono::{DateTime, Utc};
use fours_domain::access::DataScope;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::error::StoreResult;
use crate::org::Actor;
use crate::sales::entities::domain_event;

/// Service records the actor may see: their tenant, and their store unless they see the group.
pub(crate) fn in_scope<C: ColumnTrait>(actor: &Actor, tenant: C, store: C) -> Condition {
    let base = Condition::all().add(tenant.eq(actor.tenant_id));
    match (actor.scope, actor.store_id) {
        (DataScope::Group, _) | (_, None) => base,
        (_, Some(store_id)) => base.add(store.eq(store_id)),
    }
}

/// Records a business event for the capabilities that react to it (`vehicle_ready` for the
/// notification outbox, `repair_order_closed` for the 3-day follow-up call).
pub(crate) async fn record_event(
    txn: &impl ConnectionTrait,
    order: &entities::repair_order::Model,
    kind: &str,
    payload: Value,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    domain_event::ActiveModel {
        tenant_id: Set(order.tenant_id),
        id: Set(Uuid::now_v7()),
        kind: Set(kind.to_owned()),
        store_id: Set(Some(order.store_id)),
        customer_id: Set(Some(order.customer_id)),
        vehicle_id: Set(Some(order.vehicle_id)),
        payload: Set(payload),
        occurred_at: Set(at),
        handled_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}
