//! The sales API: showroom traffic (`/showroom-visits`), leads with their follow-ups, steps,
//! reassignment and defeats (`/leads`), test drives, quotes, stock, orders and deliveries, and
//! the store's sales settings (`/sales-policy`).

pub mod deals;
pub mod leads;
pub mod reports;
pub mod visits;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(deals::routes())
        .merge(leads::routes())
        .merge(reports::routes())
        .merge(visits::routes())
}

/// Comma-separated models of interest as the list the API shows.
pub(crate) fn models(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect()
}
