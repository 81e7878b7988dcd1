//! The parts manager's analysis of one store: stock value, turns, first-time fill rate, dead
//! and slow stock, ABC classes and the monthly issue value. The dead-stock list reads the
//! stock rows by when they last moved, and the fill rate counts issue movements from an index,
//! so both stay fast at millions of movements.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use fours_domain::parts::MovementKind;
use fours_domain::parts::analysis::{
    AbcClass, Ageing, abc_classes, fill_rate_bp, turns_hundredths,
};
use fours_domain::parts::costing::Position;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{part_stock, stock_movement};
use super::{catalogue, parts_store};
use crate::error::StoreResult;
use crate::org::{self, Actor};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    pub store_id: Option<Uuid>,
    /// First and last store day of the period (default: the last 30 days).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: Option<u64>,
}

/// The period as UTC instants from the store's days.
async fn period(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    query: &ReportQuery,
) -> StoreResult<(NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let zone = org::store_zone(db, actor.tenant_id, Some(store_id)).await;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let to = query.to.unwrap_or(today);
    let from = query.from.unwrap_or(to - Days::new(29));
    let start = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    Ok((from, to, start(from), start(to + Days::new(1))))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FillRate {
    pub store_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Repair-order lines first issued in the period (lines never issued are not counted).
    pub lines_requested: i64,
    /// Of them, those the shelf had when first asked for.
    pub lines_filled_first_time: i64,
    pub fill_rate_bp: Option<i64>,
}

pub async fn fill_rate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &ReportQuery,
) -> StoreResult<FillRate> {
    let store_id = parts_store(actor, query.store_id)?;
    let (from, to, start, end) = period(db, actor, store_id, query).await?;
    let (requested, filled): (i64, i64) = stock_movement::Entity::find()
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "requested")
        .column_as(
            Expr::cust("COALESCE(SUM(CASE WHEN filled_first_time THEN 1 ELSE 0 END), 0)"),
            "filled",
        )
        .filter(stock_movement::Column::TenantId.eq(actor.tenant_id))
        .filter(stock_movement::Column::StoreId.eq(store_id))
        .filter(stock_movement::Column::Kind.eq(MovementKind::Issue.as_str()))
        .filter(stock_movement::Column::At.gte(start))
        .filter(stock_movement::Column::At.lt(end))
        .filter(stock_movement::Column::FilledFirstTime.is_not_null())
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, 0));
    Ok(FillRate {
        store_id,
        from,
        to,
        lines_requested: requested,
        lines_filled_first_time: filled,
        fill_rate_bp: fill_rate_bp(filled, requested),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgedPart {
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub on_hand: i64,
    pub value_fen: i64,
    /// Never moved in this store when empty.
    pub last_moved_at: Option<DateTime<Utc>>,
    /// `dead` or `warning`.
    pub ageing: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadStock {
    pub store_id: Uuid,
    pub dead_months: u32,
    pub warning_months: u32,
    pub dead_parts: i64,
    pub dead_value_fen: i64,
    pub warning_parts: i64,
    pub warning_value_fen: i64,
    /// The most valuable aged parts first (dead before warning), up to `limit`.
    pub parts: Vec<AgedPart>,
}

/// Parts on the shelf that have not moved for the warning months, and those dead.
pub async fn dead_stock(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &ReportQuery,
) -> StoreResult<DeadStock> {
    let store_id = parts_store(actor, query.store_id)?;
    let policy = catalogue::policy(db, actor.tenant_id, store_id)
        .await?
        .ageing();
    let (_, today, _, _) = period(db, actor, store_id, &ReportQuery::default()).await?;
    let cut =
        |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Days::new(1);
    let warn_before = cut(policy.warn_if_unmoved_since(today));
    let aged = part_stock::Entity::find()
        .filter(part_stock::Column::TenantId.eq(actor.tenant_id))
        .filter(part_stock::Column::StoreId.eq(store_id))
        .filter(
            sea_orm::Condition::any()
                .add(part_stock::Column::LastMovedAt.lt(warn_before))
                .add(part_stock::Column::LastMovedAt.is_null()),
        )
        .filter(part_stock::Column::OnHand.gt(0))
        .all(db)
        .await?;
    let mut report = DeadStock {
        store_id,
        dead_months: policy.dead_months,
        warning_months: policy.warning_months,
        dead_parts: 0,
        dead_value_fen: 0,
        warning_parts: 0,
        warning_value_fen: 0,
        parts: Vec::new(),
    };
    let mut ranked: Vec<(Ageing, i64, part_stock::Model)> = aged
        .into_iter()
        .map(|row| {
            let ageing = row
                .last_moved_at
                .map_or(Ageing::Dead, |at| policy.classify(at.date_naive(), today));
            let value = Position {
                on_hand: row.on_hand,
                average_cost_fen: row.average_cost_fen,
            }
            .value_fen();
            (ageing, value, row)
        })
        .filter(|(ageing, _, _)| *ageing != Ageing::Moving)
        .collect();
    for (ageing, value, _) in &ranked {
        if *ageing == Ageing::Dead {
            report.dead_parts += 1;
            report.dead_value_fen += value;
        } else {
            report.warning_parts += 1;
            report.warning_value_fen += value;
        }
    }
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    ranked.truncate(usize::try_from(query.limit.unwrap_or(100).min(1_000)).unwrap_or(100));
    let parts = catalogue::by_ids(db, actor, ranked.iter().map(|(_, _, r)| r.part_id)).await?;
    report.parts = ranked
        .into_iter()
        .filter_map(|(ageing, value, row)| {
            let part = parts.get(&row.part_id)?;
            Some(AgedPart {
                part_id: row.part_id,
                part_number: part.part_number.clone(),
                name: part.name.clone(),
                on_hand: row.on_hand,
                value_fen: value,
                last_moved_at: row.last_moved_at,
                ageing: if ageing == Ageing::Dead {
                    "dead"
                } else {
                    "warning"
                }
                .to_owned(),
            })
        })
        .collect();
    Ok(report)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AbcShare {
    /// `A`, `B` or `C`.
    pub class: String,
    pub parts: i64,
    pub issue_value_fen: i64,
    pub stock_value_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlowMover {
    pub part_id: Uuid,
    pub part_number: String,
    pub name: String,
    pub on_hand: i64,
    /// Issued in the last 12 months (hundredths): less than what sits on the shelf.
    pub issued_12_months: i64,
    pub value_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthIssues {
    /// `2026-11`.
    pub month: String,
    pub issue_value_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartsOverview {
    pub store_id: Uuid,
    pub stock_value_fen: i64,
    pub parts_in_stock: i64,
    /// Issues at cost over the last 12 months.
    pub issue_value_12_months_fen: i64,
    /// That ÷ today's stock value, hundredths of a turn.
    pub turns_hundredths: Option<i64>,
    pub fill_rate: FillRate,
    pub abc: Vec<AbcShare>,
    pub slow_movers: Vec<SlowMover>,
    pub months: Vec<MonthIssues>,
}

pub async fn overview(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &ReportQuery,
) -> StoreResult<PartsOverview> {
    let store_id = parts_store(actor, query.store_id)?;
    let year_ago = Utc::now() - Days::new(365);
    let issued: Vec<(Uuid, i64, i64)> = stock_movement::Entity::find()
        .select_only()
        .column(stock_movement::Column::PartId)
        .column_as(Expr::cust("CAST(-SUM(quantity) AS BIGINT)"), "quantity")
        .column_as(
            Expr::cust("CAST(-SUM(quantity * unit_cost_fen) AS BIGINT) / 100"),
            "value",
        )
        .filter(stock_movement::Column::TenantId.eq(actor.tenant_id))
        .filter(stock_movement::Column::StoreId.eq(store_id))
        .filter(stock_movement::Column::Kind.eq(MovementKind::Issue.as_str()))
        .filter(stock_movement::Column::At.gte(year_ago))
        .group_by(stock_movement::Column::PartId)
        .into_tuple()
        .all(db)
        .await?;
    let issued: HashMap<Uuid, (i64, i64)> =
        issued.into_iter().map(|(p, q, v)| (p, (q, v))).collect();
    let stock = part_stock::Entity::find()
        .filter(part_stock::Column::TenantId.eq(actor.tenant_id))
        .filter(part_stock::Column::StoreId.eq(store_id))
        .order_by_asc(part_stock::Column::Id)
        .all(db)
        .await?;
    let values: Vec<i64> = stock
        .iter()
        .map(|row| issued.get(&row.part_id).map_or(0, |(_, v)| *v))
        .collect();
    let classes = abc_classes(&values);
    let mut abc: Vec<AbcShare> = [AbcClass::A, AbcClass::B, AbcClass::C]
        .iter()
        .map(|class| AbcShare {
            class: class.as_str().to_owned(),
            parts: 0,
            issue_value_fen: 0,
            stock_value_fen: 0,
        })
        .collect();
    let mut stock_value = 0;
    let mut in_stock = 0;
    let mut slow = Vec::new();
    for ((row, class), issue_value) in stock.iter().zip(&classes).zip(&values) {
        let value = Position {
            on_hand: row.on_hand,
            average_cost_fen: row.average_cost_fen,
        }
        .value_fen();
        stock_value += value;
        in_stock += i64::from(row.on_hand > 0);
        let share = &mut abc[*class as usize];
        share.parts += 1;
        share.issue_value_fen += issue_value;
        share.stock_value_fen += value;
        let issued_quantity = issued.get(&row.part_id).map_or(0, |(q, _)| *q);
        if row.on_hand > 0 && issued_quantity > 0 && issued_quantity < row.on_hand {
            slow.push((value, row.part_id, row.on_hand, issued_quantity));
        }
    }
    slow.sort_by_key(|s| std::cmp::Reverse(s.0));
    slow.truncate(20);
    let names = catalogue::by_ids(db, actor, slow.iter().map(|s| s.1)).await?;
    let slow_movers = slow
        .into_iter()
        .filter_map(|(value, part_id, on_hand, issued_12_months)| {
            let part = names.get(&part_id)?;
            Some(SlowMover {
                part_id,
                part_number: part.part_number.clone(),
                name: part.name.clone(),
                on_hand,
                issued_12_months,
                value_fen: value,
            })
        })
        .collect();
    let issue_value: i64 = values.iter().sum();
    Ok(PartsOverview {
        store_id,
        stock_value_fen: stock_value,
        parts_in_stock: in_stock,
        issue_value_12_months_fen: issue_value,
        turns_hundredths: turns_hundredths(issue_value, stock_value),
        fill_rate: fill_rate(db, actor, query).await?,
        abc,
        slow_movers,
        months: months(db, actor, store_id).await?,
    })
}

/// Issue value per calendar month over the last 12 months (UTC months: a chart, not a ledger).
async fn months(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
) -> StoreResult<Vec<MonthIssues>> {
    let today = Utc::now().date_naive();
    let mut out = Vec::with_capacity(12);
    for back in (0..12).rev() {
        let Some(first) = today
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(back)))
        else {
            continue;
        };
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        let value: Option<i64> = stock_movement::Entity::find()
            .select_only()
            .column_as(
                Expr::cust("CAST(COALESCE(-SUM(quantity * unit_cost_fen), 0) AS BIGINT) / 100"),
                "value",
            )
            .filter(stock_movement::Column::TenantId.eq(actor.tenant_id))
            .filter(stock_movement::Column::StoreId.eq(store_id))
            .filter(stock_movement::Column::Kind.eq(MovementKind::Issue.as_str()))
            .filter(
                stock_movement::Column::At
                    .gte(first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
            )
            .filter(
                stock_movement::Column::At
                    .lt(next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
            )
            .into_tuple()
            .one(db)
            .await?;
        out.push(MonthIssues {
            month: first.format("%Y-%m").to_string(),
            issue_value_fen: value.unwrap_or(0),
        });
    }
    Ok(out)
}
