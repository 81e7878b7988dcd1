//! Listening to customers: survey templates and responses (SSI after sales, CSI after
//! service) and complaints (投诉) with their history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_foundation::{tenant_fk, tenant_index, tenant_table};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_feedback"
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

fn customer_fk(table: &'static str) -> ForeignKeyCreateStatement {
    tenant_fk(table, "customer_id", "customers")
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        // A store's survey: its questions (JSON: code, text, kind, required, options, pair, nps).
        tenant_table("survey_templates")
            .col(uuid("store_id"))
            .col(string("code"))
            .col(string("name"))
            .col(string("touch_point"))
            .col(json_binary("questions"))
            .col(boolean("active"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("updated_at"))
            .foreign_key(&mut store_fk("survey_templates"))
            .to_owned(),
        // One asking of a survey: on the phone from a care task, or by a mobile link (only the
        // link's hash is kept). Scores are kept with it for lists; reports read the answers.
        tenant_table("survey_responses")
            .col(uuid("template_id"))
            // The template's code (`ssi`, `csi`), so that a group's stores report together.
            .col(string("template_code"))
            .col(uuid("store_id"))
            .col(uuid("customer_id"))
            .col(uuid_null("vehicle_id"))
            .col(uuid_null("task_id"))
            // The consultant or advisor being rated.
            .col(uuid_null("staff_id"))
            .col(string("touch_point"))
            .col(string("channel"))
            .col(string_null("token_hash"))
            .col(string("status"))
            .col(integer_null("index_score"))
            // The 0–10 recommend answer.
            .col(integer_null("nps"))
            .col(uuid_null("recorded_by"))
            .col(timestamp_with_time_zone_null("answered_at"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut tenant_fk(
                "survey_responses",
                "template_id",
                "survey_templates",
            ))
            .foreign_key(&mut store_fk("survey_responses"))
            .foreign_key(&mut customer_fk("survey_responses"))
            .to_owned(),
        // One row per answer (with the response's store, staff, touch point and template code
        // copied), so that per-question, staff, store and month reports are plain GROUP BYs.
        tenant_table("survey_answers")
            .col(uuid("response_id"))
            .col(uuid("store_id"))
            .col(uuid_null("staff_id"))
            .col(string("touch_point"))
            .col(string("template_code"))
            .col(string("question_code"))
            // A paired question's pair and side (expectation answers stay out of the index).
            .col(string_null("pair_code"))
            .col(string_null("side"))
            .col(text("value"))
            .col(integer_null("score"))
            .col(timestamp_with_time_zone("answered_at"))
            .foreign_key(&mut tenant_fk(
                "survey_answers",
                "response_id",
                "survey_responses",
            ))
            .foreign_key(&mut store_fk("survey_answers"))
            .to_owned(),
        tenant_table("complaints")
            .col(uuid("store_id"))
            .col(string("number"))
            .col(uuid("customer_id"))
            .col(uuid_null("vehicle_id"))
            .col(uuid_null("sales_order_id"))
            .col(uuid_null("repair_order_id"))
            .col(uuid_null("survey_response_id"))
            .col(string("channel"))
            .col(string("category"))
            .col(string("severity"))
            // The customer's own words.
            .col(text("words"))
            .col(uuid_null("owner_id"))
            .col(string("status"))
            // The five gaps found by the analysis (JSON list of names).
            .col(json_binary("gaps"))
            .col(text_null("cause"))
            .col(text_null("actions"))
            .col(text_null("resolution"))
            .col(boolean("customer_confirmed"))
            .col(integer("reopened"))
            .col(timestamp_with_time_zone("respond_by"))
            .col(timestamp_with_time_zone("resolve_by"))
            .col(timestamp_with_time_zone("opened_at"))
            .col(timestamp_with_time_zone_null("responded_at"))
            .col(timestamp_with_time_zone_null("resolved_at"))
            .col(timestamp_with_time_zone_null("closed_at"))
            .col(timestamp_with_time_zone_null("escalated_at"))
            .foreign_key(&mut store_fk("complaints"))
            .foreign_key(&mut customer_fk("complaints"))
            .to_owned(),
        // Every move of a complaint: from which status to which, by whom, with a note.
        tenant_table("complaint_history")
            .col(uuid("complaint_id"))
            .col(string("from_status"))
            .col(string("to_status"))
            .col(uuid_null("by_id"))
            .col(timestamp_with_time_zone("at"))
            .col(text_null("note"))
            .foreign_key(&mut tenant_fk(
                "complaint_history",
                "complaint_id",
                "complaints",
            ))
            .to_owned(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    let unique = |mut index: IndexCreateStatement| index.unique().to_owned();
    vec![
        unique(tenant_index(
            "survey_templates",
            "ux_survey_templates_code",
            &["store_id", "code"],
        )),
        // The mobile page finds its response by the link's hash.
        unique(tenant_index(
            "survey_responses",
            "ux_survey_responses_token",
            &["token_hash"],
        )),
        tenant_index(
            "survey_responses",
            "ix_survey_responses_store_answered",
            &["store_id", "answered_at"],
        ),
        tenant_index(
            "survey_responses",
            "ix_survey_responses_customer",
            &["customer_id"],
        ),
        tenant_index("survey_responses", "ix_survey_responses_task", &["task_id"]),
        // Reports: a store's answers over a period, per question, staff member or touch point.
        tenant_index(
            "survey_answers",
            "ix_survey_answers_store_period",
            &["store_id", "answered_at", "template_code", "question_code"],
        ),
        tenant_index(
            "survey_answers",
            "ix_survey_answers_staff",
            &["staff_id", "answered_at"],
        ),
        tenant_index(
            "survey_answers",
            "ix_survey_answers_response",
            &["response_id"],
        ),
        unique(tenant_index(
            "complaints",
            "ux_complaints_number",
            &["store_id", "number"],
        )),
        // The list and the escalation sweep: a store's complaints by status and deadlines.
        tenant_index(
            "complaints",
            "ix_complaints_store_status",
            &["store_id", "status", "opened_at"],
        ),
        tenant_index(
            "complaints",
            "ix_complaints_status_deadline",
            &["status", "resolve_by"],
        ),
        tenant_index("complaints", "ix_complaints_customer", &["customer_id"]),
        // A low survey answer opens at most one complaint.
        unique(tenant_index(
            "complaints",
            "ux_complaints_survey_response",
            &["survey_response_id"],
        )),
        tenant_index(
            "complaint_history",
            "ix_complaint_history_complaint",
            &["complaint_id"],
        ),
    ]
}
