//! The personal-information figure: after 50 customers are created through the API with known
//! resident ID numbers and mobiles, no full ID number is anywhere in the stored bytes — the
//! raw SQLite file with its `-wal` and `-shm`, or a `pg_dump` of the PostgreSQL database —
//! while the mobiles (kept in clear by design) are found there, which proves the scan reads
//! the data. The API shows the numbers masked to a role that may not reveal them, and each
//! reveal adds exactly one audit row.

mod common;
mod fixtures;

use std::sync::Arc;

use common::{Backend, TestApp};
use fixtures::{create_customer, id_of, mobile, ok, resident_id};
use fours_domain::access::Role;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use uuid::Uuid;

const CUSTOMERS: u32 = 50;

/// The `text` column of a one-row query.
async fn text_of(app: &TestApp, sql: &str) -> String {
    let backend = app.db.conn.get_database_backend();
    let row = app
        .db
        .conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "text").unwrap()
}

/// The database's stored bytes: the SQLite files, or a plain-text `pg_dump`.
async fn stored_bytes(app: &TestApp) -> Vec<u8> {
    match app.backend {
        Backend::Sqlite => {
            let file = text_of(
                app,
                "SELECT file AS text FROM pragma_database_list WHERE name = 'main'",
            )
            .await;
            ["", "-wal", "-shm"]
                .iter()
                .filter_map(|suffix| std::fs::read(format!("{file}{suffix}")).ok())
                .flatten()
                .collect()
        }
        Backend::Postgres => {
            let name = text_of(app, "SELECT current_database() AS text").await;
            let admin = std::env::var("FOURS_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(base, _)| base);
            let dump = std::process::Command::new("pg_dump")
                .arg(format!("--dbname={base}/{name}"))
                .output()
                .expect("pg_dump on PATH");
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            dump.stdout
        }
    }
}

fn occurrences(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle.as_bytes())
        .count()
}

async fn no_resident_id_number_is_stored_in_clear(app: Arc<TestApp>) {
    let consultant = app.token(Role::SalesConsultant);
    let serials: Vec<u32> = (600..600 + CUSTOMERS).collect();
    let mut ids: Vec<Uuid> = Vec::new();
    for &serial in &serials {
        let created = create_customer(
            &app,
            consultant,
            json!({"name": format!("扫描客户{serial}"),
            "mobile": mobile(serial), "id_number": resident_id(serial)}),
        )
        .await;
        ids.push(id_of(&created));
    }
    // Masked for a role that may not reveal them, in lists and single reads.
    let list = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        "/api/v1/customers?limit=200",
        None,
    )
    .await;
    let one = ok(
        &app,
        Role::Receptionist,
        "GET",
        &format!("/api/v1/customers/{}", ids[0]),
        None,
    )
    .await;
    let shown = format!("{list}{one}");
    assert!(serials.iter().all(|s| !shown.contains(&resident_id(*s))));
    let masked = one["id_number_masked"].as_str().unwrap();
    assert!(masked.contains('*') && masked.len() == 18, "{masked}");

    let bytes = stored_bytes(&app).await;
    let in_clear: usize = serials
        .iter()
        .map(|s| occurrences(&bytes, &resident_id(*s)))
        .sum();
    let mobiles_found = serials
        .iter()
        .filter(|s| occurrences(&bytes, &mobile(**s)) > 0)
        .count();
    println!(
        "pii_scan {:?}: {CUSTOMERS} customers, {} bytes scanned, {in_clear} plaintext ID numbers, \
         {mobiles_found}/{CUSTOMERS} mobiles found (control)",
        app.backend,
        bytes.len()
    );
    assert_eq!(
        mobiles_found,
        serials.len(),
        "the scan sees the stored rows"
    );
    assert_eq!(in_clear, 0, "no resident ID number in clear");

    // Each reveal: the number in clear to the store manager, and one audit row.
    let reveals = |rows: &serde_json::Value| {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == "reveal_id_number")
            .count()
    };
    let audit = "/api/v1/audit?limit=500";
    let before = reveals(&ok(&app, Role::StoreManager, "GET", audit, None).await);
    for (id, serial) in ids.iter().zip(&serials).take(3) {
        let path = format!("/api/v1/customers/{id}/id-number");
        let revealed = ok(&app, Role::StoreManager, "GET", &path, None).await;
        assert_eq!(revealed["id_number"], resident_id(*serial).as_str());
    }
    let after = reveals(&ok(&app, Role::StoreManager, "GET", audit, None).await);
    assert_eq!(after - before, 3);
}

on_both_databases!(no_resident_id_number_is_stored_in_clear);
