//! `fours bench care`: the daily care generation (`care::generate::run_due_days`) over a
//! group's archive (by default 1M customers and their cars in 20 stores, birthdays over the
//! year, one customer in ten with a family member's birthday, cars delivered over the last five
//! years with odometer readings, and a few hundred appointments tomorrow), against a floor of
//! the same SELECTs with the rows fetched and nothing checked or written. Target: at most 2×.

use std::sync::LazyLock;
use std::time::{Duration as StdDuration, Instant};

use anyhow::{Result, ensure};
use chrono::{DateTime, Days, Duration, FixedOffset, NaiveDate, Utc};
use clap::Args;
use fours_domain::access::Role;
use fours_domain::care::plan::{Trigger, default_plans};
use fours_store::care::entities::{care_run, care_task, outbox_message};
use fours_store::care::generate::run_due_days;
use fours_store::care::{plans, policy, templates};
use fours_store::customers::entities::{customer, family_member};
use fours_store::customers::input::RELATIONS;
use fours_store::org::{self, entities::user};
use fours_store::service::entities::{appointment, repair_order};
use fours_store::vehicles::entities::{mileage_reading, vehicle};
use fours_store::{Database, db};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::bulk::{BulkSink, CUSTOMERS, Cell, CustomerRow, Table, VEHICLES, VehicleRow};
use super::funnel::staff;
use super::service::stores;
use super::{Scratch, Targets, backends, scratch, work_dir};

#[derive(Args)]
pub struct CareArgs {
    /// Cars, one customer each.
    #[arg(long, default_value_t = 1_000_000)]
    vehicles: usize,
    #[arg(long, default_value_t = 20)]
    stores: usize,
    #[command(flatten)]
    targets: Targets,
}

/// The floor is timed this many times; the table shows the median.
const FLOOR_RUNS: usize = 3;
/// Per store: appointments booked or confirmed for tomorrow, cancelled for tomorrow, and
/// booked for the days after.
const TOMORROW: usize = 15;
const CANCELLED: usize = 3;
const LATER: usize = 10;
/// SQLite commits after this many cars, to keep the write-ahead log small.
const CARS_PER_COMMIT: usize = 50_000;

