//! The staff UI: server-rendered pages (askama) enhanced with htmx.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
