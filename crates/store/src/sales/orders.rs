//! The end of a deal: the store's new-car stock, orders (numbered per store, a VIN allocated
//! from stock) and deliveries, which put the car into the customer's archive and record the
//! `vehicle_delivered` event for the care plans.

use chrono::{NaiveDate, Utc};
use fours_domain::sales::pipeline::Position;
use fours_domain::vehicles::vin::validate_vin;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Set, Statement,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use fours_domain::service::maintenance::{MaintenancePolicy, Reading};

use super::deals::{self, APPROVAL_APPROVED, APPROVAL_NOT_NEEDED};
use super::entities::{delivery, domain_event, lead, sales_order, stock_car};
use super::funnel_days;
use super::leads::{self, move_lead, position};
use super::{audit_record, scoped, store_of, store_today, text};
use crate::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::{self, Actor};
use crate::vehicles::{self, VehicleInput};

pub const STOCK_IN_STOCK: &str = "in_stock";
pub const STOCK_ALLOCATED: &str = "allocated";
pub const STOCK_DELIVERED: &str = "delivered";
pub const PAYMENT_METHODS: [&str; 6] = ["cash", "card", "transfer", "wechat", "alipay", "loan"];

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct StockInput {
    pub vin: Option<String>,
    pub brand: Option<String>,
    pub series: Option<String>,
    pub model: Option<String>,
    pub trim: Option<String>,
    pub colour: Option<String>,
    /// Integer fen (分).
    pub list_price_fen: Option<i64>,
    pub store_id: Option<Uuid>,
}

/// Adds a new car to the store's stock.
pub async fn add_stock(
    db: &Database,
    actor: &Actor,
    input: &StockInput,
) -> StoreResult<stock_car::Model> {
    let mut errors = Vec::new();
    let vin = match input.vin.as_deref().map(validate_vin) {
        Some(Ok(checked)) => Some(checked.vin),
        Some(Err(bad)) => {
            errors.push(FieldError {
                field: "vin",
                code: bad.0,
            });
            None
        }
        None => {
            errors.push(FieldError {
                field: "vin",
                code: "required",
            });
            None
        }
    };
    let mut required = |field: &'static str, value: &Option<String>| {
        let value = text(value);
        if value.is_none() {
            errors.push(FieldError {
                field,
                code: "required",
            });
        }
        value.unwrap_or_default()
    };
    let (brand, series, model) = (
        required("brand", &input.brand),
        required("series", &input.series),
        required("model", &input.model),
    );
    let list_price_fen = input.list_price_fen.unwrap_or(0);
    if list_price_fen <= 0 {
        errors.push(FieldError {
            field: "list_price_fen",
            code: "required",
        });
    }
    let store_id = store_of(actor, input.store_id)?;
    let Some(vin) = vin.filter(|_| errors.is_empty()) else {
        return Err(StoreError::Invalid(errors));
    };
    let existing = stock_car::Entity::find()
        .filter(stock_car::Column::TenantId.eq(actor.tenant_id))
        .filter(stock_car::Column::Vin.eq(vin.as_str()))
        .one(&db.conn)
        .await?;
    if let Some(existing) = existing {
        return Err(StoreError::Duplicate {
            entity: "stock_car",
            field: "vin",
            existing_id: existing.id,
        });
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let car = stock_car::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        vin: Set(vin),
        brand: Set(brand),
        series: Set(series),
        model: Set(model),
        trim: Set(text(&input.trim)),
        colour: Set(text(&input.colour)),
        list_price_fen: Set(list_price_fen),
        status: Set(STOCK_IN_STOCK.to_owned()),
        order_id: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit_record(&txn, actor, "create", "stock_car", car.id, &car).await?;
    txn.commit().await?;
    Ok(car)
}

