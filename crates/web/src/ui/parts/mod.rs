//! Parts screens: the catalogue with its price-list import, bins and settings, a part's page
//! (stock per store, movements, placement, adjustment, transfer); the parts counter (scan a
//! repair order, issue its lines against the technician's signature, take returns); special
//! orders for customers (the parts manager's list and the advisor team's); supplier orders
//! from the day's suggestion and their receipts; stock-takes; and the parts report. Every
//! change calls the same store operation as the API.

mod catalogue;
mod counter;
mod part;
mod report;
mod special;
mod supplier;
mod takes;

use std::collections::HashMap;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use fours_domain::parts::{format_quantity, parse_quantity};
use fours_store::StoreError;
use fours_store::error::FieldError;
use fours_store::org::{self, Actor};
use uuid::Uuid;

use super::forms::{self, StorePick, filled};
use super::sales::{Values, message};
use super::{Page, error_page};
use crate::AppState;

pub(super) use special::{PanelFor, SpecialPanel, special_panel};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(catalogue::routes())
        .merge(part::routes())
        .merge(counter::routes())
        .merge(special::routes())
        .merge(supplier::routes())
        .merge(takes::routes())
        .merge(report::routes())
}

/// Hundredths as the counter reads them: "2", "4.5".
fn qty(hundredths: i64) -> String {
    format_quantity(hundredths)
}

/// A quantity typed as a decimal ("1", "4.5") in hundredths; a bad entry is a field error.
fn typed_quantity(
    values: &Values,
    name: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let raw = filled(values, name)?;
    match parse_quantity(&raw) {
        Ok(hundredths) => Some(hundredths),
        Err(invalid) => {
            errors.push(FieldError {
                field: name,
                code: invalid.0,
            });
            None
        }
    }
}

/// A quantity that may be negative ("-2" lost, "3" found).
fn signed_quantity(
    values: &Values,
    name: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let raw = filled(values, name)?;
    let (sign, digits) = match raw.strip_prefix(['-', '−']) {
        Some(rest) => (-1, rest.trim().to_owned()),
        None => (1, raw.trim_start_matches('+').to_owned()),
    };
    match parse_quantity(&digits) {
        Ok(hundredths) => Some(sign * hundredths),
        Err(invalid) => {
            errors.push(FieldError {
                field: name,
                code: invalid.0,
            });
            None
        }
    }
}

/// `?store_id=` of a parts page, for group users choosing a store.
#[derive(serde::Deserialize)]
struct StoreQuery {
    store_id: Option<Uuid>,
}

/// The store a parts page works in ([`forms::store_pick`]); when the stores cannot be read, the
/// user's own and no choice.
async fn store_pick(state: &AppState, actor: &Actor, asked: Option<Uuid>) -> StorePick {
    forms::store_pick(state, actor, asked)
        .await
        .unwrap_or(StorePick {
            current: actor.store_id,
            choices: Vec::new(),
        })
}

/// Everyone of the tenant by id, for "who did it" columns.
async fn people(state: &AppState, actor: &Actor) -> HashMap<Uuid, String> {
    org::list_users(&state.db.conn, actor.tenant_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect()
}

fn name_in(people: &HashMap<Uuid, String>, id: Option<Uuid>) -> String {
    id.and_then(|id| people.get(&id).cloned())
        .unwrap_or_default()
}

/// A path to go back to after a form: only this site's own pages.
fn local_path(values: &Values, name: &str) -> Option<String> {
    filled(values, name).filter(|p| p.starts_with('/') && !p.starts_with("//"))
}

/// A failed change in the user's language when a page can show it: the first field error, or
/// the record that already exists.
fn explain(page: &Page, error: &StoreError) -> Option<String> {
    match error {
        StoreError::Duplicate { field, .. } => {
            let label = page.t(&format!("field.{field}"));
            Some(rust_i18n::t!("error.duplicate", locale = page.lang(), field = label).into_owned())
        }
        other => message(page, other),
    }
}

/// Where a form's change leads (as the service screens' `answer_form`): to `done`'s page on
/// success, back to the form's page with the reason when it can be shown (`again`), else to
/// the error page.
async fn answer<T>(
    page: Page,
    outcome: Result<T, StoreError>,
    done: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(Page, String) -> Response,
) -> Response {
    match outcome {
        Ok(value) => Redirect::to(&done(value)).into_response(),
        Err(error) => match explain(&page, &error) {
            Some(text) => again(page, text).await,
            None => error_page(&page, error.into()),
        },
    }
}
