//! The platform (tenants, stores, users, tokens, audit) and the customer and vehicle archive.
//!
//! Tenancy rule, checked by a schema test: every business table is keyed by `(tenant_id, id)`,
//! its unique constraints start with `tenant_id`, and its foreign keys carry `tenant_id`, so a
//! distributed Postgres (Citus) can shard every table by tenant and co-locate a tenant's rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

/// A business table: `tenant_id` + `id`, primary key on both, owned by a tenant.
pub(super) fn tenant_table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(uuid("tenant_id"))
        .col(uuid("id"))
        .primary_key(Index::create().col("tenant_id").col("id"))
        .foreign_key(
            ForeignKey::create()
                .from(name, "tenant_id")
                .to("tenants", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// A foreign key inside one tenant: `(tenant_id, column)` → `(tenant_id, id)` of `target`.
pub(super) fn tenant_fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(table)
        .from_col("tenant_id")
        .from_col(column)
        .to_tbl(target)
        .to_col("tenant_id")
        .to_col("id")
        .to_owned()
}

pub(super) fn tenant_index(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).col("tenant_id");
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in platform_tables() {
            manager.create_table(table).await?;
        }
        for table in business_tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

/// Tables outside tenancy: the tenant list, the reference catalogue and login machinery that
/// must work before the tenant is known. On Citus they are reference or local tables.
fn platform_tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table("tenants")
            .col(pk_uuid("id"))
            .col(string_uniq("code"))
            .col(string("name"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
        Table::create()
            .table("vehicle_models")
            .col(pk_uuid("id"))
            .col(string("brand"))
            .col(string("series"))
            .col(string("model"))
            .col(string("trim"))
            .col(big_integer("msrp_fen"))
            .to_owned(),
        Table::create()
            .table("web_sessions")
            .col(string("id").primary_key())
            .col(text("data"))
            .col(timestamp_with_time_zone("expires_at"))
            .to_owned(),
        Table::create()
            .table("login_failures")
            .col(pk_uuid("id"))
            .col(string("account"))
            .col(string("address"))
            .col(timestamp_with_time_zone("at"))
            .to_owned(),
    ]
}

fn business_tables() -> Vec<TableCreateStatement> {
    vec![
        tenant_table("stores")
            .col(string("code"))
            .col(string("name"))
            .col(string("time_zone"))
            .col(string("address"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned(),
        tenant_table("users")
            .col(uuid_null("store_id"))
            .col(string("username"))
            .col(string("display_name"))
            .col(string("password_hash"))
            .col(string("role"))
            .col(string("scope"))
            .col(string("locale"))
            .col(boolean("active"))
            .col(timestamp_with_time_zone("sessions_valid_after"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut tenant_fk("users", "store_id", "stores"))
            .to_owned(),
        tenant_table("api_tokens")
            .col(uuid("user_id"))
            .col(string("token_hash"))
            .col(string("label"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("expires_at"))
            .foreign_key(
                &mut tenant_fk("api_tokens", "user_id", "users")
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
            )
            .to_owned(),
        tenant_table("audit_events")
            .col(timestamp_with_time_zone("at"))
            .col(uuid_null("actor_id"))
            .col(string("action"))
            .col(string("entity"))
            .col(uuid_null("entity_id"))
            .col(json_binary_null("before"))
            .col(json_binary_null("after"))
            .to_owned(),
        customers_table(),
        tenant_table("family_members")
            .col(uuid("customer_id"))
            .col(string("name"))
            .col(string("relation"))
            .col(date_null("birthday"))
            .col(string_null("mobile"))
            .foreign_key(
                &mut tenant_fk("family_members", "customer_id", "customers")
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
            )
            .to_owned(),
        vehicles_table(),
        tenant_table("mileage_readings")
            .col(uuid("vehicle_id"))
            .col(date("read_on"))
            .col(integer("km"))
            .col(string("source"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(
                &mut tenant_fk("mileage_readings", "vehicle_id", "vehicles")
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
            )
            .to_owned(),
        tenant_table("vehicle_ownerships")
            .col(uuid("vehicle_id"))
            .col(uuid("customer_id"))
            .col(date("started_on"))
            .col(date_null("ended_on"))
            .foreign_key(
                &mut tenant_fk("vehicle_ownerships", "vehicle_id", "vehicles")
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
            )
            .foreign_key(&mut tenant_fk(
                "vehicle_ownerships",
                "customer_id",
                "customers",
            ))
            .to_owned(),
        tenant_table("timeline_events")
            .col(uuid_null("customer_id"))
            .col(uuid_null("vehicle_id"))
            .col(timestamp_with_time_zone("at"))
            .col(string("kind"))
            .col(string("summary"))
            .col(uuid_null("actor_id"))
            .col(json_binary_null("data"))
            .to_owned(),
    ]
}

fn customers_table() -> TableCreateStatement {
    tenant_table("customers")
        .col(uuid("store_id"))
        .col(uuid_null("owner_id"))
        .col(string("kind"))
        .col(string("name"))
        .col(string("name_pinyin"))
        .col(string("name_initials"))
        .col(string_null("gender"))
        .col(string_null("mobile"))
        .col(string_null("mobile_tail"))
        .col(json_binary("other_phones"))
        .col(string_null("wechat"))
        .col(string_null("email"))
        .col(date_null("birthday"))
        .col(text_null("id_number_cipher"))
        .col(string_null("id_number_hash"))
        .col(string_null("id_number_masked"))
        .col(string_null("address"))
        .col(string_null("postcode"))
        .col(string_null("occupation"))
        .col(string_null("position"))
        .col(string_null("hobbies"))
        .col(string_null("compound"))
        .col(string_null("source"))
        .col(string_null("info_source"))
        .col(uuid_null("referrer_id"))
        .col(string_null("contact_time"))
        .col(string_null("preferred_channel"))
        .col(boolean("marketing_consent"))
        .col(timestamp_with_time_zone_null("consent_updated_at"))
        .col(json_binary("tags"))
        .col(string("class"))
        .col(text_null("notes"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(timestamp_with_time_zone_null("deleted_at"))
        .col(uuid_null("merged_into_id"))
        .foreign_key(&mut tenant_fk("customers", "store_id", "stores"))
        .foreign_key(&mut tenant_fk("customers", "owner_id", "users"))
        .to_owned()
}

fn vehicles_table() -> TableCreateStatement {
    tenant_table("vehicles")
        .col(uuid("store_id"))
        .col(uuid_null("owner_id"))
        .col(string("vin"))
        .col(string("vin_tail"))
        .col(string_null("plate"))
        .col(string_null("plate_key"))
        .col(string_null("engine_no"))
        .col(string_null("brand"))
        .col(string_null("series"))
        .col(string_null("model"))
        .col(string_null("trim"))
        .col(string_null("colour"))
        .col(date_null("production_date"))
        .col(date_null("pdi_date"))
        .col(date_null("licence_date"))
        .col(date_null("delivery_date"))
        .col(big_integer_null("purchase_price_fen"))
        .col(date_null("warranty_start"))
        .col(integer_null("warranty_months"))
        .col(integer_null("warranty_km"))
        .col(string_null("insurer"))
        .col(date_null("insurance_expiry"))
        .col(integer_null("mileage_km"))
        .col(json_binary("warnings"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(timestamp_with_time_zone_null("deleted_at"))
        .foreign_key(&mut tenant_fk("vehicles", "store_id", "stores"))
        .foreign_key(&mut tenant_fk("vehicles", "owner_id", "customers"))
        .to_owned()
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        tenant_index("stores", "ux_stores_code", &["code"])
            .unique()
            .to_owned(),
        tenant_index("users", "ux_users_username", &["username"])
            .unique()
            .to_owned(),
        Index::create()
            .name("ix_users_username")
            .table("users")
            .col("username")
            .to_owned(),
        tenant_index("api_tokens", "ux_api_tokens_hash", &["token_hash"])
            .unique()
            .to_owned(),
        tenant_index("audit_events", "ix_audit_entity", &["entity_id"]),
        tenant_index("customers", "ix_customers_mobile", &["mobile"]),
        tenant_index("customers", "ix_customers_mobile_tail", &["mobile_tail"]),
        tenant_index("customers", "ix_customers_id_hash", &["id_number_hash"]),
        tenant_index("customers", "ix_customers_pinyin", &["name_pinyin"]),
        tenant_index("customers", "ix_customers_initials", &["name_initials"]),
        tenant_index("customers", "ix_customers_name", &["name"]),
        tenant_index("customers", "ix_customers_owner", &["owner_id"]),
        tenant_index("customers", "ix_customers_store", &["store_id"]),
        tenant_index("vehicles", "ux_vehicles_vin", &["vin"])
            .unique()
            .to_owned(),
        tenant_index("vehicles", "ix_vehicles_vin_tail", &["vin_tail"]),
        tenant_index("vehicles", "ix_vehicles_plate_key", &["plate_key"]),
        tenant_index("vehicles", "ix_vehicles_owner", &["owner_id"]),
        tenant_index("family_members", "ix_family_customer", &["customer_id"]),
        tenant_index(
            "mileage_readings",
            "ix_mileage_vehicle",
            &["vehicle_id", "read_on"],
        ),
        tenant_index(
            "vehicle_ownerships",
            "ix_ownership_vehicle",
            &["vehicle_id"],
        ),
        tenant_index(
            "timeline_events",
            "ix_timeline_customer",
            &["customer_id", "at"],
        ),
        tenant_index(
            "timeline_events",
            "ix_timeline_vehicle",
            &["vehicle_id", "at"],
        ),
        Index::create()
            .name("ix_login_failures")
            .table("login_failures")
            .col("account")
            .col("at")
            .to_owned(),
        Index::create()
            .name("ix_login_failures_address")
            .table("login_failures")
            .col("address")
            .col("at")
            .to_owned(),
    ]
}
