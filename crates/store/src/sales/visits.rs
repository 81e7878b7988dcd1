//! Showroom traffic (集客): every visit and inbound call, who is in the showroom now, and the
//! lead a visit turns into when the visitor leaves a phone number (留档).

use chrono::{DateTime, Utc};
use fours_domain::customers::mobile::normalize_mobile;
use fours_domain::sales::Channel;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use uuid::Uuid;

use super::entities::{lead, showroom_visit};
use super::funnel_days;
use super::leads::{self, LeadInput};
use super::{check_consultant, first_model, joined, scoped, store_of, text};
use crate::Database;
use crate::audit::{self, AuditEntry};
use crate::customers;
use crate::error::StoreResult;
use crate::error::{FieldError, StoreError};
use crate::org::Actor;

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct VisitInput {
    /// `walk_in`, `phone`, `online`, `event` or `referral`.
    pub channel: Option<String>,
    /// Defaults to now.
    pub arrived_at: Option<DateTime<Utc>>,
    /// Defaults to 1.
    pub party_size: Option<i32>,
    /// Defaults to whether the archive already knows the visitor.
    pub first_visit: Option<bool>,
    pub models_of_interest: Option<Vec<String>>,
    /// The consultant the visitor is handed to.
    pub consultant_id: Option<Uuid>,
    /// What the visitor gave: with a mobile the visit becomes a lead (or joins the open one).
    pub name: Option<String>,
    pub mobile: Option<String>,
    /// How to recognise an anonymous visitor later ("couple with child, white SUV").
    pub notes: Option<String>,
    pub store_id: Option<Uuid>,
}

