//! Customer care (回访 / 关怀) and listening to customers. Care plans (`plans`) generate tasks
//! (`generate`) from events and dates; each user works their inbox (`tasks`); messages go
//! through the outbox (`outbox`) in the words of the store's templates (`templates`), within the
//! store's settings (`policy`). Surveys (`surveys`) and complaints (`complaints`, tables in
//! `feedback`) hear the customer. The rules (schedules, quiet hours, retries, scores, SLAs)
//! live in `fours_domain::care`; every change here is one transaction with its audit row.

pub mod complaints;
pub mod consent;
pub mod entities;
pub mod feedback;
pub mod generate;
pub mod outbox;
pub mod plans;
pub mod policy;
pub mod reports;
pub mod surveys;
pub mod tasks;
pub mod templates;

use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::org::{self, Actor};

/// The store a care setting or list is for: the caller's own, or for group users the one
/// named, which must be a store of the caller's group.
pub async fn care_store(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    given: Option<Uuid>,
) -> StoreResult<Uuid> {
    let store_id = crate::sales::store_of(actor, given)?;
    org::find_store(db, actor.tenant_id, store_id)
        .await
        .map_err(|_| StoreError::invalid("store_id", "reference.not_found"))?;
    Ok(store_id)
}
