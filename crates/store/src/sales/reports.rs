//! Sales reports: the funnel by source, consultant or model; follow-up discipline; defeat
//! analysis; the age of open leads. Counted in the database (grouped, indexed by store and
//! time), within the caller's data scope.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use fours_domain::access::DataScope;
use fours_domain::sales::funnel::{AGE_BUCKETS, FunnelCounts};
use fours_domain::sales::pipeline::{Standing, Step};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult};
use uuid::Uuid;

use crate::error::StoreResult;
use crate::org::Actor;

/// What the funnel is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// A report period: `[from, to)` as UTC instants (store days converted by the caller).
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Where funnel stages are counted: the table, its time column, whether its source,
/// consultant and model come from the lead it belongs to, whether it carries the lead's store
/// (which lets a store's report use the table's own index), and the stage its rows count.
/// Visits count two stages in one pass: all of them, and those that kept a contact.
struct StageSource {
    table: &'static str,
    at: &'static str,
    via_lead: bool,
    has_store: bool,
    stage: &'static str,
    contacts_kept: Option<&'static str>,
}

const STAGE_SOURCES: [StageSource; 4] = [
    StageSource {
        table: "showroom_visits",
        at: "arrived_at",
        via_lead: false,
        has_store: true,
        stage: "traffic",
        contacts_kept: Some("contacts_kept"),
    },
    StageSource {
        table: "test_drives",
        at: "out_at",
        via_lead: true,
        has_store: true,
        stage: "test_drives",
        contacts_kept: None,
    },
    StageSource {
        table: "sales_orders",
        at: "created_at",
        via_lead: true,
        has_store: true,
        stage: "orders",
        contacts_kept: None,
    },
    StageSource {
        table: "deliveries",
        at: "delivered_at",
        via_lead: true,
        has_store: false,
        stage: "deliveries",
        contacts_kept: None,
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

fn key_column(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Source => "source",
        Dimension::Consultant => "consultant_id",
        Dimension::Model => "models_of_interest",
    }
}

/// `SELECT key, COUNT(*) … GROUP BY key` for one stage.
fn stage_query(
    actor: &Actor,
    source: &StageSource,
    dimension: Dimension,
    period: Period,
) -> SelectStatement {
    let mut query = Query::select();
    query.from(Alias::new(source.table));
    let owner = if source.via_lead {
        query.inner_join(
            Alias::new("leads"),
            Cond::all()
                .add(
                    col("leads", "tenant_id")
                        .equals((Alias::new(source.table), Alias::new("tenant_id"))),
                )
                .add(col("leads", "id").equals((Alias::new(source.table), Alias::new("lead_id")))),
        );
        "leads"
    } else {
        source.table
    };
    // Visits have a channel where leads have a source.
    let key = match (dimension, source.via_lead) {
        (Dimension::Source, false) => "channel",
        _ => key_column(dimension),
    };
    query
        .expr_as(col(owner, key), Alias::new("k"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .cond_where(scope(actor, owner))
        .and_where(col(source.table, source.at).gte(period.from))
        .and_where(col(source.table, source.at).lt(period.to))
        .group_by_col((Alias::new(owner), Alias::new(key)));
    if source.contacts_kept.is_some() {
        query.expr_as(
            Func::count(col(source.table, "customer_id")),
            Alias::new("kept"),
        );
    }
    // Redundant with the lead's store, but it lets the planner use the table's store index.
    if let (true, true, DataScope::Store, Some(store_id)) = (
        source.via_lead,
        source.has_store,
        actor.scope,
        actor.store_id,
    ) {
        query.and_where(col(source.table, "store_id").eq(store_id));
    }
    query
}

/// The row's group key as text: consultants by id, models by the first one named.
fn key_of(row: &QueryResult, dimension: Dimension) -> StoreResult<String> {
    Ok(match dimension {
        Dimension::Consultant => row
            .try_get::<Option<Uuid>>("", "k")?
            .map(|id| id.to_string())
            .unwrap_or_default(),
        Dimension::Model => row
            .try_get::<Option<String>>("", "k")?
            .unwrap_or_default()
            .split(',')
            .next()
            .unwrap_or_default()
            .to_owned(),
        Dimension::Source => row.try_get::<Option<String>>("", "k")?.unwrap_or_default(),
    })
}

async fn grouped(
    db: &impl ConnectionTrait,
    query: &SelectStatement,
) -> StoreResult<Vec<QueryResult>> {
    Ok(db
        .query_all_raw(db.get_database_backend().build(query))
        .await?)
}

fn count(row: &QueryResult, column: &str) -> StoreResult<u64> {
    Ok(u64::try_from(row.try_get::<i64>("", column)?).unwrap_or(0))
}

/// The funnel for the period, one row per value of the dimension (empty key: not recorded).
pub async fn funnel(
    db: &impl ConnectionTrait,
    actor: &Actor,
    dimension: Dimension,
    period: Period,
) -> StoreResult<BTreeMap<String, FunnelCounts>> {
    let mut rows: BTreeMap<String, FunnelCounts> = BTreeMap::new();
    for source in &STAGE_SOURCES {
        for row in grouped(db, &stage_query(actor, source, dimension, period)).await? {
            let counts = rows.entry(key_of(&row, dimension)?).or_default();
            if let Some(stage) = counts.stage(source.stage) {
                *stage += count(&row, "n")?;
            }
            if let Some(stage) = source.contacts_kept.and_then(|name| counts.stage(name)) {
                *stage += count(&row, "kept")?;
            }
        }
    }
    Ok(rows)
}

/// Follow-ups done in the period per consultant: (done, on time).
pub async fn follow_up_discipline(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
) -> StoreResult<BTreeMap<Uuid, (u64, u64)>> {
    let on_time = Expr::case(col("follow_ups", "on_time").eq(true), 1);
    let mut query = Query::select();
    query
        .from(Alias::new("follow_ups"))
        .expr_as(col("follow_ups", "consultant_id"), Alias::new("k"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .expr_as(Func::count(on_time), Alias::new("on_time"))
        .cond_where(scope(actor, "follow_ups"))
        .and_where(col("follow_ups", "done_at").gte(period.from))
        .and_where(col("follow_ups", "done_at").lt(period.to))
        .group_by_col((Alias::new("follow_ups"), Alias::new("consultant_id")));
    let mut result = BTreeMap::new();
    for row in grouped(db, &query).await? {
        let consultant: Uuid = row.try_get("", "k")?;
        result.insert(consultant, (count(&row, "n")?, count(&row, "on_time")?));
    }
    Ok(result)
}

/// What defeats are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefeatBy {
    Reason,
    Brand,
    Consultant,
}

/// Defeats approved in the period, counted by reason, competitor brand or consultant.
pub async fn defeats(
    db: &impl ConnectionTrait,
    actor: &Actor,
    by: DefeatBy,
    period: Period,
) -> StoreResult<Vec<(String, u64)>> {
    let column = match by {
        DefeatBy::Reason => "defeat_reason",
        DefeatBy::Brand => "defeat_brand",
        DefeatBy::Consultant => "consultant_id",
    };
    let mut query = Query::select();
    query
        .from(Alias::new("leads"))
        .expr_as(col("leads", column), Alias::new("k"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .cond_where(scope(actor, "leads"))
        .and_where(col("leads", "standing").eq(Standing::Defeated.as_str()))
        .and_where(col("leads", "closed_at").gte(period.from))
        .and_where(col("leads", "closed_at").lt(period.to))
        .group_by_col((Alias::new("leads"), Alias::new(column)));
    let mut found = Vec::new();
    for row in grouped(db, &query).await? {
        let key = match by {
            DefeatBy::Consultant => row
                .try_get::<Option<Uuid>>("", "k")?
                .map(|id| id.to_string()),
            _ => row.try_get::<Option<String>>("", "k")?,
        };
        found.push((key.unwrap_or_default(), count(&row, "n")?));
    }
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(found)
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

#[cfg(test)]
mod print_sql_tmp {
    use super::*;
    use sea_orm::sea_query::SqliteQueryBuilder;

    #[test]
    fn print_sql() {
        let actor = Actor {
            tenant_id: Uuid::nil(),
            user_id: Uuid::max(),
            store_id: Some(Uuid::max()),
            role: fours_domain::access::Role::Admin,
            scope: DataScope::Group,
            locale: String::new(),
            username: String::new(),
            display_name: String::new(),
        };
        let period = Period {
            from: "2026-11-01T16:00:00Z".parse().unwrap(),
            to: "2026-12-01T16:00:00Z".parse().unwrap(),
        };
        for d in [Dimension::Source, Dimension::Consultant, Dimension::Model] {
            for s in &STAGE_SOURCES {
                println!("{};", stage_query(&actor, s, d, period).to_string(SqliteQueryBuilder));
            }
        }
        println!("{:?}", stage_query(&actor, &STAGE_SOURCES[0], Dimension::Source, period).build(SqliteQueryBuilder));
    }
}
