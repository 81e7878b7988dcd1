//! The customer's rights under PIPL: a copy of everything held about them (art. 45) and the
//! erasure of their personal data on request (art. 47).
//!
//! Erasure anonymises rather than deletes: the record stays (so that its cars, their service
//! history, sales and survey statistics keep their references) with every personal field
//! emptied, and leaves every list, search, export and read, as a deleted customer does. Where
//! personal data was copied onto other records it is removed there too; see [`erase`].

use chrono::Utc;
use fours_domain::access::Permission;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::entities::{customer, family_member, timeline_event};
use super::{audit_view, in_scope};
use crate::audit::entities::audit_event;
use crate::audit::{self, AuditEntry};
use crate::care::entities::{care_task, care_task_attempt, outbox_message};
use crate::care::feedback::{complaint, complaint_history, survey_answer, survey_response};
use crate::care::tasks as care_tasks;
use crate::db::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::parts::entities::special_order;
use crate::sales::entities::{
    delivery, follow_up, lead, lead_history, quote, sales_order, showroom_visit, test_drive,
};
use crate::service::entities::{appointment, repair_job, repair_order, service_payment};
use crate::vehicles::entities::{mileage_reading, ownership, vehicle};

/// The name an erased customer is shown under wherever their records are still listed.
pub const ERASED_NAME: &str = "已注销客户";

/// Sealed values and secrets that never leave the database, not even in the customer's copy.
const SEALED: [&str; 4] = [
    "id_number_cipher",
    "id_number_hash",
    "licence_cipher",
    "token_hash",
];

/// Everything held about one customer, as one JSON document: their record (the ID number in
/// clear only for a caller who may reveal it, and then audited as a reveal), family, cars with
/// their mileage and owners, sales, service, care, surveys, complaints, messages, timeline and
/// the audit rows about them. The customer must be in the caller's scope; their records are
/// then gathered from every store of the group. Audited as `export_personal_data`.
pub async fn export(db: &Database, actor: &Actor, customer_id: Uuid) -> StoreResult<Value> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let found = super::get(&txn, actor, customer_id).await?;
    let mut document = Gathered {
        db: &txn,
        tenant_id: actor.tenant_id,
        document: Map::new(),
    };
    document.gather(customer_id).await?;
    let mut document = document.document;
    document.insert("exported_at".into(), json!(Utc::now()));
    document.insert("customer".into(), audit_view(&found));
    if actor.can(Permission::RevealIdNumber)
        && let Some(sealed) = &found.id_number_cipher
    {
        document.insert("id_number".into(), json!(db.pii.open(sealed)?));
        record(&txn, actor, "reveal_id_number", customer_id, None).await?;
    }
    record(&txn, actor, "export_personal_data", customer_id, None).await?;
    txn.commit().await?;
    Ok(Value::Object(document))
}

/// A document being filled, one table at a time.
struct Gathered<'a, C> {
    db: &'a C,
    tenant_id: Uuid,
    document: Map<String, Value>,
}

