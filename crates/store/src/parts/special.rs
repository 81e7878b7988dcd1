//! Special orders for a customer (客户订件), from the request to the part fitted, each step
//! recorded with who and when. Arrival comes with the receipt of the supplier order that the
//! parts manager placed for it; from then on the store's whole advisor team sees the part
//! waiting (the team list), so nothing hangs on the requester being at work.

use chrono::{NaiveDate, Utc};
use fours_domain::parts::AdjustmentReason;
use fours_domain::parts::MovementKind;
use fours_domain::parts::special_order::{Alerts, Status, alerts};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{special_order, special_order_step};
use super::stock::{Against, Movement, apply};
use super::{catalogue, positive_quantity, store_number};
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::{audit_record, store_today, text};
use crate::service::entities::repair_order;
use crate::service::in_scope;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecialOrderInput {
    pub part_id: Uuid,
    /// Hundredths of the part's unit.
    pub quantity: i64,
    pub customer_id: Uuid,
    pub vehicle_id: Option<Uuid>,
    /// The repair order or appointment the part is needed for.
    pub repair_order_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub note: Option<String>,
    /// The store ordering; by default the repair order's, else the caller's, else the customer's.
    pub store_id: Option<Uuid>,
}

pub async fn create(
    db: &Database,
    actor: &Actor,
    input: &SpecialOrderInput,
) -> StoreResult<special_order::Model> {
    let quantity = positive_quantity("quantity", input.quantity)?;
    let customer = crate::customers::get(&db.conn, actor, input.customer_id)
        .await
        .map_err(|_| StoreError::invalid("customer_id", "reference.not_found"))?;
    if let Some(vehicle_id) = input.vehicle_id {
        let car = crate::vehicles::get(&db.conn, actor, vehicle_id)
            .await
            .map_err(|_| StoreError::invalid("vehicle_id", "reference.not_found"))?;
        if car.owner_id != Some(customer.id) {
            return Err(StoreError::invalid("vehicle_id", "parts.not_customers_car"));
        }
    }
    let repair = match input.repair_order_id {
        Some(id) => Some(
            crate::service::orders::get(&db.conn, actor, id)
                .await
                .map_err(|_| StoreError::invalid("repair_order_id", "reference.not_found"))?,
        ),
        None => None,
    };
    if repair
        .as_ref()
        .is_some_and(|order| order.customer_id != customer.id)
    {
        return Err(StoreError::invalid(
            "repair_order_id",
            "parts.not_customers_car",
        ));
    }
    if let Some(appointment_id) = input.appointment_id {
        crate::service::appointments::get(&db.conn, actor, appointment_id)
            .await
            .map_err(|_| StoreError::invalid("appointment_id", "reference.not_found"))?;
    }
    let store_id = match &repair {
        Some(order) => order.store_id,
        None => super::parts_store(
            actor,
            input
                .store_id
                .or(actor.store_id)
                .or(Some(customer.store_id)),
        )?,
    };
    let txn = crate::db::begin_write(&db.conn).await?;
    catalogue::get(&txn, actor, input.part_id)
        .await
        .map_err(|_| StoreError::invalid("part_id", "reference.not_found"))?;
    let number = store_number(&txn, actor.tenant_id, store_id, "special_order", "SP").await?;
    let created = special_order::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        number: Set(number),
        part_id: Set(input.part_id),
        quantity: Set(quantity),
        customer_id: Set(customer.id),
        vehicle_id: Set(input.vehicle_id.or(repair.as_ref().map(|o| o.vehicle_id))),
        repair_order_id: Set(input.repair_order_id),
        appointment_id: Set(input.appointment_id),
        status: Set(Status::Requested.as_str().to_owned()),
        requested_by: Set(actor.user_id),
        requested_at: Set(Utc::now()),
        supplier: Set(None),
        expected_on: Set(None),
        supplier_order_id: Set(None),
        arrived_on: Set(None),
        booked_appointment_id: Set(None),
        note: Set(text(&input.note)),
    }
    .insert(&txn)
    .await?;
    record_step(&txn, actor, &created, text(&input.note)).await?;
    txn.commit().await?;
    Ok(created)
}

