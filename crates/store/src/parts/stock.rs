//! Stock on hand and its movements. Every movement goes through [`apply`]: it locks the part's
//! stock row (PostgreSQL `FOR UPDATE`; SQLite writers are already serialised by
//! `BEGIN IMMEDIATE`), asks the costing rules for the new position, which refuse to overdraw
//! the shelf, and writes the position, the movement and its audit row in the caller's
//! transaction. Two counters issuing the last unit at once therefore get one unit and one
//! refusal.

use chrono::{DateTime, Utc};
use fours_domain::access::Role;
use fours_domain::parts::costing::Position;
use fours_domain::parts::{AdjustmentReason, MovementKind};
use fours_domain::service::order::Status as OrderStatus;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::catalogue::{self, bin_by_code};
use std::collections::HashMap;

use super::entities::{bin, part, part_stock, stock_movement};
use super::{parts_store, positive_quantity};
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::{self, Actor};
use crate::sales::{audit_record, text};
use crate::service::entities::{repair_order, repair_part};

/// What a movement is against, besides its part and store.
#[derive(Debug, Clone, Default)]
pub(crate) struct Against {
    pub repair_order_id: Option<Uuid>,
    pub repair_part_id: Option<Uuid>,
    pub supplier_order_id: Option<Uuid>,
    pub special_order_id: Option<Uuid>,
    pub stock_take_id: Option<Uuid>,
    pub other_store_id: Option<Uuid>,
    pub reason: Option<String>,
    pub technician_id: Option<Uuid>,
    pub signature_png: Option<String>,
    pub filled_first_time: Option<bool>,
}

/// One movement to make: `quantity` is signed (+ in, − out). Receipts carry their unit cost;
/// everything else moves at the shelf's average. `reserved` moves the special-order reserve
/// along with the stock (+ when a customer's part arrives, − when it is fitted or sent back).
pub(crate) struct Movement {
    pub store_id: Uuid,
    pub part_id: Uuid,
    pub kind: MovementKind,
    pub quantity: i64,
    pub unit_cost_fen: Option<i64>,
    pub reserved: i64,
    pub against: Against,
}