impl<C: ConnectionTrait> Gathered<'_, C> {
    async fn gather(&mut self, me: Uuid) -> StoreResult<()> {
        self.table::<family_member::Entity>(
            "family",
            family_member::Column::TenantId,
            family_member::Column::CustomerId.eq(me),
        )
        .await?;
        let owned = self
            .table::<ownership::Entity>(
                "ownerships",
                ownership::Column::TenantId,
                ownership::Column::CustomerId.eq(me),
            )
            .await?;
        let owned_cars = ids_in(&owned, "vehicle_id");
        let cars = self
            .table::<vehicle::Entity>(
                "vehicles",
                vehicle::Column::TenantId,
                Condition::any()
                    .add(vehicle::Column::OwnerId.eq(me))
                    .add(vehicle::Column::Id.is_in(owned_cars)),
            )
            .await?;
        self.table::<mileage_reading::Entity>(
            "mileage_readings",
            mileage_reading::Column::TenantId,
            mileage_reading::Column::VehicleId.is_in(ids_in(&cars, "id")),
        )
        .await?;
        self.table::<showroom_visit::Entity>(
            "showroom_visits",
            showroom_visit::Column::TenantId,
            showroom_visit::Column::CustomerId.eq(me),
        )
        .await?;
        let leads = self
            .table::<lead::Entity>(
                "leads",
                lead::Column::TenantId,
                lead::Column::CustomerId.eq(me),
            )
            .await?;
        let leads = ids_in(&leads, "id");
        self.table::<lead_history::Entity>(
            "lead_history",
            lead_history::Column::TenantId,
            lead_history::Column::LeadId.is_in(leads.clone()),
        )
        .await?;
        self.table::<follow_up::Entity>(
            "follow_ups",
            follow_up::Column::TenantId,
            follow_up::Column::LeadId.is_in(leads.clone()),
        )
        .await?;
        self.table::<test_drive::Entity>(
            "test_drives",
            test_drive::Column::TenantId,
            test_drive::Column::LeadId.is_in(leads.clone()),
        )
        .await?;
        self.table::<quote::Entity>(
            "quotes",
            quote::Column::TenantId,
            quote::Column::LeadId.is_in(leads.clone()),
        )
        .await?;
        self.table::<sales_order::Entity>(
            "sales_orders",
            sales_order::Column::TenantId,
            sales_order::Column::CustomerId.eq(me),
        )
        .await?;
        self.table::<delivery::Entity>(
            "deliveries",
            delivery::Column::TenantId,
            delivery::Column::LeadId.is_in(leads),
        )
        .await?;
        self.service(me).await?;
        self.care(me).await?;
        self.table::<timeline_event::Entity>(
            "timeline",
            timeline_event::Column::TenantId,
            timeline_event::Column::CustomerId.eq(me),
        )
        .await?;
        self.table::<audit_event::Entity>(
            "audit",
            audit_event::Column::TenantId,
            Condition::all()
                .add(audit_event::Column::Entity.eq("customer"))
                .add(audit_event::Column::EntityId.eq(me)),
        )
        .await?;
        Ok(())
    }

    /// Appointments, repair orders with their jobs and payments, special orders of parts.
    async fn service(&mut self, me: Uuid) -> StoreResult<()> {
        self.table::<appointment::Entity>(
            "appointments",
            appointment::Column::TenantId,
            appointment::Column::CustomerId.eq(me),
        )
        .await?;
        let orders = self
            .table::<repair_order::Entity>(
                "repair_orders",
                repair_order::Column::TenantId,
                repair_order::Column::CustomerId.eq(me),
            )
            .await?;
        let orders = ids_in(&orders, "id");
        self.table::<repair_job::Entity>(
            "repair_jobs",
            repair_job::Column::TenantId,
            repair_job::Column::OrderId.is_in(orders.clone()),
        )
        .await?;
        self.table::<service_payment::Entity>(
            "service_payments",
            service_payment::Column::TenantId,
            service_payment::Column::OrderId.is_in(orders),
        )
        .await?;
        self.table::<special_order::Entity>(
            "special_orders",
            special_order::Column::TenantId,
            special_order::Column::CustomerId.eq(me),
        )
        .await?;
        Ok(())
    }

    /// Care tasks and their attempts, surveys, complaints, messages.
    async fn care(&mut self, me: Uuid) -> StoreResult<()> {
        let tasks = self
            .table::<care_task::Entity>(
                "care_tasks",
                care_task::Column::TenantId,
                care_task::Column::CustomerId.eq(me),
            )
            .await?;
        self.table::<care_task_attempt::Entity>(
            "care_task_attempts",
            care_task_attempt::Column::TenantId,
            care_task_attempt::Column::TaskId.is_in(ids_in(&tasks, "id")),
        )
        .await?;
        let responses = self
            .table::<survey_response::Entity>(
                "survey_responses",
                survey_response::Column::TenantId,
                survey_response::Column::CustomerId.eq(me),
            )
            .await?;
        self.table::<survey_answer::Entity>(
            "survey_answers",
            survey_answer::Column::TenantId,
            survey_answer::Column::ResponseId.is_in(ids_in(&responses, "id")),
        )
        .await?;
        let complaints = self
            .table::<complaint::Entity>(
                "complaints",
                complaint::Column::TenantId,
                complaint::Column::CustomerId.eq(me),
            )
            .await?;
        self.table::<complaint_history::Entity>(
            "complaint_history",
            complaint_history::Column::TenantId,
            complaint_history::Column::ComplaintId.is_in(ids_in(&complaints, "id")),
        )
        .await?;
        self.table::<outbox_message::Entity>(
            "messages",
            outbox_message::Column::TenantId,
            outbox_message::Column::CustomerId.eq(me),
        )
        .await?;
        Ok(())
    }

    /// One query: the tenant's rows of `E` matching `condition`, oldest first (ids are
    /// UUIDv7), without sealed values, put under `key`; returned for the tables that hang on
    /// them.
    async fn table<E>(
        &mut self,
        key: &str,
        tenant: E::Column,
        condition: impl Into<Condition>,
    ) -> StoreResult<Vec<Value>>
    where
        E: EntityTrait,
        E::Model: Serialize,
        E::Column: ColumnTrait,
    {
        let rows: Vec<Value> = E::find()
            .filter(tenant.eq(self.tenant_id))
            .filter(condition.into())
            .order_by_asc(sea_orm::sea_query::Expr::col(
                sea_orm::sea_query::Alias::new("id"),
            ))
            .all(self.db)
            .await?
            .iter()
            .map(unsealed)
            .collect();
        self.document.insert(key.into(), Value::Array(rows.clone()));
        Ok(rows)
    }
}

