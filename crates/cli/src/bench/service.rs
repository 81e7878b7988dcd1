//! `fours bench service`: the appointment specialist's maintenance-due list and the workshop
//! board over a group's archive (by default 1M vehicles in 20 stores, each with a closed repair
//! order of its last visit), with a day's 40 orders in the first store's workshop, asked through
//! the HTTP API by the group and by a store manager. Target: every answer under 200 ms.

use anyhow::Result;
use chrono::{Days, Duration, NaiveDate, Utc};
use clap::Args;
use fours_domain::access::Role;
use fours_store::db;
use fours_store::org::{self, NewStore};
use uuid::Uuid;

use super::bulk::{BulkSink, CUSTOMERS, Cell, CustomerRow, Table, VEHICLES, VehicleRow};
use super::funnel::staff;
use super::{Scratch, Targets, backends, median_and_slowest, scratch, work_dir};

#[derive(Args)]
pub struct ServiceArgs {
    #[arg(long, default_value_t = 1_000_000)]
    vehicles: usize,
    #[arg(long, default_value_t = 20)]
    stores: usize,
    #[command(flatten)]
    targets: Targets,
}

/// Each question is asked this many times after a warm-up; the table shows median and slowest.
const REPEATS: usize = 20;
/// Orders in the first store's workshop today.
const OPEN_ORDERS: usize = 40;
const JOBS_PER_ORDER: usize = 3;

pub async fn run(args: ServiceArgs) -> Result<()> {
    let work = work_dir(&args.targets)?;
    println!("| database | asked by | list | median | slowest (target < 200 ms) |");
    println!("|---|---|---|---|---|");
    for (label, postgres) in backends(&args.targets) {
        let target = scratch(&work, postgres, "service").await?;
        let stores = stores(&target, args.stores).await?;
        let technician = staff(&target, stores[0], "technician", Role::Technician).await?;
        let started = std::time::Instant::now();
        load(&target, &stores, technician.id, args.vehicles).await?;
        db::refresh_statistics(&target.database.conn).await?;
        eprintln!(
            "{label}: loaded {} vehicles in {:.0} s",
            args.vehicles,
            started.elapsed().as_secs_f64()
        );
        let router = fours_web::router(fours_web::AppState::new(
            target.database.clone(),
            Default::default(),
        ));
        let manager = staff(&target, stores[0], "store_manager", Role::StoreManager).await?;
        let users = org::list_users(&target.database.conn, target.actor.tenant_id).await?;
        let admin = users
            .into_iter()
            .find(|u| u.username == "admin")
            .ok_or_else(|| anyhow::anyhow!("no admin"))?;
        for (who, user) in [("group admin", admin), ("store manager", manager)] {
            let token =
                org::issue_token(&target.database.conn, &user, "bench", Duration::hours(1)).await?;
            for (list, uri) in [
                (
                    "maintenance due (30 days)",
                    "/api/v1/maintenance-due?within_days=30",
                ),
                ("workshop board", "/api/v1/workshop-board"),
            ] {
                let cells = format!("{label} | {who} | {list}");
                median_and_slowest(&router, &token, uri, REPEATS, &cells).await?;
            }
        }
        target.remove().await;
    }
    Ok(())
}

/// The scratch database's store and `count - 1` more.
pub(super) async fn stores(target: &Scratch, count: usize) -> Result<Vec<Uuid>> {
    let mut ids = vec![target.store_id];
    for n in 1..count {
        let code = format!("S{:02}", n + 1);
        let name = format!("售后压测{}店", n + 1);
        let new = NewStore {
            code: &code,
            name: &name,
            time_zone: "Asia/Shanghai",
            address: "",
        };
        ids.push(
            org::create_store(&target.database.conn, target.actor.tenant_id, new)
                .await?
                .id,
        );
    }
    Ok(ids)
}

pub(super) static REPAIR_ORDERS: Table = Table {
    name: "repair_orders",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "number",
        "customer_id",
        "vehicle_id",
        "advisor_id",
        "status",
        "received_at",
        "mileage_km",
        "fuel_percent",
        "damage",
        "concern",
        "concern_category",
        "fault_class",
        "promised_at",
        "payment_method",
        "old_parts",
        "free_wash",
        "priority",
        "internal_check",
        "labour_discount_bp",
        "parts_discount_bp",
        "customer_total_fen",
        "paid_fen",
        "next_service_on",
        "closed_at",
        "created_by",
        "created_at",
        "updated_at",
    ],
};

pub(super) static REPAIR_JOBS: Table = Table {
    name: "repair_jobs",
    columns: &[
        "tenant_id",
        "id",
        "order_id",
        "position",
        "name",
        "standard_minutes",
        "pay_type",
        "labour_fen",
        "approval",
        "progress",
        "reworks",
        "technician_id",
        "safety_related",
        "clocked_minutes",
    ],
};

static SERVICE_TABLES: [&Table; 4] = [&CUSTOMERS, &VEHICLES, &REPAIR_ORDERS, &REPAIR_JOBS];

/// SQLite commits after this many cars, to keep the write-ahead log small.
const CARS_PER_COMMIT: usize = 50_000;

