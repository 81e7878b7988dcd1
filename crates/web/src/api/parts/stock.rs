//! Stock and its movements: what is on the shelf, and the counter's issues to repair orders
//! (signed by the technician), returns, adjustments and transfers between stores.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fours_domain::access::Permission;
use fours_store::parts::entities::stock_movement;
use fours_store::parts::stock::{
    self, AdjustmentInput, CounterLine, IssueInput, MovementFilter, ReturnInput, StockFilter,
    StockLine, TransferInput,
};
use uuid::Uuid;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/part-stock", get(list))
        .route("/api/v1/stock-movements", get(movements))
        .route("/api/v1/stock-movements/issues", post(issue))
        .route("/api/v1/stock-movements/returns", post(give_back))
        .route("/api/v1/stock-movements/adjustments", post(adjust))
        .route("/api/v1/stock-movements/transfers", post(transfer))
        .route("/api/v1/repair-orders/{id}/part-lines", get(part_lines))
}

#[utoipa::path(get, path = "/api/v1/part-stock", tag = "parts", security(("bearer" = [])), params(StockFilter),
    responses((status = 200, body = Vec<StockLine>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<StockFilter>,
) -> ApiResult<Json<Vec<StockLine>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    Ok(Json(stock::list(&state.db.conn, actor, &filter).await?))
}

/// Movements, newest first; `signature_png` is left out (the issue's answer carries it).
#[utoipa::path(get, path = "/api/v1/stock-movements", tag = "parts", security(("bearer" = [])), params(MovementFilter),
    responses((status = 200, body = Vec<stock_movement::Model>)))]
pub async fn movements(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<MovementFilter>,
) -> ApiResult<Json<Vec<stock_movement::Model>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let mut movements = stock::movements(&state.db.conn, actor, &filter).await?;
    // A technician's signature is evidence for the parts department, not a list column.
    for movement in &mut movements {
        movement.signature_png = None;
    }
    Ok(Json(movements))
}

/// Writes one movement and answers 201 with it.
macro_rules! movement_handler {
    ($(#[$doc:meta])* $name:ident, $input:ty, $op:path, $out:ty) => {
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            ApiJson(input): ApiJson<$input>,
        ) -> ApiResult<(StatusCode, Json<$out>)> {
            let actor = caller.require(Permission::PartsManage)?;
            Ok((StatusCode::CREATED, Json($op(&state.db, actor, &input).await?)))
        }
    };
}

movement_handler!(
    #[utoipa::path(post, path = "/api/v1/stock-movements/issues", tag = "parts", security(("bearer" = [])), request_body = IssueInput,
        responses((status = 201, body = stock_movement::Model), (status = 422, body = ErrorBody)))]
    issue,
    IssueInput,
    stock::issue,
    stock_movement::Model
);
movement_handler!(
    #[utoipa::path(post, path = "/api/v1/stock-movements/returns", tag = "parts", security(("bearer" = [])), request_body = ReturnInput,
        responses((status = 201, body = stock_movement::Model), (status = 422, body = ErrorBody)))]
    give_back,
    ReturnInput,
    stock::return_from_order,
    stock_movement::Model
);
movement_handler!(
    #[utoipa::path(post, path = "/api/v1/stock-movements/adjustments", tag = "parts", security(("bearer" = [])), request_body = AdjustmentInput,
        responses((status = 201, body = stock_movement::Model), (status = 422, body = ErrorBody)))]
    adjust,
    AdjustmentInput,
    stock::adjust,
    stock_movement::Model
);
movement_handler!(
    #[utoipa::path(post, path = "/api/v1/stock-movements/transfers", tag = "parts", security(("bearer" = [])), request_body = TransferInput,
        responses((status = 201, body = Vec<stock_movement::Model>), (status = 422, body = ErrorBody)))]
    transfer,
    TransferInput,
    stock::transfer,
    Vec<stock_movement::Model>
);

#[utoipa::path(get, path = "/api/v1/repair-orders/{id}/part-lines", tag = "parts", security(("bearer" = [])),
    responses((status = 200, body = Vec<CounterLine>), (status = 404, body = ErrorBody)))]
pub async fn part_lines(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<CounterLine>>> {
    let actor = caller.require(Permission::ServiceRead)?;
    let order = fours_store::service::orders::get(&state.db.conn, actor, id).await?;
    Ok(Json(
        stock::counter_lines(&state.db.conn, actor, &order).await?,
    ))
}
