//! `fours bench parts`: the parts manager's dead-stock list and first-time fill rate over a
//! group's parts history (by default 10 stores, a 100,000-part catalogue of which each store
//! stocks 30,000, and 10M stock movements over three years), asked through the HTTP API by a
//! store manager and by the group admin naming the store. Target: every answer under 1 s.

use std::time::Instant;

use anyhow::Result;
use chrono::{Days, Duration, NaiveDate, Utc};
use clap::Args;
use fours_datagen::parts::{GeneratedMovement, PartsGenerator, PartsShape};
use fours_domain::access::Role;
use fours_domain::money::format_fen;
use fours_domain::parts::MovementKind;
use fours_store::db;
use fours_store::org::{self, Actor};
use fours_store::parts::reports::{self, ReportQuery};
use uuid::Uuid;

use super::bulk::{BulkSink, Cell, Table};
use super::funnel::staff;
use super::service::stores;
use super::{Scratch, Targets, backends, median_and_slowest, scratch, work_dir};

#[derive(Args)]
pub struct PartsArgs {
    /// Parts in the group's catalogue.
    #[arg(long, default_value_t = 100_000)]
    parts: usize,
    /// Catalogue parts each store keeps in stock.
    #[arg(long, default_value_t = 30_000)]
    stocked_per_store: usize,
    /// Stock movements of all stores together.
    #[arg(long, default_value_t = 10_000_000)]
    movements: u64,
    #[arg(long, default_value_t = 10)]
    stores: usize,
    /// Days of history before today.
    #[arg(long, default_value_t = 1095)]
    days: u32,
    #[command(flatten)]
    targets: Targets,
}

/// Each report is asked this many times after a warm-up; the table shows median and slowest.
const REPEATS: usize = 7;
/// SQLite commits after this many movements, to keep the write-ahead log small.
const MOVEMENTS_PER_COMMIT: u64 = 500_000;

pub async fn run(args: PartsArgs) -> Result<()> {
    let work = work_dir(&args.targets)?;
    let today = Utc::now().date_naive();
    println!("| database | asked by | report | median | slowest (target < 1 s) |");
    println!("|---|---|---|---|---|");
    for (label, postgres) in backends(&args.targets) {
        let target = scratch(&work, postgres, "parts").await?;
        let stores = stores(&target, args.stores).await?;
        let mut workers = Vec::with_capacity(stores.len());
        for (n, store) in stores.iter().enumerate() {
            let clerk = staff(&target, *store, &format!("parts_{n}"), Role::PartsManager).await?;
            let fitter = staff(&target, *store, &format!("tech_{n}"), Role::Technician).await?;
            workers.push((clerk.id, fitter.id));
        }
        let started = Instant::now();
        let loaded = load(&target, &stores, &workers, &args).await?;
        db::refresh_statistics(&target.database.conn).await?;
        eprintln!(
            "{label}: loaded {loaded} in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        describe(&target, stores[0], today).await?;
        let router = fours_web::router(fours_web::AppState::new(
            target.database.clone(),
            Default::default(),
        ));
        let conn = &target.database.conn;
        let manager = staff(&target, stores[0], "store_manager", Role::StoreManager).await?;
        let admin = org::find_user(conn, target.actor.tenant_id, target.actor.user_id).await?;
        let named = format!("store_id={}", stores[0]);
        for (who, user, scope) in [
            ("store manager", manager, None),
            ("group admin", admin, Some(named.as_str())),
        ] {
            let token = org::issue_token(conn, &user, "bench", Duration::hours(1)).await?;
            for (report, uri) in questions(today, scope) {
                let cells = format!("{label} | {who} | {report}");
                median_and_slowest(&router, &token, &uri, REPEATS, &cells).await?;
            }
        }
        target.remove().await;
    }
    Ok(())
}

/// The reports asked, with the store named in the query when `scope` is given.
fn questions(today: NaiveDate, scope: Option<&str>) -> Vec<(&'static str, String)> {
    let fill_rate = |days: u64| {
        let from = today - Days::new(days - 1);
        format!("/api/v1/reports/parts/fill-rate?from={from}&to={today}")
    };
    [
        (
            "dead stock",
            "/api/v1/reports/parts/dead-stock?limit=100".to_owned(),
        ),
        ("fill rate, 30 days", fill_rate(30)),
        ("fill rate, 365 days", fill_rate(365)),
    ]
    .into_iter()
    .map(|(report, uri)| match scope {
        Some(scope) => (report, format!("{uri}&{scope}")),
        None => (report, uri),
    })
    .collect()
}

/// What the measured store's reports say, for the record.
async fn describe(target: &Scratch, store_id: Uuid, today: NaiveDate) -> Result<()> {
    let conn = &target.database.conn;
    let actor: &Actor = &target.actor;
    let query = ReportQuery {
        store_id: Some(store_id),
        limit: Some(1),
        from: Some(today - Days::new(364)),
        to: Some(today),
    };
    let dead = reports::dead_stock(conn, actor, &query).await?;
    let fill = reports::fill_rate(conn, actor, &query).await?;
    eprintln!(
        "first store: {} dead parts (¥{}), {} in the warning band (¥{}); 365-day fill rate {} bp of {} lines",
        dead.dead_parts,
        format_fen(dead.dead_value_fen),
        dead.warning_parts,
        format_fen(dead.warning_value_fen),
        fill.fill_rate_bp.unwrap_or(0),
        fill.lines_requested,
    );
    Ok(())
}

static PARTS: Table = Table {
    name: "parts",
    columns: &[
        "tenant_id",
        "id",
        "part_number",
        "name",
        "brand",
        "category",
        "unit",
        "retail_price_fen",
        "cost_price_fen",
        "default_bin",
        "active",
        "created_at",
    ],
};

static PART_STOCK: Table = Table {
    name: "part_stock",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "part_id",
        "on_hand",
        "reserved",
        "average_cost_fen",
        "last_moved_at",
    ],
};

