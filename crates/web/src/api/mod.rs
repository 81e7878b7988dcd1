//! The JSON API under `/api/v1`, documented by the OpenAPI document at `/api/openapi.json`
//! (generated from these handlers) and browsable at `/api/docs`.

mod audit;
mod auth;
pub mod care;
pub mod customers;
mod docs;
mod exports;
pub mod imports;
pub mod parts;
pub mod privacy;
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
        .merge(care::routes())
        .merge(customers::routes())
        .merge(imports::routes())
        .merge(exports::routes())
        .merge(parts::routes())
        .merge(privacy::routes())
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

/// A report's period from store days: `from` (default the first of this month) to `to`
/// (default today), included, as UTC instants from `from`'s midnight to the midnight after `to`
/// in the caller's store zone.
pub async fn report_period(
    state: &AppState,
    actor: &fours_store::org::Actor,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<fours_store::sales::reports::Period, ApiError> {
    Ok(report_days(state, actor, from, to).await?.0)
}

/// [`report_period`] with the store days it spans.
pub async fn report_days(
    state: &AppState,
    actor: &fours_store::org::Actor,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<
    (
        fours_store::sales::reports::Period,
        fours_store::sales::reports::ReportDays,
    ),
    ApiError,
> {
    use chrono::{Datelike, Utc};
    let zone = fours_store::org::store_zone(&state.db.conn, actor.tenant_id, actor.store_id).await;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let from = from.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = to.unwrap_or(today);
    if to < from {
        return Err(fours_store::StoreError::invalid("to", "report.period").into());
    }
    let instant = |day: chrono::NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    };
    let period = fours_store::sales::reports::Period {
        from: instant(from),
        to: instant(to + chrono::Duration::days(1)),
    };
    let days = fours_store::sales::reports::ReportDays {
        first: from,
        last: to,
    };
    Ok((period, days))
}
