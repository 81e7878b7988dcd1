//! For tests that run the real `fours` binary: a scratch database (a SQLite file, or a
//! PostgreSQL database created and dropped here), the server started and killed, a staff
//! member's API token, customers written over HTTP, and every table's rows read back as text.
//!
//! PostgreSQL is at `FOURS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`);
//! when unreachable the PostgreSQL half is skipped loudly, unless `FOURS_REQUIRE_POSTGRES=1`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, mpsc};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const STAFF: &str = "desk";
const STAFF_PASSWORD: &str = "desk-password-long";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database of its own and a data folder (the personal-information key, backups).
pub struct Scratch {
    pub backend: Backend,
    pub dir: PathBuf,
    pub url: String,
    postgres: Option<(String, String)>,
}

fn postgres_admin_url() -> String {
    std::env::var("FOURS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl Scratch {
    pub async fn new(backend: Backend) -> Option<Scratch> {
        let name = format!("fours_live_{}", uuid::Uuid::now_v7().simple());
        let dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        let (url, postgres) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}?mode=rwc", dir.join("fours.db").display()),
                None,
            ),
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = match fours_store::db::connect(&admin_url).await {
                    Ok(admin) => admin,
                    Err(error) if std::env::var("FOURS_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
                        panic!("PostgreSQL is required but unreachable at {admin_url}: {error}")
                    }
                    Err(error) => {
                        eprintln!("\n!!! SKIPPING PostgreSQL: cannot reach {admin_url}: {error}\n");
                        return None;
                    }
                };
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                (format!("{base}/{name}"), Some((admin_url, name)))
            }
        };
        Some(Scratch {
            backend,
            dir,
            url,
            postgres,
        })
    }

    /// A `fours` command on this database and data folder.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fours"));
        command
            .env("FOURS_DATA_DIR", &self.dir)
            .env("FOURS_DATABASE_URL", &self.url)
            .env_remove("FOURS_CONFIG")
            .env_remove("FOURS_LISTEN")
            .env("RUST_LOG", "warn");
        command
    }

    /// Runs `fours ARGS`, which must succeed; returns its output.
    pub fn fours(&self, args: &[&str]) -> String {
        let output = self.command().args(args).output().expect("run fours");
        success(&output, args)
    }

    pub async fn connect(&self) -> DatabaseConnection {
        fours_store::db::connect(&self.url)
            .await
            .expect("connect to the scratch database")
    }

    pub async fn remove(self) {
        if let Some((admin_url, name)) = &self.postgres
            && let Ok(admin) = fours_store::db::connect(admin_url).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `scenario` on a fresh scratch database of `backend`, then removes it, even on failure.
pub async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(Arc<Scratch>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(scratch) = Scratch::new(backend).await else {
        return;
    };
    let scratch = Arc::new(scratch);
    let outcome = tokio::spawn(scenario(scratch.clone())).await;
    if let Ok(scratch) = Arc::try_unwrap(scratch) {
        scratch.remove().await;
    }
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

pub fn success(output: &Output, args: &[&str]) -> String {
    assert!(
        output.status.success(),
        "fours {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `fours serve` on a scratch database, at a free port.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(scratch: &Scratch) -> Server {
        let mut child = scratch
            .command()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start fours serve");
        let mut lines = forward_lines(child.stdout.take().expect("piped stdout"));
        let base = lines
            .find_map(|line| {
                let address = line.split("running at ").nth(1)?;
                Some(address.trim().trim_end_matches('/').to_owned())
            })
            .expect("fours serve stopped before it listened");
        Server { child, base }
    }

    /// SIGKILL: no shutdown, no flush; whatever was not committed is gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads the server's output on a thread for as long as it runs (a full pipe would stall it);
/// the returned iterator yields lines until the server stops.
fn forward_lines(stdout: std::process::ChildStdout) -> mpsc::IntoIter<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            // After the first lines nobody listens; keep draining.
            let _ = sender.send(line);
        }
    });
    receiver.into_iter()
}

/// A receptionist of the first store, added by `fours user add` (the group exists once the
/// server has started), whose token comes from logging in through the API.
pub async fn staff_token(scratch: &Scratch, server: &Server) -> String {
    scratch.fours(&[
        "user",
        "add",
        STAFF,
        "--role",
        "receptionist",
        "--store",
        "S01",
        "--password",
        STAFF_PASSWORD,
    ]);
    let reply = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .header("content-type", "application/json")
        .body(json!({"username": STAFF, "password": STAFF_PASSWORD}).to_string())
        .send()
        .await
        .expect("log in");
    let body: Value = serde_json::from_slice(&reply.bytes().await.expect("login body"))
        .expect("login answer is JSON");
    body["token"]
        .as_str()
        .expect("token in login answer")
        .to_owned()
}

