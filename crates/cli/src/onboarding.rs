//! `fours import` and `fours generate`: a dealership's data in from files, and realistic data
//! sets for trials and benchmarks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Args, ValueEnum};
use fours_domain::access::Role;
use fours_onboarding::OnDuplicate;
use fours_onboarding::generate::{load_database, write_file};
use fours_onboarding::import::{ImportOptions, open_job, run_job};
use fours_sheets::Format;
use fours_store::Database;
use fours_store::onboarding::entities::import_job;
use fours_store::org::{self, Actor};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Args)]
pub struct ImportArgs {
    /// CSV (UTF-8, UTF-16 or GBK/GB18030, detected) or XLSX.
    file: PathBuf,
    /// TOML file mapping unusual headers to fields, e.g. `"车主手机" = "mobile"`; `""` ignores a column.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// What to do with rows whose mobile, resident ID or VIN already exists.
    #[arg(long, value_enum, default_value_t = Policy::Skip)]
    on_duplicate: Policy,
    /// Check every row and report, without writing customers or vehicles.
    #[arg(long)]
    dry_run: bool,
    /// Store code the customers belong to (default: the group's first store).
    #[arg(long)]
    store: Option<String>,
    /// Acting user, recorded in the audit log (default: the first admin).
    #[arg(long = "as")]
    acting_user: Option<String>,
    /// Where to write the rejected rows (default: next to FILE, `*.rejects.xlsx`).
    #[arg(long)]
    report: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Policy {
    Skip,
    Update,
    Overwrite,
}

impl From<Policy> for OnDuplicate {
    fn from(policy: Policy) -> Self {
        match policy {
            Policy::Skip => OnDuplicate::Skip,
            Policy::Update => OnDuplicate::Update,
            Policy::Overwrite => OnDuplicate::Overwrite,
        }
    }
}

#[derive(Args)]
pub struct GenerateArgs {
    /// How many customers (about 0.9 cars each).
    #[arg(long)]
    customers: usize,
    /// The same seed always gives the same data set.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write import files into this folder instead of loading the database.
    #[arg(long)]
    out: Option<PathBuf>,
    /// File format with --out.
    #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
    format: FileFormat,
    /// Store code to load into (default: the group's first store).
    #[arg(long)]
    store: Option<String>,
}

impl GenerateArgs {
    pub fn writes_files(&self) -> bool {
        self.out.is_some()
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FileFormat {
    Csv,
    Xlsx,
}

impl From<FileFormat> for Format {
    fn from(format: FileFormat) -> Self {
        match format {
            FileFormat::Csv => Format::Csv,
            FileFormat::Xlsx => Format::Xlsx,
        }
    }
}

/// The acting user and the store: named, or the first admin and first store.
async fn actor_and_store(
    database: &Database,
    username: Option<&str>,
    store_code: Option<&str>,
) -> Result<(Actor, uuid::Uuid)> {
    let tenant = org::first_tenant(&database.conn)
        .await?
        .context("no dealer group yet: run `fours serve` once")?;
    let users = org::list_users(&database.conn, tenant.id).await?;
    let user = match username {
        Some(name) => users.iter().find(|u| u.username == name),
        None => users.iter().find(|u| u.role == Role::Admin.as_str()),
    }
    .with_context(|| format!("no user {}", username.unwrap_or("with the admin role")))?;
    let stores = org::list_stores(&database.conn, tenant.id).await?;
    let store = match store_code {
        Some(code) => stores.iter().find(|s| s.code == code),
        None => stores.first(),
    }
    .with_context(|| format!("no store {}", store_code.unwrap_or("in the group")))?;
    Ok((Actor::from_user(user)?, store.id))
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows · {per_sec} · ETA {eta} · {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn show_progress(bar: &ProgressBar, job: &import_job::Model) {
    if let Some(total) = job.rows_total {
        bar.set_length(total.max(0) as u64);
    }
    bar.set_position(job.rows_done.max(0) as u64);
    bar.set_message(format!(
        "{} new customers, {} rejected",
        job.customers_created, job.rows_rejected
    ));
}

fn summary(job: &import_job::Model) -> String {
    format!(
        "{rows} rows: {customers} customers and {vehicles} vehicles created, {updated} records updated, {duplicates} duplicates matched, {rejected} rows rejected{dry}",
        rows = job.rows_done,
        customers = job.customers_created,
        vehicles = job.vehicles_created,
        updated = job.records_updated,
        duplicates = job.duplicates,
        rejected = job.rows_rejected,
        dry = if job.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        },
    )
}

fn read_mapping(path: &Path) -> Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read mapping {}", path.display()))?;
    toml::from_str(&text).with_context(|| {
        format!(
            "mapping {} is not `\"header\" = \"field\"` lines",
            path.display()
        )
    })
}

pub async fn import(database: &Database, args: ImportArgs) -> Result<()> {
    let (actor, store_id) =
        actor_and_store(database, args.acting_user.as_deref(), args.store.as_deref()).await?;
    let options = ImportOptions {
        store_id,
        mapping: match &args.mapping {
            Some(path) => read_mapping(path)?,
            None => HashMap::new(),
        },
        on_duplicate: args.on_duplicate.into(),
        dry_run: args.dry_run,
    };
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (job, resumed) = open_job(database, &actor, &args.file, &file_name, &options).await?;
    if resumed {
        println!(
            "resuming the unfinished import of this file at row {}",
            job.next_row
        );
    }
    let bar = progress_bar();
    let finished = run_job(database, &actor, job, &args.file, |job| {
        show_progress(&bar, job)
    })
    .await;
    bar.finish_and_clear();
    let job = finished.context("import stopped; run the same command again to resume")?;
    println!("{}", summary(&job));
    if job.rows_rejected > 0 {
        let report = args
            .report
            .unwrap_or_else(|| args.file.with_extension("rejects.xlsx"));
        let state = fours_web::AppState::new(database.clone(), Default::default());
        let bytes =
            fours_web::imports::report(&state, &job, fours_web::locale::Locale::Zh, Format::Xlsx)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        std::fs::write(&report, bytes)
            .with_context(|| format!("cannot write {}", report.display()))?;
        println!("rejected rows and reasons: {}", report.display());
    }
    Ok(())
}

pub async fn generate(database: Option<&Database>, args: GenerateArgs) -> Result<()> {
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let format: Format = args.format.into();
        let extension = match format {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        };
        let path = dir.join(format!(
            "customers-seed{}-{}.{extension}",
            args.seed, args.customers
        ));
        let lines = write_file(
            args.seed,
            Utc::now().date_naive(),
            args.customers,
            &path,
            format,
        )?;
        println!(
            "wrote {lines} lines ({} customers) to {}",
            args.customers,
            path.display()
        );
        return Ok(());
    }
    let Some(database) = database else {
        bail!("give --out DIR, or a database to load");
    };
    let (actor, store_id) = actor_and_store(database, None, args.store.as_deref()).await?;
    let bar = progress_bar();
    let started = std::time::Instant::now();
    let job = load_database(
        database,
        &actor,
        store_id,
        args.seed,
        args.customers,
        |job| show_progress(&bar, job),
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "{} in {:.1} s",
        summary(&job),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