pub async fn run(args: CareArgs) -> Result<()> {
    let work = work_dir(&args.targets)?;
    println!(
        "| database | customers / cars | rows read | created tasks / messages | floor (median of 3) | generation | ratio (target ≤ 2) | second run (created) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, postgres) in backends(&args.targets) {
        let target = scratch(&work, postgres, "care").await?;
        let stores = stores(&target, args.stores).await?;
        let mut advisors = Vec::with_capacity(stores.len());
        for (s, store) in stores.iter().enumerate() {
            staff(&target, *store, &format!("care_{s}"), Role::CustomerCare).await?;
            staff(
                &target,
                *store,
                &format!("sales_{s}"),
                Role::SalesConsultant,
            )
            .await?;
            advisors.push(
                staff(
                    &target,
                    *store,
                    &format!("advisor_{s}"),
                    Role::ServiceAdvisor,
                )
                .await?
                .id,
            );
        }
        // One moment for the data, the floor and both runs, so that they see the same day.
        let now = Utc::now();
        let today = store_day(now);
        let started = Instant::now();
        load(&target, &stores, &advisors, args.vehicles, today).await?;
        db::refresh_statistics(&target.database.conn).await?;
        if postgres.is_some() {
            // A settled archive, as the daily run meets it: hint bits and the visibility map
            // set now rather than by the first reads, and no autovacuum of the fresh load
            // running during the measurements.
            target
                .database
                .conn
                .execute_unprepared("VACUUM (ANALYZE)")
                .await?;
        }
        eprintln!(
            "{label}: loaded {} customers and cars in {:.0} s (store day {today})",
            args.vehicles,
            started.elapsed().as_secs_f64()
        );
        let tenant = target.actor.tenant_id;

        // The floor's runs are interleaved with the generation's so that both see the same
        // load on a shared machine: floor, fresh run, floor, second run, floor.
        let mut floors = Vec::with_capacity(FLOOR_RUNS);
        let mut rows = Rows::default();
        let mut fresh = None;
        let mut again = None;
        for run in 0..FLOOR_RUNS {
            let started = Instant::now();
            let read = floor(&target.database, tenant, &stores, today).await?;
            floors.push(started.elapsed());
            eprintln!(
                "{label}: floor run {}: {:.2} s, {read}",
                run + 1,
                floors[run].as_secs_f64()
            );
            ensure!(
                run == 0 || read.counts() == rows.counts(),
                "floor runs read different rows"
            );
            rows = read;
            let slot = match run {
                0 => &mut fresh,
                1 => &mut again,
                _ => continue,
            };
            let started = Instant::now();
            let report = run_due_days(&target.database, now, true).await?;
            let took = started.elapsed();
            ensure!(
                report.stores == stores.len() as u64,
                "ran {} stores",
                report.stores
            );
            eprintln!(
                "{label}: {} run: {:.2} s, created {}",
                if run == 0 { "fresh" } else { "second" },
                took.as_secs_f64(),
                report.created
            );
            if run == 0 {
                report_created(&target, label).await?;
            }
            *slot = Some((report, took));
        }
        let (Some((fresh, generation)), Some((again, second))) = (fresh, again) else {
            anyhow::bail!("the generation did not run twice");
        };
        ensure!(
            again.created == 0,
            "the second run created {}",
            again.created
        );
        floors.sort();
        let floor_time = floors[FLOOR_RUNS / 2];
        let conn = &target.database.conn;
        let tasks = care_task::Entity::find()
            .filter(care_task::Column::TenantId.eq(tenant))
            .count(conn)
            .await?;
        let messages = outbox_message::Entity::find()
            .filter(outbox_message::Column::TenantId.eq(tenant))
            .count(conn)
            .await?;
        ensure!(
            fresh.created == tasks,
            "created {} but {tasks} tasks stored",
            fresh.created
        );
        phases(&target, label, &stores).await?;

        println!(
            "| {label} | {} / {} | {} | {} / {} | {} | {:.2} s | **{:.2}{}** | {:.2} s ({}) |",
            thousands(args.vehicles as u64),
            thousands(args.vehicles as u64),
            thousands(rows.total() as u64),
            thousands(tasks),
            thousands(messages),
            floor_cell(&floors),
            generation.as_secs_f64(),
            generation.as_secs_f64() / floor_time.as_secs_f64(),
            if generation <= floor_time * 2 {
                " ✓"
            } else {
                " — misses"
            },
            second.as_secs_f64(),
            again.created,
        );
        target.remove().await;
    }
    Ok(())
}

/// The median of the floor's runs, with the fastest and the slowest.
fn floor_cell(sorted: &[StdDuration]) -> String {
    format!(
        "{:.2} s ({:.2}–{:.2})",
        sorted[sorted.len() / 2].as_secs_f64(),
        sorted[0].as_secs_f64(),
        sorted[sorted.len() - 1].as_secs_f64()
    )
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The stores' day at `now` (all of them are in Asia/Shanghai, UTC+8 all year).
fn store_day(now: DateTime<Utc>) -> NaiveDate {
    let shanghai =
        FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap());
    now.with_timezone(&shanghai).date_naive()
}

/// What the fresh run made, by task title and message status.
async fn report_created(target: &Scratch, label: &str) -> Result<()> {
    let conn = &target.database.conn;
    let tenant = target.actor.tenant_id;
    let by_title: Vec<(String, i64)> = care_task::Entity::find()
        .select_only()
        .column(care_task::Column::Title)
        .column_as(care_task::Column::Id.count(), "n")
        .filter(care_task::Column::TenantId.eq(tenant))
        .group_by(care_task::Column::Title)
        .into_tuple()
        .all(conn)
        .await?;
    let unassigned = care_task::Entity::find()
        .filter(care_task::Column::TenantId.eq(tenant))
        .filter(care_task::Column::Status.eq("open"))
        .filter(care_task::Column::AssigneeId.is_null())
        .count(conn)
        .await?;
    let by_status: Vec<(String, i64)> = outbox_message::Entity::find()
        .select_only()
        .column(outbox_message::Column::Status)
        .column_as(outbox_message::Column::Id.count(), "n")
        .filter(outbox_message::Column::TenantId.eq(tenant))
        .group_by(outbox_message::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let list = |rows: &[(String, i64)]| {
        rows.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "{label}: tasks by title: {}; open tasks without assignee: {unassigned}; messages: {}",
        list(&by_title),
        list(&by_status)
    );
    Ok(())
}

/// A small, fast, deterministic hash of a row number (splitmix64).
fn mix(n: u64, salt: u64) -> u64 {
    let mut z = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED69);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

static FAMILY_MEMBERS: Table = Table {
    name: "family_members",
    columns: &[
        "tenant_id",
        "id",
        "customer_id",
        "name",
        "relation",
        "birthday",
        "mobile",
    ],
};

static MILEAGE_READINGS: Table = Table {
    name: "mileage_readings",
    columns: &[
        "tenant_id",
        "id",
        "vehicle_id",
        "read_on",
        "km",
        "source",
        "created_at",
    ],
};

static APPOINTMENTS: Table = Table {
    name: "appointments",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "number",
        "customer_id",
        "vehicle_id",
        "advisor_id",
        "arrive_at",
        "expected_end_at",
        "service_day",
        "repair_type",
        "concern",
        "jobs",
        "work_minutes",
        "courtesy_car",
        "pickup",
        "status",
        "preparation",
        "created_by",
        "created_at",
        "updated_at",
    ],
};

