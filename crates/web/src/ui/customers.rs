//! Customer screens: list with filters, create/edit, the 360 page, merge.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::customers::relationship::RelationshipClass;
use fours_store::customers::entities::customer;
use fours_store::customers::input::{
    CHANNELS, CustomerInput, FamilyMemberInput, INFO_SOURCES, SOURCES,
};
use fours_store::customers::{self as ops, CustomerFilter};
use fours_store::paging::PageRequest;
use fours_store::vehicles as vehicle_ops;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{FormPage, Spec, edited, family_rows, filled};
use super::parts::PanelFor;
use super::{CustomerRow, Page, customer_row, error_page, page_for, render, urlencode};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/new", get(new_form))
        .route("/customers/{id}", get(show))
        .route("/customers/{id}/edit", get(edit_form).post(update))
        .route("/customers/{id}/merge", get(merge_page).post(merge))
        .route("/customers/{id}/id-number", get(reveal_id_number))
}

const SPECS: &[Spec] = &[
    ("name", "text", &[]),
    ("mobile", "tel", &[]),
    ("kind", "select", &["person", "company"]),
    ("gender", "select", &["male", "female"]),
    ("birthday", "date", &[]),
    ("id_number", "text", &[]),
    ("wechat", "text", &[]),
    ("email", "email", &[]),
    ("address", "text", &[]),
    ("postcode", "text", &[]),
    ("occupation", "text", &[]),
    ("position", "text", &[]),
    ("compound", "text", &[]),
    ("hobbies", "text", &[]),
    ("source", "select", &SOURCES),
    ("info_source", "select", &INFO_SOURCES),
    ("preferred_channel", "select", &CHANNELS),
    ("contact_time", "text", &[]),
    ("tags", "text", &[]),
    ("marketing_consent", "checkbox", &[]),
    ("notes", "textarea", &[]),
];

#[derive(Template)]
#[template(path = "customers.html")]
struct ListTemplate {
    page: Page,
    rows: Vec<CustomerRow>,
    q: String,
    class: String,
    classes: Vec<(String, String)>,
    can_write: bool,
    next_link: Option<String>,
    /// The list's filter as a query string, for roles that may export it.
    export_query: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    class: Option<String>,
    cursor: Option<Uuid>,
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<ListQuery>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    let class = query.class.filter(|c| !c.is_empty());
    let filter = CustomerFilter {
        q: query.q.clone(),
        class: class.clone(),
        ..Default::default()
    };
    let found = match ops::list(
        &state.db.conn,
        &actor,
        &filter,
        PageRequest {
            limit: Some(50),
            cursor: query.cursor,
        },
    )
    .await
    {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let q = query.q.unwrap_or_default();
    let class = class.unwrap_or_default();
    let next_link = found.next_cursor.map(|cursor| {
        format!(
            "/customers?q={}&class={class}&cursor={cursor}",
            urlencode(&q)
        )
    });
    let classes = RelationshipClass::ALL
        .iter()
        .map(|c| {
            (
                c.as_str().to_owned(),
                page.t(&format!("class.{}", c.as_str())),
            )
        })
        .collect();
    let rows = found.items.iter().map(|c| customer_row(&page, c)).collect();
    let export_query = page
        .can(Permission::ExportData)
        .then(|| format!("q={}&class={class}", urlencode(&q)));
    render(&ListTemplate {
        export_query,
        can_write: page.can(Permission::CustomerWrite),
        page,
        rows,
        q,
        class,
        classes,
        next_link,
    })
}

/// Form values → API input. On create empty fields are absent; on edit they clear, except the
/// ID number, which is never shown and so stays unless retyped.
fn to_input(values: &HashMap<String, String>, creating: bool) -> CustomerInput {
    let get = |name: &str| {
        if creating {
            filled(values, name)
        } else {
            edited(values, name)
        }
    };
    CustomerInput {
        kind: get("kind"),
        name: get("name"),
        gender: get("gender"),
        mobile: get("mobile"),
        wechat: get("wechat"),
        email: get("email"),
        birthday: get("birthday"),
        id_number: filled(values, "id_number"),
        address: get("address"),
        postcode: get("postcode"),
        occupation: get("occupation"),
        position: get("position"),
        hobbies: get("hobbies"),
        compound: get("compound"),
        source: get("source"),
        info_source: get("info_source"),
        contact_time: get("contact_time"),
        preferred_channel: get("preferred_channel"),
        marketing_consent: Some(values.get("marketing_consent").is_some_and(|v| v == "true")),
        tags: values
            .get("tags")
            .map(|t| t.split([',', '，', ' ']).map(str::to_owned).collect()),
        notes: get("notes"),
        store_id: filled(values, "store_id").and_then(|id| id.parse().ok()),
        family: Some(
            family_rows(values)
                .into_iter()
                .filter(|row| !row.name.trim().is_empty())
                .map(|row| FamilyMemberInput {
                    name: row.name,
                    relation: row.relation,
                    birthday: Some(row.birthday),
                    mobile: None,
                })
                .collect(),
        ),
        ..Default::default()
    }
}

fn form<'a>(
    page: &'a Page,
    values: &'a HashMap<String, String>,
    editing: Option<Uuid>,
    stores: Vec<(String, String)>,
) -> FormPage<'a> {
    let (heading, action, cancel) = match editing {
        Some(id) => (
            page.t("customers.edit"),
            format!("/customers/{id}/edit"),
            format!("/customers/{id}"),
        ),
        None => (
            page.t("customers.new"),
            "/customers".to_owned(),
            "/customers".to_owned(),
        ),
    };
    FormPage {
        page,
        heading,
        action,
        cancel,
        hidden: vec![],
        specs: SPECS,
        values,
        with_family: true,
        stores,
    }
}

