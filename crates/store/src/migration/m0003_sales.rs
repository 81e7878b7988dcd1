//! The showroom and sales process: visits, leads with their history and follow-ups, test
//! drives, quotes, the new-car stock, orders, deliveries; per-store settings and number
//! sequences; and the outbox of business events other capabilities consume.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::{tenant_fk, tenant_index, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_sales"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

fn store_fk(table: &'static str) -> ForeignKeyCreateStatement {
    tenant_fk(table, "store_id", "stores")
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        // Per-store sales settings; a store without a row uses the defaults.
        tenant_table("sales_policies")
            .col(uuid("store_id"))
            .col(json_binary("horizon_days"))
            .col(json_binary("cadence_days"))
            .col(integer("manager_grace_days"))
            .col(big_integer("discount_limit_fen"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut store_fk("sales_policies"))
            .to_owned(),
        // Human numbers (sales orders, later repair orders) counted per store and name.
        Table::create()
            .table("store_sequences")
            .col(uuid("tenant_id"))
            .col(uuid("store_id"))
            .col(string("name"))
            .col(big_integer("last_value"))
            .primary_key(Index::create().col("tenant_id").col("store_id").col("name"))
            .foreign_key(&mut store_fk("store_sequences"))
            .to_owned(),
        tenant_table("showroom_visits")
            .col(uuid("store_id"))
            .col(string("channel"))
            .col(timestamp_with_time_zone("arrived_at"))
            .col(timestamp_with_time_zone_null("left_at"))
            .col(integer("party_size"))
            .col(boolean("first_visit"))
            .col(string("models_of_interest"))
            .col(uuid_null("consultant_id"))
            .col(uuid_null("customer_id"))
            .col(uuid_null("lead_id"))
            .col(string_null("visitor"))
            .col(string_null("notes"))
            .col(uuid("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut store_fk("showroom_visits"))
            .foreign_key(&mut tenant_fk("showroom_visits", "consultant_id", "users"))
            .foreign_key(&mut tenant_fk(
                "showroom_visits",
                "customer_id",
                "customers",
            ))
            .to_owned(),
        tenant_table("leads")
            .col(uuid("store_id"))
            .col(uuid("customer_id"))
            .col(uuid("consultant_id"))
            .col(string("source"))
            .col(string_null("info_source"))
            .col(string("models_of_interest"))
            .col(big_integer_null("budget_min_fen"))
            .col(big_integer_null("budget_max_fen"))
            .col(integer_null("buys_within_days"))
            .col(string("grade"))
            .col(boolean("grade_judged"))
            .col(string_null("competitor_models"))
            .col(string_null("current_car"))
            .col(string_null("trade_in_model"))
            .col(integer_null("trade_in_year"))
            .col(integer_null("trade_in_mileage_km"))
            .col(big_integer_null("trade_in_offer_fen"))
            .col(boolean("finance_interest"))
            .col(string("step"))
            .col(string("standing"))
            .col(date_null("next_follow_up_on"))
            .col(timestamp_with_time_zone_null("last_contact_at"))
            .col(string_null("defeat_reason"))
            .col(string_null("defeat_brand"))
            .col(string_null("defeat_model"))
            .col(string_null("defeat_note"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .col(uuid("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut store_fk("leads"))
            .foreign_key(&mut tenant_fk("leads", "customer_id", "customers"))
            .foreign_key(&mut tenant_fk("leads", "consultant_id", "users"))
            .to_owned(),
        // Everything that happened to a lead: steps, grades, reassignments, defeat decisions.
        tenant_table("lead_history")
            .col(uuid("lead_id"))
            .col(timestamp_with_time_zone("at"))
            .col(uuid("by_user"))
            .col(string("kind"))
            .col(string_null("from_value"))
            .col(string_null("to_value"))
            .col(string_null("note"))
            .foreign_key(&mut tenant_fk("lead_history", "lead_id", "leads"))
            .to_owned(),
        tenant_table("follow_ups")
            .col(uuid("lead_id"))
            .col(uuid("store_id"))
            .col(uuid("consultant_id"))
            .col(timestamp_with_time_zone("done_at"))
            .col(string("method"))
            .col(string("outcome"))
            .col(string_null("next_step"))
            .col(date_null("due_on"))
            .col(boolean("on_time"))
            .col(date("next_follow_up_on"))
            .foreign_key(&mut tenant_fk("follow_ups", "lead_id", "leads"))
            .foreign_key(&mut store_fk("follow_ups"))
            .to_owned(),
        tenant_table("new_car_stock")
            .col(uuid("store_id"))
            .col(string("vin"))
            .col(string("brand"))
            .col(string("series"))
            .col(string("model"))
            .col(string_null("trim"))
            .col(string_null("colour"))
            .col(big_integer("list_price_fen"))
            .col(string("status"))
            .col(uuid_null("order_id"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut store_fk("new_car_stock"))
            .to_owned(),
        tenant_table("test_drives")
            .col(uuid("lead_id"))
            .col(uuid("store_id"))
            .col(uuid("consultant_id"))
            .col(string("demo_vehicle"))
            .col(string("licence_masked"))
            .col(string("licence_cipher"))
            .col(boolean("licence_checked"))
            .col(timestamp_with_time_zone("out_at"))
            .col(timestamp_with_time_zone_null("in_at"))
            .col(integer("out_km"))
            .col(integer_null("in_km"))
            .col(string_null("route"))
            .col(string_null("feedback"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut tenant_fk("test_drives", "lead_id", "leads"))
            .foreign_key(&mut store_fk("test_drives"))
            .to_owned(),
        tenant_table("quotes")
            .col(uuid("lead_id"))
            .col(uuid("store_id"))
            .col(uuid("consultant_id"))
            .col(string("vehicle"))
            .col(big_integer("vehicle_price_fen"))
            .col(big_integer("discount_fen"))
            .col(big_integer("accessories_fen"))
            .col(big_integer("insurance_fen"))
            .col(big_integer("fees_fen"))
            .col(big_integer("trade_in_credit_fen"))
            .col(big_integer_null("down_payment_fen"))
            .col(integer_null("finance_term_months"))
            .col(big_integer("deal_fen"))
            .col(big_integer("customer_pays_fen"))
            .col(big_integer("financed_fen"))
            .col(string("approval"))
            .col(uuid_null("decided_by"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut tenant_fk("quotes", "lead_id", "leads"))
            .foreign_key(&mut store_fk("quotes"))
            .to_owned(),
        tenant_table("sales_orders")
            .col(uuid("store_id"))
            .col(string("number"))
            .col(uuid("lead_id"))
            .col(uuid_null("quote_id"))
            .col(uuid("customer_id"))
            .col(uuid("consultant_id"))
            .col(uuid_null("stock_id"))
            .col(big_integer("deposit_fen"))
            .col(string("payment_method"))
            .col(date_null("expected_delivery_on"))
            .col(string("status"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut store_fk("sales_orders"))
            .foreign_key(&mut tenant_fk("sales_orders", "lead_id", "leads"))
            .foreign_key(&mut tenant_fk("sales_orders", "stock_id", "new_car_stock"))
            .to_owned(),
        tenant_table("deliveries")
            .col(uuid("order_id"))
            .col(uuid("lead_id"))
            .col(uuid("vehicle_id"))
            .col(timestamp_with_time_zone("delivered_at"))
            .col(boolean("documents_checked"))
            .col(boolean("functions_explained"))
            .col(boolean("first_service_reminder"))
            .col(boolean("referral_asked"))
            .col(string_null("notes"))
            .col(uuid("created_by"))
            .foreign_key(&mut tenant_fk("deliveries", "order_id", "sales_orders"))
            .foreign_key(&mut tenant_fk("deliveries", "vehicle_id", "vehicles"))
            .to_owned(),
        // Business events other capabilities consume (care plans read `vehicle_delivered`).
        tenant_table("domain_events")
            .col(string("kind"))
            .col(uuid_null("store_id"))
            .col(uuid_null("customer_id"))
            .col(uuid_null("vehicle_id"))
            .col(json_binary("payload"))
            .col(timestamp_with_time_zone("occurred_at"))
            .col(timestamp_with_time_zone_null("handled_at"))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    let unique = |mut index: IndexCreateStatement| index.unique().to_owned();
    vec![
        unique(tenant_index(
            "sales_policies",
            "ux_sales_policies_store",
            &["store_id"],
        )),
        tenant_index(
            "showroom_visits",
            "ix_visits_store_arrived",
            &["store_id", "arrived_at"],
        ),
        tenant_index("showroom_visits", "ix_visits_customer", &["customer_id"]),
        tenant_index(
            "leads",
            "ix_leads_consultant_due",
            &["consultant_id", "standing", "next_follow_up_on"],
        ),
        tenant_index(
            "leads",
            "ix_leads_store_due",
            &["store_id", "standing", "next_follow_up_on"],
        ),
        tenant_index(
            "leads",
            "ix_leads_store_created",
            &["store_id", "created_at"],
        ),
        tenant_index("leads", "ix_leads_customer", &["customer_id"]),
        tenant_index("lead_history", "ix_lead_history_lead", &["lead_id", "at"]),
        tenant_index("follow_ups", "ix_follow_ups_lead", &["lead_id", "done_at"]),
        tenant_index(
            "follow_ups",
            "ix_follow_ups_store_done",
            &["store_id", "done_at"],
        ),
        unique(tenant_index(
            "new_car_stock",
            "ux_new_car_stock_vin",
            &["vin"],
        )),
        tenant_index(
            "new_car_stock",
            "ix_new_car_stock_store",
            &["store_id", "status"],
        ),
        tenant_index("test_drives", "ix_test_drives_lead", &["lead_id"]),
        tenant_index(
            "test_drives",
            "ix_test_drives_store_out",
            &["store_id", "out_at"],
        ),
        tenant_index("quotes", "ix_quotes_lead", &["lead_id"]),
        tenant_index(
            "quotes",
            "ix_quotes_store_approval",
            &["store_id", "approval"],
        ),
        unique(tenant_index(
            "sales_orders",
            "ux_sales_orders_number",
            &["store_id", "number"],
        )),
        tenant_index("sales_orders", "ix_sales_orders_lead", &["lead_id"]),
        tenant_index(
            "sales_orders",
            "ix_sales_orders_store_created",
            &["store_id", "created_at"],
        ),
        unique(tenant_index(
            "deliveries",
            "ux_deliveries_order",
            &["order_id"],
        )),
        tenant_index(
            "domain_events",
            "ix_domain_events_pending",
            &["kind", "handled_at"],
        ),
    ]
}
