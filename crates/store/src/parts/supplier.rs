//! Supplier orders (订货) and replenishment: the day's suggested order from each part's
//! reorder levels, which the parts manager edits and sends; receipts against the order put the
//! goods on the shelf at their cost and tell the special orders among them that they arrived.

use std::collections::HashMap;

use chrono::{Days, NaiveDate, Utc};
use fours_domain::parts::MovementKind;
use fours_domain::parts::replenishment::{Levels, suggested_quantity};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{part_stock, stock_movement, supplier_order, supplier_order_line};
use super::stock::{Against, Movement, apply};
use super::{catalogue, parts_store, positive_quantity, store_number};
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::{audit_record, text};
use crate::service::in_scope;

pub const DRAFT: &str = "draft";
pub const SENT: &str = "sent";
pub const PARTLY_RECEIVED: &str = "partly_received";
pub const RECEIVED: &str = "received";

pub(crate) struct NewLine {
    pub part_id: Uuid,
    pub quantity: i64,
    pub unit_cost_fen: i64,
    pub special_order_id: Option<Uuid>,
}

pub(crate) async fn insert_order(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    supplier: &str,
    expected_on: Option<NaiveDate>,
    lines: &[NewLine],
    sent: bool,
) -> StoreResult<supplier_order::Model> {
    let number = store_number(txn, actor.tenant_id, store_id, "supplier_order", "PO").await?;
    let now = Utc::now();
    let order = supplier_order::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        number: Set(number),
        supplier: Set(supplier.to_owned()),
        status: Set(if sent { SENT } else { DRAFT }.to_owned()),
        expected_on: Set(expected_on),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        sent_at: Set(sent.then_some(now)),
    }
    .insert(txn)
    .await?;
    for line in lines {
        supplier_order_line::ActiveModel {
            tenant_id: Set(actor.tenant_id),
            id: Set(Uuid::now_v7()),
            order_id: Set(order.id),
            part_id: Set(line.part_id),
            quantity: Set(line.quantity),
            received: Set(0),
            unit_cost_fen: Set(line.unit_cost_fen),
            special_order_id: Set(line.special_order_id),
        }
        .insert(txn)
        .await?;
    }
    audit_record(txn, actor, "create", "supplier_order", order.id, &order).await?;
    Ok(order)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    pub part_id: Uuid,
    /// Hundredths of the part's unit.
    pub quantity: i64,
    /// Fen per unit; the catalogue cost when empty.
    pub unit_cost_fen: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierOrderInput {
    pub store_id: Option<Uuid>,
    pub supplier: String,
    pub expected_on: Option<NaiveDate>,
    pub lines: Vec<OrderLineInput>,
    /// Send at once instead of keeping a draft.
    #[serde(default)]
    pub send: bool,
}

