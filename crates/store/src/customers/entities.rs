//! Tables of the customer archive.

pub mod customer {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "customers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub store_id: Uuid,
        pub owner_id: Option<Uuid>,
        pub kind: String,
        pub name: String,
        pub name_pinyin: String,
        pub name_initials: String,
        pub gender: Option<String>,
        pub mobile: Option<String>,
        pub mobile_tail: Option<String>,
        pub other_phones: Json,
        pub wechat: Option<String>,
        pub email: Option<String>,
        pub birthday: Option<Date>,
        /// AES-GCM ciphertext of the resident ID number; never stored in clear.
        pub id_number_cipher: Option<String>,
        /// Keyed hash of the ID number, to find duplicates without decrypting.
        pub id_number_hash: Option<String>,
        pub id_number_masked: Option<String>,
        pub address: Option<String>,
        pub postcode: Option<String>,
        pub occupation: Option<String>,
        pub position: Option<String>,
        pub hobbies: Option<String>,
        pub compound: Option<String>,
        pub source: Option<String>,
        pub info_source: Option<String>,
        pub referrer_id: Option<Uuid>,
        pub contact_time: Option<String>,
        pub preferred_channel: Option<String>,
        pub marketing_consent: bool,
        pub consent_updated_at: Option<DateTimeUtc>,
        pub tags: Json,
        pub class: String,
        pub notes: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub deleted_at: Option<DateTimeUtc>,
        pub merged_into_id: Option<Uuid>,
        /// Personal data erased on the customer's request (PIPL art. 47); the record stays,
        /// anonymous, for the cars' history.
        pub erased_at: Option<DateTimeUtc>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod family_member {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "family_members")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub customer_id: Uuid,
        pub name: String,
        pub relation: String,
        pub birthday: Option<Date>,
        pub mobile: Option<String>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod timeline_event {
    use sea_orm::entity::prelude::*;

    /// Something that happened to a customer or a vehicle. Later capabilities (sales, service,
    /// care) also read these as domain events, e.g. `vehicle_delivered`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "timeline_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub customer_id: Option<Uuid>,
        pub vehicle_id: Option<Uuid>,
        pub at: DateTimeUtc,
        pub kind: String,
        pub summary: String,
        pub actor_id: Option<Uuid>,
        pub data: Option<Json>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
