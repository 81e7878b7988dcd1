//! Appointments (预约): booked against the advisor's reception slot and the day's bay and
//! technician hours, confirmed the day before, and received as repair orders.
//!
//! A booking never over-books under concurrency: it first takes the store's appointment number,
//! an upsert of one `store_sequences` row that PostgreSQL locks until the booking commits (and
//! SQLite's `BEGIN IMMEDIATE` serialises every writer), so the capacity read after it sees every
//! booking committed before.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use fours_domain::access::Role;
use fours_domain::service::AppointmentStatus;
use fours_domain::service::capacity::{BookingRefusal, DayCapacity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::entities::appointment;
use super::in_scope;
use super::setup::{self, ServicePolicy};
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::{self, Actor};
use crate::sales::orders::next_number;
use crate::sales::{audit_record, store_of, text};
use crate::{customers, vehicles};

pub const REPAIR_TYPES: [&str; 5] = [
    "maintenance",
    "repair",
    "warranty",
    "accident",
    "inspection",
];

/// One job planned at booking: a labour operation (its standard time), or a described job with
/// the minutes the advisor expects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedJob {
    pub operation_id: Option<Uuid>,
    pub name: Option<String>,
    pub minutes: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    pub store_id: Option<Uuid>,
    /// The customer booking; the vehicle's owner when absent (and it must be the owner).
    pub customer_id: Option<Uuid>,
    pub vehicle_id: Uuid,
    /// The service advisor who receives the car; the caller when they are an advisor.
    pub advisor_id: Option<Uuid>,
    pub arrive_at: DateTime<Utc>,
    /// A bay and technician, or left to dispatch.
    pub bay_id: Option<Uuid>,
    pub technician_id: Option<Uuid>,
    /// `maintenance`, `repair`, `warranty`, `accident` or `inspection`.
    pub repair_type: String,
    /// The customer's concern in their own words.
    pub concern: Option<String>,
    pub jobs: Vec<PlannedJob>,
    pub parts_to_reserve: Option<String>,
    #[serde(default)]
    pub courtesy_car: bool,
    #[serde(default)]
    pub pickup: bool,
    pub payment_method: Option<String>,
    pub mileage_km: Option<i32>,
}

/// The booking's jobs with their minutes resolved, and the total.
async fn planned_work(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    jobs: &[PlannedJob],
) -> StoreResult<(Vec<PlannedJob>, u32)> {
    if jobs.is_empty() {
        return Err(StoreError::invalid("jobs", "service.no_jobs"));
    }
    let mut resolved = Vec::with_capacity(jobs.len());
    for job in jobs {
        let planned = match job.operation_id {
            Some(id) => {
                let op = setup::operation(db, actor, store_id, id).await?;
                PlannedJob {
                    operation_id: Some(op.id),
                    name: Some(op.name),
                    minutes: Some(u32::try_from(op.standard_minutes).unwrap_or(0)),
                }
            }
            None => PlannedJob {
                operation_id: None,
                name: Some(text(&job.name).ok_or_else(|| StoreError::invalid("jobs", "required"))?),
                minutes: Some(
                    job.minutes
                        .filter(|m| (1..=24 * 60).contains(m))
                        .ok_or_else(|| StoreError::invalid("jobs", "number.out_of_range"))?,
                ),
            },
        };
        resolved.push(planned);
    }
    let minutes = resolved.iter().filter_map(|j| j.minutes).sum();
    Ok((resolved, minutes))
}

/// The reception slot an arrival falls in (UTC start and end), refused outside opening hours.
fn reception_slot(
    policy: &ServicePolicy,
    zone: Tz,
    arrive_at: DateTime<Utc>,
) -> StoreResult<(NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let local = arrive_at.with_timezone(&zone);
    let minute = local.hour() * 60 + local.minute();
    if minute < policy.opens_at_minute || minute >= policy.closes_at_minute {
        return Err(StoreError::invalid("arrive_at", "booking.outside_hours"));
    }
    let slot = policy.reception_slot_minutes.max(1);
    let into_slot = (minute - policy.opens_at_minute) % slot;
    let day = local.date_naive();
    let start = local
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .map(|t| t - Duration::minutes(i64::from(into_slot)))
        .ok_or_else(|| StoreError::invalid("arrive_at", "date.format"))?
        .with_timezone(&Utc);
    Ok((day, start, start + Duration::minutes(i64::from(slot))))
}

