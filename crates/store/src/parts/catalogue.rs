//! The group's part catalogue, each store's bins, and each store's parts settings.

use std::collections::HashMap;

use chrono::Utc;
use fours_domain::parts::analysis::AgeingPolicy;
use fours_domain::parts::replenishment::ReorderPolicy;
use fours_domain::parts::{parse_bin_code, parse_part_number};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{bin, part, parts_policy};
use super::parts_store;
use crate::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::{audit_record, text};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = CataloguePartInput)]
#[serde(deny_unknown_fields)]
pub struct PartInput {
    pub part_number: String,
    pub name: String,
    pub brand: Option<String>,
    pub category: Option<String>,
    /// 个, 升, 套…; `个` when empty.
    pub unit: Option<String>,
    pub retail_price_fen: i64,
    pub cost_price_fen: i64,
    /// The newer part number that replaces this one.
    pub superseded_by: Option<String>,
    /// Where the part is usually kept, e.g. `A-1-3`.
    pub default_bin: Option<String>,
}

/// The input checked field by field: every problem is named at once.
fn checked(input: &PartInput) -> Result<part::ActiveModel, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = parse_part_number(&input.part_number).map_err(|invalid| FieldError {
        field: "part_number",
        code: invalid.0,
    });
    let name = text(&Some(input.name.clone()));
    if name.is_none() {
        errors.push(FieldError {
            field: "name",
            code: "required",
        });
    }
    if input.retail_price_fen < 0 {
        errors.push(FieldError {
            field: "retail_price_fen",
            code: "money.negative",
        });
    }
    if input.cost_price_fen < 0 {
        errors.push(FieldError {
            field: "cost_price_fen",
            code: "money.negative",
        });
    }
    let superseded_by = match text(&input.superseded_by) {
        Some(raw) => parse_part_number(&raw)
            .map(Some)
            .map_err(|invalid| FieldError {
                field: "superseded_by",
                code: invalid.0,
            }),
        None => Ok(None),
    };
    let default_bin = match text(&input.default_bin) {
        Some(raw) => parse_bin_code(&raw)
            .map(Some)
            .map_err(|invalid| FieldError {
                field: "default_bin",
                code: invalid.0,
            }),
        None => Ok(None),
    };
    let (number, superseded_by, default_bin) = match (number, superseded_by, default_bin) {
        (Ok(n), Ok(s), Ok(b)) if errors.is_empty() => (n, s, b),
        (n, s, b) => {
            errors.extend([n.err(), s.err(), b.err()].into_iter().flatten());
            return Err(errors);
        }
    };
    if superseded_by.as_deref() == Some(number.as_str()) {
        return Err(vec![FieldError {
            field: "superseded_by",
            code: "part.supersedes_itself",
        }]);
    }
    Ok(part::ActiveModel {
        part_number: Set(number),
        name: Set(name.unwrap_or_default()),
        brand: Set(text(&input.brand)),
        category: Set(text(&input.category)),
        unit: Set(text(&input.unit).unwrap_or_else(|| "个".to_owned())),
        retail_price_fen: Set(input.retail_price_fen),
        cost_price_fen: Set(input.cost_price_fen),
        superseded_by: Set(superseded_by),
        default_bin: Set(default_bin),
        ..Default::default()
    })
}

/// Checks an import row (or an API body) with the catalogue's rules.
pub fn check(input: &PartInput) -> Result<(), Vec<FieldError>> {
    checked(input).map(|_| ())
}

pub async fn by_number(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    number: &str,
) -> StoreResult<Option<part::Model>> {
    Ok(part::Entity::find()
        .filter(part::Column::TenantId.eq(tenant_id))
        .filter(part::Column::PartNumber.eq(number.trim().to_ascii_uppercase()))
        .one(db)
        .await?)
}