/// The archive: per car, its owner, the car with its next service date (spread over the year
/// ahead and the month behind) and the closed order of its last visit; then today's orders.
pub(super) async fn load(
    target: &Scratch,
    stores: &[Uuid],
    technician: Uuid,
    vehicles: usize,
) -> Result<()> {
    let conn = &target.database.conn;
    let tenant = target.actor.tenant_id;
    let advisor = target.actor.user_id;
    let today = Utc::now().date_naive();
    let now = Utc::now();
    let mut sink = BulkSink::open(conn, &SERVICE_TABLES).await?;
    for n in 0..vehicles {
        if n > 0 && n % CARS_PER_COMMIT == 0 && sink.is_sqlite() {
            sink.finish().await?;
            sink = BulkSink::open(conn, &SERVICE_TABLES).await?;
        }
        let store = stores[n % stores.len()];
        let (customer, car) = (Uuid::now_v7(), Uuid::now_v7());
        let due = today - Days::new(30) + Days::new((n as u64 * 7919) % 395);
        let row = CustomerRow {
            tenant_id: tenant,
            id: customer,
            store_id: store,
            name: format!("车主{n}"),
            gender: None,
            mobile: format!("15{:09}", n),
            birthday: None,
            address: None,
            class: "customer",
            created_at: now,
        };
        sink.row(&CUSTOMERS, row.cells()).await?;
        let vehicle = VehicleRow {
            tenant_id: tenant,
            id: car,
            store_id: store,
            owner_id: customer,
            vin: format!("LSVSV{:012}", n),
            plate: Some(format!("粤B{:05}", n % 100_000)),
            brand: Some("大众".into()),
            delivery_date: None,
            next_service_on: Some(due),
            created_at: now,
        };
        sink.row(&VEHICLES, vehicle.cells()).await?;
        let visited = due - Days::new(365);
        let order = OrderRow {
            tenant,
            store,
            customer,
            car,
            advisor,
            number: n,
            status: "closed",
            day: visited,
        };
        sink.row(&REPAIR_ORDERS, order.cells()).await?;
        if n < OPEN_ORDERS * stores.len() && store == stores[0] {
            let open = OrderRow {
                status: "in_progress",
                day: today,
                ..order
            };
            let order_id = Uuid::now_v7();
            sink.row(&REPAIR_ORDERS, open.cells_with_id(order_id))
                .await?;
            for position in 0..JOBS_PER_ORDER {
                sink.row(
                    &REPAIR_JOBS,
                    job_cells(tenant, order_id, position, technician),
                )
                .await?;
            }
        }
    }
    sink.finish().await
}

#[derive(Clone, Copy)]
pub(super) struct OrderRow {
    pub(super) tenant: Uuid,
    pub(super) store: Uuid,
    pub(super) customer: Uuid,
    pub(super) car: Uuid,
    pub(super) advisor: Uuid,
    pub(super) number: usize,
    pub(super) status: &'static str,
    pub(super) day: NaiveDate,
}

impl OrderRow {
    fn cells(self) -> Vec<Cell> {
        self.cells_with_id(Uuid::now_v7())
    }

    pub(super) fn cells_with_id(self, id: Uuid) -> Vec<Cell> {
        let received = self.day.and_hms_opt(1, 30, 0).unwrap_or_default().and_utc();
        let closed = self.status == "closed";
        vec![
            Cell::Id(self.tenant),
            Cell::Id(id),
            Cell::Id(self.store),
            Cell::text(format!("RO-{}-{:08}", self.status, self.number)),
            Cell::Id(self.customer),
            Cell::Id(self.car),
            Cell::Id(self.advisor),
            Cell::text(self.status),
            Cell::At(received),
            Cell::Int(20_000),
            Cell::Int(50),
            Cell::text("[]"),
            Cell::text("保养"),
            Cell::text("maintenance"),
            Cell::text("other"),
            Cell::At(received + Duration::hours(4)),
            Cell::text("wechat"),
            Cell::text("scrap"),
            Cell::Bool(true),
            Cell::Int(0),
            Cell::text("{}"),
            Cell::Int(0),
            Cell::Int(0),
            Cell::Int(68_800),
            Cell::Int(if closed { 68_800 } else { 0 }),
            if closed {
                Cell::Day(self.day + Days::new(365))
            } else {
                Cell::Null
            },
            if closed {
                Cell::At(received + Duration::hours(3))
            } else {
                Cell::Null
            },
            Cell::Id(self.advisor),
            Cell::At(received),
            Cell::At(received),
        ]
    }
}

pub(super) fn job_cells(tenant: Uuid, order: Uuid, position: usize, technician: Uuid) -> Vec<Cell> {
    vec![
        Cell::Id(tenant),
        Cell::Id(Uuid::now_v7()),
        Cell::Id(order),
        Cell::Int(position as i64),
        Cell::text("常规保养"),
        Cell::Int(45),
        Cell::text("customer"),
        Cell::Int(9_000),
        Cell::text("approved"),
        Cell::text(if position == 0 { "done" } else { "pending" }),
        Cell::Int(0),
        Cell::Id(technician),
        Cell::Bool(false),
        Cell::Int(0),
    ]
}
