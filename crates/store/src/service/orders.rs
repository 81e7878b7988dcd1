//! Repair orders (任务委托书): reception from an appointment or a walk-in, the customer's
//! signature, the settlement sheet and payments, hand-over and cancellation. The workshop's
//! part of the life cycle is in [`super::workshop`]; both move the order only through
//! `fours_domain::service::order::RepairOrder`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use fours_domain::access::Role;
use fours_domain::service::maintenance::{MaintenancePolicy, Reading};
use fours_domain::service::order::{Approval, JobProgress, PauseReason, RepairOrder, Status};
use fours_domain::service::quality::{COMEBACK_DAYS, ConcernCategory, Visit, comeback_of};
use fours_domain::service::settlement::{
    DEFAULT_VAT_BP, Discounts, LabourLine, PartLine, Settlement, Sheet, labour_fen,
};
use fours_domain::service::warranty::{
    self, Coverage, FaultClass, Limit, SanbaoCase, SanbaoFlags, SanbaoRules,
};
use fours_domain::service::{AppointmentStatus, PayType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::entities::{repair_history, repair_job, repair_order, repair_part, service_payment};
use super::{appointments, in_scope, record_event, setup};
use crate::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::{self, Actor};
use crate::sales::orders::next_number;
use crate::sales::{audit_record, store_of, text};
use crate::vehicles::{self, entities::vehicle};

pub const OLD_PARTS: [&str; 2] = ["return", "scrap"];
pub const PAYMENT_METHODS: [&str; 6] = ["cash", "card", "wechat", "alipay", "transfer", "insurer"];
pub const DAMAGE_KINDS: [&str; 4] = ["scratch", "dent", "crack", "other"];

/// A job line as the advisor writes it: a labour operation, or a described job with minutes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    pub operation_id: Option<Uuid>,
    pub name: Option<String>,
    pub minutes: Option<u32>,
    /// `customer` (default), `warranty`, `insurance` or `internal`.
    pub pay_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartInput {
    pub part_number: String,
    pub name: String,
    /// Hundredths of the part's unit: 4.5 L of oil is 450.
    pub quantity_hundredths: u32,
    /// Tax-inclusive price per unit, integer fen.
    pub unit_price_fen: i64,
    pub pay_type: Option<String>,
    /// The job (its position on the order) the part is for.
    pub job_position: Option<u32>,
}

/// One mark of the walk-around check (环车检查).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DamageMark {
    /// Where on the car: `front_bumper`, `left_front_door`, `roof`…
    pub area: String,
    /// `scratch`, `dent`, `crack` or `other`.
    pub kind: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceptionInput {
    /// The appointment the car came for; it is marked arrived. Absent for a walk-in.
    pub appointment_id: Option<Uuid>,
    /// The car (from the appointment when there is one).
    pub vehicle_id: Option<Uuid>,
    /// The receiving advisor; the caller by default.
    pub advisor_id: Option<Uuid>,
    pub mileage_km: i32,
    /// Fuel (or charge) level, 0–100.
    pub fuel_percent: u32,
    #[serde(default)]
    pub damage: Vec<DamageMark>,
    pub valuables: Option<String>,
    pub warning_lights: Option<String>,
    /// The customer's concern in their own words.
    pub concern: String,
    /// `safety_failure`, `major_component` or `other` (default): what the 三包 check weighs.
    pub fault_class: Option<String>,
    /// What the concern is about: `maintenance`, `engine`, `transmission`, `brakes`, `chassis`,
    /// `electrical`, `air_conditioning`, `body` or `other` (default); a car back within 30 days
    /// with the same category is flagged as a comeback.
    pub concern_category: Option<String>,
    pub promised_at: DateTime<Utc>,
    pub payment_method: String,
    /// What happens to old parts: `return` (to the customer) or `scrap`.
    pub old_parts: String,
    #[serde(default)]
    pub free_wash: bool,
    /// A courtesy car handed out: its odometer and fuel.
    pub courtesy_out_km: Option<i32>,
    pub courtesy_out_fuel_percent: Option<u32>,
    /// The job lines; from an appointment, its planned jobs when none are given.
    #[serde(default)]
    pub jobs: Vec<JobInput>,
    #[serde(default)]
    pub parts: Vec<PartInput>,
}

/// The order and its job lines, as stored.
pub(crate) struct Loaded {
    pub order: repair_order::Model,
    pub jobs: Vec<repair_job::Model>,
}

impl Loaded {
    /// The state machine's view of the stored order.
    pub fn machine(&self) -> StoreResult<RepairOrder> {
        let unreadable = || StoreError::Conflict("repair order state unreadable");
        let mut jobs = Vec::with_capacity(self.jobs.len());
        for job in &self.jobs {
            jobs.push(fours_domain::service::order::Job {
                approval: Approval::parse(&job.approval).ok_or_else(unreadable)?,
                progress: JobProgress::parse(&job.progress).ok_or_else(unreadable)?,
                reworks: u32::try_from(job.reworks).unwrap_or(0),
            });
        }
        Ok(RepairOrder {
            status: Status::parse(&self.order.status).ok_or_else(unreadable)?,
            pause_reason: self
                .order
                .pause_reason
                .as_deref()
                .and_then(PauseReason::parse),
            jobs,
        })
    }

    pub fn job(&self, position: u32) -> StoreResult<&repair_job::Model> {
        self.jobs
            .iter()
            .find(|j| j.position == i32::try_from(position).unwrap_or(-1))
            .ok_or_else(|| StoreError::invalid("job_position", "service.no_such_job"))
    }
}

/// A refusal of the life cycle, reported on the field that names the step.
pub(crate) fn refused(
    field: &'static str,
) -> impl Fn(fours_domain::validation::Invalid) -> StoreError {
    move |invalid| {
        StoreError::Invalid(vec![FieldError {
            field,
            code: invalid.0,
        }])
    }
}

pub(crate) async fn load(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<Loaded> {
    let order = get(db, actor, id).await?;
    let jobs = jobs_of(db, &order).await?;
    Ok(Loaded { order, jobs })
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<repair_order::Model> {
    repair_order::Entity::find()
        .filter(in_scope(
            actor,
            repair_order::Column::TenantId,
            repair_order::Column::StoreId,
        ))
        .filter(repair_order::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The order a human number names (`GZ01-RO-000001`, typed or scanned at the parts counter),
/// among those the actor sees. Case and surrounding blanks do not matter.
pub async fn by_number(
    db: &impl ConnectionTrait,
    actor: &Actor,
    number: &str,
) -> StoreResult<repair_order::Model> {
    repair_order::Entity::find()
        .filter(in_scope(
            actor,
            repair_order::Column::TenantId,
            repair_order::Column::StoreId,
        ))
        .filter(repair_order::Column::Number.eq(number.trim().to_ascii_uppercase()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn jobs_of(
    db: &impl ConnectionTrait,
    order: &repair_order::Model,
) -> StoreResult<Vec<repair_job::Model>> {
    Ok(repair_job::Entity::find()
        .filter(repair_job::Column::TenantId.eq(order.tenant_id))
        .filter(repair_job::Column::OrderId.eq(order.id))
        .order_by_asc(repair_job::Column::Position)
        .all(db)
        .await?)
}

pub async fn parts_of(
    db: &impl ConnectionTrait,
    order: &repair_order::Model,
) -> StoreResult<Vec<repair_part::Model>> {
    Ok(repair_part::Entity::find()
        .filter(repair_part::Column::TenantId.eq(order.tenant_id))
        .filter(repair_part::Column::OrderId.eq(order.id))
        .order_by_asc(repair_part::Column::Id)
        .all(db)
        .await?)
}

pub async fn history_of(
    db: &impl ConnectionTrait,
    order: &repair_order::Model,
) -> StoreResult<Vec<repair_history::Model>> {
    Ok(repair_history::Entity::find()
        .filter(repair_history::Column::TenantId.eq(order.tenant_id))
        .filter(repair_history::Column::OrderId.eq(order.id))
        .order_by_asc(repair_history::Column::At)
        .order_by_asc(repair_history::Column::Id)
        .all(db)
        .await?)
}

pub async fn payments_of(
    db: &impl ConnectionTrait,
    order: &repair_order::Model,
) -> StoreResult<Vec<service_payment::Model>> {
    Ok(service_payment::Entity::find()
        .filter(service_payment::Column::TenantId.eq(order.tenant_id))
        .filter(service_payment::Column::OrderId.eq(order.id))
        .order_by_asc(service_payment::Column::PaidAt)
        .all(db)
        .await?)
}

pub(crate) async fn note(
    txn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    order: &repair_order::Model,
    kind: &str,
    position: Option<i32>,
    note: Option<String>,
) -> StoreResult<()> {
    repair_history::ActiveModel {
        tenant_id: Set(order.tenant_id),
        id: Set(Uuid::now_v7()),
        order_id: Set(order.id),
        at: Set(Utc::now()),
        by_user: Set(actor.map(|a| a.user_id)),
        kind: Set(kind.to_owned()),
        job_position: Set(position),
        note: Set(note),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Writes the machine's new status, pause reason and job states back, with a history line.
pub(crate) async fn persist(
    txn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    loaded: &Loaded,
    next: &RepairOrder,
    kind: &str,
    position: Option<i32>,
    remark: Option<String>,
) -> StoreResult<repair_order::Model> {
    for (job, state) in loaded.jobs.iter().zip(&next.jobs) {
        let reworks = i32::try_from(state.reworks).unwrap_or(i32::MAX);
        if job.approval == state.approval.as_str()
            && job.progress == state.progress.as_str()
            && job.reworks == reworks
        {
            continue;
        }
        let mut model: repair_job::ActiveModel = job.clone().into();
        model.approval = Set(state.approval.as_str().to_owned());
        model.progress = Set(state.progress.as_str().to_owned());
        model.reworks = Set(reworks);
        model.update(txn).await?;
    }
    let mut model: repair_order::ActiveModel = loaded.order.clone().into();
    model.status = Set(next.status.as_str().to_owned());
    model.pause_reason = Set(next.pause_reason.map(|r| r.as_str().to_owned()));
    model.updated_at = Set(Utc::now());
    let order = model.update(txn).await?;
    note(txn, actor, &order, kind, position, remark).await?;
    Ok(order)
}

fn pay_type(value: &Option<String>, field: &'static str) -> StoreResult<PayType> {
    match value.as_deref() {
        None | Some("") => Ok(PayType::Customer),
        Some(text) => {
            PayType::parse(text).ok_or_else(|| StoreError::invalid(field, "choice.invalid"))
        }
    }
}

/// A job row ready to insert: its operation's standard time or the given minutes, priced at
/// the store's rate for its pay type.
pub(crate) async fn job_row(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &repair_order::Model,
    position: i32,
    input: &JobInput,
    approval: Approval,
) -> StoreResult<repair_job::ActiveModel> {
    let (operation_id, name, minutes) = match input.operation_id {
        Some(id) => {
            let op = setup::operation(db, actor, order.store_id, id).await?;
            let minutes = u32::try_from(op.standard_minutes).unwrap_or(0);
            (Some(op.id), op.name, input.minutes.unwrap_or(minutes))
        }
        None => (
            None,
            text(&input.name).ok_or_else(|| StoreError::invalid("jobs", "required"))?,
            input
                .minutes
                .ok_or_else(|| StoreError::invalid("jobs", "required"))?,
        ),
    };
    if !(1..=24 * 60).contains(&minutes) {
        return Err(StoreError::invalid("jobs", "number.out_of_range"));
    }
    let pay = pay_type(&input.pay_type, "pay_type")?;
    let policy = setup::policy(db, order.tenant_id, order.store_id).await?;
    let price = labour_fen(minutes, policy.rate_fen(pay))
        .ok_or_else(|| StoreError::invalid("jobs", "money.too_large"))?;
    Ok(repair_job::ActiveModel {
        tenant_id: Set(order.tenant_id),
        id: Set(Uuid::now_v7()),
        order_id: Set(order.id),
        position: Set(position),
        operation_id: Set(operation_id),
        name: Set(name),
        standard_minutes: Set(i32::try_from(minutes).unwrap_or(i32::MAX)),
        pay_type: Set(pay.as_str().to_owned()),
        labour_fen: Set(price),
        approval: Set(approval.as_str().to_owned()),
        progress: Set(JobProgress::Pending.as_str().to_owned()),
        reworks: Set(0),
        technician_id: Set(None),
        finding: Set(None),
        proposed_by: Set(None),
        decided_via: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        safety_related: Set(false),
        clocked_on_at: Set(None),
        clocked_minutes: Set(0),
    })
}

pub(crate) async fn insert_parts(
    txn: &impl ConnectionTrait,
    order: &repair_order::Model,
    parts: &[PartInput],
    job_count: usize,
) -> StoreResult<()> {
    for part in parts {
        let number = text(&Some(part.part_number.clone()))
            .ok_or_else(|| StoreError::invalid("part_number", "required"))?;
        let name = text(&Some(part.name.clone()))
            .ok_or_else(|| StoreError::invalid("name", "required"))?;
        if part.quantity_hundredths == 0 || part.quantity_hundredths > 1_000_000 {
            return Err(StoreError::invalid(
                "quantity_hundredths",
                "number.out_of_range",
            ));
        }
        if part.unit_price_fen < 0 {
            return Err(StoreError::invalid("unit_price_fen", "money.negative"));
        }
        if part
            .job_position
            .is_some_and(|p| usize::try_from(p).unwrap_or(usize::MAX) >= job_count)
        {
            return Err(StoreError::invalid("job_position", "service.no_such_job"));
        }
        let catalogued = crate::parts::catalogue::by_number(txn, order.tenant_id, &number).await?;
        repair_part::ActiveModel {
            tenant_id: Set(order.tenant_id),
            id: Set(Uuid::now_v7()),
            order_id: Set(order.id),
            job_position: Set(part.job_position.and_then(|p| i32::try_from(p).ok())),
            part_number: Set(number),
            name: Set(name),
            quantity_hundredths: Set(i32::try_from(part.quantity_hundredths).unwrap_or(0)),
            unit_price_fen: Set(part.unit_price_fen),
            pay_type: Set(pay_type(&part.pay_type, "pay_type")?.as_str().to_owned()),
            part_id: Set(catalogued.map(|p| p.id)),
            issued_hundredths: Set(0),
            short_at: Set(None),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

fn check_reception(input: &ReceptionInput) -> StoreResult<()> {
    let mut errors = Vec::new();
    let mut fail =
        |field: &'static str, code: &'static str| errors.push(FieldError { field, code });
    if !(0..=2_000_000).contains(&input.mileage_km) {
        fail("mileage_km", "number.out_of_range");
    }
    if input.fuel_percent > 100 {
        fail("fuel_percent", "number.out_of_range");
    }
    if text(&Some(input.concern.clone())).is_none() {
        fail("concern", "required");
    }
    if !PAYMENT_METHODS.contains(&input.payment_method.as_str()) {
        fail("payment_method", "choice.invalid");
    }
    if !OLD_PARTS.contains(&input.old_parts.as_str()) {
        fail("old_parts", "choice.invalid");
    }
    if input
        .fault_class
        .as_deref()
        .is_some_and(|f| FaultClass::parse(f).is_none())
    {
        fail("fault_class", "choice.invalid");
    }
    if input
        .concern_category
        .as_deref()
        .is_some_and(|c| ConcernCategory::parse(c).is_none())
    {
        fail("concern_category", "choice.invalid");
    }
    if input.promised_at <= Utc::now() - Duration::minutes(5) {
        fail("promised_at", "service.promise_in_past");
    }
    if input
        .damage
        .iter()
        .any(|d| d.area.trim().is_empty() || !DAMAGE_KINDS.contains(&d.kind.as_str()))
    {
        fail("damage", "choice.invalid");
    }
    if input.courtesy_out_fuel_percent.is_some_and(|f| f > 100) {
        fail("courtesy_out_fuel_percent", "number.out_of_range");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// Receives a car: the repair order with its signed jobs and parts, the odometer reading in the
/// car's history, and the appointment marked arrived. One transaction.
pub async fn receive(
    db: &Database,
    actor: &Actor,
    input: &ReceptionInput,
) -> StoreResult<repair_order::Model> {
    check_reception(input)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let appointment = match input.appointment_id {
        Some(id) => Some(
            appointments::get(&txn, actor, id)
                .await
                .map_err(|_| StoreError::invalid("appointment_id", "reference.not_found"))?,
        ),
        None => None,
    };
    let vehicle_id = appointment
        .as_ref()
        .map(|a| a.vehicle_id)
        .or(input.vehicle_id)
        .ok_or_else(|| StoreError::invalid("vehicle_id", "required"))?;
    let car = vehicles::get(&txn, actor, vehicle_id)
        .await
        .map_err(|_| StoreError::invalid("vehicle_id", "reference.not_found"))?;
    let customer_id = car
        .owner_id
        .ok_or_else(|| StoreError::invalid("vehicle_id", "service.vehicle_not_owned"))?;
    let store_id = match &appointment {
        Some(booked) => booked.store_id,
        None => store_of(actor, None).or(Ok::<_, StoreError>(car.store_id))?,
    };
    let advisor_id = input.advisor_id.unwrap_or(actor.user_id);
    let advisors = [Role::ServiceAdvisor, Role::StoreManager, Role::Admin];
    setup::check_staff(
        &txn,
        actor.tenant_id,
        store_id,
        advisor_id,
        &advisors,
        "advisor_id",
    )
    .await?;
    // A booked car brings the jobs planned at booking unless the advisor writes others.
    let jobs = match (&appointment, input.jobs.is_empty()) {
        (Some(booked), true) => planned_jobs(booked),
        _ => input.jobs.clone(),
    };
    RepairOrder::open(jobs.len()).map_err(refused("jobs"))?;
    let store = org::find_store(&txn, actor.tenant_id, store_id).await?;
    let number = next_number(&txn, actor.tenant_id, store_id, "repair_order").await?;
    let now = Utc::now();
    let category = input
        .concern_category
        .as_deref()
        .and_then(ConcernCategory::parse)
        .unwrap_or(ConcernCategory::Other);
    let comeback_of = comeback(&txn, actor, vehicle_id, category, now).await?;
    let order = repair_order::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        number: Set(format!("{}-RO-{number:06}", store.code)),
        appointment_id: Set(appointment.as_ref().map(|a| a.id)),
        customer_id: Set(customer_id),
        vehicle_id: Set(vehicle_id),
        advisor_id: Set(advisor_id),
        status: Set(Status::Open.as_str().to_owned()),
        pause_reason: Set(None),
        received_at: Set(now),
        mileage_km: Set(input.mileage_km),
        fuel_percent: Set(i32::try_from(input.fuel_percent).unwrap_or(0)),
        damage: Set(json!(input.damage)),
        valuables: Set(text(&input.valuables)),
        warning_lights: Set(text(&input.warning_lights)),
        concern: Set(input.concern.trim().to_owned()),
        concern_category: Set(category.as_str().to_owned()),
        comeback_of: Set(comeback_of),
        fault_class: Set(input.fault_class.clone().unwrap_or_else(|| "other".into())),
        promised_at: Set(input.promised_at),
        payment_method: Set(input.payment_method.clone()),
        old_parts: Set(input.old_parts.clone()),
        free_wash: Set(input.free_wash),
        courtesy_out_km: Set(input.courtesy_out_km),
        courtesy_out_fuel_percent: Set(input
            .courtesy_out_fuel_percent
            .and_then(|f| i32::try_from(f).ok())),
        signed_by: Set(None),
        signature: Set(None),
        signed_at: Set(None),
        team: Set(None),
        priority: Set(0),
        bay_id: Set(appointment.as_ref().and_then(|a| a.bay_id)),
        internal_check: Set(json!({})),
        labour_discount_bp: Set(0),
        parts_discount_bp: Set(0),
        customer_total_fen: Set(0),
        paid_fen: Set(0),
        next_service_on: Set(None),
        next_service_km: Set(None),
        follow_up_time: Set(None),
        ready_at: Set(None),
        settled_at: Set(None),
        closed_at: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    for (position, job) in jobs.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        let mut row = job_row(&txn, actor, &order, position, job, Approval::Approved).await?;
        row.technician_id = Set(appointment.as_ref().and_then(|a| a.technician_id));
        row.insert(&txn).await?;
    }
    insert_parts(&txn, &order, &input.parts, jobs.len()).await?;
    let today = appointments::store_day(&txn, actor, 0).await;
    vehicles::record_mileage(&txn, actor, &car, today, input.mileage_km, "service")
        .await
        .map_err(|_| StoreError::invalid("mileage_km", "mileage.decreasing"))?;
    if let Some(booked) = appointment {
        if booked.vehicle_id != vehicle_id
            || !AppointmentStatus::parse(&booked.status)
                .is_some_and(|s| s.holds_capacity() && s != AppointmentStatus::Arrived)
        {
            return Err(StoreError::invalid("appointment_id", "appointment.closed"));
        }
        appointments::change_status(
            &txn,
            actor,
            booked,
            AppointmentStatus::Arrived,
            Some(order.id),
        )
        .await?;
    }
    note(&txn, Some(actor), &order, "received", None, None).await?;
    audit_record(&txn, actor, "create", "repair_order", order.id, &order).await?;
    txn.commit().await?;
    Ok(order)
}

/// The car's earlier order this visit comes back to, by the comeback rule.
async fn comeback(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    vehicle_id: Uuid,
    category: ConcernCategory,
    now: DateTime<Utc>,
) -> StoreResult<Option<Uuid>> {
    let zone = org::store_zone(txn, actor.tenant_id, actor.store_id).await;
    let day = |at: DateTime<Utc>| at.with_timezone(&zone).date_naive();
    let since = now - Duration::days(COMEBACK_DAYS + 1);
    let earlier: Vec<repair_order::Model> = repair_order::Entity::find()
        .filter(repair_order::Column::TenantId.eq(actor.tenant_id))
        .filter(repair_order::Column::VehicleId.eq(vehicle_id))
        .filter(repair_order::Column::ReceivedAt.gte(since))
        .filter(repair_order::Column::Status.ne(Status::Cancelled.as_str()))
        .all(txn)
        .await?;
    let visits: Vec<Visit> = earlier
        .iter()
        .map(|o| Visit {
            on: day(o.closed_at.unwrap_or(o.received_at)),
            concern: ConcernCategory::parse(&o.concern_category).unwrap_or(ConcernCategory::Other),
        })
        .collect();
    let this = Visit {
        on: day(now),
        concern: category,
    };
    Ok(comeback_of(&visits, &this).and_then(|found| {
        earlier
            .iter()
            .filter(|o| day(o.closed_at.unwrap_or(o.received_at)) == found.on)
            .filter(|o| o.concern_category == found.concern.as_str())
            .map(|o| o.id)
            .next()
    }))
}

/// The jobs planned on a booking, as customer-paid job lines.
fn planned_jobs(booked: &super::entities::appointment::Model) -> Vec<JobInput> {
    serde_json::from_value::<Vec<appointments::PlannedJob>>(booked.jobs.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|planned| JobInput {
            operation_id: planned.operation_id,
            name: planned.name,
            minutes: planned.minutes,
            pay_type: None,
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureInput {
    /// Who signed: the customer or their driver.
    pub signed_by: String,
    /// The signature drawn on the tablet, as a `data:image/png;base64,…` URL.
    pub signature: String,
}

/// 256 KB is far more than a signature drawn on a tablet needs.
const MAX_SIGNATURE_BYTES: usize = 256 * 1024;

/// The customer signs the repair order (before work starts).
pub async fn sign(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &SignatureInput,
) -> StoreResult<repair_order::Model> {
    let signed_by = text(&Some(input.signed_by.clone()))
        .ok_or_else(|| StoreError::invalid("signed_by", "required"))?;
    if !input.signature.starts_with("data:image/") || input.signature.len() > MAX_SIGNATURE_BYTES {
        return Err(StoreError::invalid("signature", "service.signature_format"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    if !matches!(
        Status::parse(&current.status),
        Some(Status::Open | Status::Dispatched)
    ) {
        return Err(StoreError::invalid("signature", "service.work_started"));
    }
    let mut model: repair_order::ActiveModel = current.into();
    model.signed_by = Set(Some(signed_by.clone()));
    model.signature = Set(Some(input.signature.clone()));
    model.signed_at = Set(Some(Utc::now()));
    model.updated_at = Set(Utc::now());
    let order = model.update(&txn).await?;
    note(&txn, Some(actor), &order, "signed", None, Some(signed_by)).await?;
    audit_record(
        &txn,
        actor,
        "sign",
        "repair_order",
        order.id,
        &json!({"signed_by": order.signed_by}),
    )
    .await?;
    txn.commit().await?;
    Ok(order)
}

/// The settlement sheet from the order's billable lines: approved jobs, and parts of jobs that
/// were not declined.
pub fn sheet(
    order: &repair_order::Model,
    jobs: &[repair_job::Model],
    parts: &[repair_part::Model],
    payments: &[service_payment::Model],
) -> Sheet {
    let declined: Vec<i32> = jobs
        .iter()
        .filter(|j| j.approval != Approval::Approved.as_str())
        .map(|j| j.position)
        .collect();
    let pay = |text: &str| PayType::parse(text).unwrap_or(PayType::Customer);
    let labour = jobs
        .iter()
        .filter(|j| j.approval == Approval::Approved.as_str())
        .map(|j| LabourLine {
            minutes: u32::try_from(j.standard_minutes).unwrap_or(0),
            // The line was priced when it was written; keep that price whatever the rate now.
            rate_fen_per_hour: if j.standard_minutes > 0 {
                j.labour_fen * 60 / i64::from(j.standard_minutes)
            } else {
                0
            },
            pay_type: pay(&j.pay_type),
        })
        .collect();
    let parts = parts
        .iter()
        .filter(|p| p.job_position.is_none_or(|pos| !declined.contains(&pos)))
        .map(|p| PartLine {
            quantity_hundredths: u32::try_from(p.quantity_hundredths).unwrap_or(0),
            unit_price_fen: p.unit_price_fen,
            pay_type: pay(&p.pay_type),
        })
        .collect();
    Sheet {
        labour,
        parts,
        discounts: Discounts {
            labour_bp: u32::try_from(order.labour_discount_bp).unwrap_or(0),
            parts_bp: u32::try_from(order.parts_discount_bp).unwrap_or(0),
        },
        vat_bp: DEFAULT_VAT_BP,
        payments_fen: payments.iter().map(|p| p.amount_fen).collect(),
    }
}

pub fn settle_sheet(sheet: &Sheet) -> StoreResult<Settlement> {
    sheet.settle().map_err(|e| {
        StoreError::Invalid(vec![FieldError {
            field: e.field,
            code: e.invalid.0,
        }])
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementInput {
    /// Discounts off the customer's labour and parts, basis points (八折 on labour: 2000).
    pub labour_discount_bp: Option<u32>,
    pub parts_discount_bp: Option<u32>,
    /// A payment taken now.
    pub payment_fen: Option<i64>,
    pub payment_method: Option<String>,
}

/// Applies discounts and takes a payment; the order is settled when nothing is left to pay.
pub async fn settle(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &SettlementInput,
) -> StoreResult<Settlement> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut loaded = load(&txn, actor, id).await?;
    // Settling with nothing due is what the order must be ready for; the balance comes later.
    loaded.machine()?.settle(0).map_err(refused("status"))?;
    let mut model: repair_order::ActiveModel = loaded.order.clone().into();
    if let Some(bp) = input.labour_discount_bp {
        model.labour_discount_bp = Set(i32::try_from(bp).unwrap_or(i32::MAX));
    }
    if let Some(bp) = input.parts_discount_bp {
        model.parts_discount_bp = Set(i32::try_from(bp).unwrap_or(i32::MAX));
    }
    loaded.order = model.update(&txn).await?;
    if let Some(amount) = input.payment_fen {
        let method = input.payment_method.clone().unwrap_or_default();
        if !PAYMENT_METHODS.contains(&method.as_str()) {
            return Err(StoreError::invalid("payment_method", "choice.invalid"));
        }
        if amount <= 0 {
            return Err(StoreError::invalid("payment_fen", "number.out_of_range"));
        }
        service_payment::ActiveModel {
            tenant_id: Set(actor.tenant_id),
            id: Set(Uuid::now_v7()),
            order_id: Set(id),
            amount_fen: Set(amount),
            method: Set(method),
            paid_at: Set(Utc::now()),
            received_by: Set(actor.user_id),
        }
        .insert(&txn)
        .await?;
    }
    let parts = parts_of(&txn, &loaded.order).await?;
    let payments = payments_of(&txn, &loaded.order).await?;
    let figures = settle_sheet(&sheet(&loaded.order, &loaded.jobs, &parts, &payments))?;
    if figures.balance_due_fen < 0 {
        return Err(StoreError::invalid("payment_fen", "settlement.overpaid"));
    }
    let mut model: repair_order::ActiveModel = loaded.order.clone().into();
    model.customer_total_fen = Set(figures.customer_total_fen);
    model.paid_fen = Set(figures.paid_fen);
    loaded.order = model.update(&txn).await?;
    if figures.balance_due_fen == 0 {
        let next = loaded
            .machine()?
            .settle(figures.balance_due_fen)
            .map_err(refused("status"))?;
        let order = persist(&txn, Some(actor), &loaded, &next, "settled", None, None).await?;
        let mut model: repair_order::ActiveModel = order.into();
        model.settled_at = Set(Some(Utc::now()));
        model.update(&txn).await?;
    }
    audit_record(
        &txn,
        actor,
        "settle",
        "repair_order",
        id,
        &json!({
            "customer_total_fen": figures.customer_total_fen,
            "paid_fen": figures.paid_fen,
            "payment_fen": input.payment_fen,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(figures)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// The next maintenance, written on the settlement sheet; estimated from the store's
    /// interval and the car's own pace when absent.
    pub next_service_on: Option<NaiveDate>,
    pub next_service_km: Option<i32>,
    /// When the customer would like the follow-up call (e.g. "weekday evenings").
    pub follow_up_time: Option<String>,
    /// Who signed that they declined safety-related work (required when there is any).
    pub declined_safety_signed_by: Option<String>,
}

/// Hands the car back: the order closes, the car keeps its next maintenance date, and a
/// `repair_order_closed` event asks for the 3-day follow-up call.
pub async fn close(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &CloseInput,
) -> StoreResult<repair_order::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let loaded = load(&txn, actor, id).await?;
    let next = loaded.machine()?.close().map_err(refused("status"))?;
    let declined_safety: Vec<&str> = loaded
        .jobs
        .iter()
        .filter(|j| j.safety_related && j.approval == Approval::Declined.as_str())
        .map(|j| j.name.as_str())
        .collect();
    let signed_by = text(&input.declined_safety_signed_by);
    if !declined_safety.is_empty() && signed_by.is_none() {
        return Err(StoreError::invalid(
            "declined_safety_signed_by",
            "service.declined_safety_unsigned",
        ));
    }
    if let Some(name) = &signed_by {
        let remark = format!("{name}: {}", declined_safety.join("、"));
        note(
            &txn,
            Some(actor),
            &loaded.order,
            "declined_safety_signed",
            None,
            Some(remark),
        )
        .await?;
    }
    let car = vehicle::Entity::find_by_id((actor.tenant_id, loaded.order.vehicle_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let today = appointments::store_day(&txn, actor, 0).await;
    let km = u32::try_from(loaded.order.mileage_km).unwrap_or(0);
    let readings: Vec<Reading> = vehicles::mileage(&txn, actor, car.id)
        .await?
        .iter()
        .map(|r| Reading {
            on: r.read_on,
            km: u32::try_from(r.km).unwrap_or(0),
        })
        .collect();
    let policy = MaintenancePolicy::default();
    let serviced = Reading { on: today, km };
    let due_on = input
        .next_service_on
        .unwrap_or_else(|| policy.due(serviced, &readings).on);
    let due_km = input
        .next_service_km
        .unwrap_or_else(|| i32::try_from(policy.next_after(serviced).km).unwrap_or(i32::MAX));
    let order = persist(&txn, Some(actor), &loaded, &next, "closed", None, None).await?;
    let mut model: repair_order::ActiveModel = order.into();
    model.next_service_on = Set(Some(due_on));
    model.next_service_km = Set(Some(due_km));
    model.follow_up_time = Set(text(&input.follow_up_time));
    model.closed_at = Set(Some(Utc::now()));
    let order = model.update(&txn).await?;
    set_next_service(&txn, actor.tenant_id, car.id, due_on).await?;
    let payload = json!({
        "order_id": order.id,
        "order_number": order.number,
        "advisor_id": order.advisor_id,
        "closed_on": today,
        "follow_up_time": order.follow_up_time,
    });
    record_event(&txn, &order, "repair_order_closed", payload, Utc::now()).await?;
    audit_record(&txn, actor, "close", "repair_order", order.id, &order).await?;
    txn.commit().await?;
    Ok(order)
}

/// Puts a car on the maintenance-due list for `due_on` (the appointment specialist's calls).
pub async fn set_next_service(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    vehicle_id: Uuid,
    due_on: NaiveDate,
) -> StoreResult<()> {
    vehicle::Entity::update_many()
        .col_expr(
            vehicle::Column::NextServiceOn,
            sea_orm::sea_query::Expr::value(due_on),
        )
        .filter(vehicle::Column::TenantId.eq(tenant_id))
        .filter(vehicle::Column::Id.eq(vehicle_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Withdraws an order before work starts.
pub async fn cancel(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    reason: Option<String>,
) -> StoreResult<repair_order::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let loaded = load(&txn, actor, id).await?;
    let next = loaded.machine()?.cancel().map_err(refused("status"))?;
    let order = persist(
        &txn,
        Some(actor),
        &loaded,
        &next,
        "cancelled",
        None,
        text(&reason),
    )
    .await?;
    audit_record(&txn, actor, "cancel", "repair_order", order.id, &order).await?;
    txn.commit().await?;
    Ok(order)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct OrderFilter {
    /// One status, or `active` for every order not closed or cancelled.
    pub status: Option<String>,
    pub vehicle_id: Option<Uuid>,
    pub advisor_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &OrderFilter,
) -> StoreResult<Vec<repair_order::Model>> {
    let mut query = repair_order::Entity::find().filter(in_scope(
        actor,
        repair_order::Column::TenantId,
        repair_order::Column::StoreId,
    ));
    match filter.status.as_deref() {
        Some("active") => {
            let active = Status::ALL
                .iter()
                .filter(|s| !matches!(s, Status::Closed | Status::Cancelled))
                .map(|s| s.as_str());
            query = query.filter(repair_order::Column::Status.is_in(active));
        }
        Some(status) => query = query.filter(repair_order::Column::Status.eq(status)),
        None => {}
    }
    if let Some(vehicle) = filter.vehicle_id {
        query = query.filter(repair_order::Column::VehicleId.eq(vehicle));
    }
    if let Some(advisor) = filter.advisor_id {
        query = query.filter(repair_order::Column::AdvisorId.eq(advisor));
    }
    Ok(query
        .order_by_desc(repair_order::Column::ReceivedAt)
        .limit(200)
        .all(db)
        .await?)
}

/// What the advisor sees beside the order: the car's warranty, the 三包 flags, its earlier
/// orders and the work the customer declined before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VehicleStanding {
    /// Maker's warranty: `covered` with days and km left, or `expired`.
    pub warranty: String,
    pub warranty_last_day: Option<NaiveDate>,
    pub warranty_km_left: Option<u32>,
    pub sanbao_in_period: bool,
    pub sanbao_early_failure: bool,
    pub sanbao_component_replacement: bool,
    pub sanbao_repeated_fault: bool,
    pub sanbao_repair_days_exceeded: bool,
    /// The customer may choose a new car or a refund (escalate to the maker).
    pub sanbao_replacement_or_refund: bool,
    /// Earlier orders of the car, newest first.
    pub earlier_orders: Vec<EarlierOrder>,
    /// Jobs proposed on earlier orders that the customer declined.
    pub declined_before: Vec<String>,
    /// Recalls and campaigns the car still has open.
    pub open_campaigns: Vec<super::campaigns::OpenCampaign>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EarlierOrder {
    pub id: Uuid,
    pub number: String,
    pub received_at: DateTime<Utc>,
    pub concern: String,
    pub status: String,
}

pub async fn standing(
    db: &impl ConnectionTrait,
    actor: &Actor,
    order: &repair_order::Model,
) -> StoreResult<VehicleStanding> {
    let car = vehicle::Entity::find_by_id((order.tenant_id, order.vehicle_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let earlier: Vec<repair_order::Model> = repair_order::Entity::find()
        .filter(repair_order::Column::TenantId.eq(order.tenant_id))
        .filter(repair_order::Column::VehicleId.eq(order.vehicle_id))
        .filter(repair_order::Column::Id.ne(order.id))
        .filter(repair_order::Column::ReceivedAt.lte(order.received_at))
        .order_by_desc(repair_order::Column::ReceivedAt)
        .all(db)
        .await?;
    let earlier_ids: Vec<Uuid> = earlier.iter().map(|o| o.id).collect();
    let declined_before = if earlier_ids.is_empty() {
        Vec::new()
    } else {
        repair_job::Entity::find()
            .filter(repair_job::Column::TenantId.eq(order.tenant_id))
            .filter(repair_job::Column::OrderId.is_in(earlier_ids))
            .filter(repair_job::Column::Approval.eq(Approval::Declined.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|j| j.name)
            .collect()
    };
    let zone = org::store_zone(db, actor.tenant_id, Some(order.store_id)).await;
    let today = order.received_at.with_timezone(&zone).date_naive();
    let km = u32::try_from(order.mileage_km).unwrap_or(0);
    let start = car.warranty_start.or(car.delivery_date);
    let limit = Limit {
        months: car
            .warranty_months
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(Limit::STATUTORY_REPAIR.months),
        km: car
            .warranty_km
            .and_then(|k| u32::try_from(k).ok())
            .unwrap_or(Limit::STATUTORY_REPAIR.km),
    };
    let coverage = start.map(|s| warranty::coverage(limit, s, today, km));
    let flags = match car.delivery_date.or(car.warranty_start) {
        Some(start) => {
            let rules = SanbaoRules::for_invoice_date(start);
            let in_period: Vec<&repair_order::Model> = earlier
                .iter()
                .filter(|o| o.received_at.with_timezone(&zone).date_naive() >= start)
                .collect();
            let same_fault = in_period
                .iter()
                .filter(|o| o.concern == order.concern && o.status != Status::Cancelled.as_str())
                .count();
            let repair_days: i64 = in_period
                .iter()
                .chain(std::iter::once(&order))
                .map(|o| {
                    let end = o.closed_at.unwrap_or_else(Utc::now);
                    (end - o.received_at).num_days() + 1
                })
                .sum();
            let case = SanbaoCase {
                fault: FaultClass::parse(&order.fault_class).unwrap_or(FaultClass::Other),
                earlier_repairs_of_fault: u32::try_from(same_fault).unwrap_or(u32::MAX),
                repair_days: u32::try_from(repair_days).unwrap_or(u32::MAX),
            };
            rules.assess(start, today, km, &case)
        }
        None => SanbaoFlags::default(),
    };
    let (warranty, last_day, km_left) = match coverage {
        Some(Coverage::Covered {
            last_day, km_left, ..
        }) => ("covered", Some(last_day), Some(km_left)),
        Some(Coverage::Expired { .. }) => ("expired", None, None),
        None => ("unknown", None, None),
    };
    Ok(VehicleStanding {
        warranty: warranty.to_owned(),
        warranty_last_day: last_day,
        warranty_km_left: km_left,
        sanbao_in_period: flags.in_period,
        sanbao_early_failure: flags.early_failure,
        sanbao_component_replacement: flags.component_replacement,
        sanbao_repeated_fault: flags.repeated_fault,
        sanbao_repair_days_exceeded: flags.repair_days_exceeded,
        sanbao_replacement_or_refund: flags.replacement_or_refund(),
        earlier_orders: earlier
            .into_iter()
            .map(|o| EarlierOrder {
                id: o.id,
                number: o.number,
                received_at: o.received_at,
                concern: o.concern,
                status: o.status,
            })
            .collect(),
        open_campaigns: super::campaigns::open_for(db, order.tenant_id, car.id, &car.vin, today)
            .await?,
        declined_before,
    })
}
