//! The customer page's PIPL buttons: download everything held about the customer, and erase
//! their personal data on request (the same store operations as the API).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_store::StoreError;
use fours_store::customers::privacy;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{error_page, page_for};
use crate::AppState;
use crate::api::privacy::personal_data_file;
use crate::auth::PageCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/personal-data", get(personal_data))
        .route("/customers/{id}/erasure", post(erasure))
}

async fn personal_data(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::PersonalDataExport) {
        return error_page(&page, ApiError::Forbidden);
    }
    match privacy::export(&state.db, &actor, id).await {
        Ok(document) => personal_data_file(id, &document),
        Err(error) => error_page(&page, error.into()),
    }
}

#[derive(Deserialize)]
struct ErasureForm {
    reason: String,
    /// The ticked box: the customer asked for it.
    confirm: Option<String>,
}

async fn erasure(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<ErasureForm>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::CustomerDelete) {
        return error_page(&page, ApiError::Forbidden);
    }
    if form.confirm.is_none() {
        return error_page(&page, StoreError::invalid("confirm", "required").into());
    }
    match privacy::erase(&state.db, &actor, id, &form.reason).await {
        Ok(_) => Redirect::to("/customers").into_response(),
        Err(error) => error_page(&page, error.into()),
    }
}
