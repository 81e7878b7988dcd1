//! The workshop's people: each technician's team, skills and whether they lead the team, so
//! that the supervisor dispatches by skill and the board shows teams.

use fours_domain::access::Role;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::entities::workshop_staff;
use super::setup;
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::{audit_record, text};

pub const SKILLS: [&str; 6] = [
    "mechanical",
    "electrical",
    "body",
    "paint",
    "diagnosis",
    "ev",
];

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    pub team: String,
    /// Among `mechanical`, `electrical`, `body`, `paint`, `diagnosis`, `ev`.
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub team_leader: bool,
}

/// A technician of the store with their team and skills (empty when not yet set).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Technician {
    pub user_id: Uuid,
    pub display_name: String,
    pub team: String,
    pub skills: Vec<String>,
    pub team_leader: bool,
}

async fn row(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> StoreResult<Option<workshop_staff::Model>> {
    Ok(workshop_staff::Entity::find()
        .filter(workshop_staff::Column::TenantId.eq(tenant_id))
        .filter(workshop_staff::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// Sets a technician's team and skills.
pub async fn set(
    db: &Database,
    actor: &Actor,
    user_id: Uuid,
    input: &StaffInput,
) -> StoreResult<Technician> {
    let team =
        text(&Some(input.team.clone())).ok_or_else(|| StoreError::invalid("team", "required"))?;
    if input.skills.iter().any(|s| !SKILLS.contains(&s.as_str())) {
        return Err(StoreError::invalid("skills", "choice.invalid"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    // The technician's own store; a store's supervisor sees only theirs.
    let user = crate::org::find_user(&txn, actor.tenant_id, user_id)
        .await
        .ok()
        .filter(|u| u.role == Role::Technician.as_str() && u.active)
        .ok_or(StoreError::NotFound)?;
    let store_id = user.store_id.ok_or(StoreError::NotFound)?;
    if crate::sales::store_of(actor, Some(store_id)).is_err() {
        return Err(StoreError::NotFound);
    }
    let skills = json!(input.skills);
    match row(&txn, actor.tenant_id, user_id).await? {
        Some(found) => {
            let mut model: workshop_staff::ActiveModel = found.into();
            model.team = Set(team.clone());
            model.skills = Set(skills);
            model.team_leader = Set(input.team_leader);
            model.update(&txn).await?;
        }
        None => {
            workshop_staff::ActiveModel {
                tenant_id: Set(actor.tenant_id),
                id: Set(Uuid::now_v7()),
                store_id: Set(store_id),
                user_id: Set(user_id),
                team: Set(team.clone()),
                skills: Set(skills),
                team_leader: Set(input.team_leader),
            }
            .insert(&txn)
            .await?;
        }
    }
    audit_record(
        &txn,
        actor,
        "update",
        "workshop_staff",
        user_id,
        &json!({"team": team, "skills": input.skills}),
    )
    .await?;
    txn.commit().await?;
    Ok(Technician {
        user_id,
        display_name: user.display_name,
        team,
        skills: input.skills.clone(),
        team_leader: input.team_leader,
    })
}

/// The store's technicians with their teams and skills, by team then name.
pub async fn technicians(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
) -> StoreResult<Vec<Technician>> {
    let people = setup::staff(db, tenant_id, store_id, Role::Technician).await?;
    let rows = workshop_staff::Entity::find()
        .filter(workshop_staff::Column::TenantId.eq(tenant_id))
        .filter(workshop_staff::Column::StoreId.eq(store_id))
        .all(db)
        .await?;
    let mut found: Vec<Technician> = people
        .into_iter()
        .map(|user| {
            let mine = rows.iter().find(|r| r.user_id == user.id);
            Technician {
                user_id: user.id,
                display_name: user.display_name,
                team: mine.map(|r| r.team.clone()).unwrap_or_default(),
                skills: mine
                    .and_then(|r| serde_json::from_value(r.skills.clone()).ok())
                    .unwrap_or_default(),
                team_leader: mine.is_some_and(|r| r.team_leader),
            }
        })
        .collect();
    found.sort_by(|a, b| (&a.team, &a.display_name).cmp(&(&b.team, &b.display_name)));
    Ok(found)
}

/// A technician's team, for the order they are dispatched to.
pub(crate) async fn team_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> StoreResult<Option<String>> {
    Ok(row(db, tenant_id, user_id).await?.map(|r| r.team))
}
