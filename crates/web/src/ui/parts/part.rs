//! A part's page: its stock in each store the user sees, its movements in this store, and the
//! placement (bin, min/max), adjustment and transfer forms.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::money::format_fen;
use fours_domain::parts::AdjustmentReason;
use fours_store::StoreError;
use fours_store::org::{self, Actor};
use fours_store::parts::catalogue;
use fours_store::parts::entities::part;
use fours_store::parts::stock::{
    self, AdjustmentInput, MovementFilter, PlacementInput, TransferInput,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    StorePick, StoreQuery, answer, name_in, people, qty, signed_quantity, store_pick,
    typed_quantity,
};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::forms::filled;
use crate::ui::sales::{Values, fen, page_requiring, unless_invalid, uuid_field};
use crate::ui::{Page, error_page, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/parts/{id}", get(part_page))
        .route("/parts/{id}/placement", post(place))
        .route("/parts/{id}/adjustment", post(adjust))
        .route("/parts/{id}/transfer", post(transfer))
}

pub struct StoreStock {
    pub store: String,
    pub on_hand: String,
    pub reserved: String,
    pub available: String,
    pub bin: String,
    pub levels: String,
    pub average_cost: String,
    pub value: String,
}

pub struct Placement {
    pub bin: String,
    pub min: String,
    pub max: String,
}

pub struct MovementRow {
    pub at: String,
    pub kind: String,
    pub kind_label: String,
    pub quantity: String,
    pub on_hand_after: String,
    pub unit_cost: String,
    pub by: String,
    pub technician: String,
    pub reason: String,
    pub repair_order_id: Option<Uuid>,
    pub supplier_order_id: Option<Uuid>,
    pub signed: bool,
}

#[derive(Template)]
#[template(path = "parts_part.html")]
struct PartTemplate {
    page: Page,
    stores: StorePick,
    part: part::Model,
    retail: String,
    cost: String,
    stock: Vec<StoreStock>,
    /// This store's placement, for the form.
    placement: Placement,
    movements: Vec<MovementRow>,
    reasons: Vec<(String, String)>,
    other_stores: Vec<(String, String)>,
    bins: Vec<String>,
    can_manage: bool,
    error: Option<String>,
}

async fn part_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Query(query): Query<StoreQuery>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => part_view(&state, page, &actor, id, query.store_id, None).await,
        Err(denied) => denied,
    }
}

async fn part_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    id: Uuid,
    store_id: Option<Uuid>,
    error: Option<String>,
) -> Response {
    let db = &state.db.conn;
    let found = match catalogue::get(db, actor, id).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let stores = store_pick(state, actor, store_id).await;
    let store_names: HashMap<Uuid, String> = org::list_stores(db, actor.tenant_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.id, format!("{} {}", s.code, s.name)))
        .collect();
    let everywhere = stock::everywhere(db, actor, id).await.unwrap_or_default();
    let here = everywhere
        .iter()
        .find(|s| Some(s.store_id) == stores.current);
    let placement = Placement {
        bin: here.and_then(|s| s.bin_code.clone()).unwrap_or_default(),
        min: here.and_then(|s| s.min_level).map(qty).unwrap_or_default(),
        max: here.and_then(|s| s.max_level).map(qty).unwrap_or_default(),
    };
    let people = people(state, actor).await;
    let movements = match stores.current {
        Some(store) => {
            let filter = MovementFilter {
                store_id: Some(store),
                part_id: Some(id),
                limit: Some(100),
                ..Default::default()
            };
            stock::movements(db, actor, &filter)
                .await
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    let bins = match stores.current {
        Some(store) => catalogue::bins(db, actor, Some(store))
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|b| b.code)
            .collect(),
        None => Vec::new(),
    };
    render(&PartTemplate {
        retail: format_fen(found.retail_price_fen),
        cost: format_fen(found.cost_price_fen),
        stock: everywhere
            .iter()
            .map(|s| StoreStock {
                store: store_names.get(&s.store_id).cloned().unwrap_or_default(),
                on_hand: qty(s.on_hand),
                reserved: qty(s.reserved),
                available: qty(s.available),
                bin: s.bin_code.clone().unwrap_or_default(),
                levels: match (s.min_level, s.max_level) {
                    (None, None) => page.t("parts.levels_from_demand"),
                    (min, max) => format!(
                        "{} / {}",
                        min.map(qty).unwrap_or_default(),
                        max.map(qty).unwrap_or_default()
                    ),
                },
                average_cost: format_fen(s.average_cost_fen),
                value: format_fen(s.value_fen),
            })
            .collect(),
        placement,
        movements: movements
            .into_iter()
            .map(|m| MovementRow {
                at: page.local_time(m.at),
                kind_label: page.t(&format!("parts.movement.{}", m.kind)),
                quantity: if m.quantity > 0 {
                    format!("+{}", qty(m.quantity))
                } else {
                    qty(m.quantity)
                },
                on_hand_after: qty(m.on_hand_after),
                unit_cost: format_fen(m.unit_cost_fen),
                by: name_in(&people, m.by_user),
                technician: name_in(&people, m.technician_id),
                reason: [
                    m.other_store_id
                        .and_then(|store| store_names.get(&store))
                        .map(|name| format!("{} {name}", if m.quantity < 0 { "→" } else { "←" }))
                        .unwrap_or_default(),
                    m.reason
                        .as_deref()
                        .map(|r| reason_text(&page, r))
                        .unwrap_or_default(),
                ]
                .join(" ")
                .trim()
                .to_owned(),
                repair_order_id: m.repair_order_id,
                supplier_order_id: m.supplier_order_id,
                signed: m.signature_png.is_some(),
                kind: m.kind,
            })
            .collect(),
        reasons: AdjustmentReason::ALL
            .iter()
            .filter(|r| **r != AdjustmentReason::ReturnedToSupplier)
            .map(|r| {
                (
                    r.as_str().to_owned(),
                    page.t(&format!("parts.reason.{}", r.as_str())),
                )
            })
            .collect(),
        other_stores: store_names
            .iter()
            .filter(|(store, _)| Some(**store) != stores.current)
            .map(|(store, name)| (store.to_string(), name.clone()))
            .collect(),
        bins,
        can_manage: page.can(Permission::PartsManage),
        part: found,
        stores,
        error,
        page,
    })
}

