//! Import screens: upload, preview and mapping, then progress and the rejected-rows report.
//! The import itself runs in the background (see `crate::imports`); the page polls it.

use std::collections::HashMap;
use std::path::Path as FilePath;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderName;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::{DataScope, Permission};
use fours_domain::onboarding::OnDuplicate;
use fours_onboarding::import::{ImportOptions, upload_job};
use fours_store::onboarding::{self as jobs, DRAFT, QUEUED, RUNNING, entities::import_job};
use fours_store::org;
use tower_sessions::Session;
use uuid::Uuid;

use super::{Page, error_page, page_for, render};
use crate::api::imports::{
    PreviewOut, import_options, onboarding_error, preview_file, save_upload,
};
use crate::auth::PageCaller;
use crate::error::ApiError;
use crate::{AppState, imports};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", get(list).post(upload))
        .route("/imports/{id}", get(show))
        .route("/imports/{id}/start", post(start))
        .route("/imports/{id}/status", get(status))
        .layer(axum::extract::DefaultBodyLimit::max(1 << 30))
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ListTemplate {
    page: Page,
    jobs: Vec<import_job::Model>,
    /// Group-level users choose the store; others import into their own.
    stores: Vec<(String, String)>,
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !actor.can(Permission::ImportData) {
        return error_page(&page, ApiError::Forbidden);
    }
    let found = match jobs::jobs(&state.db.conn, &actor, 50).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let stores = if actor.scope == DataScope::Group {
        org::list_stores(&state.db.conn, actor.tenant_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.id.to_string(), format!("{} {}", s.code, s.name)))
            .collect()
    } else {
        vec![]
    };
    render(&ListTemplate {
        page,
        jobs: found,
        stores,
    })
}

/// Saves the upload as a draft job and sends the browser (htmx) to its mapping page.
async fn upload(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    multipart: Multipart,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !actor.can(Permission::ImportData) {
        return error_page(&page, ApiError::Forbidden);
    }
    let drafted = async {
        let upload = save_upload(&state, multipart).await?;
        let options = import_options(&actor, &upload.fields);
        let job = match options {
            Ok(options) => upload_job(
                &state.db,
                &actor,
                &upload.path,
                &upload.file_name,
                &options,
                true,
            )
            .await
            .map_err(onboarding_error),
            Err(error) => Err(error),
        };
        if job.is_err() {
            let _ = tokio::fs::remove_file(&upload.path).await;
        }
        job
    }
    .await;
    match drafted {
        // htmx follows HX-Redirect; a 303 would be followed silently by its XHR instead.
        Ok(job) => [(
            HeaderName::from_static("hx-redirect"),
            format!("/imports/{}", job.id),
        )]
        .into_response(),
        Err(error) => error_page(&page, error),
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct JobTemplate {
    page: Page,
    job: import_job::Model,
    /// For a draft: the file's first rows and the recognised fields.
    preview: Option<PreviewOut>,
    policies: Vec<(&'static str, String)>,
    progress: Progress,
}

/// How far a job is, for the progress panel.
struct Progress {
    /// Queued or running: the panel keeps polling.
    active: bool,
    percent: i64,
    /// Translation key of the status.
    state_key: String,
}

fn progress(job: &import_job::Model) -> Progress {
    Progress {
        active: job.status == QUEUED || job.status == RUNNING,
        state_key: format!("imports.state.{}", job.status),
        percent: match job.rows_total {
            Some(total) if total > 0 => (job.rows_done * 100 / total).min(100),
            _ => 0,
        },
    }
}

async fn job_page(page: Page, job: import_job::Model) -> Response {
    let preview = match (&job.file_path, job.status == DRAFT) {
        (Some(path), true) => match preview_file(FilePath::new(path)).await {
            Ok(preview) => Some(preview),
            Err(error) => return error_page(&page, error),
        },
        _ => None,
    };
    let policies = [
        OnDuplicate::Skip,
        OnDuplicate::Update,
        OnDuplicate::Overwrite,
    ]
    .map(|p| {
        (
            p.as_str(),
            page.t(&format!("imports.policy.{}", p.as_str())),
        )
    })
    .to_vec();
    render(&JobTemplate {
        page,
        progress: progress(&job),
        job,
        preview,
        policies,
    })
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !actor.can(Permission::ImportData) {
        return error_page(&page, ApiError::Forbidden);
    }
    match jobs::job(&state.db.conn, &actor, id).await {
        Ok(job) => job_page(page, job).await,
        Err(error) => error_page(&page, error.into()),
    }
}

#[derive(Template)]
#[template(path = "import_status.html")]
struct StatusTemplate {
    page: Page,
    job: import_job::Model,
    progress: Progress,
}

/// The progress panel alone, polled by the job page while the import runs.
async fn status(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !actor.can(Permission::ImportData) {
        return error_page(&page, ApiError::Forbidden);
    }
    match jobs::job(&state.db.conn, &actor, id).await {
        Ok(job) => render(&StatusTemplate {
            page,
            progress: progress(&job),
            job,
        }),
        Err(error) => error_page(&page, error.into()),
    }
}

/// Confirms a draft's mapping (`column_N` = field key or empty to ignore) and policy, and
/// starts it in the background.
async fn start(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !actor.can(Permission::ImportData) {
        return error_page(&page, ApiError::Forbidden);
    }
    let started = async {
        let job = jobs::job(&state.db.conn, &actor, id).await?;
        let path = job.file_path.clone().unwrap_or_default();
        let preview = preview_file(FilePath::new(&path)).await?;
        let mapping: HashMap<String, String> = preview
            .columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                let chosen = form.get(&format!("column_{index}")).cloned();
                (column.header.clone(), chosen.unwrap_or_default())
            })
            .collect();
        let mut fields = form.clone();
        fields.insert(
            "mapping".into(),
            serde_json::to_string(&mapping).unwrap_or_default(),
        );
        fields.insert("store_id".into(), job.store_id.to_string());
        let ImportOptions {
            mapping,
            on_duplicate,
            dry_run,
            ..
        } = import_options(&actor, &fields)?;
        let mapping = serde_json::to_value(mapping).unwrap_or_default();
        Ok::<_, ApiError>(
            jobs::configure_job(&state.db.conn, &job, mapping, on_duplicate, dry_run).await?,
        )
    }
    .await;
    match started {
        Ok(job) => {
            imports::spawn(state.clone(), job.clone());
            Redirect::to(&format!("/imports/{}", job.id)).into_response()
        }
        Err(error) => error_page(&page, error),
    }
}
