//! `fours bench`: the speed targets, measured as ratios against a raw floor taken in the same
//! run on the same database, so that they hold on a noisy machine (see docs/BENCHMARKS.md).

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{Request, header};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use fours_domain::access::Role;
use fours_domain::onboarding::map_columns;
use fours_domain::vehicles::plate::plate_search_key;
use fours_onboarding::generate::{load_database, write_file};
use fours_onboarding::import::{ImportOptions, open_job, run_job};
use fours_sheets::Format;
use fours_store::customers::entities::customer;
use fours_store::org::{self, Actor, NewStore, NewUser};
use fours_store::pii::PiiCipher;
use fours_store::vehicles::entities::vehicle;
use fours_store::{Database, db};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tokio::sync::mpsc;
use tower::ServiceExt;
use uuid::Uuid;

use bulk::{BulkSink, CUSTOMERS, CustomerRow, Table, VEHICLES, VehicleRow};

mod bulk;
mod care;
mod funnel;
mod load;
mod parts;
mod service;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Import of N generated customers against a plain bulk load of the same rows.
    Import(BenchArgs),
    /// Lookups by mobile, plate and VIN through the HTTP API against the same indexed queries.
    Lookup(BenchArgs),
    /// The sales report (funnel, follow-up discipline, defeats, ageing) over a generated
    /// history of N prospects, through the HTTP API.
    Funnel(funnel::FunnelArgs),
    /// The maintenance-due list and the workshop board over N vehicles, through the HTTP API.
    Service(service::ServiceArgs),
    /// The dead-stock list and the first-time fill rate over a parts history of N stock
    /// movements, through the HTTP API.
    Parts(parts::PartsArgs),
    /// The daily care generation (birthdays, anniversaries, free services, tomorrow's
    /// appointments) over N vehicles and their customers, against the same reads alone.
    Care(care::CareArgs),
    /// A dealer group's database and 500 signed-in staff sessions for `scripts/load`, which
    /// drives `fours serve` with wrk.
    Load(load::LoadArgs),
}

#[derive(Args)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 1_000_000)]
    customers: usize,
    #[command(flatten)]
    targets: Targets,
}

/// Which databases to measure on, and where scratch files go.
#[derive(Args)]
pub struct Targets {
    /// Also measure on PostgreSQL: a server URL whose user may create databases.
    #[arg(long)]
    postgres: Option<String>,
    /// Measure on PostgreSQL only (with `--postgres`), not on SQLite.
    #[arg(long, requires = "postgres")]
    postgres_only: bool,
    /// Scratch folder (default: the system's temporary folder).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

/// A fresh, migrated database with one group, store and admin; dropped afterwards.
struct Scratch {
    database: Database,
    actor: Actor,
    store_id: Uuid,
    location: Location,
}

/// Where a scratch database lives, to remove it afterwards.
enum Location {
    File(PathBuf),
    Server { admin_url: String, name: String },
}

async fn scratch(work: &Path, postgres: Option<&str>, label: &str) -> Result<Scratch> {
    let name = format!("fours_bench_{label}_{}", Uuid::now_v7().simple());
    let (url, location) = match postgres {
        Some(admin_url) => {
            let admin = db::connect(admin_url).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
            let admin_url = admin_url.to_owned();
            let url = format!("{base}/{name}");
            (url, Location::Server { admin_url, name })
        }
        None => {
            let file = work.join(format!("{name}.db"));
            let url = format!("sqlite://{}?mode=rwc", file.display());
            (url, Location::File(file))
        }
    };
    let conn = db::connect(&url).await?;
    db::migrate(&conn).await?;
    let database = Database {
        conn,
        pii: PiiCipher::new(&[7; 32]),
    };
    let tenant = org::create_tenant(&database.conn, "bench", "压测集团").await?;
    let store = org::create_store(
        &database.conn,
        tenant.id,
        NewStore {
            code: "B01",
            name: "压测店",
            time_zone: "Asia/Shanghai",
            address: "",
        },
    )
    .await?;
    let admin = org::create_user(
        &database.conn,
        tenant.id,
        NewUser {
            store_id: None,
            username: "admin",
            display_name: "admin",
            password: "bench-password",
            role: Role::Admin,
            locale: "zh-CN",
        },
    )
    .await?;
    Ok(Scratch {
        actor: Actor::from_user(&admin)?,
        store_id: store.id,
        database,
        location,
    })
}

impl Scratch {
    async fn remove(self) {
        self.database.conn.close_by_ref().await.ok();
        match self.location {
            Location::File(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
            }
            Location::Server { admin_url, name } => {
                if let Ok(admin) = db::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            }
        }
    }
}

fn backends(args: &Targets) -> Vec<(&'static str, Option<&str>)> {
    let mut all = Vec::new();
    if !args.postgres_only {
        all.push(("SQLite", None));
    }
    if let Some(url) = &args.postgres {
        all.push(("PostgreSQL", Some(url.as_str())));
    }
    all
}

pub async fn run(command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Import(args) => import(args).await,
        BenchCommand::Lookup(args) => lookup(args).await,
        BenchCommand::Funnel(args) => funnel::run(args).await,
        BenchCommand::Service(args) => service::run(args).await,
        BenchCommand::Parts(args) => parts::run(args).await,
        BenchCommand::Care(args) => care::run(args).await,
        BenchCommand::Load(args) => load::run(args).await,
    }
}