/// What a customer creation sent, and the id it got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub mobile: String,
    pub notes: String,
}

impl Customer {
    pub fn numbered(serial: u32) -> Customer {
        Customer {
            id: String::new(),
            name: format!("耐久客户{serial}"),
            mobile: format!("139{:08}", serial % 100_000_000),
            notes: format!("写入 {serial}：持久性测试"),
        }
    }
}

/// How a write ended from the client's side.
#[derive(Debug)]
pub enum Answer {
    /// 2xx: the server says it is stored.
    Acknowledged(Customer),
    /// Any other status.
    Refused(u16, String),
    /// No complete answer (the connection broke).
    Lost,
}

/// An authenticated API client of one running server.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    pub fn new(server: &Server, token: &str) -> Api {
        Api {
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .expect("HTTP client"),
            base: server.base.clone(),
            token: token.to_owned(),
        }
    }

    pub async fn create_customer(&self, serial: u32) -> Answer {
        let mut customer = Customer::numbered(serial);
        let body =
            json!({"name": customer.name, "mobile": customer.mobile, "notes": customer.notes});
        let sent = self
            .client
            .post(format!("{}/api/v1/customers", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let Ok(response) = sent else {
            return Answer::Lost;
        };
        let status = response.status();
        let Ok(bytes) = response.bytes().await else {
            return Answer::Lost;
        };
        let reply: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        match reply["id"].as_str() {
            Some(id) if status.is_success() => {
                customer.id = id.to_owned();
                Answer::Acknowledged(customer)
            }
            _ => Answer::Refused(status.as_u16(), reply.to_string()),
        }
    }

    /// The customer as the server has it now, in the fields `create_customer` sent.
    pub async fn read_customer(&self, id: &str) -> Option<Customer> {
        let response = self
            .client
            .get(format!("{}/api/v1/customers/{id}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("read customer");
        if !response.status().is_success() {
            return None;
        }
        let body: Value =
            serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
        let text = |field: &str| body[field].as_str().unwrap_or_default().to_owned();
        Some(Customer {
            id: text("id"),
            name: text("name"),
            mobile: text("mobile"),
            notes: text("notes"),
        })
    }
}

pub async fn scalar(conn: &DatabaseConnection, sql: &str) -> String {
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect(sql)
        .expect("one row");
    row.try_get_by_index::<String>(0)
        .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
        .expect("text or integer")
}

/// Every table's rows, each as one line of text, sorted.
pub async fn table_rows(conn: &DatabaseConnection) -> BTreeMap<String, Vec<String>> {
    let backend = conn.get_database_backend();
    let mut tables = BTreeMap::new();
    for table in texts(conn, &table_names_sql(backend)).await {
        let mut rows = texts(conn, &row_text_sql(conn, &table).await).await;
        rows.sort();
        tables.insert(table, rows);
    }
    tables
}

/// Each table's row count and the SHA-256 of its sorted rows.
pub fn checksums(tables: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, (usize, String)> {
    tables
        .iter()
        .map(|(table, rows)| {
            let mut hash = Sha256::new();
            for row in rows {
                hash.update(row.as_bytes());
                hash.update(b"\n");
            }
            let hex = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
            (table.clone(), (rows.len(), hex))
        })
        .collect()
}

fn table_names_sql(backend: DbBackend) -> String {
    match backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        _ => "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
    }
    .to_owned()
}

/// A query giving each row of `table` as one text: PostgreSQL casts the row; SQLite quotes
/// each column (so NULL, numbers and text stay distinct) and joins them.
async fn row_text_sql(conn: &DatabaseConnection, table: &str) -> String {
    match conn.get_database_backend() {
        DbBackend::Sqlite => {
            let columns = texts(
                conn,
                &format!("SELECT name FROM pragma_table_info('{table}')"),
            )
            .await;
            let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
            format!("SELECT {} FROM \"{table}\"", quoted.join(" || '|' || "))
        }
        _ => format!("SELECT t::text FROM \"{table}\" t"),
    }
}

async fn texts(conn: &DatabaseConnection, sql: &str) -> Vec<String> {
    conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect(sql)
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("text"))
        .collect()
}
