//! Indexes the sales reports need at a group's scale (1M prospects, 5M follow-ups): every
//! report counts rows of one period, for the whole group, one store or one consultant, so
//! each counted table gets its time column behind the tenant and behind the consultant.

use sea_orm_migration::prelude::*;

use super::m0001_foundation::tenant_index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_sales_report_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        tenant_index("showroom_visits", "ix_visits_arrived", &["arrived_at"]),
        tenant_index(
            "showroom_visits",
            "ix_visits_consultant_arrived",
            &["consultant_id", "arrived_at"],
        ),
        tenant_index("test_drives", "ix_test_drives_out", &["out_at"]),
        tenant_index("sales_orders", "ix_sales_orders_created", &["created_at"]),
        tenant_index("deliveries", "ix_deliveries_delivered", &["delivered_at"]),
        tenant_index("follow_ups", "ix_follow_ups_done", &["done_at"]),
        tenant_index(
            "follow_ups",
            "ix_follow_ups_consultant_done",
            &["consultant_id", "done_at"],
        ),
        tenant_index(
            "leads",
            "ix_leads_standing_closed",
            &["standing", "closed_at"],
        ),
    ]
}