/// Appointments of the store's day that still hold capacity.
async fn holding_on(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    day: NaiveDate,
) -> StoreResult<Vec<appointment::Model>> {
    let holding: Vec<&str> = AppointmentStatus::ALL
        .iter()
        .filter(|s| s.holds_capacity())
        .map(|s| s.as_str())
        .collect();
    Ok(appointment::Entity::find()
        .filter(appointment::Column::TenantId.eq(tenant_id))
        .filter(appointment::Column::StoreId.eq(store_id))
        .filter(appointment::Column::ServiceDay.eq(day))
        .filter(appointment::Column::Status.is_in(holding))
        .all(db)
        .await?)
}

fn minutes_of<'a>(rows: impl Iterator<Item = &'a appointment::Model>) -> u32 {
    rows.map(|a| u32::try_from(a.work_minutes).unwrap_or(0))
        .sum()
}

fn refusal(reason: BookingRefusal) -> StoreError {
    let (field, code) = match reason {
        BookingRefusal::AdvisorSlotTaken => ("arrive_at", "booking.advisor_slot_taken"),
        BookingRefusal::BayHoursFull => ("bay_id", "booking.bay_hours_full"),
        BookingRefusal::TechnicianHoursFull => ("technician_id", "booking.technician_hours_full"),
    };
    StoreError::invalid(field, code)
}

/// The day's capacity for a booking: one bay or technician when named, else all of the store's.
async fn day_capacity(
    db: &impl ConnectionTrait,
    input: &AppointmentInput,
    store_id: Uuid,
    tenant_id: Uuid,
    open_minutes: u32,
    booked: &[appointment::Model],
) -> StoreResult<DayCapacity> {
    let bays = match input.bay_id {
        Some(_) => 1,
        None => setup::store_bays(db, tenant_id, store_id).await?.len(),
    };
    let technicians = match input.technician_id {
        Some(_) => 1,
        None => setup::staff(db, tenant_id, store_id, Role::Technician)
            .await?
            .len(),
    };
    let times = |n: usize| {
        u32::try_from(n)
            .unwrap_or(u32::MAX)
            .saturating_mul(open_minutes)
    };
    let on_bay = booked
        .iter()
        .filter(|a| input.bay_id.is_none() || a.bay_id == input.bay_id);
    let on_technician = booked
        .iter()
        .filter(|a| input.technician_id.is_none() || a.technician_id == input.technician_id);
    Ok(DayCapacity {
        bay_available_minutes: times(bays),
        bay_booked_minutes: minutes_of(on_bay),
        technician_available_minutes: times(technicians),
        technician_booked_minutes: minutes_of(on_technician),
    })
}

async fn check_references(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    input: &AppointmentInput,
) -> StoreResult<(Uuid, Uuid)> {
    let vehicle = vehicles::get(db, actor, input.vehicle_id)
        .await
        .map_err(|_| StoreError::invalid("vehicle_id", "reference.not_found"))?;
    let owner = vehicle
        .owner_id
        .filter(|owner| input.customer_id.is_none_or(|given| given == *owner))
        .ok_or_else(|| StoreError::invalid("vehicle_id", "service.vehicle_not_owned"))?;
    customers::get(db, actor, owner)
        .await
        .map_err(|_| StoreError::invalid("customer_id", "reference.not_found"))?;
    if !REPAIR_TYPES.contains(&input.repair_type.as_str()) {
        return Err(StoreError::invalid("repair_type", "choice.invalid"));
    }
    let advisor_id = match (input.advisor_id, actor.role) {
        (Some(id), _) => id,
        (None, Role::ServiceAdvisor) => actor.user_id,
        (None, _) => return Err(StoreError::invalid("advisor_id", "required")),
    };
    let advisor_roles = [Role::ServiceAdvisor, Role::StoreManager, Role::Admin];
    setup::check_staff(
        db,
        actor.tenant_id,
        store_id,
        advisor_id,
        &advisor_roles,
        "advisor_id",
    )
    .await?;
    if let Some(technician) = input.technician_id {
        setup::check_staff(
            db,
            actor.tenant_id,
            store_id,
            technician,
            &[Role::Technician],
            "technician_id",
        )
        .await?;
    }
    if let Some(bay_id) = input.bay_id {
        let known = setup::store_bays(db, actor.tenant_id, store_id).await?;
        if !known.iter().any(|b| b.id == bay_id) {
            return Err(StoreError::invalid("bay_id", "reference.not_found"));
        }
    }
    if input
        .mileage_km
        .is_some_and(|km| !(0..=2_000_000).contains(&km))
    {
        return Err(StoreError::invalid("mileage_km", "number.out_of_range"));
    }
    Ok((owner, advisor_id))
}

