//! The customer archive through the HTTP API, on SQLite and PostgreSQL.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use fours_domain::access::Role;
use serde_json::json;

async fn create_validate_and_find(app: Arc<TestApp>) {
    let consultant = app.token(Role::SalesConsultant);
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/customers",
            Some(consultant),
            Some(json!({"name": "刘汉", "mobile": "12345"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "mobile");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("手机号码"),
        "{body}"
    );

    let (status, created) = app
        .call("POST", "/api/v1/customers", Some(consultant), Some(json!({"name": "刘汉", "mobile": "+86 138-0013-8000", "id_number": "11010519491231002X", "tags": ["VIP"]})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["mobile"], "13800138000");
    assert_eq!(
        created["birthday"], "1949-12-31",
        "birthday filled from the ID number"
    );
    assert_eq!(created["id_number_masked"], "1101**********002X");
    assert!(created.get("id_number").is_none());
    assert_eq!(created["class"], "prospect");

    for q in ["lh", "liuhan", "8000", "13800138000", "刘"] {
        let (status, found) = app
            .call(
                "GET",
                &format!("/api/v1/customers?q={}", urlencode(q)),
                Some(consultant),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            1,
            "query {q}: {found}"
        );
    }
}

async fn duplicates_answer_409_with_the_existing_id(app: Arc<TestApp>) {
    let token = app.token(Role::Receptionist);
    let (_, first) = app
        .call(
            "POST",
            "/api/v1/customers",
            Some(token),
            Some(json!({"name": "王芳", "mobile": "13900139000"})),
        )
        .await;
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/customers",
            Some(token),
            Some(json!({"name": "王小芳", "mobile": "139 0013 9000"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["existing_id"], first["id"]);
}

async fn other_tenants_see_404(app: Arc<TestApp>) {
    let (_, created) = app
        .call(
            "POST",
            "/api/v1/customers",
            Some(app.token(Role::Receptionist)),
            Some(json!({"name": "赵四"})),
        )
        .await;
    let path = format!("/api/v1/customers/{}", created["id"].as_str().unwrap());
    let (status, _) = app.call("GET", &path, Some(&app.foreign_token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            "PATCH",
            &path,
            Some(&app.foreign_token),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

on_both_databases!(
    create_validate_and_find,
    duplicates_answer_409_with_the_existing_id,
    other_tenants_see_404
);
