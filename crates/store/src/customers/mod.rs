//! The customer archive (客户档案): create, find, change, merge; family; timeline.

pub mod entities;
pub mod input;
pub mod privacy;

use chrono::{NaiveDate, Utc};
use fours_domain::access::DataScope;
use fours_domain::customers::relationship::{
    RelationshipClass, RelationshipFacts, RetentionThresholds, classify,
};
use fours_domain::customers::search_keys::looks_like_pinyin_query;
use fours_domain::vehicles::plate::{plate_search_key, validate_plate};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::db::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::Actor;
use crate::paging::{Page, PageRequest};
use crate::vehicles::entities::{mileage_reading, ownership, vehicle};
use entities::{customer, family_member, timeline_event};
use input::{Applier, CustomerInput, FamilyMemberInput, validate_family_member};

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// One search box: mobile (whole or last 4), plate (whole or part), VIN (whole or last 6),
    /// name, pinyin or pinyin initials.
    pub q: Option<String>,
    pub class: Option<String>,
    pub tag: Option<String>,
    pub owner_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
}

/// Rows of `customers` the actor may see: their tenant, not deleted, within their data scope.
pub(crate) fn visible(actor: &Actor) -> Condition {
    in_scope(actor).add(customer::Column::DeletedAt.is_null())
}

