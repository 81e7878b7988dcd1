//! Generating care: every promised contact becomes a task (or a queued message) without anyone
//! remembering it.
//!
//! - Events (`vehicle_delivered`, `repair_order_closed`, `vehicle_ready`) are consumed as they
//!   are recorded: each is claimed by a conditional update of its `handled_at` and its tasks
//!   and messages are written in that same transaction, so an event is handled exactly once.
//! - Date rules (birthdays, anniversaries, free services, tomorrow's appointments) run once a
//!   store day: one read of the store's customers, family members, cars and appointments,
//!   each row checked against every rule in memory. Tasks are keyed by rule, subject and
//!   occurrence and written with "on conflict do nothing": a second run creates nothing.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use fours_domain::access::Role;
use fours_domain::care::plan::{
    Action, Assignee, RuleSpec, Trigger, date_occurrence, event_occurrences,
};
use fours_domain::care::quiet::parse_time;
use fours_domain::care::schedule::{FreeService, free_service_due, yearly_due_today, yearly_on};
use fours_domain::service::maintenance::Reading;
use fours_notify::ChannelKind;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entities::{care_rule, care_run};
use super::outbox::{self, NewMessage};
use super::tasks::{self, MESSAGED, NewTask, OPEN};
use super::{plans, policy};
use crate::Database;
use crate::customers::entities::{customer, family_member};
use crate::error::StoreResult;
use crate::org::{self, entities::user};
use crate::sales::entities::domain_event;
use crate::service::entities::{appointment, repair_order};
use crate::vehicles::entities::{mileage_reading, vehicle};

/// The events care reacts to.
pub const EVENT_KINDS: [&str; 3] = ["vehicle_delivered", "repair_order_closed", "vehicle_ready"];

/// The store's active staff by role, to give tasks to.
struct Staff {
    by_role: HashMap<Role, Vec<Uuid>>,
}

impl Staff {
    async fn load(
        db: &impl ConnectionTrait,
        tenant_id: Uuid,
        store_id: Uuid,
    ) -> StoreResult<Staff> {
        let users = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::StoreId.eq(store_id))
            .filter(user::Column::Active.eq(true))
            .all(db)
            .await?;
        let mut by_role: HashMap<Role, Vec<Uuid>> = HashMap::new();
        for found in users {
            if let Some(role) = Role::parse(&found.role) {
                by_role.entry(role).or_default().push(found.id);
            }
        }
        Ok(Staff { by_role })
    }

    fn is_active(&self, user_id: Uuid) -> bool {
        self.by_role.values().any(|ids| ids.contains(&user_id))
    }

    /// One user of the first role that has any, chosen by `spread` so that work is shared
    /// evenly and the same customer goes to the same person.
    fn pick(&self, roles: &[Role], spread: Uuid) -> Option<Uuid> {
        let users = roles.iter().find_map(|role| self.by_role.get(role))?;
        let slot = (spread.as_u128() % users.len() as u128) as usize;
        users.get(slot).copied()
    }

    /// The person a rule's task is for: the subject's own consultant or advisor when the rule
    /// names that role and they still work here, else someone of the role.
    fn assignee(&self, assignee: Assignee, subject: &Subject) -> Option<Uuid> {
        let named = match assignee {
            Assignee::SellingConsultant => subject.consultant,
            Assignee::ServiceAdvisor => subject.advisor,
            Assignee::SalesManager | Assignee::CustomerCare => None,
        };
        if let Some(named) = named.filter(|id| self.is_active(*id)) {
            return Some(named);
        }
        let spread = subject.customer_id;
        let roles: &[Role] = match assignee {
            Assignee::SellingConsultant => &[Role::SalesConsultant, Role::SalesManager],
            Assignee::SalesManager => &[Role::SalesManager, Role::StoreManager],
            Assignee::ServiceAdvisor => &[Role::ServiceAdvisor, Role::StoreManager],
            Assignee::CustomerCare => &[Role::CustomerCare, Role::StoreManager],
        };
        self.pick(roles, spread)
    }
}

/// A user of the store with one of `roles` (the first role that has anyone), for escalations.
pub(crate) async fn store_user(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    roles: &[Role],
    spread: Uuid,
) -> StoreResult<Option<Uuid>> {
    Ok(Staff::load(db, tenant_id, store_id)
        .await?
        .pick(roles, spread))
}