/// The part's stock row, created empty (at the catalogue cost) the first time it is needed.
async fn locked_stock(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    part: &part::Model,
) -> StoreResult<part_stock::Model> {
    let bin_id = match &part.default_bin {
        Some(code) => bin_by_code(txn, tenant_id, store_id, code)
            .await?
            .map(|b| b.id),
        None => None,
    };
    let empty = part_stock::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        part_id: Set(part.id),
        bin_id: Set(bin_id),
        on_hand: Set(0),
        reserved: Set(0),
        average_cost_fen: Set(part.cost_price_fen),
        min_level: Set(None),
        max_level: Set(None),
        last_moved_at: Set(None),
    };
    part_stock::Entity::insert(empty)
        .on_conflict(
            OnConflict::columns([
                part_stock::Column::TenantId,
                part_stock::Column::StoreId,
                part_stock::Column::PartId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    part_stock::Entity::find()
        .filter(part_stock::Column::TenantId.eq(tenant_id))
        .filter(part_stock::Column::StoreId.eq(store_id))
        .filter(part_stock::Column::PartId.eq(part.id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::Conflict("stock row vanished"))
}

/// Makes one movement in `txn` (see the module comment).
pub(crate) async fn apply(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    movement: Movement,
) -> StoreResult<stock_movement::Model> {
    let part = catalogue::get(txn, actor, movement.part_id).await?;
    let stock = locked_stock(txn, actor.tenant_id, movement.store_id, &part).await?;
    // A stock-take's count is what the shelf holds: it always goes through.
    let allow_negative = movement.kind == MovementKind::StockTake
        || catalogue::policy(txn, actor.tenant_id, movement.store_id)
            .await?
            .allow_negative;
    let position = Position {
        on_hand: stock.on_hand,
        average_cost_fen: stock.average_cost_fen,
    };
    let quantity_error =
        |invalid: fours_domain::validation::Invalid| StoreError::invalid("quantity", invalid.0);
    let (after, unit_cost) = if movement.quantity > 0 {
        let cost = movement.unit_cost_fen.unwrap_or(position.average_cost_fen);
        let after = position
            .receive(movement.quantity, cost)
            .map_err(quantity_error)?;
        (after, cost)
    } else {
        // Parts kept for a customer are not free for anyone else's order.
        let free = Position {
            on_hand: position.on_hand - stock.reserved - movement.reserved.min(0),
            ..position
        };
        free.take(-movement.quantity, allow_negative)
            .map_err(quantity_error)?;
        let after = Position {
            on_hand: position.on_hand + movement.quantity,
            ..position
        };
        (after, position.average_cost_fen)
    };
    let now = Utc::now();
    let mut row: part_stock::ActiveModel = stock.clone().into();
    row.on_hand = Set(after.on_hand);
    row.average_cost_fen = Set(after.average_cost_fen);
    row.reserved = Set((stock.reserved + movement.reserved).max(0));
    row.last_moved_at = Set(Some(now));
    row.update(txn).await?;
    let against = movement.against;
    let written = stock_movement::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(movement.store_id),
        part_id: Set(part.id),
        kind: Set(movement.kind.as_str().to_owned()),
        quantity: Set(movement.quantity),
        unit_cost_fen: Set(unit_cost),
        on_hand_after: Set(after.on_hand),
        at: Set(now),
        by_user: Set(Some(actor.user_id)),
        repair_order_id: Set(against.repair_order_id),
        repair_part_id: Set(against.repair_part_id),
        supplier_order_id: Set(against.supplier_order_id),
        special_order_id: Set(against.special_order_id),
        stock_take_id: Set(against.stock_take_id),
        other_store_id: Set(against.other_store_id),
        reason: Set(against.reason),
        technician_id: Set(against.technician_id),
        signature_png: Set(against.signature_png),
        filled_first_time: Set(against.filled_first_time),
    }
    .insert(txn)
    .await?;
    audit_record(txn, actor, "create", "stock_movement", written.id, &written).await?;
    Ok(written)
}

/// A part's stock in a store as the counter sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StockLine {
    pub store_id: Uuid,
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub unit: String,
    pub bin_code: Option<String>,
    /// Hundredths of the unit.
    pub on_hand: i64,
    /// Kept for customers' special orders.
    pub reserved: i64,
    pub available: i64,
    pub average_cost_fen: i64,
    pub value_fen: i64,
    pub min_level: Option<i64>,
    pub max_level: Option<i64>,
    pub last_moved_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct StockFilter {
    pub store_id: Option<Uuid>,
    pub part_id: Option<Uuid>,
    /// Bins whose code starts with this (an area `A`, a shelf `A-1`).
    pub bin: Option<String>,
    pub limit: Option<u64>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &StockFilter,
) -> StoreResult<Vec<StockLine>> {
    lines_up_to(
        db,
        actor,
        filter,
        Some(filter.limit.unwrap_or(200).min(2_000)),
    )
    .await
}

/// Every stock line of the filter (a stock-take counts the whole area, however large).
pub(crate) async fn all_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &StockFilter,
) -> StoreResult<Vec<StockLine>> {
    lines_up_to(db, actor, filter, None).await
}

async fn lines_up_to(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &StockFilter,
    limit: Option<u64>,
) -> StoreResult<Vec<StockLine>> {
    let store_id = parts_store(actor, filter.store_id)?;
    let mut query = part_stock::Entity::find()
        .filter(part_stock::Column::TenantId.eq(actor.tenant_id))
        .filter(part_stock::Column::StoreId.eq(store_id));
    if let Some(part_id) = filter.part_id {
        query = query.filter(part_stock::Column::PartId.eq(part_id));
    }
    if let Some(prefix) = text(&filter.bin) {
        let prefix = prefix.to_ascii_uppercase();
        let ids: Vec<Uuid> = catalogue::bins(db, actor, Some(store_id))
            .await?
            .into_iter()
            .filter(|b| b.code == prefix || b.code.starts_with(&format!("{prefix}-")))
            .map(|b| b.id)
            .collect();
        query = query.filter(part_stock::Column::BinId.is_in(ids));
    }
    let rows = query
        .order_by_asc(part_stock::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut lines = stock_lines(db, actor, rows).await?;
    lines.sort_by(|a, b| {
        a.bin_code
            .cmp(&b.bin_code)
            .then(a.part_number.cmp(&b.part_number))
    });
    Ok(lines)
}

/// The store's stock of the given parts (a page of the catalogue).
pub async fn of_parts(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Option<Uuid>,
    part_ids: Vec<Uuid>,
) -> StoreResult<Vec<StockLine>> {
    let store_id = parts_store(actor, store_id)?;
    let rows = part_stock::Entity::find()
        .filter(part_stock::Column::TenantId.eq(actor.tenant_id))
        .filter(part_stock::Column::StoreId.eq(store_id))
        .filter(part_stock::Column::PartId.is_in(part_ids))
        .all(db)
        .await?;
    stock_lines(db, actor, rows).await
}

/// A part's stock in every store the actor sees.
pub async fn everywhere(
    db: &impl ConnectionTrait,
    actor: &Actor,
    part_id: Uuid,
) -> StoreResult<Vec<StockLine>> {
    let rows = part_stock::Entity::find()
        .filter(crate::service::in_scope(
            actor,
            part_stock::Column::TenantId,
            part_stock::Column::StoreId,
        ))
        .filter(part_stock::Column::PartId.eq(part_id))
        .all(db)
        .await?;
    stock_lines(db, actor, rows).await
}

async fn stock_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    rows: Vec<part_stock::Model>,
) -> StoreResult<Vec<StockLine>> {
    let bin_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.bin_id).collect();
    let bins: HashMap<Uuid, String> = bin::Entity::find()
        .filter(bin::Column::TenantId.eq(actor.tenant_id))
        .filter(bin::Column::Id.is_in(bin_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect();
    let parts = catalogue::by_ids(db, actor, rows.iter().map(|r| r.part_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let part = parts.get(&row.part_id)?;
            let position = Position {
                on_hand: row.on_hand,
                average_cost_fen: row.average_cost_fen,
            };
            Some(StockLine {
                store_id: row.store_id,
                part_id: row.part_id,
                part_number: part.part_number.clone(),
                name: part.name.clone(),
                unit: part.unit.clone(),
                bin_code: row.bin_id.and_then(|id| bins.get(&id).cloned()),
                on_hand: row.on_hand,
                reserved: row.reserved,
                available: row.on_hand - row.reserved,
                average_cost_fen: row.average_cost_fen,
                value_fen: position.value_fen(),
                min_level: row.min_level,
                max_level: row.max_level,
                last_moved_at: row.last_moved_at,
                superseded_by: part.superseded_by.clone(),
            })
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct MovementFilter {
    pub store_id: Option<Uuid>,
    pub part_id: Option<Uuid>,
    pub repair_order_id: Option<Uuid>,
    pub limit: Option<u64>,
}

pub async fn movements(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &MovementFilter,
) -> StoreResult<Vec<stock_movement::Model>> {
    let store_id = parts_store(actor, filter.store_id)?;
    let mut query = stock_movement::Entity::find()
        .filter(stock_movement::Column::TenantId.eq(actor.tenant_id))
        .filter(stock_movement::Column::StoreId.eq(store_id));
    if let Some(part_id) = filter.part_id {
        query = query.filter(stock_movement::Column::PartId.eq(part_id));
    }
    if let Some(order_id) = filter.repair_order_id {
        query = query.filter(stock_movement::Column::RepairOrderId.eq(order_id));
    }
    Ok(query
        .order_by_desc(stock_movement::Column::Id)
        .limit(filter.limit.unwrap_or(100).min(1_000))
        .all(db)
        .await?)
}

/// Where a part lives in the store and its reorder levels (empty levels follow demand).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementInput {
    pub store_id: Option<Uuid>,
    pub bin_code: Option<String>,
    pub min_level: Option<i64>,
    pub max_level: Option<i64>,
}

pub async fn place(
    db: &Database,
    actor: &Actor,
    part_id: Uuid,
    input: &PlacementInput,
) -> StoreResult<StockLine> {
    let store_id = parts_store(actor, input.store_id)?;
    if let (Some(min), Some(max)) = (input.min_level, input.max_level)
        && (min < 0 || max < min)
    {
        return Err(StoreError::invalid("max_level", "parts.levels_order"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let part = catalogue::get(&txn, actor, part_id).await?;
    let bin_id = match text(&input.bin_code) {
        Some(code) => {
            let code = code.to_ascii_uppercase();
            let found = bin_by_code(&txn, actor.tenant_id, store_id, &code).await?;
            Some(
                found
                    .ok_or_else(|| StoreError::invalid("bin_code", "reference.not_found"))?
                    .id,
            )
        }
        None => None,
    };
    let stock = locked_stock(&txn, actor.tenant_id, store_id, &part).await?;
    let mut row: part_stock::ActiveModel = stock.into();
    row.bin_id = Set(bin_id);
    row.min_level = Set(input.min_level);
    row.max_level = Set(input.max_level);
    let placed = row.update(&txn).await?;
    audit_record(&txn, actor, "update", "part_stock", placed.id, &placed).await?;
    txn.commit().await?;
    let filter = StockFilter {
        store_id: Some(store_id),
        part_id: Some(part_id),
        ..Default::default()
    };
    list(&db.conn, actor, &filter)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Parts drawn for a repair-order line; the technician signs for them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    pub repair_part_id: Uuid,
    /// Hundredths; the rest of the line when empty.
    pub quantity: Option<i64>,
    /// The technician who takes the parts and signs for them.
    pub technician_id: Uuid,
    /// The technician's signature drawn on the counter's tablet, a PNG data URL.
    pub signature_png: String,
    /// Fit the customer's special-order part kept on the shelf for this car.
    pub special_order_id: Option<Uuid>,
}

/// The line and its order, with the order still open for parts.
async fn open_line(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    repair_part_id: Uuid,
) -> StoreResult<(repair_order::Model, repair_part::Model)> {
    let line = repair_part::Entity::find()
        .filter(repair_part::Column::TenantId.eq(actor.tenant_id))
        .filter(repair_part::Column::Id.eq(repair_part_id))
        // Issues and returns check what the line still needs: held until commit.
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::invalid("repair_part_id", "reference.not_found"))?;
    let order = crate::service::orders::get(txn, actor, line.order_id)
        .await
        .map_err(|_| StoreError::invalid("repair_part_id", "reference.not_found"))?;
    let status = OrderStatus::parse(&order.status);
    if matches!(
        status,
        Some(OrderStatus::Settled | OrderStatus::Closed | OrderStatus::Cancelled)
    ) {
        return Err(StoreError::invalid("repair_part_id", "parts.order_closed"));
    }
    Ok((order, line))
}

/// The catalogue part a line names (by its link, else by its part number).
async fn line_part(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    line: &repair_part::Model,
) -> StoreResult<part::Model> {
    match line.part_id {
        Some(id) => catalogue::get(txn, actor, id).await,
        None => catalogue::by_number(txn, actor.tenant_id, &line.part_number)
            .await?
            .ok_or_else(|| StoreError::invalid("repair_part_id", "part.not_catalogued")),
    }
}

pub async fn issue(
    db: &Database,
    actor: &Actor,
    input: &IssueInput,
) -> StoreResult<stock_movement::Model> {
    if !input.signature_png.starts_with("data:image/png;base64,") {
        return Err(StoreError::invalid("signature_png", "signature.required"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let (order, line) = open_line(&txn, actor, input.repair_part_id).await?;
    let technician = org::find_user(&txn, actor.tenant_id, input.technician_id)
        .await
        .map_err(|_| StoreError::invalid("technician_id", "reference.not_found"))?;
    let draws_parts = matches!(
        Role::parse(&technician.role),
        Some(Role::Technician | Role::WorkshopSupervisor | Role::QcInspector)
    );
    if !technician.active
        || !draws_parts
        || technician.store_id.is_some_and(|s| s != order.store_id)
    {
        return Err(StoreError::invalid("technician_id", "reference.not_found"));
    }
    let part = line_part(&txn, actor, &line).await?;
    let outstanding = i64::from(line.quantity_hundredths) - line.issued_hundredths;
    let quantity = positive_quantity("quantity", input.quantity.unwrap_or(outstanding))?;
    if quantity > outstanding {
        return Err(StoreError::invalid("quantity", "parts.more_than_ordered"));
    }
    let reserved = match input.special_order_id {
        Some(id) => {
            super::special::fit_in(&txn, actor, id, &order, part.id, quantity).await?;
            -quantity
        }
        None => 0,
    };
    let movement = Movement {
        store_id: order.store_id,
        part_id: part.id,
        kind: MovementKind::Issue,
        quantity: -quantity,
        unit_cost_fen: None,
        reserved,
        against: Against {
            repair_order_id: Some(order.id),
            repair_part_id: Some(line.id),
            special_order_id: input.special_order_id,
            technician_id: Some(technician.id),
            signature_png: Some(input.signature_png.clone()),
            // A line counts once, at its first issue; a part ordered for the customer was
            // not on the shelf when asked for.
            filled_first_time: (line.issued_hundredths == 0)
                .then_some(line.short_at.is_none() && input.special_order_id.is_none()),
            ..Default::default()
        },
    };
    let issued = match apply(&txn, actor, movement).await {
        Err(StoreError::Invalid(errors))
            if errors.iter().any(|e| e.code == "stock.insufficient") =>
        {
            txn.rollback().await?;
            mark_short(db, &line).await?;
            return Err(StoreError::Invalid(errors));
        }
        other => other?,
    };
    let mut updated: repair_part::ActiveModel = line.clone().into();
    updated.part_id = Set(Some(part.id));
    updated.issued_hundredths = Set(line.issued_hundredths + quantity);
    updated.update(&txn).await?;
    txn.commit().await?;
    Ok(issued)
}

/// Remembers that the shelf could not fill the line when asked (the first time only), so the
/// line never counts as filled first time.
async fn mark_short(db: &Database, line: &repair_part::Model) -> StoreResult<()> {
    if line.short_at.is_some() {
        return Ok(());
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut short: repair_part::ActiveModel = line.clone().into();
    short.short_at = Set(Some(Utc::now()));
    short.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Parts brought back from a repair order unused.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub repair_part_id: Uuid,
    pub quantity: i64,
    pub reason: Option<String>,
}

pub async fn return_from_order(
    db: &Database,
    actor: &Actor,
    input: &ReturnInput,
) -> StoreResult<stock_movement::Model> {
    let quantity = positive_quantity("quantity", input.quantity)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let (order, line) = open_line(&txn, actor, input.repair_part_id).await?;
    if quantity > line.issued_hundredths {
        return Err(StoreError::invalid("quantity", "parts.more_than_issued"));
    }
    let part = line_part(&txn, actor, &line).await?;
    let movement = Movement {
        store_id: order.store_id,
        part_id: part.id,
        kind: MovementKind::Return,
        quantity,
        unit_cost_fen: None,
        reserved: 0,
        against: Against {
            repair_order_id: Some(order.id),
            repair_part_id: Some(line.id),
            reason: text(&input.reason),
            ..Default::default()
        },
    };
    let returned = apply(&txn, actor, movement).await?;
    let mut updated: repair_part::ActiveModel = line.clone().into();
    updated.issued_hundredths = Set(line.issued_hundredths - quantity);
    updated.update(&txn).await?;
    txn.commit().await?;
    Ok(returned)
}

/// A correction by hand: found, lost, damaged, expired.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    pub store_id: Option<Uuid>,
    pub part_id: Uuid,
    /// Signed hundredths: + found, − lost or damaged.
    pub quantity: i64,
    /// `damaged`, `lost`, `found`, `expired`, `correction`.
    pub reason: String,
    /// Cost of goods found, fen per unit; the average when empty.
    pub unit_cost_fen: Option<i64>,
    pub note: Option<String>,
}

pub async fn adjust(
    db: &Database,
    actor: &Actor,
    input: &AdjustmentInput,
) -> StoreResult<stock_movement::Model> {
    let store_id = parts_store(actor, input.store_id)?;
    let reason = AdjustmentReason::parse(&input.reason)
        .filter(|r| *r != AdjustmentReason::ReturnedToSupplier)
        .ok_or_else(|| StoreError::invalid("reason", "choice.invalid"))?;
    positive_quantity("quantity", input.quantity.abs())?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let note = text(&input.note).map_or_else(
        || reason.as_str().to_owned(),
        |note| format!("{}: {note}", reason.as_str()),
    );
    let movement = Movement {
        store_id,
        part_id: input.part_id,
        kind: MovementKind::Adjustment,
        quantity: input.quantity,
        unit_cost_fen: input.unit_cost_fen,
        reserved: 0,
        against: Against {
            reason: Some(note),
            ..Default::default()
        },
    };
    let adjusted = apply(&txn, actor, movement)
        .await
        .map_err(|e| part_reference(e, "part_id"))?;
    txn.commit().await?;
    Ok(adjusted)
}

/// A missing part named in a body is the body's fault, not a missing page.
fn part_reference(error: StoreError, field: &'static str) -> StoreError {
    match error {
        StoreError::NotFound => StoreError::invalid(field, "reference.not_found"),
        other => other,
    }
}

/// Stock sent to another store of the group; it arrives at the sending store's average cost.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    pub store_id: Option<Uuid>,
    pub to_store_id: Uuid,
    pub part_id: Uuid,
    pub quantity: i64,
    pub note: Option<String>,
}

pub async fn transfer(
    db: &Database,
    actor: &Actor,
    input: &TransferInput,
) -> StoreResult<Vec<stock_movement::Model>> {
    let from = parts_store(actor, input.store_id)?;
    let quantity = positive_quantity("quantity", input.quantity)?;
    if input.to_store_id == from {
        return Err(StoreError::invalid("to_store_id", "parts.same_store"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    org::find_store(&txn, actor.tenant_id, input.to_store_id)
        .await
        .map_err(|_| StoreError::invalid("to_store_id", "reference.not_found"))?;
    let reason = text(&input.note);
    let out = apply(
        &txn,
        actor,
        Movement {
            store_id: from,
            part_id: input.part_id,
            kind: MovementKind::TransferOut,
            quantity: -quantity,
            unit_cost_fen: None,
            reserved: 0,
            against: Against {
                other_store_id: Some(input.to_store_id),
                reason: reason.clone(),
                ..Default::default()
            },
        },
    )
    .await
    .map_err(|e| part_reference(e, "part_id"))?;
    let arrived = apply(
        &txn,
        actor,
        Movement {
            store_id: input.to_store_id,
            part_id: input.part_id,
            kind: MovementKind::TransferIn,
            quantity,
            unit_cost_fen: Some(out.unit_cost_fen),
            reserved: 0,
            against: Against {
                other_store_id: Some(from),
                reason,
                ..Default::default()
            },
        },
    )
    .await?;
    txn.commit().await?;
    Ok(vec![out, arrived])
}

/// The part lines of a repair order with what the counter has issued against each.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CounterLine {
    pub repair_part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub quantity: i64,
    pub issued: i64,
    pub part_id: Option<Uuid>,
    /// Free stock in the order's store (on hand less what customers' special orders keep).
    pub available: Option<i64>,
    pub bin_code: Option<String>,
    pub short: bool,
    /// The newer part number to draw when this one is superseded (替代件).
    pub superseded_by: Option<String>,
}

pub async fn counter_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &repair_order::Model,
) -> StoreResult<Vec<CounterLine>> {
    let lines = crate::service::orders::parts_of(db, order).await?;
    let linked = catalogue::by_ids(db, actor, lines.iter().filter_map(|l| l.part_id)).await?;
    let named = catalogue::by_numbers(
        db,
        actor.tenant_id,
        lines
            .iter()
            .filter(|l| l.part_id.is_none())
            .map(|l| l.part_number.clone()),
    )
    .await?;
    let part_of = |line: &repair_part::Model| match line.part_id {
        Some(id) => linked.get(&id).cloned(),
        None => named
            .get(&line.part_number.trim().to_ascii_uppercase())
            .cloned(),
    };
    let part_ids = lines
        .iter()
        .filter_map(|l| part_of(l).map(|p| p.id))
        .collect();
    let stock: HashMap<Uuid, StockLine> = of_parts(db, actor, Some(order.store_id), part_ids)
        .await?
        .into_iter()
        .map(|s| (s.part_id, s))
        .collect();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let part = part_of(&line);
        let stock = part.as_ref().and_then(|p| stock.get(&p.id).cloned());
        out.push(CounterLine {
            repair_part_id: line.id,
            part_number: line.part_number,
            name: line.name,
            quantity: i64::from(line.quantity_hundredths),
            issued: line.issued_hundredths,
            superseded_by: part.as_ref().and_then(|p| p.superseded_by.clone()),
            part_id: part.map(|p| p.id),
            available: stock.as_ref().map(|s| s.available),
            bin_code: stock.and_then(|s| s.bin_code),
            short: line.short_at.is_some(),
        });
    }
    Ok(out)
}
