//! Care plans and their rules. A store starts with the seeds' plans (created the first time its
//! plans are read or run); store admins then change offsets, roles, channels, scripts and
//! surveys, add rules and switch plans or rules off.

use chrono::Utc;
use fours_domain::care::Channel;
use fours_domain::care::plan::{Action, Assignee, RuleSpec, Trigger, default_plans};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{care_plan, care_rule};
use crate::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::audit_record;

/// A plan with its rules in order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub plan: care_plan::Model,
    pub rules: Vec<care_rule::Model>,
}

/// Creates the seeds' plans for a store that has none of them yet (idempotent: a plan's code is
/// unique in its store, and a plan is only seeded with its rules when it is new).
pub async fn ensure_defaults(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<()> {
    for default in default_plans() {
        let plan_id = Uuid::now_v7();
        let inserted = care_plan::Entity::insert(care_plan::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(plan_id),
            store_id: Set(store_id),
            code: Set(default.code.to_owned()),
            name: Set(default.name.to_owned()),
            active: Set(true),
            created_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([
            care_plan::Column::TenantId,
            care_plan::Column::StoreId,
            care_plan::Column::Code,
        ])
        .exec(txn)
        .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(_)) {
            for (position, rule) in default.rules.iter().enumerate() {
                let position = i32::try_from(position).unwrap_or(i32::MAX);
                rule_model(tenant_id, store_id, plan_id, position, rule)
                    .insert(txn)
                    .await?;
            }
        }
    }
    Ok(())
}

fn count(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn rule_model(
    tenant_id: Uuid,
    store_id: Uuid,
    plan_id: Uuid,
    position: i32,
    rule: &RuleSpec,
) -> care_rule::ActiveModel {
    care_rule::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        plan_id: Set(plan_id),
        store_id: Set(store_id),
        position: Set(position),
        trigger: Set(rule.trigger.as_str().to_owned()),
        offset_days: Set(rule.offset_days),
        offset_hours: Set(rule.offset_hours),
        repeat_every_months: Set(count(rule.repeat_every_months)),
        repeat_count: Set(count(rule.repeat_count)),
        action: Set(rule.action.as_str().to_owned()),
        channel: Set(rule.channel.as_str().to_owned()),
        assignee: Set(rule.assignee.as_str().to_owned()),
        title: Set(rule.title.clone()),
        script: Set(rule.script.clone()),
        survey: Set(rule.survey.clone()),
        template: Set(rule.template.clone()),
        active: Set(true),
    }
}

/// A stored rule read back as the domain's rule (`None` when a name no longer parses).
pub fn spec(rule: &care_rule::Model) -> Option<RuleSpec> {
    Some(RuleSpec {
        trigger: Trigger::parse(&rule.trigger)?,
        offset_days: rule.offset_days,
        offset_hours: rule.offset_hours,
        repeat_every_months: rule.repeat_every_months.max(0).unsigned_abs(),
        repeat_count: rule.repeat_count.max(1).unsigned_abs(),
        action: Action::parse(&rule.action)?,
        channel: Channel::parse(&rule.channel)?,
        assignee: Assignee::parse(&rule.assignee)?,
        title: rule.title.clone(),
        script: rule.script.clone(),
        survey: rule.survey.clone(),
        template: rule.template.clone(),
    })
}

/// The store's active rules of active plans for some triggers, with their specs.
pub async fn active_rules(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    triggers: &[Trigger],
) -> StoreResult<Vec<(care_rule::Model, RuleSpec)>> {
    let plans: Vec<Uuid> = care_plan::Entity::find()
        .filter(care_plan::Column::TenantId.eq(tenant_id))
        .filter(care_plan::Column::StoreId.eq(store_id))
        .filter(care_plan::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|plan| plan.id)
        .collect();
    let names: Vec<&str> = triggers.iter().map(|t| t.as_str()).collect();
    let rules = care_rule::Entity::find()
        .filter(care_rule::Column::TenantId.eq(tenant_id))
        .filter(care_rule::Column::StoreId.eq(store_id))
        .filter(care_rule::Column::Active.eq(true))
        .filter(care_rule::Column::Trigger.is_in(names))
        .filter(care_rule::Column::PlanId.is_in(plans))
        .order_by_asc(care_rule::Column::Position)
        .all(db)
        .await?;
    Ok(rules
        .into_iter()
        .filter_map(|rule| spec(&rule).map(|spec| (rule, spec)))
        .collect())
}

/// The store's plans and rules (the seeds' plans on first read).
pub async fn list(db: &Database, actor: &Actor, store_id: Uuid) -> StoreResult<Vec<PlanView>> {
    let store_id = super::care_store(&db.conn, actor, Some(store_id)).await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    ensure_defaults(&txn, actor.tenant_id, store_id).await?;
    txn.commit().await?;
    let plans = care_plan::Entity::find()
        .filter(care_plan::Column::TenantId.eq(actor.tenant_id))
        .filter(care_plan::Column::StoreId.eq(store_id))
        .order_by_asc(care_plan::Column::Id)
        .all(&db.conn)
        .await?;
    let mut rules = care_rule::Entity::find()
        .filter(care_rule::Column::TenantId.eq(actor.tenant_id))
        .filter(care_rule::Column::StoreId.eq(store_id))
        .order_by_asc(care_rule::Column::Position)
        .all(&db.conn)
        .await?;
    Ok(plans
        .into_iter()
        .map(|plan| {
            let (own, rest): (Vec<_>, Vec<_>) =
                rules.drain(..).partition(|rule| rule.plan_id == plan.id);
            rules = rest;
            PlanView { plan, rules: own }
        })
        .collect())
}

/// A rule as an admin writes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RuleInput {
    pub trigger: String,
    pub offset_days: i32,
    #[serde(default)]
    pub offset_hours: i32,
    #[serde(default)]
    pub repeat_every_months: i32,
    pub repeat_count: Option<i32>,
    pub action: String,
    pub channel: String,
    pub assignee: String,
    pub title: String,
    #[serde(default)]
    pub script: String,
    pub survey: Option<String>,
    pub template: Option<String>,
    pub active: Option<bool>,
}

