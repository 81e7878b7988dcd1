//! Signing in and out, login throttling, token revocation, error shape and language, the health
//! check, the OpenAPI document and browser sessions; on SQLite and PostgreSQL.

mod common;
mod fixtures;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{Backend, PASSWORD, TestApp};
use fixtures::{AUTH_ROUTES, ROUTES, assert_error_shape, run_with};
use fours_domain::access::Role;
use fours_web::WebConfig;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use uuid::Uuid;

/// Sends `body` as it is (not necessarily JSON), optionally from a client `address`.
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
    address: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut request = request.body(Body::from(body.to_owned())).unwrap();
    if let Some(address) = address {
        let socket: SocketAddr = format!("{address}:40000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(socket));
    }
    let response = app.raw(request).await;
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn login_from(app: &TestApp, username: &str, password: &str, address: &str) -> StatusCode {
    let body = json!({"username": username, "password": password}).to_string();
    send(
        app,
        "POST",
        "/api/v1/auth/login",
        None,
        &body,
        Some(address),
    )
    .await
    .0
}

async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    app.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"username": username, "password": password})),
    )
    .await
}

async fn signing_in_with_the_right_password_gives_a_working_token(app: Arc<TestApp>) {
    let (status, body) = login(&app, "store_manager", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().expect("token");
    assert!(token.len() > 20);
    assert_eq!(body["user"]["username"], "store_manager");
    assert_eq!(body["user"]["role"], "store_manager");
    assert_eq!(body["user"]["scope"], "store");
    assert_eq!(body["user"]["store_id"], json!(app.store_id));
    assert!(body["user"].get("password_hash").is_none(), "{body}");

    let (status, me) = app.call("GET", "/api/v1/me", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], json!(app.users[&Role::StoreManager].id));
    let (status, _) = app
        .call("GET", "/api/v1/customers", Some(token), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // `name@group-code` picks the dealer group.
    let (status, body) = login(&app, "store_manager@acme", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = login(&app, "store_manager@rival", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_wrong_password_is_401(app: Arc<TestApp>) {
    for (username, password) in [
        ("store_manager", "wrong-password"),
        ("store_manager", ""),
        ("nobody", PASSWORD),
        ("STORE_MANAGER ", "wrong-password"),
    ] {
        let (status, body) = login(&app, username, password).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{username}: {body}");
        assert_error_shape(&body, "unauthorized");
        assert!(body.get("token").is_none());
    }
}

/// Five failures allowed per hour: the sixth attempt is refused unchecked.
fn five_failures() -> WebConfig {
    WebConfig {
        max_failed_logins_per_hour: 5,
        ..Default::default()
    }
}

async fn the_account_is_throttled_after_too_many_failures(app: Arc<TestApp>) {
    // Each failure from a different address, so only the account's count can trip.
    for n in 1..=5 {
        let status = login_from(
            &app,
            "receptionist",
            "wrong-password",
            &format!("10.0.0.{n}"),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let (status, body) = send(
        &app,
        "POST",
        "/api/v1/auth/login",
        None,
        &json!({"username": "receptionist", "password": PASSWORD}).to_string(),
        Some("10.0.0.99"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_error_shape(&body, "throttled");
    // Still refused with the right password, and for the name in other spellings.
    assert_eq!(
        login_from(&app, "Receptionist", PASSWORD, "10.0.0.98").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts from fresh addresses are unaffected.
    assert_eq!(
        login_from(&app, "store_manager", PASSWORD, "10.0.0.97").await,
        StatusCode::OK
    );
    // Tokens issued before keep working: throttling stops sign-ins, not sessions.
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/me",
            Some(app.token(Role::Receptionist)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn an_address_is_throttled_after_too_many_failures(app: Arc<TestApp>) {
    // Guessing different accounts from one address.
    for role in [
        Role::Admin,
        Role::StoreManager,
        Role::SalesManager,
        Role::Marketing,
        Role::Technician,
    ] {
        assert_eq!(
            login_from(&app, role.as_str(), "wrong-password", "192.0.2.7").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_from(&app, "customer_care", PASSWORD, "192.0.2.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_from(&app, "customer_care", PASSWORD, "192.0.2.8").await,
        StatusCode::OK
    );
}

/// With the default limit of 100 failures per hour: the 100th failure still gets an answer, the
/// attempt after it is refused. (100 real failed sign-ins cost ~9 s of password hashing per
/// database, so the first 99 are recorded directly, as the login handler records them.)
async fn the_default_limit_is_100_failures(app: Arc<TestApp>) {
    for n in 0..99u32 {
        // Different addresses: only the account's count can trip.
        let address = format!("10.1.{}.{}", n / 200, n % 200 + 1);
        fours_store::org::record_login_failure(&app.db.conn, "technician", &address)
            .await
            .expect("record failure");
    }
    assert_eq!(
        login_from(&app, "technician", PASSWORD, "10.2.0.1").await,
        StatusCode::OK,
        "99 failures: still under the limit"
    );
    assert_eq!(
        login_from(&app, "technician", "wrong-password", "10.2.0.2").await,
        StatusCode::UNAUTHORIZED,
        "the 100th failure is checked and counted"
    );
    assert_eq!(
        login_from(&app, "technician", PASSWORD, "10.2.0.3").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the attempt after 100 failures"
    );
}

/// The password is changed outside the server (as `fours user` does): the server's cache of
/// verified tokens trusts the old token for at most `token_trust` (1 s here).
async fn changing_the_password_ends_old_tokens(app: Arc<TestApp>) {
    let old_token = app.token(Role::Receptionist).to_owned();
    let (status, _) = app.call("GET", "/api/v1/me", Some(&old_token), None).await;
    assert_eq!(status, StatusCode::OK);
    let user = &app.users[&Role::Receptionist];
    fours_store::org::change_password(&app.db.conn, app.tenant_id, user.id, "new-password-2024")
        .await
        .expect("change password");
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let (status, body) = app.call("GET", "/api/v1/me", Some(&old_token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_error_shape(&body, "unauthorized");
    let (status, _) = app
        .call("GET", "/api/v1/customers", Some(&old_token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&app, "receptionist", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED,
        "old password"
    );
    let (status, body) = login(&app, "receptionist", "new-password-2024").await;
    assert_eq!(status, StatusCode::OK, "new password");
    let (status, _) = app
        .call("GET", "/api/v1/me", body["token"].as_str(), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // Other users' tokens are untouched.
    let (status, _) = app
        .call("GET", "/api/v1/me", Some(app.token(Role::Marketing)), None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn logout_ends_the_token(app: Arc<TestApp>) {
    let (_, body) = login(&app, "customer_care", PASSWORD).await;
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, _) = app.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .call("POST", "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // "Ends every token of the caller": the harness's token of the same user too.
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/me",
            Some(app.token(Role::CustomerCare)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A second logout with the dead token is 401.
    let (status, _) = app
        .call("POST", "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Others stay signed in.
    let (status, _) = app
        .call("GET", "/api/v1/me", Some(app.token(Role::Marketing)), None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn accept_language_en_gives_english_messages(app: Arc<TestApp>) {
    let token = app.token(Role::Receptionist);
    let missing = format!("/api/v1/customers/{}", Uuid::now_v7());
    let (status, zh) = app.call("GET", &missing, Some(token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(zh["error"]["message"], "记录不存在");
    let (_, en) = app
        .call_with(
            "GET",
            &missing,
            Some(token),
            None,
            &[("accept-language", "en-US,en;q=0.9")],
        )
        .await;
    assert_eq!(en["error"]["message"], "Not found");
    assert_eq!(en["error"]["code"], "not_found");

    let bad = json!({"name": "刘汉", "mobile": "12345"});
    let (_, en) = app
        .call_with(
            "POST",
            "/api/v1/customers",
            Some(token),
            Some(bad.clone()),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(en["error"]["fields"][0]["field"], "mobile");
    let message = en["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Mobile: "), "{message}");
    assert!(
        !message
            .chars()
            .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
        "{message}"
    );
    let (_, zh) = app
        .call("POST", "/api/v1/customers", Some(token), Some(bad))
        .await;
    assert!(
        zh["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("手机号码："),
        "{zh}"
    );

    let (status, en) = app
        .call_with(
            "GET",
            "/api/v1/me",
            None,
            None,
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(en["error"]["message"], "Please sign in");
    let (_, en) = app
        .call_with(
            "DELETE",
            &missing,
            Some(app.token(Role::Technician)),
            None,
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(en["error"]["message"], "Your role may not do this");
}

async fn malformed_json_is_400_with_the_error_shape(app: Arc<TestApp>) {
    let token = app.token(Role::Receptionist);
    for body in [
        "{not json",
        "",
        "[1, 2",
        "\"just a string\"",
        "{\"name\": 5}",
    ] {
        let (status, answer) =
            send(&app, "POST", "/api/v1/customers", Some(token), body, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}: {answer}");
        assert_error_shape(&answer, "bad_request");
    }
    let (status, answer) = send(&app, "POST", "/api/v1/auth/login", None, "{oops", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_error_shape(&answer, "bad_request");
    // A path id that is not a UUID.
    let (status, answer) = app
        .call("GET", "/api/v1/customers/not-a-uuid", Some(token), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_error_shape(&answer, "bad_request");
    // A query parameter of the wrong type.
    let (status, answer) = app
        .call("GET", "/api/v1/customers?limit=lots", Some(token), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_error_shape(&answer, "bad_request");
    // Nothing was created.
    let (_, list) = app
        .call("GET", "/api/v1/customers", Some(token), None)
        .await;
    assert_eq!(list["items"], json!([]));
}

async fn unknown_fields_are_refused_with_the_error_shape(app: Arc<TestApp>) {
    let token = app.token(Role::ServiceAdvisor);
    let cases = [
        (
            "POST",
            "/api/v1/customers".to_owned(),
            json!({"name": "刘汉", "nickname": "汉子"}),
        ),
        (
            "POST",
            "/api/v1/customers".to_owned(),
            json!({"name": "刘汉", "family": [{"name": "x", "relation": "child", "age": 3}]}),
        ),
        (
            "POST",
            "/api/v1/vehicles".to_owned(),
            json!({"vin": fixtures::vin(1), "store_id": app.store_id, "colour_code": "W"}),
        ),
    ];
    for (method, path, body) in cases {
        let (status, answer) = app
            .call(method, &path, Some(token), Some(body.clone()))
            .await;
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
            "{body}: {status} {answer}"
        );
        let code = answer["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            ["bad_request", "validation"].contains(&code.as_str()),
            "{answer}"
        );
        assert_error_shape(&answer, &code);
    }
    let (_, list) = app
        .call("GET", "/api/v1/customers", Some(token), None)
        .await;
    assert_eq!(list["items"], json!([]), "nothing created");
    let (_, list) = app.call("GET", "/api/v1/vehicles", Some(token), None).await;
    assert_eq!(list["items"], json!([]), "nothing created");
}

async fn the_health_check_needs_no_sign_in(app: Arc<TestApp>) {
    let response = app
        .raw(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&bytes[..], b"ok");
}

async fn the_openapi_document_lists_every_route(app: Arc<TestApp>) {
    let (status, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with('3')),
        "{doc}"
    );
    let paths = doc["paths"].as_object().expect("paths");
    let routes = ROUTES
        .iter()
        .map(|r| (r.method, r.documented_path()))
        .chain(AUTH_ROUTES.iter().copied());
    let mut missing = Vec::new();
    for (method, path) in routes {
        if paths
            .get(path)
            .and_then(|ops| ops.get(method.to_ascii_lowercase()))
            .is_none()
        {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(missing.is_empty(), "not documented: {missing:?}");
    assert!(paths.contains_key("/api/v1/customers/{id}"));
    // The document has no route the matrix does not know of (so the matrix stays complete).
    let known: Vec<(String, String)> = ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_ascii_lowercase(),
                r.documented_path().to_owned(),
            )
        })
        .chain(
            AUTH_ROUTES
                .iter()
                .map(|(m, p)| (m.to_ascii_lowercase(), (*p).to_owned())),
        )
        .collect();
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                assert!(
                    known.contains(&(method.clone(), path.clone())),
                    "{method} {path} is documented but missing from the access matrix"
                );
            }
        }
    }
    // Bearer authentication is declared.
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"]
            .as_str()
            .map(str::to_ascii_lowercase),
        Some("bearer".to_owned())
    );
}

async fn the_login_page_starts_a_safe_session(app: Arc<TestApp>) {
    let response = app
        .raw(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::OK, "GET /login");
    let cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("fours_session="))
        .unwrap_or_else(|| panic!("no fours_session cookie in {cookies:?}"));
    let attributes: Vec<String> = session
        .split(';')
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attributes.contains(&"httponly".to_owned()), "{session}");
    assert!(attributes.contains(&"samesite=lax".to_owned()), "{session}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8_lossy(&bytes);
    let input = html
        .split('<')
        .find(|tag| tag.starts_with("input") && tag.contains("name=\"csrf_token\""))
        .unwrap_or_else(|| panic!("no csrf_token input in {html}"));
    assert!(input.contains("type=\"hidden\""), "{input}");
    let value = input
        .split("value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default();
    assert!(value.len() >= 16, "CSRF token too short: {input}");
}

on_both_databases!(
    signing_in_with_the_right_password_gives_a_working_token,
    a_wrong_password_is_401,
    logout_ends_the_token,
    accept_language_en_gives_english_messages,
    malformed_json_is_400_with_the_error_shape,
    unknown_fields_are_refused_with_the_error_shape,
    the_health_check_needs_no_sign_in,
    the_openapi_document_lists_every_route,
    the_login_page_starts_a_safe_session,
);

/// Declares scenarios that need `config` as one test per database.
macro_rules! with_config {
    ($config:ident: $($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::run_with(super::Backend::Sqlite, super::$config(), super::$scenario).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::run_with(super::Backend::Postgres, super::$config(), super::$scenario).await;
                }
            }
        )*
    };
}

with_config!(five_failures:
    the_account_is_throttled_after_too_many_failures,
    an_address_is_throttled_after_too_many_failures,
);
with_config!(default_config: the_default_limit_is_100_failures);
with_config!(one_second_token_trust: changing_the_password_ends_old_tokens);

fn one_second_token_trust() -> WebConfig {
    WebConfig {
        token_trust: std::time::Duration::from_secs(1),
        ..WebConfig::default()
    }
}

fn default_config() -> WebConfig {
    WebConfig::default()
}
