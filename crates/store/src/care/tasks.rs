//! The task inbox: each user's contacts due today and overdue, the team's view for managers,
//! the outcome of every attempt (with retries at other times of day until the customer is
//! reached or the tries are used up), escalation of overdue tasks, and reassignment in bulk.
//! Every attempt lands on the customer's timeline.

use chrono::{DateTime, Duration, Utc};
use fours_domain::access::{Permission, Role};
use fours_domain::care::attempts::{NextStep, Outcome, is_escalation_due, next_step};
use fours_domain::customers::mobile::mask_mobile;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::entities::{care_task, care_task_attempt};
use super::policy;
use crate::Database;
use crate::customers::entities::customer;
use crate::customers::{self, Event};
use crate::error::{StoreError, StoreResult};
use crate::org::{self, Actor};
use crate::sales::audit_record;
use crate::vehicles::entities::vehicle;

pub const OPEN: &str = "open";
pub const DONE: &str = "done";
pub const UNREACHED: &str = "unreached";
pub const CANCELLED: &str = "cancelled";
/// A message rule's record that its message was queued (keeps generation idempotent and the
/// contact in the customer's history; never in an inbox).
pub const MESSAGED: &str = "messaged";

/// A task some rule or step wants made.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub store_id: Uuid,
    pub rule_id: Option<Uuid>,
    pub subject: String,
    pub occurrence: i32,
    pub customer_id: Uuid,
    pub vehicle_id: Option<Uuid>,
    pub related_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub assignee_role: String,
    pub channel: String,
    pub title: String,
    pub script: String,
    pub survey: Option<String>,
    pub opens_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub status: &'static str,
}

/// Writes a task unless the same rule already made it for this subject and occurrence; `None`
/// when it existed (so running generation twice creates nothing new).
pub async fn create(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    task: NewTask,
) -> StoreResult<Option<care_task::Model>> {
    let id = Uuid::now_v7();
    let model = care_task::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        store_id: Set(task.store_id),
        rule_id: Set(task.rule_id),
        subject: Set(task.subject),
        occurrence: Set(task.occurrence),
        customer_id: Set(task.customer_id),
        vehicle_id: Set(task.vehicle_id),
        related_id: Set(task.related_id),
        assignee_id: Set(task.assignee_id),
        assignee_role: Set(task.assignee_role),
        channel: Set(task.channel),
        title: Set(task.title),
        script: Set(task.script),
        survey: Set(task.survey),
        opens_at: Set(task.opens_at),
        due_at: Set(task.due_at),
        status: Set(task.status.to_owned()),
        outcome: Set(None),
        attempts: Set(0),
        next_attempt_at: Set(None),
        escalated_at: Set(None),
        escalated_to: Set(None),
        closed_at: Set((task.status != OPEN).then(Utc::now)),
        created_at: Set(Utc::now()),
    };
    let inserted = care_task::Entity::insert(model)
        .on_conflict_do_nothing_on([
            care_task::Column::TenantId,
            care_task::Column::RuleId,
            care_task::Column::Subject,
            care_task::Column::Occurrence,
        ])
        .exec(txn)
        .await?;
    match inserted {
        sea_orm::TryInsertResult::Inserted(_) => Ok(care_task::Entity::find_by_id((tenant_id, id))
            .one(txn)
            .await?),
        _ => Ok(None),
    }
}

