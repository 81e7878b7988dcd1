//! HTTP of Fours: the JSON API under `/api/v1` (with its OpenAPI document), the server-rendered
//! staff UI, authentication, CSRF, localisation and the embedded browser assets.

use std::time::Duration;

use axum::Router;
use fours_store::Database;

rust_i18n::i18n!("locales", fallback = "zh-CN");

pub mod api;
mod assets;
pub mod auth;
pub mod care_jobs;
pub mod error;
pub mod imports;
pub mod locale;
mod sessions;
pub mod ui;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Browser sessions end after this long without a request…
    pub session_idle: Duration,
    /// …and this long after sign-in, whatever the activity.
    pub session_absolute: Duration,
    /// Mark cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Show the demo-data warning banner.
    pub demo: bool,
    /// Failed sign-ins allowed per account, and per client address, within an hour.
    pub max_failed_logins_per_hour: u64,
    /// Where uploaded import files wait for their background job.
    pub upload_dir: std::path::PathBuf,
    /// How long a verified bearer token is trusted without asking the database again. Tokens
    /// revoked through this server stop at once; revoked elsewhere (the CLI, another server of
    /// the group), within this time.
    pub token_trust: Duration,
    /// The message channels (SMS gateway, SMTP, WeChat webhook); the SMS gateway's secret also
    /// signs the customers' replies it forwards.
    pub notify: fours_notify::NotifyConfig,
    /// The address customers reach the server at, for links in messages (surveys, opt-out).
    pub public_url: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            secure_cookies: false,
            demo: false,
            max_failed_logins_per_hour: 100,
            upload_dir: std::env::temp_dir().join("fours-uploads"),
            token_trust: Duration::from_secs(30),
            notify: fours_notify::NotifyConfig::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub config: WebConfig,
    /// Bearer tokens verified recently, so that an API call need not look them up again.
    pub tokens: auth::TokenCache,
}

impl AppState {
    pub fn new(db: Database, config: WebConfig) -> AppState {
        AppState {
            db,
            tokens: auth::TokenCache::new(config.token_trust),
            config,
        }
    }
}

/// Largest request body a route takes unless it sets its own (imports and uploads take more).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The whole application: API, UI, assets and health check.
pub fn router(state: AppState) -> Router {
    let session_layer = sessions::layer(&state);
    Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .merge(api::routes())
        .merge(ui::routes())
        .merge(assets::routes())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(locale::scope_request_locale))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
