//! Running an import job: the file is read on a blocking thread and streamed, row by row, to
//! batches that are checked and written one transaction each. Memory holds one batch and a
//! bounded queue of rows, however large the file.

use std::collections::HashMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::Utc;
use fours_domain::onboarding::{OnDuplicate, map_columns};
use fours_store::Database;
use fours_store::onboarding::{
    self as jobs, NewJob, PreparedRow, Reject, entities::import_job, write_batch,
};
use fours_store::org::Actor;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::OnboardingError;
use crate::rows::{ColumnMap, RowContext, prepare};

/// Rows per transaction: large enough to amortise a commit, small enough to lose little on a crash.
pub const BATCH_ROWS: usize = 1_000;

/// How to run an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub store_id: Uuid,
    /// Header → field key choices (an empty key ignores the column); headers not named here are
    /// recognised by their synonyms.
    pub mapping: HashMap<String, String>,
    pub on_duplicate: OnDuplicate,
    pub dry_run: bool,
}

/// Finds the unfinished job for this file, store and policy (to resume it), or creates one.
/// The caller runs it with [`run_job`].
pub async fn open_job(
    db: &Database,
    actor: &Actor,
    path: &Path,
    file_name: &str,
    options: &ImportOptions,
) -> Result<(import_job::Model, bool), OnboardingError> {
    let sha256 = file_sha256(path).await?;
    if !options.dry_run
        && let Some(job) = jobs::resumable_job(
            &db.conn,
            actor,
            options.store_id,
            &sha256,
            options.on_duplicate,
        )
        .await?
    {
        return Ok((job, true));
    }
    let job = new_job(db, actor, sha256, file_name, options, None).await?;
    Ok((job, false))
}

/// A job for an uploaded file kept at `saved` for the background worker; it waits in draft for
/// the user's mapping when `awaiting_mapping`.
pub async fn upload_job(
    db: &Database,
    actor: &Actor,
    saved: &Path,
    file_name: &str,
    options: &ImportOptions,
    awaiting_mapping: bool,
) -> Result<import_job::Model, OnboardingError> {
    let sha256 = file_sha256(saved).await?;
    new_job(
        db,
        actor,
        sha256,
        file_name,
        options,
        Some((saved, awaiting_mapping)),
    )
    .await
}

async fn new_job(
    db: &Database,
    actor: &Actor,
    file_sha256: String,
    file_name: &str,
    options: &ImportOptions,
    upload: Option<(&Path, bool)>,
) -> Result<import_job::Model, OnboardingError> {
    Ok(jobs::create_job(
        &db.conn,
        actor,
        NewJob {
            store_id: options.store_id,
            file_name: file_name.to_owned(),
            file_sha256,
            file_path: upload.map(|(path, _)| path.display().to_string()),
            mapping: serde_json::to_value(&options.mapping).unwrap_or_default(),
            on_duplicate: options.on_duplicate,
            dry_run: options.dry_run,
            awaiting_mapping: upload.is_some_and(|(_, awaiting)| awaiting),
        },
    )
    .await?)
}

async fn file_sha256(path: &Path) -> Result<String, OnboardingError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path).map_err(|e| OnboardingError::io(&path, e))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let read = file
                .read(&mut buffer)
                .map_err(|e| OnboardingError::io(&path, e))?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    })
    .await
    .map_err(|e| OnboardingError::Worker(e.to_string()))?
}

enum Message {
    Total(i64),
    Row(i64, Vec<String>),
    Failed(fours_sheets::SheetError),
}

/// Reads the file on a blocking thread: first the row count (unless known), then every row.
fn stream_rows(path: PathBuf, count_first: bool) -> mpsc::Receiver<Message> {
    let (sender, receiver) = mpsc::channel(4 * BATCH_ROWS);
    tokio::task::spawn_blocking(move || {
        if count_first {
            let mut rows = 0i64;
            let counted = fours_sheets::read_rows(&path, |_, _| {
                rows += 1;
                ControlFlow::Continue(())
            });
            if counted.is_ok() && sender.blocking_send(Message::Total(rows - 1)).is_err() {
                return;
            }
        }
        let read = fours_sheets::read_rows(&path, |row_no, cells| {
            match sender.blocking_send(Message::Row(row_no as i64, cells)) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            }
        });
        if let Err(error) = read {
            let _ = sender.blocking_send(Message::Failed(error));
        }
    });
    receiver
}

