//! The funnel's daily counts, which the store and group reports read: per store, store day
//! and value of each breakdown (source, consultant, first model), the visits, contacts kept,
//! test drives, orders and deliveries, and per consultant the follow-ups done and done on
//! time. Counting a year of a group's rows at report time takes seconds at a million
//! prospects; a year of its days is about a hundred thousand rows.
//!
//! The counts mean what [`super::reports::count_funnel`] counts from the rows: a visit under
//! its own channel, consultant and first model; a test drive, order or delivery under its
//! lead's current source, consultant and first model, in the lead's store, on the day it
//! happened; a follow-up under the consultant who made it.
//!
//! Every change that moves a count recounts the store days it touched from the rows, inside
//! its own transaction: a visit's day, a stage row's day, a follow-up's day, or, when a lead's
//! store, source, consultant or first model changes, the days of its stage rows. Recounting
//! instead of adding and subtracting keeps the summary equal to the rows by construction.
//! A recount first locks its store day's `sales_funnel_days_counted` row, so on PostgreSQL
//! concurrent recounts of one day take turns and the later one sees the earlier's rows (SQLite
//! writes one transaction at a time). Callers recount last, after their other writes, and the
//! days in order, so two transactions never wait on each other's day locks.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::AddAssign;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use fours_domain::access::DataScope;
use fours_domain::sales::funnel::FunnelCounts;
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, Func, IntoIden, OnConflict, Query, SelectStatement,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult,
};
use uuid::Uuid;

use super::entities::{funnel_day, funnel_day_counted, lead};
use super::reports::{Dimension, LEAD_STAGES, LeadStage, ReportDays};
use crate::error::StoreResult;
use crate::org::{self, Actor};

/// What one store day adds up to for one breakdown value.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct DayCounts {
    funnel: FunnelCounts,
    follow_ups: u64,
    on_time: u64,
}

impl AddAssign for DayCounts {
    fn add_assign(&mut self, other: DayCounts) {
        self.funnel.add(&other.funnel);
        self.follow_ups += other.follow_ups;
        self.on_time += other.on_time;
    }
}

/// Counts per store, store day, breakdown and value.
type Tally = BTreeMap<(Uuid, NaiveDate, Dimension, String), DayCounts>;

/// A half-open span of instants, `[0, 1)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The instant the store day begins (a midnight a clock change skips: the hour after).
fn day_start(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(midnight + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |start| start.with_timezone(&Utc))
}

fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// The store's rows of `table` whose `at` falls in the span, for the tenant.
fn in_span(query: &mut SelectStatement, table: &str, at: &str, tenant_id: Uuid, span: Span) {
    query
        .and_where(col(table, "tenant_id").eq(tenant_id))
        .and_where(col(table, at).gte(span.0))
        .and_where(col(table, at).lt(span.1));
}

/// Visits with their own keys and whether a contact was kept.
fn visits_query(tenant_id: Uuid, store_id: Uuid, span: Span) -> SelectStatement {
    let t = "showroom_visits";
    let mut query = Query::select();
    query
        .from(Alias::new(t))
        .expr_as(col(t, "arrived_at"), Alias::new("at"))
        .expr_as(col(t, "channel"), Alias::new("source"))
        .expr_as(col(t, "consultant_id"), Alias::new("consultant_id"))
        .expr_as(col(t, "first_model"), Alias::new("first_model"))
        .expr_as(col(t, "customer_id"), Alias::new("customer_id"))
        .and_where(col(t, "store_id").eq(store_id));
    in_span(&mut query, t, "arrived_at", tenant_id, span);
    query
}

/// A stage's rows with their lead's keys, in the lead's store.
fn stage_query(stage: &LeadStage, tenant_id: Uuid, store_id: Uuid, span: Span) -> SelectStatement {
    let t = stage.table;
    let mut query = Query::select();
    query
        .from(Alias::new(t))
        .inner_join(
            Alias::new("leads"),
            col("leads", "tenant_id")
                .equals((Alias::new(t), Alias::new("tenant_id")))
                .and(col("leads", "id").equals((Alias::new(t), Alias::new("lead_id")))),
        )
        .expr_as(col(t, stage.at), Alias::new("at"))
        .expr_as(col("leads", "source"), Alias::new("source"))
        .expr_as(col("leads", "consultant_id"), Alias::new("consultant_id"))
        .expr_as(col("leads", "first_model"), Alias::new("first_model"))
        .and_where(col("leads", "store_id").eq(store_id));
    in_span(&mut query, t, stage.at, tenant_id, span);
    query
}

