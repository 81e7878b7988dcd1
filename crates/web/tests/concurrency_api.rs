//! Per-store document numbers under concurrency, on SQLite and PostgreSQL: 1,000 supplier
//! orders created at once in store A, while 200 more are created in store B, get the numbers
//! 1…1,000 and 1…200 of their stores, each once, without gaps, and none is refused.
//! 100 showroom visits logged at once are each counted once in the funnel's daily counts.
//! (The last slot booked once is in `service_api.rs`, the last part issued once in `parts_api.rs`.)

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use fixtures::{id_of, ok};
use fours_domain::access::Role;
use fours_store::parts::entities::supplier_order;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const IN_STORE_A: usize = 1_000;
const IN_STORE_B: usize = 200;

/// Sends every (role, body) creation at once; each must be created; returns their numbers.
async fn create_orders_at_once(app: &Arc<TestApp>, orders: Vec<(Role, Value)>) -> Vec<String> {
    let mut calls = tokio::task::JoinSet::new();
    for (role, body) in orders {
        let app = app.clone();
        calls.spawn(async move {
            let token = app.token(role).to_owned();
            app.call("POST", "/api/v1/supplier-orders", Some(&token), Some(body))
                .await
        });
    }
    let mut numbers = Vec::new();
    for (status, reply) in calls.join_all().await {
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        let number = reply["order"]["number"].as_str();
        numbers.push(
            number
                .unwrap_or_else(|| panic!("no number: {reply}"))
                .to_owned(),
        );
    }
    numbers
}

/// The numbers a store's sequence should have handed out: `A1-PO-000001` to `…-{count}`.
fn gap_free(store_code: &str, count: usize) -> Vec<String> {
    (1..=count)
        .map(|n| format!("{store_code}-PO-{n:06}"))
        .collect()
}

fn of_store(numbers: &[String], store_code: &str) -> Vec<String> {
    let mut of_store: Vec<String> = numbers
        .iter()
        .filter(|number| number.starts_with(&format!("{store_code}-")))
        .cloned()
        .collect();
    of_store.sort();
    of_store
}

async fn per_store_numbers_never_repeat_or_skip_under_concurrency(app: Arc<TestApp>) {
    let part = ok(
        &app,
        Role::Admin,
        "POST",
        "/api/v1/parts",
        Some(json!({"part_number": "06L115562", "name": "机油滤清器", "retail_price_fen": 8_800, "cost_price_fen": 4_400})),
    )
    .await;
    let line = json!([{"part_id": id_of(&part), "quantity": 100, "unit_cost_fen": 4_400}]);
    let in_a = json!({"supplier": "一汽-大众备件中心", "lines": line});
    let in_b =
        json!({"supplier": "一汽-大众备件中心", "lines": line, "store_id": app.other_store_id});
    // Interleaved, so that both stores' sequences are taken at the same time.
    let orders: Vec<(Role, Value)> = (0..IN_STORE_A)
        .flat_map(|n| {
            let b = (n % (IN_STORE_A / IN_STORE_B) == 0).then(|| (Role::Admin, in_b.clone()));
            std::iter::once((Role::PartsManager, in_a.clone())).chain(b)
        })
        .collect();
    let started = std::time::Instant::now();
    let numbers = create_orders_at_once(&app, orders).await;
    println!(
        "concurrency {:?}: {} supplier orders created at once in {:?}: store A {} numbers, store B {}",
        app.backend,
        numbers.len(),
        started.elapsed(),
        of_store(&numbers, "A1").len(),
        of_store(&numbers, "B1").len(),
    );
    assert_eq!(of_store(&numbers, "A1"), gap_free("A1", IN_STORE_A));
    assert_eq!(of_store(&numbers, "B1"), gap_free("B1", IN_STORE_B));
    let stored = supplier_order::Entity::find()
        .filter(supplier_order::Column::TenantId.eq(app.tenant_id))
        .all(&app.db.conn)
        .await
        .unwrap();
    let mut stored: Vec<String> = stored.into_iter().map(|order| order.number).collect();
    stored.sort();
    let mut answered = numbers;
    answered.sort();
    assert_eq!(stored, answered, "what was answered is what is stored");
}

const VISITS_AT_ONCE: usize = 100;

/// Each visit recounts its store day; concurrent recounts must take turns (PostgreSQL) or a
/// later one would miss a visit not yet committed when it read.
async fn visits_logged_at_once_are_each_counted_once(app: Arc<TestApp>) {
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..VISITS_AT_ONCE {
        let app = app.clone();
        calls.spawn(async move {
            let token = app.token(Role::Receptionist).to_owned();
            let body = json!({"channel": "walk_in", "name": format!("访客{n}")});
            app.call("POST", "/api/v1/showroom-visits", Some(&token), Some(body))
                .await
        });
    }
    for (status, reply) in calls.join_all().await {
        assert_eq!(status, StatusCode::CREATED, "{reply}");
    }
    let report = ok(&app, Role::Admin, "GET", "/api/v1/reports/sales", None).await;
    assert_eq!(report["total"]["traffic"], VISITS_AT_ONCE, "{report}");
}

on_both_databases!(
    per_store_numbers_never_repeat_or_skip_under_concurrency,
    visits_logged_at_once_are_each_counted_once,
);