impl RuleInput {
    /// The rule it describes, or every field that is wrong.
    pub fn check(&self) -> StoreResult<RuleSpec> {
        let mut errors = Vec::new();
        let mut wrong = |field: &'static str, code: &'static str| {
            errors.push(FieldError { field, code });
        };
        let trigger = Trigger::parse(&self.trigger);
        let action = Action::parse(&self.action);
        let channel = Channel::parse(&self.channel);
        let assignee = Assignee::parse(&self.assignee);
        if trigger.is_none() {
            wrong("trigger", "choice.unknown");
        }
        if action.is_none() {
            wrong("action", "choice.unknown");
        }
        if channel.is_none() {
            wrong("channel", "choice.unknown");
        }
        if assignee.is_none() {
            wrong("assignee", "choice.unknown");
        }
        if !(-365..=730).contains(&self.offset_days) {
            wrong("offset_days", "number.range");
        }
        if !(0..=72).contains(&self.offset_hours) {
            wrong("offset_hours", "number.range");
        }
        let repeat_count = self.repeat_count.unwrap_or(1);
        if !(0..=24).contains(&self.repeat_every_months) {
            wrong("repeat_every_months", "number.range");
        }
        if !(1..=24).contains(&repeat_count) {
            wrong("repeat_count", "number.range");
        }
        if self.title.trim().is_empty() {
            wrong("title", "required");
        }
        let template = crate::sales::text(&self.template);
        if action == Some(Action::Message) {
            if !channel.is_some_and(Channel::is_message) {
                wrong("channel", "care.message_channel");
            }
            let known = template.as_deref().is_some_and(|code| {
                fours_notify::templates::default_templates()
                    .iter()
                    .any(|t| t.code == code)
            });
            if !known {
                wrong("template", "template.unknown");
            }
        }
        match (trigger, action, channel, assignee) {
            (Some(trigger), Some(action), Some(channel), Some(assignee)) if errors.is_empty() => {
                Ok(RuleSpec {
                    trigger,
                    offset_days: self.offset_days,
                    offset_hours: self.offset_hours,
                    repeat_every_months: self.repeat_every_months.unsigned_abs(),
                    repeat_count: repeat_count.unsigned_abs(),
                    action,
                    channel,
                    assignee,
                    title: self.title.trim().to_owned(),
                    script: self.script.trim().to_owned(),
                    survey: crate::sales::text(&self.survey),
                    template,
                })
            }
            _ => Err(StoreError::Invalid(errors)),
        }
    }
}

async fn plan(
    db: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: Uuid,
) -> StoreResult<care_plan::Model> {
    let found = care_plan::Entity::find_by_id((actor.tenant_id, plan_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    crate::sales::store_of(actor, Some(found.store_id)).map_err(|_| StoreError::NotFound)?;
    Ok(found)
}

/// Adds a rule at the end of a plan.
pub async fn add_rule(
    db: &Database,
    actor: &Actor,
    plan_id: Uuid,
    input: &RuleInput,
) -> StoreResult<care_rule::Model> {
    let rule = input.check()?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let plan = plan(&txn, actor, plan_id).await?;
    let position = care_rule::Entity::find()
        .filter(care_rule::Column::TenantId.eq(actor.tenant_id))
        .filter(care_rule::Column::PlanId.eq(plan.id))
        .all(&txn)
        .await?
        .len();
    let position = i32::try_from(position).unwrap_or(i32::MAX);
    let mut model = rule_model(actor.tenant_id, plan.store_id, plan.id, position, &rule);
    model.active = Set(input.active.unwrap_or(true));
    let saved = model.insert(&txn).await?;
    audit_record(&txn, actor, "create", "care_rule", saved.id, &saved).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Replaces a rule's settings.
pub async fn update_rule(
    db: &Database,
    actor: &Actor,
    rule_id: Uuid,
    input: &RuleInput,
) -> StoreResult<care_rule::Model> {
    let rule = input.check()?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = care_rule::Entity::find_by_id((actor.tenant_id, rule_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    plan(&txn, actor, current.plan_id).await?;
    let mut model = rule_model(
        actor.tenant_id,
        current.store_id,
        current.plan_id,
        current.position,
        &rule,
    );
    model.id = Set(current.id);
    model.active = Set(input.active.unwrap_or(current.active));
    let model = model.reset_all();
    let saved = model.update(&txn).await?;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::AuditEntry {
            action: "update",
            entity: "care_rule",
            entity_id: Some(saved.id),
            before: serde_json::to_value(&current).ok(),
            after: serde_json::to_value(&saved).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// Renames a plan or switches it on or off.
pub async fn update_plan(
    db: &Database,
    actor: &Actor,
    plan_id: Uuid,
    input: &PlanInput,
) -> StoreResult<care_plan::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = plan(&txn, actor, plan_id).await?;
    let mut model: care_plan::ActiveModel = current.clone().into();
    if let Some(name) = crate::sales::text(&input.name) {
        model.name = Set(name);
    }
    if let Some(active) = input.active {
        model.active = Set(active);
    }
    let saved = model.update(&txn).await?;
    audit_record(&txn, actor, "update", "care_plan", saved.id, &saved).await?;
    txn.commit().await?;
    Ok(saved)
}