fn work_dir(args: &Targets) -> Result<PathBuf> {
    let dir = args
        .work_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("fours-bench"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Peak resident memory since the last reset, in MB (Linux).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn import(args: BenchArgs) -> Result<()> {
    let work = work_dir(&args.targets)?;
    let file = work.join(format!("bench-{}.csv", args.customers));
    let started = Instant::now();
    let lines = write_file(
        1,
        Utc::now().date_naive(),
        args.customers,
        &file,
        Format::Csv,
    )?;
    println!(
        "generated {} customers ({lines} lines) in {:.1} s",
        args.customers,
        started.elapsed().as_secs_f64()
    );
    println!(
        "| database | plain bulk load | import | ratio (target ≤ 2) | import rows/s | peak memory (target ≤ 200 MB) |"
    );
    println!("|---|---|---|---|---|---|");
    for (label, postgres) in backends(&args.targets) {
        let floor_db = scratch(&work, postgres, "floor").await?;
        let started = Instant::now();
        bulk_load(&floor_db, &file).await?;
        let floor = started.elapsed();
        floor_db.remove().await;

        let import_db = scratch(&work, postgres, "import").await?;
        reset_peak_memory();
        let started = Instant::now();
        let options = ImportOptions {
            store_id: import_db.store_id,
            ..Default::default()
        };
        let (job, _) = open_job(
            &import_db.database,
            &import_db.actor,
            &file,
            "bench.csv",
            &options,
        )
        .await?;
        let job = run_job(&import_db.database, &import_db.actor, job, &file, |_| {}).await?;
        let took = started.elapsed();
        let peak = peak_memory_mb().map_or("?".into(), |mb| format!("{mb:.0} MB"));
        import_db.remove().await;
        println!(
            "| {label} | {:.1} s | {:.1} s | {:.2} | {:.0} | {peak} |",
            floor.as_secs_f64(),
            took.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64(),
            job.rows_done as f64 / took.as_secs_f64(),
        );
    }
    let _ = std::fs::remove_file(&file);
    Ok(())
}

/// The floor: the same file's customers and cars inserted as they are (no checks, no duplicate
/// search, no encryption), through a [`BulkSink`].
async fn bulk_load(target: &Scratch, file: &Path) -> Result<()> {
    let (sender, mut rows) = mpsc::channel::<Vec<String>>(4096);
    let path = file.to_owned();
    let reader = tokio::task::spawn_blocking(move || {
        fours_sheets::read_rows(&path, |_, cells| match sender.blocking_send(cells) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        })
    });
    let headers = rows.recv().await.context("empty file")?;
    let fields = map_columns(&headers, &Default::default())?;
    let column = |key: &str| fields.iter().position(|f| *f == Some(key));
    let index = FloorColumns {
        name: column("name"),
        gender: column("gender"),
        mobile: column("mobile"),
        birthday: column("birthday"),
        address: column("address"),
        vin: column("vin"),
        plate: column("plate"),
        brand: column("brand"),
        delivery_date: column("delivery_date"),
    };
    let tenant = target.actor.tenant_id;
    let now = Utc::now();
    let mut sink = BulkSink::open(&target.database.conn, &FLOOR_TABLES).await?;
    let mut last_customer: Option<(String, Uuid)> = None;
    while let Some(cells) = rows.recv().await {
        let get = |i: Option<usize>| {
            i.and_then(|i| cells.get(i))
                .cloned()
                .filter(|v| !v.is_empty())
        };
        let day =
            |i: Option<usize>| get(i).and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok());
        let mobile = get(index.mobile).unwrap_or_default();
        let customer_id = match &last_customer {
            Some((last, id)) if *last == mobile => *id,
            _ => {
                let id = Uuid::now_v7();
                let customer = CustomerRow {
                    tenant_id: tenant,
                    id,
                    store_id: target.store_id,
                    name: get(index.name).unwrap_or_default(),
                    gender: get(index.gender),
                    mobile: mobile.clone(),
                    birthday: day(index.birthday),
                    address: get(index.address),
                    class: "customer",
                    created_at: now,
                };
                sink.row(&CUSTOMERS, customer.cells()).await?;
                last_customer = Some((mobile, id));
                id
            }
        };
        if let Some(vin) = get(index.vin) {
            let car = VehicleRow {
                tenant_id: tenant,
                id: Uuid::now_v7(),
                store_id: target.store_id,
                owner_id: customer_id,
                vin,
                plate: get(index.plate),
                brand: get(index.brand),
                delivery_date: day(index.delivery_date),
                next_service_on: None,
                created_at: now,
            };
            sink.row(&VEHICLES, car.cells()).await?;
        }
    }
    reader.await??;
    sink.finish().await
}

