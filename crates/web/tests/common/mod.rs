//! Test harness: a fresh database per test (a temporary SQLite file, or a PostgreSQL database
//! created and dropped for the test), seeded with two dealer groups and one user per role, and
//! the real router driven in-process through HTTP requests.
//!
//! PostgreSQL is at `FOURS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! If it cannot be reached the PostgreSQL half of each test is skipped with a loud message,
//! unless `FOURS_REQUIRE_POSTGRES=1` (as in CI), when it fails.
#![allow(dead_code)]

pub mod browser;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fours_domain::access::Role;
use fours_store::org::entities::user;
use fours_store::org::{self, NewStore, NewUser};
use fours_store::pii::PiiCipher;
use fours_store::{Database, db};
use fours_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub backend: Backend,
    pub router: Router,
    pub db: Database,
    pub tenant_id: Uuid,
    pub store_id: Uuid,
    pub other_store_id: Uuid,
    pub users: HashMap<Role, user::Model>,
    tokens: HashMap<Role, String>,
    /// A user of another dealer group, to prove isolation.
    pub foreign_token: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

fn postgres_admin_url() -> String {
    std::env::var("FOURS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

async fn fresh_database(backend: Backend) -> Option<(String, Cleanup)> {
    let name = format!("fours_test_{}", Uuid::now_v7().simple());
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            Some((
                format!("sqlite://{}?mode=rwc", path.display()),
                Cleanup::File(path),
            ))
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let admin = match db::connect(&admin_url).await {
                Ok(conn) => conn,
                Err(error) => {
                    if std::env::var("FOURS_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                        panic!(
                            "PostgreSQL is required (FOURS_REQUIRE_POSTGRES=1) but unreachable at {admin_url}: {error}"
                        );
                    }
                    eprintln!(
                        "\n!!! SKIPPING PostgreSQL half of this test: cannot reach {admin_url}: {error}\n"
                    );
                    return None;
                }
            };
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base.to_owned())
                .unwrap_or(admin_url.clone());
            Some((
                format!("{base}/{name}"),
                Cleanup::Database { admin_url, name },
            ))
        }
    }
}

impl TestApp {
    pub async fn start(backend: Backend) -> Option<TestApp> {
        Self::start_with(backend, WebConfig::default()).await
    }

    pub async fn start_with(backend: Backend, config: WebConfig) -> Option<TestApp> {
        let (url, cleanup) = fresh_database(backend).await?;
        let conn = db::connect(&url).await.expect("connect test database");
        db::migrate(&conn).await.expect("migrate");
        let db = Database {
            conn,
            pii: PiiCipher::new(&[42; 32]),
        };
        let tenant = org::create_tenant(&db.conn, "acme", "Acme Motors")
            .await
            .expect("tenant");
        let store = org::create_store(
            &db.conn,
            tenant.id,
            NewStore {
                code: "A1",
                name: "Store A",
                time_zone: "Asia/Shanghai",
                address: "",
            },
        )
        .await
        .expect("store");
        let other_store = org::create_store(
            &db.conn,
            tenant.id,
            NewStore {
                code: "B1",
                name: "Store B",
                time_zone: "Asia/Shanghai",
                address: "",
            },
        )
        .await
        .expect("store");
        let mut users = HashMap::new();
        let mut tokens = HashMap::new();
        for role in Role::ALL {
            let store_id = (role != Role::Admin).then_some(store.id);
            let user = org::create_user(
                &db.conn,
                tenant.id,
                NewUser {
                    store_id,
                    username: role.as_str(),
                    display_name: role.as_str(),
                    password: PASSWORD,
                    role,
                    locale: "zh-CN",
                },
            )
            .await
            .expect("user");
            tokens.insert(
                role,
                org::issue_token(&db.conn, &user, "test", chrono::Duration::hours(1))
                    .await
                    .expect("token"),
            );
            users.insert(role, user);
        }
        let foreign = org::create_tenant(&db.conn, "rival", "Rival Motors")
            .await
            .expect("tenant");
        let foreign_store = org::create_store(
            &db.conn,
            foreign.id,
            NewStore {
                code: "A1",
                name: "Rival",
                time_zone: "Asia/Shanghai",
                address: "",
            },
        )
        .await
        .expect("store");
        let foreign_admin = org::create_user(
            &db.conn,
            foreign.id,
            NewUser {
                store_id: Some(foreign_store.id),
                username: "rival_admin",
                display_name: "Rival",
                password: PASSWORD,
                role: Role::Admin,
                locale: "en",
            },
        )
        .await
        .expect("user");
        let foreign_token =
            org::issue_token(&db.conn, &foreign_admin, "test", chrono::Duration::hours(1))
                .await
                .expect("token");
        let router = fours_web::router(AppState::new(db.clone(), config));
        Some(TestApp {
            backend,
            router,
            db,
            tenant_id: tenant.id,
            store_id: store.id,
            other_store_id: other_store.id,
            users,
            tokens,
            foreign_token,
            cleanup,
        })
    }

    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    /// Sends one request; returns the status and the JSON body (`Null` when empty or not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = match body {
            Some(json) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => request.body(Body::empty()),
        }
        .expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Posts a multipart form with one `file` part and text fields, like a browser upload.
    pub async fn upload(
        &self,
        path: &str,
        token: Option<&str>,
        file: (&str, &[u8]),
        fields: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let boundary = "fours-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .into_bytes(),
            );
        }
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .into_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        let mut request = Request::builder().method("POST").uri(path).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = self
            .raw(request.body(Body::from(body)).expect("request"))
            .await;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// GETs a file download: status and raw bytes.
    pub async fn download(&self, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
        let request = Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let response = self.raw(request).await;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, bytes.to_vec())
    }

    /// Sends a raw request and returns the raw response (for cookies, redirects and HTML).
    pub async fn raw(&self, request: Request<Body>) -> axum::response::Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("response")
    }

    pub async fn finish(self) {
        self.db.conn.close_by_ref().await.ok();
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(admin) = db::connect(admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            }
        }
    }
}

/// Runs `scenario` against a fresh app on `backend`, then drops its database, even on failure.
pub async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(Arc<TestApp>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let app = Arc::new(app);
    let outcome = tokio::spawn(scenario(app.clone())).await;
    if let Ok(app) = Arc::try_unwrap(app) {
        app.finish().await;
    }
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Declares a test scenario `async fn name(app: Arc<TestApp>)` as two tests, one per database.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    $crate::common::run($crate::common::Backend::Sqlite, super::$scenario).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    $crate::common::run($crate::common::Backend::Postgres, super::$scenario).await;
                }
            }
        )*
    };
}
