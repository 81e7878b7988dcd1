//! Durability under SIGKILL, on SQLite and PostgreSQL: 1,000 customer creations are sent at
//! once to the real `fours serve`, which is killed (SIGKILL, no shutdown) once 300 of them have
//! been acknowledged (or 900 committed). Restarted on the same database, it has every acknowledged customer with
//! the values sent, and SQLite's file passes `PRAGMA integrity_check`. Each round kills the
//! server the previous round restarted; `FOURS_DURABILITY_ROUNDS` rounds (default 2; the
//! figure in docs/RELIABILITY.md is from 20).

mod live;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use live::{Answer, Api, Backend, Customer, Scratch, Server, scalar};
use sea_orm::DatabaseConnection;

const WRITES: u32 = 1_000;
const KILL_AFTER: usize = 300;

fn rounds() -> u32 {
    std::env::var("FOURS_DURABILITY_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2)
}

/// What the clients saw of one round's writes.
#[derive(Default)]
struct Sent {
    acknowledged: Vec<Customer>,
    refused: Vec<(u16, String)>,
    unanswered: usize,
}

/// Sends `WRITES` creations at once and SIGKILLs the server once `KILL_AFTER` of them are
/// acknowledged, or earlier if nine in ten are already committed: answers lag behind commits,
/// and a kill timed by them alone could land after the last write.
async fn write_until_killed(
    scratch: &Scratch,
    api: &Api,
    server: &mut Server,
    first_serial: u32,
    before: usize,
) -> Sent {
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut writes = tokio::task::JoinSet::new();
    for serial in first_serial..first_serial + WRITES {
        let (api, acknowledged) = (api.clone(), acknowledged.clone());
        writes.spawn(async move {
            let answer = api.create_customer(serial).await;
            if matches!(answer, Answer::Acknowledged(_)) {
                acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            answer
        });
    }
    let watch = scratch.connect().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while acknowledged.load(Ordering::SeqCst) < KILL_AFTER
        && count(&watch).await < before + WRITES as usize * 9 / 10
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill();
    watch.close().await.ok();
    let mut sent = Sent::default();
    for answer in writes.join_all().await {
        match answer {
            Answer::Acknowledged(customer) => sent.acknowledged.push(customer),
            Answer::Refused(status, body) => sent.refused.push((status, body)),
            Answer::Lost => sent.unanswered += 1,
        }
    }
    sent
}

/// Acknowledged customers the restarted server does not have exactly as they were sent.
async fn missing_or_altered(api: &Api, acknowledged: &[Customer]) -> Vec<String> {
    let mut wrong = Vec::new();
    for customer in acknowledged {
        let stored = api.read_customer(&customer.id).await;
        if stored.as_ref() != Some(customer) {
            wrong.push(format!("sent {customer:?}, stored {stored:?}"));
        }
    }
    wrong
}

async fn count(conn: &DatabaseConnection) -> usize {
    let count = scalar(conn, "SELECT count(*) FROM customers").await;
    count.parse().expect("a count")
}

async fn customer_count(scratch: &Scratch) -> usize {
    let conn = scratch.connect().await;
    let count = count(&conn).await;
    conn.close().await.ok();
    count
}

/// `ok` on PostgreSQL (its own recovery is not ours to check); SQLite's `integrity_check`.
async fn integrity(scratch: &Scratch) -> String {
    if scratch.backend == Backend::Postgres {
        return "ok".into();
    }
    let conn = scratch.connect().await;
    let mode = scalar(&conn, "PRAGMA journal_mode").await;
    assert_eq!(mode, "wal", "the server keeps SQLite in WAL mode");
    let check = scalar(&conn, "PRAGMA integrity_check").await;
    conn.close().await.ok();
    check
}

async fn acknowledged_writes_survive_sigkill(scratch: Arc<Scratch>) {
    let mut server = Server::start(&scratch);
    let token = live::staff_token(&scratch, &server).await;
    let rounds = rounds();
    for round in 0..rounds {
        let before = customer_count(&scratch).await;
        let api = Api::new(&server, &token);
        let sent = write_until_killed(&scratch, &api, &mut server, round * WRITES, before).await;
        server = Server::start(&scratch);
        let wrong = missing_or_altered(&Api::new(&server, &token), &sent.acknowledged).await;
        let committed = customer_count(&scratch).await - before;
        let integrity = integrity(&scratch).await;
        println!(
            "durability {} round {}/{rounds}: {WRITES} writes sent, SIGKILL after {KILL_AFTER} acknowledged or 900 committed; \
             {} acknowledged, {} present and intact, {} lost; {} committed in all \
             ({} without an answer, {} never committed); {} unanswered, {} refused; integrity {integrity}",
            scratch.backend.name(),
            round + 1,
            sent.acknowledged.len(),
            sent.acknowledged.len() - wrong.len(),
            wrong.len(),
            committed,
            committed.saturating_sub(sent.acknowledged.len()),
            WRITES as usize - committed,
            sent.unanswered,
            sent.refused.len(),
        );
        assert!(
            wrong.is_empty(),
            "acknowledged writes lost or altered: {wrong:#?}"
        );
        assert!(
            sent.refused.is_empty(),
            "valid writes refused: {:?}",
            sent.refused
        );
        assert!(
            !sent.acknowledged.is_empty() && sent.unanswered > 0,
            "the kill must land while writes are in flight"
        );
        assert_eq!(integrity, "ok");
    }
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    live::run(Backend::Sqlite, acknowledged_writes_survive_sigkill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    live::run(Backend::Postgres, acknowledged_writes_survive_sigkill).await;
}