/// The shared vehicles table with the car's model as well (the care message names it).
static CARE_VEHICLES: LazyLock<Table> = LazyLock::new(|| {
    let mut columns = VEHICLES.columns.to_vec();
    columns.push("model");
    Table {
        name: VEHICLES.name,
        columns: Box::leak(columns.into_boxed_slice()),
    }
});

static CARE_TABLES: LazyLock<[&'static Table; 5]> = LazyLock::new(|| {
    [
        &CUSTOMERS,
        &*CARE_VEHICLES,
        &FAMILY_MEMBERS,
        &MILEAGE_READINGS,
        &APPOINTMENTS,
    ]
});

const MODELS: [&str; 6] = ["朗逸", "速腾", "迈腾", "帕萨特", "途观L", "探岳"];

/// Cars delivered up to this many days ago are young: their free services are still ahead
/// (`generate`'s window with the default policy: 12 × 31 + 31 days).
const YOUNG_DAYS: u64 = 403;

/// The archive: per row a customer (birthday for 95%, marketing consent for 85%), sometimes a
/// family member, their car (delivered over the last five years, 2% not yet), odometer readings
/// for young cars and for half the older ones; per store a few dozen appointments.
async fn load(
    target: &Scratch,
    stores: &[Uuid],
    advisors: &[Uuid],
    vehicles: usize,
    today: NaiveDate,
) -> Result<()> {
    let conn = &target.database.conn;
    let tenant = target.actor.tenant_id;
    let now = Utc::now();
    let consent_at = CUSTOMERS
        .columns
        .iter()
        .position(|c| *c == "marketing_consent")
        .ok_or_else(|| anyhow::anyhow!("customers has no marketing_consent column"))?;
    let tables: &'static [&'static Table] = &*CARE_TABLES;
    let cars_table: &'static Table = &CARE_VEHICLES;
    let mut sink = BulkSink::open(conn, tables).await?;
    for n in 0..vehicles {
        if n > 0 && n % CARS_PER_COMMIT == 0 && sink.is_sqlite() {
            sink.finish().await?;
            sink = BulkSink::open(conn, tables).await?;
        }
        let s = n % stores.len();
        let store = stores[s];
        let h = mix(n as u64, 1);
        let (customer, car) = (Uuid::now_v7(), Uuid::now_v7());
        let birthday = (h % 100 >= 5).then(|| {
            let year = 1960 + (mix(n as u64, 2) % 45) as i32;
            let length = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
                366
            } else {
                365
            };
            NaiveDate::from_yo_opt(year, 1 + (mix(n as u64, 3) % length) as u32)
        });
        let mut cells = CustomerRow {
            tenant_id: tenant,
            id: customer,
            store_id: store,
            name: format!("车主{n}"),
            gender: Some(
                if h.is_multiple_of(2) {
                    "male"
                } else {
                    "female"
                }
                .into(),
            ),
            mobile: format!("13{:09}", n),
            birthday: birthday.flatten(),
            address: None,
            class: "customer",
            created_at: now,
        }
        .cells();
        cells[consent_at] = Cell::Bool((h >> 8) % 100 < 85);
        sink.row(&CUSTOMERS, cells).await?;

        // One customer in ten has a family member with a birthday, a few more one without.
        let family = (h >> 16) % 100;
        if family < 13 {
            let born = (family < 10).then(|| {
                let year = 1940 + (mix(n as u64, 4) % 80) as i32;
                NaiveDate::from_yo_opt(year, 1 + (mix(n as u64, 5) % 365) as u32)
            });
            sink.row(
                &FAMILY_MEMBERS,
                vec![
                    Cell::Id(tenant),
                    Cell::Id(Uuid::now_v7()),
                    Cell::Id(customer),
                    Cell::text(format!("家属{n}")),
                    Cell::text(RELATIONS[(h >> 24) as usize % RELATIONS.len()]),
                    born.flatten().map_or(Cell::Null, Cell::Day),
                    Cell::Null,
                ],
            )
            .await?;
        }

        let age = mix(n as u64, 6) % 1826;
        let delivered = ((h >> 32) % 100 >= 2).then(|| today - Days::new(age));
        let model = MODELS[(h >> 40) as usize % MODELS.len()];
        let mut cells = VehicleRow {
            tenant_id: tenant,
            id: car,
            store_id: store,
            owner_id: customer,
            vin: format!("LSVCA{:012}", n),
            plate: Some(format!("粤B{:05}", n % 100_000)),
            brand: Some("大众".into()),
            delivery_date: delivered,
            next_service_on: None,
            created_at: now,
        }
        .cells();
        cells.push(Cell::text(model));
        sink.row(cars_table, cells).await?;

        if let Some(delivered) = delivered {
            // 20 to 119 km a day: the busiest reach the free services' km limits first.
            let pace = 20 + mix(n as u64, 7) % 100;
            let mut readings = Vec::new();
            if age <= YOUNG_DAYS {
                if age >= 14 {
                    readings.push(age / 2);
                }
                if age >= 90 {
                    readings.push(age - 3);
                }
            } else if (h >> 48).is_multiple_of(2) {
                readings.push(age - 30 - mix(n as u64, 8) % 300);
            }
            for days in readings {
                sink.row(
                    &MILEAGE_READINGS,
                    vec![
                        Cell::Id(tenant),
                        Cell::Id(Uuid::now_v7()),
                        Cell::Id(car),
                        Cell::Day(delivered + Days::new(days)),
                        Cell::Int((pace * days) as i64),
                        Cell::text("service"),
                        Cell::At(now),
                    ],
                )
                .await?;
            }
        }

        // The first cars of each store have appointments.
        let k = n / stores.len();
        if k < TOMORROW + CANCELLED + LATER {
            let (day, status) = if k < TOMORROW {
                (
                    today + Days::new(1),
                    if k.is_multiple_of(2) {
                        "booked"
                    } else {
                        "confirmed"
                    },
                )
            } else if k < TOMORROW + CANCELLED {
                (today + Days::new(1), "cancelled")
            } else {
                (
                    today + Days::new(2 + (k - TOMORROW - CANCELLED) as u64),
                    "booked",
                )
            };
            // From 09:00 store time (01:00 UTC), every 20 minutes.
            let arrive = day.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc()
                + Duration::minutes(20 * (k % TOMORROW) as i64);
            sink.row(
                &APPOINTMENTS,
                vec![
                    Cell::Id(tenant),
                    Cell::Id(Uuid::now_v7()),
                    Cell::Id(store),
                    Cell::text(format!("S{s:02}-AP-{k:06}")),
                    Cell::Id(customer),
                    Cell::Id(car),
                    Cell::Id(advisors[s]),
                    Cell::At(arrive),
                    Cell::At(arrive + Duration::minutes(90)),
                    Cell::Day(day),
                    Cell::text("maintenance"),
                    Cell::text("常规保养"),
                    Cell::text("[]"),
                    Cell::Int(90),
                    Cell::Bool(false),
                    Cell::Bool(false),
                    Cell::text(status),
                    Cell::text("{}"),
                    Cell::Id(advisors[s]),
                    Cell::At(now),
                    Cell::At(now),
                ],
            )
            .await?;
        }
    }
    sink.finish().await
}