/// Tasks the actor may see: their own (and those escalated to them), or, for those who run
/// care, the whole store (or group).
fn visible(actor: &Actor) -> Condition {
    if actor.role.allows(Permission::CareManage) {
        crate::service::in_scope(
            actor,
            care_task::Column::TenantId,
            care_task::Column::StoreId,
        )
    } else {
        Condition::all()
            .add(care_task::Column::TenantId.eq(actor.tenant_id))
            .add(
                Condition::any()
                    .add(care_task::Column::AssigneeId.eq(actor.user_id))
                    .add(care_task::Column::EscalatedTo.eq(actor.user_id)),
            )
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The actor's own tasks (and those escalated to them).
    #[default]
    Mine,
    /// Everyone's in the actor's scope (managers).
    Team,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct InboxQuery {
    pub view: Option<View>,
    /// Only this user's tasks (team view).
    pub assignee_id: Option<Uuid>,
    /// Only this customer's tasks (any status).
    pub customer_id: Option<Uuid>,
    /// `open` (default), `done`, `unreached`, `all`.
    pub status: Option<String>,
    pub limit: Option<u64>,
}

/// A task with what the caller needs to make the contact.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    #[serde(flatten)]
    pub task: care_task::Model,
    pub customer_name: String,
    /// Masked unless the caller may see phone numbers.
    pub customer_mobile: Option<String>,
    pub customer_contact_time: Option<String>,
    pub vehicle: Option<String>,
    pub assignee_name: Option<String>,
    pub overdue: bool,
}

/// Open tasks due by the end of the store's today (or tried again by then), oldest due first;
/// or a customer's tasks.
pub async fn inbox(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &InboxQuery,
    now: DateTime<Utc>,
) -> StoreResult<Vec<TaskRow>> {
    let zone = org::store_zone(db, actor.tenant_id, actor.store_id).await;
    let today = now.with_timezone(&zone).date_naive();
    let end_of_day = (today + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(zone).earliest())
        .map_or(now, |t| t.with_timezone(&Utc));
    let mut select = care_task::Entity::find().filter(visible(actor));
    let view = query.view.unwrap_or_default();
    if view == View::Mine || !actor.role.allows(Permission::CareManage) {
        select = select.filter(
            Condition::any()
                .add(care_task::Column::AssigneeId.eq(actor.user_id))
                .add(care_task::Column::EscalatedTo.eq(actor.user_id)),
        );
    }
    if let Some(assignee) = query.assignee_id {
        select = select.filter(care_task::Column::AssigneeId.eq(assignee));
    }
    match query.status.as_deref().unwrap_or(OPEN) {
        "all" => {}
        status => select = select.filter(care_task::Column::Status.eq(status)),
    }
    if let Some(customer_id) = query.customer_id {
        select = select.filter(care_task::Column::CustomerId.eq(customer_id));
    } else if query.status.as_deref().unwrap_or(OPEN) == OPEN {
        select = select.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(care_task::Column::NextAttemptAt.is_null())
                        .add(care_task::Column::OpensAt.lt(end_of_day)),
                )
                .add(care_task::Column::NextAttemptAt.lt(end_of_day)),
        );
    }
    let tasks = select
        .order_by_asc(care_task::Column::DueAt)
        .limit(query.limit.unwrap_or(200).min(1000))
        .all(db)
        .await?;
    rows(db, actor, tasks, now).await
}

