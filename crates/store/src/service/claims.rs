//! Warranty claims (索赔): written from a repair order's warranty lines, submitted to the maker,
//! approved or rejected (with the reason), corrected and resubmitted, paid; and the commission
//! a period's accepted value-added claims earn the advisors and supervisors.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fours_domain::service::claims::ClaimStatus;
use fours_domain::service::order::Approval;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::warranty_claim;
use super::{in_scope, orders};
use crate::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::{audit_record, text};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    pub order_id: Uuid,
    /// The maker's fault code, labour code and causal part number.
    pub fault_code: String,
    pub labour_code: String,
    pub causal_part: String,
    /// Value-added claim work (增值索赔), which earns commission.
    #[serde(default)]
    pub value_added: bool,
}

fn required(value: &str, field: &'static str, errors: &mut Vec<FieldError>) -> String {
    let trimmed = value.trim().to_owned();
    if trimmed.is_empty() {
        errors.push(FieldError {
            field,
            code: "required",
        });
    }
    trimmed
}

/// A claim for the order's approved warranty lines: labour and the parts of those jobs.
pub async fn create(
    db: &Database,
    actor: &Actor,
    input: &ClaimInput,
) -> StoreResult<warranty_claim::Model> {
    let mut errors = Vec::new();
    let fault_code = required(&input.fault_code, "fault_code", &mut errors);
    let labour_code = required(&input.labour_code, "labour_code", &mut errors);
    let causal_part = required(&input.causal_part, "causal_part", &mut errors);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let order = orders::get(&txn, actor, input.order_id)
        .await
        .map_err(|_| StoreError::invalid("order_id", "reference.not_found"))?;
    let amount = warranty_value(&txn, &order).await?;
    if amount == 0 {
        return Err(StoreError::invalid("order_id", "claim.no_warranty_lines"));
    }
    let now = Utc::now();
    let claim = warranty_claim::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(order.store_id),
        order_id: Set(order.id),
        advisor_id: Set(order.advisor_id),
        fault_code: Set(fault_code),
        labour_code: Set(labour_code),
        causal_part: Set(causal_part),
        amount_fen: Set(amount),
        value_added: Set(input.value_added),
        status: Set(ClaimStatus::Draft.as_str().to_owned()),
        rejection_reason: Set(None),
        submitted_at: Set(None),
        decided_at: Set(None),
        paid_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit_record(&txn, actor, "create", "warranty_claim", claim.id, &claim).await?;
    txn.commit().await?;
    Ok(claim)
}

