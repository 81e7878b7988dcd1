//! The catalogue: search by part number or name, add a part, import the maker's price list
//! (CSV or XLSX), the store's bins and parts settings.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::money::format_fen;
use fours_store::org::Actor;
use fours_store::parts::catalogue::{self, BinInput, PartFilter, PartInput, PartsPolicy};
use fours_store::parts::stock;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{StorePick, answer, explain, qty, store_pick};
use crate::AppState;
use crate::api::imports::save_upload;
use crate::auth::PageCaller;
use crate::error::ApiError;
use crate::ui::forms::{filled, number};
use crate::ui::sales::{Values, fen, page_requiring, unless_invalid, uuid_field};
use crate::ui::{Page, error_page, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/parts", get(catalogue_page).post(add_part))
        .route(
            "/parts/import",
            post(import).layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/parts/bins", post(add_bin))
        .route("/parts/policy", post(save_policy))
}

#[derive(Deserialize)]
struct CatalogueQuery {
    q: Option<String>,
    store_id: Option<Uuid>,
}

pub struct PartRow {
    pub id: Uuid,
    pub part_number: String,
    pub name: String,
    pub brand: String,
    pub unit: String,
    pub retail: String,
    pub cost: String,
    pub on_hand: String,
    pub available: String,
    pub bin: String,
    pub superseded_by: String,
}

/// What a price-list import did.
pub struct Imported {
    pub created: u64,
    pub updated: u64,
    pub rejected_rows: u64,
    /// "Row 5: why", the first ones.
    pub rejects: Vec<String>,
}

#[derive(Template)]
#[template(path = "parts_catalogue.html")]
struct CatalogueTemplate {
    page: Page,
    stores: StorePick,
    q: String,
    parts: Vec<PartRow>,
    bins: Vec<(String, String)>,
    policy: PartsPolicy,
    can_manage: bool,
    error: Option<String>,
    imported: Option<Imported>,
}

async fn catalogue_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<CatalogueQuery>,
) -> Response {
    match page_requiring(&state, &session, &actor, Permission::ServiceRead).await {
        Ok(page) => {
            let view = CatalogueView {
                q: query.q.unwrap_or_default(),
                store_id: query.store_id,
                error: None,
                imported: None,
            };
            catalogue_view(&state, page, &actor, view).await
        }
        Err(denied) => denied,
    }
}

struct CatalogueView {
    q: String,
    store_id: Option<Uuid>,
    error: Option<String>,
    imported: Option<Imported>,
}

async fn catalogue_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    view: CatalogueView,
) -> Response {
    let db = &state.db.conn;
    let stores = store_pick(state, actor, view.store_id).await;
    let filter = PartFilter {
        q: Some(view.q.clone()).filter(|q| !q.trim().is_empty()),
        limit: Some(100),
    };
    let parts = catalogue::list(db, actor, &filter)
        .await
        .unwrap_or_default();
    let stock: HashMap<Uuid, stock::StockLine> = match stores.current {
        Some(store) => {
            let shown = parts.iter().map(|p| p.id).collect();
            stock::of_parts(db, actor, Some(store), shown)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|line| (line.part_id, line))
                .collect()
        }
        None => HashMap::new(),
    };
    let (bins, policy) = match stores.current {
        Some(store) => (
            catalogue::bins(db, actor, Some(store))
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|b| (b.code, b.note.unwrap_or_default()))
                .collect(),
            catalogue::policy(db, actor.tenant_id, store)
                .await
                .unwrap_or_default(),
        ),
        None => (Vec::new(), PartsPolicy::default()),
    };
    render(&CatalogueTemplate {
        parts: parts
            .into_iter()
            .map(|p| {
                let here = stock.get(&p.id);
                PartRow {
                    id: p.id,
                    brand: p.brand.unwrap_or_default(),
                    unit: p.unit,
                    retail: format_fen(p.retail_price_fen),
                    cost: format_fen(p.cost_price_fen),
                    on_hand: here.map(|s| qty(s.on_hand)).unwrap_or_else(|| "0".into()),
                    available: here.map(|s| qty(s.available)).unwrap_or_else(|| "0".into()),
                    bin: here
                        .and_then(|s| s.bin_code.clone())
                        .or(p.default_bin)
                        .unwrap_or_default(),
                    superseded_by: p.superseded_by.unwrap_or_default(),
                    part_number: p.part_number,
                    name: p.name,
                }
            })
            .collect(),
        can_manage: page.can(Permission::PartsManage),
        q: view.q,
        error: view.error,
        imported: view.imported,
        bins,
        policy,
        stores,
        page,
    })
}

fn catalogue_path(values: &Values) -> String {
    match filled(values, "store_id") {
        Some(store) => format!("/parts?store_id={}", urlencode(&store)),
        None => "/parts".to_owned(),
    }
}