/// A row as JSON without its sealed values.
fn unsealed(model: &impl Serialize) -> Value {
    let mut value = serde_json::to_value(model).unwrap_or(Value::Null);
    if let Some(fields) = value.as_object_mut() {
        for key in SEALED {
            fields.remove(key);
        }
    }
    value
}

/// The ids in `field` of some exported rows.
fn ids_in(rows: &[Value], field: &str) -> Vec<Uuid> {
    rows.iter()
        .filter_map(|row| row[field].as_str().and_then(|id| id.parse().ok()))
        .collect()
}

async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    customer_id: Uuid,
    after: Option<Value>,
) -> StoreResult<()> {
    audit::record(
        db,
        actor,
        AuditEntry {
            action,
            entity: "customer",
            entity_id: Some(customer_id),
            before: None,
            after,
        },
    )
    .await
}

/// The result of an erasure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Erased {
    pub customer_id: Uuid,
    pub erased_at: chrono::DateTime<Utc>,
    /// Queued messages to the customer that will not go.
    pub cancelled_messages: u64,
}

/// Erases a customer's personal data on their request (PIPL art. 47). The request is audited
/// with its reason first (so it is on record even if the erasure fails), then the erasure is
/// done in one transaction with its own audit row. A customer already deleted (or merged away)
/// can be erased too: their record still holds personal data.
///
/// Erased: on the customer's record every personal field (name → [`ERASED_NAME`], search keys,
/// gender, mobile, other phones, WeChat, e-mail, birthday, the ID number's sealed value, blind
/// index and masked copy, address, postcode, occupation, position, hobbies, compound, contact
/// time, preferred channel, referrer, tags, notes; marketing consent off); their family; the
/// words of their messages (queued ones are cancelled) and of their timeline; the notes of
/// their care calls (open tasks are cancelled); their signature and the signer's name on
/// repair orders; the visitor's name and notes of their showroom visits; the driving licence
/// of their test drives; their words in complaints and free-text survey answers; notes on
/// their special orders; the before/after copies in the audit rows about them (who did what
/// and when stays).
///
/// Kept: the cars (VIN, plate, model, mileage, warranty) and their ownership, the repair
/// orders (concern, jobs, parts, payments), appointments, leads, quotes, orders and deliveries,
/// survey scores, complaint categories and their handling, with their references to the now
/// anonymous record, for warranty and statistics.
pub async fn erase(
    db: &Database,
    actor: &Actor,
    customer_id: Uuid,
    reason: &str,
) -> StoreResult<Erased> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid("reason", "required"));
    }
    if reason.chars().count() > 500 {
        return Err(StoreError::invalid("reason", "text.too_long"));
    }
    let found = customer::Entity::find()
        .filter(in_scope(actor))
        .filter(customer::Column::Id.eq(customer_id))
        .filter(customer::Column::ErasedAt.is_null())
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let request = json!({ "reason": reason });
    record(
        &db.conn,
        actor,
        ERASURE_REQUESTED,
        customer_id,
        Some(request),
    )
    .await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let erased = erase_in(&txn, found).await?;
    let done = json!({ "cancelled_messages": erased.cancelled_messages });
    record(&txn, actor, "erasure_completed", customer_id, Some(done)).await?;
    txn.commit().await?;
    Ok(erased)
}

