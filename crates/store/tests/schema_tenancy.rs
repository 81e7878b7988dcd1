//! The tenancy rule, checked on the real migrated schema of both databases: every business
//! table carries `tenant_id`, its primary key and every unique index include it. A new table
//! that forgets the tenant fails here.

use fours_store::db;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use uuid::Uuid;

/// Tables outside tenancy on purpose (reference data, login machinery, migration bookkeeping).
const PLATFORM_TABLES: [&str; 5] = [
    "tenants",
    "vehicle_models",
    "web_sessions",
    "login_failures",
    "seaql_migrations",
];

struct Table {
    name: String,
    columns: Vec<String>,
    primary_key: Vec<String>,
    unique_indexes: Vec<(String, Vec<String>)>,
}

async fn strings(conn: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) -> Vec<String> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .expect("schema query");
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("text column"))
        .collect()
}

async fn sqlite_tables(conn: &DatabaseConnection) -> Vec<Table> {
    let mut tables = Vec::new();
    for name in strings(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        vec![],
    )
    .await
    {
        let columns = strings(
            conn,
            "SELECT name FROM pragma_table_info(?)",
            vec![name.clone().into()],
        )
        .await;
        let primary_key = strings(
            conn,
            "SELECT name FROM pragma_table_info(?) WHERE pk > 0",
            vec![name.clone().into()],
        )
        .await;
        let mut unique_indexes = Vec::new();
        for index in strings(
            conn,
            "SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1 AND origin <> 'pk'",
            vec![name.clone().into()],
        )
        .await
        {
            let columns = strings(
                conn,
                "SELECT name FROM pragma_index_info(?)",
                vec![index.clone().into()],
            )
            .await;
            unique_indexes.push((index, columns));
        }
        tables.push(Table {
            name,
            columns,
            primary_key,
            unique_indexes,
        });
    }
    tables
}

async fn postgres_tables(conn: &DatabaseConnection) -> Vec<Table> {
    let mut tables = Vec::new();
    for name in strings(
        conn,
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
        vec![],
    )
    .await
    {
        let columns = strings(conn, "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1", vec![name.clone().into()]).await;
        let key_columns = "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                           WHERE i.indrelid = $1::regclass AND ";
        let primary_key = strings(
            conn,
            &format!("{key_columns} i.indisprimary"),
            vec![name.clone().into()],
        )
        .await;
        let mut unique_indexes = Vec::new();
        let unique_sql = "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass AND i.indisunique AND NOT i.indisprimary";
        for index in strings(conn, unique_sql, vec![name.clone().into()]).await {
            let columns = strings(conn, "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indexrelid = $1::regclass", vec![index.clone().into()]).await;
            unique_indexes.push((index, columns));
        }
        tables.push(Table {
            name,
            columns,
            primary_key,
            unique_indexes,
        });
    }
    tables
}

fn tenancy_violations(tables: &[Table]) -> Vec<String> {
    let mut problems = Vec::new();
    for table in tables
        .iter()
        .filter(|t| !PLATFORM_TABLES.contains(&t.name.as_str()))
    {
        let has = |columns: &[String]| columns.iter().any(|c| c == "tenant_id");
        if !has(&table.columns) {
            problems.push(format!("{}: no tenant_id column", table.name));
        }
        if !has(&table.primary_key) {
            problems.push(format!(
                "{}: primary key {:?} lacks tenant_id",
                table.name, table.primary_key
            ));
        }
        for (index, columns) in &table.unique_indexes {
            if !has(columns) {
                problems.push(format!(
                    "{}: unique index {index} {columns:?} lacks tenant_id",
                    table.name
                ));
            }
        }
    }
    problems
}

async fn check(conn: &DatabaseConnection) {
    db::migrate(conn).await.expect("migrate");
    db::migrate(conn)
        .await
        .expect("migrating twice changes nothing");
    let tables = match conn.get_database_backend() {
        DbBackend::Postgres => postgres_tables(conn).await,
        _ => sqlite_tables(conn).await,
    };
    let business: Vec<&str> = tables
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| !PLATFORM_TABLES.contains(n))
        .collect();
    for expected in [
        "customers",
        "vehicles",
        "users",
        "stores",
        "audit_events",
        "mileage_readings",
    ] {
        assert!(
            business.contains(&expected),
            "schema walk found {business:?}"
        );
    }
    let problems = tenancy_violations(&tables);
    assert!(
        problems.is_empty(),
        "tenancy rule broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_catches_a_table_without_tenant() {
    let rogue = Table {
        name: "notes".into(),
        columns: vec!["id".into()],
        primary_key: vec!["id".into()],
        unique_indexes: vec![],
    };
    assert_eq!(tenancy_violations(&[rogue]).len(), 2);
}

#[tokio::test]
async fn every_business_table_is_keyed_by_tenant_on_sqlite() {
    let path = std::env::temp_dir().join(format!("fours_schema_{}.db", Uuid::now_v7().simple()));
    let conn = db::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("sqlite");
    check(&conn).await;
    conn.close().await.ok();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn every_business_table_is_keyed_by_tenant_on_postgres() {
    let admin_url = std::env::var("FOURS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = match db::connect(&admin_url).await {
        Ok(admin) => admin,
        Err(error) if std::env::var("FOURS_REQUIRE_POSTGRES").as_deref() != Ok("1") => {
            eprintln!("\n!!! SKIPPING PostgreSQL schema test: cannot reach {admin_url}: {error}\n");
            return;
        }
        Err(error) => panic!("PostgreSQL required but unreachable: {error}"),
    };
    let name = format!("fours_schema_{}", Uuid::now_v7().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base.to_owned())
        .unwrap_or(admin_url.clone());
    let conn = db::connect(&format!("{base}/{name}"))
        .await
        .expect("connect");
    check(&conn).await;
    conn.close().await.ok();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop database");
}