/// The store's stock, optionally of one status, newest first.
pub async fn stock(
    db: &impl ConnectionTrait,
    actor: &Actor,
    status: Option<&str>,
) -> StoreResult<Vec<stock_car::Model>> {
    let mut query =
        stock_car::Entity::find().filter(stock_car::Column::TenantId.eq(actor.tenant_id));
    if let Some(store_id) = actor
        .store_id
        .filter(|_| actor.scope != fours_domain::access::DataScope::Group)
    {
        query = query.filter(stock_car::Column::StoreId.eq(store_id));
    }
    if let Some(status) = status {
        query = query.filter(stock_car::Column::Status.eq(status));
    }
    Ok(query.order_by_desc(stock_car::Column::Id).all(db).await?)
}

/// The next number of a per-store sequence. One upsert: concurrent callers serialise on the
/// row (PostgreSQL) or the write lock (SQLite), so no number is handed out twice. Called first
/// in its transaction so that SQLite takes the write lock before reading anything.
pub async fn next_number(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    name: &str,
) -> StoreResult<i64> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO store_sequences (tenant_id, store_id, name, last_value) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (tenant_id, store_id, name) DO UPDATE SET last_value = store_sequences.last_value + 1 \
             RETURNING last_value"
        }
        _ => {
            "INSERT INTO store_sequences (tenant_id, store_id, name, last_value) VALUES (?, ?, ?, 1) \
             ON CONFLICT (tenant_id, store_id, name) DO UPDATE SET last_value = last_value + 1 \
             RETURNING last_value"
        }
    };
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [tenant_id.into(), store_id.into(), name.into()],
        ))
        .await?
        .ok_or(StoreError::Conflict("sequence returned nothing"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct OrderInput {
    /// The accepted quote (its discount approved if it needed approval).
    pub quote_id: Option<Uuid>,
    /// The car allocated from stock.
    pub stock_id: Option<Uuid>,
    /// Integer fen (分).
    pub deposit_fen: Option<i64>,
    /// `cash`, `card`, `transfer`, `wechat`, `alipay` or `loan`.
    pub payment_method: Option<String>,
    pub expected_delivery_on: Option<NaiveDate>,
}

/// Places the order: numbered per store, the quote accepted, the car allocated, the lead at
/// the order step, all in one transaction.
pub async fn place_order(
    db: &Database,
    actor: &Actor,
    lead_id: Uuid,
    input: &OrderInput,
) -> StoreResult<sales_order::Model> {
    let mut errors = Vec::new();
    let deposit_fen = input.deposit_fen.unwrap_or(0);
    if deposit_fen < 0 {
        errors.push(FieldError {
            field: "deposit_fen",
            code: "money.negative",
        });
    }
    let payment_method = input.payment_method.clone().unwrap_or_default();
    if !PAYMENT_METHODS.contains(&payment_method.as_str()) {
        errors.push(FieldError {
            field: "payment_method",
            code: if payment_method.is_empty() {
                "required"
            } else {
                "choice.invalid"
            },
        });
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let current = leads::get(&db.conn, actor, lead_id).await?;
    let to = position(&current)?
        .place_order()
        .map_err(|invalid| StoreError::invalid("lead_id", invalid.0))?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let number = next_number(&txn, actor.tenant_id, current.store_id, "sales_order").await?;
    if let Some(quote_id) = input.quote_id {
        let quote = deals::quote(&txn, actor, quote_id)
            .await
            .map_err(|_| StoreError::invalid("quote_id", "reference.not_found"))?;
        if quote.lead_id != lead_id {
            return Err(StoreError::invalid("quote_id", "reference.not_found"));
        }
        if ![APPROVAL_APPROVED, APPROVAL_NOT_NEEDED].contains(&quote.approval.as_str()) {
            return Err(StoreError::invalid("quote_id", "quote.not_approved"));
        }
    }
    let order_id = Uuid::now_v7();
    if let Some(stock_id) = input.stock_id {
        allocate(&txn, actor, stock_id, current.store_id, order_id).await?;
    }
    let store = org::find_store(&txn, actor.tenant_id, current.store_id).await?;
    let order = sales_order::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(order_id),
        store_id: Set(current.store_id),
        number: Set(format!("{}-SO-{number:06}", store.code)),
        lead_id: Set(lead_id),
        quote_id: Set(input.quote_id),
        customer_id: Set(current.customer_id),
        consultant_id: Set(current.consultant_id),
        stock_id: Set(input.stock_id),
        deposit_fen: Set(deposit_fen),
        payment_method: Set(payment_method),
        expected_delivery_on: Set(input.expected_delivery_on),
        status: Set("open".to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    move_lead(
        &txn,
        actor,
        &current,
        to,
        "step",
        Some(order.number.clone()),
        Utc::now(),
    )
    .await?;
    audit_record(&txn, actor, "create", "sales_order", order.id, &order).await?;
    let day = (current.store_id, order.created_at);
    funnel_days::recount(&txn, actor.tenant_id, [day]).await?;
    txn.commit().await?;
    Ok(order)
}

async fn allocate(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    stock_id: Uuid,
    store_id: Uuid,
    order_id: Uuid,
) -> StoreResult<()> {
    let car = stock_car::Entity::find_by_id((actor.tenant_id, stock_id))
        .one(txn)
        .await?
        .filter(|car| car.store_id == store_id)
        .ok_or_else(|| StoreError::invalid("stock_id", "reference.not_found"))?;
    if car.status != STOCK_IN_STOCK {
        return Err(StoreError::invalid("stock_id", "stock.not_available"));
    }
    let mut model: stock_car::ActiveModel = car.into();
    model.status = Set(STOCK_ALLOCATED.to_owned());
    model.order_id = Set(Some(order_id));
    model.update(txn).await?;
    Ok(())
}

fn visible_orders(actor: &Actor) -> sea_orm::Condition {
    scoped(
        actor,
        sales_order::Column::TenantId,
        sales_order::Column::StoreId,
        sales_order::Column::ConsultantId,
    )
}

pub async fn order(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<sales_order::Model> {
    sales_order::Entity::find()
        .filter(visible_orders(actor))
        .filter(sales_order::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn orders_of_lead(
    db: &impl ConnectionTrait,
    actor: &Actor,
    lead: &lead::Model,
) -> StoreResult<Vec<sales_order::Model>> {
    Ok(sales_order::Entity::find()
        .filter(visible_orders(actor))
        .filter(sales_order::Column::LeadId.eq(lead.id))
        .order_by_desc(sales_order::Column::Id)
        .all(db)
        .await?)
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct DeliveryInput {
    /// The checklist: documents handed over and checked, functions explained, first
    /// maintenance explained, referral asked.
    pub documents_checked: Option<bool>,
    pub functions_explained: Option<bool>,
    pub first_service_reminder: Option<bool>,
    pub referral_asked: Option<bool>,
    /// The plate, when the car is registered by the store before hand-over.
    pub plate: Option<String>,
    pub notes: Option<String>,
}

/// Hands the ordered car over: the car joins the customer's archive with what the order
/// collected, the stock car is delivered, the lead won, and `vehicle_delivered` recorded.
pub async fn deliver(
    db: &Database,
    actor: &Actor,
    order_id: Uuid,
    input: &DeliveryInput,
) -> StoreResult<delivery::Model> {
    let checklist = [
        ("documents_checked", input.documents_checked),
        ("functions_explained", input.functions_explained),
    ];
    let missing: Vec<FieldError> = checklist
        .iter()
        .filter(|(_, done)| *done != Some(true))
        .map(|(field, _)| FieldError {
            field,
            code: "delivery.checklist",
        })
        .collect();
    if !missing.is_empty() {
        return Err(StoreError::Invalid(missing));
    }
    let current = order(&db.conn, actor, order_id).await?;
    let lead = leads::get(&db.conn, actor, current.lead_id).await?;
    let to: Position = position(&lead)?
        .deliver()
        .map_err(|invalid| StoreError::invalid("order_id", invalid.0))?;
    let Some(stock_id) = current.stock_id else {
        return Err(StoreError::invalid("stock_id", "delivery.no_car_allocated"));
    };
    let txn = crate::db::begin_write(&db.conn).await?;
    let car = stock_car::Entity::find_by_id((actor.tenant_id, stock_id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    // What the customer paid for the car itself: the quoted price after discount.
    let price = match current.quote_id {
        Some(quote_id) => {
            let quote = deals::quote(&txn, actor, quote_id).await?;
            quote.vehicle_price_fen - quote.discount_fen
        }
        None => car.list_price_fen,
    };
    let today = store_today(&txn, actor.tenant_id, current.store_id, Utc::now()).await?;
    let vehicle = vehicles::create_in(
        &txn,
        actor,
        &VehicleInput {
            vin: Some(car.vin.clone()),
            plate: text(&input.plate),
            brand: Some(car.brand.clone()),
            series: Some(car.series.clone()),
            model: Some(car.model.clone()),
            trim: car.trim.clone(),
            colour: car.colour.clone(),
            delivery_date: Some(today.to_string()),
            warranty_start: Some(today.to_string()),
            purchase_price_fen: Some(price),
            customer_id: Some(current.customer_id),
            store_id: Some(current.store_id),
            mileage_km: Some(0),
            ..Default::default()
        },
    )
    .await?;
    // The first maintenance (首保) goes on the appointment specialist's list from delivery on.
    let first_service = MaintenancePolicy::default().next_after(Reading { on: today, km: 0 });
    crate::service::orders::set_next_service(&txn, actor.tenant_id, vehicle.id, first_service.on)
        .await?;
    let now = Utc::now();
    let handed_over = delivery::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        lead_id: Set(current.lead_id),
        vehicle_id: Set(vehicle.id),
        delivered_at: Set(now),
        documents_checked: Set(true),
        functions_explained: Set(true),
        first_service_reminder: Set(input.first_service_reminder.unwrap_or(false)),
        referral_asked: Set(input.referral_asked.unwrap_or(false)),
        notes: Set(text(&input.notes)),
        created_by: Set(actor.user_id),
    }
    .insert(&txn)
    .await?;
    let mut stock: stock_car::ActiveModel = car.into();
    stock.status = Set(STOCK_DELIVERED.to_owned());
    stock.update(&txn).await?;
    let mut order: sales_order::ActiveModel = current.clone().into();
    order.status = Set("delivered".to_owned());
    order.update(&txn).await?;
    move_lead(&txn, actor, &lead, to, "step", None, now).await?;
    domain_event::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        kind: Set("vehicle_delivered".to_owned()),
        store_id: Set(Some(current.store_id)),
        customer_id: Set(Some(current.customer_id)),
        vehicle_id: Set(Some(vehicle.id)),
        payload: Set(json!({
            "order_id": order_id,
            "order_number": current.number,
            "delivered_on": today,
            "consultant_id": current.consultant_id,
            "first_service_reminder": handed_over.first_service_reminder,
        })),
        occurred_at: Set(now),
        handled_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit_record(
        &txn,
        actor,
        "create",
        "delivery",
        handed_over.id,
        &handed_over,
    )
    .await?;
    let day = (lead.store_id, handed_over.delivered_at);
    funnel_days::recount(&txn, actor.tenant_id, [day]).await?;
    txn.commit().await?;
    Ok(handed_over)
}

/// Business events of one kind not yet handled by their consumer, oldest first.
pub async fn pending_events(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    kind: &str,
) -> StoreResult<Vec<domain_event::Model>> {
    Ok(domain_event::Entity::find()
        .filter(domain_event::Column::TenantId.eq(tenant_id))
        .filter(domain_event::Column::Kind.eq(kind))
        .filter(domain_event::Column::HandledAt.is_null())
        .order_by_asc(domain_event::Column::OccurredAt)
        .all(db)
        .await?)
}
