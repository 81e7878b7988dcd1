//! The care report: follow-up coverage after delivery (7 days, brand target 100%) and after
//! service (3 days), tasks done on time per person, and message delivery by channel.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::entities::{care_task, outbox_message};
use super::tasks::{CANCELLED, DONE, MESSAGED, OPEN, UNREACHED};
use crate::error::StoreResult;
use crate::org::{self, Actor};
use crate::sales::entities::domain_event;
use crate::sales::reports::Period;

/// How many of a period's events were followed up in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    /// Events whose window has ended, or that were covered already.
    pub due: u64,
    /// Of those, the customer reached by phone within the window.
    pub covered: u64,
    /// Events still inside their window and not yet covered.
    pub in_progress: u64,
    /// covered ÷ due in per mille (1000 = 100%); absent when nothing was due.
    pub rate_permille: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonTasks {
    pub user_id: Option<Uuid>,
    pub name: String,
    /// Tasks due in the period.
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub unreached: u64,
    /// Still open and past due.
    pub overdue: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChannelDelivery {
    pub channel: String,
    pub sent: u64,
    pub failed: u64,
    pub pending: u64,
    pub suppressed: u64,
    /// sent ÷ (sent + failed) in per mille.
    pub delivery_permille: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CareReport {
    pub after_delivery_7_days: Coverage,
    pub after_service_3_days: Coverage,
    pub people: Vec<PersonTasks>,
    pub messages: Vec<ChannelDelivery>,
}

fn permille(part: u64, whole: u64) -> Option<u64> {
    (whole > 0).then(|| (part * 1000 + whole / 2) / whole)
}

pub async fn care_report(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    now: DateTime<Utc>,
) -> StoreResult<CareReport> {
    Ok(CareReport {
        after_delivery_7_days: coverage(db, actor, period, "vehicle_delivered", 7, now).await?,
        after_service_3_days: coverage(db, actor, period, "repair_order_closed", 3, now).await?,
        people: people(db, actor, period, now).await?,
        messages: messages(db, actor, period).await?,
    })
}

/// Events of `kind` in the period, and whether a phone task they made reached the customer
/// within `days`.
async fn coverage(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    kind: &str,
    days: i64,
    now: DateTime<Utc>,
) -> StoreResult<Coverage> {
    let events: Vec<(Uuid, DateTime<Utc>)> = domain_event::Entity::find()
        .select_only()
        .columns([domain_event::Column::Id, domain_event::Column::OccurredAt])
        .filter(crate::service::in_scope(
            actor,
            domain_event::Column::TenantId,
            domain_event::Column::StoreId,
        ))
        .filter(domain_event::Column::Kind.eq(kind))
        .filter(domain_event::Column::OccurredAt.gte(period.from))
        .filter(domain_event::Column::OccurredAt.lt(period.to))
        .into_tuple()
        .all(db)
        .await?;
    let mut reached: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    for chunk in events.chunks(500) {
        let subjects: Vec<String> = chunk.iter().map(|(id, _)| id.to_string()).collect();
        let done: Vec<(String, Option<DateTime<Utc>>)> = care_task::Entity::find()
            .select_only()
            .columns([care_task::Column::Subject, care_task::Column::ClosedAt])
            .filter(care_task::Column::TenantId.eq(actor.tenant_id))
            .filter(care_task::Column::Subject.is_in(subjects))
            .filter(care_task::Column::Channel.eq("phone"))
            .filter(care_task::Column::Status.eq(DONE))
            .filter(care_task::Column::Outcome.eq("reached"))
            .into_tuple()
            .all(db)
            .await?;
        for (subject, closed_at) in done {
            let Some(closed_at) = closed_at else { continue };
            let first = reached.entry(subject).or_insert(closed_at);
            *first = (*first).min(closed_at);
        }
    }
    let mut figures = Coverage::default();
    for (id, at) in events {
        let window_end = at + Duration::days(days);
        match reached.get(&id.to_string()) {
            Some(closed) if *closed <= window_end => {
                figures.due += 1;
                figures.covered += 1;
            }
            _ if window_end > now => figures.in_progress += 1,
            _ => figures.due += 1,
        }
    }
    figures.rate_permille = permille(figures.covered, figures.due);
    Ok(figures)
}

/// A task as the per-person figures read it: assignee, status, due and closed times.
type TaskTimes = (Option<Uuid>, String, DateTime<Utc>, Option<DateTime<Utc>>);

async fn people(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    now: DateTime<Utc>,
) -> StoreResult<Vec<PersonTasks>> {
    let tasks: Vec<TaskTimes> = care_task::Entity::find()
        .select_only()
        .columns([
            care_task::Column::AssigneeId,
            care_task::Column::Status,
            care_task::Column::DueAt,
            care_task::Column::ClosedAt,
        ])
        .filter(crate::service::in_scope(
            actor,
            care_task::Column::TenantId,
            care_task::Column::StoreId,
        ))
        .filter(care_task::Column::Status.is_not_in([MESSAGED, CANCELLED]))
        .filter(care_task::Column::DueAt.gte(period.from))
        .filter(care_task::Column::DueAt.lt(period.to))
        .into_tuple()
        .all(db)
        .await?;
    let users = org::list_users(db, actor.tenant_id).await?;
    let mut by_person: BTreeMap<Option<Uuid>, PersonTasks> = BTreeMap::new();
    for (assignee, status, due_at, closed_at) in tasks {
        let person = by_person.entry(assignee).or_insert_with(|| PersonTasks {
            user_id: assignee,
            name: assignee
                .and_then(|id| users.iter().find(|u| u.id == id))
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
            ..Default::default()
        });
        person.due += 1;
        match status.as_str() {
            DONE if closed_at.is_some_and(|c| c <= due_at) => person.on_time += 1,
            DONE => person.late += 1,
            UNREACHED => person.unreached += 1,
            OPEN if due_at < now => person.overdue += 1,
            _ => {}
        }
    }
    Ok(by_person.into_values().collect())
}

async fn messages(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
) -> StoreResult<Vec<ChannelDelivery>> {
    let counted: Vec<(String, String, i64)> = outbox_message::Entity::find()
        .select_only()
        .column(outbox_message::Column::Channel)
        .column(outbox_message::Column::Status)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(crate::service::in_scope(
            actor,
            outbox_message::Column::TenantId,
            outbox_message::Column::StoreId,
        ))
        .filter(outbox_message::Column::CreatedAt.gte(period.from))
        .filter(outbox_message::Column::CreatedAt.lt(period.to))
        .group_by(outbox_message::Column::Channel)
        .group_by(outbox_message::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_channel: BTreeMap<String, ChannelDelivery> = BTreeMap::new();
    for (channel, status, n) in counted {
        let row = by_channel
            .entry(channel.clone())
            .or_insert_with(|| ChannelDelivery {
                channel,
                ..Default::default()
            });
        let n = n.max(0).unsigned_abs();
        match status.as_str() {
            super::outbox::SENT => row.sent += n,
            super::outbox::FAILED => row.failed += n,
            super::outbox::SUPPRESSED => row.suppressed += n,
            _ => row.pending += n,
        }
    }
    Ok(by_channel
        .into_values()
        .map(|mut row| {
            row.delivery_permille = permille(row.sent, row.sent + row.failed);
            row
        })
        .collect())
}
