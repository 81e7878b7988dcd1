//! Indexes the sales reports need at a group's scale (1M prospects, 5M follow-ups). Every
//! report counts one period's rows for the whole group, one store or one consultant. Each
//! index holds every column its count reads (it covers the query), so counting never reads
//! the tables' rows: over a year of the group's history those reads, one per counted row in
//! time order, cost seconds. The planner also prefers an index that covers the query, so one
//! that covers a scope's query is what steers it (see `sales::reports`).

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
        // The funnel's visits of a period with their scope, keys and whether a contact was
        // kept; the group's visits are walked per channel or consultant through the first two.
        tenant_index(
            "showroom_visits",
            "ix_visits_channel_arrived",
            &[
                "channel",
                "arrived_at",
                "store_id",
                "consultant_id",
                "customer_id",
            ],
        ),
        tenant_index(
            "showroom_visits",
            "ix_visits_consultant_arrived",
            &["consultant_id", "arrived_at", "store_id", "customer_id"],
        ),
        tenant_index(
            "showroom_visits",
            "ix_visits_arrived",
            &[
                "arrived_at",
                "store_id",
                "consultant_id",
                "channel",
                "models_of_interest",
                "customer_id",
            ],
        ),
        // Test drives, orders and deliveries of a period with their lead (and store).
        tenant_index(
            "test_drives",
            "ix_test_drives_out",
            &["out_at", "store_id", "lead_id"],
        ),
        tenant_index(
            "sales_orders",
            "ix_sales_orders_created",
            &["created_at", "store_id", "lead_id"],
        ),
        tenant_index(
            "deliveries",
            "ix_deliveries_delivered",
            &["delivered_at", "lead_id"],
        ),
        // A counted lead's scope and keys, looked up by id.
        tenant_index(
            "leads",
            "ix_leads_report_keys",
            &[
                "id",
                "store_id",
                "consultant_id",
                "source",
                "models_of_interest",
            ],
        ),
        // A consultant's or a store's lead ids, which pick their rows of the stages above.
        tenant_index("leads", "ix_leads_consultant_ids", &["consultant_id", "id"]),
        tenant_index("leads", "ix_leads_store_ids", &["store_id", "id"]),
        // Follow-ups per consultant (walked through the first), on time or late, as ranges of
        // a period: the group's and a consultant's, then a store's.
        tenant_index(
            "follow_ups",
            "ix_follow_ups_consultant_done",
            &["consultant_id", "on_time", "done_at"],
        ),
        tenant_index(
            "follow_ups",
            "ix_follow_ups_store_consultant_done",
            &["store_id", "consultant_id", "on_time", "done_at"],
        ),
        // Defeats of a period with their scope and keys.
        tenant_index(
            "leads",
            "ix_leads_standing_closed",
            &[
                "standing",
                "closed_at",
                "store_id",
                "consultant_id",
                "defeat_reason",
                "defeat_brand",
            ],
        ),
        // Open leads by age.
        tenant_index(
            "leads",
            "ix_leads_standing_created",
            &["standing", "created_at", "step"],
        ),
    ]
}
