//! Browser sessions through the UI routes: CSRF on forms, sign-in, sign-out, idle and absolute
//! expiry, and sessions ended by a password change. On SQLite and PostgreSQL.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::browser::{Answer, Browser};
use common::{Backend, PASSWORD, TestApp};
use fours_domain::access::Role;
use fours_web::WebConfig;

async fn sign_in_needs_the_form_token(app: Arc<TestApp>) {
    let mut browser = Browser::new(&app);
    let Answer { status, .. } = browser.send("GET", "/login", None).await;
    assert_eq!(status, StatusCode::OK);
    let Answer { status, .. } = browser
        .send(
            "POST",
            "/login",
            Some(format!("username=receptionist&password={PASSWORD}")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a form post without the CSRF token is refused"
    );
    let csrf = browser.csrf("/login").await;
    let Answer {
        status, body: html, ..
    } = browser
        .send(
            "POST",
            "/login",
            Some(format!(
                "csrf_token={csrf}&username=receptionist&password=wrong-password"
            )),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("用户名或密码不正确"));
    browser.sign_in("receptionist").await;
    let Answer {
        status, body: html, ..
    } = browser.send("GET", "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("今日工作"),
        "the today page greets a signed-in user"
    );
}

async fn session_cookie_is_http_only_and_lax(app: Arc<TestApp>) {
    let response = app
        .raw(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("fours_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

async fn signing_out_and_password_change_end_sessions(app: Arc<TestApp>) {
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in("service_advisor").await;
    let Answer {
        status, location, ..
    } = browser
        .send("POST", "/logout", Some(format!("csrf_token={csrf}")))
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    let Answer {
        status, location, ..
    } = browser.send("GET", "/customers", None).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );

    let mut browser = Browser::new(&app);
    browser.sign_in("service_advisor").await;
    let advisor = &app.users[&Role::ServiceAdvisor];
    tokio::time::sleep(Duration::from_millis(5)).await;
    fours_store::org::change_password(
        &app.db.conn,
        app.tenant_id,
        advisor.id,
        "a-brand-new-password",
    )
    .await
    .unwrap();
    let Answer {
        status, location, ..
    } = browser.send("GET", "/customers", None).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login")),
        "password change ends the session"
    );
}

/// A signed-in browser's form post is refused without the session's CSRF token, or with
/// another one, and nothing is written; with it, the same post goes through.
async fn form_posts_without_the_csrf_token_are_refused(app: Arc<TestApp>) {
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in("receptionist").await;
    let form = "name=表单客户&mobile=13912345670&kind=person";
    for token in ["", "csrf_token=forged-token-0123456789&"] {
        let Answer { status, .. } = browser
            .send("POST", "/customers", Some(format!("{token}{form}")))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "sent {token:?}");
    }
    let (_, page) = app
        .call(
            "GET",
            "/api/v1/customers?q=13912345670",
            Some(app.token(Role::Admin)),
            None,
        )
        .await;
    assert_eq!(page["items"], serde_json::json!([]), "nothing was created");
    let Answer { status, .. } = browser
        .send(
            "POST",
            "/customers",
            Some(format!("csrf_token={csrf}&{form}")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the same form with its token"
    );
}

on_both_databases!(
    form_posts_without_the_csrf_token_are_refused,
    sign_in_needs_the_form_token,
    session_cookie_is_http_only_and_lax,
    signing_out_and_password_change_end_sessions
);

/// Sessions end after the idle limit and after the absolute limit, whatever the activity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_when_idle_and_after_the_absolute_limit() {
    let config = WebConfig {
        session_idle: Duration::from_secs(2),
        session_absolute: Duration::from_secs(3),
        ..Default::default()
    };
    let Some(app) = TestApp::start_with(Backend::Sqlite, config).await else {
        return;
    };
    let mut browser = Browser::new(&app);
    browser.sign_in("sales_manager").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let Answer { status, .. } = browser.send("GET", "/", None).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "idle for longer than the idle limit"
    );

    let mut browser = Browser::new(&app);
    browser.sign_in("sales_manager").await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        browser.send("GET", "/", None).await;
    }
    let Answer { status, .. } = browser.send("GET", "/", None).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "active, but past the absolute limit"
    );
    app.finish().await;
}
