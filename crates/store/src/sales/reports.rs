//! Sales reports: the funnel by source, consultant or model; follow-up discipline; defeat
//! analysis; the age of open leads. A store's or the group's funnel and follow-ups are read
//! from the daily counts (`sales::funnel_days`); a consultant's own, and everything else, are
//! counted in the database within the caller's scope, from indexes that hold every column a
//! count reads (m0004), so that counting never reads the tables' rows.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use fours_domain::access::DataScope;
use fours_domain::sales::funnel::{AGE_BUCKETS, FunnelCounts};
use fours_domain::sales::pipeline::{Standing, Step};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Func, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, QueryResult, StatementBuilder};
use uuid::Uuid;

use super::funnel_days;
use crate::error::StoreResult;
use crate::org::Actor;

/// What the funnel is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    Source,
    Consultant,
    /// The first model of interest.
    Model,
}

impl Dimension {
    pub fn parse(text: &str) -> Option<Dimension> {
        match text {
            "source" => Some(Dimension::Source),
            "consultant" => Some(Dimension::Consultant),
            "model" => Some(Dimension::Model),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Source => "source",
            Dimension::Consultant => "consultant",
            Dimension::Model => "model",
        }
    }
}

/// A report period: `[from, to)` as UTC instants (store days converted by the caller).
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// A report period as store days, both included (each store's own days for the group).
#[derive(Debug, Clone, Copy)]
pub struct ReportDays {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// A funnel stage counted on rows that belong to a lead, whose source, consultant and model
/// they take: the table, its time column and the stage (also the name of its count column).
pub(super) struct LeadStage {
    pub(super) table: &'static str,
    pub(super) at: &'static str,
    pub(super) stage: &'static str,
}

pub(super) const LEAD_STAGES: [LeadStage; 3] = [
    LeadStage {
        table: "test_drives",
        at: "out_at",
        stage: "test_drives",
    },
    LeadStage {
        table: "sales_orders",
        at: "created_at",
        stage: "orders",
    },
    LeadStage {
        table: "deliveries",
        at: "delivered_at",
        stage: "deliveries",
    },
];

fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// The caller's scope on a table that has `store_id` and `consultant_id` columns.
fn scope(actor: &Actor, table: &'static str) -> Cond {
    let tenant = Cond::all().add(col(table, "tenant_id").eq(actor.tenant_id));
    match (actor.scope, actor.store_id) {
        (DataScope::Own, _) => tenant.add(col(table, "consultant_id").eq(actor.user_id)),
        (DataScope::Store, Some(store_id)) => tenant.add(col(table, "store_id").eq(store_id)),
        _ => tenant,
    }
}

/// Whether [`scope`] narrows the tenant to a store or a consultant.
fn narrowed(actor: &Actor) -> bool {
    matches!(
        (actor.scope, actor.store_id),
        (DataScope::Own, _) | (DataScope::Store, Some(_))
    )
}

fn in_period(query: &mut SelectStatement, table: &'static str, at: &'static str, period: Period) {
    query
        .and_where(col(table, at).gte(period.from))
        .and_where(col(table, at).lt(period.to));
}

/// What a table's rows are grouped by; visits have a channel where leads have a source.
fn key(table: &'static str, dimension: Dimension) -> Expr {
    match (dimension, table) {
        (Dimension::Source, "showroom_visits") => col(table, "channel"),
        (Dimension::Source, _) => col(table, "source"),
        (Dimension::Consultant, _) => col(table, "consultant_id"),
        (Dimension::Model, _) => col(table, "first_model"),
    }
}

/// Visits grouped per key, all of them and those that kept a contact.
fn visits_query(actor: &Actor, dimension: Dimension, period: Period) -> SelectStatement {
    let key = key("showroom_visits", dimension);
    let mut query = Query::select();
    query
        .from(Alias::new("showroom_visits"))
        .expr_as(key.clone(), Alias::new("k"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .expr_as(
            Func::count(col("showroom_visits", "customer_id")),
            Alias::new("kept"),
        )
        .cond_where(scope(actor, "showroom_visits"))
        .add_group_by([key]);
    in_period(&mut query, "showroom_visits", "arrived_at", period);
    query
}

/// One stage's rows of the period as (stage, lead id).
fn stage_rows(actor: &Actor, stage: &LeadStage, period: Period) -> SelectStatement {
    let mut query = Query::select();
    query
        .from(Alias::new(stage.table))
        .expr_as(Expr::val(stage.stage), Alias::new("stage"))
        .expr_as(col(stage.table, "lead_id"), Alias::new("lead_id"))
        .and_where(col(stage.table, "tenant_id").eq(actor.tenant_id));
    in_period(&mut query, stage.table, stage.at, period);
    // A store's or a consultant's rows are picked by their leads' ids before any lead is read:
    // otherwise the whole group's rows of the period would each be joined to their lead.
    if narrowed(actor) {
        let mut leads = Query::select();
        leads
            .from(Alias::new("leads"))
            .column((Alias::new("leads"), Alias::new("id")))
            .cond_where(scope(actor, "leads"));
        query.and_where(col(stage.table, "lead_id").in_subquery(leads));
    }
    query
}

/// Test drives, orders and deliveries per key of their lead, in one pass. The rows are first
/// counted per lead (which also orders them by lead), so each lead is looked up once, and in
/// index order, for its scope and key: a lookup per row in time order costs more than the count.
fn lead_stages_query(actor: &Actor, dimension: Dimension, period: Period) -> SelectStatement {
    let [first, rest @ ..] = &LEAD_STAGES;
    let mut rows = stage_rows(actor, first, period);
    for stage in rest {
        rows.union(UnionType::All, stage_rows(actor, stage, period));
    }
    let mut per_lead = Query::select();
    per_lead
        .from_subquery(rows, Alias::new("stage_rows"))
        .expr_as(col("stage_rows", "lead_id"), Alias::new("lead_id"))
        .group_by_col((Alias::new("stage_rows"), Alias::new("lead_id")));
    let key = key("leads", dimension);
    let mut query = Query::select();
    query
        .expr_as(key.clone(), Alias::new("k"))
        .cond_where(scope(actor, "leads"))
        .add_group_by([key]);
    for stage in &LEAD_STAGES {
        let is_stage = col("stage_rows", "stage").eq(stage.stage);
        per_lead.expr_as(
            Func::count(Expr::case(is_stage, 1)),
            Alias::new(stage.stage),
        );
        // PostgreSQL sums integers as numeric.
        let sum = Func::sum(col("per_lead", stage.stage));
        query.expr_as(
            Func::cast_as(sum, Alias::new("BIGINT")),
            Alias::new(stage.stage),
        );
    }
    query
        .from_subquery(per_lead, Alias::new("per_lead"))
        .inner_join(
            Alias::new("leads"),
            col("leads", "id").equals((Alias::new("per_lead"), Alias::new("lead_id"))),
        );
    query
}

/// The row's group key as text (consultants by id).
fn key_of(row: &QueryResult, dimension: Dimension) -> StoreResult<String> {
    Ok(match dimension {
        Dimension::Consultant => row
            .try_get::<Option<Uuid>>("", "k")?
            .map(|id| id.to_string())
            .unwrap_or_default(),
        Dimension::Source | Dimension::Model => {
            row.try_get::<Option<String>>("", "k")?.unwrap_or_default()
        }
    })
}

async fn grouped(
    db: &impl ConnectionTrait,
    query: &impl StatementBuilder,
) -> StoreResult<Vec<QueryResult>> {
    Ok(db
        .query_all_raw(db.get_database_backend().build(query))
        .await?)
}

fn count(row: &QueryResult, column: &str) -> StoreResult<u64> {
    Ok(u64::try_from(row.try_get::<i64>("", column)?).unwrap_or(0))
}

/// The funnel for the period, one row per value of the dimension (empty key: not recorded):
/// a consultant's own counted from the rows, a store's or the group's read from the daily
/// counts (which hold the same figures, see [`count_funnel`]).
pub async fn funnel(
    db: &impl ConnectionTrait,
    actor: &Actor,
    dimension: Dimension,
    period: Period,
    days: ReportDays,
) -> StoreResult<BTreeMap<String, FunnelCounts>> {
    match actor.scope {
        DataScope::Own => count_funnel(db, actor, dimension, period).await,
        _ => funnel_days::funnel(db, actor, dimension, days).await,
    }
}

/// The funnel for the period counted from the visits, test drives, orders and deliveries
/// themselves, within the caller's scope.
pub async fn count_funnel(
    db: &impl ConnectionTrait,
    actor: &Actor,
    dimension: Dimension,
    period: Period,
) -> StoreResult<BTreeMap<String, FunnelCounts>> {
    let mut rows: BTreeMap<String, FunnelCounts> = BTreeMap::new();
    for row in grouped(db, &visits_query(actor, dimension, period)).await? {
        let counts = rows.entry(key_of(&row, dimension)?).or_default();
        counts.traffic += count(&row, "n")?;
        counts.contacts_kept += count(&row, "kept")?;
    }
    let stages = lead_stages_query(actor, dimension, period);
    for row in grouped(db, &stages).await? {
        let counts = rows.entry(key_of(&row, dimension)?).or_default();
        for stage in &LEAD_STAGES {
            if let Some(counted) = counts.stage(stage.stage) {
                *counted += count(&row, stage.stage)?;
            }
        }
    }
    Ok(rows)
}

/// Follow-ups done in the period per consultant: (done, on time); like [`funnel`], a
/// consultant's counted, a store's or the group's read from the daily counts.
pub async fn follow_up_discipline(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    days: ReportDays,
) -> StoreResult<BTreeMap<Uuid, (u64, u64)>> {
    match actor.scope {
        DataScope::Own => count_follow_up_discipline(db, actor, period).await,
        _ => funnel_days::follow_up_discipline(db, actor, days).await,
    }
}

/// [`follow_up_discipline`] counted from the follow-ups themselves.
pub async fn count_follow_up_discipline(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
) -> StoreResult<BTreeMap<Uuid, (u64, u64)>> {
    let consultant = col("follow_ups", "consultant_id");
    let on_time = col("follow_ups", "on_time").eq(true);
    let mut query = Query::select();
    query
        .from(Alias::new("follow_ups"))
        .expr_as(consultant.clone(), Alias::new("k"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .expr_as(Func::count(Expr::case(on_time, 1)), Alias::new("on_time"))
        .cond_where(scope(actor, "follow_ups"))
        .add_group_by([consultant]);
    in_period(&mut query, "follow_ups", "done_at", period);
    let mut result = BTreeMap::new();
    for row in grouped(db, &query).await? {
        if let Some(consultant) = row.try_get::<Option<Uuid>>("", "k")? {
            result.insert(consultant, (count(&row, "n")?, count(&row, "on_time")?));
        }
    }
    Ok(result)
}

/// Defeats approved in the period, counted by reason, by competitor brand and by consultant
/// (empty key: not recorded), each largest first.
#[derive(Debug, Default)]
pub struct Defeats {
    pub by_reason: Vec<(String, u64)>,
    pub by_brand: Vec<(String, u64)>,
    pub by_consultant: Vec<(String, u64)>,
}

const DEFEAT_KEYS: [&str; 3] = ["defeat_reason", "defeat_brand", "consultant_id"];

fn largest_first(counts: BTreeMap<Option<String>, u64>) -> Vec<(String, u64)> {
    let mut found: Vec<_> = counts
        .into_iter()
        .map(|(key, n)| (key.unwrap_or_default(), n))
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found
}

/// The period's defeats grouped by reason, brand and consultant together, in one pass.
fn defeats_query(actor: &Actor, period: Period) -> SelectStatement {
    let mut query = Query::select();
    query
        .from(Alias::new("leads"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .cond_where(scope(actor, "leads"))
        .and_where(col("leads", "standing").eq(Standing::Defeated.as_str()));
    in_period(&mut query, "leads", "closed_at", period);
    for column in DEFEAT_KEYS {
        query
            .expr_as(col("leads", column), Alias::new(column))
            .group_by_col((Alias::new("leads"), Alias::new(column)));
    }
    query
}

/// The period's defeats, added up per key of each breakdown.
pub async fn defeats(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
) -> StoreResult<Defeats> {
    let mut counts: [BTreeMap<Option<String>, u64>; 3] = Default::default();
    for row in grouped(db, &defeats_query(actor, period)).await? {
        let n = count(&row, "n")?;
        let keys = [
            row.try_get::<Option<String>>("", "defeat_reason")?,
            row.try_get::<Option<String>>("", "defeat_brand")?,
            row.try_get::<Option<Uuid>>("", "consultant_id")?
                .map(|id| id.to_string()),
        ];
        for (per_key, key) in counts.iter_mut().zip(keys) {
            *per_key.entry(key).or_default() += n;
        }
    }
    let [by_reason, by_brand, by_consultant] = counts.map(largest_first);
    Ok(Defeats {
        by_reason,
        by_brand,
        by_consultant,
    })
}

/// Open leads not yet ordered, by age (days since created), in the buckets of [`AGE_BUCKETS`].
pub async fn lead_ageing(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> StoreResult<Vec<u64>> {
    let before = |days: u32| now - Duration::days(i64::from(days));
    let mut query = Query::select();
    query
        .from(Alias::new("leads"))
        .cond_where(scope(actor, "leads"))
        .and_where(col("leads", "standing").eq(Standing::Active.as_str()))
        .and_where(col("leads", "step").ne(Step::Ordered.as_str()));
    for (bucket, (from_days, to_days)) in AGE_BUCKETS.into_iter().enumerate() {
        let mut within = Cond::all().add(col("leads", "created_at").lte(before(from_days)));
        if let Some(to_days) = to_days {
            within = within.add(col("leads", "created_at").gt(before(to_days + 1)));
        }
        query.expr_as(
            Func::count(Expr::case(within, 1)),
            Alias::new(format!("b{bucket}")),
        );
    }
    let rows = grouped(db, &query).await?;
    let Some(row) = rows.first() else {
        return Ok(vec![0; AGE_BUCKETS.len()]);
    };
    (0..AGE_BUCKETS.len())
        .map(|bucket| count(row, &format!("b{bucket}")))
        .collect()
}
