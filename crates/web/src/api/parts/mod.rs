//! The parts API: the catalogue and its import, bins and settings (`catalogue`), stock and its
//! movements (`stock`), special and supplier orders (`orders`), stock-takes (`takes`) and the
//! parts reports (`reports`).

pub mod catalogue;
pub mod orders;
pub mod reports;
pub mod stock;
pub mod takes;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(catalogue::routes())
        .merge(orders::routes())
        .merge(reports::routes())
        .merge(stock::routes())
        .merge(takes::routes())
}