static FLOOR_TABLES: [&Table; 2] = [&CUSTOMERS, &VEHICLES];

struct FloorColumns {
    name: Option<usize>,
    gender: Option<usize>,
    mobile: Option<usize>,
    birthday: Option<usize>,
    address: Option<usize>,
    vin: Option<usize>,
    plate: Option<usize>,
    brand: Option<usize>,
    delivery_date: Option<usize>,
}

/// Picks the mobile, plate or VIN out of a sampled customer.
type SampleKey = fn(&(String, String, String)) -> &String;

async fn lookup(args: BenchArgs) -> Result<()> {
    let work = work_dir(&args.targets)?;
    const SAMPLES: usize = 2_000;
    let every = (args.customers / SAMPLES).max(1);
    let sample: Vec<(String, String, String)> =
        fours_datagen::customers(1, Utc::now().date_naive())
            .take(args.customers)
            .step_by(every)
            .filter_map(|c| {
                let car = c.vehicles.first()?;
                Some((c.mobile.clone(), car.plate.clone(), car.vin.clone()))
            })
            .collect();
    println!(
        "| database | lookup | direct queries/s | API requests/s | ratio (target ≥ 0.5) | API p50 | API p99 (target ≤ 5 ms) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (label, postgres) in backends(&args.targets) {
        let target = scratch(&work, postgres, "lookup").await?;
        let started = Instant::now();
        load_database(
            &target.database,
            &target.actor,
            target.store_id,
            1,
            args.customers,
            |_| {},
        )
        .await?;
        eprintln!(
            "{label}: loaded {} customers in {:.0} s",
            args.customers,
            started.elapsed().as_secs_f64()
        );
        let user = org::list_users(&target.database.conn, target.actor.tenant_id).await?;
        let token = org::issue_token(
            &target.database.conn,
            &user[0],
            "bench",
            chrono::Duration::hours(1),
        )
        .await?;
        let router = fours_web::router(fours_web::AppState::new(
            target.database.clone(),
            Default::default(),
        ));
        let kinds: [(&str, SampleKey, &str); 3] = [
            ("mobile", |s| &s.0, "/api/v1/customers?q="),
            ("plate", |s| &s.1, "/api/v1/vehicles?q="),
            ("VIN", |s| &s.2, "/api/v1/vehicles?q="),
        ];
        for (kind, key, path) in kinds {
            let direct = timed(&sample, |s| direct_query(&target, kind, key(s).clone())).await?;
            let api = timed(&sample, |s| {
                api_request(&router, &token, format!("{path}{}", urlencode(key(s))))
            })
            .await?;
            println!(
                "| {label} | {kind} | {:.0} | {:.0} | {:.2} | {:.2} ms | {:.2} ms |",
                direct.per_second,
                api.per_second,
                api.per_second / direct.per_second,
                api.p50.as_secs_f64() * 1000.0,
                api.p99.as_secs_f64() * 1000.0,
            );
        }
        target.remove().await;
    }
    Ok(())
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Timing {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Runs `call` once per sample, one after another, after a warm-up pass.
async fn timed<S, F, Fut>(samples: &[S], mut call: F) -> Result<Timing>
where
    F: FnMut(&S) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    for sample in samples.iter().take(200) {
        call(sample).await?;
    }
    let mut latencies = Vec::with_capacity(samples.len());
    let started = Instant::now();
    for sample in samples {
        let one = Instant::now();
        call(sample).await?;
        latencies.push(one.elapsed());
    }
    let total = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Ok(Timing {
        per_second: samples.len() as f64 / total.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
    })
}

/// Asks `uri` through the router `repeats` times after as many warm-up asks, and prints one
/// table row: the leading `cells`, then the median and the slowest answer.
async fn median_and_slowest(
    router: &axum::Router,
    token: &str,
    uri: &str,
    repeats: usize,
    cells: &str,
) -> Result<()> {
    let asks = vec![uri.to_owned(); repeats];
    let timing = timed(&asks, |uri| api_request(router, token, uri.clone())).await?;
    println!(
        "| {cells} | {:.1} ms | {:.1} ms |",
        timing.p50.as_secs_f64() * 1000.0,
        timing.p99.as_secs_f64() * 1000.0,
    );
    Ok(())
}

/// The indexed query the API's lookup comes down to, run directly.
async fn direct_query(target: &Scratch, kind: &str, key: String) -> Result<()> {
    let conn = &target.database.conn;
    let tenant = target.actor.tenant_id;
    let found = match kind {
        "mobile" => customer::Entity::find()
            .filter(customer::Column::TenantId.eq(tenant))
            .filter(customer::Column::DeletedAt.is_null())
            .filter(customer::Column::Mobile.eq(key))
            .all(conn)
            .await?
            .len(),
        _ => {
            let (column, key) = if kind == "plate" {
                (vehicle::Column::PlateKey, plate_search_key(&key))
            } else {
                (vehicle::Column::Vin, key)
            };
            vehicle::Entity::find()
                .filter(vehicle::Column::TenantId.eq(tenant))
                .filter(vehicle::Column::DeletedAt.is_null())
                .filter(column.eq(key))
                .all(conn)
                .await?
                .len()
        }
    };
    anyhow::ensure!(found > 0, "{kind} lookup found nothing");
    Ok(())
}

async fn api_request(router: &axum::Router, token: &str, uri: String) -> Result<()> {
    let request = Request::builder()
        .uri(&uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())?;
    let response = router.clone().oneshot(request).await?;
    anyhow::ensure!(
        response.status().is_success(),
        "{uri}: {}",
        response.status()
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    anyhow::ensure!(body.len() > 20, "{uri}: empty answer");
    Ok(())
}
