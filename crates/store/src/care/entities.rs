//! Tables of customer care: plans, rules, tasks and their attempts, templates, settings, the
//! daily runs, and the message outbox.

/// A store's care settings.
pub mod care_policy {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = CarePolicyRow)]
    #[sea_orm(table_name = "care_policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        /// "HH:MM" in the store's time zone.
        pub quiet_start: String,
        pub quiet_end: String,
        pub max_attempts: i32,
        pub escalation_grace_hours: i32,
        /// A survey answer scoring below this (0–100) opens a complaint or a manager task.
        pub low_score_threshold: i32,
        pub first_service_months: i32,
        pub first_service_km: i32,
        pub second_service_months: i32,
        pub second_service_km: i32,
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A care plan: a named set of rules of one store.
pub mod care_plan {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = CarePlan)]
    #[sea_orm(table_name = "care_plans")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub code: String,
        pub name: String,
        pub active: bool,
        pub created_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One rule of a plan: on a trigger, after an offset, a task for a role or a message.
pub mod care_rule {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = CareRule)]
    #[sea_orm(table_name = "care_rules")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub plan_id: Uuid,
        pub store_id: Uuid,
        pub position: i32,
        pub trigger: String,
        pub offset_days: i32,
        pub offset_hours: i32,
        pub repeat_every_months: i32,
        pub repeat_count: i32,
        pub action: String,
        pub channel: String,
        pub assignee: String,
        pub title: String,
        pub script: String,
        pub survey: Option<String>,
        pub template: Option<String>,
        pub active: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A contact someone has to make.
pub mod care_task {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = CareTask)]
    #[sea_orm(table_name = "care_tasks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub rule_id: Option<Uuid>,
        /// What the task is about: the event's id, or a date rule's subject and day.
        pub subject: String,
        pub occurrence: i32,
        pub customer_id: Uuid,
        pub vehicle_id: Option<Uuid>,
        /// The sales order, repair order, appointment or complaint behind the task.
        pub related_id: Option<Uuid>,
        pub assignee_id: Option<Uuid>,
        pub assignee_role: String,
        pub channel: String,
        pub title: String,
        pub script: String,
        pub survey: Option<String>,
        pub opens_at: chrono::DateTime<chrono::Utc>,
        pub due_at: chrono::DateTime<chrono::Utc>,
        /// open, done, unreached, cancelled
        pub status: String,
        pub outcome: Option<String>,
        pub attempts: i32,
        pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
        pub escalated_at: Option<chrono::DateTime<chrono::Utc>>,
        pub escalated_to: Option<Uuid>,
        pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
        pub created_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One try at a task's contact.
pub mod care_task_attempt {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = CareTaskAttempt)]
    #[sea_orm(table_name = "care_task_attempts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub task_id: Uuid,
        pub at: chrono::DateTime<chrono::Utc>,
        pub by_id: Uuid,
        pub outcome: String,
        pub note: Option<String>,
        pub call_back_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A store's wording of one message, per channel and language.
pub mod message_template {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = MessageTemplate)]
    #[sea_orm(table_name = "message_templates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub code: String,
        pub channel: String,
        pub locale: String,
        pub subject: Option<String>,
        pub body: String,
        pub updated_at: chrono::DateTime<chrono::Utc>,
        pub updated_by: Option<Uuid>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A store's run of the date rules for one day.
pub mod care_run {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = CareRun)]
    #[sea_orm(table_name = "care_runs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub run_on: chrono::NaiveDate,
        pub started_at: chrono::DateTime<chrono::Utc>,
        pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
        pub created: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A message to a customer, written with the change that causes it; the worker sends it.
pub mod outbox_message {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = OutboxMessage)]
    #[sea_orm(table_name = "outbox_messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Option<Uuid>,
        pub customer_id: Option<Uuid>,
        pub channel: String,
        pub kind: String,
        pub body: String,
        /// pending, sent, failed, suppressed (no consent, no address)
        pub status: String,
        pub attempts: i32,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
        pub related_id: Option<Uuid>,
        pub template: Option<String>,
        pub locale: Option<String>,
        /// Care and marketing messages need the customer's consent; service messages do not.
        pub marketing: bool,
        pub not_before: Option<chrono::DateTime<chrono::Utc>>,
        pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
        pub last_error: Option<String>,
        pub provider_id: Option<String>,
        pub subject: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