/// Runs (or resumes) a job to the end, calling `progress` after every batch. A failure is
/// recorded on the job, whose committed batches stay.
pub async fn run_job(
    db: &Database,
    actor: &Actor,
    job: import_job::Model,
    path: &Path,
    mut progress: impl FnMut(&import_job::Model),
) -> Result<import_job::Model, OnboardingError> {
    let job = jobs::start_job(&db.conn, &job, None).await?;
    match import_rows(db, actor, job.clone(), path, &mut progress).await {
        Ok(job) => {
            fours_store::db::refresh_statistics(&db.conn).await?;
            Ok(jobs::finish_job(&db.conn, &job, None).await?)
        }
        Err(error) => {
            let latest = jobs::job(&db.conn, actor, job.id).await.unwrap_or(job);
            jobs::finish_job(&db.conn, &latest, Some(error.to_string())).await?;
            Err(error)
        }
    }
}

async fn import_rows(
    db: &Database,
    actor: &Actor,
    mut job: import_job::Model,
    path: &Path,
    progress: &mut impl FnMut(&import_job::Model),
) -> Result<import_job::Model, OnboardingError> {
    let choices: HashMap<String, String> =
        serde_json::from_value(job.mapping.clone()).unwrap_or_default();
    let mut rows = stream_rows(path.to_owned(), job.rows_total.is_none());
    let mut map: Option<ColumnMap> = None;
    let mut batch = Batch::default();
    let context = RowContext {
        pii: &db.pii,
        actor,
        store_id: job.store_id,
        now: Utc::now(),
    };
    while let Some(message) = rows.recv().await {
        let (row_no, cells) = match message {
            Message::Total(total) => {
                job = jobs::start_job(&db.conn, &job, Some(total)).await?;
                progress(&job);
                continue;
            }
            Message::Failed(error) => return Err(error.into()),
            Message::Row(row_no, cells) => (row_no, cells),
        };
        let Some(map) = &map else {
            let fields = map_columns(&cells, &choices)?;
            let columns = ColumnMap::new(&cells, fields);
            if !columns.fills("name") {
                return Err(OnboardingError::NoNameColumn);
            }
            map = Some(columns);
            continue;
        };
        if row_no < job.next_row {
            continue;
        }
        match prepare(map, row_no, &cells, &context) {
            Ok(prepared) => batch.rows.push(prepared),
            Err(rejects) => {
                batch.rejects.extend(rejects);
                batch.rejected_rows += 1;
            }
        }
        if batch.len() >= BATCH_ROWS {
            job = batch.write(db, actor, &job, row_no + 1).await?;
            progress(&job);
        }
    }
    if map.is_none() {
        return Err(OnboardingError::Sheet(fours_sheets::SheetError::Empty));
    }
    if batch.len() > 0 {
        let next_row = job.next_row.max(last_row(&batch) + 1);
        job = batch.write(db, actor, &job, next_row).await?;
        progress(&job);
    }
    Ok(job)
}

fn last_row(batch: &Batch) -> i64 {
    let prepared = batch.rows.iter().map(|r| r.row_no);
    let rejected = batch.rejects.iter().map(|r| r.row_no);
    prepared.chain(rejected).max().unwrap_or_default()
}

#[derive(Default)]
struct Batch {
    rows: Vec<PreparedRow>,
    rejects: Vec<Reject>,
    rejected_rows: usize,
}

impl Batch {
    fn len(&self) -> usize {
        self.rows.len() + self.rejected_rows
    }

    async fn write(
        &mut self,
        db: &Database,
        actor: &Actor,
        job: &import_job::Model,
        next_row: i64,
    ) -> Result<import_job::Model, OnboardingError> {
        let taken = std::mem::take(self);
        Ok(write_batch(db, actor, job, taken.rows, taken.rejects, next_row).await?)
    }
}
