//! A browser of one session cookie, for the UI routes: sign-in, pages with their CSRF token,
//! form posts.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;

use super::{PASSWORD, TestApp};

/// A browser's cookie jar of one: the session cookie.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

/// What a page answered: status, body (as text when it is text) and the redirect's target.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub location: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser { app, cookie: None }
    }

    pub async fn send(&mut self, method: &str, path: &str, form: Option<String>) -> Answer {
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
        .expect("request");
        let response = self.app.raw(request).await;
        let headers = response.headers().clone();
        if let Some(set) = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            self.cookie = set.split(';').next().map(str::to_owned);
        }
        let status = response.status();
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            location,
        }
    }

    /// Opens a page and returns the CSRF token of its forms.
    pub async fn csrf(&mut self, path: &str) -> String {
        let html = self.send("GET", path, None).await.body;
        let start = html
            .find("name=\"csrf_token\" value=\"")
            .expect("csrf field")
            + 25;
        let end = html[start..].find('"').expect("end of the csrf field");
        html[start..start + end].to_owned()
    }

    /// Signs in and returns the session's CSRF token.
    pub async fn sign_in(&mut self, username: &str) -> String {
        let csrf = self.csrf("/login").await;
        let answer = self
            .send(
                "POST",
                "/login",
                Some(format!(
                    "csrf_token={csrf}&username={username}&password={PASSWORD}"
                )),
            )
            .await;
        assert_eq!(
            (answer.status, answer.location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/"))
        );
        // Signing in issues a fresh token; the pages carry it from now on.
        self.csrf("/").await
    }
}