async fn new_form(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::CustomerWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    let values = HashMap::from([("kind".to_owned(), "person".to_owned())]);
    form(&page, &values, None, store_choices(&state, &actor).await).show(&[], None)
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::CustomerWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    match ops::create(&state.db, &actor, &to_input(&values, true)).await {
        Ok(created) => Redirect::to(&format!("/customers/{}", created.id)).into_response(),
        Err(error) => form(&page, &values, None, store_choices(&state, &actor).await)
            .show_store_error(&error, "/customers")
            .unwrap_or_else(|| error_page(&page, error.into())),
    }
}

/// Group-level users belong to no store, so their new customers need one chosen.
async fn store_choices(state: &AppState, actor: &fours_store::org::Actor) -> Vec<(String, String)> {
    if actor.store_id.is_some() {
        return vec![];
    }
    let stores = fours_store::org::list_stores(&state.db.conn, actor.tenant_id)
        .await
        .unwrap_or_default();
    stores
        .into_iter()
        .map(|store| {
            (
                store.id.to_string(),
                format!("{} {}", store.code, store.name),
            )
        })
        .collect()
}

fn form_values(customer: &customer::Model) -> HashMap<String, String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    HashMap::from([
        ("name".to_owned(), customer.name.clone()),
        ("kind".to_owned(), customer.kind.clone()),
        ("gender".to_owned(), text(&customer.gender)),
        ("mobile".to_owned(), text(&customer.mobile)),
        (
            "birthday".to_owned(),
            customer.birthday.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("wechat".to_owned(), text(&customer.wechat)),
        ("email".to_owned(), text(&customer.email)),
        ("address".to_owned(), text(&customer.address)),
        ("postcode".to_owned(), text(&customer.postcode)),
        ("occupation".to_owned(), text(&customer.occupation)),
        ("position".to_owned(), text(&customer.position)),
        ("compound".to_owned(), text(&customer.compound)),
        ("hobbies".to_owned(), text(&customer.hobbies)),
        ("source".to_owned(), text(&customer.source)),
        ("info_source".to_owned(), text(&customer.info_source)),
        (
            "preferred_channel".to_owned(),
            text(&customer.preferred_channel),
        ),
        ("contact_time".to_owned(), text(&customer.contact_time)),
        (
            "tags".to_owned(),
            customer
                .tags
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "marketing_consent".to_owned(),
            customer.marketing_consent.to_string(),
        ),
        ("notes".to_owned(), text(&customer.notes)),
    ])
}

