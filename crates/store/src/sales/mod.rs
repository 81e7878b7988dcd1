//! The showroom and sales process: traffic, leads and their follow-ups, and the store's sales
//! settings. The rules (grades, cadence, steps) live in `fours_domain::sales`; this module
//! applies them to stored rows, one transaction per change, each change audited.

pub mod deals;
pub mod entities;
pub mod funnel_days;
pub mod leads;
pub mod orders;
pub mod policy;
pub mod reports;
pub mod visits;

use chrono::{DateTime, NaiveDate, Utc};
use fours_domain::access::DataScope;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use crate::error::StoreError;
use crate::error::StoreResult;
use crate::org::{self, Actor};

/// The calendar day it is at the store (due dates are store days, not UTC days).
pub async fn store_today(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<NaiveDate> {
    let zone = org::store_zone(db, tenant_id, Some(store_id)).await;
    Ok(now.with_timezone(&zone).date_naive())
}

/// Rows the actor may see: their tenant, then their own (consultants), their store, or all.
pub(crate) fn scoped<C: ColumnTrait>(
    actor: &Actor,
    tenant: C,
    store: C,
    consultant: C,
) -> Condition {
    let base = Condition::all().add(tenant.eq(actor.tenant_id));
    match (actor.scope, actor.store_id) {
        (DataScope::Own, _) => base.add(consultant.eq(actor.user_id)),
        (DataScope::Store, Some(store_id)) => base.add(store.eq(store_id)),
        _ => base,
    }
}

/// The store a new record belongs to: the one given, else the actor's own.
pub fn store_of(actor: &Actor, given: Option<Uuid>) -> StoreResult<Uuid> {
    match (given, actor.scope, actor.store_id) {
        // Store-scoped staff work in their own store only.
        (Some(store_id), DataScope::Group, _) => Ok(store_id),
        (Some(store_id), _, Some(own)) if store_id != own => {
            Err(StoreError::invalid("store_id", "reference.not_found"))
        }
        (Some(store_id), _, _) => Ok(store_id),
        (None, _, Some(own)) => Ok(own),
        (None, _, None) => Err(StoreError::invalid("store_id", "required")),
    }
}

/// A consultant who may be given leads: an active user of the tenant.
pub(crate) async fn check_consultant(
    db: &impl ConnectionTrait,
    actor: &Actor,
    consultant_id: Uuid,
) -> StoreResult<()> {
    match org::find_user(db, actor.tenant_id, consultant_id).await {
        Ok(user) if user.active => Ok(()),
        _ => Err(StoreError::invalid("consultant_id", "reference.not_found")),
    }
}

/// Free text as stored: trimmed, and absent when empty.
pub(crate) fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Several models of interest kept as one comma-separated column (searchable, reportable).
pub(crate) fn joined(models: &Option<Vec<String>>) -> String {
    models
        .iter()
        .flatten()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// The first model of a [`joined`] list: what the funnel by model counts a row under.
pub(crate) fn first_model(joined: &str) -> String {
    joined.split(',').next().unwrap_or_default().to_owned()
}

/// Audits a new or decided sales record with its state after the change.
pub(crate) async fn audit_record<T: serde::Serialize>(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &'static str,
    entity: &'static str,
    id: Uuid,
    after: &T,
) -> StoreResult<()> {
    crate::audit::record(
        db,
        actor,
        crate::audit::AuditEntry {
            action,
            entity,
            entity_id: Some(id),
            before: None,
            after: serde_json::to_value(after).ok(),
        },
    )
    .await
}