/// A car as `run_day` reads it: id, owner, delivery date, plate, model.
type CarRow = (
    Uuid,
    Option<Uuid>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);

/// Rows the floor fetched, and the time each of its reads took over all stores.
#[derive(Default)]
struct Rows {
    customers: usize,
    members: usize,
    cars: usize,
    young: usize,
    readings: usize,
    appointments: usize,
    time: [StdDuration; 5],
}

impl Rows {
    fn total(&self) -> usize {
        self.customers + self.members + self.cars + self.readings + self.appointments
    }

    fn counts(&self) -> [usize; 6] {
        [
            self.customers,
            self.members,
            self.cars,
            self.young,
            self.readings,
            self.appointments,
        ]
    }
}

impl std::fmt::Display for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |i: usize| self.time[i].as_secs_f64();
        write!(
            f,
            "customers with a birthday {} ({:.2} s), family members {} ({:.2} s), cars {} ({:.2} s), \
             readings of {} young cars {} ({:.2} s), appointments {} ({:.2} s)",
            self.customers,
            s(0),
            self.members,
            s(1),
            self.cars,
            s(2),
            self.young,
            self.readings,
            s(3),
            self.appointments,
            s(4),
        )
    }
}

/// The floor: for every store, the SELECTs `run_day` makes — the same tables, filters and
/// columns, in the same chunks — with the rows fetched to the client and nothing checked or
/// written (only which cars are young, to ask for their readings as `run_day` does).
///
/// THESE QUERIES MUST FOLLOW `fours_store::care::generate` (`find_due`, `free_services_due`,
/// `appointments_due`): change them together.
async fn floor(
    database: &Database,
    tenant_id: Uuid,
    stores: &[Uuid],
    day: NaiveDate,
) -> Result<Rows> {
    let db = &database.conn;
    let mut rows = Rows::default();
    let appointment_offsets: Vec<i32> = default_plans()
        .into_iter()
        .flat_map(|plan| plan.rules)
        .filter(|rule| rule.trigger == Trigger::AppointmentTomorrow)
        .map(|rule| rule.offset_days)
        .collect();
    for &store_id in stores {
        let free = policy::for_store(db, tenant_id, store_id)
            .await?
            .free_services();

        let started = Instant::now();
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
        rows.customers += birthdays.len();
        rows.time[0] += started.elapsed();

        let started = Instant::now();
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
        rows.members += members.len();
        rows.time[1] += started.elapsed();

        let started = Instant::now();
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
        rows.cars += cars.len();
        rows.time[2] += started.elapsed();

        let started = Instant::now();
        let young_since =
            day - Duration::days(i64::from(free.second_months.max(free.first_months)) * 31 + 31);
        let young: Vec<Uuid> = cars
            .iter()
            .filter(|(_, owner, delivered, _, _)| {
                owner.is_some() && delivered.is_some_and(|d| d >= young_since)
            })
            .map(|car| car.0)
            .collect();
        rows.young += young.len();
        for chunk in young.chunks(500) {
            let found: Vec<(Uuid, NaiveDate, i32)> = mileage_reading::Entity::find()
                .select_only()
                .columns([
                    mileage_reading::Column::VehicleId,
                    mileage_reading::Column::ReadOn,
                    mileage_reading::Column::Km,
                ])
                .filter(mileage_reading::Column::TenantId.eq(tenant_id))
                .filter(mileage_reading::Column::VehicleId.is_in(chunk.to_vec()))
                .into_tuple()
                .all(db)
                .await?;
            rows.readings += found.len();
        }
        rows.time[3] += started.elapsed();

        let started = Instant::now();
        for offset in &appointment_offsets {
            let on = day - Duration::days(i64::from(*offset));
            let booked = appointment::Entity::find()
                .filter(appointment::Column::TenantId.eq(tenant_id))
                .filter(appointment::Column::StoreId.eq(store_id))
                .filter(appointment::Column::ServiceDay.eq(on))
                .filter(appointment::Column::Status.is_in(["booked", "confirmed"]))
                .all(db)
                .await?;
            rows.appointments += booked.len();
        }
        rows.time[4] += started.elapsed();
    }
    Ok(rows)
}