static STOCK_MOVEMENTS: Table = Table {
    name: "stock_movements",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "part_id",
        "kind",
        "quantity",
        "unit_cost_fen",
        "on_hand_after",
        "at",
        "by_user",
        "repair_order_id",
        "repair_part_id",
        "technician_id",
        "reason",
        "filled_first_time",
    ],
};

/// Parents before children, for the order PostgreSQL's COPY buffers are sent in.
static PARTS_TABLES: [&Table; 3] = [&PARTS, &STOCK_MOVEMENTS, &PART_STOCK];

/// Rows written, per kind.
#[derive(Default)]
struct Loaded {
    parts: u64,
    stock_rows: u64,
    movements: u64,
    issues: u64,
    receipts: u64,
}

impl std::fmt::Display for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} parts, {} stock rows, {} movements ({} issues, {} receipts)",
            self.parts, self.stock_rows, self.movements, self.issues, self.receipts
        )
    }
}

/// The catalogue, every movement in time order, then each store's stock as the movements
/// left it. `workers` holds each store's parts clerk and technician.
async fn load(
    target: &Scratch,
    stores: &[Uuid],
    workers: &[(Uuid, Uuid)],
    args: &PartsArgs,
) -> Result<Loaded> {
    let shape = PartsShape {
        stores: stores.len(),
        parts: args.parts,
        stocked_per_store: args.stocked_per_store,
        movements: args.movements,
        days: args.days,
    };
    let today = Utc::now().date_naive();
    let mut generator = PartsGenerator::new(1, today, shape);
    let conn = &target.database.conn;
    let tenant = target.actor.tenant_id;
    let mut sink = BulkSink::open(conn, &PARTS_TABLES).await?;
    let listed = (today - Days::new(u64::from(args.days) + 30))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let mut part_ids = Vec::with_capacity(args.parts);
    for part in generator.catalogue() {
        let id = Uuid::now_v7();
        let cells = vec![
            Cell::Id(tenant),
            Cell::Id(id),
            Cell::text(part.part_number.as_str()),
            Cell::text(part.name.as_str()),
            Cell::text(part.brand),
            Cell::text(part.category),
            Cell::text(part.unit),
            Cell::Int(part.retail_price_fen),
            Cell::Int(part.cost_price_fen),
            Cell::text(part.default_bin.as_str()),
            Cell::Bool(true),
            Cell::At(listed),
        ];
        sink.row(&PARTS, cells).await?;
        part_ids.push(id);
    }
    let mut loaded = Loaded {
        parts: part_ids.len() as u64,
        ..Loaded::default()
    };
    for movement in generator.by_ref() {
        if loaded.movements > 0
            && loaded.movements.is_multiple_of(MOVEMENTS_PER_COMMIT)
            && sink.is_sqlite()
        {
            sink.finish().await?;
            sink = BulkSink::open(conn, &PARTS_TABLES).await?;
        }
        let cells = movement_cells(tenant, stores, workers, &part_ids, &movement);
        sink.row(&STOCK_MOVEMENTS, cells).await?;
        loaded.movements += 1;
        loaded.issues += u64::from(movement.kind == MovementKind::Issue);
        loaded.receipts += u64::from(movement.kind == MovementKind::Receipt);
    }
    for line in generator.stock() {
        let cells = vec![
            Cell::Id(tenant),
            Cell::Id(Uuid::now_v7()),
            Cell::Id(stores[line.store]),
            Cell::Id(part_ids[line.part]),
            Cell::Int(line.on_hand),
            Cell::Int(0),
            Cell::Int(line.average_cost_fen),
            Cell::At(line.last_moved_at.and_utc()),
        ];
        sink.row(&PART_STOCK, cells).await?;
        loaded.stock_rows += 1;
    }
    sink.finish().await?;
    Ok(loaded)
}

/// One movement as the store writes it: issues and returns against a repair-order line (a
/// signature is not stored: neither report reads it), by the store's parts clerk.
fn movement_cells(
    tenant: Uuid,
    stores: &[Uuid],
    workers: &[(Uuid, Uuid)],
    part_ids: &[Uuid],
    movement: &GeneratedMovement,
) -> Vec<Cell> {
    let (clerk, fitter) = workers[movement.store];
    let workshop = matches!(movement.kind, MovementKind::Issue | MovementKind::Return);
    let against = || Cell::id_or_null(workshop.then(Uuid::now_v7));
    vec![
        Cell::Id(tenant),
        Cell::Id(Uuid::now_v7()),
        Cell::Id(stores[movement.store]),
        Cell::Id(part_ids[movement.part]),
        Cell::text(movement.kind.as_str()),
        Cell::Int(movement.quantity),
        Cell::Int(movement.unit_cost_fen),
        Cell::Int(movement.on_hand_after),
        Cell::At(movement.at.and_utc()),
        Cell::Id(clerk),
        against(),
        against(),
        Cell::id_or_null((movement.kind == MovementKind::Issue).then_some(fitter)),
        Cell::text_or_null(movement.reason.map(|r| r.as_str())),
        movement.filled_first_time.map_or(Cell::Null, Cell::Bool),
    ]
}