/// Rows of `customers` of the actor's tenant and data scope, deleted or not.
pub(crate) fn in_scope(actor: &Actor) -> Condition {
    let base = Condition::all().add(customer::Column::TenantId.eq(actor.tenant_id));
    match (actor.scope, actor.store_id) {
        (DataScope::Own, _) => base.add(customer::Column::OwnerId.eq(actor.user_id)),
        (DataScope::Store, Some(store_id)) => base.add(customer::Column::StoreId.eq(store_id)),
        _ => base,
    }
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<customer::Model> {
    customer::Entity::find()
        .filter(visible(actor))
        .filter(customer::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The live customer with this normalised mobile anywhere in the group (mobiles are unique
/// per group).
pub async fn find_by_mobile(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    mobile: &str,
) -> StoreResult<Option<customer::Model>> {
    Ok(customer::Entity::find()
        .filter(customer::Column::TenantId.eq(tenant_id))
        .filter(customer::Column::Mobile.eq(mobile))
        .filter(customer::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

/// The visible customers among `ids` (one query for the owners of a page of vehicles).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: &[Uuid],
) -> StoreResult<Vec<customer::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(customer::Entity::find()
        .filter(visible(actor))
        .filter(customer::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &CustomerFilter,
    page: PageRequest,
) -> StoreResult<Page<customer::Model>> {
    let mut query = customer::Entity::find().filter(visible(actor));
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(search_condition(actor.tenant_id, q));
    }
    if let Some(class) = &filter.class {
        query = query.filter(customer::Column::Class.eq(class.as_str()));
    }
    if let Some(tag) = &filter.tag {
        let quoted = json!(tag).to_string();
        query = query.filter(
            Expr::col(customer::Column::Tags)
                .cast_as("text")
                .like(format!("%{quoted}%")),
        );
    }
    if let Some(owner_id) = filter.owner_id {
        query = query.filter(customer::Column::OwnerId.eq(owner_id));
    }
    if let Some(store_id) = filter.store_id {
        query = query.filter(customer::Column::StoreId.eq(store_id));
    }
    if let Some(cursor) = page.cursor {
        query = query.filter(customer::Column::Id.lt(cursor));
    }
    let rows = query
        .order_by_desc(customer::Column::Id)
        .limit(page.limit() + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page.limit(), |c| c.id))
}

/// What one search box can mean, each matched by an indexed column where possible. A whole
/// mobile, plate or VIN is looked up by its index alone, so the commonest searches stay fast
/// however large the archive; fragments also scan names and plates.
fn search_condition(tenant_id: Uuid, q: &str) -> Condition {
    let digits = q.chars().all(|c| c.is_ascii_digit());
    if digits && q.len() == 11 {
        return Condition::any().add(customer::Column::Mobile.eq(q));
    }
    let owners_of = |vehicles: Condition| {
        let owners = Query::select()
            .column(vehicle::Column::OwnerId)
            .from(vehicle::Entity)
            .and_where(vehicle::Column::TenantId.eq(tenant_id))
            .and_where(vehicle::Column::OwnerId.is_not_null())
            .cond_where(vehicles)
            .to_owned();
        customer::Column::Id.in_subquery(owners)
    };
    if let Some(exact) = whole_vehicle_key(q) {
        return Condition::any().add(owners_of(exact));
    }
    let mut any = Condition::any().add(customer::Column::Name.like(format!("%{q}%")));
    if digits {
        any = match q.len() {
            4 => any.add(customer::Column::MobileTail.eq(q)),
            _ => any.add(customer::Column::Mobile.like(format!("{q}%"))),
        };
    }
    if looks_like_pinyin_query(q) {
        let lower = q.to_ascii_lowercase();
        any = any
            .add(customer::Column::NamePinyin.like(format!("{lower}%")))
            .add(customer::Column::NameInitials.like(format!("{lower}%")));
    }
    if let Some(vehicles) = vehicle_match(q) {
        any = any.add(owners_of(vehicles));
    }
    any
}

/// A whole VIN or a whole mainland plate: one exact, indexed match.
fn whole_vehicle_key(q: &str) -> Option<Condition> {
    let key = plate_search_key(q);
    let column = if key.len() == 17 && key.is_ascii() {
        vehicle::Column::Vin
    } else if !key.is_ascii() && validate_plate(&key).is_ok_and(|p| p.warnings.is_empty()) {
        vehicle::Column::PlateKey
    } else {
        return None;
    };
    Some(
        Condition::all()
            .add(vehicle::Column::DeletedAt.is_null())
            .add(column.eq(key)),
    )
}

/// Vehicles a query may name: a whole or partial plate, a whole VIN or its last six.
pub(crate) fn vehicle_match(q: &str) -> Option<Condition> {
    if let Some(exact) = whole_vehicle_key(q) {
        return Some(exact);
    }
    let key = plate_search_key(q);
    if key.chars().count() < 2 {
        return None;
    }
    let mut any = Condition::any()
        .add(vehicle::Column::PlateKey.eq(key.as_str()))
        .add(vehicle::Column::PlateKey.like(format!("%{key}%")));
    if key.len() == 6 {
        any = any.add(vehicle::Column::VinTail.eq(key.as_str()));
    }
    Some(
        Condition::all()
            .add(vehicle::Column::DeletedAt.is_null())
            .add(any),
    )
}

/// The audit view of a customer: everything but the sealed ID number.
pub(crate) fn audit_view(model: &customer::Model) -> Value {
    let mut value = serde_json::to_value(model).unwrap_or(Value::Null);
    if let Some(fields) = value.as_object_mut() {
        fields.remove("id_number_cipher");
        fields.remove("id_number_hash");
    }
    value
}

/// A family member as checked: what was typed, the birthday and the normalised mobile.
pub type ValidFamilyMember = (FamilyMemberInput, Option<NaiveDate>, Option<String>);

/// A new customer as typed and checked, not yet saved.
#[derive(Clone)]
pub struct NewCustomer {
    pub model: customer::ActiveModel,
    pub family: Vec<ValidFamilyMember>,
    pub errors: Vec<FieldError>,
}

/// A new customer's row from what was typed, checked with the archive's rules. Pure: references
/// to other records (referrer, owner, store) are checked by the caller.
pub fn new_model(
    pii: &crate::pii::PiiCipher,
    actor: &Actor,
    input: &CustomerInput,
    now: chrono::DateTime<Utc>,
) -> NewCustomer {
    let mut model = customer::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        owner_id: Set(Some(input.owner_id.unwrap_or(actor.user_id))),
        other_phones: Set(json!([])),
        tags: Set(json!([])),
        marketing_consent: Set(false),
        class: Set(RelationshipClass::Suspect.as_str().into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    for field in [
        &mut model.gender,
        &mut model.mobile,
        &mut model.mobile_tail,
        &mut model.wechat,
        &mut model.email,
    ] {
        *field = Set(None);
    }
    let mut applier = Applier {
        errors: Vec::new(),
        model: &mut model,
        creating: true,
    };
    applier.apply(input, pii);
    let mut errors = applier.errors;
    match input.store_id.or(actor.store_id) {
        Some(store_id) => model.store_id = Set(store_id),
        None => errors.push(FieldError {
            field: "store_id",
            code: "required",
        }),
    }
    let family = validate_family(input.family.as_deref().unwrap_or_default(), &mut errors);
    fill_null_columns(&mut model);
    NewCustomer {
        model,
        family,
        errors,
    }
}

pub async fn create(
    db: &Database,
    actor: &Actor,
    input: &CustomerInput,
) -> StoreResult<customer::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let created = create_in(&txn, &db.pii, actor, input).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a customer inside the caller's transaction (a lead creates its prospect with it).
pub async fn create_in(
    txn: &impl ConnectionTrait,
    pii: &crate::pii::PiiCipher,
    actor: &Actor,
    input: &CustomerInput,
) -> StoreResult<customer::Model> {
    let now = Utc::now();
    let NewCustomer {
        mut model,
        family,
        mut errors,
    } = new_model(pii, actor, input, now);
    errors.extend(check_references(txn, actor, &mut model, input).await?);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let id = *model.id.as_ref();
    ensure_no_duplicate(txn, actor, &model, None).await?;
    let created = model.insert(txn).await?;
    replace_family(txn, actor, id, &family).await?;
    let created = refresh_class(txn, actor.tenant_id, id, now.date_naive())
        .await?
        .unwrap_or(created);
    add_event(
        txn,
        actor,
        Event {
            customer_id: Some(id),
            vehicle_id: None,
            kind: "customer_created",
            summary: created.name.clone(),
            data: None,
        },
    )
    .await?;
    audit::record(
        txn,
        actor,
        AuditEntry {
            action: "create",
            entity: "customer",
            entity_id: Some(id),
            before: None,
            after: Some(audit_view(&created)),
        },
    )
    .await?;
    Ok(created)
}

pub async fn update(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &CustomerInput,
) -> StoreResult<customer::Model> {
    let current = get(&db.conn, actor, id).await?;
    let mut model: customer::ActiveModel = current.clone().into();
    let mut applier = Applier {
        errors: Vec::new(),
        model: &mut model,
        creating: false,
    };
    applier.apply(input, &db.pii);
    let mut errors = applier.errors;
    errors.extend(check_references(&db.conn, actor, &mut model, input).await?);
    if let Some(store_id) = input.store_id {
        model.store_id = Set(store_id);
    }
    let family = input
        .family
        .as_deref()
        .map(|members| validate_family(members, &mut errors));
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    ensure_no_duplicate(&db.conn, actor, &model, Some(id)).await?;
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin_write(&db.conn).await?;
    let updated = model.update(&txn).await?;
    if current.marketing_consent && !updated.marketing_consent {
        crate::care::consent::stop_marketing(&txn, actor.tenant_id, id).await?;
    }
    if let Some(family) = family {
        replace_family(&txn, actor, id, &family).await?;
    }
    let updated = refresh_class(&txn, actor.tenant_id, id, Utc::now().date_naive())
        .await?
        .unwrap_or(updated);
    add_event(
        &txn,
        actor,
        Event {
            customer_id: Some(id),
            vehicle_id: None,
            kind: "customer_updated",
            summary: updated.name.clone(),
            data: None,
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "update",
            entity: "customer",
            entity_id: Some(id),
            before: Some(audit_view(&current)),
            after: Some(audit_view(&updated)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Soft delete: the record leaves every list but its history and audit trail stay.
pub async fn delete(db: &Database, actor: &Actor, id: Uuid) -> StoreResult<()> {
    let current = get(&db.conn, actor, id).await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut model: customer::ActiveModel = current.clone().into();
    model.deleted_at = Set(Some(Utc::now()));
    model.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "delete",
            entity: "customer",
            entity_id: Some(id),
            before: Some(audit_view(&current)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Referrer, owner and store must be records of the actor's group.
async fn check_references(
    db: &impl ConnectionTrait,
    actor: &Actor,
    model: &mut customer::ActiveModel,
    input: &CustomerInput,
) -> StoreResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(referrer_id) = input.referrer_id {
        let exists = customer::Entity::find_by_id((actor.tenant_id, referrer_id))
            .one(db)
            .await?
            .is_some();
        if exists {
            model.referrer_id = Set(Some(referrer_id));
        } else {
            errors.push(FieldError {
                field: "referrer_id",
                code: "reference.not_found",
            });
        }
    }
    if let Some(owner_id) = input.owner_id {
        if crate::org::find_user(db, actor.tenant_id, owner_id)
            .await
            .is_err()
        {
            errors.push(FieldError {
                field: "owner_id",
                code: "reference.not_found",
            });
        } else {
            model.owner_id = Set(Some(owner_id));
        }
    }
    if let Some(store_id) = input.store_id
        && crate::org::find_store(db, actor.tenant_id, store_id)
            .await
            .is_err()
    {
        errors.push(FieldError {
            field: "store_id",
            code: "reference.not_found",
        });
    }
    Ok(errors)
}

/// Optional columns an insert did not touch become NULL explicitly.
fn fill_null_columns(model: &mut customer::ActiveModel) {
    macro_rules! default_null {
        ($($field:ident),*) => { $( if model.$field.is_not_set() { model.$field = Set(None); } )* };
    }
    default_null!(
        birthday,
        id_number_cipher,
        id_number_hash,
        id_number_masked,
        address,
        postcode,
        occupation,
        position,
        hobbies,
        compound,
        source,
        info_source,
        referrer_id,
        contact_time,
        preferred_channel,
        consent_updated_at,
        notes,
        deleted_at,
        merged_into_id,
        erased_at
    );
}

fn validate_family(
    members: &[FamilyMemberInput],
    errors: &mut Vec<FieldError>,
) -> Vec<ValidFamilyMember> {
    members
        .iter()
        .filter_map(|member| match validate_family_member(member) {
            Ok((birthday, mobile)) => Some((member.clone(), birthday, mobile)),
            Err(found) => {
                errors.extend(found);
                None
            }
        })
        .collect()
}

async fn replace_family(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer_id: Uuid,
    members: &[ValidFamilyMember],
) -> StoreResult<()> {
    family_member::Entity::delete_many()
        .filter(family_member::Column::TenantId.eq(actor.tenant_id))
        .filter(family_member::Column::CustomerId.eq(customer_id))
        .exec(db)
        .await?;
    let rows = family_rows(actor.tenant_id, customer_id, members);
    if !rows.is_empty() {
        family_member::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

pub(crate) fn family_rows(
    tenant_id: Uuid,
    customer_id: Uuid,
    members: &[ValidFamilyMember],
) -> Vec<family_member::ActiveModel> {
    members
        .iter()
        .map(|(member, birthday, mobile)| family_member::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(Uuid::now_v7()),
            customer_id: Set(customer_id),
            name: Set(member.name.trim().to_owned()),
            relation: Set(member.relation.clone()),
            birthday: Set(*birthday),
            mobile: Set(mobile.clone()),
        })
        .collect()
}

/// Same mobile or same resident ID as another live customer of the group → 409 with its id.
async fn ensure_no_duplicate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    model: &customer::ActiveModel,
    except: Option<Uuid>,
) -> StoreResult<()> {
    let checks = [
        (
            "mobile",
            customer::Column::Mobile,
            model.mobile.try_as_ref().cloned().flatten(),
        ),
        (
            "id_number",
            customer::Column::IdNumberHash,
            model.id_number_hash.try_as_ref().cloned().flatten(),
        ),
    ];
    for (field, column, value) in checks {
        let Some(value) = value else { continue };
        let mut query = customer::Entity::find()
            .filter(customer::Column::TenantId.eq(actor.tenant_id))
            .filter(customer::Column::DeletedAt.is_null())
            .filter(column.eq(value));
        if let Some(except) = except {
            query = query.filter(customer::Column::Id.ne(except));
        }
        if let Some(existing) = query.one(db).await? {
            return Err(StoreError::Duplicate {
                entity: "customer",
                field,
                existing_id: existing.id,
            });
        }
    }
    Ok(())
}

/// Recomputes the relationship class from the customer's cars and when they were last seen.
pub async fn refresh_class(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    customer_id: Uuid,
    today: NaiveDate,
) -> StoreResult<Option<customer::Model>> {
    let Some(current) = customer::Entity::find_by_id((tenant_id, customer_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let vehicles = vehicle::Entity::find()
        .filter(vehicle::Column::TenantId.eq(tenant_id))
        .filter(vehicle::Column::OwnerId.eq(customer_id))
        .filter(vehicle::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let vehicle_ids: Vec<Uuid> = vehicles.iter().map(|v| v.id).collect();
    let last_reading: Option<NaiveDate> = if vehicle_ids.is_empty() {
        None
    } else {
        mileage_reading::Entity::find()
            .filter(mileage_reading::Column::TenantId.eq(tenant_id))
            .filter(mileage_reading::Column::VehicleId.is_in(vehicle_ids))
            .order_by_desc(mileage_reading::Column::ReadOn)
            .one(db)
            .await?
            .map(|r| r.read_on)
    };
    let last_delivery = vehicles.iter().filter_map(|v| v.delivery_date).max();
    let facts = RelationshipFacts {
        owns_vehicle: !vehicles.is_empty(),
        reachable: current.mobile.is_some() || current.wechat.is_some() || current.email.is_some(),
        last_seen: Ord::max(last_reading, last_delivery),
    };
    let class = classify(facts, today, RetentionThresholds::default()).as_str();
    if current.class == class {
        return Ok(Some(current));
    }
    let mut model: customer::ActiveModel = current.into();
    model.class = Set(class.to_owned());
    Ok(Some(model.update(db).await?))
}

pub async fn family(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer_id: Uuid,
) -> StoreResult<Vec<family_member::Model>> {
    Ok(family_member::Entity::find()
        .filter(family_member::Column::TenantId.eq(actor.tenant_id))
        .filter(family_member::Column::CustomerId.eq(customer_id))
        .order_by_asc(family_member::Column::Id)
        .all(db)
        .await?)
}

pub struct Event {
    pub customer_id: Option<Uuid>,
    pub vehicle_id: Option<Uuid>,
    pub kind: &'static str,
    pub summary: String,
    pub data: Option<Value>,
}

pub async fn add_event(db: &impl ConnectionTrait, actor: &Actor, event: Event) -> StoreResult<()> {
    timeline_event::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        customer_id: Set(event.customer_id),
        vehicle_id: Set(event.vehicle_id),
        at: Set(Utc::now()),
        kind: Set(event.kind.to_owned()),
        summary: Set(event.summary),
        actor_id: Set(Some(actor.user_id)),
        data: Set(event.data),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Newest first.
pub async fn timeline(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer_id: Uuid,
    limit: u64,
) -> StoreResult<Vec<timeline_event::Model>> {
    Ok(timeline_event::Entity::find()
        .filter(timeline_event::Column::TenantId.eq(actor.tenant_id))
        .filter(timeline_event::Column::CustomerId.eq(customer_id))
        .order_by_desc(timeline_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The resident ID number in clear, for roles allowed to see it. Every call is audited.
pub async fn reveal_id_number(
    db: &Database,
    actor: &Actor,
    customer_id: Uuid,
) -> StoreResult<Option<String>> {
    let customer = get(&db.conn, actor, customer_id).await?;
    let Some(sealed) = customer.id_number_cipher else {
        return Ok(None);
    };
    let number = db.pii.open(&sealed)?;
    audit::record(
        &db.conn,
        actor,
        AuditEntry {
            action: "reveal_id_number",
            entity: "customer",
            entity_id: Some(customer_id),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(Some(number))
}

/// Folds `duplicate_id` into `keep_id`: vehicles, ownership history, family, timeline and
/// referrals move; empty fields of the kept record are filled; the duplicate is retired.
/// One transaction, audited with both records as they were.
pub async fn merge(
    db: &Database,
    actor: &Actor,
    keep_id: Uuid,
    duplicate_id: Uuid,
) -> StoreResult<customer::Model> {
    let keep = get(&db.conn, actor, keep_id).await?;
    if keep_id == duplicate_id {
        return Err(StoreError::invalid("merge_id", "merge.same_customer"));
    }
    let duplicate = get(&db.conn, actor, duplicate_id).await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let tenant = actor.tenant_id;
    repoint::<vehicle::Entity>(
        &txn,
        vehicle::Column::TenantId,
        vehicle::Column::OwnerId,
        tenant,
        duplicate_id,
        keep_id,
    )
    .await?;
    repoint::<ownership::Entity>(
        &txn,
        ownership::Column::TenantId,
        ownership::Column::CustomerId,
        tenant,
        duplicate_id,
        keep_id,
    )
    .await?;
    repoint::<family_member::Entity>(
        &txn,
        family_member::Column::TenantId,
        family_member::Column::CustomerId,
        tenant,
        duplicate_id,
        keep_id,
    )
    .await?;
    repoint::<timeline_event::Entity>(
        &txn,
        timeline_event::Column::TenantId,
        timeline_event::Column::CustomerId,
        tenant,
        duplicate_id,
        keep_id,
    )
    .await?;
    repoint::<customer::Entity>(
        &txn,
        customer::Column::TenantId,
        customer::Column::ReferrerId,
        tenant,
        duplicate_id,
        keep_id,
    )
    .await?;
    let mut retired: customer::ActiveModel = duplicate.clone().into();
    retired.deleted_at = Set(Some(Utc::now()));
    retired.merged_into_id = Set(Some(keep_id));
    retired.mobile = Set(None);
    retired.id_number_hash = Set(None);
    retired.update(&txn).await?;
    // reset_all: every field is written, not only those the conversion marks as changed.
    let mut kept: customer::ActiveModel =
        customer::ActiveModel::from(fill_gaps(keep.clone(), &duplicate)).reset_all();
    kept.updated_at = Set(Utc::now());
    kept.update(&txn).await?;
    let merged = refresh_class(&txn, tenant, keep_id, Utc::now().date_naive())
        .await?
        .ok_or(StoreError::NotFound)?;
    add_event(
        &txn,
        actor,
        Event {
            customer_id: Some(keep_id),
            vehicle_id: None,
            kind: "customer_merged",
            summary: duplicate.name.clone(),
            data: Some(json!({ "merged_id": duplicate_id })),
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "merge",
            entity: "customer",
            entity_id: Some(keep_id),
            before: Some(json!({ "kept": audit_view(&keep), "merged": audit_view(&duplicate) })),
            after: Some(audit_view(&merged)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(merged)
}

/// Points every row of `E` whose `column` is `from` at `to`, within one tenant.
async fn repoint<E: EntityTrait>(
    db: &impl ConnectionTrait,
    tenant_column: E::Column,
    column: E::Column,
    tenant_id: Uuid,
    from: Uuid,
    to: Uuid,
) -> StoreResult<()> {
    E::update_many()
        .col_expr(column, Expr::value(to))
        .filter(tenant_column.eq(tenant_id))
        .filter(column.eq(from))
        .exec(db)
        .await?;
    Ok(())
}

/// The kept record wins; its empty fields take the duplicate's values. Marketing consent is not
/// carried over: it was given (or not) by the kept record's own decision.
fn fill_gaps(mut keep: customer::Model, other: &customer::Model) -> customer::Model {
    macro_rules! fill {
        ($($field:ident),*) => { $( if keep.$field.is_none() { keep.$field = other.$field.clone(); } )* };
    }
    fill!(
        gender,
        mobile,
        mobile_tail,
        wechat,
        email,
        birthday,
        id_number_cipher,
        id_number_hash,
        id_number_masked,
        address,
        postcode,
        occupation,
        position,
        hobbies,
        compound,
        source,
        info_source,
        referrer_id,
        contact_time,
        preferred_channel,
        notes,
        owner_id
    );
    let mut tags: Vec<Value> = keep.tags.as_array().cloned().unwrap_or_default();
    for tag in other.tags.as_array().into_iter().flatten() {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    keep.tags = Value::Array(tags);
    keep
}
