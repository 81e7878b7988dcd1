//! The workshop's master data: per-store settings (labour rates by pay type, opening hours,
//! the advisors' reception slot), labour operations with standard times, and bays.
//! Technicians are the store's active users with the technician role.

use std::collections::BTreeMap;

use chrono::Utc;
use fours_domain::access::Role;
use fours_domain::service::PayType;
use fours_domain::service::claims::CommissionRates;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{bay, labour_operation, service_policy};
use super::in_scope;
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::{self, Actor};
use crate::sales::{audit_record, store_of, text};

/// Labour rates, fen per hour, per pay type.
pub type LabourRates = BTreeMap<String, i64>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServicePolicy {
    /// Fen per hour for `customer`, `warranty`, `insurance` and `internal` work.
    pub labour_rates_fen: LabourRates,
    /// Minutes after midnight, store time: the workshop's opening and closing.
    pub opens_at_minute: u32,
    pub closes_at_minute: u32,
    /// An advisor receives one booked customer per slot of this length.
    pub reception_slot_minutes: u32,
    /// Days the workshop is closed (public holidays, stock-taking); nothing is booked on them.
    #[serde(default)]
    pub closed_dates: Vec<chrono::NaiveDate>,
    /// Commission on accepted value-added warranty claims, basis points: the advisor's and each
    /// supervisor's (defaults 4% and 3%).
    #[serde(default = "default_advisor_commission")]
    pub advisor_commission_bp: u32,
    #[serde(default = "default_supervisor_commission")]
    pub supervisor_commission_bp: u32,
}

fn default_advisor_commission() -> u32 {
    CommissionRates::default().advisor_bp
}

fn default_supervisor_commission() -> u32 {
    CommissionRates::default().supervisor_bp
}

/// The default hourly rate: 120 yuan, a common figure for a mainstream brand's 4S store.
const DEFAULT_RATE_FEN: i64 = 12_000;

impl Default for ServicePolicy {
    fn default() -> Self {
        ServicePolicy {
            labour_rates_fen: PayType::ALL
                .iter()
                .map(|pay| (pay.as_str().to_owned(), DEFAULT_RATE_FEN))
                .collect(),
            opens_at_minute: 8 * 60 + 30,
            closes_at_minute: 17 * 60 + 30,
            reception_slot_minutes: 15,
            closed_dates: Vec::new(),
            advisor_commission_bp: default_advisor_commission(),
            supervisor_commission_bp: default_supervisor_commission(),
        }
    }
}

impl ServicePolicy {
    pub fn rate_fen(&self, pay_type: PayType) -> i64 {
        self.labour_rates_fen
            .get(pay_type.as_str())
            .copied()
            .unwrap_or(DEFAULT_RATE_FEN)
    }

    pub fn commission(&self) -> CommissionRates {
        CommissionRates {
            advisor_bp: self.advisor_commission_bp,
            supervisor_bp: self.supervisor_commission_bp,
        }
    }

    pub fn open_minutes(&self) -> u32 {
        self.closes_at_minute.saturating_sub(self.opens_at_minute)
    }

    fn check(&self) -> StoreResult<()> {
        if self.opens_at_minute >= self.closes_at_minute || self.closes_at_minute > 24 * 60 {
            return Err(StoreError::invalid("closes_at_minute", "service.hours"));
        }
        if !(5..=120).contains(&self.reception_slot_minutes) {
            return Err(StoreError::invalid(
                "reception_slot_minutes",
                "number.out_of_range",
            ));
        }
        if self.advisor_commission_bp > 10_000 || self.supervisor_commission_bp > 10_000 {
            return Err(StoreError::invalid(
                "advisor_commission_bp",
                "claim.rate_range",
            ));
        }
        for (pay_type, rate) in &self.labour_rates_fen {
            if PayType::parse(pay_type).is_none() {
                return Err(StoreError::invalid("labour_rates_fen", "choice.invalid"));
            }
            if *rate < 0 {
                return Err(StoreError::invalid("labour_rates_fen", "money.negative"));
            }
        }
        Ok(())
    }
}