async fn record_step(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    order: &special_order::Model,
    note: Option<String>,
) -> StoreResult<()> {
    special_order_step::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        special_order_id: Set(order.id),
        status: Set(order.status.clone()),
        by_user: Set(Some(actor.user_id)),
        at: Set(Utc::now()),
        note: Set(note),
    }
    .insert(txn)
    .await?;
    audit_record(txn, actor, "update", "special_order", order.id, order).await
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<special_order::Model> {
    special_order::Entity::find()
        .filter(in_scope(
            actor,
            special_order::Column::TenantId,
            special_order::Column::StoreId,
        ))
        .filter(special_order::Column::Id.eq(id))
        // Steps check the status they move from: PostgreSQL holds the row until commit.
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Moves the order to `next` (if its rules allow), lets `fill` set the step's data, and
/// records the step.
async fn advance(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    current: special_order::Model,
    next: Status,
    note: Option<String>,
    fill: impl FnOnce(&mut special_order::ActiveModel),
) -> StoreResult<special_order::Model> {
    let status = Status::parse(&current.status).ok_or(StoreError::Conflict("unknown status"))?;
    status
        .change_to(next)
        .map_err(|invalid| StoreError::invalid("status", invalid.0))?;
    let mut model: special_order::ActiveModel = current.into();
    model.status = Set(next.as_str().to_owned());
    fill(&mut model);
    let moved = model.update(txn).await?;
    record_step(txn, actor, &moved, note).await?;
    Ok(moved)
}

/// One step that needs nothing but the order and an optional note.
pub async fn step(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    next: Status,
    note: Option<String>,
) -> StoreResult<special_order::Model> {
    match next {
        Status::Approved | Status::Rejected | Status::Cancelled | Status::AdvisorNotified => {}
        Status::CustomerNotified => return notify_customer(db, actor, id).await,
        Status::Returned => return send_back(db, actor, id, note).await,
        _ => return Err(StoreError::invalid("status", "special_order.transition")),
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let moved = advance(&txn, actor, current, next, text(&note), |_| {}).await?;
    txn.commit().await?;
    Ok(moved)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceInput {
    pub supplier: String,
    pub expected_on: Option<NaiveDate>,
    pub unit_cost_fen: Option<i64>,
}

/// The parts manager orders the part from the maker: a supplier order with this one line.
pub async fn place_order(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &PlaceInput,
) -> StoreResult<special_order::Model> {
    let supplier = text(&Some(input.supplier.clone()))
        .ok_or_else(|| StoreError::invalid("supplier", "required"))?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let part = catalogue::get(&txn, actor, current.part_id).await?;
    let line = super::supplier::NewLine {
        part_id: part.id,
        quantity: current.quantity,
        unit_cost_fen: input.unit_cost_fen.unwrap_or(part.cost_price_fen),
        special_order_id: Some(current.id),
    };
    let placed = super::supplier::insert_order(
        &txn,
        actor,
        current.store_id,
        &supplier,
        input.expected_on,
        &[line],
        true,
    )
    .await?;
    let moved = advance(&txn, actor, current, Status::Ordered, None, |model| {
        model.supplier = Set(Some(supplier.clone()));
        model.expected_on = Set(input.expected_on);
        model.supplier_order_id = Set(Some(placed.id));
    })
    .await?;
    txn.commit().await?;
    Ok(moved)
}

/// The part came in with a receipt: it is kept for the customer and the advisor team sees it.
pub(crate) async fn arrived_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<()> {
    let current = get(txn, actor, id).await?;
    let today = store_today(txn, actor.tenant_id, current.store_id, Utc::now()).await?;
    advance(txn, actor, current, Status::Arrived, None, |model| {
        model.arrived_on = Set(Some(today));
    })
    .await?;
    Ok(())
}

/// Tells the customer, through the outbox, that their part is in.
async fn notify_customer(
    db: &Database,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<special_order::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let part = catalogue::get(&txn, actor, current.part_id).await?;
    let queued = crate::care::outbox::enqueue(
        &txn,
        actor.tenant_id,
        crate::care::outbox::NewMessage {
            store_id: current.store_id,
            customer_id: current.customer_id,
            channel: fours_notify::ChannelKind::Sms,
            code: "special_order_arrived".into(),
            context: serde_json::json!({"part_name": part.name}),
            related_id: Some(current.id),
            at: Utc::now(),
        },
    )
    .await?;
    let moved = advance(&txn, actor, current, Status::CustomerNotified, None, |_| {}).await?;
    audit_record(&txn, actor, "create", "outbox_message", queued.id, &queued).await?;
    txn.commit().await?;
    Ok(moved)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookInput {
    /// The appointment made with the customer for fitting the part.
    pub appointment_id: Uuid,
}

pub async fn book(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &BookInput,
) -> StoreResult<special_order::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let appointment = crate::service::appointments::get(&txn, actor, input.appointment_id)
        .await
        .map_err(|_| StoreError::invalid("appointment_id", "reference.not_found"))?;
    if current
        .vehicle_id
        .is_some_and(|car| car != appointment.vehicle_id)
    {
        return Err(StoreError::invalid(
            "appointment_id",
            "parts.not_customers_car",
        ));
    }
    let moved = advance(&txn, actor, current, Status::Booked, None, |model| {
        model.booked_appointment_id = Set(Some(appointment.id));
    })
    .await?;
    txn.commit().await?;
    Ok(moved)
}

/// Fitting: the counter issues the kept part to a line of the car's repair order.
pub(crate) async fn fit_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    order: &repair_order::Model,
    part_id: Uuid,
    quantity: i64,
) -> StoreResult<()> {
    let current = get(txn, actor, id)
        .await
        .map_err(|_| StoreError::invalid("special_order_id", "reference.not_found"))?;
    let elsewhere = current.store_id != order.store_id;
    if elsewhere
        || current.part_id != part_id
        || current.vehicle_id.is_some_and(|v| v != order.vehicle_id)
    {
        return Err(StoreError::invalid(
            "special_order_id",
            "parts.not_this_line",
        ));
    }
    if quantity != current.quantity {
        return Err(StoreError::invalid("quantity", "parts.whole_special_order"));
    }
    let order_id = order.id;
    advance(txn, actor, current, Status::Fitted, None, |model| {
        model.repair_order_id = Set(Some(order_id));
    })
    .await?;
    Ok(())
}

/// Unclaimed: the kept part goes back to the maker and leaves the stock.
async fn send_back(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    note: Option<String>,
) -> StoreResult<special_order::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let movement = Movement {
        store_id: current.store_id,
        part_id: current.part_id,
        kind: MovementKind::Adjustment,
        quantity: -current.quantity,
        unit_cost_fen: None,
        reserved: -current.quantity,
        against: Against {
            special_order_id: Some(current.id),
            reason: Some(AdjustmentReason::ReturnedToSupplier.as_str().to_owned()),
            ..Default::default()
        },
    };
    let moved = advance(&txn, actor, current, Status::Returned, text(&note), |_| {}).await?;
    apply(&txn, actor, movement).await?;
    txn.commit().await?;
    Ok(moved)
}

/// A special order as lists show it: the part, the customer, the ageing alerts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpecialOrderView {
    #[serde(flatten)]
    pub order: special_order::Model,
    pub part_number: String,
    pub part_name: String,
    pub customer_name: String,
    /// Arrived three or more days ago and the customer not yet told.
    pub customer_not_contacted: bool,
    /// Arrived thirty or more days ago and not fitted: send it back.
    pub return_due: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct SpecialOrderFilter {
    pub status: Option<String>,
    pub customer_id: Option<Uuid>,
    pub repair_order_id: Option<Uuid>,
    /// Only parts in the store waiting for the advisor team (arrived, taken, customer told).
    pub waiting: Option<bool>,
    /// Everything not yet closed (for the parts manager's list).
    pub open: Option<bool>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &SpecialOrderFilter,
) -> StoreResult<Vec<SpecialOrderView>> {
    let mut query = special_order::Entity::find().filter(in_scope(
        actor,
        special_order::Column::TenantId,
        special_order::Column::StoreId,
    ));
    if let Some(status) = text(&filter.status) {
        query = query.filter(special_order::Column::Status.eq(status));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(special_order::Column::CustomerId.eq(customer_id));
    }
    if let Some(order_id) = filter.repair_order_id {
        query = query.filter(special_order::Column::RepairOrderId.eq(order_id));
    }
    let statuses = |keep: fn(Status) -> bool| -> Vec<&'static str> {
        Status::ALL
            .iter()
            .filter(|s| keep(**s))
            .map(|s| s.as_str())
            .collect()
    };
    if filter.waiting == Some(true) {
        query = query.filter(special_order::Column::Status.is_in(statuses(Status::awaits_advisor)));
    }
    if filter.open == Some(true) {
        query = query.filter(special_order::Column::Status.is_in(statuses(|s| {
            !matches!(
                s,
                Status::Rejected | Status::Fitted | Status::Cancelled | Status::Returned
            )
        })));
    }
    let rows = query
        .order_by_asc(special_order::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    // Ageing counts the store's calendar days.
    let mut today_at = std::collections::HashMap::new();
    for store_id in rows.iter().map(|r| r.store_id) {
        if let std::collections::hash_map::Entry::Vacant(day) = today_at.entry(store_id) {
            day.insert(store_today(db, actor.tenant_id, store_id, Utc::now()).await?);
        }
    }
    let parts = catalogue::by_ids(db, actor, rows.iter().map(|r| r.part_id)).await?;
    let names = customer_names(db, actor, rows.iter().map(|r| r.customer_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let Alerts {
                customer_not_contacted,
                return_due,
            } = Status::parse(&row.status)
                .map(|status| {
                    let today = today_at.get(&row.store_id).copied().unwrap_or_default();
                    alerts(status, row.arrived_on, today)
                })
                .unwrap_or_default();
            let part = parts.get(&row.part_id);
            SpecialOrderView {
                part_number: part.map(|p| p.part_number.clone()).unwrap_or_default(),
                part_name: part.map(|p| p.name.clone()).unwrap_or_default(),
                customer_name: names.get(&row.customer_id).cloned().unwrap_or_default(),
                order: row,
                customer_not_contacted,
                return_due,
            }
        })
        .collect())
}

