//! Complaints (投诉): taken from any channel (call, visit, survey, online, the maker's hotline)
//! with the customer's words and what they are about; an owner and two deadlines from the
//! severity; the owner's steps (respond, analyse with the five gaps, resolve, close on the
//! customer's confirmation, reopen); escalation when a deadline passes; and the KPIs (two-week
//! close rate, response and resolution times, recovery). Every change is one transaction with
//! its history row, audit row and an event on the customer's timeline.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use fours_domain::access::{DataScope, Permission, Role};
use fours_domain::care::complaint::{
    self as rules, Category, Channel, Gap, Severity, Status, Step,
};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::feedback::{complaint, complaint_history};
use crate::Database;
use crate::audit::entities::audit_event;
use crate::customers::Event;
use crate::customers::entities::{customer, timeline_event};
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::entities::user;
use crate::org::{self, Actor};
use crate::sales::entities::showroom_visit;
use crate::sales::text;
use crate::service::entities::repair_order;
use crate::service::in_scope;

/// The longest words of a complaint kept (characters).
pub const MAX_WORDS: usize = 4000;

/// Complaints the actor may see: their tenant and store; a consultant (own scope) those they
/// own or about their own customers.
pub(crate) fn visible(actor: &Actor) -> Condition {
    let base = in_scope(
        actor,
        complaint::Column::TenantId,
        complaint::Column::StoreId,
    );
    if actor.scope != DataScope::Own {
        return base;
    }
    let own_customers = Query::select()
        .column(customer::Column::Id)
        .from(customer::Entity)
        .and_where(customer::Column::TenantId.eq(actor.tenant_id))
        .and_where(customer::Column::OwnerId.eq(actor.user_id))
        .to_owned();
    base.add(
        Condition::any()
            .add(complaint::Column::OwnerId.eq(actor.user_id))
            .add(complaint::Column::CustomerId.in_subquery(own_customers)),
    )
}

/// An event on the customer's timeline, by a user or (links, the scheduler) by nobody.
pub(crate) async fn timeline(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    actor: Option<&Actor>,
    event: Event,
) -> StoreResult<()> {
    match actor {
        Some(actor) => crate::customers::add_event(txn, actor, event).await,
        None => {
            timeline_event::ActiveModel {
                tenant_id: Set(tenant_id),
                id: Set(Uuid::now_v7()),
                customer_id: Set(event.customer_id),
                vehicle_id: Set(event.vehicle_id),
                at: Set(Utc::now()),
                kind: Set(event.kind.to_owned()),
                summary: Set(event.summary),
                actor_id: Set(None),
                data: Set(event.data),
            }
            .insert(txn)
            .await?;
            Ok(())
        }
    }
}