fn again_view(values: &Values, error: String) -> CatalogueView {
    CatalogueView {
        q: String::new(),
        store_id: uuid_field(values, "store_id"),
        error: Some(error),
        imported: None,
    }
}

async fn add_part(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let input = PartInput {
        part_number: filled(&values, "part_number").unwrap_or_default(),
        name: filled(&values, "name").unwrap_or_default(),
        brand: filled(&values, "brand"),
        category: filled(&values, "category"),
        unit: filled(&values, "unit"),
        retail_price_fen: fen(&values, "retail_price_fen", &mut errors).unwrap_or(0),
        cost_price_fen: fen(&values, "cost_price_fen", &mut errors).unwrap_or(0),
        superseded_by: filled(&values, "superseded_by"),
        default_bin: filled(&values, "default_bin"),
    };
    let outcome = unless_invalid(errors, catalogue::create(&state.db, &actor, &input)).await;
    answer(
        page,
        outcome,
        |created| format!("/parts/{}", created.id),
        async |page, text| catalogue_view(&state, page, &actor, again_view(&values, text)).await,
    )
    .await
}

/// The maker's price list, read by the same import as the API's (created, updated, rejected
/// rows with their reasons).
async fn import(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    multipart: Multipart,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let upload = match save_upload(&state, multipart).await {
        Ok(upload) => upload,
        Err(ApiError::Store(error)) => {
            let text = explain(&page, &error).unwrap_or_else(|| page.t("error.internal"));
            let view = CatalogueView {
                q: String::new(),
                store_id: None,
                error: Some(text),
                imported: None,
            };
            return catalogue_view(&state, page, &actor, view).await;
        }
        Err(other) => return error_page(&page, other),
    };
    let outcome = fours_onboarding::parts::import_file(&state.db, &actor, &upload.path).await;
    // The upload is only needed while it is read.
    let _ = tokio::fs::remove_file(&upload.path).await;
    let store_id = upload.fields.get("store_id").and_then(|s| s.parse().ok());
    let mut view = CatalogueView {
        q: String::new(),
        store_id,
        error: None,
        imported: None,
    };
    match outcome {
        Ok(done) => {
            view.imported = Some(Imported {
                created: done.created,
                updated: done.updated,
                rejected_rows: done.rejected_rows,
                rejects: done
                    .rejects
                    .iter()
                    .take(20)
                    .map(|r| {
                        let separator = if page.lang() == "en" { ": " } else { "：" };
                        let reason = format!(
                            "{}{separator}{}",
                            page.t(&format!("field.{}", r.field)),
                            page.t(&format!("error.{}", r.code))
                        );
                        let row =
                            rust_i18n::t!("parts.catalogue.row", locale = page.lang(), row = r.row);
                        format!("{row}{separator}{reason}")
                    })
                    .collect(),
            });
        }
        Err(fours_onboarding::OnboardingError::Store(error)) => match explain(&page, &error) {
            Some(text) => view.error = Some(text),
            None => return error_page(&page, error.into()),
        },
        Err(other) => {
            view.error = Some(format!("{}: {other}", page.t("parts.catalogue.unreadable")));
        }
    }
    catalogue_view(&state, page, &actor, view).await
}

async fn add_bin(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let input = BinInput {
        code: filled(&values, "code").unwrap_or_default(),
        note: filled(&values, "note"),
        store_id: uuid_field(&values, "store_id"),
    };
    let outcome = catalogue::create_bin(&state.db, &actor, &input).await;
    answer(
        page,
        outcome,
        |_| catalogue_path(&values),
        async |page, text| catalogue_view(&state, page, &actor, again_view(&values, text)).await,
    )
    .await
}

async fn save_policy(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::PartsManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let mut days = |name: &'static str, current: u32| {
        number(&values, name, &mut errors)
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .unwrap_or(current)
    };
    let store_id = uuid_field(&values, "store_id");
    let current = match store_id.or(actor.store_id) {
        Some(store) => catalogue::policy(&state.db.conn, actor.tenant_id, store)
            .await
            .unwrap_or_default(),
        None => PartsPolicy::default(),
    };
    let policy = PartsPolicy {
        allow_negative: values.contains_key("allow_negative"),
        demand_window_days: days("demand_window_days", current.demand_window_days),
        lead_time_days: days("lead_time_days", current.lead_time_days),
        safety_days: days("safety_days", current.safety_days),
        cycle_days: days("cycle_days", current.cycle_days),
        dead_months: days("dead_months", current.dead_months),
        warning_months: days("warning_months", current.warning_months),
    };
    let outcome = unless_invalid(
        errors,
        catalogue::set_policy(&state.db, &actor, store_id, &policy),
    )
    .await;
    answer(
        page,
        outcome,
        |_| catalogue_path(&values),
        async |page, text| catalogue_view(&state, page, &actor, again_view(&values, text)).await,
    )
    .await
}
