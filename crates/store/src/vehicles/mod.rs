//! The vehicle archive (车辆档案): VIN and plate, catalogue model, dates, mileage over time,
//! warranty, insurance and the chain of owners.

pub mod entities;

use chrono::{NaiveDate, Utc};
use fours_domain::access::DataScope;
use fours_domain::vehicles::plate::{plate_search_key, validate_plate};
use fours_domain::vehicles::vin::validate_vin;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::customers::entities::customer;
use crate::customers::input::parse_date;
use crate::customers::{self, Event, add_event, refresh_class, vehicle_match};
use crate::db::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::Actor;
use crate::paging::{Page, PageRequest};
use entities::{mileage_reading, ownership, vehicle, vehicle_model};

/// A vehicle as typed. On update an absent field is left as it is; an empty string clears it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleInput {
    /// 17 characters; a wrong check digit is stored as the warning `vin_check_digit`.
    pub vin: Option<String>,
    pub plate: Option<String>,
    pub engine_no: Option<String>,
    pub brand: Option<String>,
    pub series: Option<String>,
    pub model: Option<String>,
    pub trim: Option<String>,
    pub colour: Option<String>,
    pub production_date: Option<String>,
    pub pdi_date: Option<String>,
    pub licence_date: Option<String>,
    pub delivery_date: Option<String>,
    /// Integer fen (分).
    pub purchase_price_fen: Option<i64>,
    pub warranty_start: Option<String>,
    pub warranty_months: Option<i32>,
    pub warranty_km: Option<i32>,
    pub insurer: Option<String>,
    pub insurance_expiry: Option<String>,
    /// The owner (a customer). Change owners with the transfer operation once set.
    pub customer_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
    /// Odometer reading today, recorded in the mileage history when given on create.
    pub mileage_km: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct VehicleFilter {
    pub q: Option<String>,
    pub customer_id: Option<Uuid>,
}

pub(crate) fn visible(actor: &Actor) -> Condition {
    let base = Condition::all()
        .add(vehicle::Column::TenantId.eq(actor.tenant_id))
        .add(vehicle::Column::DeletedAt.is_null());
    match (actor.scope, actor.store_id) {
        (DataScope::Own, _) => {
            let mine = Query::select()
                .column(customer::Column::Id)
                .from(customer::Entity)
                .and_where(customer::Column::TenantId.eq(actor.tenant_id))
                .and_where(customer::Column::OwnerId.eq(actor.user_id))
                .to_owned();
            base.add(vehicle::Column::OwnerId.in_subquery(mine))
        }
        (DataScope::Store, Some(store_id)) => base.add(vehicle::Column::StoreId.eq(store_id)),
        _ => base,
    }
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<vehicle::Model> {
    vehicle::Entity::find()
        .filter(visible(actor))
        .filter(vehicle::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &VehicleFilter,
    page: PageRequest,
) -> StoreResult<Page<vehicle::Model>> {
    let mut query = vehicle::Entity::find().filter(visible(actor));
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            vehicle_match(q).unwrap_or_else(|| Condition::all().add(vehicle::Column::Id.is_null())),
        );
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(vehicle::Column::OwnerId.eq(customer_id));
    }
    if let Some(cursor) = page.cursor {
        query = query.filter(vehicle::Column::Id.lt(cursor));
    }
    let rows = query
        .order_by_desc(vehicle::Column::Id)
        .limit(page.limit() + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page.limit(), |v| v.id))
}

fn change(value: &Option<String>) -> Option<Option<String>> {
    value.as_ref().map(|v| {
        let trimmed = v.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    })
}

/// A date field of the input: its name, the typed value and the column it sets.
type DateField<'a> = (
    &'static str,
    &'a Option<String>,
    &'a mut sea_orm::ActiveValue<Option<NaiveDate>>,
);

