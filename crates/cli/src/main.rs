//! `fours`: the one binary. Serves the web app and API, migrates, manages users, backs up.

mod bench;
mod config;
mod demo;
mod onboarding;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use fours_domain::access::Role;
use fours_store::org::{self, NewStore, NewUser};
use fours_store::{Database, db};
use tracing_subscriber::EnvFilter;

use config::Settings;

#[derive(Parser)]
#[command(
    name = "fours",
    version,
    about = "Dealer management and CRM for 4S car dealerships"
)]
struct Cli {
    /// Database URL: sqlite://PATH?mode=rwc or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "FOURS_DATABASE_URL")]
    database_url: Option<String>,
    /// Folder for the default SQLite file and the personal-information key file.
    #[arg(long, global = true, env = "FOURS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Optional TOML config file (same keys as the flags, with underscores).
    #[arg(long, global = true, env = "FOURS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app and the JSON API.
    Serve {
        /// Seed demo data (two stores, a user per role, ~200 customers) into an empty database.
        #[arg(long)]
        demo: bool,
        /// Address to listen on.
        #[arg(long, env = "FOURS_LISTEN")]
        listen: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bring data in from a dealership's files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Make a realistic dealer-group data set: import files (--out) or straight into the database.
    Generate(onboarding::GenerateArgs),
    /// Measure the speed targets (ratios against raw floors; see docs/BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Customer care: handle waiting events and run today's date rules for every store now
    /// (what `fours serve` does by itself; running it twice creates nothing new).
    Care {
        #[command(subcommand)]
        what: CareCommand,
    },
    /// Back up the database (SQLite: an online copy; PostgreSQL: pg_dump --format=custom).
    Backup {
        /// Where to write the copy.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum CareCommand {
    /// Generate today's care tasks and messages, and escalate what is overdue.
    Run,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Customers and their vehicles (one row may carry both) from CSV or XLSX. Interrupted
    /// imports resume when the same command is run again.
    Customers(onboarding::ImportArgs),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user in the first (or only) dealer group.
    Add {
        username: String,
        /// admin, store_manager, sales_manager, sales_consultant, receptionist, service_advisor,
        /// workshop_supervisor, technician, qc_inspector, parts_manager, customer_care, marketing.
        #[arg(long)]
        role: String,
        /// Store code; omit for group-level users.
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Password (a random one is generated and printed when omitted).
        #[arg(long, env = "FOURS_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Set a new password (ends the user's sessions and tokens).
    Passwd {
        username: String,
        #[arg(long, env = "FOURS_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Issue an API bearer token.
    Token {
        username: String,
        /// Lifetime in days.
        #[arg(long, default_value_t = 365)]
        days: i64,
    },
}

fn main() -> Result<()> {
    limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(run())
}

/// glibc gives each thread that allocates under contention its own heap arena (up to 8 per
/// core) and keeps what it freed there. SQLite runs each pooled connection on its own thread,
/// so a server's report queries leave freed pages in a dozen arenas: under 500 staff sessions
/// the peak resident memory was 174 MB with the default and 136 MB with two arenas. Set before
/// any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only changes a glibc tuning parameter; it is called before other threads
    // exist. A refusal (return 0) leaves the default, which is only less frugal.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref(), cli.database_url, cli.data_dir)?;
    match cli.command {
        Command::Serve { demo, listen } => serve(&settings, demo, listen).await,
        Command::Migrate => {
            open(&settings).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::User { command } => user(&open(&settings).await?, command).await,
        Command::Backup { out } => backup(&settings, &out).await,
        Command::Care {
            what: CareCommand::Run,
        } => care_run(&open(&settings).await?).await,
        Command::Bench { what } => bench::run(what).await,
        Command::Import {
            what: ImportCommand::Customers(args),
        } => onboarding::import(&open(&settings).await?, args).await,
        Command::Generate(args) if args.writes_files() => onboarding::generate(None, args).await,
        Command::Generate(args) => {
            let database = open(&settings).await?;
            ensure_first_admin(&database).await?;
            onboarding::generate(Some(&database), args).await
        }
    }
}

/// Connects, migrates, and loads the personal-information key.
async fn open(settings: &Settings) -> Result<Database> {
    let conn = db::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {}", settings.redacted_url()))?;
    db::migrate(&conn).await.context("migrations failed")?;
    Ok(Database {
        conn,
        pii: settings.pii_cipher()?,
    })
}

async fn serve(settings: &Settings, demo: bool, listen: Option<String>) -> Result<()> {
    let database = open(settings).await?;
    let listen = listen.unwrap_or_else(|| settings.listen.clone());
    if demo {
        if demo::seed(&database).await? {
            tracing::info!("demo data seeded");
        }
    } else {
        ensure_first_admin(&database).await?;
    }
    tokio::spawn(housekeeping(database.conn.clone()));
    let mut web = settings.web_config();
    web.demo = demo;
    fours_store::care::outbox::set_public_url(&web.public_url);
    let channels = fours_notify::Channels::new(&web.notify).context("message channels")?;
    fours_web::care_jobs::spawn(database.clone(), channels);
    let state = fours_web::AppState::new(database, web);
    fours_web::imports::resume_unfinished(&state).await;
    let app = fours_web::router(state);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr().context("listening address")?;
    println!("Fours is running at http://{address}/");
    if demo {
        println!(
            "Demo accounts: admin, store_manager, sales_consultant, service_advisor … (one per role); password: {}",
            demo::DEMO_PASSWORD
        );
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("server failed")
}

async fn care_run(database: &Database) -> Result<()> {
    let now = chrono::Utc::now();
    let events = fours_store::care::generate::handle_events(database, u64::MAX).await?;
    let report = fours_store::care::generate::run_due_days(database, now, true).await?;
    let escalated = fours_store::care::tasks::escalate_overdue(&database.conn, now).await?;
    println!(
        "events handled: {events}; stores run: {}; tasks and messages created: {}; tasks escalated: {escalated}",
        report.stores, report.created
    );
    Ok(())
}

/// Hourly: drop expired browser sessions and failed-login records older than a day; refresh
/// the query planner's statistics.
async fn housekeeping(conn: sea_orm::DatabaseConnection) {
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
        if let Err(error) = org::sessions::purge_expired(&conn).await {
            tracing::warn!(%error, "could not purge expired sessions");
        }
        if let Err(error) = org::purge_login_failures(&conn, day_ago).await {
            tracing::warn!(%error, "could not purge old login failures");
        }
        if let Err(error) = db::refresh_statistics(&conn).await {
            tracing::warn!(%error, "could not refresh planner statistics");
        }
    }
}

/// On an empty database: a dealer group, a store and an `admin` whose password is printed once.
async fn ensure_first_admin(database: &Database) -> Result<()> {
    if org::tenant_count(&database.conn).await? > 0 {
        return Ok(());
    }
    let tenant = org::create_tenant(&database.conn, "main", "经销商集团").await?;
    org::create_store(
        &database.conn,
        tenant.id,
        NewStore {
            code: "S01",
            name: "总店",
            time_zone: "Asia/Shanghai",
            address: "",
        },
    )
    .await?;
    let password = random_password();
    org::create_user(
        &database.conn,
        tenant.id,
        NewUser {
            store_id: None,
            username: "admin",
            display_name: "管理员",
            password: &password,
            role: Role::Admin,
            locale: "zh-CN",
        },
    )
    .await?;
    println!(
        "Created the first user: admin / {password}  (shown only once; change it with `fours user passwd admin`)"
    );
    Ok(())
}

fn random_password() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 12]>())
}

async fn user(database: &Database, command: UserCommand) -> Result<()> {
    let tenant = org::first_tenant(&database.conn)
        .await?
        .context("no dealer group yet: run `fours serve` once")?;
    match command {
        UserCommand::Add {
            username,
            role,
            store,
            display_name,
            password,
        } => {
            let role = Role::parse(&role).with_context(|| format!("unknown role {role}"))?;
            let store_id = match store {
                Some(code) => Some(
                    org::find_store_by_code(&database.conn, tenant.id, &code)
                        .await?
                        .with_context(|| format!("no store {code}"))?
                        .id,
                ),
                None => None,
            };
            let generated = password.is_none();
            let password = password.unwrap_or_else(random_password);
            let display = display_name.unwrap_or_else(|| username.clone());
            org::create_user(
                &database.conn,
                tenant.id,
                NewUser {
                    store_id,
                    username: &username,
                    display_name: &display,
                    password: &password,
                    role,
                    locale: "zh-CN",
                },
            )
            .await?;
            println!("created {username} ({})", role.as_str());
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Passwd { username, password } => {
            let user = find_user(database, tenant.id, &username).await?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(random_password);
            org::change_password(&database.conn, tenant.id, user.id, &password).await?;
            println!(
                "password changed; {username}'s sessions and tokens ended \
                 (a running server trusts a token it verified for up to 30 s more)"
            );
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Token { username, days } => {
            let user = find_user(database, tenant.id, &username).await?;
            println!(
                "{}",
                org::issue_token(&database.conn, &user, "cli", chrono::Duration::days(days))
                    .await?
            );
        }
    }
    Ok(())
}

async fn find_user(
    database: &Database,
    tenant_id: uuid::Uuid,
    username: &str,
) -> Result<fours_store::org::entities::user::Model> {
    org::list_users(&database.conn, tenant_id)
        .await?
        .into_iter()
        .find(|u| u.username == username)
        .with_context(|| format!("no user {username}"))
}

async fn backup(settings: &Settings, out: &std::path::Path) -> Result<()> {
    if out.exists() {
        bail!("{} exists; choose a new file", out.display());
    }
    if settings.database_url.starts_with("sqlite:") {
        sqlite_backup(settings, out).await?;
    } else {
        pg_dump(settings, out)?;
    }
    println!("backup written to {}", out.display());
    Ok(())
}

async fn sqlite_backup(settings: &Settings, out: &std::path::Path) -> Result<()> {
    let conn = db::connect(&settings.database_url).await?;
    let target = out.to_string_lossy().replace('\'', "''");
    // VACUUM INTO writes a consistent copy while the server keeps running.
    sea_orm::ConnectionTrait::execute_unprepared(&conn, &format!("VACUUM INTO '{target}'"))
        .await
        .context("backup failed")?;
    Ok(())
}

/// PostgreSQL's own tool takes a consistent snapshot without stopping Fours (restore it with
/// `pg_restore`). The password goes in `PGPASSWORD`: a command line is visible to other users.
fn pg_dump(settings: &Settings, out: &std::path::Path) -> Result<()> {
    let mut url = url::Url::parse(&settings.database_url).context("invalid database URL")?;
    let password = url.password().map(|encoded| {
        percent_encoding::percent_decode_str(encoded)
            .decode_utf8_lossy()
            .into_owned()
    });
    // Only fails for URLs that cannot have a password, which then has none to remove.
    let _ = url.set_password(None);
    let mut command = std::process::Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--file")
        .arg(out)
        .arg("--dbname")
        .arg(url.as_str());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let status = command.status().context(
        "cannot run pg_dump: install the PostgreSQL client tools of the server's major version",
    )?;
    if !status.success() {
        bail!("pg_dump failed ({status})");
    }
    Ok(())
}
