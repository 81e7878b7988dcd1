//! A store's care settings: quiet hours for messages, phone attempts and the escalation grace,
//! the survey score that counts as low, and the free first and second services. A store that
//! never changed them uses the defaults.

use chrono::Utc;
use fours_domain::care::attempts::RetryPolicy;
use fours_domain::care::quiet::{QuietHours, parse_time};
use fours_domain::care::schedule::FreeServicePolicy;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::care_policy;
use crate::audit::{self, AuditEntry};
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::Actor;

/// The default score (0–100) below which an answer is low.
pub const DEFAULT_LOW_SCORE: i32 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CarePolicy {
    /// "HH:MM" in the store's time zone: messages wait from here…
    pub quiet_start: String,
    /// …to here (the window may cross midnight).
    pub quiet_end: String,
    /// Phone attempts before a task closes as unreached.
    pub max_attempts: i32,
    /// Hours after a task's due time before it escalates to the manager.
    pub escalation_grace_hours: i32,
    /// A survey answer scoring below this (0–100) opens a complaint.
    pub low_score_threshold: i32,
    pub first_service_months: i32,
    pub first_service_km: i32,
    pub second_service_months: i32,
    pub second_service_km: i32,
}

impl Default for CarePolicy {
    fn default() -> Self {
        let retry = RetryPolicy::default();
        let free = FreeServicePolicy::default();
        let quiet = QuietHours::default();
        let number = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
        CarePolicy {
            quiet_start: quiet.start.format("%H:%M").to_string(),
            quiet_end: quiet.end.format("%H:%M").to_string(),
            max_attempts: number(retry.max_attempts),
            escalation_grace_hours: number(retry.escalation_grace_hours),
            low_score_threshold: DEFAULT_LOW_SCORE,
            first_service_months: number(free.first_months),
            first_service_km: number(free.first_km),
            second_service_months: number(free.second_months),
            second_service_km: number(free.second_km),
        }
    }
}

impl CarePolicy {
    pub fn quiet_hours(&self) -> QuietHours {
        let fallback = QuietHours::default();
        QuietHours {
            start: parse_time(&self.quiet_start).unwrap_or(fallback.start),
            end: parse_time(&self.quiet_end).unwrap_or(fallback.end),
        }
    }

    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.max_attempts.max(1).unsigned_abs(),
            escalation_grace_hours: self.escalation_grace_hours.max(0).unsigned_abs(),
        }
    }

    pub fn free_services(&self) -> FreeServicePolicy {
        let positive = |value: i32| value.max(1).unsigned_abs();
        FreeServicePolicy {
            first_months: positive(self.first_service_months),
            first_km: positive(self.first_service_km),
            second_months: positive(self.second_service_months),
            second_km: positive(self.second_service_km),
        }
    }

    fn validate(&self) -> StoreResult<()> {
        let mut errors = Vec::new();
        let mut check = |ok: bool, field: &'static str, code: &'static str| {
            if !ok {
                errors.push(FieldError { field, code });
            }
        };
        check(
            parse_time(&self.quiet_start).is_some(),
            "quiet_start",
            "time.format",
        );
        check(
            parse_time(&self.quiet_end).is_some(),
            "quiet_end",
            "time.format",
        );
        check(
            (1..=10).contains(&self.max_attempts),
            "max_attempts",
            "number.range",
        );
        check(
            (0..=720).contains(&self.escalation_grace_hours),
            "escalation_grace_hours",
            "number.range",
        );
        check(
            (0..=100).contains(&self.low_score_threshold),
            "low_score_threshold",
            "number.range",
        );
        for (value, field) in [
            (self.first_service_months, "first_service_months"),
            (self.second_service_months, "second_service_months"),
        ] {
            check((1..=60).contains(&value), field, "number.range");
        }
        for (value, field) in [
            (self.first_service_km, "first_service_km"),
            (self.second_service_km, "second_service_km"),
        ] {
            check((100..=100_000).contains(&value), field, "number.range");
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(errors))
        }
    }
}

async fn row(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Option<care_policy::Model>> {
    Ok(care_policy::Entity::find()
        .filter(care_policy::Column::TenantId.eq(tenant_id))
        .filter(care_policy::Column::StoreId.eq(store_id))
        .one(db)
        .await?)
}

pub async fn for_store(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<CarePolicy> {
    Ok(row(db, tenant_id, store_id)
        .await?
        .map_or_else(CarePolicy::default, |found| CarePolicy {
            quiet_start: found.quiet_start,
            quiet_end: found.quiet_end,
            max_attempts: found.max_attempts,
            escalation_grace_hours: found.escalation_grace_hours,
            low_score_threshold: found.low_score_threshold,
            first_service_months: found.first_service_months,
            first_service_km: found.first_service_km,
            second_service_months: found.second_service_months,
            second_service_km: found.second_service_km,
        }))
}

/// The survey score (0–100) below which an answer opens a complaint.
pub async fn threshold(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<i32> {
    Ok(for_store(db, tenant_id, store_id)
        .await?
        .low_score_threshold)
}

/// Replaces the store's settings (audited).
pub async fn set(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    policy: CarePolicy,
) -> StoreResult<CarePolicy> {
    policy.validate()?;
    let before = for_store(db, actor.tenant_id, store_id).await?;
    let existing = row(db, actor.tenant_id, store_id).await?;
    let mut model: care_policy::ActiveModel = match &existing {
        Some(found) => found.clone().into(),
        None => care_policy::ActiveModel {
            tenant_id: Set(actor.tenant_id),
            id: Set(Uuid::now_v7()),
            store_id: Set(store_id),
            ..Default::default()
        },
    };
    model.quiet_start = Set(policy.quiet_start.clone());
    model.quiet_end = Set(policy.quiet_end.clone());
    model.max_attempts = Set(policy.max_attempts);
    model.escalation_grace_hours = Set(policy.escalation_grace_hours);
    model.low_score_threshold = Set(policy.low_score_threshold);
    model.first_service_months = Set(policy.first_service_months);
    model.first_service_km = Set(policy.first_service_km);
    model.second_service_months = Set(policy.second_service_months);
    model.second_service_km = Set(policy.second_service_km);
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
            entity: "care_policy",
            entity_id: Some(store_id),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(&policy).ok(),
        },
    )
    .await?;
    Ok(policy)
}