pub async fn create(
    db: &Database,
    actor: &Actor,
    input: &SupplierOrderInput,
) -> StoreResult<OrderDetail> {
    let store_id = parts_store(actor, input.store_id)?;
    let supplier = text(&Some(input.supplier.clone()))
        .ok_or_else(|| StoreError::invalid("supplier", "required"))?;
    if input.lines.is_empty() {
        return Err(StoreError::invalid("lines", "required"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut lines = Vec::with_capacity(input.lines.len());
    for line in &input.lines {
        let part = catalogue::get(&txn, actor, line.part_id)
            .await
            .map_err(|_| StoreError::invalid("lines", "reference.not_found"))?;
        let cost = line.unit_cost_fen.unwrap_or(part.cost_price_fen);
        if cost < 0 {
            return Err(StoreError::invalid("lines", "money.negative"));
        }
        lines.push(NewLine {
            part_id: part.id,
            quantity: positive_quantity("lines", line.quantity)?,
            unit_cost_fen: cost,
            special_order_id: None,
        });
    }
    let order = insert_order(
        &txn,
        actor,
        store_id,
        &supplier,
        input.expected_on,
        &lines,
        input.send,
    )
    .await?;
    txn.commit().await?;
    detail(&db.conn, actor, order.id).await
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<supplier_order::Model> {
    supplier_order::Entity::find()
        .filter(in_scope(
            actor,
            supplier_order::Column::TenantId,
            supplier_order::Column::StoreId,
        ))
        .filter(supplier_order::Column::Id.eq(id))
        // Receipts check what is still outstanding: PostgreSQL holds the row until commit.
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderLineView {
    #[serde(flatten)]
    pub line: supplier_order_line::Model,
    pub part_number: String,
    pub part_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderDetail {
    pub order: supplier_order::Model,
    pub lines: Vec<OrderLineView>,
}

pub async fn detail(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<OrderDetail> {
    let order = get(db, actor, id).await?;
    let lines = supplier_order_line::Entity::find()
        .filter(supplier_order_line::Column::TenantId.eq(order.tenant_id))
        .filter(supplier_order_line::Column::OrderId.eq(order.id))
        .order_by_asc(supplier_order_line::Column::Id)
        .all(db)
        .await?;
    let parts = catalogue::by_ids(db, actor, lines.iter().map(|l| l.part_id)).await?;
    let lines = lines
        .into_iter()
        .map(|line| {
            let part = parts.get(&line.part_id);
            OrderLineView {
                part_number: part.map(|p| p.part_number.clone()).unwrap_or_default(),
                part_name: part.map(|p| p.name.clone()).unwrap_or_default(),
                line,
            }
        })
        .collect();
    Ok(OrderDetail { order, lines })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct OrderFilter {
    pub status: Option<String>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &OrderFilter,
) -> StoreResult<Vec<supplier_order::Model>> {
    let mut query = supplier_order::Entity::find().filter(in_scope(
        actor,
        supplier_order::Column::TenantId,
        supplier_order::Column::StoreId,
    ));
    if let Some(status) = text(&filter.status) {
        query = query.filter(supplier_order::Column::Status.eq(status));
    }
    Ok(query
        .order_by_desc(supplier_order::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}

pub async fn send(db: &Database, actor: &Actor, id: Uuid) -> StoreResult<OrderDetail> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let order = get(&txn, actor, id).await?;
    if order.status != DRAFT {
        return Err(StoreError::invalid("status", "supplier_order.not_draft"));
    }
    let mut model: supplier_order::ActiveModel = order.into();
    model.status = Set(SENT.to_owned());
    model.sent_at = Set(Some(Utc::now()));
    let sent = model.update(&txn).await?;
    audit_record(&txn, actor, "update", "supplier_order", sent.id, &sent).await?;
    txn.commit().await?;
    detail(&db.conn, actor, id).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLine {
    pub line_id: Uuid,
    /// Hundredths received now.
    pub quantity: i64,
    /// The invoice's cost per unit when it differs from the order's.
    pub unit_cost_fen: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptInput {
    pub lines: Vec<ReceiptLine>,
}

/// Goods received against a sent order, all lines in one transaction.
pub async fn receive(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &ReceiptInput,
) -> StoreResult<OrderDetail> {
    if input.lines.is_empty() {
        return Err(StoreError::invalid("lines", "required"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let order = get(&txn, actor, id).await?;
    if ![SENT, PARTLY_RECEIVED].contains(&order.status.as_str()) {
        return Err(StoreError::invalid("status", "supplier_order.not_sent"));
    }
    for receipt in &input.lines {
        let line = supplier_order_line::Entity::find()
            .filter(supplier_order_line::Column::TenantId.eq(order.tenant_id))
            .filter(supplier_order_line::Column::OrderId.eq(order.id))
            .filter(supplier_order_line::Column::Id.eq(receipt.line_id))
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::invalid("lines", "reference.not_found"))?;
        let quantity = positive_quantity("quantity", receipt.quantity)?;
        if line.received + quantity > line.quantity {
            return Err(StoreError::invalid("quantity", "parts.more_than_ordered"));
        }
        let reserved = if line.special_order_id.is_some() {
            quantity
        } else {
            0
        };
        let movement = Movement {
            store_id: order.store_id,
            part_id: line.part_id,
            kind: MovementKind::Receipt,
            quantity,
            unit_cost_fen: Some(receipt.unit_cost_fen.unwrap_or(line.unit_cost_fen)),
            reserved,
            against: Against {
                supplier_order_id: Some(order.id),
                special_order_id: line.special_order_id,
                ..Default::default()
            },
        };
        apply(&txn, actor, movement).await?;
        let complete = line.received + quantity == line.quantity;
        let mut model: supplier_order_line::ActiveModel = line.clone().into();
        model.received = Set(line.received + quantity);
        model.update(&txn).await?;
        if let (true, Some(special)) = (complete, line.special_order_id) {
            super::special::arrived_in(&txn, actor, special).await?;
        }
    }
    let outstanding = supplier_order_line::Entity::find()
        .filter(supplier_order_line::Column::TenantId.eq(order.tenant_id))
        .filter(supplier_order_line::Column::OrderId.eq(order.id))
        .filter(
            Expr::col(supplier_order_line::Column::Received)
                .lt(supplier_order_line::Column::Quantity.into_expr()),
        )
        .one(&txn)
        .await?;
    let mut model: supplier_order::ActiveModel = order.into();
    model.status = Set(if outstanding.is_some() {
        PARTLY_RECEIVED
    } else {
        RECEIVED
    }
    .to_owned());
    let updated = model.update(&txn).await?;
    audit_record(
        &txn,
        actor,
        "update",
        "supplier_order",
        updated.id,
        &updated,
    )
    .await?;
    txn.commit().await?;
    detail(&db.conn, actor, id).await
}

/// One line of the day's suggested order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub on_hand: i64,
    pub on_order: i64,
    /// Issued less returned in the store's demand window.
    pub demand: i64,
    pub min_level: i64,
    pub max_level: i64,
    pub suggested: i64,
    pub unit_cost_fen: i64,
}

/// Net demand per part over the window (issues are negative movements, returns positive).
async fn demand_since(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    since: chrono::DateTime<Utc>,
) -> StoreResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = stock_movement::Entity::find()
        .select_only()
        .column(stock_movement::Column::PartId)
        .column_as(Expr::cust("CAST(-SUM(quantity) AS BIGINT)"), "demand")
        .filter(stock_movement::Column::TenantId.eq(tenant_id))
        .filter(stock_movement::Column::StoreId.eq(store_id))
        .filter(
            stock_movement::Column::Kind
                .is_in([MovementKind::Issue.as_str(), MovementKind::Return.as_str()]),
        )
        .filter(stock_movement::Column::At.gte(since))
        .group_by(stock_movement::Column::PartId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// What is on order and not yet received, per part.
async fn on_order(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<HashMap<Uuid, i64>> {
    let open: Vec<Uuid> = supplier_order::Entity::find()
        .filter(supplier_order::Column::TenantId.eq(tenant_id))
        .filter(supplier_order::Column::StoreId.eq(store_id))
        .filter(supplier_order::Column::Status.is_in([SENT, PARTLY_RECEIVED]))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut totals = HashMap::new();
    for line in supplier_order_line::Entity::find()
        .filter(supplier_order_line::Column::TenantId.eq(tenant_id))
        .filter(supplier_order_line::Column::OrderId.is_in(open))
        .filter(supplier_order_line::Column::SpecialOrderId.is_null())
        .all(db)
        .await?
    {
        *totals.entry(line.part_id).or_insert(0) += line.quantity - line.received;
    }
    Ok(totals)
}

pub async fn suggestions(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Option<Uuid>,
) -> StoreResult<Vec<Suggestion>> {
    let store_id = parts_store(actor, store_id)?;
    let policy = catalogue::policy(db, actor.tenant_id, store_id).await?;
    let since = Utc::now() - Days::new(u64::from(policy.demand_window_days));
    let demand = demand_since(db, actor.tenant_id, store_id, since).await?;
    let ordered = on_order(db, actor.tenant_id, store_id).await?;
    let stock = part_stock::Entity::find()
        .filter(part_stock::Column::TenantId.eq(actor.tenant_id))
        .filter(part_stock::Column::StoreId.eq(store_id))
        .all(db)
        .await?;
    let parts = catalogue::by_ids(db, actor, stock.iter().map(|s| s.part_id)).await?;
    let mut lines: Vec<Suggestion> = stock
        .into_iter()
        .filter_map(|row| {
            let part = parts.get(&row.part_id)?;
            let demand = demand.get(&row.part_id).copied().unwrap_or(0);
            let computed = policy.reorder().levels(demand);
            let levels = Levels {
                min: row.min_level.unwrap_or(computed.min),
                max: row.max_level.unwrap_or(computed.max),
            };
            // Free stock: what customers' special orders keep is not on the shelf for others.
            let on_hand = row.on_hand - row.reserved;
            let on_order = ordered.get(&row.part_id).copied().unwrap_or(0);
            let suggested = suggested_quantity(levels, on_hand, on_order);
            (suggested > 0 && part.active && part.superseded_by.is_none()).then(|| Suggestion {
                part_id: part.id,
                part_number: part.part_number.clone(),
                name: part.name.clone(),
                on_hand,
                on_order,
                demand,
                min_level: levels.min,
                max_level: levels.max,
                suggested,
                unit_cost_fen: part.cost_price_fen,
            })
        })
        .collect();
    lines.sort_by(|a, b| a.part_number.cmp(&b.part_number));
    Ok(lines)
}
