//! Import jobs and the rows they rejected, so that an interrupted import resumes where its last
//! whole batch ended and its report can be downloaded later.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::{tenant_fk, tenant_index, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_imports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_table("import_jobs")
                    .col(uuid("store_id"))
                    .col(uuid("created_by"))
                    .col(string("file_name"))
                    .col(string("file_sha256"))
                    .col(string_null("file_path"))
                    .col(json_binary("mapping"))
                    .col(string("on_duplicate"))
                    .col(boolean("dry_run"))
                    .col(string("status"))
                    .col(big_integer("next_row"))
                    .col(big_integer_null("rows_total"))
                    .col(big_integer("rows_done"))
                    .col(big_integer("customers_created"))
                    .col(big_integer("vehicles_created"))
                    .col(big_integer("records_updated"))
                    .col(big_integer("duplicates"))
                    .col(big_integer("rows_rejected"))
                    .col(string_null("failure"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .foreign_key(&mut tenant_fk("import_jobs", "store_id", "stores"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                tenant_table("import_rejects")
                    .col(uuid("job_id"))
                    .col(big_integer("row_no"))
                    .col(string("column_name"))
                    .col(string("field"))
                    .col(string("value"))
                    .col(string("code"))
                    .foreign_key(
                        &mut tenant_fk("import_rejects", "job_id", "import_jobs")
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(tenant_index(
                "import_jobs",
                "ix_import_jobs_file",
                &["file_sha256"],
            ))
            .await?;
        manager
            .create_index(tenant_index(
                "import_rejects",
                "ix_import_rejects_job",
                &["job_id", "row_no"],
            ))
            .await
    }
}