/// Names only (no contact details), for lists of the group's own records.
async fn customer_names(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: impl Iterator<Item = Uuid>,
) -> StoreResult<std::collections::HashMap<Uuid, String>> {
    use crate::customers::entities::customer;
    Ok(customer::Entity::find()
        .filter(customer::Column::TenantId.eq(actor.tenant_id))
        .filter(customer::Column::Id.is_in(ids.collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// The steps of several special orders the caller has already listed, in one query.
pub async fn histories(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: impl Iterator<Item = Uuid>,
) -> StoreResult<std::collections::HashMap<Uuid, Vec<special_order_step::Model>>> {
    let mut steps = std::collections::HashMap::<Uuid, Vec<_>>::new();
    for step in special_order_step::Entity::find()
        .filter(special_order_step::Column::TenantId.eq(actor.tenant_id))
        .filter(special_order_step::Column::SpecialOrderId.is_in(ids.collect::<Vec<_>>()))
        .order_by_asc(special_order_step::Column::Id)
        .all(db)
        .await?
    {
        steps.entry(step.special_order_id).or_default().push(step);
    }
    Ok(steps)
}

pub async fn history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<Vec<special_order_step::Model>> {
    let order = get(db, actor, id).await?;
    Ok(special_order_step::Entity::find()
        .filter(special_order_step::Column::TenantId.eq(order.tenant_id))
        .filter(special_order_step::Column::SpecialOrderId.eq(order.id))
        .order_by_asc(special_order_step::Column::Id)
        .all(db)
        .await?)
}