pub async fn policy(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<ServicePolicy> {
    let Some(found) = policy_row(db, tenant_id, store_id).await? else {
        return Ok(ServicePolicy::default());
    };
    let rates = serde_json::from_value::<LabourRates>(found.labour_rates_fen)
        .map_err(|_| StoreError::Conflict("service policy unreadable"))?;
    // Minutes, basis points: stored as non-negative integers.
    let minutes = |value: i32| u32::try_from(value).unwrap_or(0);
    let closed_dates = serde_json::from_value(found.closed_dates)
        .map_err(|_| StoreError::Conflict("service policy unreadable"))?;
    Ok(ServicePolicy {
        closed_dates,
        advisor_commission_bp: minutes(found.advisor_commission_bp),
        supervisor_commission_bp: minutes(found.supervisor_commission_bp),
        labour_rates_fen: rates,
        opens_at_minute: minutes(found.opens_at_minute),
        closes_at_minute: minutes(found.closes_at_minute),
        reception_slot_minutes: minutes(found.reception_slot_minutes),
    })
}

async fn policy_row(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Option<service_policy::Model>> {
    Ok(service_policy::Entity::find()
        .filter(service_policy::Column::TenantId.eq(tenant_id))
        .filter(service_policy::Column::StoreId.eq(store_id))
        .one(db)
        .await?)
}

fn as_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub async fn set_policy(
    db: &Database,
    actor: &Actor,
    store_id: Option<Uuid>,
    policy: &ServicePolicy,
) -> StoreResult<ServicePolicy> {
    policy.check()?;
    let store_id = store_of(actor, store_id)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let rates = serde_json::to_value(&policy.labour_rates_fen)
        .map_err(|_| StoreError::Conflict("service policy unwritable"))?;
    let closed = serde_json::to_value(&policy.closed_dates)
        .map_err(|_| StoreError::Conflict("service policy unwritable"))?;
    let existing = policy_row(&txn, actor.tenant_id, store_id).await?;
    let id = existing.as_ref().map_or_else(Uuid::now_v7, |row| row.id);
    let fill = |model: &mut service_policy::ActiveModel| {
        model.labour_rates_fen = Set(rates.clone());
        model.opens_at_minute = Set(as_i32(policy.opens_at_minute));
        model.closes_at_minute = Set(as_i32(policy.closes_at_minute));
        model.reception_slot_minutes = Set(as_i32(policy.reception_slot_minutes));
        model.closed_dates = Set(closed.clone());
        model.advisor_commission_bp = Set(as_i32(policy.advisor_commission_bp));
        model.supervisor_commission_bp = Set(as_i32(policy.supervisor_commission_bp));
        model.updated_at = Set(Utc::now());
    };
    match existing {
        Some(row) => {
            let mut model: service_policy::ActiveModel = row.into();
            fill(&mut model);
            model.update(&txn).await?;
        }
        None => {
            let mut model = service_policy::ActiveModel {
                tenant_id: Set(actor.tenant_id),
                id: Set(id),
                store_id: Set(store_id),
                ..Default::default()
            };
            fill(&mut model);
            model.insert(&txn).await?;
        }
    }
    audit_record(&txn, actor, "update", "service_policy", id, policy).await?;
    txn.commit().await?;
    Ok(policy.clone())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationInput {
    pub store_id: Option<Uuid>,
    /// The maker's or the store's labour code, unique in the store.
    pub code: String,
    pub name: String,
    /// Standard minutes for one technician.
    pub standard_minutes: u32,
    /// Standard minutes when two technicians share the job.
    pub two_person_minutes: Option<u32>,
}

pub async fn add_operation(
    db: &Database,
    actor: &Actor,
    input: &OperationInput,
) -> StoreResult<labour_operation::Model> {
    let store_id = store_of(actor, input.store_id)?;
    let code = required(&input.code, "code")?;
    let name = required(&input.name, "name")?;
    if !(1..=24 * 60).contains(&input.standard_minutes) {
        return Err(StoreError::invalid(
            "standard_minutes",
            "number.out_of_range",
        ));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let taken = labour_operation::Entity::find()
        .filter(labour_operation::Column::TenantId.eq(actor.tenant_id))
        .filter(labour_operation::Column::StoreId.eq(store_id))
        .filter(labour_operation::Column::Code.eq(&code))
        .one(&txn)
        .await?;
    if let Some(existing) = taken {
        return Err(StoreError::Duplicate {
            entity: "labour_operation",
            field: "code",
            existing_id: existing.id,
        });
    }
    let created = labour_operation::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        code: Set(code),
        name: Set(name),
        standard_minutes: Set(as_i32(input.standard_minutes)),
        two_person_minutes: Set(input.two_person_minutes.map(as_i32)),
        active: Set(true),
    }
    .insert(&txn)
    .await?;
    audit_record(
        &txn,
        actor,
        "create",
        "labour_operation",
        created.id,
        &created,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

fn required(value: &str, field: &'static str) -> StoreResult<String> {
    text(&Some(value.to_owned())).ok_or_else(|| StoreError::invalid(field, "required"))
}

pub async fn operations(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> StoreResult<Vec<labour_operation::Model>> {
    Ok(labour_operation::Entity::find()
        .filter(in_scope(
            actor,
            labour_operation::Column::TenantId,
            labour_operation::Column::StoreId,
        ))
        .filter(labour_operation::Column::Active.eq(true))
        .order_by_asc(labour_operation::Column::Code)
        .all(db)
        .await?)
}

pub async fn operation(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    id: Uuid,
) -> StoreResult<labour_operation::Model> {
    labour_operation::Entity::find_by_id((actor.tenant_id, id))
        .one(db)
        .await?
        .filter(|op| op.store_id == store_id && op.active)
        .ok_or_else(|| StoreError::invalid("operation_id", "reference.not_found"))
}

pub const BAY_KINDS: [&str; 4] = ["mechanical", "body", "paint", "quick_service"];

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BayInput {
    pub store_id: Option<Uuid>,
    /// Shown on the board, e.g. `M01`.
    pub code: String,
    /// `mechanical`, `body`, `paint` or `quick_service`.
    pub bay_type: String,
}

pub async fn add_bay(db: &Database, actor: &Actor, input: &BayInput) -> StoreResult<bay::Model> {
    let store_id = store_of(actor, input.store_id)?;
    let code = required(&input.code, "code")?;
    if !BAY_KINDS.contains(&input.bay_type.as_str()) {
        return Err(StoreError::invalid("bay_type", "choice.invalid"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let taken = bay::Entity::find()
        .filter(bay::Column::TenantId.eq(actor.tenant_id))
        .filter(bay::Column::StoreId.eq(store_id))
        .filter(bay::Column::Code.eq(&code))
        .one(&txn)
        .await?;
    if let Some(existing) = taken {
        return Err(StoreError::Duplicate {
            entity: "bay",
            field: "code",
            existing_id: existing.id,
        });
    }
    let created = bay::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        code: Set(code),
        kind: Set(input.bay_type.clone()),
        active: Set(true),
    }
    .insert(&txn)
    .await?;
    audit_record(&txn, actor, "create", "bay", created.id, &created).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn bays(db: &impl ConnectionTrait, actor: &Actor) -> StoreResult<Vec<bay::Model>> {
    Ok(bay::Entity::find()
        .filter(in_scope(actor, bay::Column::TenantId, bay::Column::StoreId))
        .filter(bay::Column::Active.eq(true))
        .order_by_asc(bay::Column::Code)
        .all(db)
        .await?)
}

pub async fn store_bays(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Vec<bay::Model>> {
    Ok(bay::Entity::find()
        .filter(bay::Column::TenantId.eq(tenant_id))
        .filter(bay::Column::StoreId.eq(store_id))
        .filter(bay::Column::Active.eq(true))
        .all(db)
        .await?)
}

/// The store's active staff of one role, by name (technicians for dispatch and capacity,
/// advisors for booking).
pub async fn staff(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    role: Role,
) -> StoreResult<Vec<org::entities::user::Model>> {
    let mut found: Vec<_> = org::list_users(db, tenant_id)
        .await?
        .into_iter()
        .filter(|u| u.active && u.store_id == Some(store_id) && u.role == role.as_str())
        .collect();
    found.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(found)
}

/// A user of the store with one of `roles`, or the field's "not found" error.
pub(crate) async fn check_staff(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    user_id: Uuid,
    roles: &[Role],
    field: &'static str,
) -> StoreResult<org::entities::user::Model> {
    match org::find_user(db, tenant_id, user_id).await {
        Ok(user)
            if user.active
                && (user.store_id == Some(store_id) || user.store_id.is_none())
                && roles.iter().any(|r| r.as_str() == user.role) =>
        {
            Ok(user)
        }
        _ => Err(StoreError::invalid(field, "reference.not_found")),
    }
}
