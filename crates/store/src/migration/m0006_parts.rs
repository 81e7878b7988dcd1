//! Parts (备件): the group's part catalogue, bins and stock per store, every stock movement,
//! supplier orders, stock-takes, special orders for customers, and the message outbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::{tenant_fk, tenant_index, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_parts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        // A repair order's part line becomes real when it is issued: which catalogue part,
        // how much left the shelf, and when the shelf was first found short of it.
        // (One column per statement: SQLite alters one at a time.)
        for column in [
            uuid_null("part_id"),
            big_integer("issued_hundredths").default(0).to_owned(),
            timestamp_with_time_zone_null("short_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("repair_parts")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
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

fn part_fk(table: &'static str) -> ForeignKeyCreateStatement {
    tenant_fk(table, "part_id", "parts")
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        // The group's catalogue: one row per maker's part number.
        tenant_table("parts")
            .col(string("part_number"))
            .col(string("name"))
            .col(string_null("brand"))
            .col(string_null("category"))
            .col(string("unit"))
            .col(big_integer("retail_price_fen"))
            .col(big_integer("cost_price_fen"))
            .col(string_null("superseded_by"))
            .col(string_null("default_bin"))
            .col(boolean("active"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
        // Per-store parts settings; a store without a row uses the defaults.
        tenant_table("parts_policies")
            .col(uuid("store_id"))
            .col(boolean("allow_negative"))
            .col(integer("demand_window_days"))
            .col(integer("lead_time_days"))
            .col(integer("safety_days"))
            .col(integer("cycle_days"))
            .col(integer("dead_months"))
            .col(integer("warning_months"))
            .foreign_key(&mut store_fk("parts_policies"))
            .to_owned(),
        tenant_table("bins")
            .col(uuid("store_id"))
            .col(string("code"))
            .col(string_null("note"))
            .col(boolean("active"))
            .foreign_key(&mut store_fk("bins"))
            .to_owned(),
        // A part's stock in one store: where it lives, how much, at what average cost, how much
        // of it is kept for customers' special orders, and its reorder levels (set by hand, or
        // empty to follow demand).
        tenant_table("part_stock")
            .col(uuid("store_id"))
            .col(uuid("part_id"))
            .col(uuid_null("bin_id"))
            .col(big_integer("on_hand"))
            .col(big_integer("reserved"))
            .col(big_integer("average_cost_fen"))
            .col(big_integer_null("min_level"))
            .col(big_integer_null("max_level"))
            .col(timestamp_with_time_zone_null("last_moved_at"))
            .foreign_key(&mut store_fk("part_stock"))
            .foreign_key(&mut part_fk("part_stock"))
            .to_owned(),
        // Every change of stock, signed (+ in, − out), with what it was against.
        tenant_table("stock_movements")
            .col(uuid("store_id"))
            .col(uuid("part_id"))
            .col(string("kind"))
            .col(big_integer("quantity"))
            .col(big_integer("unit_cost_fen"))
            .col(big_integer("on_hand_after"))
            .col(timestamp_with_time_zone("at"))
            .col(uuid_null("by_user"))
            .col(uuid_null("repair_order_id"))
            .col(uuid_null("repair_part_id"))
            .col(uuid_null("supplier_order_id"))
            .col(uuid_null("special_order_id"))
            .col(uuid_null("stock_take_id"))
            .col(uuid_null("other_store_id"))
            .col(string_null("reason"))
            .col(uuid_null("technician_id"))
            .col(text_null("signature_png"))
            // Issues only: whether the shelf had the line's quantity when it was first asked for.
            .col(boolean_null("filled_first_time"))
            .foreign_key(&mut store_fk("stock_movements"))
            .foreign_key(&mut part_fk("stock_movements"))
            .to_owned(),
        tenant_table("supplier_orders")
            .col(uuid("store_id"))
            .col(string("number"))
            .col(string("supplier"))
            .col(string("status"))
            .col(date_null("expected_on"))
            .col(uuid("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("sent_at"))
            .foreign_key(&mut store_fk("supplier_orders"))
            .to_owned(),
        tenant_table("supplier_order_lines")
            .col(uuid("order_id"))
            .col(uuid("part_id"))
            .col(big_integer("quantity"))
            .col(big_integer("received"))
            .col(big_integer("unit_cost_fen"))
            .col(uuid_null("special_order_id"))
            .foreign_key(&mut tenant_fk(
                "supplier_order_lines",
                "order_id",
                "supplier_orders",
            ))
            .foreign_key(&mut part_fk("supplier_order_lines"))
            .to_owned(),
        tenant_table("stock_takes")
            .col(uuid("store_id"))
            .col(string("number"))
            .col(string("status"))
            .col(string_null("area"))
            .col(uuid("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .col(uuid_null("decided_by"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .foreign_key(&mut store_fk("stock_takes"))
            .to_owned(),
        tenant_table("stock_take_lines")
            .col(uuid("stock_take_id"))
            .col(uuid("part_id"))
            .col(string_null("bin_code"))
            .col(big_integer("expected"))
            .col(big_integer_null("counted"))
            .foreign_key(&mut tenant_fk(
                "stock_take_lines",
                "stock_take_id",
                "stock_takes",
            ))
            .foreign_key(&mut part_fk("stock_take_lines"))
            .to_owned(),
        tenant_table("special_orders")
            .col(uuid("store_id"))
            .col(string("number"))
            .col(uuid("part_id"))
            .col(big_integer("quantity"))
            .col(uuid("customer_id"))
            .col(uuid_null("vehicle_id"))
            .col(uuid_null("repair_order_id"))
            .col(uuid_null("appointment_id"))
            .col(string("status"))
            .col(uuid("requested_by"))
            .col(timestamp_with_time_zone("requested_at"))
            .col(string_null("supplier"))
            .col(date_null("expected_on"))
            .col(uuid_null("supplier_order_id"))
            .col(date_null("arrived_on"))
            .col(uuid_null("booked_appointment_id"))
            .col(string_null("note"))
            .foreign_key(&mut store_fk("special_orders"))
            .foreign_key(&mut part_fk("special_orders"))
            .to_owned(),
        // Who moved a special order on, and when.
        tenant_table("special_order_history")
            .col(uuid("special_order_id"))
            .col(string("status"))
            .col(uuid_null("by_user"))
            .col(timestamp_with_time_zone("at"))
            .col(string_null("note"))
            .foreign_key(&mut tenant_fk(
                "special_order_history",
                "special_order_id",
                "special_orders",
            ))
            .to_owned(),
        // Messages to customers, written with the change that causes them; a sender delivers.
        tenant_table("outbox_messages")
            .col(uuid_null("store_id"))
            .col(uuid_null("customer_id"))
            .col(string("channel"))
            .col(string("kind"))
            .col(text("body"))
            .col(string("status"))
            .col(integer("attempts"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("sent_at"))
            .col(uuid_null("related_id"))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    let unique = |mut index: IndexCreateStatement| index.unique().to_owned();
    vec![
        unique(tenant_index("parts", "ux_parts_number", &["part_number"])),
        unique(tenant_index(
            "parts_policies",
            "ux_parts_policies_store",
            &["store_id"],
        )),
        unique(tenant_index("bins", "ux_bins_code", &["store_id", "code"])),
        unique(tenant_index(
            "part_stock",
            "ux_part_stock_part",
            &["store_id", "part_id"],
        )),
        // Dead stock: the store's parts by when they last moved.
        tenant_index(
            "part_stock",
            "ix_part_stock_last_moved",
            &["store_id", "last_moved_at", "on_hand"],
        ),
        tenant_index(
            "stock_movements",
            "ix_stock_movements_part",
            &["store_id", "part_id", "at"],
        ),
        // Fill rate and turns: a period's movements of one kind, counted from the index alone.
        tenant_index(
            "stock_movements",
            "ix_stock_movements_kind",
            &["store_id", "kind", "at", "filled_first_time"],
        ),
        tenant_index(
            "stock_movements",
            "ix_stock_movements_order",
            &["repair_order_id"],
        ),
        unique(tenant_index(
            "supplier_orders",
            "ux_supplier_orders_number",
            &["store_id", "number"],
        )),
        tenant_index(
            "supplier_order_lines",
            "ix_supplier_order_lines_order",
            &["order_id"],
        ),
        tenant_index(
            "supplier_order_lines",
            "ix_supplier_order_lines_part",
            &["part_id"],
        ),
        unique(tenant_index(
            "stock_takes",
            "ux_stock_takes_number",
            &["store_id", "number"],
        )),
        tenant_index(
            "stock_take_lines",
            "ix_stock_take_lines_take",
            &["stock_take_id"],
        ),
        unique(tenant_index(
            "special_orders",
            "ux_special_orders_number",
            &["store_id", "number"],
        )),
        tenant_index(
            "special_orders",
            "ix_special_orders_store_status",
            &["store_id", "status"],
        ),
        tenant_index(
            "special_orders",
            "ix_special_orders_customer",
            &["customer_id"],
        ),
        tenant_index(
            "special_orders",
            "ix_special_orders_repair_order",
            &["repair_order_id"],
        ),
        tenant_index(
            "special_order_history",
            "ix_special_order_history_order",
            &["special_order_id", "at"],
        ),
        tenant_index(
            "outbox_messages",
            "ix_outbox_messages_pending",
            &["status", "created_at"],
        ),
    ]
}