/// Applies an input to the model, returning every field problem found.
fn apply(
    model: &mut vehicle::ActiveModel,
    input: &VehicleInput,
    creating: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut warnings: Vec<&str> = Vec::new();
    match change(&input.vin) {
        Some(Some(raw)) => match validate_vin(&raw) {
            Ok(checked) => {
                warnings.extend(checked.warnings);
                model.vin_tail = Set(checked.vin[11..].to_owned());
                model.vin = Set(checked.vin);
            }
            Err(invalid) => errors.push(FieldError {
                field: "vin",
                code: invalid.0,
            }),
        },
        Some(None) => errors.push(FieldError {
            field: "vin",
            code: "required",
        }),
        None if creating => errors.push(FieldError {
            field: "vin",
            code: "required",
        }),
        None => {}
    }
    match change(&input.plate) {
        Some(Some(raw)) => match validate_plate(&raw) {
            Ok(checked) => {
                warnings.extend(checked.warnings);
                model.plate_key = Set(Some(plate_search_key(&checked.plate)));
                model.plate = Set(Some(checked.plate));
            }
            Err(invalid) => errors.push(FieldError {
                field: "plate",
                code: invalid.0,
            }),
        },
        Some(None) => {
            model.plate = Set(None);
            model.plate_key = Set(None);
        }
        None => {}
    }
    let texts: [(&Option<String>, &mut sea_orm::ActiveValue<Option<String>>); 7] = [
        (&input.engine_no, &mut model.engine_no),
        (&input.brand, &mut model.brand),
        (&input.series, &mut model.series),
        (&input.model, &mut model.model),
        (&input.trim, &mut model.trim),
        (&input.colour, &mut model.colour),
        (&input.insurer, &mut model.insurer),
    ];
    for (value, column) in texts {
        if let Some(v) = change(value) {
            *column = Set(v);
        }
    }
    let dates: [DateField; 6] = [
        (
            "production_date",
            &input.production_date,
            &mut model.production_date,
        ),
        ("pdi_date", &input.pdi_date, &mut model.pdi_date),
        ("licence_date", &input.licence_date, &mut model.licence_date),
        (
            "delivery_date",
            &input.delivery_date,
            &mut model.delivery_date,
        ),
        (
            "warranty_start",
            &input.warranty_start,
            &mut model.warranty_start,
        ),
        (
            "insurance_expiry",
            &input.insurance_expiry,
            &mut model.insurance_expiry,
        ),
    ];
    for (field, value, column) in dates {
        match change(value) {
            Some(Some(raw)) => match parse_date(field, &raw) {
                Ok(day) => *column = Set(Some(day)),
                Err(error) => errors.push(error),
            },
            Some(None) => *column = Set(None),
            None => {}
        }
    }
    let numbers: [(&'static str, Option<i64>, i64); 4] = [
        (
            "purchase_price_fen",
            input.purchase_price_fen,
            10_000_000_000,
        ),
        ("warranty_months", input.warranty_months.map(i64::from), 240),
        ("warranty_km", input.warranty_km.map(i64::from), 2_000_000),
        ("mileage_km", input.mileage_km.map(i64::from), 2_000_000),
    ];
    for (field, value, max) in numbers {
        if value.is_some_and(|v| !(0..=max).contains(&v)) {
            errors.push(FieldError {
                field,
                code: "number.out_of_range",
            });
        }
    }
    if let Some(price) = input.purchase_price_fen {
        model.purchase_price_fen = Set(Some(price));
    }
    if let Some(months) = input.warranty_months {
        model.warranty_months = Set(Some(months));
    }
    if let Some(km) = input.warranty_km {
        model.warranty_km = Set(Some(km));
    }
    if input.vin.is_some() || input.plate.is_some() || creating {
        model.warnings = Set(json!(warnings));
    }
    errors
}

fn audit_view(model: &vehicle::Model) -> Value {
    serde_json::to_value(model).unwrap_or(Value::Null)
}

/// A new vehicle's row from what was typed, checked with the archive's rules. Pure: the owner
/// and store are set by the caller.
pub fn new_model(
    actor: &Actor,
    input: &VehicleInput,
    now: chrono::DateTime<Utc>,
) -> (vehicle::ActiveModel, Vec<FieldError>) {
    let mut model = vehicle::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        mileage_km: Set(input.mileage_km),
        ..Default::default()
    };
    let errors = apply(&mut model, input, true);
    fill_null_columns(&mut model);
    (model, errors)
}

