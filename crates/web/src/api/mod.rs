//! The JSON API under `/api/v1`, documented by the OpenAPI document at `/api/openapi.json`
//! (generated from these handlers) and browsable at `/api/docs`.

mod audit;
mod auth;
pub mod customers;
mod docs;
mod exports;
pub mod imports;
pub mod sales;
pub mod service;
pub mod vehicles;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;
use uuid::Uuid;

use crate::AppState;

pub use docs::ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(audit::routes())
        .merge(auth::routes())
        .merge(customers::routes())
        .merge(imports::routes())
        .merge(exports::routes())
        .merge(sales::routes())
        .merge(service::routes())
        .merge(vehicles::routes())
        .merge(docs::routes())
}

pub fn page_request(limit: Option<u64>, cursor: Option<Uuid>) -> fours_store::paging::PageRequest {
    fours_store::paging::PageRequest { limit, cursor }
}

/// JSON body whose rejection is an [`ApiError`] in the API's error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Path parameters whose rejection is an [`ApiError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Query parameters whose rejection is an [`ApiError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
