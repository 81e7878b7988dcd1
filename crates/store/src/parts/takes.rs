//! Stock-takes (盘点): a count sheet of the store's (or an area's) parts, the counters enter
//! what the shelves hold (each line remembers the system's stock at that moment), and the parts
//! manager approves the variances, which then move stock (kind `stock_take`) in one
//! transaction. A rejected count goes back to counting.

use chrono::Utc;
use fours_domain::parts::MovementKind;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{part_stock, stock_take, stock_take_line};
use super::stock::{Against, Movement, StockFilter, apply};
use super::{parts_store, store_number};
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::{audit_record, text};
use crate::service::in_scope;

pub const COUNTING: &str = "counting";
pub const SUBMITTED: &str = "submitted";
pub const APPROVED: &str = "approved";

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockTakeInput {
    pub store_id: Option<Uuid>,
    /// Only bins starting with this (`A` for the common-parts area); the whole store if empty.
    pub area: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TakeLineView {
    #[serde(flatten)]
    pub line: stock_take_line::Model,
    pub part_number: String,
    pub part_name: String,
    /// Counted less expected, once counted.
    pub variance: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TakeDetail {
    pub take: stock_take::Model,
    pub lines: Vec<TakeLineView>,
}

pub async fn create(
    db: &Database,
    actor: &Actor,
    input: &StockTakeInput,
) -> StoreResult<TakeDetail> {
    let store_id = parts_store(actor, input.store_id)?;
    let area = text(&input.area).map(|a| a.to_ascii_uppercase());
    let filter = StockFilter {
        store_id: Some(store_id),
        bin: area.clone(),
        ..Default::default()
    };
    let txn = crate::db::begin_write(&db.conn).await?;
    let stock = super::stock::all_lines(&txn, actor, &filter).await?;
    if stock.is_empty() {
        return Err(StoreError::invalid("area", "parts.nothing_to_count"));
    }
    let number = store_number(&txn, actor.tenant_id, store_id, "stock_take", "ST").await?;
    let take = stock_take::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        number: Set(number),
        status: Set(COUNTING.to_owned()),
        area: Set(area),
        created_by: Set(actor.user_id),
        created_at: Set(Utc::now()),
        decided_by: Set(None),
        decided_at: Set(None),
    }
    .insert(&txn)
    .await?;
    for line in stock {
        stock_take_line::ActiveModel {
            tenant_id: Set(actor.tenant_id),
            id: Set(Uuid::now_v7()),
            stock_take_id: Set(take.id),
            part_id: Set(line.part_id),
            bin_code: Set(line.bin_code),
            expected: Set(line.on_hand),
            counted: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    audit_record(&txn, actor, "create", "stock_take", take.id, &take).await?;
    txn.commit().await?;
    detail(&db.conn, actor, take.id).await
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<stock_take::Model> {
    stock_take::Entity::find()
        .filter(in_scope(
            actor,
            stock_take::Column::TenantId,
            stock_take::Column::StoreId,
        ))
        .filter(stock_take::Column::Id.eq(id))
        // A decision checks the status it moves from: PostgreSQL holds the row until commit.
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn lines_of(
    db: &impl ConnectionTrait,
    take: &stock_take::Model,
) -> StoreResult<Vec<stock_take_line::Model>> {
    Ok(stock_take_line::Entity::find()
        .filter(stock_take_line::Column::TenantId.eq(take.tenant_id))
        .filter(stock_take_line::Column::StockTakeId.eq(take.id))
        .order_by_asc(stock_take_line::Column::BinCode)
        .order_by_asc(stock_take_line::Column::Id)
        .all(db)
        .await?)
}

pub async fn detail(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> StoreResult<TakeDetail> {
    let take = get(db, actor, id).await?;
    let lines = lines_of(db, &take).await?;
    let parts = super::catalogue::by_ids(db, actor, lines.iter().map(|l| l.part_id)).await?;
    let lines = lines
        .into_iter()
        .map(|line| {
            let part = parts.get(&line.part_id);
            TakeLineView {
                part_number: part.map(|p| p.part_number.clone()).unwrap_or_default(),
                part_name: part.map(|p| p.name.clone()).unwrap_or_default(),
                variance: line.counted.map(|c| c - line.expected),
                line,
            }
        })
        .collect();
    Ok(TakeDetail { take, lines })
}

pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> StoreResult<Vec<stock_take::Model>> {
    Ok(stock_take::Entity::find()
        .filter(in_scope(
            actor,
            stock_take::Column::TenantId,
            stock_take::Column::StoreId,
        ))
        .order_by_desc(stock_take::Column::Id)
        .limit(100)
        .all(db)
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountInput {
    pub counts: Vec<Count>,
    /// Hand the count to the parts manager when done.
    #[serde(default)]
    pub submit: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Count {
    pub line_id: Uuid,
    /// Hundredths found on the shelf.
    pub counted: i64,
}

pub async fn count(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &CountInput,
) -> StoreResult<TakeDetail> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let take = get(&txn, actor, id).await?;
    if take.status != COUNTING {
        return Err(StoreError::invalid("status", "stock_take.not_counting"));
    }
    let lines = lines_of(&txn, &take).await?;
    for count in &input.counts {
        if count.counted < 0 {
            return Err(StoreError::invalid("counted", "number.out_of_range"));
        }
        let line = lines
            .iter()
            .find(|l| l.id == count.line_id)
            .ok_or_else(|| StoreError::invalid("line_id", "reference.not_found"))?;
        // The variance is against the system's stock when the shelf is counted, so that issues
        // and receipts between the start and the approval are neither lost nor counted twice.
        let on_hand = part_stock::Entity::find()
            .filter(part_stock::Column::TenantId.eq(take.tenant_id))
            .filter(part_stock::Column::StoreId.eq(take.store_id))
            .filter(part_stock::Column::PartId.eq(line.part_id))
            .one(&txn)
            .await?
            .map_or(line.expected, |stock| stock.on_hand);
        let mut model: stock_take_line::ActiveModel = line.clone().into();
        model.counted = Set(Some(count.counted));
        model.expected = Set(on_hand);
        model.update(&txn).await?;
    }
    if input.submit {
        let counted: Vec<Uuid> = input.counts.iter().map(|c| c.line_id).collect();
        if lines
            .iter()
            .any(|l| l.counted.is_none() && !counted.contains(&l.id))
        {
            return Err(StoreError::invalid("counts", "stock_take.uncounted"));
        }
        let mut model: stock_take::ActiveModel = take.clone().into();
        model.status = Set(SUBMITTED.to_owned());
        model.update(&txn).await?;
    }
    audit_record(
        &txn,
        actor,
        "update",
        "stock_take",
        take.id,
        &input.counts.len(),
    )
    .await?;
    txn.commit().await?;
    detail(&db.conn, actor, id).await
}

/// The parts manager's decision on a submitted count. Approval moves every variance into stock.
pub async fn decide(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    approve: bool,
) -> StoreResult<TakeDetail> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let take = get(&txn, actor, id).await?;
    if take.status != SUBMITTED {
        return Err(StoreError::invalid("status", "stock_take.not_submitted"));
    }
    if approve {
        for line in lines_of(&txn, &take).await? {
            let variance = line.counted.unwrap_or(line.expected) - line.expected;
            if variance == 0 {
                continue;
            }
            let movement = Movement {
                store_id: take.store_id,
                part_id: line.part_id,
                kind: MovementKind::StockTake,
                quantity: variance,
                unit_cost_fen: None,
                reserved: 0,
                against: Against {
                    stock_take_id: Some(take.id),
                    ..Default::default()
                },
            };
            apply(&txn, actor, movement).await?;
        }
    }
    let mut model: stock_take::ActiveModel = take.into();
    model.status = Set(if approve { APPROVED } else { COUNTING }.to_owned());
    model.decided_by = Set(Some(actor.user_id));
    model.decided_at = Set(Some(Utc::now()));
    let decided = model.update(&txn).await?;
    audit_record(&txn, actor, "update", "stock_take", decided.id, &decided).await?;
    txn.commit().await?;
    detail(&db.conn, actor, id).await
}