/// Follow-ups with who made them and whether on time.
fn follow_ups_query(tenant_id: Uuid, store_id: Uuid, span: Span) -> SelectStatement {
    let t = "follow_ups";
    let mut query = Query::select();
    query
        .from(Alias::new(t))
        .expr_as(col(t, "done_at"), Alias::new("at"))
        .expr_as(col(t, "consultant_id"), Alias::new("consultant_id"))
        .expr_as(col(t, "on_time"), Alias::new("on_time"))
        .and_where(col(t, "store_id").eq(store_id));
    in_span(&mut query, t, "done_at", tenant_id, span);
    query
}

async fn rows(db: &impl ConnectionTrait, query: &SelectStatement) -> StoreResult<Vec<QueryResult>> {
    Ok(db
        .query_all_raw(db.get_database_backend().build(query))
        .await?)
}

fn consultant_key(row: &QueryResult) -> StoreResult<String> {
    Ok(row
        .try_get::<Option<Uuid>>("", "consultant_id")?
        .map(|id| id.to_string())
        .unwrap_or_default())
}

/// A row's value for each breakdown.
fn keys(row: &QueryResult) -> StoreResult<[(Dimension, String); 3]> {
    Ok([
        (Dimension::Source, row.try_get::<String>("", "source")?),
        (Dimension::Consultant, consultant_key(row)?),
        (Dimension::Model, row.try_get::<String>("", "first_model")?),
    ])
}

/// One store's counts over the span, by the store's days.
struct StoreCount<'a> {
    tenant_id: Uuid,
    store_id: Uuid,
    zone: Tz,
    tally: &'a mut Tally,
}

impl StoreCount<'_> {
    fn add(
        &mut self,
        row: &QueryResult,
        dimension: Dimension,
        value: String,
        counts: DayCounts,
    ) -> StoreResult<()> {
        let at: DateTime<Utc> = row.try_get("", "at")?;
        let day = at.with_timezone(&self.zone).date_naive();
        *self
            .tally
            .entry((self.store_id, day, dimension, value))
            .or_default() += counts;
        Ok(())
    }

    async fn count(&mut self, db: &impl ConnectionTrait, span: Span) -> StoreResult<()> {
        let (tenant_id, store_id) = (self.tenant_id, self.store_id);
        for row in rows(db, &visits_query(tenant_id, store_id, span)).await? {
            let kept = row.try_get::<Option<Uuid>>("", "customer_id")?.is_some();
            let funnel = FunnelCounts {
                traffic: 1,
                contacts_kept: u64::from(kept),
                ..Default::default()
            };
            for (dimension, value) in keys(&row)? {
                self.add(
                    &row,
                    dimension,
                    value,
                    DayCounts {
                        funnel,
                        ..Default::default()
                    },
                )?;
            }
        }
        for stage in &LEAD_STAGES {
            let mut funnel = FunnelCounts::default();
            if let Some(counted) = funnel.stage(stage.stage) {
                *counted = 1;
            }
            for row in rows(db, &stage_query(stage, tenant_id, store_id, span)).await? {
                for (dimension, value) in keys(&row)? {
                    self.add(
                        &row,
                        dimension,
                        value,
                        DayCounts {
                            funnel,
                            ..Default::default()
                        },
                    )?;
                }
            }
        }
        for row in rows(db, &follow_ups_query(tenant_id, store_id, span)).await? {
            let on_time = row.try_get::<bool>("", "on_time")?;
            let counts = DayCounts {
                follow_ups: 1,
                on_time: u64::from(on_time),
                ..Default::default()
            };
            self.add(&row, Dimension::Consultant, consultant_key(&row)?, counts)?;
        }
        Ok(())
    }
}