/// Parts of the catalogue by id, for lists that name them.
pub(crate) async fn by_ids(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: impl Iterator<Item = Uuid>,
) -> StoreResult<HashMap<Uuid, part::Model>> {
    Ok(part::Entity::find()
        .filter(part::Column::TenantId.eq(actor.tenant_id))
        .filter(part::Column::Id.is_in(ids.collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Parts of the catalogue by (upper-cased) part number.
pub(crate) async fn by_numbers(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    numbers: impl Iterator<Item = String>,
) -> StoreResult<HashMap<String, part::Model>> {
    let numbers: Vec<String> = numbers.map(|n| n.trim().to_ascii_uppercase()).collect();
    Ok(part::Entity::find()
        .filter(part::Column::TenantId.eq(tenant_id))
        .filter(part::Column::PartNumber.is_in(numbers))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.part_number.clone(), p))
        .collect())
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> StoreResult<part::Model> {
    part::Entity::find()
        .filter(part::Column::TenantId.eq(actor.tenant_id))
        .filter(part::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn create(db: &Database, actor: &Actor, input: &PartInput) -> StoreResult<part::Model> {
    let mut model = checked(input).map_err(StoreError::Invalid)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    if let Some(existing) = by_number(&txn, actor.tenant_id, &input.part_number).await? {
        return Err(StoreError::Duplicate {
            entity: "part",
            field: "part_number",
            existing_id: existing.id,
        });
    }
    model.tenant_id = Set(actor.tenant_id);
    model.id = Set(Uuid::now_v7());
    model.active = Set(true);
    model.created_at = Set(Utc::now());
    let created = model.insert(&txn).await?;
    audit_record(&txn, actor, "create", "part", created.id, &created).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &PartInput,
) -> StoreResult<part::Model> {
    let mut model = checked(input).map_err(StoreError::Invalid)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    match by_number(&txn, actor.tenant_id, &input.part_number).await? {
        Some(other) if other.id != id => {
            return Err(StoreError::Duplicate {
                entity: "part",
                field: "part_number",
                existing_id: other.id,
            });
        }
        _ => {}
    }
    model.tenant_id = Set(current.tenant_id);
    model.id = Set(current.id);
    let updated = model.update(&txn).await?;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::AuditEntry {
            action: "update",
            entity: "part",
            entity_id: Some(id),
            before: serde_json::to_value(&current).ok(),
            after: serde_json::to_value(&updated).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// What an import batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportCounts {
    pub created: u64,
    pub updated: u64,
}

/// Writes checked import rows in one transaction: new part numbers are created, known ones
/// take the file's values (the maker's price list is the truth) in the columns the file has
/// (`columns` names them as the API does); the rest of a known part stays as it was. One audit
/// row per batch.
pub async fn import_batch(
    db: &Database,
    actor: &Actor,
    rows: &[PartInput],
    columns: &[&str],
) -> StoreResult<ImportCounts> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut counts = ImportCounts::default();
    for input in rows {
        let mut model = checked(input).map_err(StoreError::Invalid)?;
        model.tenant_id = Set(actor.tenant_id);
        match by_number(&txn, actor.tenant_id, &input.part_number).await? {
            Some(existing) => {
                keep_missing_columns(&mut model, &existing, columns);
                model.id = Set(existing.id);
                model.update(&txn).await?;
                counts.updated += 1;
            }
            None => {
                model.id = Set(Uuid::now_v7());
                model.active = Set(true);
                model.created_at = Set(Utc::now());
                model.insert(&txn).await?;
                counts.created += 1;
            }
        }
    }
    crate::audit::record(
        &txn,
        actor,
        crate::audit::AuditEntry {
            action: "import_batch",
            entity: "part",
            entity_id: None,
            before: None,
            after: serde_json::to_value(counts).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(counts)
}

/// Puts back a known part's values for the columns an import file does not have.
fn keep_missing_columns(model: &mut part::ActiveModel, existing: &part::Model, columns: &[&str]) {
    let absent = |name: &str| !columns.contains(&name);
    if absent("brand") {
        model.brand = Set(existing.brand.clone());
    }
    if absent("category") {
        model.category = Set(existing.category.clone());
    }
    if absent("unit") {
        model.unit = Set(existing.unit.clone());
    }
    if absent("retail_price_fen") {
        model.retail_price_fen = Set(existing.retail_price_fen);
    }
    if absent("cost_price_fen") {
        model.cost_price_fen = Set(existing.cost_price_fen);
    }
    if absent("superseded_by") {
        model.superseded_by = Set(existing.superseded_by.clone());
    }
    if absent("default_bin") {
        model.default_bin = Set(existing.default_bin.clone());
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PartFilter {
    /// The start of a part number, or part of a name.
    pub q: Option<String>,
    pub limit: Option<u64>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &PartFilter,
) -> StoreResult<Vec<part::Model>> {
    let mut query = part::Entity::find().filter(part::Column::TenantId.eq(actor.tenant_id));
    if let Some(q) = text(&filter.q) {
        query = query.filter(
            Condition::any()
                .add(part::Column::PartNumber.starts_with(q.to_ascii_uppercase()))
                .add(part::Column::Name.contains(&q)),
        );
    }
    Ok(query
        .order_by_asc(part::Column::PartNumber)
        .limit(filter.limit.unwrap_or(50).min(500))
        .all(db)
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BinInput {
    /// Area-shelf-level, e.g. `A-1-3` (A common parts, B body panels).
    pub code: String,
    pub note: Option<String>,
    /// Group users name the store.
    pub store_id: Option<Uuid>,
}

pub async fn create_bin(db: &Database, actor: &Actor, input: &BinInput) -> StoreResult<bin::Model> {
    let code = parse_bin_code(&input.code).map_err(|i| StoreError::invalid("code", i.0))?;
    let store_id = parts_store(actor, input.store_id)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    if let Some(existing) = bin_by_code(&txn, actor.tenant_id, store_id, &code).await? {
        return Err(StoreError::Duplicate {
            entity: "bin",
            field: "code",
            existing_id: existing.id,
        });
    }
    let created = bin::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        code: Set(code),
        note: Set(text(&input.note)),
        active: Set(true),
    }
    .insert(&txn)
    .await?;
    audit_record(&txn, actor, "create", "bin", created.id, &created).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn bin_by_code(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    code: &str,
) -> StoreResult<Option<bin::Model>> {
    Ok(bin::Entity::find()
        .filter(bin::Column::TenantId.eq(tenant_id))
        .filter(bin::Column::StoreId.eq(store_id))
        .filter(bin::Column::Code.eq(code))
        .one(db)
        .await?)
}

pub async fn bins(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Option<Uuid>,
) -> StoreResult<Vec<bin::Model>> {
    let store_id = parts_store(actor, store_id)?;
    Ok(bin::Entity::find()
        .filter(bin::Column::TenantId.eq(actor.tenant_id))
        .filter(bin::Column::StoreId.eq(store_id))
        .order_by_asc(bin::Column::Code)
        .all(db)
        .await?)
}

/// A store's parts settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartsPolicy {
    /// Let issues take stock below zero (some stores issue first and receive later).
    pub allow_negative: bool,
    pub demand_window_days: u32,
    pub lead_time_days: u32,
    pub safety_days: u32,
    pub cycle_days: u32,
    /// Months without movement that make a part dead stock, and that warn before it.
    pub dead_months: u32,
    pub warning_months: u32,
}

impl Default for PartsPolicy {
    fn default() -> Self {
        let reorder = ReorderPolicy::default();
        let ageing = AgeingPolicy::default();
        PartsPolicy {
            allow_negative: false,
            demand_window_days: reorder.demand_window_days,
            lead_time_days: reorder.lead_time_days,
            safety_days: reorder.safety_days,
            cycle_days: reorder.cycle_days,
            dead_months: ageing.dead_months,
            warning_months: ageing.warning_months,
        }
    }
}

impl PartsPolicy {
    pub fn reorder(&self) -> ReorderPolicy {
        ReorderPolicy {
            demand_window_days: self.demand_window_days,
            lead_time_days: self.lead_time_days,
            safety_days: self.safety_days,
            cycle_days: self.cycle_days,
        }
    }

    pub fn ageing(&self) -> AgeingPolicy {
        AgeingPolicy {
            dead_months: self.dead_months,
            warning_months: self.warning_months,
        }
    }

    fn check(&self) -> StoreResult<()> {
        if !(7..=730).contains(&self.demand_window_days) {
            return Err(StoreError::invalid(
                "demand_window_days",
                "number.out_of_range",
            ));
        }
        let out_of_range = [
            ("lead_time_days", self.lead_time_days > 180),
            ("safety_days", self.safety_days > 180),
            ("cycle_days", !(1..=180).contains(&self.cycle_days)),
        ];
        if let Some((field, _)) = out_of_range.into_iter().find(|(_, bad)| *bad) {
            return Err(StoreError::invalid(field, "number.out_of_range"));
        }
        if self.warning_months == 0
            || self.warning_months >= self.dead_months
            || self.dead_months > 60
        {
            return Err(StoreError::invalid("warning_months", "parts.ageing_order"));
        }
        Ok(())
    }
}

pub async fn policy(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<PartsPolicy> {
    let Some(row) = policy_row(db, tenant_id, store_id).await? else {
        return Ok(PartsPolicy::default());
    };
    let days = |value: i32| u32::try_from(value).unwrap_or(0);
    Ok(PartsPolicy {
        allow_negative: row.allow_negative,
        demand_window_days: days(row.demand_window_days),
        lead_time_days: days(row.lead_time_days),
        safety_days: days(row.safety_days),
        cycle_days: days(row.cycle_days),
        dead_months: days(row.dead_months),
        warning_months: days(row.warning_months),
    })
}

async fn policy_row(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Option<parts_policy::Model>> {
    Ok(parts_policy::Entity::find()
        .filter(parts_policy::Column::TenantId.eq(tenant_id))
        .filter(parts_policy::Column::StoreId.eq(store_id))
        .one(db)
        .await?)
}

pub async fn set_policy(
    db: &Database,
    actor: &Actor,
    store_id: Option<Uuid>,
    policy: &PartsPolicy,
) -> StoreResult<PartsPolicy> {
    policy.check()?;
    let store_id = parts_store(actor, store_id)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let days = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
    let existing = policy_row(&txn, actor.tenant_id, store_id).await?;
    let id = existing.as_ref().map_or_else(Uuid::now_v7, |row| row.id);
    let fill = |model: &mut parts_policy::ActiveModel| {
        model.allow_negative = Set(policy.allow_negative);
        model.demand_window_days = Set(days(policy.demand_window_days));
        model.lead_time_days = Set(days(policy.lead_time_days));
        model.safety_days = Set(days(policy.safety_days));
        model.cycle_days = Set(days(policy.cycle_days));
        model.dead_months = Set(days(policy.dead_months));
        model.warning_months = Set(days(policy.warning_months));
    };
    match existing {
        Some(row) => {
            let mut model: parts_policy::ActiveModel = row.into();
            fill(&mut model);
            model.update(&txn).await?;
        }
        None => {
            let mut model = parts_policy::ActiveModel {
                tenant_id: Set(actor.tenant_id),
                id: Set(id),
                store_id: Set(store_id),
                ..Default::default()
            };
            fill(&mut model);
            model.insert(&txn).await?;
        }
    }
    audit_record(&txn, actor, "update", "parts_policy", id, policy).await?;
    txn.commit().await?;
    Ok(*policy)
}

/// A file row the catalogue import could not take, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowReject {
    /// The row as the spreadsheet numbers it (the header is row 1).
    pub row: u64,
    pub field: String,
    pub code: String,
}

/// What a catalogue import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PartsImport {
    pub created: u64,
    pub updated: u64,
    pub rejected_rows: u64,
    /// The first 1,000 problems.
    pub rejects: Vec<RowReject>,
}