const ERASURE_REQUESTED: &str = "erasure_requested";

async fn erase_in(txn: &impl ConnectionTrait, found: customer::Model) -> StoreResult<Erased> {
    let (tenant_id, me) = (found.tenant_id, found.id);
    let now = Utc::now();
    anonymise(found, now).update(txn).await?;
    family_member::Entity::delete_many()
        .filter(family_member::Column::TenantId.eq(tenant_id))
        .filter(family_member::Column::CustomerId.eq(me))
        .exec(txn)
        .await?;
    let cancelled_messages =
        crate::care::consent::cancel_pending(txn, tenant_id, me, false, "customer erased").await?;
    erase_copies(txn, tenant_id, me).await?;
    Ok(Erased {
        customer_id: me,
        erased_at: now,
        cancelled_messages,
    })
}

/// The customer's record with every personal field emptied.
fn anonymise(found: customer::Model, now: chrono::DateTime<Utc>) -> customer::ActiveModel {
    let deleted_at = found.deleted_at.unwrap_or(now);
    let mut model: customer::ActiveModel = found.into();
    model.name = Set(ERASED_NAME.to_owned());
    model.name_pinyin = Set(String::new());
    model.name_initials = Set(String::new());
    for field in [
        &mut model.gender,
        &mut model.mobile,
        &mut model.mobile_tail,
        &mut model.wechat,
        &mut model.email,
        &mut model.id_number_cipher,
        &mut model.id_number_hash,
        &mut model.id_number_masked,
        &mut model.address,
        &mut model.postcode,
        &mut model.occupation,
        &mut model.position,
        &mut model.hobbies,
        &mut model.compound,
        &mut model.contact_time,
        &mut model.preferred_channel,
        &mut model.notes,
    ] {
        *field = Set(None);
    }
    model.birthday = Set(None);
    model.referrer_id = Set(None);
    model.other_phones = Set(json!([]));
    model.tags = Set(json!([]));
    model.marketing_consent = Set(false);
    model.consent_updated_at = Set(Some(now));
    model.deleted_at = Set(Some(deleted_at));
    model.erased_at = Set(Some(now));
    model.updated_at = Set(now);
    model
}

/// SQL NULL for any column type (a typed null would not fit a JSON column on PostgreSQL).
fn null() -> Expr {
    Expr::cust("NULL")
}