/// A movement's reason as stored (`damaged: 跌落`, `returned_to_supplier`), in words.
fn reason_text(page: &Page, stored: &str) -> String {
    let (code, note) = stored.split_once(": ").unwrap_or((stored, ""));
    match AdjustmentReason::parse(code) {
        Some(reason) => {
            let label = page.t(&format!("parts.reason.{}", reason.as_str()));
            if note.is_empty() {
                label
            } else {
                format!("{label}：{note}")
            }
        }
        None => stored.to_owned(),
    }
}

fn part_path(id: Uuid, values: &Values) -> String {
    match filled(values, "store_id") {
        Some(store) => format!("/parts/{id}?store_id={}", urlencode(&store)),
        None => format!("/parts/{id}"),
    }
}

/// A reorder level typed as a decimal; 0 is a level too.
fn level(
    values: &Values,
    name: &'static str,
    errors: &mut Vec<fours_store::error::FieldError>,
) -> Option<i64> {
    let raw = filled(values, name)?;
    match fours_domain::parts::parse_quantity(&raw) {
        Ok(hundredths) => Some(hundredths),
        Err(invalid) if invalid.0 == "quantity.positive" => Some(0),
        Err(invalid) => {
            errors.push(fours_store::error::FieldError {
                field: name,
                code: invalid.0,
            });
            None
        }
    }
}

async fn place(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let input = PlacementInput {
        store_id: uuid_field(&values, "store_id"),
        bin_code: filled(&values, "bin_code"),
        min_level: level(&values, "min_level", &mut errors),
        max_level: level(&values, "max_level", &mut errors),
    };
    let outcome = unless_invalid(errors, stock::place(&state.db, &actor, id, &input)).await;
    let store_id = input.store_id;
    answer(
        page,
        outcome,
        |_| part_path(id, &values),
        async |page, text| part_view(&state, page, &actor, id, store_id, Some(text)).await,
    )
    .await
}

async fn adjust(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let input = AdjustmentInput {
        store_id: uuid_field(&values, "store_id"),
        part_id: id,
        quantity: signed_quantity(&values, "quantity", &mut errors).unwrap_or(0),
        reason: filled(&values, "reason").unwrap_or_default(),
        unit_cost_fen: fen(&values, "unit_cost_fen", &mut errors),
        note: filled(&values, "note"),
    };
    if input.quantity == 0 && errors.is_empty() {
        errors.push(fours_store::error::FieldError {
            field: "quantity",
            code: "required",
        });
    }
    let outcome = unless_invalid(errors, stock::adjust(&state.db, &actor, &input)).await;
    let store_id = input.store_id;
    answer(
        page,
        outcome,
        |_| part_path(id, &values),
        async |page, text| part_view(&state, page, &actor, id, store_id, Some(text)).await,
    )
    .await
}

async fn transfer(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let quantity = typed_quantity(&values, "quantity", &mut errors);
    let store_id = uuid_field(&values, "store_id");
    let change = async {
        let to_store_id = uuid_field(&values, "to_store_id")
            .ok_or_else(|| StoreError::invalid("to_store_id", "required"))?;
        let input = TransferInput {
            store_id,
            to_store_id,
            part_id: id,
            quantity: quantity.unwrap_or(0),
            note: filled(&values, "note"),
        };
        stock::transfer(&state.db, &actor, &input).await
    };
    let outcome = unless_invalid(errors, change).await;
    answer(
        page,
        outcome,
        |_| part_path(id, &values),
        async |page, text| part_view(&state, page, &actor, id, store_id, Some(text)).await,
    )
    .await
}
