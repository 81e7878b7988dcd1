//! The service API: workshop set-up (`/service-policy`, `/labour-operations`, `/bays`),
//! appointments and the maintenance-due list, repair orders through their life cycle, and the
//! workshop board.

pub mod appointments;
pub mod claims;
pub mod orders;
pub mod people;
pub mod reports;
pub mod setup;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(appointments::routes())
        .merge(claims::routes())
        .merge(orders::routes())
        .merge(people::routes())
        .merge(reports::routes())
        .merge(setup::routes())
        .merge(orders::public_routes())
}
