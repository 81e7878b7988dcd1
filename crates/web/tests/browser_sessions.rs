//! Browser sessions through the UI routes: CSRF on forms, sign-in, sign-out, idle and absolute
//! expiry, and sessions ended by a password change. On SQLite and PostgreSQL.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Backend, PASSWORD, TestApp};
use fours_domain::access::Role;
use fours_web::WebConfig;
use http_body_util::BodyExt;

/// A browser's cookie jar of one: the session cookie.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Browser { app, cookie: None }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        form: Option<String>,
    ) -> (StatusCode, String, Option<String>) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let request = match form {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body)),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = self.app.raw(request).await;
        if let Some(set) = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            self.cookie = Some(set.split(';').next().unwrap().to_owned());
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = String::from_utf8(
            response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
        .unwrap();
        (status, body, location)
    }

    /// Opens the sign-in page and returns the CSRF token of its form.
    async fn csrf(&mut self, path: &str) -> String {
        let (_, html, _) = self.send("GET", path, None).await;
        let start = html
            .find("name=\"csrf_token\" value=\"")
            .expect("csrf field")
            + 25;
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    }

    /// Signs in and returns the session's CSRF token.
    async fn sign_in(&mut self, username: &str) -> String {
        let csrf = self.csrf("/login").await;
        let (status, _, location) = self
            .send(
                "POST",
                "/login",
                Some(format!(
                    "csrf_token={csrf}&username={username}&password={PASSWORD}"
                )),
            )
            .await;
        assert_eq!(
            (status, location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/"))
        );
        // Signing in issues a fresh token; the pages carry it from now on.
        self.csrf("/").await
    }
}

async fn sign_in_needs_the_form_token(app: Arc<TestApp>) {
    let mut browser = Browser::new(&app);
    let (status, _, _) = browser.send("GET", "/login", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = browser
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
    let (status, html, _) = browser
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
    let (status, html, _) = browser.send("GET", "/", None).await;
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
    let (status, _, location) = browser
        .send("POST", "/logout", Some(format!("csrf_token={csrf}")))
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    let (status, _, location) = browser.send("GET", "/customers", None).await;
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
    let (status, _, location) = browser.send("GET", "/customers", None).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login")),
        "password change ends the session"
    );
}

on_both_databases!(
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
    let (status, _, _) = browser.send("GET", "/", None).await;
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
    let (status, _, _) = browser.send("GET", "/", None).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "active, but past the absolute limit"
    );
    app.finish().await;
}
