//! Tables of after-sales service.
/// A store's workshop settings.
pub mod service_policy {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = ServicePolicyRow)]
    #[sea_orm(table_name = "service_policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub labour_rates_fen: serde_json::Value,
        pub opens_at_minute: i32,
        pub closes_at_minute: i32,
        pub reception_slot_minutes: i32,
        pub closed_dates: serde_json::Value,
        pub advisor_commission_bp: i32,
        pub supervisor_commission_bp: i32,
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A labour operation with its standard time (工时标准).
pub mod labour_operation {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = LabourOperation)]
    #[sea_orm(table_name = "labour_operations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub code: String,
        pub name: String,
        pub standard_minutes: i32,
        pub two_person_minutes: Option<i32>,
        pub active: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A workshop bay (工位).
pub mod bay {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = Bay)]
    #[sea_orm(table_name = "bays")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub code: String,
        pub kind: String,
        pub active: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A service appointment (预约).
pub mod appointment {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = Appointment)]
    #[sea_orm(table_name = "appointments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub number: String,
        pub customer_id: Uuid,
        pub vehicle_id: Uuid,
        pub advisor_id: Uuid,
        pub arrive_at: chrono::DateTime<chrono::Utc>,
        pub expected_end_at: chrono::DateTime<chrono::Utc>,
        pub service_day: chrono::NaiveDate,
        pub bay_id: Option<Uuid>,
        pub technician_id: Option<Uuid>,
        pub repair_type: String,
        pub concern: Option<String>,
        pub jobs: serde_json::Value,
        pub work_minutes: i32,
        pub parts_to_reserve: Option<String>,
        pub courtesy_car: bool,
        pub pickup: bool,
        pub payment_method: Option<String>,
        pub mileage_km: Option<i32>,
        pub status: String,
        /// The day's preparation ticked off: advisor, bay, parts, special tools, courtesy car.
        pub preparation: serde_json::Value,
        pub rescheduled_to: Option<Uuid>,
        pub repair_order_id: Option<Uuid>,
        pub created_by: Uuid,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A repair order (任务委托书) from reception to hand-over.
pub mod repair_order {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = RepairOrder)]
    #[sea_orm(table_name = "repair_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub number: String,
        pub appointment_id: Option<Uuid>,
        pub customer_id: Uuid,
        pub vehicle_id: Uuid,
        pub advisor_id: Uuid,
        pub status: String,
        pub pause_reason: Option<String>,
        pub received_at: chrono::DateTime<chrono::Utc>,
        pub mileage_km: i32,
        pub fuel_percent: i32,
        pub damage: serde_json::Value,
        pub valuables: Option<String>,
        pub warning_lights: Option<String>,
        pub concern: String,
        /// What the concern is about (`fours_domain::service::quality::ConcernCategory`).
        pub concern_category: String,
        /// The earlier order this visit comes back to (same car, same concern, within 30 days).
        pub comeback_of: Option<Uuid>,
        pub fault_class: String,
        pub promised_at: chrono::DateTime<chrono::Utc>,
        pub payment_method: String,
        pub old_parts: String,
        pub free_wash: bool,
        pub courtesy_out_km: Option<i32>,
        pub courtesy_out_fuel_percent: Option<i32>,
        pub signed_by: Option<String>,
        /// Drawn on the tablet; shown on the printed order, not in API listings.
        #[serde(skip_serializing)]
        pub signature: Option<String>,
        pub signed_at: Option<chrono::DateTime<chrono::Utc>>,
        pub team: Option<String>,
        pub priority: i32,
        pub bay_id: Option<Uuid>,
        pub internal_check: serde_json::Value,
        pub labour_discount_bp: i32,
        pub parts_discount_bp: i32,
        pub customer_total_fen: i64,
        pub paid_fen: i64,
        pub next_service_on: Option<chrono::NaiveDate>,
        pub next_service_km: Option<i32>,
        pub follow_up_time: Option<String>,
        pub ready_at: Option<chrono::DateTime<chrono::Utc>>,
        pub settled_at: Option<chrono::DateTime<chrono::Utc>>,
        pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
        pub created_by: Uuid,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A job line on a repair order; added work starts proposed.
pub mod repair_job {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = RepairJob)]
    #[sea_orm(table_name = "repair_jobs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub position: i32,
        pub operation_id: Option<Uuid>,
        pub name: String,
        pub standard_minutes: i32,
        pub pay_type: String,
        pub labour_fen: i64,
        pub approval: String,
        pub progress: String,
        pub reworks: i32,
        pub technician_id: Option<Uuid>,
        pub finding: Option<String>,
        pub proposed_by: Option<Uuid>,
        pub decided_via: Option<String>,
        pub decided_by: Option<String>,
        pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
        pub safety_related: bool,
        pub clocked_on_at: Option<chrono::DateTime<chrono::Utc>>,
        pub clocked_minutes: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A part line on a repair order; the parts counter issues stock against it.
pub mod repair_part {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = RepairPart)]
    #[sea_orm(table_name = "repair_parts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub job_position: Option<i32>,
        pub part_number: String,
        pub name: String,
        pub quantity_hundredths: i32,
        pub unit_price_fen: i64,
        pub pay_type: String,
        /// The catalogue part, once the line is tied to stock.
        pub part_id: Option<Uuid>,
        /// How much the counter has issued against the line (less what came back).
        pub issued_hundredths: i64,
        /// When the counter first found the shelf short of the line (it then cannot count as
        /// filled first time).
        pub short_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One thing that happened to a repair order.
pub mod repair_history {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = RepairHistory)]
    #[sea_orm(table_name = "repair_order_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub at: chrono::DateTime<chrono::Utc>,
        pub by_user: Option<Uuid>,
        pub kind: String,
        pub job_position: Option<i32>,
        pub note: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A payment against a repair order's settlement.
pub mod service_payment {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = ServicePayment)]
    #[sea_orm(table_name = "service_payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub amount_fen: i64,
        pub method: String,
        pub paid_at: chrono::DateTime<chrono::Utc>,
        pub received_by: Uuid,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A warranty claim (索赔) to the maker.
pub mod warranty_claim {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = WarrantyClaim)]
    #[sea_orm(table_name = "warranty_claims")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub order_id: Uuid,
        pub advisor_id: Uuid,
        pub fault_code: String,
        pub labour_code: String,
        pub causal_part: String,
        pub amount_fen: i64,
        /// Value-added claim work (增值索赔), which earns commission.
        pub value_added: bool,
        pub status: String,
        pub rejection_reason: Option<String>,
        pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
        pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
        pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A technician's team and skills.
pub mod workshop_staff {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = WorkshopStaff)]
    #[sea_orm(table_name = "workshop_staff")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub user_id: Uuid,
        pub team: String,
        /// Skill names: `mechanical`, `electrical`, `body`, `paint`, `diagnosis`, `ev`.
        pub skills: serde_json::Value,
        pub team_leader: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A recall or service campaign from the maker for a list of VINs.
pub mod service_campaign {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = ServiceCampaign)]
    #[sea_orm(table_name = "service_campaigns")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub code: String,
        pub title: String,
        /// `recall` or `campaign`.
        pub kind: String,
        /// The VINs it covers.
        pub vins: serde_json::Value,
        pub ends_on: chrono::NaiveDate,
        pub created_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A car a campaign was carried out on, and the order it was done on.
pub mod campaign_completion {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = CampaignCompletion)]
    #[sea_orm(table_name = "campaign_completions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub campaign_id: Uuid,
        pub vehicle_id: Uuid,
        pub order_id: Uuid,
        pub done_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
