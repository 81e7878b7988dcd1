//! Tables of the parts department.
/// A part in the group's catalogue.
pub mod part {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = Part)]
    #[sea_orm(table_name = "parts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub part_number: String,
        pub name: String,
        pub brand: Option<String>,
        pub category: Option<String>,
        pub unit: String,
        pub retail_price_fen: i64,
        pub cost_price_fen: i64,
        pub superseded_by: Option<String>,
        pub default_bin: Option<String>,
        pub active: bool,
        pub created_at: chrono::DateTime<chrono::Utc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A store's parts settings.
pub mod parts_policy {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = PartsPolicyRow)]
    #[sea_orm(table_name = "parts_policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub allow_negative: bool,
        pub demand_window_days: i32,
        pub lead_time_days: i32,
        pub safety_days: i32,
        pub cycle_days: i32,
        pub dead_months: i32,
        pub warning_months: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A bin (库位) of a store's parts store.
pub mod bin {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = Bin)]
    #[sea_orm(table_name = "bins")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub code: String,
        pub note: Option<String>,
        pub active: bool,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A part's stock in one store.
pub mod part_stock {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = PartStock)]
    #[sea_orm(table_name = "part_stock")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub part_id: Uuid,
        pub bin_id: Option<Uuid>,
        pub on_hand: i64,
        pub reserved: i64,
        pub average_cost_fen: i64,
        pub min_level: Option<i64>,
        pub max_level: Option<i64>,
        pub last_moved_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One change of stock (+ in, − out).
pub mod stock_movement {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = StockMovement)]
    #[sea_orm(table_name = "stock_movements")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub part_id: Uuid,
        pub kind: String,
        pub quantity: i64,
        pub unit_cost_fen: i64,
        pub on_hand_after: i64,
        pub at: chrono::DateTime<chrono::Utc>,
        pub by_user: Option<Uuid>,
        pub repair_order_id: Option<Uuid>,
        pub repair_part_id: Option<Uuid>,
        pub supplier_order_id: Option<Uuid>,
        pub special_order_id: Option<Uuid>,
        pub stock_take_id: Option<Uuid>,
        pub other_store_id: Option<Uuid>,
        pub reason: Option<String>,
        pub technician_id: Option<Uuid>,
        pub signature_png: Option<String>,
        pub filled_first_time: Option<bool>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// An order to the maker or a supplier.
pub mod supplier_order {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = SupplierOrder)]
    #[sea_orm(table_name = "supplier_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub number: String,
        pub supplier: String,
        pub status: String,
        pub expected_on: Option<chrono::NaiveDate>,
        pub created_by: Uuid,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A part on a supplier order.
pub mod supplier_order_line {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = SupplierOrderLine)]
    #[sea_orm(table_name = "supplier_order_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub part_id: Uuid,
        pub quantity: i64,
        pub received: i64,
        pub unit_cost_fen: i64,
        pub special_order_id: Option<Uuid>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A stock-take (盘点) of a store or one of its areas.
pub mod stock_take {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = StockTake)]
    #[sea_orm(table_name = "stock_takes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub number: String,
        pub status: String,
        pub area: Option<String>,
        pub created_by: Uuid,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A part to count in a stock-take.
pub mod stock_take_line {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = StockTakeLine)]
    #[sea_orm(table_name = "stock_take_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub stock_take_id: Uuid,
        pub part_id: Uuid,
        pub bin_code: Option<String>,
        pub expected: i64,
        pub counted: Option<i64>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A part ordered for one customer (客户订件).
pub mod special_order {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = SpecialOrder)]
    #[sea_orm(table_name = "special_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub number: String,
        pub part_id: Uuid,
        pub quantity: i64,
        pub customer_id: Uuid,
        pub vehicle_id: Option<Uuid>,
        pub repair_order_id: Option<Uuid>,
        pub appointment_id: Option<Uuid>,
        pub status: String,
        pub requested_by: Uuid,
        pub requested_at: chrono::DateTime<chrono::Utc>,
        pub supplier: Option<String>,
        pub expected_on: Option<chrono::NaiveDate>,
        pub supplier_order_id: Option<Uuid>,
        pub arrived_on: Option<chrono::NaiveDate>,
        pub booked_appointment_id: Option<Uuid>,
        pub note: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Who moved a special order on, and when.
pub mod special_order_step {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
    #[schema(as = SpecialOrderStep)]
    #[sea_orm(table_name = "special_order_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub special_order_id: Uuid,
        pub status: String,
        pub by_user: Option<Uuid>,
        pub at: chrono::DateTime<chrono::Utc>,
        pub note: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