/// Personal data copied from the customer onto other records.
async fn erase_copies(txn: &impl ConnectionTrait, tenant_id: Uuid, me: Uuid) -> StoreResult<()> {
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Body, Expr::value(""))
        .col_expr(outbox_message::Column::Subject, null())
        .filter(outbox_message::Column::TenantId.eq(tenant_id))
        .filter(outbox_message::Column::CustomerId.eq(me))
        .exec(txn)
        .await?;
    timeline_event::Entity::update_many()
        .col_expr(timeline_event::Column::Summary, Expr::value(""))
        .col_expr(timeline_event::Column::Data, null())
        .filter(timeline_event::Column::TenantId.eq(tenant_id))
        .filter(timeline_event::Column::CustomerId.eq(me))
        .exec(txn)
        .await?;
    care_task::Entity::update_many()
        .col_expr(
            care_task::Column::Status,
            Expr::value(care_tasks::CANCELLED),
        )
        .col_expr(care_task::Column::ClosedAt, Expr::value(Utc::now()))
        .filter(care_task::Column::TenantId.eq(tenant_id))
        .filter(care_task::Column::CustomerId.eq(me))
        .filter(care_task::Column::Status.eq(care_tasks::OPEN))
        .exec(txn)
        .await?;
    let tasks = ids_of(
        care_task::Entity,
        care_task::Column::Id,
        care_task::Column::TenantId,
        care_task::Column::CustomerId,
        tenant_id,
        me,
    );
    care_task_attempt::Entity::update_many()
        .col_expr(care_task_attempt::Column::Note, null())
        .filter(care_task_attempt::Column::TenantId.eq(tenant_id))
        .filter(care_task_attempt::Column::TaskId.in_subquery(tasks))
        .exec(txn)
        .await?;
    repair_order::Entity::update_many()
        .col_expr(repair_order::Column::SignedBy, null())
        .col_expr(repair_order::Column::Signature, null())
        .filter(repair_order::Column::TenantId.eq(tenant_id))
        .filter(repair_order::Column::CustomerId.eq(me))
        .exec(txn)
        .await?;
    showroom_visit::Entity::update_many()
        .col_expr(showroom_visit::Column::Visitor, null())
        .col_expr(showroom_visit::Column::Notes, null())
        .filter(showroom_visit::Column::TenantId.eq(tenant_id))
        .filter(showroom_visit::Column::CustomerId.eq(me))
        .exec(txn)
        .await?;
    let leads = ids_of(
        lead::Entity,
        lead::Column::Id,
        lead::Column::TenantId,
        lead::Column::CustomerId,
        tenant_id,
        me,
    );
    test_drive::Entity::update_many()
        .col_expr(test_drive::Column::LicenceCipher, Expr::value(""))
        .col_expr(test_drive::Column::LicenceMasked, Expr::value(""))
        .filter(test_drive::Column::TenantId.eq(tenant_id))
        .filter(test_drive::Column::LeadId.in_subquery(leads))
        .exec(txn)
        .await?;
    erase_feedback(txn, tenant_id, me).await
}

/// Complaints' and surveys' words, special orders' notes, audit copies.
async fn erase_feedback(txn: &impl ConnectionTrait, tenant_id: Uuid, me: Uuid) -> StoreResult<()> {
    complaint::Entity::update_many()
        .col_expr(complaint::Column::Words, Expr::value(""))
        .filter(complaint::Column::TenantId.eq(tenant_id))
        .filter(complaint::Column::CustomerId.eq(me))
        .exec(txn)
        .await?;
    let responses = ids_of(
        survey_response::Entity,
        survey_response::Column::Id,
        survey_response::Column::TenantId,
        survey_response::Column::CustomerId,
        tenant_id,
        me,
    );
    survey_answer::Entity::update_many()
        .col_expr(survey_answer::Column::Value, Expr::value(""))
        .filter(survey_answer::Column::TenantId.eq(tenant_id))
        .filter(survey_answer::Column::ResponseId.in_subquery(responses))
        .filter(survey_answer::Column::Score.is_null())
        .exec(txn)
        .await?;
    special_order::Entity::update_many()
        .col_expr(special_order::Column::Note, null())
        .filter(special_order::Column::TenantId.eq(tenant_id))
        .filter(special_order::Column::CustomerId.eq(me))
        .exec(txn)
        .await?;
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::Before, null())
        .col_expr(audit_event::Column::After, null())
        .filter(audit_event::Column::TenantId.eq(tenant_id))
        .filter(audit_event::Column::Entity.eq("customer"))
        .filter(audit_event::Column::EntityId.eq(me))
        .filter(audit_event::Column::Action.ne(ERASURE_REQUESTED))
        .exec(txn)
        .await?;
    Ok(())
}

/// `SELECT id FROM E WHERE tenant = ? AND owner = ?`, for the rows that hang on them.
fn ids_of<E: EntityTrait>(
    entity: E,
    id: E::Column,
    tenant: E::Column,
    owner: E::Column,
    tenant_id: Uuid,
    me: Uuid,
) -> SelectStatement {
    Query::select()
        .column(id)
        .from(entity)
        .and_where(tenant.eq(tenant_id))
        .and_where(owner.eq(me))
        .to_owned()
}
