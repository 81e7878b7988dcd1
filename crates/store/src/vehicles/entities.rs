//! Tables of the vehicle archive.

pub mod vehicle {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "vehicles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub owner_id: Option<Uuid>,
        pub vin: String,
        pub vin_tail: String,
        pub plate: Option<String>,
        pub plate_key: Option<String>,
        pub engine_no: Option<String>,
        pub brand: Option<String>,
        pub series: Option<String>,
        pub model: Option<String>,
        pub trim: Option<String>,
        pub colour: Option<String>,
        pub production_date: Option<Date>,
        pub pdi_date: Option<Date>,
        pub licence_date: Option<Date>,
        pub delivery_date: Option<Date>,
        pub purchase_price_fen: Option<i64>,
        pub warranty_start: Option<Date>,
        pub warranty_months: Option<i32>,
        pub warranty_km: Option<i32>,
        pub insurer: Option<String>,
        pub insurance_expiry: Option<Date>,
        pub mileage_km: Option<i32>,
        pub warnings: Json,
        /// When the car is next due for maintenance (set when a repair order closes).
        pub next_service_on: Option<Date>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub deleted_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod mileage_reading {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "mileage_readings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub vehicle_id: Uuid,
        pub read_on: Date,
        pub km: i32,
        pub source: String,
        pub created_at: DateTimeUtc,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod ownership {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "vehicle_ownerships")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub vehicle_id: Uuid,
        pub customer_id: Uuid,
        pub started_on: Date,
        pub ended_on: Option<Date>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod vehicle_model {
    use sea_orm::entity::prelude::*;

    /// Reference catalogue shared by all tenants (brand / series / model / trim).
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "vehicle_models")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub brand: String,
        pub series: String,
        pub model: String,
        pub trim: String,
        pub msrp_fen: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
