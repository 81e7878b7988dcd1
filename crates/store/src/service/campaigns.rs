//! Recalls and service campaigns (召回/服务活动): the maker's list of VINs; reception shows
//! the ones a car still has open, and the advisor records one done on the order.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::{campaign_completion, service_campaign};
use super::orders;
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::audit_record;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// The maker's code, unique in the group.
    pub code: String,
    pub title: String,
    /// `recall` or `campaign`.
    pub kind: String,
    pub vins: Vec<String>,
    pub ends_on: NaiveDate,
}

pub async fn create(
    db: &Database,
    actor: &Actor,
    input: &CampaignInput,
) -> StoreResult<service_campaign::Model> {
    let code = input.code.trim().to_owned();
    if code.is_empty() {
        return Err(StoreError::invalid("code", "required"));
    }
    if input.title.trim().is_empty() {
        return Err(StoreError::invalid("title", "required"));
    }
    if !["recall", "campaign"].contains(&input.kind.as_str()) {
        return Err(StoreError::invalid("kind", "choice.invalid"));
    }
    let vins: Vec<String> = input
        .vins
        .iter()
        .map(|v| v.trim().to_ascii_uppercase())
        .filter(|v| v.len() == 17)
        .collect();
    if vins.is_empty() {
        return Err(StoreError::invalid("vins", "required"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let taken = service_campaign::Entity::find()
        .filter(service_campaign::Column::TenantId.eq(actor.tenant_id))
        .filter(service_campaign::Column::Code.eq(&code))
        .one(&txn)
        .await?;
    if let Some(existing) = taken {
        return Err(StoreError::Duplicate {
            entity: "service_campaign",
            field: "code",
            existing_id: existing.id,
        });
    }
    let created = service_campaign::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        code: Set(code),
        title: Set(input.title.trim().to_owned()),
        kind: Set(input.kind.clone()),
        vins: Set(serde_json::json!(vins)),
        ends_on: Set(input.ends_on),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit_record(
        &txn,
        actor,
        "create",
        "service_campaign",
        created.id,
        &created,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> StoreResult<Vec<service_campaign::Model>> {
    Ok(service_campaign::Entity::find()
        .filter(service_campaign::Column::TenantId.eq(actor.tenant_id))
        .order_by_desc(service_campaign::Column::CreatedAt)
        .all(db)
        .await?)
}

/// A campaign a car still has to have done.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenCampaign {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: String,
}

/// The campaigns running on `today` that list the car's VIN and were not done on it.
pub async fn open_for(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    vehicle_id: Uuid,
    vin: &str,
    today: NaiveDate,
) -> StoreResult<Vec<OpenCampaign>> {
    let running = service_campaign::Entity::find()
        .filter(service_campaign::Column::TenantId.eq(tenant_id))
        .filter(service_campaign::Column::EndsOn.gte(today))
        .all(db)
        .await?;
    let done: Vec<Uuid> = campaign_completion::Entity::find()
        .filter(campaign_completion::Column::TenantId.eq(tenant_id))
        .filter(campaign_completion::Column::VehicleId.eq(vehicle_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.campaign_id)
        .collect();
    Ok(running
        .into_iter()
        .filter(|c| !done.contains(&c.id))
        .filter(|c| {
            c.vins
                .as_array()
                .is_some_and(|vins| vins.iter().any(|v| v.as_str() == Some(vin)))
        })
        .map(|c| OpenCampaign {
            id: c.id,
            code: c.code,
            title: c.title,
            kind: c.kind,
        })
        .collect())
}

/// Records a campaign done on the order's car.
pub async fn complete(
    db: &Database,
    actor: &Actor,
    order_id: Uuid,
    campaign_id: Uuid,
) -> StoreResult<campaign_completion::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let order = orders::get(&txn, actor, order_id).await?;
    let car =
        crate::vehicles::entities::vehicle::Entity::find_by_id((actor.tenant_id, order.vehicle_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
    let today = Utc::now().date_naive();
    let open = open_for(&txn, actor.tenant_id, car.id, &car.vin, today).await?;
    if !open.iter().any(|c| c.id == campaign_id) {
        return Err(StoreError::invalid("campaign_id", "campaign.not_open"));
    }
    let done = campaign_completion::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        campaign_id: Set(campaign_id),
        vehicle_id: Set(car.id),
        order_id: Set(order.id),
        done_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    orders::note(
        &txn,
        Some(actor),
        &order,
        "campaign_done",
        None,
        Some(campaign_id.to_string()),
    )
    .await?;
    audit_record(
        &txn,
        actor,
        "complete",
        "service_campaign",
        campaign_id,
        &done,
    )
    .await?;
    txn.commit().await?;
    Ok(done)
}
