//! The workshop's KPIs for a period: repair orders (台次), revenue per order (客单价), hours sold,
//! effective labour rate, technician efficiency and productivity, on-time delivery, show rate,
//! comeback and first-time-fix rates, warranty share; per advisor, technician or store. The
//! arithmetic is `fours_domain::service::quality`; this module counts.
//!
//! Counted: orders closed in the period; their approved jobs' standard and clocked minutes;
//! appointments of the period's days that arrived or did not show. A technician's available
//! time is the store's opening hours on every day of the period (no rota or holidays are
//! recorded yet), so productivity reads "of the hours the workshop was open".

use std::collections::BTreeMap;

use chrono::Utc;
use fours_domain::service::AppointmentStatus;
use fours_domain::service::order::{Approval, Status};
use fours_domain::service::quality::WorkshopCounts;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entities::{appointment, repair_job, repair_order, repair_part};
use super::{in_scope, orders, setup};
use crate::error::StoreResult;
use crate::org::Actor;
use crate::sales::reports::Period;

/// How the figures are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiBy {
    Advisor,
    Technician,
    /// The team the order was dispatched to.
    Team,
    Store,
}

impl KpiBy {
    pub fn parse(text: &str) -> Option<KpiBy> {
        match text {
            "advisor" => Some(KpiBy::Advisor),
            "technician" => Some(KpiBy::Technician),
            "team" => Some(KpiBy::Team),
            "store" => Some(KpiBy::Store),
            _ => None,
        }
    }
}

/// Counts per key (the advisor's, technician's or store's id, or the team's name), and the
/// warranty value beside them.
#[derive(Debug, Default)]
pub struct KpiCounts {
    pub rows: BTreeMap<String, (WorkshopCounts, i64)>,
}

impl KpiCounts {
    fn at(&mut self, key: impl ToString) -> &mut (WorkshopCounts, i64) {
        self.rows.entry(key.to_string()).or_default()
    }
}

async fn closed_orders(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
) -> StoreResult<Vec<repair_order::Model>> {
    Ok(repair_order::Entity::find()
        .filter(in_scope(
            actor,
            repair_order::Column::TenantId,
            repair_order::Column::StoreId,
        ))
        .filter(repair_order::Column::Status.eq(Status::Closed.as_str()))
        .filter(repair_order::Column::ClosedAt.gte(period.from))
        .filter(repair_order::Column::ClosedAt.lt(period.to))
        .all(db)
        .await?)
}

