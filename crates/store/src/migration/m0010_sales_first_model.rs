//! The first model of interest of each visit and lead as its own column, so that the funnel by
//! model is counted like the funnel by channel or consultant: per value, as index ranges.
//! Taking the first model out of the comma-separated list at report time made the group's
//! year by model group 400k computed keys (see `sales::reports`). The wide indexes that
//! carried the whole list now carry only the first model.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::tenant_index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_sales_first_model"
    }
}

const TABLES: [&str; 2] = ["showroom_visits", "leads"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string("first_model").default("").to_owned())
                        .to_owned(),
                )
                .await?;
            let first = match manager.get_database_backend() {
                sea_orm::DbBackend::Postgres => "split_part(models_of_interest, ',', 1)",
                _ => "substr(models_of_interest, 1, instr(models_of_interest || ',', ',') - 1)",
            };
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "UPDATE {table} SET first_model = {first} WHERE models_of_interest <> ''"
                ))
                .await?;
        }
        for index in ["ix_visits_arrived", "ix_leads_report_keys"] {
            manager
                .drop_index(Index::drop().name(index).to_owned())
                .await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // The group's visits walked per first model, as the others are per channel.
        tenant_index(
            "showroom_visits",
            "ix_visits_first_model_arrived",
            &[
                "first_model",
                "arrived_at",
                "store_id",
                "consultant_id",
                "customer_id",
            ],
        ),
        // A store's or a consultant's visits of a period with their keys (grouped, not walked).
        tenant_index(
            "showroom_visits",
            "ix_visits_arrived_keys",
            &[
                "arrived_at",
                "store_id",
                "consultant_id",
                "channel",
                "first_model",
                "customer_id",
            ],
        ),
        // A counted lead's scope and keys, looked up by id.
        tenant_index(
            "leads",
            "ix_leads_report_first_model",
            &["id", "store_id", "consultant_id", "source", "first_model"],
        ),
    ]
}
