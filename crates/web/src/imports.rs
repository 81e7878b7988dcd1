//! Imports as background work: uploaded files wait on disk while a task runs their job, so no
//! browser request waits on a long import; unfinished jobs restart with the server. Also the
//! rejected-rows report, in the reader's language.

use std::path::{Path, PathBuf};

use fours_onboarding::import::run_job;
use fours_sheets::{Format, write_to_bytes};
use fours_store::onboarding::{self as jobs, entities::import_job};
use fours_store::org::{self, Actor};

use crate::AppState;
use crate::error::ApiError;
use crate::locale::Locale;

/// Starts the job on a background task. The uploaded file is deleted once the job is done
/// (it holds personal information); a failed job keeps it so that it can be retried.
pub fn spawn(state: AppState, job: import_job::Model) {
    tokio::spawn(async move {
        if let Err(error) = run_in_background(&state, job).await {
            tracing::error!(%error, "import job failed");
        }
    });
}

async fn run_in_background(state: &AppState, job: import_job::Model) -> Result<(), String> {
    let path = PathBuf::from(job.file_path.clone().ok_or("job has no file")?);
    let user = org::find_user(&state.db.conn, job.tenant_id, job.created_by)
        .await
        .map_err(|e| e.to_string())?;
    let actor = Actor::from_user(&user).map_err(|e| e.to_string())?;
    let done = run_job(&state.db, &actor, job, &path, |_| {})
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(job = %done.id, rows = done.rows_done, "import job done");
    if let Err(error) = tokio::fs::remove_file(&path).await {
        tracing::warn!(%error, path = %path.display(), "could not delete an imported upload");
    }
    Ok(())
}

/// Restarts the jobs that were queued or running when the server stopped.
pub async fn resume_unfinished(state: &AppState) {
    match jobs::unfinished_uploads(&state.db.conn).await {
        Ok(unfinished) => {
            for job in unfinished {
                tracing::info!(job = %job.id, "resuming import job");
                spawn(state.clone(), job);
            }
        }
        Err(error) => tracing::error!(%error, "cannot list unfinished import jobs"),
    }
}

/// Where an upload is kept until its job is done.
pub fn upload_path(state: &AppState, file_name: &str) -> PathBuf {
    let extension = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or("csv");
    state
        .config
        .upload_dir
        .join(format!("{}.{extension}", uuid::Uuid::now_v7()))
}

/// The rejected rows of a job: row, column, value and reason in `locale`.
pub async fn report(
    state: &AppState,
    job: &import_job::Model,
    locale: Locale,
    format: Format,
) -> Result<Vec<u8>, ApiError> {
    let mut lines = vec![
        [
            "report.row",
            "report.column",
            "report.value",
            "report.reason",
        ]
        .map(|key| locale.t(key))
        .to_vec(),
    ];
    let mut after = None;
    loop {
        let page = jobs::rejects(&state.db.conn, job, after, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.row_no, last.id));
        lines.extend(page.iter().map(|reject| {
            let column = if reject.column_name.is_empty() {
                locale.t(&format!("field.{}", reject.field))
            } else {
                reject.column_name.clone()
            };
            vec![
                reject.row_no.to_string(),
                column,
                reject.value.clone(),
                locale.t(&format!("error.{}", reject.code)),
            ]
        }));
    }
    write_to_bytes(format, &locale.t("report.sheet"), lines)
        .map_err(|error| ApiError::Internal(error.to_string()))
}
