//! PIPL erasure (art. 47): when a customer's personal data was erased on their request. The
//! record stays, anonymous, so that their cars' service history and the statistics keep it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_privacy"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("customers")
                    .add_column(timestamp_with_time_zone_null("erased_at"))
                    .to_owned(),
            )
            .await
    }
}