/// Decorates tasks with their customer, car and assignee (one query each).
async fn rows(
    db: &impl ConnectionTrait,
    actor: &Actor,
    tasks: Vec<care_task::Model>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<TaskRow>> {
    let customer_ids: Vec<Uuid> = tasks.iter().map(|t| t.customer_id).collect();
    let vehicle_ids: Vec<Uuid> = tasks.iter().filter_map(|t| t.vehicle_id).collect();
    let customers = customer::Entity::find()
        .filter(customer::Column::TenantId.eq(actor.tenant_id))
        .filter(customer::Column::Id.is_in(customer_ids))
        .all(db)
        .await?;
    let vehicles = vehicle::Entity::find()
        .filter(vehicle::Column::TenantId.eq(actor.tenant_id))
        .filter(vehicle::Column::Id.is_in(vehicle_ids))
        .all(db)
        .await?;
    let users = org::list_users(db, actor.tenant_id).await?;
    let see_phone = actor.role.allows(Permission::ViewPhone);
    Ok(tasks
        .into_iter()
        .map(|task| {
            let owner = customers.iter().find(|c| c.id == task.customer_id);
            let car = task
                .vehicle_id
                .and_then(|id| vehicles.iter().find(|v| v.id == id));
            TaskRow {
                customer_name: owner.map(|c| c.name.clone()).unwrap_or_default(),
                customer_mobile: owner.and_then(|c| c.mobile.as_deref()).map(|m| {
                    if see_phone {
                        m.to_owned()
                    } else {
                        mask_mobile(m)
                    }
                }),
                customer_contact_time: owner.and_then(|c| c.contact_time.clone()),
                vehicle: car.map(|v| {
                    let name = [
                        v.plate.as_deref(),
                        v.model.as_deref().or(v.series.as_deref()),
                    ];
                    name.into_iter().flatten().collect::<Vec<_>>().join(" ")
                }),
                assignee_name: task
                    .assignee_id
                    .and_then(|id| users.iter().find(|u| u.id == id))
                    .map(|u| u.display_name.clone()),
                overdue: task.status == OPEN && task.due_at < now,
                task,
            }
        })
        .collect())
}

/// A task the actor may see.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<care_task::Model> {
    care_task::Entity::find()
        .filter(visible(actor))
        .filter(care_task::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub row: TaskRow,
    pub attempts: Vec<care_task_attempt::Model>,
}

/// A task with its customer, car and every attempt.
pub async fn detail(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<TaskDetail> {
    let task = get(db, actor, id).await?;
    let attempts = care_task_attempt::Entity::find()
        .filter(care_task_attempt::Column::TenantId.eq(actor.tenant_id))
        .filter(care_task_attempt::Column::TaskId.eq(task.id))
        .order_by_asc(care_task_attempt::Column::At)
        .all(db)
        .await?;
    let row = rows(db, actor, vec![task], now)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)?;
    Ok(TaskDetail { row, attempts })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AttemptInput {
    /// reached, not_reached, wrong_number, refused, call_back
    pub outcome: String,
    pub note: Option<String>,
    /// When the customer asked to be called back (with `call_back`).
    pub call_back_at: Option<DateTime<Utc>>,
}

/// Records one attempt at a task's contact and moves the task on: closed (reached, refused),
/// closed unreached (wrong number, tries used up), or due again at another time of day.
pub async fn attempt(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &AttemptInput,
) -> StoreResult<care_task::Model> {
    let outcome =
        Outcome::parse(&input.outcome).ok_or(StoreError::invalid("outcome", "choice.unknown"))?;
    let now = Utc::now();
    let txn = crate::db::begin_write(&db.conn).await?;
    let task = get(&txn, actor, id).await?;
    if task.status != OPEN {
        return Err(StoreError::invalid("task", "care.task_closed"));
    }
    let may_work = task.assignee_id == Some(actor.user_id)
        || task.escalated_to == Some(actor.user_id)
        || actor.role.allows(Permission::CareManage);
    if !may_work {
        return Err(StoreError::NotFound);
    }
    let zone = org::store_zone(&txn, actor.tenant_id, Some(task.store_id)).await;
    let retry = policy::for_store(&txn, actor.tenant_id, task.store_id)
        .await?
        .retry();
    let attempts_so_far = task.attempts.max(0).unsigned_abs();
    let step = next_step(
        &retry,
        attempts_so_far,
        outcome,
        input.call_back_at,
        now,
        zone,
    )
    .map_err(|_| StoreError::invalid("call_back_at", "care.call_back_time"))?;
    let note = crate::sales::text(&input.note);
    let tried = care_task_attempt::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        task_id: Set(task.id),
        at: Set(now),
        by_id: Set(actor.user_id),
        outcome: Set(outcome.as_str().to_owned()),
        note: Set(note.clone()),
        call_back_at: Set(input.call_back_at),
    }
    .insert(&txn)
    .await?;
    let mut model: care_task::ActiveModel = task.clone().into();
    model.attempts = Set(task.attempts + 1);
    model.outcome = Set(Some(outcome.as_str().to_owned()));
    match step {
        NextStep::Done | NextStep::Unreached => {
            let status = if step == NextStep::Done {
                DONE
            } else {
                UNREACHED
            };
            model.status = Set(status.to_owned());
            model.closed_at = Set(Some(now));
            model.next_attempt_at = Set(None);
        }
        NextStep::RetryAt(at) => model.next_attempt_at = Set(Some(at)),
    }
    let saved = model.update(&txn).await?;
    customers::add_event(
        &txn,
        actor,
        Event {
            customer_id: Some(task.customer_id),
            vehicle_id: task.vehicle_id,
            kind: "care_attempt",
            summary: format!("{}：{}", task.title, outcome_words(outcome)),
            data: Some(json!({"task_id": task.id, "outcome": outcome.as_str(), "note": note})),
        },
    )
    .await?;
    audit_record(&txn, actor, "create", "care_task_attempt", tried.id, &tried).await?;
    txn.commit().await?;
    Ok(saved)
}

/// An attempt's outcome as the customer's timeline tells it.
fn outcome_words(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Reached => "已联系上",
        Outcome::NotReached => "未接通",
        Outcome::WrongNumber => "号码错误",
        Outcome::Refused => "客户拒绝",
        Outcome::CallBack => "约定回电",
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReassignInput {
    /// These tasks…
    pub task_ids: Option<Vec<Uuid>>,
    /// …or every open task of this (absent) user.
    pub from_user_id: Option<Uuid>,
    pub to_user_id: Uuid,
}

/// Hands open tasks to another user of the store (one transaction; audited). Returns how many.
pub async fn reassign(db: &Database, actor: &Actor, input: &ReassignInput) -> StoreResult<u64> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let to = org::find_user(&txn, actor.tenant_id, input.to_user_id)
        .await
        .ok()
        .filter(|user| user.active)
        .ok_or(StoreError::invalid("to_user_id", "reference.not_found"))?;
    let mut select = care_task::Entity::find()
        .filter(visible(actor))
        .filter(care_task::Column::Status.eq(OPEN));
    select = match (&input.task_ids, input.from_user_id) {
        (Some(ids), _) if !ids.is_empty() => {
            select.filter(care_task::Column::Id.is_in(ids.clone()))
        }
        (_, Some(from)) => select.filter(care_task::Column::AssigneeId.eq(from)),
        _ => return Err(StoreError::invalid("task_ids", "required")),
    };
    let tasks = select.all(&txn).await?;
    if tasks
        .iter()
        .any(|t| to.store_id.is_some_and(|s| s != t.store_id))
    {
        return Err(StoreError::invalid("to_user_id", "care.other_store"));
    }
    let ids: Vec<Uuid> = tasks.iter().map(|t| t.id).collect();
    let moved = care_task::Entity::update_many()
        .col_expr(care_task::Column::AssigneeId, Expr::value(to.id))
        .filter(care_task::Column::TenantId.eq(actor.tenant_id))
        .filter(care_task::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    audit_record(
        &txn,
        actor,
        "reassign",
        "care_task",
        to.id,
        &json!({"tasks": ids, "to_user_id": to.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(moved.rows_affected)
}

/// Who an overdue task goes to: the store's sales manager for sales contacts, else its
/// customer-care lead or store manager.
fn escalation_role(task: &care_task::Model) -> [Role; 2] {
    if task.assignee_role == "selling_consultant" {
        [Role::SalesManager, Role::StoreManager]
    } else {
        [Role::CustomerCare, Role::StoreManager]
    }
}

/// Escalates every open task past its due time and the store's grace period (once each).
/// The scheduler in `fours serve` runs this every few minutes.
pub async fn escalate_overdue(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<u64> {
    let overdue = care_task::Entity::find()
        .filter(care_task::Column::Status.eq(OPEN))
        .filter(care_task::Column::EscalatedAt.is_null())
        .filter(care_task::Column::DueAt.lt(now))
        .limit(1000)
        .all(db)
        .await?;
    let mut escalated = 0;
    for task in overdue {
        let retry = policy::for_store(db, task.tenant_id, task.store_id)
            .await?
            .retry();
        if !is_escalation_due(&retry, task.due_at, now) {
            continue;
        }
        let manager = super::generate::store_user(
            db,
            task.tenant_id,
            task.store_id,
            &escalation_role(&task),
            task.customer_id,
        )
        .await?;
        let mut model: care_task::ActiveModel = task.into();
        model.escalated_at = Set(Some(now));
        model.escalated_to = Set(manager);
        model.update(db).await?;
        escalated += 1;
    }
    Ok(escalated)
}
