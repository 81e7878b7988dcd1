//! Tables of listening to customers: survey templates, responses and their answers (one row
//! per answer), complaints and their history.

/// A store's survey (SSI, CSI, or its own) with its questions.
pub mod survey_template {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = SurveyTemplate)]
    #[sea_orm(table_name = "survey_templates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        /// `ssi`, `csi` or the store's own.
        pub code: String,
        pub name: String,
        /// The moment of truth it asks about: `delivery`, `service`…
        pub touch_point: String,
        /// `[{code, text, kind: scale10|scale5|yes_no|choice|text, required, options, pair:
        /// {code, side: expectation|performance}, nps}]`
        #[schema(value_type = Vec<Object>)]
        pub questions: Json,
        pub active: bool,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One asking of a survey.
pub mod survey_response {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = SurveyResponse)]
    #[sea_orm(table_name = "survey_responses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub template_id: Uuid,
        /// The template's code (`ssi`, `csi`…).
        pub template_code: String,
        pub store_id: Uuid,
        pub customer_id: Uuid,
        pub vehicle_id: Option<Uuid>,
        /// The care task it was asked in (on the phone).
        pub task_id: Option<Uuid>,
        /// The consultant or advisor being rated.
        pub staff_id: Option<Uuid>,
        pub touch_point: String,
        /// `phone` or `link`
        pub channel: String,
        #[serde(skip)]
        pub token_hash: Option<String>,
        /// `sent` (a link waiting for its answer) or `answered`
        pub status: String,
        /// 0–100: the mean of the satisfaction answers.
        pub index_score: Option<i32>,
        /// The 0–10 recommend answer.
        pub nps: Option<i32>,
        pub recorded_by: Option<Uuid>,
        pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
        pub created_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One answer of a response.
pub mod survey_answer {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = SurveyAnswer)]
    #[sea_orm(table_name = "survey_answers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub response_id: Uuid,
        pub store_id: Uuid,
        pub staff_id: Option<Uuid>,
        pub touch_point: String,
        pub template_code: String,
        pub question_code: String,
        /// A paired question's pair…
        pub pair_code: Option<String>,
        /// …and side: `expectation` or `performance`.
        pub side: Option<String>,
        /// `8`, `yes`/`no`, or the words.
        pub value: String,
        /// 0–100 for scored questions.
        pub score: Option<i32>,
        pub answered_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A complaint (投诉).
pub mod complaint {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = Complaint)]
    #[sea_orm(table_name = "complaints")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        /// `A1-CP-000001`
        pub number: String,
        pub customer_id: Uuid,
        pub vehicle_id: Option<Uuid>,
        pub sales_order_id: Option<Uuid>,
        pub repair_order_id: Option<Uuid>,
        pub survey_response_id: Option<Uuid>,
        /// `call`, `visit`, `survey`, `online`, `oem_hotline`
        pub channel: String,
        pub category: String,
        /// `low`, `medium`, `high`, `critical`
        pub severity: String,
        /// The customer's own words.
        pub words: String,
        pub owner_id: Option<Uuid>,
        /// `open`, `responded`, `analysed`, `resolved`, `closed`
        pub status: String,
        /// The gaps the analysis found: `knowledge`, `standards`, `delivery`,
        /// `communication`, `perception`.
        #[schema(value_type = Vec<String>)]
        pub gaps: Json,
        pub cause: Option<String>,
        pub actions: Option<String>,
        pub resolution: Option<String>,
        pub customer_confirmed: bool,
        /// Times reopened.
        pub reopened: i32,
        /// First-response deadline.
        pub respond_by: chrono::DateTime<chrono::Utc>,
        pub resolve_by: chrono::DateTime<chrono::Utc>,
        pub opened_at: chrono::DateTime<chrono::Utc>,
        pub responded_at: Option<chrono::DateTime<chrono::Utc>>,
        pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
        pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
        /// When a missed deadline escalated it to the store's management.
        pub escalated_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every move of a complaint.
pub mod complaint_history {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = ComplaintHistory)]
    #[sea_orm(table_name = "complaint_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub complaint_id: Uuid,
        /// The status before (`new` for the intake).
        pub from_status: String,
        /// The status after (the same for an escalation or a change of owner).
        pub to_status: String,
        pub by_id: Option<Uuid>,
        pub at: chrono::DateTime<chrono::Utc>,
        pub note: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
