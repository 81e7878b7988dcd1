//! Withdrawing marketing consent: by the opt-out link in a message, by replying "T" to an SMS,
//! or on the customer's page. It stops every marketing message at once: the customer's queued
//! ones are suppressed in the same transaction, and the worker checks consent again before
//! each send.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::entities::outbox_message;
use super::outbox::{PENDING, SUPPRESSED};
use crate::Database;
use crate::audit::entities::audit_event;
use crate::customers::entities::{customer, timeline_event};
use crate::error::{StoreError, StoreResult};

/// Replies that mean "no more messages".
pub fn is_opt_out_reply(text: &str) -> bool {
    let word = text.trim().to_uppercase();
    ["T", "TD", "N", "退订", "STOP", "UNSUBSCRIBE"].contains(&word.as_str())
}

/// Withdraws consent through the link in a message (`/u/{message id}`: the id is a UUIDv7,
/// whose 74 random bits make it unguessable); the customer's name for the confirmation page.
pub async fn opt_out_by_link(db: &Database, token: &str) -> StoreResult<String> {
    let message_id: Uuid = token.parse().map_err(|_| StoreError::NotFound)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let message = outbox_message::Entity::find()
        .filter(outbox_message::Column::Id.eq(message_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let customer_id = message.customer_id.ok_or(StoreError::NotFound)?;
    let found = customer::Entity::find_by_id((message.tenant_id, customer_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if found.marketing_consent {
        withdraw(&txn, found.clone(), None, "link").await?;
    }
    txn.commit().await?;
    Ok(found.name)
}

/// Withdraws consent for every customer with this mobile who replied an opt-out word; returns
/// how many records changed (none when the text is not an opt-out).
pub async fn opt_out_by_reply(db: &Database, mobile: &str, text: &str) -> StoreResult<u64> {
    if !is_opt_out_reply(text) {
        return Ok(0);
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let found = customer::Entity::find()
        .filter(customer::Column::Mobile.eq(mobile.trim()))
        .filter(customer::Column::MarketingConsent.eq(true))
        .all(&txn)
        .await?;
    let changed = u64::try_from(found.len()).unwrap_or(u64::MAX);
    for record in found {
        withdraw(&txn, record, None, "reply").await?;
    }
    txn.commit().await?;
    Ok(changed)
}

/// Suppresses every queued marketing message of the customer, in the caller's transaction, when
/// their consent goes (by any way: link, reply, the customer's page or the API); service
/// messages still go. Returns how many were stopped.
pub async fn stop_marketing(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> StoreResult<u64> {
    cancel_pending(txn, tenant_id, customer_id, true, "no marketing consent").await
}

/// Suppresses the customer's queued messages (only the marketing ones when `marketing_only`),
/// recording `reason`; returns how many.
pub(crate) async fn cancel_pending(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    customer_id: Uuid,
    marketing_only: bool,
    reason: &str,
) -> StoreResult<u64> {
    let mut query = outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(SUPPRESSED))
        .col_expr(outbox_message::Column::LastError, Expr::value(reason))
        .filter(outbox_message::Column::TenantId.eq(tenant_id))
        .filter(outbox_message::Column::CustomerId.eq(customer_id))
        .filter(outbox_message::Column::Status.eq(PENDING));
    if marketing_only {
        query = query.filter(outbox_message::Column::Marketing.eq(true));
    }
    Ok(query.exec(txn).await?.rows_affected)
}

/// Sets consent off, suppresses queued marketing messages, and writes the timeline and audit
/// rows (`actor_id` is absent when the customer did it themselves).
pub async fn withdraw(
    txn: &impl ConnectionTrait,
    record: customer::Model,
    actor_id: Option<Uuid>,
    via: &str,
) -> StoreResult<()> {
    let (tenant_id, customer_id) = (record.tenant_id, record.id);
    let now = Utc::now();
    let mut model: customer::ActiveModel = record.into();
    model.marketing_consent = Set(false);
    model.consent_updated_at = Set(Some(now));
    model.update(txn).await?;
    let stopped = stop_marketing(txn, tenant_id, customer_id).await?;
    timeline_event::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        customer_id: Set(Some(customer_id)),
        vehicle_id: Set(None),
        at: Set(now),
        kind: Set("consent_withdrawn".to_owned()),
        summary: Set(format!("退订营销信息（{via}）")),
        actor_id: Set(actor_id),
        data: Set(Some(json!({"via": via, "suppressed": stopped}))),
    }
    .insert(txn)
    .await?;
    audit_event::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_id: Set(actor_id),
        action: Set("withdraw_consent".to_owned()),
        entity: Set("customer".to_owned()),
        entity_id: Set(Some(customer_id)),
        before: Set(Some(json!({"marketing_consent": true}))),
        after: Set(Some(json!({"marketing_consent": false, "via": via}))),
    }
    .insert(txn)
    .await?;
    Ok(())
}
