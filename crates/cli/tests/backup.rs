//! Backup and restore of a live database, on SQLite (`fours backup`: `VACUUM INTO`) and
//! PostgreSQL (`fours backup`: `pg_dump --format=custom`, restored with `pg_restore`).
//! Taken while customers are being written, the copy restores, is current for `fours`, and
//! holds only rows the source has (a consistent earlier state); taken when nothing writes, the
//! restored copy equals the source: every table's row count and SHA-256 of its rows. The
//! server keeps running (idle) for the second backup.

mod live;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use live::{Answer, Api, Backend, Scratch, Server, checksums, scalar, table_rows};

/// Writers that keep creating customers until stopped.
struct Writers {
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicU32>,
    tasks: tokio::task::JoinSet<()>,
}

impl Writers {
    fn start(api: &Api, count: u32) -> Writers {
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(AtomicU32::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for writer in 0..count {
            let (api, stop, acknowledged) = (api.clone(), stop.clone(), acknowledged.clone());
            tasks.spawn(async move {
                let mut serial = writer * 1_000_000;
                while !stop.load(Ordering::SeqCst) {
                    serial += 1;
                    match api.create_customer(serial).await {
                        Answer::Acknowledged(_) => acknowledged.fetch_add(1, Ordering::SeqCst),
                        other => panic!("write {serial} failed: {other:?}"),
                    };
                }
            });
        }
        Writers {
            stop,
            acknowledged,
            tasks,
        }
    }

    fn acknowledged(&self) -> u32 {
        self.acknowledged.load(Ordering::SeqCst)
    }

    async fn wait_for(&self, acknowledged: u32) {
        while self.acknowledged() < acknowledged {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    async fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.tasks.join_all().await;
    }
}

/// `fours backup --out FILE` run beside the writers; returns how many writes were acknowledged
/// while it ran.
async fn backup_under_writes(scratch: &Arc<Scratch>, writers: &Writers, out: &Path) -> u32 {
    let before = writers.acknowledged();
    let (scratch, out) = (scratch.clone(), out.to_owned());
    let output = tokio::task::spawn_blocking(move || {
        scratch.fours(&["backup", "--out", &out.to_string_lossy()])
    })
    .await
    .expect("backup ran");
    assert!(output.contains("backup written"), "{output}");
    writers.acknowledged() - before
}

/// A database made from the backup: SQLite's copy is the database; PostgreSQL's dump goes
/// through `pg_restore` into a new one.
async fn restore(backend: Backend, backup: &Path) -> Scratch {
    let restored = Scratch::new(backend)
        .await
        .expect("a database to restore into");
    match backend {
        Backend::Sqlite => {
            std::fs::copy(backup, restored.dir.join("fours.db")).expect("copy the backup");
        }
        Backend::Postgres => {
            let output = std::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname", &restored.url])
                .arg(backup)
                .output()
                .expect("run pg_restore");
            assert!(
                output.status.success(),
                "pg_restore: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    restored
}

/// Opens the restored database as `fours` would: it passes SQLite's integrity check and has
/// nothing left to migrate.
async fn check_restored(restored: &Scratch) -> BTreeMap<String, Vec<String>> {
    let conn = restored.connect().await;
    if restored.backend == Backend::Sqlite {
        assert_eq!(scalar(&conn, "PRAGMA integrity_check").await, "ok");
    }
    let migrations = scalar(&conn, "SELECT count(*) FROM seaql_migrations").await;
    assert!(restored.fours(&["migrate"]).contains("up to date"));
    assert_eq!(
        scalar(&conn, "SELECT count(*) FROM seaql_migrations").await,
        migrations,
        "the backup's schema is current"
    );
    let rows = table_rows(&conn).await;
    conn.close().await.ok();
    rows
}

/// Rows of `copy` that `source` does not have, per table.
fn rows_not_in_source(
    copy: &BTreeMap<String, Vec<String>>,
    source: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut strays = Vec::new();
    for (table, rows) in copy {
        let kept = source.get(table).cloned().unwrap_or_default();
        let kept: std::collections::HashSet<&String> = kept.iter().collect();
        strays.extend(
            rows.iter()
                .filter(|row| !kept.contains(row))
                .map(|row| format!("{table}: {row}")),
        );
    }
    strays
}

async fn source_rows(scratch: &Scratch) -> BTreeMap<String, Vec<String>> {
    let conn = scratch.connect().await;
    let rows = table_rows(&conn).await;
    conn.close().await.ok();
    rows
}

fn total(rows: &BTreeMap<String, Vec<String>>) -> usize {
    rows.values().map(Vec::len).sum()
}

async fn a_live_backup_restores_and_a_quiet_one_equals_the_source(scratch: Arc<Scratch>) {
    let mut server = Server::start(&scratch);
    let token = live::staff_token(&scratch, &server).await;
    let writers = Writers::start(&Api::new(&server, &token), 4);
    writers.wait_for(300).await;
    let live_copy = scratch.dir.join("live.backup");
    let during = backup_under_writes(&scratch, &writers, &live_copy).await;
    let after = writers.acknowledged() + 100;
    writers.wait_for(after).await;
    writers.stop().await;

    let restored = restore(scratch.backend, &live_copy).await;
    let copy = check_restored(&restored).await;
    restored.remove().await;
    let source = source_rows(&scratch).await;
    let strays = rows_not_in_source(&copy, &source);
    println!(
        "backup {} under writes: {} writes acknowledged while it ran; restored {} rows \
         ({} customers of the source's {}), {} not in the source",
        scratch.backend.name(),
        during,
        total(&copy),
        copy["customers"].len(),
        source["customers"].len(),
        strays.len(),
    );
    assert!(
        strays.is_empty(),
        "the backup has rows the source never had: {strays:#?}"
    );
    assert!(copy["customers"].len() < source["customers"].len());

    let quiet_copy = scratch.dir.join("quiet.backup");
    assert!(
        scratch
            .fours(&["backup", "--out", &quiet_copy.to_string_lossy()])
            .contains("backup written")
    );
    let restored = restore(scratch.backend, &quiet_copy).await;
    let copy = checksums(&check_restored(&restored).await);
    restored.remove().await;
    let source = checksums(&source_rows(&scratch).await);
    println!(
        "backup {} at rest: {} tables, {} rows; restored copy's row counts and checksums {}",
        scratch.backend.name(),
        source.len(),
        source.values().map(|(rows, _)| rows).sum::<usize>(),
        if copy == source {
            "equal the source"
        } else {
            "DIFFER"
        },
    );
    assert_eq!(copy, source);
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    live::run(
        Backend::Sqlite,
        a_live_backup_restores_and_a_quiet_one_equals_the_source,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    live::run(
        Backend::Postgres,
        a_live_backup_restores_and_a_quiet_one_equals_the_source,
    )
    .await;
}