fn signed(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Rows per multi-row insert: well inside both databases' bound-parameter limits.
const INSERT_BATCH: usize = 1_000;

async fn write(db: &impl ConnectionTrait, tenant_id: Uuid, tally: Tally) -> StoreResult<()> {
    let mut models = tally
        .into_iter()
        .map(
            |((store_id, day, dimension, value), counts)| funnel_day::ActiveModel {
                tenant_id: Set(tenant_id),
                breakdown: Set(dimension.as_str().to_owned()),
                day: Set(day),
                store_id: Set(store_id),
                breakdown_value: Set(value),
                traffic: Set(signed(counts.funnel.traffic)),
                contacts_kept: Set(signed(counts.funnel.contacts_kept)),
                test_drives: Set(signed(counts.funnel.test_drives)),
                orders: Set(signed(counts.funnel.orders)),
                deliveries: Set(signed(counts.funnel.deliveries)),
                follow_ups: Set(signed(counts.follow_ups)),
                follow_ups_on_time: Set(signed(counts.on_time)),
            },
        )
        .peekable();
    while models.peek().is_some() {
        let batch: Vec<_> = models.by_ref().take(INSERT_BATCH).collect();
        funnel_day::Entity::insert_many(batch).exec(db).await?;
    }
    Ok(())
}

/// Recounts the store days in which the given instants fall, each from its rows.
pub async fn recount(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    touched: impl IntoIterator<Item = (Uuid, DateTime<Utc>)>,
) -> StoreResult<()> {
    let mut zones: HashMap<Uuid, Tz> = HashMap::new();
    let mut days = BTreeSet::new();
    for (store_id, at) in touched {
        let zone = match zones.get(&store_id) {
            Some(zone) => *zone,
            None => {
                let zone = org::store_zone(txn, tenant_id, Some(store_id)).await;
                *zones.entry(store_id).or_insert(zone)
            }
        };
        days.insert((store_id, at.with_timezone(&zone).date_naive()));
    }
    for (store_id, day) in days {
        let zone = zones
            .get(&store_id)
            .copied()
            .unwrap_or(chrono_tz::Asia::Shanghai);
        lock_day(txn, tenant_id, store_id, day).await?;
        let mut tally = Tally::new();
        let span = (
            day_start(day, zone),
            day_start(day + Duration::days(1), zone),
        );
        StoreCount {
            tenant_id,
            store_id,
            zone,
            tally: &mut tally,
        }
        .count(txn, span)
        .await?;
        funnel_day::Entity::delete_many()
            .filter(funnel_day::Column::TenantId.eq(tenant_id))
            .filter(funnel_day::Column::StoreId.eq(store_id))
            .filter(funnel_day::Column::Day.eq(day))
            .exec(txn)
            .await?;
        write(txn, tenant_id, tally).await?;
    }
    Ok(())
}

/// Takes the store day's lock row (PostgreSQL holds the upserted row until commit).
async fn lock_day(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    day: NaiveDate,
) -> StoreResult<()> {
    let counted = funnel_day_counted::ActiveModel {
        tenant_id: Set(tenant_id),
        store_id: Set(store_id),
        day: Set(day),
        counted_at: Set(Utc::now()),
    };
    let key = [
        funnel_day_counted::Column::TenantId,
        funnel_day_counted::Column::StoreId,
        funnel_day_counted::Column::Day,
    ];
    funnel_day_counted::Entity::insert(counted)
        .on_conflict(
            OnConflict::columns(key)
                .update_column(funnel_day_counted::Column::CountedAt)
                .to_owned(),
        )
        .exec(txn)
        .await?;
    Ok(())
}

/// Whether a lead's change moves where its stage rows are counted.
fn moves_counts(before: &lead::Model, after: &lead::Model) -> bool {
    before.store_id != after.store_id
        || before.source != after.source
        || before.consultant_id != after.consultant_id
        || before.first_model != after.first_model
}

/// The store days to recount after a lead's change: those of its test drives, orders and
/// deliveries, in the old store and the new, if the change moved where they are counted.
pub(crate) async fn days_moved(
    txn: &impl ConnectionTrait,
    before: &lead::Model,
    after: &lead::Model,
) -> StoreResult<Vec<(Uuid, DateTime<Utc>)>> {
    let mut touched = Vec::new();
    if !moves_counts(before, after) {
        return Ok(touched);
    }
    for stage in &LEAD_STAGES {
        let mut query = Query::select();
        query
            .from(Alias::new(stage.table))
            .expr_as(col(stage.table, stage.at), Alias::new("at"))
            .and_where(col(stage.table, "tenant_id").eq(after.tenant_id))
            .and_where(col(stage.table, "lead_id").eq(after.id));
        for row in rows(txn, &query).await? {
            let at: DateTime<Utc> = row.try_get("", "at")?;
            touched.extend([(before.store_id, at), (after.store_id, at)]);
        }
    }
    Ok(touched)
}

/// The earliest and latest instant any of the store's counted rows carries (deliveries, which
/// have no store, the tenant's).
async fn history_span(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Option<Span>> {
    let mut span: Option<Span> = None;
    let tables = [("showroom_visits", "arrived_at"), ("follow_ups", "done_at")]
        .into_iter()
        .chain(LEAD_STAGES.iter().map(|stage| (stage.table, stage.at)));
    for (table, at) in tables {
        let mut query = Query::select();
        query
            .from(Alias::new(table))
            .expr_as(Func::min(col(table, at)), Alias::new("earliest"))
            .expr_as(Func::max(col(table, at)), Alias::new("latest"))
            .and_where(col(table, "tenant_id").eq(tenant_id));
        if table != "deliveries" {
            query.and_where(col(table, "store_id").eq(store_id));
        }
        for row in rows(db, &query).await? {
            let earliest: Option<DateTime<Utc>> = row.try_get("", "earliest")?;
            let latest: Option<DateTime<Utc>> = row.try_get("", "latest")?;
            if let (Some(earliest), Some(latest)) = (earliest, latest) {
                span = Some(match span {
                    Some((from, to)) => (Ord::min(from, earliest), Ord::max(to, latest)),
                    None => (earliest, latest),
                });
            }
        }
    }
    Ok(span)
}

/// How much history one pass of a rebuild reads.
const REBUILD_PASS: Duration = Duration::days(92);

/// Counts the tenant's whole history afresh (after a bulk load, or when the summary is new).
/// Nothing else may write the tenant's sales rows meanwhile.
pub async fn rebuild(db: &impl ConnectionTrait, tenant_id: Uuid) -> StoreResult<()> {
    funnel_day::Entity::delete_many()
        .filter(funnel_day::Column::TenantId.eq(tenant_id))
        .exec(db)
        .await?;
    for store in org::list_stores(db, tenant_id).await? {
        let zone: Tz = store.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        let Some((earliest, latest)) = history_span(db, tenant_id, store.id).await? else {
            continue;
        };
        // From the store day of the first row, so that no day is counted in two passes.
        let mut from = day_start(earliest.with_timezone(&zone).date_naive(), zone);
        while from <= latest {
            let day_after = (from + REBUILD_PASS).with_timezone(&zone).date_naive();
            let to = day_start(day_after, zone);
            let mut tally = Tally::new();
            StoreCount {
                tenant_id,
                store_id: store.id,
                zone,
                tally: &mut tally,
            }
            .count(db, (from, to))
            .await?;
            write(db, tenant_id, tally).await?;
            from = to;
        }
    }
    Ok(())
}

/// [`rebuild`] for every tenant (the migration that introduced the summary).
pub async fn rebuild_all(db: &impl ConnectionTrait) -> StoreResult<()> {
    for tenant in org::entities::tenant::Entity::find().all(db).await? {
        rebuild(db, tenant.id).await?;
    }
    Ok(())
}

/// One breakdown's days of the report summed per value, for the caller's store or the group.
fn summed(
    actor: &Actor,
    dimension: Dimension,
    days: ReportDays,
    columns: &[&'static str],
) -> SelectStatement {
    let t = "sales_funnel_days";
    let mut query = Query::select();
    query
        .from(Alias::new(t))
        .expr_as(col(t, "breakdown_value"), Alias::new("k"))
        .and_where(col(t, "tenant_id").eq(actor.tenant_id))
        .and_where(col(t, "breakdown").eq(dimension.as_str()))
        .and_where(col(t, "day").gte(days.first))
        .and_where(col(t, "day").lte(days.last))
        .group_by_col((Alias::new(t), Alias::new("breakdown_value")));
    if let (DataScope::Store, Some(store_id)) = (actor.scope, actor.store_id) {
        query.and_where(col(t, "store_id").eq(store_id));
    }
    for column in columns {
        // PostgreSQL sums integers as numeric.
        let sum = Func::sum(col(t, column));
        query.expr_as(
            Func::cast_as(sum, Alias::new("BIGINT")),
            Alias::new(*column).into_iden(),
        );
    }
    query
}

fn count(row: &QueryResult, column: &str) -> StoreResult<u64> {
    Ok(u64::try_from(row.try_get::<i64>("", column)?).unwrap_or(0))
}

const FUNNEL_COLUMNS: [&str; 5] = [
    "traffic",
    "contacts_kept",
    "test_drives",
    "orders",
    "deliveries",
];

/// The funnel over the store days per value of the breakdown (empty: not recorded); values
/// with nothing in the funnel (a consultant's follow-ups only) are left out.
pub(crate) async fn funnel(
    db: &impl ConnectionTrait,
    actor: &Actor,
    dimension: Dimension,
    days: ReportDays,
) -> StoreResult<BTreeMap<String, FunnelCounts>> {
    let mut result = BTreeMap::new();
    for row in rows(db, &summed(actor, dimension, days, &FUNNEL_COLUMNS)).await? {
        let mut counts = FunnelCounts::default();
        for column in FUNNEL_COLUMNS {
            if let Some(counted) = counts.stage(column) {
                *counted = count(&row, column)?;
            }
        }
        if counts != FunnelCounts::default() {
            result.insert(row.try_get::<String>("", "k")?, counts);
        }
    }
    Ok(result)
}

/// Follow-ups done over the store days per consultant: (done, on time).
pub(crate) async fn follow_up_discipline(
    db: &impl ConnectionTrait,
    actor: &Actor,
    days: ReportDays,
) -> StoreResult<BTreeMap<Uuid, (u64, u64)>> {
    let columns = ["follow_ups", "follow_ups_on_time"];
    let mut result = BTreeMap::new();
    for row in rows(db, &summed(actor, Dimension::Consultant, days, &columns)).await? {
        let done = count(&row, "follow_ups")?;
        let consultant = Uuid::parse_str(&row.try_get::<String>("", "k")?);
        if let (true, Ok(consultant)) = (done > 0, consultant) {
            result.insert(consultant, (done, count(&row, "follow_ups_on_time")?));
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_day_starts_at_its_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
        let start = day_start(day, chrono_tz::Asia::Shanghai);
        assert_eq!(start.to_rfc3339(), "2026-12-01T16:00:00+00:00");
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_an_hour_later() {
        // Santiago's clocks went from 00:00 to 01:00 on 2026-09-06.
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap_or_default();
        let start = day_start(day, chrono_tz::America::Santiago);
        assert_eq!(start.to_rfc3339(), "2026-09-06T04:00:00+00:00");
    }

    #[test]
    fn only_a_move_of_store_or_key_recounts_a_leads_days() {
        let before = lead::Model {
            tenant_id: Uuid::nil(),
            id: Uuid::nil(),
            store_id: Uuid::nil(),
            customer_id: Uuid::nil(),
            consultant_id: Uuid::nil(),
            source: "walk_in".into(),
            info_source: None,
            models_of_interest: "途观L".into(),
            first_model: "途观L".into(),
            budget_min_fen: None,
            budget_max_fen: None,
            buys_within_days: None,
            grade: "C".into(),
            grade_judged: false,
            competitor_models: None,
            current_car: None,
            trade_in_model: None,
            trade_in_year: None,
            trade_in_mileage_km: None,
            trade_in_offer_fen: None,
            finance_interest: false,
            step: "first_contact".into(),
            standing: "active".into(),
            next_follow_up_on: None,
            last_contact_at: None,
            defeat_reason: None,
            defeat_brand: None,
            defeat_model: None,
            defeat_note: None,
            closed_at: None,
            created_by: Uuid::nil(),
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        };
        let regraded = lead::Model {
            grade: "H".into(),
            ..before.clone()
        };
        let reassigned = lead::Model {
            consultant_id: Uuid::max(),
            ..before.clone()
        };
        let other_model = lead::Model {
            first_model: "帕萨特".into(),
            ..before.clone()
        };
        assert!(!moves_counts(&before, &regraded));
        assert!(moves_counts(&before, &reassigned));
        assert!(moves_counts(&before, &other_model));
    }
}
