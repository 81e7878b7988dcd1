//! Bad input through HTTP: bodies over the limit, JSON values of the wrong type, ids that are not
//! UUIDs on every route that takes one, and query parameters that do not parse all get a 4xx in
//! the API's error shape, naming the field where serde can tell; never a 500 or a plain-text
//! rejection. On SQLite and PostgreSQL. (Malformed JSON itself: `auth_api.rs`.)

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use fixtures::{ROUTES, assert_error_shape, error_codes, error_fields};
use fours_domain::access::Role;
use serde_json::{Value, json};

/// Sends `body` and expects `status` with error `code`; returns the error body.
async fn refused_with(
    app: &TestApp,
    (method, path): (&str, &str),
    body: Option<Value>,
    status: StatusCode,
    code: &str,
) -> Value {
    let token = app.token(Role::Admin);
    let (got, answer) = app.call(method, path, Some(token), body).await;
    assert_eq!(got, status, "{method} {path}: {answer}");
    assert_error_shape(&answer, code);
    answer
}

async fn bodies_over_the_limit_are_413_with_the_error_shape(app: Arc<TestApp>) {
    let huge = "x".repeat(fours_web::BODY_LIMIT + 1);
    for route in [
        ("POST", "/api/v1/customers"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/vehicles"),
    ] {
        let body = json!({"name": huge, "username": huge, "vin": huge});
        refused_with(
            &app,
            route,
            Some(body),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        )
        .await;
    }
    // Uploads have their own, larger limit: a file bigger than a JSON body still comes in.
    let rows: String = (0..100_000)
        .map(|i| format!("客户{i},139{i:08}\n"))
        .collect();
    let file = format!("姓名,手机\n{rows}");
    assert!(file.len() > fours_web::BODY_LIMIT);
    let (status, preview) = fixtures::upload_csv(
        &app,
        "/api/v1/imports/preview",
        Some(app.token(Role::Admin)),
        &file,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
}

async fn wrong_json_types_are_400_naming_the_field(app: Arc<TestApp>) {
    let customers = ("POST", "/api/v1/customers");
    for (body, field) in [
        (json!({"name": "张三", "mobile": 13812345678u64}), "mobile"),
        (
            json!({"name": "张三", "marketing_consent": "yes"}),
            "marketing_consent",
        ),
        (
            json!({"name": "张三", "other_phones": {"home": "1"}}),
            "other_phones",
        ),
        (
            json!({"name": "张三", "other_phones": [138]}),
            "other_phones[0]",
        ),
        (
            json!({"name": "张三", "referrer_id": "not-a-uuid"}),
            "referrer_id",
        ),
        (
            json!({"name": "张三", "family": [{"name": "李四", "relation": 3}]}),
            "family[0].relation",
        ),
    ] {
        let answer = refused_with(
            &app,
            customers,
            Some(body),
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        assert_eq!(error_fields(&answer), [field], "{answer}");
        assert_eq!(error_codes(&answer), ["type"], "{answer}");
    }
    let vehicles = ("POST", "/api/v1/vehicles");
    let body = json!({"vin": "LSVAU2180N2183294", "mileage_km": "lots"});
    let answer = refused_with(
        &app,
        vehicles,
        Some(body),
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert_eq!(error_fields(&answer), ["mileage_km"], "{answer}");
    // An array where an object belongs (serde reads it as the fields in order: `[0]` is `kind`).
    let answer = refused_with(
        &app,
        customers,
        Some(json!([{"name": "张三"}])),
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert_eq!(error_fields(&answer), ["[0]"], "{answer}");
    // The field is named in the caller's language.
    let (_, english) = app
        .call_with(
            "POST",
            "/api/v1/customers",
            Some(app.token(Role::Admin)),
            Some(json!({"name": "张三", "mobile": 13812345678u64})),
            &[("accept-language", "en")],
        )
        .await;
    let message = english["error"]["fields"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.ends_with("has the wrong type or format"),
        "{english}"
    );
    let (_, list) = app
        .call(
            "GET",
            "/api/v1/customers",
            Some(app.token(Role::Admin)),
            None,
        )
        .await;
    assert_eq!(list["items"], json!([]), "nothing was created: {list}");
}

async fn an_id_that_is_not_a_uuid_is_400_on_every_route(app: Arc<TestApp>) {
    for route in ROUTES.iter().filter(|route| route.has_id()) {
        let path = route
            .path
            .replace("{id}", "12345")
            .replace("{store}", &app.store_id.to_string())
            .replace("{position}", "0")
            .replace("{campaign_id}", &uuid::Uuid::nil().to_string());
        let body = (route.method != "GET" && route.method != "DELETE").then(|| json!({}));
        refused_with(
            &app,
            (route.method, &path),
            body,
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
    }
}

async fn query_parameters_that_do_not_parse_are_400_naming_them(app: Arc<TestApp>) {
    for (path, field) in [
        ("/api/v1/customers?limit=abc", "limit"),
        ("/api/v1/customers?limit=-1", "limit"),
        ("/api/v1/customers?cursor=yesterday", "cursor"),
        ("/api/v1/vehicles?limit=1e3", "limit"),
        ("/api/v1/audit?limit=ten", "limit"),
        ("/api/v1/reports/sales?from=2025-13-01", "from"),
        ("/api/v1/reports/service?to=tomorrow", "to"),
    ] {
        let answer = refused_with(
            &app,
            ("GET", path),
            None,
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
        assert_eq!(error_fields(&answer), [field], "{path}: {answer}");
    }
}

async fn text_with_a_nul_character_is_refused_or_stored_never_a_500(app: Arc<TestApp>) {
    // PostgreSQL takes no NUL in text (400); SQLite stores it.
    let body = json!({"name": "张\u{0}三", "mobile": "13912345678", "store_id": app.store_id});
    let token = app.token(Role::Admin);
    let (status, answer) = app
        .call("POST", "/api/v1/customers", Some(token), Some(body))
        .await;
    match status {
        StatusCode::CREATED => assert_eq!(answer["name"], "张\u{0}三"),
        StatusCode::BAD_REQUEST => assert_error_shape(&answer, "bad_request"),
        other => panic!("{other}: {answer}"),
    }
    let login = json!({"username": "admin\u{0}", "password": "x"});
    let (status, answer) = app
        .call("POST", "/api/v1/auth/login", None, Some(login))
        .await;
    assert!(matches!(status.as_u16(), 400 | 401), "{status}: {answer}");
    assert!(answer["error"]["code"].is_string(), "{answer}");
}

on_both_databases!(
    text_with_a_nul_character_is_refused_or_stored_never_a_500,
    bodies_over_the_limit_are_413_with_the_error_shape,
    wrong_json_types_are_400_naming_the_field,
    an_id_that_is_not_a_uuid_is_400_on_every_route,
    query_parameters_that_do_not_parse_are_400_naming_them,
);
