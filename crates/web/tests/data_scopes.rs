//! Data scopes: a consultant sees their own customers, store staff their store's, the group
//! admin everything. On SQLite and PostgreSQL.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};
use fours_domain::access::Role;
use fours_store::org::{self, NewUser};
use serde_json::{Value, json};

async fn names(app: &TestApp, token: &str) -> Vec<String> {
    let (status, page) = app
        .call("GET", "/api/v1/customers", Some(token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn create(app: &TestApp, token: &str, body: Value) -> String {
    let (status, created) = app
        .call("POST", "/api/v1/customers", Some(token), Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn each_scope_sees_its_own_share(app: Arc<TestApp>) {
    let colleague = org::create_user(
        &app.db.conn,
        app.tenant_id,
        NewUser {
            store_id: Some(app.store_id),
            username: "colleague",
            display_name: "colleague",
            password: PASSWORD,
            role: Role::SalesConsultant,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    let colleague_token =
        org::issue_token(&app.db.conn, &colleague, "test", chrono::Duration::hours(1))
            .await
            .unwrap();
    let consultant = app.token(Role::SalesConsultant);
    let mine = create(&app, consultant, json!({"name": "我的客户"})).await;
    let theirs = create(&app, &colleague_token, json!({"name": "同事的客户"})).await;
    let admin = app.token(Role::Admin);
    create(
        &app,
        admin,
        json!({"name": "另一店的客户", "store_id": app.other_store_id}),
    )
    .await;

    assert_eq!(names(&app, consultant).await, vec!["我的客户"]);
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{theirs}"),
            Some(consultant),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a colleague's customer is out of an own-scope consultant's reach"
    );
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{mine}"),
            Some(consultant),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let mut store_view = names(&app, app.token(Role::ServiceAdvisor)).await;
    store_view.sort();
    assert_eq!(
        store_view,
        vec!["同事的客户", "我的客户"],
        "store scope: both consultants' customers, not the other store's"
    );
    assert_eq!(
        names(&app, admin).await.len(),
        3,
        "group scope sees every store"
    );
}

async fn pages_follow_the_cursor_without_gaps(app: Arc<TestApp>) {
    let token = app.token(Role::Receptionist);
    for i in 0..7 {
        create(&app, token, json!({"name": format!("客户{i}")})).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/customers?limit=3".to_owned();
    loop {
        let (status, page) = app.call("GET", &path, Some(token), None).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/customers?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("客户{i}")).collect();
    assert_eq!(seen, expected, "newest first, each exactly once");
}

on_both_databases!(
    each_scope_sees_its_own_share,
    pages_follow_the_cursor_without_gaps
);