/// What a rule's contact is about.
struct Subject {
    key: String,
    customer_id: Uuid,
    vehicle_id: Option<Uuid>,
    related_id: Option<Uuid>,
    /// The people the rules may name: the selling consultant and the service advisor, if known.
    consultant: Option<Uuid>,
    advisor: Option<Uuid>,
    context: Value,
}

/// Writes one occurrence of a rule: a task, or the record of a message and the message itself.
/// Returns whether anything new was written.
#[allow(clippy::too_many_arguments)]
async fn apply_rule(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    staff: &Staff,
    rule: &care_rule::Model,
    spec: &RuleSpec,
    subject: &Subject,
    occurrence: &fours_domain::care::plan::Occurrence,
) -> StoreResult<bool> {
    let message = spec.action == Action::Message;
    let created = tasks::create(
        txn,
        tenant_id,
        NewTask {
            store_id,
            rule_id: Some(rule.id),
            subject: subject.key.clone(),
            occurrence: i32::try_from(occurrence.index).unwrap_or(i32::MAX),
            customer_id: subject.customer_id,
            vehicle_id: subject.vehicle_id,
            related_id: subject.related_id,
            assignee_id: if message {
                None
            } else {
                staff.assignee(spec.assignee, subject)
            },
            assignee_role: spec.assignee.as_str().to_owned(),
            channel: spec.channel.as_str().to_owned(),
            title: spec.title.clone(),
            script: spec.script.clone(),
            survey: spec.survey.clone(),
            opens_at: occurrence.opens_at,
            due_at: occurrence.due_at,
            status: if message { MESSAGED } else { OPEN },
        },
    )
    .await?;
    let Some(created) = created else {
        return Ok(false);
    };
    if message {
        let channel = ChannelKind::parse(spec.channel.as_str()).unwrap_or(ChannelKind::Sms);
        let code = spec.template.clone().unwrap_or_default();
        outbox::enqueue(
            txn,
            tenant_id,
            NewMessage {
                store_id,
                customer_id: subject.customer_id,
                channel,
                code,
                context: subject.context.clone(),
                related_id: Some(created.id),
                at: occurrence.opens_at,
            },
        )
        .await?;
    }
    Ok(true)
}

/// Handles up to `limit` pending events of every tenant; returns how many were handled.
pub async fn handle_events(db: &Database, limit: u64) -> StoreResult<u64> {
    let pending = domain_event::Entity::find()
        .filter(domain_event::Column::Kind.is_in(EVENT_KINDS))
        .filter(domain_event::Column::HandledAt.is_null())
        .order_by_asc(domain_event::Column::OccurredAt)
        .limit(limit)
        .all(&db.conn)
        .await?;
    let mut handled = 0;
    for event in pending {
        match handle_one(db, &event).await {
            Ok(true) => handled += 1,
            Ok(false) => {}
            // One event that cannot be handled (its customer erased meanwhile, say) must not
            // hold up the others: it is logged and set aside as handled.
            Err(error) => {
                tracing::error!(%error, event = %event.id, kind = %event.kind, "care could not handle an event");
                let txn = crate::db::begin_write(&db.conn).await?;
                claim(&txn, &event).await?;
                txn.commit().await?;
            }
        }
    }
    Ok(handled)
}

/// One event's tasks and messages, with the event's claim, in one transaction.
async fn handle_one(db: &Database, event: &domain_event::Model) -> StoreResult<bool> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let claimed = claim(&txn, event).await?;
    if claimed {
        react(&txn, event).await?;
    }
    txn.commit().await?;
    Ok(claimed)
}

/// Takes an event for this consumer; false when another worker took it first.
async fn claim(txn: &impl ConnectionTrait, event: &domain_event::Model) -> StoreResult<bool> {
    let taken = domain_event::Entity::update_many()
        .col_expr(domain_event::Column::HandledAt, Expr::value(Utc::now()))
        .filter(domain_event::Column::TenantId.eq(event.tenant_id))
        .filter(domain_event::Column::Id.eq(event.id))
        .filter(domain_event::Column::HandledAt.is_null())
        .exec(txn)
        .await?;
    Ok(taken.rows_affected == 1)
}