/// Books an appointment, or refuses it with the first capacity it lacks.
pub async fn book(
    db: &Database,
    actor: &Actor,
    input: &AppointmentInput,
) -> StoreResult<appointment::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let booked = book_in(&txn, actor, input).await?;
    txn.commit().await?;
    Ok(booked)
}

async fn book_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    input: &AppointmentInput,
) -> StoreResult<appointment::Model> {
    let store_id = store_of(actor, input.store_id)?;
    let store = org::find_store(txn, actor.tenant_id, store_id).await?;
    let zone: Tz = store.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let policy = setup::policy(txn, actor.tenant_id, store_id).await?;
    let (day, slot_start, slot_end) = reception_slot(&policy, zone, input.arrive_at)?;
    if policy.closed_dates.contains(&day) {
        return Err(StoreError::invalid("arrive_at", "booking.closed_day"));
    }
    if input.arrive_at < Utc::now() - Duration::minutes(5) {
        return Err(StoreError::invalid("arrive_at", "booking.in_past"));
    }
    let (customer_id, advisor_id) = check_references(txn, actor, store_id, input).await?;
    let (jobs, work_minutes) = planned_work(txn, actor, store_id, &input.jobs).await?;
    // Serialises bookings of the store (see the module's comment) before capacity is read.
    let number = next_number(txn, actor.tenant_id, store_id, "appointment").await?;
    let booked = holding_on(txn, actor.tenant_id, store_id, day).await?;
    let slot_free = !booked
        .iter()
        .any(|a| a.advisor_id == advisor_id && a.arrive_at >= slot_start && a.arrive_at < slot_end);
    day_capacity(
        txn,
        input,
        store_id,
        actor.tenant_id,
        policy.open_minutes(),
        &booked,
    )
    .await?
    .accepts(slot_free, work_minutes)
    .map_err(refusal)?;
    let now = Utc::now();
    let created = appointment::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        number: Set(format!("{}-AP-{number:06}", store.code)),
        customer_id: Set(customer_id),
        vehicle_id: Set(input.vehicle_id),
        advisor_id: Set(advisor_id),
        arrive_at: Set(input.arrive_at),
        expected_end_at: Set(input.arrive_at + Duration::minutes(i64::from(work_minutes))),
        service_day: Set(day),
        bay_id: Set(input.bay_id),
        technician_id: Set(input.technician_id),
        repair_type: Set(input.repair_type.clone()),
        concern: Set(text(&input.concern)),
        jobs: Set(json!(jobs)),
        work_minutes: Set(i32::try_from(work_minutes).unwrap_or(i32::MAX)),
        parts_to_reserve: Set(text(&input.parts_to_reserve)),
        courtesy_car: Set(input.courtesy_car),
        pickup: Set(input.pickup),
        payment_method: Set(text(&input.payment_method)),
        mileage_km: Set(input.mileage_km),
        status: Set(AppointmentStatus::Booked.as_str().to_owned()),
        preparation: Set(json!(Preparation::default())),
        rescheduled_to: Set(None),
        repair_order_id: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit_record(txn, actor, "create", "appointment", created.id, &created).await?;
    Ok(created)
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<appointment::Model> {
    appointment::Entity::find()
        .filter(in_scope(
            actor,
            appointment::Column::TenantId,
            appointment::Column::StoreId,
        ))
        .filter(appointment::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct AppointmentFilter {
    /// The store day, `YYYY-MM-DD`.
    pub day: Option<NaiveDate>,
    /// One status: `booked`, `confirmed`, `arrived`, `no_show`, `cancelled`, `rescheduled`.
    pub status: Option<String>,
    pub advisor_id: Option<Uuid>,
    pub vehicle_id: Option<Uuid>,
}

/// A day's (or a vehicle's) appointments in arrival order.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &AppointmentFilter,
) -> StoreResult<Vec<appointment::Model>> {
    let mut query = appointment::Entity::find().filter(in_scope(
        actor,
        appointment::Column::TenantId,
        appointment::Column::StoreId,
    ));
    if let Some(day) = filter.day {
        query = query.filter(appointment::Column::ServiceDay.eq(day));
    }
    if let Some(status) = &filter.status {
        query = query.filter(appointment::Column::Status.eq(status.as_str()));
    }
    if let Some(advisor) = filter.advisor_id {
        query = query.filter(appointment::Column::AdvisorId.eq(advisor));
    }
    if let Some(vehicle) = filter.vehicle_id {
        query = query.filter(appointment::Column::VehicleId.eq(vehicle));
    }
    Ok(query
        .order_by_asc(appointment::Column::ArriveAt)
        .order_by_asc(appointment::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Moves an appointment on: `confirmed` (the call the day before), `no_show`, `cancelled`.
/// Arrival comes with reception, rescheduling with [`reschedule`].
pub async fn set_status(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    status: &str,
) -> StoreResult<appointment::Model> {
    let next = AppointmentStatus::parse(status)
        .filter(|s| {
            matches!(
                s,
                AppointmentStatus::Confirmed
                    | AppointmentStatus::NoShow
                    | AppointmentStatus::Cancelled
            )
        })
        .ok_or_else(|| StoreError::invalid("status", "choice.invalid"))?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let changed = change_status(&txn, actor, current, next, None).await?;
    txn.commit().await?;
    Ok(changed)
}

pub(crate) async fn change_status(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    current: appointment::Model,
    next: AppointmentStatus,
    link: Option<Uuid>,
) -> StoreResult<appointment::Model> {
    let from = AppointmentStatus::parse(&current.status)
        .ok_or(StoreError::Conflict("appointment status unreadable"))?;
    from.change_to(next)
        .map_err(|invalid| StoreError::invalid("status", invalid.0))?;
    let mut model: appointment::ActiveModel = current.into();
    model.status = Set(next.as_str().to_owned());
    match next {
        AppointmentStatus::Rescheduled => model.rescheduled_to = Set(link),
        AppointmentStatus::Arrived => model.repair_order_id = Set(link),
        _ => {}
    }
    model.updated_at = Set(Utc::now());
    let changed = model.update(txn).await?;
    audit_record(
        txn,
        actor,
        next.as_str(),
        "appointment",
        changed.id,
        &changed,
    )
    .await?;
    Ok(changed)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleInput {
    pub arrive_at: DateTime<Utc>,
    pub bay_id: Option<Uuid>,
    pub technician_id: Option<Uuid>,
}

/// Moves a booking to another time: the new one is booked (its capacity checked without the
/// old one) and the old one marked rescheduled, pointing at it; one transaction.
pub async fn reschedule(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &RescheduleInput,
) -> StoreResult<appointment::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    // Released first, so that the new time is checked without the old booking's hours.
    let old = change_status(&txn, actor, current, AppointmentStatus::Rescheduled, None).await?;
    let jobs: Vec<PlannedJob> = serde_json::from_value(old.jobs.clone()).unwrap_or_default();
    let again = AppointmentInput {
        store_id: Some(old.store_id),
        customer_id: Some(old.customer_id),
        vehicle_id: old.vehicle_id,
        advisor_id: Some(old.advisor_id),
        arrive_at: input.arrive_at,
        bay_id: input.bay_id,
        technician_id: input.technician_id,
        repair_type: old.repair_type.clone(),
        concern: old.concern.clone(),
        jobs,
        parts_to_reserve: old.parts_to_reserve.clone(),
        courtesy_car: old.courtesy_car,
        pickup: old.pickup,
        payment_method: old.payment_method.clone(),
        mileage_km: old.mileage_km,
    };
    let booked = book_in(&txn, actor, &again).await?;
    let mut model: appointment::ActiveModel = old.into();
    model.rescheduled_to = Set(Some(booked.id));
    model.update(&txn).await?;
    txn.commit().await?;
    Ok(booked)
}

/// The store's day as UTC bounds and its date, for lists like "tomorrow's appointments".
pub async fn store_day(db: &impl ConnectionTrait, actor: &Actor, offset_days: i64) -> NaiveDate {
    let zone = org::store_zone(db, actor.tenant_id, actor.store_id).await;
    let today = Utc::now().with_timezone(&zone).date_naive();
    today + Duration::days(offset_days)
}

/// The UTC instant of a store-local wall-clock time (the earlier one across a DST change).
pub fn at_store_time(zone: Tz, day: NaiveDate, minute_of_day: u32) -> Option<DateTime<Utc>> {
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(minute_of_day * 60, 0)?;
    zone.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Tomorrow's appointments not yet confirmed by phone.
pub async fn to_confirm(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> StoreResult<Vec<appointment::Model>> {
    let filter = AppointmentFilter {
        day: Some(store_day(db, actor, 1).await),
        status: Some(AppointmentStatus::Booked.as_str().to_owned()),
        ..Default::default()
    };
    list(db, actor, &filter).await
}

/// A vehicle on the appointment specialist's call list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueVehicle {
    pub vehicle_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub vin: String,
    pub plate: Option<String>,
    pub model: String,
    pub next_service_on: NaiveDate,
    pub mileage_km: Option<i32>,
    /// Already has an appointment that holds capacity.
    pub booked: bool,
}

/// How many cars the call list shows at once (the specialist works it soonest first).
const DUE_LIST_LIMIT: u64 = 200;

/// Vehicles whose next maintenance falls due by `within_days` from today, overdue first.
/// One range over the vehicles' `next_service_on` index, whatever the size of the archive.
pub async fn maintenance_due(
    db: &impl ConnectionTrait,
    actor: &Actor,
    within_days: u32,
) -> StoreResult<Vec<DueVehicle>> {
    use crate::vehicles::entities::vehicle;
    use sea_orm::QuerySelect;
    let today = store_day(db, actor, 0).await;
    let until = today + Duration::days(i64::from(within_days));
    let cars = vehicle::Entity::find()
        .filter(in_scope(
            actor,
            vehicle::Column::TenantId,
            vehicle::Column::StoreId,
        ))
        .filter(vehicle::Column::DeletedAt.is_null())
        .filter(vehicle::Column::NextServiceOn.lte(until))
        .order_by_asc(vehicle::Column::NextServiceOn)
        .limit(DUE_LIST_LIMIT)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = cars.iter().map(|c| c.id).collect();
    let holding: Vec<&str> = AppointmentStatus::ALL
        .iter()
        .filter(|s| s.holds_capacity() && **s != AppointmentStatus::Arrived)
        .map(|s| s.as_str())
        .collect();
    let booked: Vec<Uuid> = if ids.is_empty() {
        Vec::new()
    } else {
        appointment::Entity::find()
            .filter(appointment::Column::TenantId.eq(actor.tenant_id))
            .filter(appointment::Column::VehicleId.is_in(ids))
            .filter(appointment::Column::Status.is_in(holding))
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.vehicle_id)
            .collect()
    };
    Ok(cars
        .into_iter()
        .filter_map(|car| {
            Some(DueVehicle {
                booked: booked.contains(&car.id),
                model: vehicles::describe(&car),
                next_service_on: car.next_service_on?,
                vehicle_id: car.id,
                customer_id: car.owner_id,
                vin: car.vin,
                plate: car.plate,
                mileage_km: car.mileage_km,
            })
        })
        .collect())
}

/// The day-before preparation of a booking (准备): who and what is ready.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Preparation {
    pub advisor: bool,
    pub bay: bool,
    pub parts: bool,
    pub special_tools: bool,
    pub courtesy_car: bool,
}

impl Preparation {
    /// Everything the booking needs is ready: the courtesy car only when one was asked for,
    /// parts only when some are to be reserved.
    pub fn complete(&self, booked: &appointment::Model) -> bool {
        self.advisor
            && self.bay
            && self.special_tools
            && (self.parts || booked.parts_to_reserve.is_none())
            && (self.courtesy_car || !booked.courtesy_car)
    }
}

/// Records what is ready for a booking that is still to come.
pub async fn prepare(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    ready: &Preparation,
) -> StoreResult<appointment::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let booked = get(&txn, actor, id).await?;
    if !AppointmentStatus::parse(&booked.status)
        .is_some_and(|s| s.holds_capacity() && s != AppointmentStatus::Arrived)
    {
        return Err(StoreError::invalid("status", "appointment.closed"));
    }
    let mut model: appointment::ActiveModel = booked.into();
    model.preparation = Set(json!(ready));
    model.updated_at = Set(Utc::now());
    let changed = model.update(&txn).await?;
    audit_record(&txn, actor, "prepare", "appointment", changed.id, ready).await?;
    txn.commit().await?;
    Ok(changed)
}
