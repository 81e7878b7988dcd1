//! The parts department: the catalogue, bins and per-store settings (`catalogue`), stock and
//! its movements (`stock`), stock-takes (`takes`), supplier orders and replenishment
//! (`supplier`), special orders for customers (`special`) and the analysis (`reports`). The
//! rules (moving-average cost, reorder levels, ABC, ageing, the special order's steps) live in
//! `fours_domain::parts`; every change here is one transaction with its audit row.

pub mod catalogue;
pub mod entities;
pub mod reports;
pub mod special;
pub mod stock;
pub mod supplier;
pub mod takes;

use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::org::{self, Actor};

/// A human number from the store's sequence `name`: `A1-PO-000001`.
pub(crate) async fn store_number(
    txn: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    store_id: Uuid,
    name: &str,
    tag: &str,
) -> StoreResult<String> {
    let number = crate::sales::orders::next_number(txn, tenant_id, store_id, name).await?;
    let store = org::find_store(txn, tenant_id, store_id).await?;
    Ok(format!("{}-{tag}-{number:06}", store.code))
}

/// A positive quantity in hundredths (at most a million units).
pub fn positive_quantity(field: &'static str, hundredths: i64) -> StoreResult<i64> {
    if hundredths <= 0 || hundredths > 100_000_000 {
        return Err(StoreError::invalid(field, "quantity.positive"));
    }
    Ok(hundredths)
}

/// The store a parts change happens in: the caller's own, or (for group users) the one named.
pub(crate) fn parts_store(actor: &Actor, given: Option<Uuid>) -> StoreResult<Uuid> {
    crate::sales::store_of(actor, given)
}