fn payload_id(event: &domain_event::Model, field: &str) -> Option<Uuid> {
    event.payload.get(field)?.as_str()?.parse().ok()
}

async fn react(txn: &impl ConnectionTrait, event: &domain_event::Model) -> StoreResult<()> {
    let (Some(store_id), Some(customer_id)) = (event.store_id, event.customer_id) else {
        return Ok(());
    };
    let tenant_id = event.tenant_id;
    let car = match event.vehicle_id {
        Some(id) => {
            vehicle::Entity::find_by_id((tenant_id, id))
                .one(txn)
                .await?
        }
        None => None,
    };
    let context = json!({
        "plate": car.as_ref().and_then(|v| v.plate.clone()).unwrap_or_default(),
        "model": car.as_ref().and_then(|v| v.model.clone().or(v.series.clone())).unwrap_or_default(),
    });
    let trigger = match event.kind.as_str() {
        "vehicle_delivered" => Trigger::VehicleDelivered,
        "repair_order_closed" => Trigger::RepairOrderClosed,
        "vehicle_ready" => {
            let message = NewMessage {
                store_id,
                customer_id,
                channel: ChannelKind::Sms,
                code: "vehicle_ready".into(),
                context,
                related_id: payload_id(event, "order_id"),
                at: event.occurred_at,
            };
            outbox::enqueue(txn, tenant_id, message).await?;
            return Ok(());
        }
        _ => return Ok(()),
    };
    plans::ensure_defaults(txn, tenant_id, store_id).await?;
    let zone = org::store_zone(txn, tenant_id, Some(store_id)).await;
    let staff = Staff::load(txn, tenant_id, store_id).await?;
    let subject = Subject {
        key: event.id.to_string(),
        customer_id,
        vehicle_id: event.vehicle_id,
        related_id: payload_id(event, "order_id"),
        consultant: payload_id(event, "consultant_id"),
        advisor: payload_id(event, "advisor_id"),
        context,
    };
    let customer_time = event
        .payload
        .get("follow_up_time")
        .and_then(Value::as_str)
        .and_then(parse_time);
    for (rule, spec) in plans::active_rules(txn, tenant_id, store_id, &[trigger]).await? {
        for mut occurrence in event_occurrences(&spec, event.occurred_at, zone) {
            if let Some(time) = customer_time.filter(|_| spec.action == Action::Task) {
                occurrence.opens_at = at_customer_time(occurrence.opens_at, time, zone)
                    .filter(|opens| *opens < occurrence.due_at)
                    .unwrap_or(occurrence.opens_at);
            }
            apply_rule(
                txn,
                tenant_id,
                store_id,
                &staff,
                &rule,
                &spec,
                &subject,
                &occurrence,
            )
            .await?;
        }
    }
    Ok(())
}

/// The first moment after `opens_at`'s next day at the time the customer said suits them (the
/// settlement sheet's follow-up time): the call is not made the same evening.
fn at_customer_time(
    opens_at: DateTime<Utc>,
    time: chrono::NaiveTime,
    zone: Tz,
) -> Option<DateTime<Utc>> {
    let day = opens_at.with_timezone(&zone).date_naive() + Duration::days(1);
    day.and_time(time)
        .and_local_timezone(zone)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// What one run of the date rules did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RunReport {
    pub stores: u64,
    pub created: u64,
}

/// Runs the date rules of every store whose day `now` has not been run yet (or, with `force`,
/// again: nothing already made is made twice).
pub async fn run_due_days(
    db: &Database,
    now: DateTime<Utc>,
    force: bool,
) -> StoreResult<RunReport> {
    let stores = org::entities::store::Entity::find().all(&db.conn).await?;
    let mut report = RunReport::default();
    for store in stores {
        let zone: Tz = store.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        let today = now.with_timezone(&zone).date_naive();
        if !force && already_run(&db.conn, store.tenant_id, store.id, today).await? {
            continue;
        }
        report.created += run_day(db, store.tenant_id, store.id, today).await?;
        report.stores += 1;
    }
    Ok(report)
}

async fn already_run(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    day: NaiveDate,
) -> StoreResult<bool> {
    Ok(care_run::Entity::find()
        .filter(care_run::Column::TenantId.eq(tenant_id))
        .filter(care_run::Column::StoreId.eq(store_id))
        .filter(care_run::Column::RunOn.eq(day))
        .filter(care_run::Column::FinishedAt.is_not_null())
        .count(db)
        .await?
        > 0)
}