async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::CustomerWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    match ops::get(&state.db.conn, &actor, id).await {
        Ok(found) => {
            let mut values = form_values(&found);
            if let Ok(members) = ops::family(&state.db.conn, &actor, id).await {
                for (i, member) in members.into_iter().enumerate() {
                    values.insert(format!("family_name_{i}"), member.name);
                    values.insert(format!("family_relation_{i}"), member.relation);
                    values.insert(
                        format!("family_birthday_{i}"),
                        member.birthday.map(|d| d.to_string()).unwrap_or_default(),
                    );
                }
            }
            form(&page, &values, Some(id), vec![]).show(&[], None)
        }
        Err(error) => error_page(&page, error.into()),
    }
}

async fn update(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::CustomerWrite) {
        return error_page(&page, ApiError::Forbidden);
    }
    match ops::update(&state.db, &actor, id, &to_input(&values, false)).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}")).into_response(),
        Err(error) => form(&page, &values, Some(id), vec![])
            .show_store_error(&error, "/customers")
            .unwrap_or_else(|| error_page(&page, error.into())),
    }
}

pub struct VehicleRow {
    pub id: Uuid,
    pub plate: String,
    pub model: String,
    pub vin: String,
    pub mileage: String,
}

pub struct TimelineRow {
    pub at: String,
    pub label: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerTemplate {
    page: Page,
    id: Uuid,
    name: String,
    class_label: String,
    profile: Vec<(String, String)>,
    family: Vec<String>,
    vehicles: Vec<VehicleRow>,
    timeline: Vec<TimelineRow>,
    can_write: bool,
    can_merge: bool,
    can_reveal: bool,
    can_export: bool,
    can_erase: bool,
    /// The customer's special orders for parts, with the request form.
    special: super::parts::SpecialPanel,
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    let loaded = async {
        let found = ops::get(&state.db.conn, &actor, id).await?;
        let family = ops::family(&state.db.conn, &actor, id).await?;
        let vehicles = vehicle_ops::of_customer(&state.db.conn, &actor, id).await?;
        let timeline = ops::timeline(&state.db.conn, &actor, id, 100).await?;
        Ok::<_, fours_store::StoreError>((found, family, vehicles, timeline))
    };
    let (found, family, vehicles, timeline) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return error_page(&page, error.into()),
    };
    let row = customer_row(&page, &found);
    let choice = |field: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| page.t(&format!("choice.{field}.{v}")))
            .unwrap_or_default()
    };
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let profile = vec![
        ("field.mobile", row.mobile.clone()),
        ("field.kind", page.t(&format!("choice.kind.{}", found.kind))),
        ("field.gender", choice("gender", &found.gender)),
        (
            "field.birthday",
            found.birthday.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("field.id_number", text(&found.id_number_masked)),
        ("field.wechat", text(&found.wechat)),
        ("field.email", text(&found.email)),
        ("field.address", text(&found.address)),
        ("field.occupation", text(&found.occupation)),
        ("field.compound", text(&found.compound)),
        ("field.hobbies", text(&found.hobbies)),
        ("field.source", choice("source", &found.source)),
        (
            "field.info_source",
            choice("info_source", &found.info_source),
        ),
        (
            "field.preferred_channel",
            choice("preferred_channel", &found.preferred_channel),
        ),
        ("field.contact_time", text(&found.contact_time)),
        ("field.tags", row.tags.clone()),
        ("field.notes", text(&found.notes)),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(key, value)| (page.t(key), value))
    .collect();
    let family = family
        .iter()
        .map(|m| {
            format!(
                "{}（{}）{}",
                m.name,
                page.t(&format!("choice.relation.{}", m.relation)),
                m.birthday.map(|d| d.to_string()).unwrap_or_default()
            )
        })
        .collect();
    let vehicles = vehicles
        .into_iter()
        .map(|v| VehicleRow {
            id: v.id,
            plate: v.plate.clone().unwrap_or_else(|| v.vin.clone()),
            model: [v.brand.as_deref(), v.series.as_deref(), v.model.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            mileage: v
                .mileage_km
                .map(|km| format!("{km} km"))
                .unwrap_or_default(),
            vin: v.vin,
        })
        .collect();
    let timeline = timeline
        .into_iter()
        .map(|e| TimelineRow {
            at: page.local_time(e.at),
            label: page.t(&format!("event.{}", e.kind)),
            summary: e.summary,
        })
        .collect();
    render(&CustomerTemplate {
        id,
        name: found.name,
        class_label: row.class_label,
        profile,
        family,
        vehicles,
        timeline,
        can_write: page.can(Permission::CustomerWrite),
        can_merge: page.can(Permission::CustomerMerge),
        can_reveal: page.can(Permission::RevealIdNumber) && found.id_number_cipher.is_some(),
        can_export: page.can(Permission::PersonalDataExport),
        can_erase: page.can(Permission::CustomerDelete),
        special: super::parts::special_panel(&state, &page, &actor, PanelFor::Customer(id)).await,
        page,
    })
}

/// The full ID number, in place of the reveal button (audited by the store).
async fn reveal_id_number(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::RevealIdNumber) {
        return error_page(&page, ApiError::Forbidden);
    }
    match ops::reveal_id_number(&state.db, &actor, id).await {
        Ok(number) => Html(format!(
            "<code id=\"id-number\">{}</code>",
            number.unwrap_or_default()
        ))
        .into_response(),
        Err(error) => error_page(&page, error.into()),
    }
}

