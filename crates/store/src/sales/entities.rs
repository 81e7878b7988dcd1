//! Tables of the showroom and sales process.

/// A store's grading, cadence and discount settings.
pub mod sales_policy {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "sales_policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub horizon_days: Json,
        pub cadence_days: Json,
        pub manager_grace_days: i32,
        pub discount_limit_fen: i64,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A showroom visit or inbound call (集客).
pub mod showroom_visit {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "showroom_visits")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub channel: String,
        pub arrived_at: DateTimeUtc,
        pub left_at: Option<DateTimeUtc>,
        pub party_size: i32,
        pub first_visit: bool,
        pub models_of_interest: String,
        /// The first of `models_of_interest`, which the funnel by model counts.
        pub first_model: String,
        pub consultant_id: Option<Uuid>,
        pub customer_id: Option<Uuid>,
        pub lead_id: Option<Uuid>,
        pub visitor: Option<String>,
        pub notes: Option<String>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A prospect's deal in progress (销售线索 / 潜客).
pub mod lead {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "leads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub customer_id: Uuid,
        pub consultant_id: Uuid,
        pub source: String,
        pub info_source: Option<String>,
        pub models_of_interest: String,
        /// The first of `models_of_interest`, which the funnel by model counts.
        pub first_model: String,
        pub budget_min_fen: Option<i64>,
        pub budget_max_fen: Option<i64>,
        pub buys_within_days: Option<i32>,
        pub grade: String,
        pub grade_judged: bool,
        pub competitor_models: Option<String>,
        pub current_car: Option<String>,
        pub trade_in_model: Option<String>,
        pub trade_in_year: Option<i32>,
        pub trade_in_mileage_km: Option<i32>,
        pub trade_in_offer_fen: Option<i64>,
        pub finance_interest: bool,
        pub step: String,
        pub standing: String,
        pub next_follow_up_on: Option<Date>,
        pub last_contact_at: Option<DateTimeUtc>,
        pub defeat_reason: Option<String>,
        pub defeat_brand: Option<String>,
        pub defeat_model: Option<String>,
        pub defeat_note: Option<String>,
        pub closed_at: Option<DateTimeUtc>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One change to a lead: step, grade, consultant, defeat decision.
pub mod lead_history {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "lead_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub lead_id: Uuid,
        pub at: DateTimeUtc,
        pub by_user: Uuid,
        pub kind: String,
        pub from_value: Option<String>,
        pub to_value: Option<String>,
        pub note: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One recorded contact with a prospect.
pub mod follow_up {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "follow_ups")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub lead_id: Uuid,
        pub store_id: Uuid,
        pub consultant_id: Uuid,
        pub done_at: DateTimeUtc,
        pub method: String,
        pub outcome: String,
        pub next_step: Option<String>,
        pub due_on: Option<Date>,
        pub on_time: bool,
        pub next_follow_up_on: Date,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A new car in the store's stock, until it is delivered.
pub mod stock_car {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "new_car_stock")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub vin: String,
        pub brand: String,
        pub series: String,
        pub model: String,
        pub trim: Option<String>,
        pub colour: Option<String>,
        pub list_price_fen: i64,
        pub status: String,
        pub order_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A test drive, with the driving licence checked.
pub mod test_drive {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "test_drives")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub lead_id: Uuid,
        pub store_id: Uuid,
        pub consultant_id: Uuid,
        pub demo_vehicle: String,
        pub licence_masked: String,
        pub licence_cipher: String,
        pub licence_checked: bool,
        pub out_at: DateTimeUtc,
        pub in_at: Option<DateTimeUtc>,
        pub out_km: i32,
        pub in_km: Option<i32>,
        pub route: Option<String>,
        pub feedback: Option<String>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A price proposal; a large discount waits for the sales manager.
pub mod quote {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "quotes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub lead_id: Uuid,
        pub store_id: Uuid,
        pub consultant_id: Uuid,
        pub vehicle: String,
        pub vehicle_price_fen: i64,
        pub discount_fen: i64,
        pub accessories_fen: i64,
        pub insurance_fen: i64,
        pub fees_fen: i64,
        pub trade_in_credit_fen: i64,
        pub down_payment_fen: Option<i64>,
        pub finance_term_months: Option<i32>,
        pub deal_fen: i64,
        pub customer_pays_fen: i64,
        pub financed_fen: i64,
        pub approval: String,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A signed order with its deposit and allocated car.
pub mod sales_order {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "sales_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub number: String,
        pub lead_id: Uuid,
        pub quote_id: Option<Uuid>,
        pub customer_id: Uuid,
        pub consultant_id: Uuid,
        pub stock_id: Option<Uuid>,
        pub deposit_fen: i64,
        pub payment_method: String,
        pub expected_delivery_on: Option<Date>,
        pub status: String,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The hand-over of an ordered car, with its checklist.
pub mod delivery {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub lead_id: Uuid,
        pub vehicle_id: Uuid,
        pub delivered_at: DateTimeUtc,
        pub documents_checked: bool,
        pub functions_explained: bool,
        pub first_service_reminder: bool,
        pub referral_asked: bool,
        pub notes: Option<String>,
        pub created_by: Uuid,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A business event for other capabilities (care plans read `vehicle_delivered`).
pub mod domain_event {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "domain_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub store_id: Option<Uuid>,
        pub customer_id: Option<Uuid>,
        pub vehicle_id: Option<Uuid>,
        pub payload: Json,
        pub occurred_at: DateTimeUtc,
        pub handled_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The last number handed out per store and sequence name.
pub mod store_sequence {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "store_sequences")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub store_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub last_value: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One store day's funnel counts for one value of one breakdown (see `sales::funnel_days`).
pub mod funnel_day {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sales_funnel_days")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        /// `source`, `consultant` or `model`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub breakdown: String,
        /// The store's calendar day.
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        #[sea_orm(primary_key, auto_increment = false)]
        pub store_id: Uuid,
        /// The channel or source, the consultant's id or the first model; empty: not recorded.
        #[sea_orm(primary_key, auto_increment = false)]
        pub breakdown_value: String,
        pub traffic: i64,
        pub contacts_kept: i64,
        pub test_drives: i64,
        pub orders: i64,
        pub deliveries: i64,
        /// Follow-ups done (the consultant breakdown only).
        pub follow_ups: i64,
        pub follow_ups_on_time: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// When a store day's funnel was last counted; a recount locks its row first.
pub mod funnel_day_counted {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sales_funnel_days_counted")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub store_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        pub counted_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
