//! The funnel's daily counts per store and breakdown value (`sales::funnel_days`), which the
//! store and group reports read instead of counting a year of rows, and the per-store-day row
//! a recount locks. Existing history is counted in. The indexes that walked the group's
//! visits per channel or first model, and that counted a store's follow-ups per consultant,
//! served the reports that now read the summary (a day is recounted through m0003's indexes
//! by store and time).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::tenant_fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_sales_funnel_days"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sales_funnel_days")
                    .col(uuid("tenant_id"))
                    .col(string("breakdown"))
                    .col(date("day"))
                    .col(uuid("store_id"))
                    .col(string("breakdown_value"))
                    .col(big_integer("traffic"))
                    .col(big_integer("contacts_kept"))
                    .col(big_integer("test_drives"))
                    .col(big_integer("orders"))
                    .col(big_integer("deliveries"))
                    .col(big_integer("follow_ups"))
                    .col(big_integer("follow_ups_on_time"))
                    // A report reads one breakdown's days of the tenant as one key range.
                    .primary_key(
                        Index::create()
                            .col("tenant_id")
                            .col("breakdown")
                            .col("day")
                            .col("store_id")
                            .col("breakdown_value"),
                    )
                    .foreign_key(&mut tenant_fk("sales_funnel_days", "store_id", "stores"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sales_funnel_days_counted")
                    .col(uuid("tenant_id"))
                    .col(uuid("store_id"))
                    .col(date("day"))
                    .col(timestamp_with_time_zone("counted_at"))
                    .primary_key(Index::create().col("tenant_id").col("store_id").col("day"))
                    .foreign_key(&mut tenant_fk(
                        "sales_funnel_days_counted",
                        "store_id",
                        "stores",
                    ))
                    .to_owned(),
            )
            .await?;
        for index in [
            "ix_visits_channel_arrived",
            "ix_visits_first_model_arrived",
            "ix_follow_ups_store_consultant_done",
        ] {
            manager
                .drop_index(Index::drop().name(index).to_owned())
                .await?;
        }
        crate::sales::funnel_days::rebuild_all(manager.get_connection())
            .await
            .map_err(|error| DbErr::Migration(error.to_string()))
    }
}