const DATE_TRIGGERS: [Trigger; 6] = [
    Trigger::Birthday,
    Trigger::FamilyBirthday,
    Trigger::PurchaseAnniversary,
    Trigger::FirstMaintenance,
    Trigger::SecondMaintenance,
    Trigger::AppointmentTomorrow,
];

/// A date rule's occurrence found for `day`, waiting to be written.
struct Due {
    rule: usize,
    date: NaiveDate,
    subject: Subject,
}

/// Runs one store's date rules for `day`; returns how many tasks and messages it created.
pub async fn run_day(
    db: &Database,
    tenant_id: Uuid,
    store_id: Uuid,
    day: NaiveDate,
) -> StoreResult<u64> {
    let started_at = Utc::now();
    let txn = crate::db::begin_write(&db.conn).await?;
    plans::ensure_defaults(&txn, tenant_id, store_id).await?;
    txn.commit().await?;
    let rules = plans::active_rules(&db.conn, tenant_id, store_id, &DATE_TRIGGERS).await?;
    let care = policy::for_store(&db.conn, tenant_id, store_id).await?;
    let due = find_due(
        &db.conn,
        tenant_id,
        store_id,
        day,
        &rules,
        &care.free_services(),
    )
    .await?;
    let zone = org::store_zone(&db.conn, tenant_id, Some(store_id)).await;
    let staff = Staff::load(&db.conn, tenant_id, store_id).await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut created = 0;
    for found in due {
        let (rule, spec) = &rules[found.rule];
        let occurrence = date_occurrence(spec, found.date, zone);
        if apply_rule(
            &txn,
            tenant_id,
            store_id,
            &staff,
            rule,
            spec,
            &found.subject,
            &occurrence,
        )
        .await?
        {
            created += 1;
        }
    }
    record_run(&txn, tenant_id, store_id, day, started_at, created).await?;
    txn.commit().await?;
    Ok(created)
}