/// The audit row of a change, by a user or by nobody.
pub(crate) async fn audit<T: Serialize>(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    id: Uuid,
    after: &T,
) -> StoreResult<()> {
    audit_event::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_id: Set(actor.map(|a| a.user_id)),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(Some(id)),
        before: Set(None),
        after: Set(serde_json::to_value(after).ok()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Who handles a store's complaints when nobody is named: its customer-care user, else its
/// store manager (the first active one of each).
pub(crate) async fn default_owner(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Option<Uuid>> {
    for role in [Role::CustomerCare, Role::StoreManager] {
        let found = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::StoreId.eq(store_id))
            .filter(user::Column::Role.eq(role.as_str()))
            .filter(user::Column::Active.eq(true))
            .order_by_asc(user::Column::Id)
            .one(db)
            .await?;
        if let Some(found) = found {
            return Ok(Some(found.id));
        }
    }
    Ok(None)
}

/// An owner must be an active user of the store (or of the group, without a store) whose
/// role runs complaints.
async fn check_owner(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    owner_id: Uuid,
) -> StoreResult<()> {
    match org::find_user(db, tenant_id, owner_id).await {
        Ok(found)
            if found.active
                && found.store_id.is_none_or(|s| s == store_id)
                && Role::parse(&found.role).is_some_and(|r| r.allows(Permission::CareManage)) =>
        {
            Ok(())
        }
        _ => Err(StoreError::invalid("owner_id", "reference.not_found")),
    }
}

/// A complaint to open, from intake or from a low survey answer.
pub(crate) struct NewComplaint {
    pub store_id: Uuid,
    pub customer_id: Uuid,
    pub vehicle_id: Option<Uuid>,
    pub sales_order_id: Option<Uuid>,
    pub repair_order_id: Option<Uuid>,
    pub survey_response_id: Option<Uuid>,
    pub channel: Channel,
    pub category: Category,
    pub severity: Severity,
    pub words: String,
    pub owner_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Opens a complaint in the caller's transaction: its number, deadlines, history, audit and
/// timeline.
pub(crate) async fn open_in(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    actor: Option<&Actor>,
    new: NewComplaint,
) -> StoreResult<complaint::Model> {
    let number =
        crate::parts::store_number(txn, tenant_id, new.store_id, "complaint", "CP").await?;
    let (respond_by, resolve_by) = rules::deadlines(new.severity, new.at);
    let created = complaint::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(new.store_id),
        number: Set(number),
        customer_id: Set(new.customer_id),
        vehicle_id: Set(new.vehicle_id),
        sales_order_id: Set(new.sales_order_id),
        repair_order_id: Set(new.repair_order_id),
        survey_response_id: Set(new.survey_response_id),
        channel: Set(new.channel.as_str().to_owned()),
        category: Set(new.category.as_str().to_owned()),
        severity: Set(new.severity.as_str().to_owned()),
        words: Set(new.words),
        owner_id: Set(new.owner_id),
        status: Set(Status::Open.as_str().to_owned()),
        gaps: Set(json!([])),
        cause: Set(None),
        actions: Set(None),
        resolution: Set(None),
        customer_confirmed: Set(false),
        reopened: Set(0),
        respond_by: Set(respond_by),
        resolve_by: Set(resolve_by),
        opened_at: Set(new.at),
        responded_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        escalated_at: Set(None),
    }
    .insert(txn)
    .await?;
    history(txn, actor, &created, "new", None).await?;
    audit(
        txn,
        tenant_id,
        actor,
        "create",
        "complaint",
        created.id,
        &created,
    )
    .await?;
    timeline(
        txn,
        tenant_id,
        actor,
        Event {
            customer_id: Some(created.customer_id),
            vehicle_id: created.vehicle_id,
            kind: "complaint_opened",
            summary: format!("{} {}", created.number, short(&created.words)),
            data: Some(json!({"complaint_id": created.id, "number": created.number, "channel": created.channel,
               "category": created.category, "severity": created.severity})),
        },
    )
    .await?;
    Ok(created)
}

fn short(words: &str) -> String {
    let mut cut: String = words.chars().take(60).collect();
    if words.chars().count() > 60 {
        cut.push('…');
    }
    cut
}

async fn history(
    txn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    complaint: &complaint::Model,
    from: &str,
    note: Option<String>,
) -> StoreResult<()> {
    complaint_history::ActiveModel {
        tenant_id: Set(complaint.tenant_id),
        id: Set(Uuid::now_v7()),
        complaint_id: Set(complaint.id),
        from_status: Set(from.to_owned()),
        to_status: Set(complaint.status.clone()),
        by_id: Set(actor.map(|a| a.user_id)),
        at: Set(Utc::now()),
        note: Set(note),
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    pub customer_id: Option<Uuid>,
    pub vehicle_id: Option<Uuid>,
    pub sales_order_id: Option<Uuid>,
    pub repair_order_id: Option<Uuid>,
    /// `call`, `visit`, `survey`, `online`, `oem_hotline`
    pub channel: String,
    /// `sales`, `delivery`, `repair_quality`, `waiting_time`, `price`, `parts`,
    /// `staff_attitude`, `facilities`, `product`, `other`
    pub category: String,
    /// `low`, `medium` (the default), `high`, `critical`
    pub severity: Option<String>,
    /// The customer's own words.
    pub words: String,
    /// Who handles it: by default the caller when they work in customer care, else the
    /// store's customer-care user or store manager.
    pub owner_id: Option<Uuid>,
    /// For group users: the store it is against (default the customer's).
    pub store_id: Option<Uuid>,
}

fn vocabulary<T>(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let found = parse(value.trim());
    if found.is_none() {
        errors.push(FieldError {
            field,
            code: if value.trim().is_empty() {
                "required"
            } else {
                "choice.invalid"
            },
        });
    }
    found
}

/// A record a complaint or survey names (`field`), as found in the actor's scope: it must be
/// there and belong to the customer.
fn customers_own<T>(
    found: StoreResult<T>,
    field: &'static str,
    customer_id: Uuid,
    customer_of: impl Fn(&T) -> Uuid,
) -> StoreResult<T> {
    let found = found.map_err(|_| StoreError::invalid(field, "reference.not_found"))?;
    if customer_of(&found) != customer_id {
        return Err(StoreError::invalid(field, "feedback.not_customers"));
    }
    Ok(found)
}

/// The car a complaint or survey names, if any: it must be the customer's.
pub(super) async fn check_vehicle(
    db: &impl ConnectionTrait,
    actor: &Actor,
    vehicle_id: Option<Uuid>,
    customer_id: Uuid,
) -> StoreResult<()> {
    if let Some(vehicle_id) = vehicle_id {
        let car = crate::vehicles::get(db, actor, vehicle_id)
            .await
            .map_err(|_| StoreError::invalid("vehicle_id", "reference.not_found"))?;
        if car.owner_id != Some(customer_id) {
            return Err(StoreError::invalid("vehicle_id", "feedback.not_customers"));
        }
    }
    Ok(())
}

/// Takes a complaint (CareWork).
pub async fn intake(
    db: &Database,
    actor: &Actor,
    input: &ComplaintInput,
) -> StoreResult<complaint::Model> {
    let mut errors = Vec::new();
    let channel = vocabulary(&mut errors, "channel", &input.channel, Channel::parse);
    let category = vocabulary(&mut errors, "category", &input.category, Category::parse);
    let severity = match input.severity.as_deref().map(str::trim) {
        None | Some("") => Some(Severity::Medium),
        Some(raw) => vocabulary(&mut errors, "severity", raw, Severity::parse),
    };
    let words = text(&Some(input.words.clone()));
    match &words {
        None => errors.push(FieldError {
            field: "words",
            code: "required",
        }),
        Some(w) if w.chars().count() > MAX_WORDS => errors.push(FieldError {
            field: "words",
            code: "text.too_long",
        }),
        _ => {}
    }
    if input.customer_id.is_none() {
        errors.push(FieldError {
            field: "customer_id",
            code: "required",
        });
    }
    let (Some(channel), Some(category), Some(severity), Some(words), Some(customer_id)) =
        (channel, category, severity, words, input.customer_id)
    else {
        return Err(StoreError::Invalid(errors));
    };
    let conn = &db.conn;
    let customer = crate::customers::get(conn, actor, customer_id)
        .await
        .map_err(|_| StoreError::invalid("customer_id", "reference.not_found"))?;
    check_vehicle(conn, actor, input.vehicle_id, customer.id).await?;
    let repair = match input.repair_order_id {
        Some(id) => Some(customers_own(
            crate::service::orders::get(conn, actor, id).await,
            "repair_order_id",
            customer.id,
            |order| order.customer_id,
        )?),
        None => None,
    };
    let sale = match input.sales_order_id {
        Some(id) => Some(customers_own(
            crate::sales::orders::order(conn, actor, id).await,
            "sales_order_id",
            customer.id,
            |order| order.customer_id,
        )?),
        None => None,
    };
    let store_id = match (&repair, &sale) {
        (Some(order), _) => order.store_id,
        (None, Some(order)) => order.store_id,
        (None, None) => crate::sales::store_of(
            actor,
            input
                .store_id
                .or(actor.store_id)
                .or(Some(customer.store_id)),
        )?,
    };
    org::find_store(conn, actor.tenant_id, store_id)
        .await
        .map_err(|_| StoreError::invalid("store_id", "reference.not_found"))?;
    let owner_id = match input.owner_id {
        Some(owner) => {
            check_owner(conn, actor.tenant_id, store_id, owner).await?;
            Some(owner)
        }
        None if actor.role == Role::CustomerCare => Some(actor.user_id),
        None => default_owner(conn, actor.tenant_id, store_id).await?,
    };
    let txn = crate::db::begin_write(conn).await?;
    let created = open_in(
        &txn,
        actor.tenant_id,
        Some(actor),
        NewComplaint {
            store_id,
            customer_id: customer.id,
            vehicle_id: input.vehicle_id.or(repair.as_ref().map(|o| o.vehicle_id)),
            sales_order_id: input.sales_order_id,
            repair_order_id: input.repair_order_id,
            survey_response_id: None,
            channel,
            category,
            severity,
            words,
            owner_id,
            at: Utc::now(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<complaint::Model> {
    complaint::Entity::find()
        .filter(visible(actor))
        .filter(complaint::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The complaint, held until the transaction ends (PostgreSQL; SQLite's writer is alone).
async fn locked(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<complaint::Model> {
    complaint::Entity::find()
        .filter(visible(actor))
        .filter(complaint::Column::Id.eq(id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)
}

fn status_of(complaint: &complaint::Model) -> StoreResult<Status> {
    Status::parse(&complaint.status).ok_or(StoreError::Conflict("unknown complaint status"))
}

fn severity_of(complaint: &complaint::Model) -> Severity {
    Severity::parse(&complaint.severity).unwrap_or(Severity::Medium)
}

/// The gaps a complaint's analysis found.
pub fn gaps_of(complaint: &complaint::Model) -> Vec<Gap> {
    complaint
        .gaps
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_str().and_then(Gap::parse))
        .collect()
}

/// A step of the owner.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `respond`, `analyse`, `resolve`, `close`, `reopen`
    pub step: String,
    /// What was said to the customer (respond), or why it is reopened.
    pub note: Option<String>,
    /// analyse: the gaps found (`knowledge`, `standards`, `delivery`, `communication`,
    /// `perception`), at least one.
    pub gaps: Option<Vec<String>>,
    /// analyse: the cause (required).
    pub cause: Option<String>,
    /// analyse: what will be done.
    pub actions: Option<String>,
    /// resolve: what was done for the customer (required).
    pub resolution: Option<String>,
    /// close: the customer confirmed it is settled (must be true).
    pub customer_confirmed: Option<bool>,
}

fn long_text(field: &'static str, value: &Option<String>) -> StoreResult<Option<String>> {
    let value = text(value);
    if value
        .as_ref()
        .is_some_and(|v| v.chars().count() > MAX_WORDS)
    {
        return Err(StoreError::invalid(field, "text.too_long"));
    }
    Ok(value)
}

/// Moves a complaint on by one step (CareManage).
pub async fn step(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &StepInput,
) -> StoreResult<complaint::Model> {
    let step = Step::parse(input.step.trim()).ok_or_else(|| {
        StoreError::invalid(
            "step",
            if input.step.trim().is_empty() {
                "required"
            } else {
                "choice.invalid"
            },
        )
    })?;
    let note = long_text("note", &input.note)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = locked(&txn, actor, id).await?;
    let from = status_of(&current)?;
    let next = from
        .after(step)
        .map_err(|invalid| StoreError::invalid("step", invalid.0))?;
    let now = Utc::now();
    let mut model: complaint::ActiveModel = current.clone().into();
    model.status = Set(next.as_str().to_owned());
    match step {
        Step::Respond => {
            model.responded_at = Set(Some(now));
        }
        Step::Analyse => {
            let mut gaps = Vec::new();
            for raw in input.gaps.iter().flatten() {
                let gap = Gap::parse(raw.trim())
                    .ok_or_else(|| StoreError::invalid("gaps", "choice.invalid"))?;
                if !gaps.contains(&gap) {
                    gaps.push(gap);
                }
            }
            let cause = long_text("cause", &input.cause)?;
            rules::check_analysis(&gaps, cause.as_deref())
                .map_err(|(field, invalid)| StoreError::invalid(field, invalid.0))?;
            model.gaps = Set(json!(gaps.iter().map(|g| g.as_str()).collect::<Vec<_>>()));
            model.cause = Set(cause);
            model.actions = Set(long_text("actions", &input.actions)?);
        }
        Step::Resolve => {
            let resolution = long_text("resolution", &input.resolution)?
                .ok_or_else(|| StoreError::invalid("resolution", "required"))?;
            model.resolution = Set(Some(resolution));
            model.resolved_at = Set(Some(now));
        }
        Step::Close => {
            if input.customer_confirmed != Some(true) {
                return Err(StoreError::invalid(
                    "customer_confirmed",
                    "complaint.not_confirmed",
                ));
            }
            model.customer_confirmed = Set(true);
            model.closed_at = Set(Some(now));
        }
        Step::Reopen => {
            // Not settled after all: it is owed a response again, on fresh deadlines.
            let (respond_by, resolve_by) = rules::deadlines(severity_of(&current), now);
            model.reopened = Set(current.reopened + 1);
            model.customer_confirmed = Set(false);
            model.responded_at = Set(None);
            model.resolved_at = Set(None);
            model.closed_at = Set(None);
            model.escalated_at = Set(None);
            model.respond_by = Set(respond_by);
            model.resolve_by = Set(resolve_by);
        }
    }
    let moved = model.update(&txn).await?;
    let note = note.or_else(|| match step {
        Step::Analyse => moved.cause.clone(),
        Step::Resolve => moved.resolution.clone(),
        _ => None,
    });
    history(&txn, Some(actor), &moved, from.as_str(), note).await?;
    audit(
        &txn,
        actor.tenant_id,
        Some(actor),
        "update",
        "complaint",
        moved.id,
        &moved,
    )
    .await?;
    let (kind, said) = match step {
        Step::Respond => ("complaint_responded", "已回复客户"),
        Step::Analyse => ("complaint_analysed", "原因已分析"),
        Step::Resolve => ("complaint_resolved", "已处理"),
        Step::Close => ("complaint_closed", "客户确认，已结案"),
        Step::Reopen => ("complaint_reopened", "重新打开"),
    };
    timeline(
        &txn,
        actor.tenant_id,
        Some(actor),
        Event {
            customer_id: Some(moved.customer_id),
            vehicle_id: moved.vehicle_id,
            kind,
            summary: format!("{} {said}", moved.number),
            data: Some(json!({"complaint_id": moved.id, "number": moved.number, "from": from.as_str(), "to": moved.status})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}

/// A change of owner, category or severity (CareManage).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintChange {
    pub owner_id: Option<Uuid>,
    pub category: Option<String>,
    /// A new severity sets the deadlines again from the complaint's opening.
    pub severity: Option<String>,
    pub note: Option<String>,
}

pub async fn change(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &ComplaintChange,
) -> StoreResult<complaint::Model> {
    let mut errors = Vec::new();
    let category = input
        .category
        .as_deref()
        .and_then(|raw| vocabulary(&mut errors, "category", raw, Category::parse));
    let severity = input
        .severity
        .as_deref()
        .and_then(|raw| vocabulary(&mut errors, "severity", raw, Severity::parse));
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let note = long_text("note", &input.note)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = locked(&txn, actor, id).await?;
    if let Some(owner) = input.owner_id {
        check_owner(&txn, actor.tenant_id, current.store_id, owner).await?;
    }
    let mut model: complaint::ActiveModel = current.clone().into();
    let mut said = Vec::new();
    if let Some(owner) = input.owner_id.filter(|o| current.owner_id != Some(*o)) {
        model.owner_id = Set(Some(owner));
        let name = org::find_user(&txn, actor.tenant_id, owner)
            .await
            .map(|u| u.display_name)
            .unwrap_or_default();
        said.push(format!("负责人：{name}"));
    }
    if let Some(category) = category.filter(|c| c.as_str() != current.category) {
        model.category = Set(category.as_str().to_owned());
        said.push(format!("类别：{}", category.as_str()));
    }
    if let Some(severity) = severity.filter(|s| s.as_str() != current.severity) {
        let (respond_by, resolve_by) = rules::deadlines(severity, current.opened_at);
        model.severity = Set(severity.as_str().to_owned());
        model.respond_by = Set(respond_by);
        model.resolve_by = Set(resolve_by);
        said.push(format!("严重程度：{}", severity.as_str()));
    }
    if said.is_empty() {
        return Ok(current);
    }
    let changed = model.update(&txn).await?;
    let summary = said.join("；");
    history(
        &txn,
        Some(actor),
        &changed,
        &current.status,
        Some(note.unwrap_or_else(|| summary.clone())),
    )
    .await?;
    audit(
        &txn,
        actor.tenant_id,
        Some(actor),
        "update",
        "complaint",
        changed.id,
        &changed,
    )
    .await?;
    timeline(
        &txn,
        actor.tenant_id,
        Some(actor),
        Event {
            customer_id: Some(changed.customer_id),
            vehicle_id: changed.vehicle_id,
            kind: "complaint_changed",
            summary: format!("{} {summary}", changed.number),
            data: Some(json!({"complaint_id": changed.id, "number": changed.number})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(changed)
}

/// Marks every complaint whose first-response or resolution deadline passed before `now`
/// (once per opening; a reopen starts again): the time, a history row, an event on the
/// customer's timeline. The scheduler in `fours serve` runs it every few minutes.
pub async fn escalate_overdue(db: &Database, now: DateTime<Utc>) -> StoreResult<u64> {
    let overdue = complaint::Entity::find()
        .filter(complaint::Column::EscalatedAt.is_null())
        .filter(overdue_at(now))
        .order_by_asc(complaint::Column::RespondBy)
        .limit(1000)
        .all(&db.conn)
        .await?;
    let mut escalated = 0;
    for found in overdue {
        let txn = crate::db::begin_write(&db.conn).await?;
        // Read again: the owner may have answered meanwhile.
        let Some(current) = complaint::Entity::find_by_id((found.tenant_id, found.id))
            .filter(complaint::Column::EscalatedAt.is_null())
            .filter(overdue_at(now))
            .lock_exclusive()
            .one(&txn)
            .await?
        else {
            continue;
        };
        let status = status_of(&current)?;
        let breach = rules::breach(
            status,
            current.respond_by,
            current.resolve_by,
            current.responded_at,
            now,
        );
        let missed = match (breach.response, breach.resolution) {
            (true, true) => "首次响应和处理均已超时",
            (true, false) => "首次响应超时",
            _ => "处理超时",
        };
        let mut model: complaint::ActiveModel = current.clone().into();
        model.escalated_at = Set(Some(now));
        let marked = model.update(&txn).await?;
        let tenant_id = marked.tenant_id;
        history(
            &txn,
            None,
            &marked,
            &current.status,
            Some(missed.to_owned()),
        )
        .await?;
        audit(
            &txn,
            tenant_id,
            None,
            "escalate",
            "complaint",
            marked.id,
            &marked,
        )
        .await?;
        timeline(
            &txn,
            tenant_id,
            None,
            Event {
                customer_id: Some(marked.customer_id),
                vehicle_id: marked.vehicle_id,
                kind: "complaint_escalated",
                summary: format!("{} {missed}，已升级", marked.number),
                data: Some(json!({"complaint_id": marked.id, "number": marked.number,
                   "response_overdue": breach.response, "resolution_overdue": breach.resolution})),
            },
        )
        .await?;
        txn.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}

/// Unresolved and past a deadline at `now`.
fn overdue_at(now: DateTime<Utc>) -> Condition {
    let unresolved = [Status::Open, Status::Responded, Status::Analysed].map(Status::as_str);
    Condition::all()
        .add(complaint::Column::Status.is_in(unresolved))
        .add(
            Condition::any()
                .add(complaint::Column::ResolveBy.lt(now))
                .add(
                    Condition::all()
                        .add(complaint::Column::Status.eq(Status::Open.as_str()))
                        .add(complaint::Column::RespondBy.lt(now)),
                ),
        )
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ComplaintFilter {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub category: Option<String>,
    /// Only complaints past a deadline and not resolved.
    pub overdue: Option<bool>,
    /// Only complaints not yet closed.
    pub open: Option<bool>,
    pub customer_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
    /// At most this many, newest first (default 200, at most 500).
    pub limit: Option<u64>,
}

/// A complaint as lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    #[serde(flatten)]
    pub complaint: complaint::Model,
    pub customer_name: String,
    pub owner_name: Option<String>,
    /// Not answered and past its first-response deadline.
    pub response_overdue: bool,
    /// Not resolved and past its resolution deadline.
    pub resolution_overdue: bool,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &ComplaintFilter,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ComplaintView>> {
    let mut query = complaint::Entity::find().filter(visible(actor));
    if let Some(status) = text(&filter.status) {
        query = query.filter(complaint::Column::Status.eq(status));
    }
    if let Some(severity) = text(&filter.severity) {
        query = query.filter(complaint::Column::Severity.eq(severity));
    }
    if let Some(category) = text(&filter.category) {
        query = query.filter(complaint::Column::Category.eq(category));
    }
    if filter.overdue == Some(true) {
        query = query.filter(overdue_at(now));
    }
    if filter.open == Some(true) {
        query = query.filter(complaint::Column::Status.ne(Status::Closed.as_str()));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(complaint::Column::CustomerId.eq(customer_id));
    }
    if let Some(owner_id) = filter.owner_id {
        query = query.filter(complaint::Column::OwnerId.eq(owner_id));
    }
    if let Some(store_id) = filter.store_id {
        query = query.filter(complaint::Column::StoreId.eq(store_id));
    }
    let rows = query
        .order_by_desc(complaint::Column::Id)
        .limit(filter.limit.unwrap_or(200).clamp(1, 500))
        .all(db)
        .await?;
    views(db, actor, rows, now).await
}

pub(crate) async fn views(
    db: &impl ConnectionTrait,
    actor: &Actor,
    rows: Vec<complaint::Model>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ComplaintView>> {
    let customers: HashMap<Uuid, String> = customer::Entity::find()
        .filter(customer::Column::TenantId.eq(actor.tenant_id))
        .filter(customer::Column::Id.is_in(rows.iter().map(|r| r.customer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let people: HashMap<Uuid, String> = org::list_users(db, actor.tenant_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let breach = Status::parse(&row.status)
                .map(|status| {
                    rules::breach(
                        status,
                        row.respond_by,
                        row.resolve_by,
                        row.responded_at,
                        now,
                    )
                })
                .unwrap_or_default();
            ComplaintView {
                customer_name: customers.get(&row.customer_id).cloned().unwrap_or_default(),
                owner_name: row.owner_id.and_then(|o| people.get(&o).cloned()),
                response_overdue: breach.response,
                resolution_overdue: breach.resolution,
                complaint: row,
            }
        })
        .collect())
}

/// A complaint with every move it made.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintDetail {
    #[serde(flatten)]
    pub view: ComplaintView,
    pub history: Vec<complaint_history::Model>,
}

pub async fn detail(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<ComplaintDetail> {
    let found = get(db, actor, id).await?;
    let history = complaint_history::Entity::find()
        .filter(complaint_history::Column::TenantId.eq(found.tenant_id))
        .filter(complaint_history::Column::ComplaintId.eq(found.id))
        .order_by_asc(complaint_history::Column::Id)
        .all(db)
        .await?;
    let view = views(db, actor, vec![found], now)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)?;
    Ok(ComplaintDetail { view, history })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct KpiQuery {
    pub store_id: Option<Uuid>,
    /// First and last store day of the complaints' opening (default: the last 90 days).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category: Option<String>,
}

/// The KPIs of a set of complaints.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct KpiRow {
    /// The category or store id; empty for the whole.
    pub key: String,
    /// The store's name (by store); empty otherwise.
    pub label: String,
    pub opened: i64,
    pub closed: i64,
    /// Not closed and opened more than 14 days ago.
    pub open_over_two_weeks: i64,
    /// Percent: closed ÷ (closed + open longer than two weeks).
    pub two_week_close_rate: Option<f64>,
    /// Mean hours from opening to the first response.
    pub avg_response_hours: Option<f64>,
    /// Mean hours from opening to the resolution.
    pub avg_resolution_hours: Option<f64>,
    /// Reopened at least once.
    pub reopened: i64,
    /// Escalated for a missed deadline.
    pub escalated: i64,
    /// Closed complaints whose customer came back afterwards (a repair order or a showroom
    /// visit after the close).
    pub recovered: i64,
    /// Percent of the closed ones.
    pub recovery_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintKpis {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: KpiRow,
    pub by_category: Vec<KpiRow>,
    pub by_store: Vec<KpiRow>,
}

#[derive(Default)]
struct Tally {
    opened: i64,
    closed: i64,
    stale: i64,
    response: Vec<f64>,
    resolution: Vec<f64>,
    reopened: i64,
    escalated: i64,
    recovered: i64,
}

impl Tally {
    fn add(&mut self, row: &complaint::Model, recovered: bool, now: DateTime<Utc>) {
        let status = Status::parse(&row.status).unwrap_or(Status::Open);
        self.opened += 1;
        if status == Status::Closed {
            self.closed += 1;
        }
        if rules::open_over_two_weeks(status, row.opened_at, now) {
            self.stale += 1;
        }
        if let Some(at) = row.responded_at {
            self.response.push(rules::hours_between(row.opened_at, at));
        }
        if let Some(at) = row.resolved_at {
            self.resolution
                .push(rules::hours_between(row.opened_at, at));
        }
        self.reopened += i64::from(row.reopened > 0);
        self.escalated += i64::from(row.escalated_at.is_some());
        self.recovered += i64::from(recovered);
    }

    fn row(&self, key: String, label: String) -> KpiRow {
        KpiRow {
            key,
            label,
            opened: self.opened,
            closed: self.closed,
            open_over_two_weeks: self.stale,
            two_week_close_rate: rules::two_week_close_rate(self.closed, self.stale),
            avg_response_hours: rules::mean_hours(&self.response),
            avg_resolution_hours: rules::mean_hours(&self.resolution),
            reopened: self.reopened,
            escalated: self.escalated,
            recovered: self.recovered,
            recovery_rate: fours_domain::care::survey::percent(self.recovered, self.closed),
        }
    }
}

/// The store days of a period as UTC instants (`from`'s midnight to the midnight after `to`).
pub(crate) async fn period(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Option<Uuid>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    default_days: u64,
) -> StoreResult<(NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let zone = org::store_zone(db, tenant_id, store_id).await;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Days::new(default_days.saturating_sub(1)));
    if to < from {
        return Err(StoreError::invalid("to", "report.period"));
    }
    let start = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    Ok((from, to, start(from), start(to + Days::new(1))))
}

/// The complaint KPIs of the complaints opened in the period, by category and store
/// (CareManage).
pub async fn kpis(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &KpiQuery,
    now: DateTime<Utc>,
) -> StoreResult<ComplaintKpis> {
    if let Some(store_id) = query.store_id {
        crate::sales::store_of(actor, Some(store_id))?;
    }
    let (from, to, start, end) = period(
        db,
        actor.tenant_id,
        query.store_id.or(actor.store_id),
        query.from,
        query.to,
        90,
    )
    .await?;
    let mut select = complaint::Entity::find()
        .filter(visible(actor))
        .filter(complaint::Column::OpenedAt.gte(start))
        .filter(complaint::Column::OpenedAt.lt(end));
    if let Some(store_id) = query.store_id {
        select = select.filter(complaint::Column::StoreId.eq(store_id));
    }
    if let Some(category) = text(&query.category) {
        select = select.filter(complaint::Column::Category.eq(category));
    }
    let rows = select.limit(100_000).all(db).await?;
    let recovered = recovered(db, actor.tenant_id, &rows).await?;
    let mut total = Tally::default();
    let mut categories: BTreeMap<String, Tally> = BTreeMap::new();
    let mut stores: BTreeMap<Uuid, Tally> = BTreeMap::new();
    for row in &rows {
        let back = recovered.contains(&row.id);
        total.add(row, back, now);
        categories
            .entry(row.category.clone())
            .or_default()
            .add(row, back, now);
        stores.entry(row.store_id).or_default().add(row, back, now);
    }
    let names: HashMap<Uuid, String> = org::list_stores(db, actor.tenant_id)
        .await?
        .into_iter()
        .map(|s| (s.id, format!("{} {}", s.code, s.name)))
        .collect();
    Ok(ComplaintKpis {
        from,
        to,
        total: total.row(String::new(), String::new()),
        by_category: categories
            .iter()
            .map(|(key, tally)| tally.row(key.clone(), String::new()))
            .collect(),
        by_store: stores
            .iter()
            .map(|(id, tally)| {
                tally.row(id.to_string(), names.get(id).cloned().unwrap_or_default())
            })
            .collect(),
    })
}

/// Each customer's latest time after `earliest` in a table (repair orders received, showroom
/// visits); the columns are the table's tenant, customer and time.
async fn latest_after<E: EntityTrait>(
    db: &impl ConnectionTrait,
    (tenant, customer, at): (E::Column, E::Column, E::Column),
    tenant_id: Uuid,
    customers: &[Uuid],
    earliest: DateTime<Utc>,
) -> StoreResult<Vec<(Uuid, DateTime<Utc>)>> {
    Ok(E::find()
        .select_only()
        .column(customer)
        .column_as(Expr::from(Func::max(Expr::col(at))), "last")
        .filter(tenant.eq(tenant_id))
        .filter(customer.is_in(customers.to_vec()))
        .filter(at.gt(earliest))
        .group_by(customer)
        .into_tuple()
        .all(db)
        .await?)
}

/// The closed complaints whose customer came back after the close: a repair order received
/// or a showroom visit after it.
async fn recovered(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    rows: &[complaint::Model],
) -> StoreResult<std::collections::HashSet<Uuid>> {
    let closed: Vec<&complaint::Model> = rows.iter().filter(|r| r.closed_at.is_some()).collect();
    let mut back = std::collections::HashSet::new();
    let Some(earliest) = closed.iter().filter_map(|r| r.closed_at).min() else {
        return Ok(back);
    };
    use repair_order::Column as O;
    use showroom_visit::Column as V;
    let order_columns = (O::TenantId, O::CustomerId, O::ReceivedAt);
    let visit_columns = (V::TenantId, V::CustomerId, V::ArrivedAt);
    let mut returns: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for chunk in closed.chunks(500) {
        let customers: Vec<Uuid> = chunk.iter().map(|r| r.customer_id).collect();
        let orders = latest_after::<repair_order::Entity>(
            db,
            order_columns,
            tenant_id,
            &customers,
            earliest,
        )
        .await?;
        let visits = latest_after::<showroom_visit::Entity>(
            db,
            visit_columns,
            tenant_id,
            &customers,
            earliest,
        )
        .await?;
        for (customer_id, at) in orders.into_iter().chain(visits) {
            let latest = returns.entry(customer_id).or_insert(at);
            if at > *latest {
                *latest = at;
            }
        }
    }
    for row in closed {
        if let (Some(closed_at), Some(last)) = (row.closed_at, returns.get(&row.customer_id))
            && *last > closed_at
        {
            back.insert(row.id);
        }
    }
    Ok(back)
}