/// What the maker owes for the order: its approved warranty labour and warranty parts.
async fn warranty_value(
    db: &impl ConnectionTrait,
    order: &super::entities::repair_order::Model,
) -> StoreResult<i64> {
    let jobs = orders::jobs_of(db, order).await?;
    let parts = orders::parts_of(db, order).await?;
    let approved: Vec<_> = jobs
        .into_iter()
        .filter(|j| j.approval == Approval::Approved.as_str())
        .collect();
    let sheet = orders::sheet(order, &approved, &parts, &[]);
    let figures = orders::settle_sheet(&sheet)?;
    Ok(figures.warranty.total_fen())
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<warranty_claim::Model> {
    warranty_claim::Entity::find()
        .filter(in_scope(
            actor,
            warranty_claim::Column::TenantId,
            warranty_claim::Column::StoreId,
        ))
        .filter(warranty_claim::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ClaimFilter {
    /// One status: `draft`, `submitted`, `approved`, `rejected`, `paid`.
    pub status: Option<String>,
    pub order_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &ClaimFilter,
) -> StoreResult<Vec<warranty_claim::Model>> {
    let mut query = warranty_claim::Entity::find().filter(in_scope(
        actor,
        warranty_claim::Column::TenantId,
        warranty_claim::Column::StoreId,
    ));
    if let Some(status) = &filter.status {
        query = query.filter(warranty_claim::Column::Status.eq(status.as_str()));
    }
    if let Some(order) = filter.order_id {
        query = query.filter(warranty_claim::Column::OrderId.eq(order));
    }
    Ok(query
        .order_by_desc(warranty_claim::Column::CreatedAt)
        .all(db)
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimStep {
    /// `submit`, `approve`, `reject` (with the maker's reason), `revise` or `pay`.
    pub action: String,
    pub rejection_reason: Option<String>,
}

/// Moves a claim on through the maker's process.
pub async fn advance(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    step: &ClaimStep,
) -> StoreResult<warranty_claim::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let claim = get(&txn, actor, id).await?;
    let status =
        ClaimStatus::parse(&claim.status).ok_or(StoreError::Conflict("claim status unreadable"))?;
    let reason = text(&step.rejection_reason);
    let next = match step.action.as_str() {
        "submit" => status.submit(),
        "approve" => status.approve(),
        "reject" => status.reject(reason.as_deref().unwrap_or("")),
        "revise" => status.revise(),
        "pay" => status.mark_paid(),
        _ => return Err(StoreError::invalid("action", "choice.invalid")),
    }
    .map_err(|invalid| {
        let field = if invalid.0 == "required" {
            "rejection_reason"
        } else {
            "action"
        };
        StoreError::Invalid(vec![FieldError {
            field,
            code: invalid.0,
        }])
    })?;
    let now = Utc::now();
    let mut model: warranty_claim::ActiveModel = claim.into();
    model.status = Set(next.as_str().to_owned());
    match next {
        ClaimStatus::Submitted => model.submitted_at = Set(Some(now)),
        ClaimStatus::Approved => model.decided_at = Set(Some(now)),
        ClaimStatus::Rejected => {
            model.decided_at = Set(Some(now));
            model.rejection_reason = Set(reason);
        }
        ClaimStatus::Paid => model.paid_at = Set(Some(now)),
        ClaimStatus::Draft => model.decided_at = Set(None),
    }
    model.updated_at = Set(now);
    let changed = model.update(&txn).await?;
    audit_record(
        &txn,
        actor,
        "advance",
        "warranty_claim",
        changed.id,
        &changed,
    )
    .await?;
    txn.commit().await?;
    Ok(changed)
}

/// Claim value and the commission it earns, per advisor, for claims the maker accepted in
/// the period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommissionLine {
    pub advisor_id: Uuid,
    /// Accepted claims (all) and of them value-added, integer fen.
    pub claim_value_fen: i64,
    pub value_added_fen: i64,
    /// The advisor's commission on value-added claims (the store's rate, default 4%).
    pub advisor_commission_fen: i64,
    /// Each supervisor's commission on the same (default 3%).
    pub supervisor_commission_fen: i64,
}

pub async fn commissions(
    db: &impl ConnectionTrait,
    actor: &Actor,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<CommissionLine>> {
    let accepted: Vec<&str> = ClaimStatus::ALL
        .iter()
        .filter(|s| s.earns_commission())
        .map(|s| s.as_str())
        .collect();
    let claims = warranty_claim::Entity::find()
        .filter(in_scope(
            actor,
            warranty_claim::Column::TenantId,
            warranty_claim::Column::StoreId,
        ))
        .filter(warranty_claim::Column::Status.is_in(accepted))
        .filter(warranty_claim::Column::DecidedAt.gte(from))
        .filter(warranty_claim::Column::DecidedAt.lt(to))
        .all(db)
        .await?;
    // Per advisor: claim value, value-added value, and their store (whose rates apply).
    let mut per_advisor: BTreeMap<Uuid, (i64, i64, Uuid)> = BTreeMap::new();
    for claim in claims {
        let entry = per_advisor
            .entry(claim.advisor_id)
            .or_insert((0, 0, claim.store_id));
        entry.0 = entry.0.saturating_add(claim.amount_fen);
        if claim.value_added {
            entry.1 = entry.1.saturating_add(claim.amount_fen);
        }
    }
    let mut lines = Vec::with_capacity(per_advisor.len());
    for (advisor_id, (claim_value_fen, value_added_fen, store)) in per_advisor {
        let rates = super::setup::policy(db, actor.tenant_id, store)
            .await?
            .commission();
        lines.push((advisor_id, claim_value_fen, value_added_fen, rates));
    }
    lines
        .into_iter()
        .map(|(advisor_id, claim_value_fen, value_added_fen, rates)| {
            let commission = rates
                .on(value_added_fen)
                .map_err(|invalid| StoreError::invalid("amount_fen", invalid.0))?;
            Ok(CommissionLine {
                advisor_id,
                claim_value_fen,
                value_added_fen,
                advisor_commission_fen: commission.advisor_fen,
                supervisor_commission_fen: commission.each_supervisor_fen,
            })
        })
        .collect()
}