async fn record_run(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    day: NaiveDate,
    started_at: DateTime<Utc>,
    created: u64,
) -> StoreResult<()> {
    let existing = care_run::Entity::find()
        .filter(care_run::Column::TenantId.eq(tenant_id))
        .filter(care_run::Column::StoreId.eq(store_id))
        .filter(care_run::Column::RunOn.eq(day))
        .one(txn)
        .await?;
    let created = i32::try_from(created).unwrap_or(i32::MAX);
    match existing {
        Some(found) => {
            let total = found.created.saturating_add(created);
            let mut model: care_run::ActiveModel = found.into();
            model.finished_at = Set(Some(Utc::now()));
            model.created = Set(total);
            model.update(txn).await?;
        }
        None => {
            care_run::ActiveModel {
                tenant_id: Set(tenant_id),
                id: Set(Uuid::now_v7()),
                store_id: Set(store_id),
                run_on: Set(day),
                started_at: Set(started_at),
                finished_at: Set(Some(Utc::now())),
                created: Set(created),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

/// The rules' indexes for one trigger.
fn rules_of(rules: &[(care_rule::Model, RuleSpec)], trigger: Trigger) -> Vec<usize> {
    (0..rules.len())
        .filter(|i| rules[*i].1.trigger == trigger)
        .collect()
}

/// A delivered car as the date rules read it: id, owner, delivery day, plate, model.
type CarRow = (
    Uuid,
    Option<Uuid>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);

/// Reads the store's rows once and returns every date rule's occurrence due on `day`.
async fn find_due(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    day: NaiveDate,
    rules: &[(care_rule::Model, RuleSpec)],
    free: &fours_domain::care::schedule::FreeServicePolicy,
) -> StoreResult<Vec<Due>> {
    let mut due = Vec::new();
    let yearly = |trigger: Trigger,
                  date: NaiveDate,
                  due: &mut Vec<Due>,
                  subject: &dyn Fn(NaiveDate) -> Subject| {
        for rule in rules_of(rules, trigger) {
            let offset = rules[rule].1.offset_days;
            if yearly_due_today(date, offset, day) {
                let on = day - Duration::days(i64::from(offset));
                if let Some(on) = yearly_on(date, on.year()) {
                    due.push(Due {
                        rule,
                        date: on,
                        subject: subject(on),
                    });
                }
            }
        }
    };
    let birthdays: Vec<(Uuid, Option<NaiveDate>)> = customer::Entity::find()
        .select_only()
        .columns([customer::Column::Id, customer::Column::Birthday])
        .filter(customer::Column::TenantId.eq(tenant_id))
        .filter(customer::Column::StoreId.eq(store_id))
        .filter(customer::Column::DeletedAt.is_null())
        .filter(customer::Column::Birthday.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    for (id, birthday) in birthdays {
        let Some(birthday) = birthday else { continue };
        yearly(Trigger::Birthday, birthday, &mut due, &|on| Subject {
            key: format!("birthday:{id}:{}", on.year()),
            customer_id: id,
            vehicle_id: None,
            related_id: None,
            consultant: None,
            advisor: None,
            context: json!({}),
        });
    }
    let members = family_member::Entity::find()
        .filter(family_member::Column::TenantId.eq(tenant_id))
        .filter(family_member::Column::Birthday.is_not_null())
        .filter(
            family_member::Column::CustomerId.in_subquery(
                Query::select()
                    .column(customer::Column::Id)
                    .from(customer::Entity)
                    .and_where(customer::Column::TenantId.eq(tenant_id))
                    .and_where(customer::Column::StoreId.eq(store_id))
                    .and_where(customer::Column::DeletedAt.is_null())
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    for member in members {
        let Some(birthday) = member.birthday else {
            continue;
        };
        yearly(Trigger::FamilyBirthday, birthday, &mut due, &|on| Subject {
            key: format!("family_birthday:{}:{}", member.id, on.year()),
            customer_id: member.customer_id,
            vehicle_id: None,
            related_id: Some(member.id),
            consultant: None,
            advisor: None,
            context: json!({"member_name": member.name}),
        });
    }
    let cars: Vec<CarRow> = vehicle::Entity::find()
        .select_only()
        .columns([
            vehicle::Column::Id,
            vehicle::Column::OwnerId,
            vehicle::Column::DeliveryDate,
            vehicle::Column::Plate,
            vehicle::Column::Model,
        ])
        .filter(vehicle::Column::TenantId.eq(tenant_id))
        .filter(vehicle::Column::StoreId.eq(store_id))
        .filter(vehicle::Column::DeletedAt.is_null())
        .filter(vehicle::Column::DeliveryDate.is_not_null())
        .filter(vehicle::Column::OwnerId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let young_since =
        day - Duration::days(i64::from(free.second_months.max(free.first_months)) * 31 + 31);
    let mut young = Vec::new();
    for (id, owner, delivered, plate, model) in cars {
        let (Some(owner), Some(delivered)) = (owner, delivered) else {
            continue;
        };
        let context =
            json!({"plate": plate.unwrap_or_default(), "model": model.unwrap_or_default()});
        yearly(Trigger::PurchaseAnniversary, delivered, &mut due, &|on| {
            Subject {
                key: format!("purchase_anniversary:{id}:{}", on.year()),
                customer_id: owner,
                vehicle_id: Some(id),
                related_id: None,
                consultant: None,
                advisor: None,
                context: json!({"years": on.year() - delivered.year(), "plate": context["plate"], "model": context["model"]}),
            }
        });
        if delivered >= young_since {
            young.push((id, owner, delivered, context));
        }
    }
    due.extend(free_services_due(db, tenant_id, day, rules, free, young).await?);
    due.extend(appointments_due(db, tenant_id, store_id, day, rules).await?);
    Ok(due)
}

/// Free first and second services (首保/二保) of young cars due `day − offset`, unless the car
/// has already been in for service since delivery (once for the first, twice for the second).
async fn free_services_due(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    day: NaiveDate,
    rules: &[(care_rule::Model, RuleSpec)],
    free: &fours_domain::care::schedule::FreeServicePolicy,
    young: Vec<(Uuid, Uuid, NaiveDate, Value)>,
) -> StoreResult<Vec<Due>> {
    let wanted: Vec<(usize, FreeService)> = rules_of(rules, Trigger::FirstMaintenance)
        .into_iter()
        .map(|rule| (rule, FreeService::First))
        .chain(
            rules_of(rules, Trigger::SecondMaintenance)
                .into_iter()
                .map(|rule| (rule, FreeService::Second)),
        )
        .collect();
    if wanted.is_empty() || young.is_empty() {
        return Ok(Vec::new());
    }
    let mut readings: HashMap<Uuid, Vec<Reading>> = HashMap::new();
    for chunk in young.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|car| car.0).collect();
        let found: Vec<(Uuid, NaiveDate, i32)> = mileage_reading::Entity::find()
            .select_only()
            .columns([
                mileage_reading::Column::VehicleId,
                mileage_reading::Column::ReadOn,
                mileage_reading::Column::Km,
            ])
            .filter(mileage_reading::Column::TenantId.eq(tenant_id))
            .filter(mileage_reading::Column::VehicleId.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        for (vehicle_id, on, km) in found {
            let km = u32::try_from(km).unwrap_or(0);
            readings
                .entry(vehicle_id)
                .or_default()
                .push(Reading { on, km });
        }
    }
    let mut due = Vec::new();
    for (id, owner, delivered, context) in young {
        let mut history = readings.remove(&id).unwrap_or_default();
        history.push(Reading {
            on: delivered,
            km: 0,
        });
        for (rule, which) in &wanted {
            let offset = rules[*rule].1.offset_days;
            let on = free_service_due(free, *which, delivered, &history);
            if on + Duration::days(i64::from(offset)) != day {
                continue;
            }
            let needed = match which {
                FreeService::First => 1,
                FreeService::Second => 2,
            };
            if services_since(db, tenant_id, id, delivered).await? >= needed {
                continue;
            }
            let name = match which {
                FreeService::First => "first_maintenance",
                FreeService::Second => "second_maintenance",
            };
            let mut facts = context.clone();
            if let Some(map) = facts.as_object_mut() {
                map.insert("due_on".into(), on.to_string().into());
            }
            due.push(Due {
                rule: *rule,
                date: on,
                subject: Subject {
                    key: format!("{name}:{id}"),
                    customer_id: owner,
                    vehicle_id: Some(id),
                    related_id: None,
                    consultant: None,
                    advisor: None,
                    context: facts,
                },
            });
        }
    }
    Ok(due)
}

async fn services_since(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    vehicle_id: Uuid,
    delivered: NaiveDate,
) -> StoreResult<u64> {
    let since = delivered.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let mut query = repair_order::Entity::find()
        .filter(repair_order::Column::TenantId.eq(tenant_id))
        .filter(repair_order::Column::VehicleId.eq(vehicle_id))
        .filter(repair_order::Column::Status.ne("cancelled"));
    if let Some(since) = since {
        query = query.filter(repair_order::Column::CreatedAt.gte(since));
    }
    Ok(query.count(db).await?)
}

/// Tomorrow's (or the rule's day's) booked and confirmed appointments.
async fn appointments_due(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    day: NaiveDate,
    rules: &[(care_rule::Model, RuleSpec)],
) -> StoreResult<Vec<Due>> {
    let mut due = Vec::new();
    for rule in rules_of(rules, Trigger::AppointmentTomorrow) {
        let on = day - Duration::days(i64::from(rules[rule].1.offset_days));
        let booked = appointment::Entity::find()
            .filter(appointment::Column::TenantId.eq(tenant_id))
            .filter(appointment::Column::StoreId.eq(store_id))
            .filter(appointment::Column::ServiceDay.eq(on))
            .filter(appointment::Column::Status.is_in(["booked", "confirmed"]))
            .all(db)
            .await?;
        let zone = org::store_zone(db, tenant_id, Some(store_id)).await;
        for found in booked {
            let time = found
                .arrive_at
                .with_timezone(&zone)
                .format("%m-%d %H:%M")
                .to_string();
            due.push(Due {
                rule,
                date: on,
                subject: Subject {
                    key: format!("appointment:{}", found.id),
                    customer_id: found.customer_id,
                    vehicle_id: Some(found.vehicle_id),
                    related_id: Some(found.id),
                    consultant: None,
                    advisor: Some(found.advisor_id),
                    context: json!({"appointment_time": time, "number": found.number}),
                },
            });
        }
    }
    Ok(due)
}
