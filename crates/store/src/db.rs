//! Connecting to SQLite or PostgreSQL (chosen by the URL) and bringing the schema up to date.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend, TransactionTrait};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;
use crate::pii::PiiCipher;

/// The open database plus what every operation needs alongside it.
#[derive(Clone)]
pub struct Database {
    pub conn: DatabaseConnection,
    pub pii: PiiCipher,
}

impl Database {
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }
}

/// Opens a pool for `url` (`sqlite://path?mode=rwc` or `postgres://…`). SQLite runs in WAL mode
/// with foreign keys on, so readers never wait for the writer.
pub async fn connect(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
                // Imports prepare large multi-row statements; SQLite keeps prepared statements
                // in this process, so a small cache keeps memory flat.
                .statement_cache_capacity(16)
                // Up to 64 MB of pages per connection (the default is 2 MB): imports insert
                // into several indexes in random key order, and a small cache turns each
                // insert into disk reads once an index outgrows it. Grows only as used.
                .pragma("cache_size", "-65536")
        });
    if url.starts_with("sqlite:") {
        options.max_connections(8);
    } else {
        options.max_connections(32);
    }
    sea_orm::Database::connect(options).await
}

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock is
/// taken at the start (waiting up to the busy timeout), instead of failing with "database is
/// locked" when a transaction that read first tries to write after another writer committed.
/// PostgreSQL ignores the mode.
pub async fn begin_write(
    conn: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    conn.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Applies every pending forward-only migration.
pub async fn migrate(conn: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    Migrator::up(conn, None).await
}

/// Refreshes the query planner's statistics after large changes (an import). Without them
/// SQLite walks a list's primary key to avoid a sort instead of using the one selective index
/// (mobile, plate, VIN), which at a million customers turns a lookup into a scan. SQLite's
/// `optimize` samples and only revisits tables that changed; PostgreSQL's `ANALYZE` samples
/// every table (the sales reports' plans depend on them too), and `VACUUM` marks the freshly
/// written pages all-visible, without which the reports' index-only scans still read every
/// counted row's table page until autovacuum gets round to it.
pub async fn refresh_statistics(conn: &DatabaseConnection) -> crate::error::StoreResult<()> {
    let sql = match conn.get_database_backend() {
        sea_orm::DbBackend::Sqlite => "PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;",
        _ => "VACUUM (ANALYZE)",
    };
    sea_orm::ConnectionTrait::execute_unprepared(conn, sql).await?;
    Ok(())
}