fn visible(actor: &Actor) -> sea_orm::Condition {
    scoped(
        actor,
        showroom_visit::Column::TenantId,
        showroom_visit::Column::StoreId,
        showroom_visit::Column::ConsultantId,
    )
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<showroom_visit::Model> {
    showroom_visit::Entity::find()
        .filter(visible(actor))
        .filter(showroom_visit::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Logs a visit or call. With a mobile and a consultant, the visitor's open lead at this store
/// is found or a new one created, all in one transaction.
pub async fn log(
    db: &Database,
    actor: &Actor,
    input: &VisitInput,
) -> StoreResult<showroom_visit::Model> {
    let now = Utc::now();
    let mut errors = Vec::new();
    let channel = match input.channel.as_deref().map(Channel::parse) {
        Some(Some(channel)) => channel,
        Some(None) => {
            errors.push(FieldError {
                field: "channel",
                code: "choice.invalid",
            });
            Channel::WalkIn
        }
        None => Channel::WalkIn,
    };
    let party_size = input.party_size.unwrap_or(1);
    if !(1..=50).contains(&party_size) {
        errors.push(FieldError {
            field: "party_size",
            code: "number.out_of_range",
        });
    }
    let arrived_at = input.arrived_at.unwrap_or(now);
    if arrived_at > now + chrono::Duration::minutes(5) {
        errors.push(FieldError {
            field: "arrived_at",
            code: "date.future",
        });
    }
    let mobile = match text(&input.mobile).map(|m| normalize_mobile(&m)) {
        Some(Ok(mobile)) => Some(mobile),
        Some(Err(invalid)) => {
            errors.push(FieldError {
                field: "mobile",
                code: invalid.0,
            });
            None
        }
        None => None,
    };
    if mobile.is_some() && input.consultant_id.is_none() {
        errors.push(FieldError {
            field: "consultant_id",
            code: "visit.consultant_for_lead",
        });
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let store_id = store_of(actor, input.store_id)?;
    let txn = crate::db::begin_write(&db.conn).await?;
    if let Some(consultant_id) = input.consultant_id {
        check_consultant(&txn, actor, consultant_id).await?;
    }
    let known = match &mobile {
        Some(mobile) => customers::find_by_mobile(&txn, actor.tenant_id, mobile).await?,
        None => None,
    };
    let id = Uuid::now_v7();
    let models = joined(&input.models_of_interest);
    let visit = showroom_visit::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(id),
        store_id: Set(store_id),
        channel: Set(channel.as_str().to_owned()),
        arrived_at: Set(arrived_at),
        left_at: Set(None),
        party_size: Set(party_size),
        first_visit: Set(input.first_visit.unwrap_or(known.is_none())),
        first_model: Set(first_model(&models)),
        models_of_interest: Set(models),
        consultant_id: Set(input.consultant_id),
        customer_id: Set(known.as_ref().map(|c| c.id)),
        lead_id: Set(None),
        visitor: Set(text(&input.name)),
        notes: Set(text(&input.notes)),
        created_by: Set(actor.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let visit = match (&mobile, input.consultant_id) {
        (Some(_), Some(consultant_id)) => {
            let open = match &known {
                Some(customer) => open_lead(&txn, actor, customer.id, store_id).await?,
                None => None,
            };
            match open {
                Some(lead) => attach(&txn, visit, &lead).await?,
                None => {
                    let lead_input = LeadInput {
                        customer_id: known.as_ref().map(|c| c.id),
                        name: text(&input.name),
                        mobile: mobile.clone(),
                        consultant_id: Some(consultant_id),
                        store_id: Some(store_id),
                        source: Some(channel.as_str().to_owned()),
                        models_of_interest: input.models_of_interest.clone(),
                        visit_id: Some(id),
                        ..Default::default()
                    };
                    leads::create_in(&txn, db, actor, &lead_input).await?;
                    get(&txn, actor, id).await?
                }
            }
        }
        _ => visit,
    };
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "create",
            entity: "showroom_visit",
            entity_id: Some(id),
            before: None,
            after: serde_json::to_value(&visit).ok(),
        },
    )
    .await?;
    funnel_days::recount(&txn, actor.tenant_id, [(store_id, arrived_at)]).await?;
    txn.commit().await?;
    Ok(visit)
}

/// The customer's open lead at this store, if they have one (a repeat visit joins it).
async fn open_lead(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Option<lead::Model>> {
    Ok(lead::Entity::find()
        .filter(lead::Column::TenantId.eq(actor.tenant_id))
        .filter(lead::Column::CustomerId.eq(customer_id))
        .filter(lead::Column::StoreId.eq(store_id))
        .filter(lead::Column::ClosedAt.is_null())
        .order_by_desc(lead::Column::Id)
        .one(db)
        .await?)
}

async fn attach(
    db: &impl ConnectionTrait,
    visit: showroom_visit::Model,
    lead: &lead::Model,
) -> StoreResult<showroom_visit::Model> {
    let mut model: showroom_visit::ActiveModel = visit.into();
    model.lead_id = Set(Some(lead.id));
    model.customer_id = Set(Some(lead.customer_id));
    Ok(model.update(db).await?)
}

/// The visitor left: the visit's duration is now known.
pub async fn depart(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    left_at: Option<DateTime<Utc>>,
) -> StoreResult<showroom_visit::Model> {
    let current = get(&db.conn, actor, id).await?;
    let left_at = left_at.unwrap_or_else(Utc::now);
    if left_at < current.arrived_at {
        return Err(StoreError::invalid("left_at", "visit.left_before_arrival"));
    }
    if current.left_at.is_some() {
        return Err(StoreError::invalid("left_at", "visit.already_left"));
    }
    let mut model: showroom_visit::ActiveModel = current.into();
    model.left_at = Set(Some(left_at));
    Ok(model.update(&db.conn).await?)
}

/// Links an anonymous visit to the customer it turned out to be.
pub async fn link_customer(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    customer_id: Uuid,
) -> StoreResult<showroom_visit::Model> {
    let current = get(&db.conn, actor, id).await?;
    let customer = customers::get(&db.conn, actor, customer_id)
        .await
        .map_err(|_| StoreError::invalid("customer_id", "reference.not_found"))?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut model: showroom_visit::ActiveModel = current.clone().into();
    model.customer_id = Set(Some(customer.id));
    if let Some(lead) = open_lead(&txn, actor, customer.id, current.store_id).await? {
        model.lead_id = Set(Some(lead.id));
    }
    let linked = model.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "update",
            entity: "showroom_visit",
            entity_id: Some(id),
            before: serde_json::to_value(&current).ok(),
            after: serde_json::to_value(&linked).ok(),
        },
    )
    .await?;
    let day = (linked.store_id, linked.arrived_at);
    funnel_days::recount(&txn, actor.tenant_id, [day]).await?;
    txn.commit().await?;
    Ok(linked)
}

/// Visits that arrived from `since` on (a day's traffic), newest first.
pub async fn since(
    db: &impl ConnectionTrait,
    actor: &Actor,
    since: DateTime<Utc>,
) -> StoreResult<Vec<showroom_visit::Model>> {
    Ok(showroom_visit::Entity::find()
        .filter(visible(actor))
        .filter(showroom_visit::Column::ArrivedAt.gte(since))
        .order_by_desc(showroom_visit::Column::ArrivedAt)
        .all(db)
        .await?)
}

/// Who is in the showroom now: visits of the last 12 hours without a departure.
pub async fn in_showroom(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> StoreResult<Vec<showroom_visit::Model>> {
    Ok(showroom_visit::Entity::find()
        .filter(visible(actor))
        .filter(showroom_visit::Column::LeftAt.is_null())
        .filter(showroom_visit::Column::ArrivedAt.gte(now - chrono::Duration::hours(12)))
        .order_by_asc(showroom_visit::Column::ArrivedAt)
        .all(db)
        .await?)
}
