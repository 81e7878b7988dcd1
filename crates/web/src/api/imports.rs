//! `/api/v1/imports`: customers and vehicles in from CSV or XLSX, run in the background.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use axum::Json;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use fours_domain::access::{DataScope, Permission};
use fours_domain::onboarding::{IMPORT_FIELDS, OnDuplicate, import_field, map_columns};
use fours_onboarding::import::{ImportOptions, upload_job};
use fours_sheets::Format;
use fours_store::StoreError;
use fours_store::onboarding::{self as jobs, entities::import_job};
use fours_store::org::Actor;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::{ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::locale;
use crate::{AppState, imports};

/// Uploads up to this size; larger legacy exports go through `fours import` on the server.
const MAX_UPLOAD_BYTES: usize = 1 << 30;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/imports", get(list).post(create))
        .route("/api/v1/imports/preview", post(preview))
        .route("/api/v1/imports/{id}", get(show))
        .route("/api/v1/imports/{id}/report", get(report))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportJobOut {
    pub id: Uuid,
    /// `draft` (waiting for a mapping), `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub file_name: String,
    pub store_id: Uuid,
    pub on_duplicate: String,
    pub dry_run: bool,
    /// Data rows in the file, once counted.
    pub rows_total: Option<i64>,
    pub rows_done: i64,
    pub customers_created: i64,
    pub vehicles_created: i64,
    pub records_updated: i64,
    /// Records matched by mobile, resident ID or VIN, in the database or earlier in the file
    /// (so a customer's second car on a row of its own counts one here).
    pub duplicates: i64,
    pub rows_rejected: i64,
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

pub fn job_out(job: import_job::Model) -> ImportJobOut {
    ImportJobOut {
        id: job.id,
        status: job.status,
        file_name: job.file_name,
        store_id: job.store_id,
        on_duplicate: job.on_duplicate,
        dry_run: job.dry_run,
        rows_total: job.rows_total,
        rows_done: job.rows_done,
        customers_created: job.customers_created,
        vehicles_created: job.vehicles_created,
        records_updated: job.records_updated,
        duplicates: job.duplicates,
        rows_rejected: job.rows_rejected,
        failure: job.failure,
        created_at: job.created_at,
        finished_at: job.finished_at,
    }
}

/// An uploaded file saved to disk, with the form's other fields.
pub struct Upload {
    pub path: PathBuf,
    pub file_name: String,
    pub fields: HashMap<String, String>,
}

/// Streams the `file` part to disk (never whole into memory) and collects the text parts.
pub async fn save_upload(state: &AppState, mut multipart: Multipart) -> ApiResult<Upload> {
    let mut saved = None;
    let mut fields = HashMap::new();
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::rejection(e.status(), e.body_text(), None)
    };
    while let Some(mut part) = multipart.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or_default().to_owned();
        if name != "file" {
            fields.insert(name, part.text().await.map_err(bad)?);
            continue;
        }
        let file_name = part.file_name().unwrap_or("upload.csv").to_owned();
        let path = imports::upload_path(state, &file_name);
        let internal = |e: std::io::Error| ApiError::Internal(e.to_string());
        tokio::fs::create_dir_all(&state.config.upload_dir)
            .await
            .map_err(internal)?;
        let mut file = tokio::fs::File::create(&path).await.map_err(internal)?;
        while let Some(chunk) = part.chunk().await.map_err(bad)? {
            file.write_all(&chunk).await.map_err(internal)?;
        }
        file.flush().await.map_err(internal)?;
        saved = Some((path, file_name));
    }
    let (path, file_name) = saved.ok_or_else(|| StoreError::invalid("file", "required"))?;
    Ok(Upload {
        path,
        file_name,
        fields,
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewOut {
    /// `CSV` or `XLSX`.
    pub format: String,
    /// `UTF-8`, `UTF-16LE`, `UTF-16BE` or `GB18030` (which covers GBK).
    pub encoding: String,
    pub columns: Vec<PreviewColumn>,
    /// The first data rows, as read.
    pub rows: Vec<Vec<String>>,
    /// Every field a column can be mapped to.
    pub fields: Vec<FieldChoice>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewColumn {
    pub header: String,
    /// The field recognised from the header, if any.
    pub field: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldChoice {
    pub key: String,
    pub label: String,
}

const PREVIEW_ROWS: usize = 5;

/// The header and first rows of a saved file, with the fields recognised from the headers.
pub async fn preview_file(path: &Path) -> ApiResult<PreviewOut> {
    let path = path.to_owned();
    let (info, mut rows) = tokio::task::spawn_blocking(move || {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let info = fours_sheets::read_rows(&path, |_, cells| {
            rows.push(cells);
            if rows.len() > PREVIEW_ROWS {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        info.map(|info| (info, rows))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let headers = if rows.is_empty() {
        vec![]
    } else {
        rows.remove(0)
    };
    let recognised = map_columns(&headers, &HashMap::new()).unwrap_or_default();
    let locale = locale::current();
    Ok(PreviewOut {
        format: format!("{:?}", info.format).to_uppercase(),
        encoding: info.encoding.to_owned(),
        columns: headers
            .into_iter()
            .zip(recognised)
            .map(|(header, field)| PreviewColumn {
                header,
                field: field.map(str::to_owned),
            })
            .collect(),
        rows,
        fields: IMPORT_FIELDS
            .iter()
            .map(|f| FieldChoice {
                key: f.key.to_owned(),
                label: locale.t(&format!("field.{}", f.key)),
            })
            .collect(),
    })
}

/// Reads a file's header and first rows and says which fields its columns were recognised as;
/// nothing is saved.
#[utoipa::path(post, path = "/api/v1/imports/preview", tag = "imports", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "`file`: CSV (UTF-8, UTF-16 or GBK) or XLSX"),
    responses((status = 200, body = PreviewOut), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<PreviewOut>> {
    caller.require(Permission::ImportData)?;
    let upload = save_upload(&state, multipart?).await?;
    let previewed = preview_file(&upload.path).await;
    let _ = tokio::fs::remove_file(&upload.path).await;
    Ok(Json(previewed?))
}

/// The options of an import as sent in a form: field name → text.
pub fn import_options(actor: &Actor, fields: &HashMap<String, String>) -> ApiResult<ImportOptions> {
    let mut errors = Vec::new();
    let store_id = match fields.get("store_id").filter(|s| !s.is_empty()) {
        Some(text) => text.parse().ok(),
        None => actor.store_id,
    };
    if store_id.is_none() {
        errors.push(("store_id", "required"));
    }
    let on_duplicate = match fields.get("on_duplicate").filter(|s| !s.is_empty()) {
        Some(name) => OnDuplicate::parse(name).unwrap_or_else(|| {
            errors.push(("on_duplicate", "choice.invalid"));
            OnDuplicate::Skip
        }),
        None => OnDuplicate::Skip,
    };
    let mapping: HashMap<String, String> = match fields.get("mapping").filter(|s| !s.is_empty()) {
        Some(json) => serde_json::from_str(json).unwrap_or_else(|_| {
            errors.push(("mapping", "mapping.invalid"));
            HashMap::new()
        }),
        None => HashMap::new(),
    };
    if mapping
        .values()
        .any(|key| !key.is_empty() && import_field(key).is_none())
    {
        errors.push(("mapping", "mapping.invalid"));
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(
            errors
                .into_iter()
                .map(|(field, code)| fours_store::error::FieldError { field, code })
                .collect(),
        )
        .into());
    }
    let store_id = store_id.unwrap_or_default();
    if actor.scope != DataScope::Group && actor.store_id != Some(store_id) {
        return Err(ApiError::Forbidden);
    }
    Ok(ImportOptions {
        store_id,
        mapping,
        on_duplicate,
        dry_run: matches!(
            fields.get("dry_run").map(String::as_str),
            Some("true" | "on" | "1")
        ),
    })
}

/// Uploads a file and starts importing it in the background; poll the job for progress.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "`file`; optional `store_id` (group users must give one), `on_duplicate` (`skip` default, `update`, `overwrite`), `dry_run` (`true`), `mapping` (JSON object: header → field key, `\"\"` to ignore a column)"),
    responses((status = 202, body = ImportJobOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<ImportJobOut>)> {
    let actor = caller.require(Permission::ImportData)?;
    let upload = save_upload(&state, multipart?).await?;
    let queued = async {
        let options = import_options(actor, &upload.fields)?;
        upload_job(
            &state.db,
            actor,
            &upload.path,
            &upload.file_name,
            &options,
            false,
        )
        .await
        .map_err(onboarding_error)
    }
    .await;
    let job = match queued {
        Ok(job) => job,
        Err(error) => {
            let _ = tokio::fs::remove_file(&upload.path).await;
            return Err(error);
        }
    };
    imports::spawn(state.clone(), job.clone());
    Ok((StatusCode::ACCEPTED, Json(job_out(job))))
}

pub fn onboarding_error(error: fours_onboarding::OnboardingError) -> ApiError {
    match error {
        fours_onboarding::OnboardingError::Store(store) => store.into(),
        other => ApiError::Internal(other.to_string()),
    }
}

#[utoipa::path(get, path = "/api/v1/imports", tag = "imports", security(("bearer" = [])),
    responses((status = 200, body = Vec<ImportJobOut>), (status = 403, body = ErrorBody)))]
async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<ImportJobOut>>> {
    let actor = caller.require(Permission::ImportData)?;
    let found = jobs::jobs(&state.db.conn, actor, 50).await?;
    Ok(Json(found.into_iter().map(job_out).collect()))
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ImportJobOut), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ImportJobOut>> {
    let actor = caller.require(Permission::ImportData)?;
    Ok(Json(job_out(jobs::job(&state.db.conn, actor, id).await?)))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct FileParams {
    /// `xlsx` (default) or `csv` (UTF-8 with BOM, for Excel).
    pub format: Option<String>,
}

pub(super) fn file_format(params: &FileParams) -> ApiResult<Format> {
    match params.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => Ok(Format::Xlsx),
        "csv" => Ok(Format::Csv),
        _ => Err(StoreError::invalid("format", "choice.invalid").into()),
    }
}

/// A file download response.
pub fn download(bytes: Vec<u8>, format: Format, stem: &str) -> Response {
    let (mime, extension) = match format {
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    (
        [
            (CONTENT_TYPE, mime.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{extension}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The rejected rows: row number, column, value and reason in the caller's language.
#[utoipa::path(get, path = "/api/v1/imports/{id}/report", tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path), FileParams),
    responses((status = 200, description = "XLSX or CSV file"), (status = 404, body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<FileParams>,
) -> ApiResult<Response> {
    let actor = caller.require(Permission::ImportData)?;
    let format = file_format(&params)?;
    let job = jobs::job(&state.db.conn, actor, id).await?;
    let bytes = imports::report(&state, &job, locale::current(), format).await?;
    Ok(download(bytes, format, &format!("import-{id}-rejects")))
}