pub async fn create(
    db: &Database,
    actor: &Actor,
    input: &VehicleInput,
) -> StoreResult<vehicle::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let created = create_in(&txn, actor, input).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a vehicle inside the caller's transaction (a delivery adds the sold car with it).
pub async fn create_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    input: &VehicleInput,
) -> StoreResult<vehicle::Model> {
    let now = Utc::now();
    let (mut model, mut errors) = new_model(actor, input, now);
    let id = *model.id.as_ref();
    let owner = match input.customer_id {
        Some(customer_id) => match customers::get(txn, actor, customer_id).await {
            Ok(owner) => Some(owner),
            Err(StoreError::NotFound) => {
                errors.push(FieldError {
                    field: "customer_id",
                    code: "reference.not_found",
                });
                None
            }
            Err(other) => return Err(other),
        },
        None => None,
    };
    match input
        .store_id
        .or(owner.as_ref().map(|o| o.store_id))
        .or(actor.store_id)
    {
        Some(store_id) => model.store_id = Set(store_id),
        None => errors.push(FieldError {
            field: "store_id",
            code: "required",
        }),
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    model.owner_id = Set(owner.as_ref().map(|o| o.id));
    ensure_unique_vin(txn, actor.tenant_id, &model, None).await?;
    let created = model.insert(txn).await?;
    let today = now.date_naive();
    if let Some(km) = input.mileage_km {
        insert_reading(txn, actor, id, today, km, "registration").await?;
    }
    if let Some(owner) = &owner {
        start_ownership(
            txn,
            actor,
            id,
            owner.id,
            created.delivery_date.unwrap_or(today),
        )
        .await?;
        add_event(
            txn,
            actor,
            Event {
                customer_id: Some(owner.id),
                vehicle_id: Some(id),
                kind: "vehicle_added",
                summary: describe(&created),
                data: None,
            },
        )
        .await?;
        refresh_class(txn, actor.tenant_id, owner.id, today).await?;
    }
    audit::record(
        txn,
        actor,
        AuditEntry {
            action: "create",
            entity: "vehicle",
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
    input: &VehicleInput,
) -> StoreResult<vehicle::Model> {
    let current = get(&db.conn, actor, id).await?;
    let mut model: vehicle::ActiveModel = current.clone().into();
    let mut errors = apply(&mut model, input, false);
    if input
        .customer_id
        .is_some_and(|owner| Some(owner) != current.owner_id)
    {
        errors.push(FieldError {
            field: "customer_id",
            code: "vehicle.use_transfer",
        });
    }
    if input.mileage_km.is_some() {
        errors.push(FieldError {
            field: "mileage_km",
            code: "vehicle.use_mileage",
        });
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    ensure_unique_vin(&db.conn, actor.tenant_id, &model, Some(id)).await?;
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin_write(&db.conn).await?;
    let updated = model.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "update",
            entity: "vehicle",
            entity_id: Some(id),
            before: Some(audit_view(&current)),
            after: Some(audit_view(&updated)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn delete(db: &Database, actor: &Actor, id: Uuid) -> StoreResult<()> {
    let current = get(&db.conn, actor, id).await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut model: vehicle::ActiveModel = current.clone().into();
    model.deleted_at = Set(Some(Utc::now()));
    model.update(&txn).await?;
    if let Some(owner) = current.owner_id {
        refresh_class(&txn, actor.tenant_id, owner, Utc::now().date_naive()).await?;
    }
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "delete",
            entity: "vehicle",
            entity_id: Some(id),
            before: Some(audit_view(&current)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn fill_null_columns(model: &mut vehicle::ActiveModel) {
    macro_rules! default_null {
        ($($field:ident),*) => { $( if model.$field.is_not_set() { model.$field = Set(None); } )* };
    }
    default_null!(
        plate,
        plate_key,
        engine_no,
        brand,
        series,
        model,
        trim,
        colour,
        production_date,
        pdi_date,
        licence_date,
        delivery_date,
        purchase_price_fen,
        warranty_start,
        warranty_months,
        warranty_km,
        insurer,
        insurance_expiry,
        next_service_on
    );
}

async fn ensure_unique_vin(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    model: &vehicle::ActiveModel,
    except: Option<Uuid>,
) -> StoreResult<()> {
    let Some(vin) = model.vin.try_as_ref() else {
        return Ok(());
    };
    let mut query = vehicle::Entity::find()
        .filter(vehicle::Column::TenantId.eq(tenant_id))
        .filter(vehicle::Column::Vin.eq(vin.as_str()));
    if let Some(except) = except {
        query = query.filter(vehicle::Column::Id.ne(except));
    }
    match query.one(db).await? {
        Some(existing) => Err(StoreError::Duplicate {
            entity: "vehicle",
            field: "vin",
            existing_id: existing.id,
        }),
        None => Ok(()),
    }
}

/// "粤B12345 大众 迈腾" — how a vehicle is named in timelines; the VIN when nothing else is known.
pub fn describe(vehicle: &vehicle::Model) -> String {
    let parts: Vec<&str> = [
        vehicle.plate.as_deref(),
        vehicle.brand.as_deref(),
        vehicle.series.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        vehicle.vin.clone()
    } else {
        parts.join(" ")
    }
}

async fn insert_reading(
    db: &impl ConnectionTrait,
    actor: &Actor,
    vehicle_id: Uuid,
    read_on: NaiveDate,
    km: i32,
    source: &str,
) -> StoreResult<mileage_reading::Model> {
    Ok(mileage_reading::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        vehicle_id: Set(vehicle_id),
        read_on: Set(read_on),
        km: Set(km),
        source: Set(source.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

async fn start_ownership(
    db: &impl ConnectionTrait,
    actor: &Actor,
    vehicle_id: Uuid,
    customer_id: Uuid,
    from: NaiveDate,
) -> StoreResult<()> {
    ownership::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        vehicle_id: Set(vehicle_id),
        customer_id: Set(customer_id),
        started_on: Set(from),
        ended_on: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Oldest first, so a chart reads left to right.
pub async fn mileage(
    db: &impl ConnectionTrait,
    actor: &Actor,
    vehicle_id: Uuid,
) -> StoreResult<Vec<mileage_reading::Model>> {
    get(db, actor, vehicle_id).await?;
    Ok(mileage_reading::Entity::find()
        .filter(mileage_reading::Column::TenantId.eq(actor.tenant_id))
        .filter(mileage_reading::Column::VehicleId.eq(vehicle_id))
        .order_by_asc(mileage_reading::Column::ReadOn)
        .order_by_asc(mileage_reading::Column::Id)
        .all(db)
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MileageInput {
    pub km: i32,
    /// `YYYY-MM-DD`; today when absent.
    pub read_on: Option<String>,
    /// Where the reading came from: `service`, `customer`, `registration`, `import`.
    pub source: Option<String>,
}

/// Records an odometer reading inside the caller's transaction: refused when it contradicts an
/// earlier or later one; the vehicle's current mileage and its owner's class follow.
pub(crate) async fn record_mileage(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    vehicle: &vehicle::Model,
    read_on: NaiveDate,
    km: i32,
    source: &str,
) -> StoreResult<mileage_reading::Model> {
    let out_of_order = Condition::any()
        .add(
            Condition::all()
                .add(mileage_reading::Column::ReadOn.lte(read_on))
                .add(mileage_reading::Column::Km.gt(km)),
        )
        // Strictly later: a car read at reception may be read higher the same day.
        .add(
            Condition::all()
                .add(mileage_reading::Column::ReadOn.gt(read_on))
                .add(mileage_reading::Column::Km.lt(km)),
        );
    let contradicting = mileage_reading::Entity::find()
        .filter(mileage_reading::Column::TenantId.eq(actor.tenant_id))
        .filter(mileage_reading::Column::VehicleId.eq(vehicle.id))
        .filter(out_of_order)
        .one(txn)
        .await?;
    if contradicting.is_some() {
        return Err(StoreError::invalid("km", "mileage.decreasing"));
    }
    let reading = insert_reading(txn, actor, vehicle.id, read_on, km, source).await?;
    if vehicle.mileage_km.is_none_or(|current| current <= km) {
        let mut model: vehicle::ActiveModel = vehicle.clone().into();
        model.mileage_km = Set(Some(km));
        model.updated_at = Set(Utc::now());
        model.update(txn).await?;
    }
    if let Some(owner) = vehicle.owner_id {
        refresh_class(txn, actor.tenant_id, owner, Utc::now().date_naive()).await?;
    }
    Ok(reading)
}

/// Records an odometer reading. Odometers do not run backwards: a reading below one taken on or
/// before its day, or above one taken after it, is refused.
pub async fn add_mileage(
    db: &Database,
    actor: &Actor,
    vehicle_id: Uuid,
    input: &MileageInput,
) -> StoreResult<mileage_reading::Model> {
    let vehicle = get(&db.conn, actor, vehicle_id).await?;
    let read_on = match change(&input.read_on) {
        Some(Some(raw)) => parse_date("read_on", &raw).map_err(|e| StoreError::Invalid(vec![e]))?,
        // Today at the car's store, as a reading taken at reception is dated.
        _ => {
            crate::sales::store_today(&db.conn, actor.tenant_id, vehicle.store_id, Utc::now())
                .await?
        }
    };
    if !(0..=2_000_000).contains(&input.km) {
        return Err(StoreError::invalid("km", "number.out_of_range"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let source = input.source.as_deref().unwrap_or("service");
    let reading = record_mileage(&txn, actor, &vehicle, read_on, input.km, source).await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "add_mileage",
            entity: "vehicle",
            entity_id: Some(vehicle_id),
            before: None,
            after: Some(json!({ "km": input.km, "read_on": read_on })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(reading)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = OwnershipTransferInput)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    pub customer_id: Uuid,
    /// `YYYY-MM-DD`; today when absent.
    pub date: Option<String>,
}

/// Hands the vehicle to another customer: the current ownership ends, a new one starts, both
/// customers' timelines and classes follow. One transaction.
pub async fn transfer(
    db: &Database,
    actor: &Actor,
    vehicle_id: Uuid,
    input: &TransferInput,
) -> StoreResult<vehicle::Model> {
    let vehicle = get(&db.conn, actor, vehicle_id).await?;
    let new_owner = customers::get(&db.conn, actor, input.customer_id)
        .await
        .map_err(|_| StoreError::invalid("customer_id", "reference.not_found"))?;
    if vehicle.owner_id == Some(new_owner.id) {
        return Err(StoreError::invalid("customer_id", "transfer.same_owner"));
    }
    let on = match change(&input.date) {
        Some(Some(raw)) => parse_date("date", &raw).map_err(|e| StoreError::Invalid(vec![e]))?,
        _ => Utc::now().date_naive(),
    };
    let current_start = ownership_history(&db.conn, actor, vehicle_id)
        .await?
        .into_iter()
        .filter(|o| o.ended_on.is_none())
        .map(|o| o.started_on)
        .max();
    if current_start.is_some_and(|start| on < start) {
        return Err(StoreError::invalid("date", "transfer.before_current_owner"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    ownership::Entity::update_many()
        .col_expr(
            ownership::Column::EndedOn,
            sea_orm::sea_query::Expr::value(on),
        )
        .filter(ownership::Column::TenantId.eq(actor.tenant_id))
        .filter(ownership::Column::VehicleId.eq(vehicle_id))
        .filter(ownership::Column::EndedOn.is_null())
        .exec(&txn)
        .await?;
    start_ownership(&txn, actor, vehicle_id, new_owner.id, on).await?;
    let mut model: vehicle::ActiveModel = vehicle.clone().into();
    model.owner_id = Set(Some(new_owner.id));
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    let today = Utc::now().date_naive();
    let summary = describe(&updated);
    if let Some(previous) = vehicle.owner_id {
        add_event(
            &txn,
            actor,
            Event {
                customer_id: Some(previous),
                vehicle_id: Some(vehicle_id),
                kind: "vehicle_transferred_out",
                summary: summary.clone(),
                data: Some(json!({ "to": new_owner.id })),
            },
        )
        .await?;
        refresh_class(&txn, actor.tenant_id, previous, today).await?;
    }
    add_event(
        &txn,
        actor,
        Event {
            customer_id: Some(new_owner.id),
            vehicle_id: Some(vehicle_id),
            kind: "vehicle_transferred_in",
            summary,
            data: Some(json!({ "from": vehicle.owner_id })),
        },
    )
    .await?;
    refresh_class(&txn, actor.tenant_id, new_owner.id, today).await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "transfer",
            entity: "vehicle",
            entity_id: Some(vehicle_id),
            before: Some(json!({ "owner_id": vehicle.owner_id })),
            after: Some(json!({ "owner_id": new_owner.id, "on": on })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Owners of the vehicle, oldest first.
pub async fn ownership_history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    vehicle_id: Uuid,
) -> StoreResult<Vec<ownership::Model>> {
    Ok(ownership::Entity::find()
        .filter(ownership::Column::TenantId.eq(actor.tenant_id))
        .filter(ownership::Column::VehicleId.eq(vehicle_id))
        .order_by_asc(ownership::Column::StartedOn)
        .order_by_asc(ownership::Column::Id)
        .all(db)
        .await?)
}

pub async fn catalogue(db: &impl ConnectionTrait) -> StoreResult<Vec<vehicle_model::Model>> {
    Ok(vehicle_model::Entity::find()
        .order_by_asc(vehicle_model::Column::Brand)
        .order_by_asc(vehicle_model::Column::Series)
        .order_by_asc(vehicle_model::Column::Model)
        .all(db)
        .await?)
}

pub async fn catalogue_is_empty(db: &impl ConnectionTrait) -> StoreResult<bool> {
    Ok(vehicle_model::Entity::find().one(db).await?.is_none())
}

pub struct CatalogueEntry<'a> {
    pub brand: &'a str,
    pub series: &'a str,
    pub model: &'a str,
    pub trim: &'a str,
    pub msrp_fen: i64,
}

pub async fn add_catalogue_entry(
    db: &impl ConnectionTrait,
    entry: CatalogueEntry<'_>,
) -> StoreResult<()> {
    vehicle_model::ActiveModel {
        id: Set(Uuid::now_v7()),
        brand: Set(entry.brand.to_owned()),
        series: Set(entry.series.to_owned()),
        model: Set(entry.model.to_owned()),
        trim: Set(entry.trim.to_owned()),
        msrp_fen: Set(entry.msrp_fen),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Vehicles of one customer (for the 360 page).
pub async fn of_customer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer_id: Uuid,
) -> StoreResult<Vec<vehicle::Model>> {
    Ok(vehicle::Entity::find()
        .filter(visible(actor))
        .filter(vehicle::Column::OwnerId.eq(customer_id))
        .order_by_desc(vehicle::Column::Id)
        .all(db)
        .await?)
}

/// The visible vehicles of several customers at once (one query for a page of a list).
pub async fn of_customers(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer_ids: &[Uuid],
) -> StoreResult<Vec<vehicle::Model>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vehicle::Entity::find()
        .filter(visible(actor))
        .filter(vehicle::Column::OwnerId.is_in(customer_ids.iter().copied()))
        .order_by_asc(vehicle::Column::Id)
        .all(db)
        .await?)
}