/// Where the generation's time goes besides the floor's reads: the same per-store set-up and
/// per-item lookups `run_day` makes (copies of them, timed over what the fresh run created).
/// The rest of `fresh − second` is the writes themselves; the rest of `second − floor` is the
/// in-memory checks and the "on conflict do nothing" inserts of the items already made.
///
/// THESE, TOO, MUST FOLLOW `fours_store::care::generate` (`run_day`, `apply_rule`) and
/// `care::outbox::enqueue`.
async fn phases(target: &Scratch, label: &str, stores: &[Uuid]) -> Result<()> {
    let db = &target.database.conn;
    let tenant_id = target.actor.tenant_id;
    let triggers = [
        Trigger::Birthday,
        Trigger::FamilyBirthday,
        Trigger::PurchaseAnniversary,
        Trigger::FirstMaintenance,
        Trigger::SecondMaintenance,
        Trigger::AppointmentTomorrow,
    ];
    let started = Instant::now();
    for &store_id in stores {
        let txn = db::begin_write(db).await?;
        plans::ensure_defaults(&txn, tenant_id, store_id).await?;
        txn.commit().await?;
        plans::active_rules(db, tenant_id, store_id, &triggers).await?;
        policy::for_store(db, tenant_id, store_id).await?;
        org::store_zone(db, tenant_id, Some(store_id)).await;
        user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::StoreId.eq(store_id))
            .filter(user::Column::Active.eq(true))
            .all(db)
            .await?;
        // `care_run` looked up before it is written.
        care_run::Entity::find()
            .filter(care_run::Column::TenantId.eq(tenant_id))
            .filter(care_run::Column::StoreId.eq(store_id))
            .one(db)
            .await?;
    }
    let setup = started.elapsed();

    let made: Vec<(Uuid, Uuid, Option<Uuid>, String)> = care_task::Entity::find()
        .select_only()
        .columns([
            care_task::Column::Id,
            care_task::Column::StoreId,
            care_task::Column::VehicleId,
            care_task::Column::Subject,
        ])
        .filter(care_task::Column::TenantId.eq(tenant_id))
        .into_tuple()
        .all(db)
        .await?;
    // The task read back after its insert, in a write transaction as `apply_rule` does.
    let started = Instant::now();
    let txn = db::begin_write(db).await?;
    for (id, ..) in &made {
        care_task::Entity::find_by_id((tenant_id, *id))
            .one(&txn)
            .await?;
    }
    txn.commit().await?;
    let read_back = started.elapsed();

    // The free services' count of visits since delivery (run in both runs, before the insert).
    let started = Instant::now();
    let mut counted = 0;
    for (_, _, vehicle_id, subject) in &made {
        let Some(vehicle_id) = vehicle_id.filter(|_| subject.contains("_maintenance:")) else {
            continue;
        };
        repair_order::Entity::find()
            .filter(repair_order::Column::TenantId.eq(tenant_id))
            .filter(repair_order::Column::VehicleId.eq(vehicle_id))
            .filter(repair_order::Column::Status.ne("cancelled"))
            .filter(repair_order::Column::CreatedAt.gte(Utc::now() - Duration::days(400)))
            .count(db)
            .await?;
        counted += 1;
    }
    let visits = started.elapsed();

    // What `outbox::enqueue` reads for every message before it writes it.
    let queued: Vec<(Option<Uuid>, Option<Uuid>)> = outbox_message::Entity::find()
        .select_only()
        .columns([
            outbox_message::Column::StoreId,
            outbox_message::Column::CustomerId,
        ])
        .filter(outbox_message::Column::TenantId.eq(tenant_id))
        .into_tuple()
        .all(db)
        .await?;
    let started = Instant::now();
    let txn = db::begin_write(db).await?;
    for (store_id, customer_id) in &queued {
        let (Some(store_id), Some(customer_id)) = (*store_id, *customer_id) else {
            continue;
        };
        customer::Entity::find_by_id((tenant_id, customer_id))
            .one(&txn)
            .await?;
        org::find_store(&txn, tenant_id, store_id).await?;
        org::store_zone(&txn, tenant_id, Some(store_id)).await;
        policy::for_store(&txn, tenant_id, store_id).await?;
        templates::list(&txn, tenant_id, store_id).await?;
    }
    txn.commit().await?;
    let lookups = started.elapsed();
    let each = |took: StdDuration, n: usize| took.as_secs_f64() * 1000.0 / n.max(1) as f64;
    eprintln!(
        "{label}: phases besides the reads: per-store set-up {:.2} s ({} stores); \
         task read back after insert {:.2} s ({} tasks, {:.3} ms each); \
         visits since delivery counted {:.2} s ({counted} free services, {:.3} ms each); \
         message lookups (customer, store ×2, policy, templates) {:.2} s ({} messages, {:.3} ms each)",
        setup.as_secs_f64(),
        stores.len(),
        read_back.as_secs_f64(),
        made.len(),
        each(read_back, made.len()),
        visits.as_secs_f64(),
        each(visits, counted),
        lookups.as_secs_f64(),
        queued.len(),
        each(lookups, queued.len()),
    );
    Ok(())
}
