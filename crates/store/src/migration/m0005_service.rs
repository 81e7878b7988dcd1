//! After-sales service: the workshop's master data (labour operations, bays, per-store
//! settings), appointments, and repair orders with their jobs, part lines and history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::{tenant_fk, tenant_index, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_service"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        // When the car is next due for maintenance, kept on the car so that the appointment
        // specialist's list is one indexed range at a million vehicles.
        manager
            .alter_table(
                Table::alter()
                    .table("vehicles")
                    .add_column(date_null("next_service_on"))
                    .to_owned(),
            )
            .await?;
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
        // Per-store workshop settings; a store without a row uses the defaults.
        tenant_table("service_policies")
            .col(uuid("store_id"))
            .col(json_binary("labour_rates_fen"))
            .col(integer("opens_at_minute"))
            .col(integer("closes_at_minute"))
            .col(integer("reception_slot_minutes"))
            .col(json_binary("closed_dates"))
            .col(integer("advisor_commission_bp"))
            .col(integer("supervisor_commission_bp"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut store_fk("service_policies"))
            .to_owned(),
        tenant_table("labour_operations")
            .col(uuid("store_id"))
            .col(string("code"))
            .col(string("name"))
            .col(integer("standard_minutes"))
            .col(integer_null("two_person_minutes"))
            .col(boolean("active"))
            .foreign_key(&mut store_fk("labour_operations"))
            .to_owned(),
        tenant_table("bays")
            .col(uuid("store_id"))
            .col(string("code"))
            .col(string("kind"))
            .col(boolean("active"))
            .foreign_key(&mut store_fk("bays"))
            .to_owned(),
        // A technician's team and skills, for dispatch by skill (派工).
        tenant_table("workshop_staff")
            .col(uuid("store_id"))
            .col(uuid("user_id"))
            .col(string("team"))
            .col(json_binary("skills"))
            .col(boolean("team_leader"))
            .foreign_key(&mut store_fk("workshop_staff"))
            .foreign_key(&mut tenant_fk("workshop_staff", "user_id", "users"))
            .to_owned(),
        // Recalls and service campaigns (召回/服务活动) for listed VINs, and the cars done.
        tenant_table("service_campaigns")
            .col(string("code"))
            .col(string("title"))
            .col(string("kind"))
            .col(json_binary("vins"))
            .col(date("ends_on"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
        tenant_table("campaign_completions")
            .col(uuid("campaign_id"))
            .col(uuid("vehicle_id"))
            .col(uuid("order_id"))
            .col(timestamp_with_time_zone("done_at"))
            .foreign_key(&mut tenant_fk(
                "campaign_completions",
                "campaign_id",
                "service_campaigns",
            ))
            .foreign_key(&mut tenant_fk(
                "campaign_completions",
                "vehicle_id",
                "vehicles",
            ))
            .to_owned(),
        tenant_table("appointments")
            .col(uuid("store_id"))
            .col(string("number"))
            .col(uuid("customer_id"))
            .col(uuid("vehicle_id"))
            .col(uuid("advisor_id"))
            .col(timestamp_with_time_zone("arrive_at"))
            .col(timestamp_with_time_zone("expected_end_at"))
            .col(date("service_day"))
            .col(uuid_null("bay_id"))
            .col(uuid_null("technician_id"))
            .col(string("repair_type"))
            .col(string_null("concern"))
            .col(json_binary("jobs"))
            .col(integer("work_minutes"))
            .col(string_null("parts_to_reserve"))
            .col(boolean("courtesy_car"))
            .col(boolean("pickup"))
            .col(string_null("payment_method"))
            .col(integer_null("mileage_km"))
            .col(string("status"))
            .col(json_binary("preparation"))
            .col(uuid_null("rescheduled_to"))
            .col(uuid_null("repair_order_id"))
            .col(uuid("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut store_fk("appointments"))
            .foreign_key(&mut tenant_fk("appointments", "customer_id", "customers"))
            .foreign_key(&mut tenant_fk("appointments", "vehicle_id", "vehicles"))
            .foreign_key(&mut tenant_fk("appointments", "advisor_id", "users"))
            .foreign_key(&mut tenant_fk("appointments", "bay_id", "bays"))
            .to_owned(),
        tenant_table("repair_orders")
            .col(uuid("store_id"))
            .col(string("number"))
            .col(uuid_null("appointment_id"))
            .col(uuid("customer_id"))
            .col(uuid("vehicle_id"))
            .col(uuid("advisor_id"))
            .col(string("status"))
            .col(string_null("pause_reason"))
            .col(timestamp_with_time_zone("received_at"))
            .col(integer("mileage_km"))
            .col(integer("fuel_percent"))
            .col(json_binary("damage"))
            .col(string_null("valuables"))
            .col(string_null("warning_lights"))
            .col(string("concern"))
            .col(string("concern_category"))
            .col(uuid_null("comeback_of"))
            .col(string("fault_class"))
            .col(timestamp_with_time_zone("promised_at"))
            .col(string("payment_method"))
            .col(string("old_parts"))
            .col(boolean("free_wash"))
            .col(integer_null("courtesy_out_km"))
            .col(integer_null("courtesy_out_fuel_percent"))
            .col(string_null("signed_by"))
            .col(text_null("signature"))
            .col(timestamp_with_time_zone_null("signed_at"))
            .col(string_null("team"))
            .col(integer("priority"))
            .col(uuid_null("bay_id"))
            .col(json_binary("internal_check"))
            .col(integer("labour_discount_bp"))
            .col(integer("parts_discount_bp"))
            .col(big_integer("customer_total_fen"))
            .col(big_integer("paid_fen"))
            .col(date_null("next_service_on"))
            .col(integer_null("next_service_km"))
            .col(string_null("follow_up_time"))
            .col(timestamp_with_time_zone_null("ready_at"))
            .col(timestamp_with_time_zone_null("settled_at"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .col(uuid("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut store_fk("repair_orders"))
            .foreign_key(&mut tenant_fk("repair_orders", "customer_id", "customers"))
            .foreign_key(&mut tenant_fk("repair_orders", "vehicle_id", "vehicles"))
            .foreign_key(&mut tenant_fk("repair_orders", "advisor_id", "users"))
            .foreign_key(&mut tenant_fk(
                "repair_orders",
                "appointment_id",
                "appointments",
            ))
            .to_owned(),
        // Job lines (工时项目); added work (增项) starts `proposed` until the customer decides.
        tenant_table("repair_jobs")
            .col(uuid("order_id"))
            .col(integer("position"))
            .col(uuid_null("operation_id"))
            .col(string("name"))
            .col(integer("standard_minutes"))
            .col(string("pay_type"))
            .col(big_integer("labour_fen"))
            .col(string("approval"))
            .col(string("progress"))
            .col(integer("reworks"))
            .col(uuid_null("technician_id"))
            .col(string_null("finding"))
            .col(uuid_null("proposed_by"))
            .col(string_null("decided_via"))
            .col(string_null("decided_by"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .col(boolean("safety_related"))
            .col(timestamp_with_time_zone_null("clocked_on_at"))
            .col(integer("clocked_minutes"))
            .foreign_key(&mut tenant_fk("repair_jobs", "order_id", "repair_orders"))
            .to_owned(),
        tenant_table("repair_parts")
            .col(uuid("order_id"))
            .col(integer_null("job_position"))
            .col(string("part_number"))
            .col(string("name"))
            .col(integer("quantity_hundredths"))
            .col(big_integer("unit_price_fen"))
            .col(string("pay_type"))
            .foreign_key(&mut tenant_fk("repair_parts", "order_id", "repair_orders"))
            .to_owned(),
        // Everything that happened to an order: dispatch, clocks, pauses, checks, approvals.
        tenant_table("repair_order_history")
            .col(uuid("order_id"))
            .col(timestamp_with_time_zone("at"))
            .col(uuid_null("by_user"))
            .col(string("kind"))
            .col(integer_null("job_position"))
            .col(string_null("note"))
            .foreign_key(&mut tenant_fk(
                "repair_order_history",
                "order_id",
                "repair_orders",
            ))
            .to_owned(),
        // Warranty claims (索赔) to the maker, from an order's warranty lines.
        tenant_table("warranty_claims")
            .col(uuid("store_id"))
            .col(uuid("order_id"))
            .col(uuid("advisor_id"))
            .col(string("fault_code"))
            .col(string("labour_code"))
            .col(string("causal_part"))
            .col(big_integer("amount_fen"))
            .col(boolean("value_added"))
            .col(string("status"))
            .col(string_null("rejection_reason"))
            .col(timestamp_with_time_zone_null("submitted_at"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .col(timestamp_with_time_zone_null("paid_at"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut store_fk("warranty_claims"))
            .foreign_key(&mut tenant_fk(
                "warranty_claims",
                "order_id",
                "repair_orders",
            ))
            .to_owned(),
        tenant_table("service_payments")
            .col(uuid("order_id"))
            .col(big_integer("amount_fen"))
            .col(string("method"))
            .col(timestamp_with_time_zone("paid_at"))
            .col(uuid("received_by"))
            .foreign_key(&mut tenant_fk(
                "service_payments",
                "order_id",
                "repair_orders",
            ))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    let unique = |mut index: IndexCreateStatement| index.unique().to_owned();
    vec![
        tenant_index(
            "vehicles",
            "ix_vehicles_store_next_service",
            &["store_id", "next_service_on"],
        ),
        // The group's lists (a group-level user sees every store): the same, without the store.
        tenant_index("vehicles", "ix_vehicles_next_service", &["next_service_on"]),
        tenant_index("repair_orders", "ix_repair_orders_status", &["status"]),
        unique(tenant_index(
            "service_policies",
            "ux_service_policies_store",
            &["store_id"],
        )),
        unique(tenant_index(
            "labour_operations",
            "ux_labour_operations_code",
            &["store_id", "code"],
        )),
        unique(tenant_index("bays", "ux_bays_code", &["store_id", "code"])),
        unique(tenant_index(
            "workshop_staff",
            "ux_workshop_staff_user",
            &["user_id"],
        )),
        unique(tenant_index(
            "service_campaigns",
            "ux_service_campaigns_code",
            &["code"],
        )),
        unique(tenant_index(
            "campaign_completions",
            "ux_campaign_completions_vehicle",
            &["campaign_id", "vehicle_id"],
        )),
        unique(tenant_index(
            "appointments",
            "ux_appointments_number",
            &["store_id", "number"],
        )),
        tenant_index(
            "appointments",
            "ix_appointments_store_day",
            &["store_id", "service_day", "status"],
        ),
        tenant_index(
            "appointments",
            "ix_appointments_advisor_arrive",
            &["advisor_id", "arrive_at"],
        ),
        tenant_index("appointments", "ix_appointments_vehicle", &["vehicle_id"]),
        unique(tenant_index(
            "repair_orders",
            "ux_repair_orders_number",
            &["store_id", "number"],
        )),
        tenant_index(
            "repair_orders",
            "ix_repair_orders_store_status",
            &["store_id", "status"],
        ),
        tenant_index(
            "repair_orders",
            "ix_repair_orders_vehicle",
            &["vehicle_id", "received_at"],
        ),
        tenant_index(
            "repair_orders",
            "ix_repair_orders_store_received",
            &["store_id", "received_at"],
        ),
        unique(tenant_index(
            "repair_jobs",
            "ux_repair_jobs_position",
            &["order_id", "position"],
        )),
        tenant_index("repair_parts", "ix_repair_parts_order", &["order_id"]),
        tenant_index(
            "repair_order_history",
            "ix_repair_order_history_order",
            &["order_id", "at"],
        ),
        tenant_index(
            "warranty_claims",
            "ix_warranty_claims_store_status",
            &["store_id", "status", "decided_at"],
        ),
        tenant_index("warranty_claims", "ix_warranty_claims_order", &["order_id"]),
        tenant_index(
            "service_payments",
            "ix_service_payments_order",
            &["order_id"],
        ),
    ]
}