#[derive(Template)]
#[template(path = "merge.html")]
struct MergeTemplate {
    page: Page,
    id: Uuid,
    name: String,
    q: String,
    candidates: Vec<CustomerRow>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct MergeQuery {
    q: Option<String>,
}

async fn merge_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Query(query): Query<MergeQuery>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::CustomerMerge) {
        return error_page(&page, ApiError::Forbidden);
    }
    let keep = match ops::get(&state.db.conn, &actor, id).await {
        Ok(keep) => keep,
        Err(error) => return error_page(&page, error.into()),
    };
    // Without a query, offer customers with the same name: the usual duplicates.
    let q = query.q.unwrap_or_else(|| keep.name.clone());
    let filter = CustomerFilter {
        q: Some(q.clone()),
        ..Default::default()
    };
    let candidates = match ops::list(
        &state.db.conn,
        &actor,
        &filter,
        PageRequest {
            limit: Some(20),
            cursor: None,
        },
    )
    .await
    {
        Ok(found) => found
            .items
            .iter()
            .filter(|c| c.id != id)
            .map(|c| customer_row(&page, c))
            .collect(),
        Err(error) => return error_page(&page, error.into()),
    };
    render(&MergeTemplate {
        page,
        id,
        name: keep.name,
        q,
        candidates,
        error: None,
    })
}

#[derive(Deserialize)]
struct MergeForm {
    merge_id: Uuid,
}

async fn merge(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(form): Form<MergeForm>,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    if !page.can(Permission::CustomerMerge) {
        return error_page(&page, ApiError::Forbidden);
    }
    match ops::merge(&state.db, &actor, id, form.merge_id).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}")).into_response(),
        Err(error) => error_page(&page, error.into()),
    }
}
