//! Tables of import jobs.

pub mod import_job {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "import_jobs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub created_by: Uuid,
        pub file_name: String,
        /// Identifies the file, so that importing it again resumes an unfinished job.
        pub file_sha256: String,
        /// Where an uploaded file waits for the background worker.
        pub file_path: Option<String>,
        /// Header → field key choices made by the user.
        pub mapping: Json,
        pub on_duplicate: String,
        pub dry_run: bool,
        /// `queued`, `running`, `done` or `failed`.
        pub status: String,
        /// The first file row not yet in a committed batch.
        pub next_row: i64,
        pub rows_total: Option<i64>,
        pub rows_done: i64,
        pub customers_created: i64,
        pub vehicles_created: i64,
        pub records_updated: i64,
        pub duplicates: i64,
        pub rows_rejected: i64,
        pub failure: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod import_reject {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "import_rejects")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub job_id: Uuid,
        /// As the user sees it in the spreadsheet: the header is row 1.
        pub row_no: i64,
        /// The file's header of the offending column (empty when the row as a whole is wrong).
        pub column_name: String,
        pub field: String,
        pub value: String,
        pub code: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
