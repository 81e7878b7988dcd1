//! Customer care (回访 / 关怀): care plans and their rules, the tasks they generate with every
//! phone attempt, message templates, each store's care settings, the daily generation runs, and
//! what the notification worker needs on the outbox (when a message may go, its retries).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::{tenant_fk, tenant_index, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_care"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        // The worker's bookkeeping on each message (one column per statement: SQLite alters one
        // at a time).
        for column in [
            string_null("template"),
            string_null("locale"),
            boolean("marketing").default(false).to_owned(),
            timestamp_with_time_zone_null("not_before"),
            timestamp_with_time_zone_null("next_attempt_at"),
            text_null("last_error"),
            string_null("provider_id"),
            string_null("subject"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("outbox_messages")
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

fn tables() -> Vec<TableCreateStatement> {
    vec![
        // Per store: quiet hours, retries, escalation, the low-score threshold, free services.
        tenant_table("care_policies")
            .col(uuid("store_id"))
            .col(string("quiet_start"))
            .col(string("quiet_end"))
            .col(integer("max_attempts"))
            .col(integer("escalation_grace_hours"))
            .col(integer("low_score_threshold"))
            .col(integer("first_service_months"))
            .col(integer("first_service_km"))
            .col(integer("second_service_months"))
            .col(integer("second_service_km"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut store_fk("care_policies"))
            .to_owned(),
        tenant_table("care_plans")
            .col(uuid("store_id"))
            .col(string("code"))
            .col(string("name"))
            .col(boolean("active"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut store_fk("care_plans"))
            .to_owned(),
        // On an event or a date, after an offset: a task for a role, or a message.
        tenant_table("care_rules")
            .col(uuid("plan_id"))
            .col(uuid("store_id"))
            .col(integer("position"))
            .col(string("trigger"))
            .col(integer("offset_days"))
            .col(integer("offset_hours"))
            .col(integer("repeat_every_months"))
            .col(integer("repeat_count"))
            .col(string("action"))
            .col(string("channel"))
            .col(string("assignee"))
            .col(string("title"))
            .col(text("script"))
            .col(string_null("survey"))
            .col(string_null("template"))
            .col(boolean("active"))
            .foreign_key(&mut tenant_fk("care_rules", "plan_id", "care_plans"))
            .to_owned(),
        // One contact someone has to make. `subject` + `occurrence` make generation idempotent:
        // the event's id, or the date rule's subject and day.
        tenant_table("care_tasks")
            .col(uuid("store_id"))
            .col(uuid_null("rule_id"))
            .col(string("subject"))
            .col(integer("occurrence"))
            .col(uuid("customer_id"))
            .col(uuid_null("vehicle_id"))
            .col(uuid_null("related_id"))
            .col(uuid_null("assignee_id"))
            .col(string("assignee_role"))
            .col(string("channel"))
            .col(string("title"))
            .col(text("script"))
            .col(string_null("survey"))
            .col(timestamp_with_time_zone("opens_at"))
            .col(timestamp_with_time_zone("due_at"))
            .col(string("status"))
            .col(string_null("outcome"))
            .col(integer("attempts"))
            .col(timestamp_with_time_zone_null("next_attempt_at"))
            .col(timestamp_with_time_zone_null("escalated_at"))
            .col(uuid_null("escalated_to"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut store_fk("care_tasks"))
            .foreign_key(&mut tenant_fk("care_tasks", "customer_id", "customers"))
            .to_owned(),
        tenant_table("care_task_attempts")
            .col(uuid("task_id"))
            .col(timestamp_with_time_zone("at"))
            .col(uuid("by_id"))
            .col(string("outcome"))
            .col(text_null("note"))
            .col(timestamp_with_time_zone_null("call_back_at"))
            .foreign_key(&mut tenant_fk(
                "care_task_attempts",
                "task_id",
                "care_tasks",
            ))
            .to_owned(),
        // A store's wording of a message, per channel and language.
        tenant_table("message_templates")
            .col(uuid("store_id"))
            .col(string("code"))
            .col(string("channel"))
            .col(string("locale"))
            .col(string_null("subject"))
            .col(text("body"))
            .col(timestamp_with_time_zone("updated_at"))
            .col(uuid_null("updated_by"))
            .foreign_key(&mut store_fk("message_templates"))
            .to_owned(),
        // One row per store and day the date rules were run for (the daily job's memory).
        tenant_table("care_runs")
            .col(uuid("store_id"))
            .col(date("run_on"))
            .col(timestamp_with_time_zone("started_at"))
            .col(timestamp_with_time_zone_null("finished_at"))
            .col(integer("created"))
            .foreign_key(&mut store_fk("care_runs"))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    let unique = |mut index: IndexCreateStatement| index.unique().to_owned();
    vec![
        unique(tenant_index(
            "care_policies",
            "ux_care_policies_store",
            &["store_id"],
        )),
        unique(tenant_index(
            "care_plans",
            "ux_care_plans_code",
            &["store_id", "code"],
        )),
        tenant_index(
            "care_rules",
            "ix_care_rules_store_trigger",
            &["store_id", "trigger"],
        ),
        unique(tenant_index(
            "care_tasks",
            "ux_care_tasks_occurrence",
            &["rule_id", "subject", "occurrence"],
        )),
        tenant_index(
            "care_tasks",
            "ix_care_tasks_assignee",
            &["assignee_id", "status", "opens_at"],
        ),
        tenant_index(
            "care_tasks",
            "ix_care_tasks_store_due",
            &["store_id", "status", "due_at"],
        ),
        tenant_index("care_tasks", "ix_care_tasks_customer", &["customer_id"]),
        tenant_index(
            "care_task_attempts",
            "ix_care_task_attempts_task",
            &["task_id", "at"],
        ),
        unique(tenant_index(
            "message_templates",
            "ux_message_templates_code",
            &["store_id", "code", "channel", "locale"],
        )),
        unique(tenant_index(
            "care_runs",
            "ux_care_runs_day",
            &["store_id", "run_on"],
        )),
        tenant_index(
            "outbox_messages",
            "ix_outbox_messages_due",
            &["status", "next_attempt_at"],
        ),
    ]
}
