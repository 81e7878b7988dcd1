//! `/api/v1/customers`: the customer archive.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use fours_domain::access::Permission;
use fours_domain::customers::mobile::mask_mobile;
use fours_store::customers::entities::{customer, family_member, timeline_event};
use fours_store::customers::input::CustomerInput;
use fours_store::customers::{self, CustomerFilter};
use fours_store::org::Actor;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{ApiJson, ApiPath, ApiQuery, page_request};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers", get(list).post(create))
        .route(
            "/api/v1/customers/{id}",
            get(show).patch(update).delete(remove),
        )
        .route("/api/v1/customers/{id}/merge", post(merge))
        .route("/api/v1/customers/{id}/timeline", get(timeline))
        .route("/api/v1/customers/{id}/id-number", get(reveal_id_number))
}

/// A customer as the caller may see them: phones masked unless the role needs them, the ID
/// number always masked here (see `GET /customers/{id}/id-number`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerOut {
    pub id: Uuid,
    pub store_id: Uuid,
    pub owner_id: Option<Uuid>,
    pub kind: String,
    pub name: String,
    pub gender: Option<String>,
    pub mobile: Option<String>,
    /// True when `mobile` and `other_phones` are masked for the caller's role.
    pub phones_masked: bool,
    pub other_phones: Vec<String>,
    pub wechat: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub id_number_masked: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub occupation: Option<String>,
    pub position: Option<String>,
    pub hobbies: Option<String>,
    pub compound: Option<String>,
    pub source: Option<String>,
    pub info_source: Option<String>,
    pub referrer_id: Option<Uuid>,
    pub contact_time: Option<String>,
    pub preferred_channel: Option<String>,
    pub marketing_consent: bool,
    pub tags: Vec<String>,
    /// `suspect`, `prospect`, `customer`, `at_risk` or `lost`; computed.
    pub class: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Present on single-customer reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<Vec<FamilyMemberOut>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FamilyMemberOut {
    pub id: Uuid,
    pub name: String,
    pub relation: String,
    pub birthday: Option<NaiveDate>,
    pub mobile: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerPage {
    pub items: Vec<CustomerOut>,
    pub next_cursor: Option<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEventOut {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub summary: String,
    pub vehicle_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub data: Option<Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdNumberOut {
    pub id_number: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MergeRequest {
    /// The duplicate customer to fold into this one.
    pub merge_id: Uuid,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CustomerListParams {
    /// One search box: mobile (whole or last 4), plate (whole or part), VIN (whole or last 6),
    /// name, pinyin or pinyin initials.
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// `suspect`, `prospect`, `customer`, `at_risk` or `lost`.
    pub class: Option<String>,
    pub tag: Option<String>,
    pub owner_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

pub fn customer_out(
    actor: &Actor,
    model: customer::Model,
    family: Option<Vec<family_member::Model>>,
) -> CustomerOut {
    let show_phones = actor.can(Permission::ViewPhone);
    let phone = |p: &str| {
        if show_phones {
            p.to_owned()
        } else {
            mask_mobile(p)
        }
    };
    CustomerOut {
        id: model.id,
        store_id: model.store_id,
        owner_id: model.owner_id,
        kind: model.kind,
        name: model.name,
        gender: model.gender,
        mobile: model.mobile.as_deref().map(phone),
        phones_masked: !show_phones,
        other_phones: strings(&model.other_phones)
            .iter()
            .map(|p| phone(p))
            .collect(),
        wechat: model.wechat,
        email: model.email,
        birthday: model.birthday,
        id_number_masked: model.id_number_masked,
        address: model.address,
        postcode: model.postcode,
        occupation: model.occupation,
        position: model.position,
        hobbies: model.hobbies,
        compound: model.compound,
        source: model.source,
        info_source: model.info_source,
        referrer_id: model.referrer_id,
        contact_time: model.contact_time,
        preferred_channel: model.preferred_channel,
        marketing_consent: model.marketing_consent,
        tags: strings(&model.tags),
        class: model.class,
        notes: model.notes,
        created_at: model.created_at,
        updated_at: model.updated_at,
        family: family.map(|members| {
            members
                .into_iter()
                .map(|m| FamilyMemberOut {
                    id: m.id,
                    name: m.name,
                    relation: m.relation,
                    birthday: m.birthday,
                    mobile: m.mobile.as_deref().map(phone),
                })
                .collect()
        }),
    }
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])), params(CustomerListParams),
    responses((status = 200, body = CustomerPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<CustomerListParams>,
) -> ApiResult<Json<CustomerPage>> {
    let actor = caller.require(Permission::CustomerRead)?;
    let filter = CustomerFilter {
        q: params.q,
        class: params.class,
        tag: params.tag,
        owner_id: params.owner_id,
        store_id: params.store_id,
    };
    let page = customers::list(
        &state.db.conn,
        actor,
        &filter,
        page_request(params.limit, params.cursor),
    )
    .await?;
    Ok(Json(CustomerPage {
        items: page
            .items
            .into_iter()
            .map(|c| customer_out(actor, c, None))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])), request_body = CustomerInput,
    responses((status = 201, body = CustomerOut), (status = 409, description = "Same mobile or ID number exists; `existing_id` names it", body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<(StatusCode, Json<CustomerOut>)> {
    let actor = caller.require(Permission::CustomerWrite)?;
    let created = customers::create(&state.db, actor, &input).await?;
    let family = customers::family(&state.db.conn, actor, created.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(customer_out(actor, created, Some(family))),
    ))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerOut), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<CustomerOut>> {
    let actor = caller.require(Permission::CustomerRead)?;
    let found = customers::get(&state.db.conn, actor, id).await?;
    let family = customers::family(&state.db.conn, actor, id).await?;
    Ok(Json(customer_out(actor, found, Some(family))))
}

#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CustomerInput,
    responses((status = 200, body = CustomerOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<Json<CustomerOut>> {
    let actor = caller.require(Permission::CustomerWrite)?;
    let updated = customers::update(&state.db, actor, id, &input).await?;
    let family = customers::family(&state.db.conn, actor, id).await?;
    Ok(Json(customer_out(actor, updated, Some(family))))
}

#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let actor = caller.require(Permission::CustomerDelete)?;
    customers::delete(&state.db, actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Folds `merge_id` into `{id}`: vehicles, family, timeline and referrals move; audited.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MergeRequest,
    responses((status = 200, body = CustomerOut), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<MergeRequest>,
) -> ApiResult<Json<CustomerOut>> {
    let actor = caller.require(Permission::CustomerMerge)?;
    let merged = customers::merge(&state.db, actor, id, request.merge_id).await?;
    let family = customers::family(&state.db.conn, actor, id).await?;
    Ok(Json(customer_out(actor, merged, Some(family))))
}

pub fn timeline_out(event: timeline_event::Model) -> TimelineEventOut {
    TimelineEventOut {
        id: event.id,
        at: event.at,
        kind: event.kind,
        summary: event.summary,
        vehicle_id: event.vehicle_id,
        actor_id: event.actor_id,
        data: event.data,
    }
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<TimelineEventOut>), (status = 404, body = ErrorBody)))]
async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<TimelineEventOut>>> {
    let actor = caller.require(Permission::CustomerRead)?;
    customers::get(&state.db.conn, actor, id).await?;
    let events = customers::timeline(&state.db.conn, actor, id, 200).await?;
    Ok(Json(events.into_iter().map(timeline_out).collect()))
}

/// The resident ID number in clear. Only roles with the PII permission; every call is audited.
#[utoipa::path(get, path = "/api/v1/customers/{id}/id-number", tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = IdNumberOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reveal_id_number(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<IdNumberOut>> {
    let actor = caller.require(Permission::RevealIdNumber)?;
    let id_number = customers::reveal_id_number(&state.db, actor, id).await?;
    Ok(Json(IdNumberOut { id_number }))
}