pub async fn kpis(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    by: KpiBy,
) -> StoreResult<KpiCounts> {
    let closed = closed_orders(db, actor, period).await?;
    let ids: Vec<Uuid> = closed.iter().map(|o| o.id).collect();
    let (jobs, parts, returned_to) = if ids.is_empty() {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        let tenant = actor.tenant_id;
        let jobs = repair_job::Entity::find()
            .filter(repair_job::Column::TenantId.eq(tenant))
            .filter(repair_job::Column::OrderId.is_in(ids.clone()))
            .all(db)
            .await?;
        let parts = repair_part::Entity::find()
            .filter(repair_part::Column::TenantId.eq(tenant))
            .filter(repair_part::Column::OrderId.is_in(ids.clone()))
            .all(db)
            .await?;
        // Orders a later visit came back to.
        let returned_to: Vec<Uuid> = repair_order::Entity::find()
            .filter(repair_order::Column::TenantId.eq(tenant))
            .filter(repair_order::Column::ComebackOf.is_in(ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|o| o.comeback_of)
            .collect();
        (jobs, parts, returned_to)
    };
    let mut counts = KpiCounts::default();
    for order in &closed {
        let mine: Vec<repair_job::Model> = jobs
            .iter()
            .filter(|j| j.order_id == order.id && j.approval == Approval::Approved.as_str())
            .cloned()
            .collect();
        let my_parts: Vec<repair_part::Model> = parts
            .iter()
            .filter(|p| p.order_id == order.id)
            .cloned()
            .collect();
        let figures = orders::settle_sheet(&orders::sheet(order, &mine, &my_parts, &[]))?;
        let keys: Vec<Option<Uuid>> = match by {
            KpiBy::Advisor => vec![Some(order.advisor_id)],
            KpiBy::Store => vec![Some(order.store_id)],
            KpiBy::Team => vec![None],
            KpiBy::Technician => {
                let mut people: Vec<Uuid> = mine.iter().filter_map(|j| j.technician_id).collect();
                people.sort();
                people.dedup();
                people.into_iter().map(Some).collect()
            }
        };
        for key in keys {
            let counted =
                |job: &&repair_job::Model| by != KpiBy::Technician || job.technician_id == key;
            let key = match key {
                Some(id) => id.to_string(),
                None => order.team.clone().unwrap_or_default(),
            };
            let entry = counts.at(key);
            let row = &mut entry.0;
            row.repair_orders += 1;
            if returned_to.contains(&order.id) {
                row.comebacks += 1;
            }
            row.revenue_fen += figures.customer_total_fen
                + figures.warranty.total_fen()
                + figures.insurance.total_fen();
            row.labour_revenue_fen += mine
                .iter()
                .filter(counted)
                .map(|j| j.labour_fen)
                .sum::<i64>();
            row.billed_minutes += mine
                .iter()
                .filter(counted)
                .map(|j| u64::try_from(j.standard_minutes).unwrap_or(0))
                .sum::<u64>();
            row.clocked_minutes += mine
                .iter()
                .filter(counted)
                .map(|j| u64::try_from(j.clocked_minutes).unwrap_or(0))
                .sum::<u64>();
            if let Some(ready) = order.ready_at {
                row.record_delivery(order.promised_at.naive_utc(), ready.naive_utc());
            }
            entry.1 += figures.warranty.total_fen();
        }
    }
    count_appointments(db, actor, period, by, &mut counts).await?;
    if by != KpiBy::Advisor {
        count_available_time(db, actor, period, by, &mut counts).await?;
    }
    Ok(counts)
}

/// Appointments of the period's days that ran their course (arrived or no-show).
async fn count_appointments(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    by: KpiBy,
    counts: &mut KpiCounts,
) -> StoreResult<()> {
    let zone = crate::org::store_zone(db, actor.tenant_id, actor.store_id).await;
    let from = period.from.with_timezone(&zone).date_naive();
    let to = period.to.with_timezone(&zone).date_naive();
    let due = [
        AppointmentStatus::Arrived.as_str(),
        AppointmentStatus::NoShow.as_str(),
    ];
    let found = appointment::Entity::find()
        .filter(in_scope(
            actor,
            appointment::Column::TenantId,
            appointment::Column::StoreId,
        ))
        .filter(appointment::Column::ServiceDay.gte(from))
        .filter(appointment::Column::ServiceDay.lt(to))
        .filter(appointment::Column::Status.is_in(due))
        .all(db)
        .await?;
    for booked in found {
        let key = match (by, booked.technician_id) {
            (KpiBy::Advisor, _) => booked.advisor_id,
            (KpiBy::Store, _) => booked.store_id,
            (KpiBy::Technician, Some(technician)) => technician,
            // Bookings name no team, and often no technician.
            _ => continue,
        };
        if let Some(status) = AppointmentStatus::parse(&booked.status) {
            counts.at(key).0.record_appointment(status);
        }
    }
    Ok(())
}

/// Opening hours on every day of the period, per technician (or summed per store).
async fn count_available_time(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    by: KpiBy,
    counts: &mut KpiCounts,
) -> StoreResult<()> {
    let days =
        u64::try_from((period.to.min(Utc::now()) - period.from).num_days().max(1)).unwrap_or(1);
    let stores: Vec<Uuid> = match (by, actor.store_id) {
        (_, Some(store)) if actor.scope != fours_domain::access::DataScope::Group => vec![store],
        _ => crate::org::list_stores(db, actor.tenant_id)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect(),
    };
    for store in stores {
        let open = u64::from(
            setup::policy(db, actor.tenant_id, store)
                .await?
                .open_minutes(),
        );
        for technician in super::staff::technicians(db, actor.tenant_id, store).await? {
            let key = match by {
                KpiBy::Store => store.to_string(),
                KpiBy::Team => technician.team,
                _ => technician.user_id.to_string(),
            };
            // Only the people and teams that worked in the period get a row.
            if by != KpiBy::Store && !counts.rows.contains_key(&key) {
                continue;
            }
            counts.at(key).0.available_minutes += open * days;
        }
    }
    Ok(())
}

/// A store's cars received per hour of the day (its time), averaged over the days of `period`: the
/// arrival rates the reception queue is planned from.
pub async fn arrivals_per_hour(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    period: Period,
) -> StoreResult<[f64; 24]> {
    use chrono::Timelike;
    let zone = crate::org::store_zone(db, tenant_id, Some(store_id)).await;
    let received = repair_order::Entity::find()
        .filter(repair_order::Column::TenantId.eq(tenant_id))
        .filter(repair_order::Column::StoreId.eq(store_id))
        .filter(repair_order::Column::ReceivedAt.gte(period.from))
        .filter(repair_order::Column::ReceivedAt.lt(period.to))
        .all(db)
        .await?;
    let days = (period.to - period.from).num_days().max(1) as f64;
    let mut per_hour = [0.0; 24];
    for order in received {
        let hour = order.received_at.with_timezone(&zone).hour() as usize;
        per_hour[hour] += 1.0 / days;
    }
    Ok(per_hour)
}
