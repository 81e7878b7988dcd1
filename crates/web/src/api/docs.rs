//! The OpenAPI document, generated from the handlers' annotations, and a browsable page.

use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::content::Content;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, Object, ObjectBuilder, Ref, Schema, SchemaFormat, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Required, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Fours API", description = "Dealer management and CRM for 4S car dealerships. Errors: `{\"error\": {\"code\", \"message\", \"fields\"}}`; `Accept-Language: en` for English messages."),
    paths(
        super::audit::list,
        super::auth::login, super::auth::logout, super::auth::me,
        super::customers::list, super::customers::create, super::customers::show, super::customers::update,
        super::customers::remove, super::customers::merge, super::customers::timeline, super::customers::reveal_id_number,
        super::privacy::personal_data, super::privacy::erasure,
        super::vehicles::list, super::vehicles::create, super::vehicles::show, super::vehicles::update, super::vehicles::remove,
        super::vehicles::mileage, super::vehicles::add_mileage, super::vehicles::transfer, super::vehicles::owners, super::vehicles::catalogue,
        super::imports::preview, super::imports::create, super::imports::list, super::imports::show, super::imports::report,
        super::exports::customers, super::exports::vehicles,
        super::sales::visits::create, super::sales::visits::list, super::sales::visits::board, super::sales::visits::depart, super::sales::visits::link,
        super::sales::leads::list, super::sales::leads::create, super::sales::leads::show, super::sales::leads::update, super::sales::leads::due,
        super::sales::leads::follow_ups, super::sales::leads::add_follow_up, super::sales::leads::history, super::sales::leads::advance,
        super::sales::leads::reassign, super::sales::leads::request_defeat, super::sales::leads::decide_defeat, super::sales::leads::reactivate,
        super::sales::leads::show_policy, super::sales::leads::set_policy,
        super::sales::deals::start_test_drive, super::sales::deals::test_drives, super::sales::deals::finish_test_drive,
        super::sales::deals::create_quote, super::sales::deals::quotes, super::sales::deals::pending_quotes, super::sales::deals::decide_quote,
        super::sales::deals::stock, super::sales::deals::add_stock, super::sales::deals::place_order, super::sales::deals::orders,
        super::sales::deals::order, super::sales::deals::deliver, super::sales::reports::sales_report,
        super::service::setup::show_policy, super::service::setup::set_policy, super::service::setup::operations,
        super::service::setup::add_operation, super::service::setup::bays, super::service::setup::add_bay, super::service::setup::staff,
        super::service::appointments::book, super::service::appointments::list, super::service::appointments::to_confirm,
        super::service::appointments::show, super::service::appointments::set_status, super::service::appointments::reschedule,
        super::service::appointments::maintenance_due, super::service::appointments::prepare,
        super::service::orders::receive, super::service::orders::list, super::service::orders::show, super::service::orders::sign,
        super::service::orders::dispatch, super::service::orders::propose, super::service::orders::decide,
        super::service::orders::approval_link, super::service::orders::clock_on, super::service::orders::clock_off,
        super::service::orders::pause, super::service::orders::resume, super::service::orders::finish, super::service::orders::check,
        super::service::orders::deliver_internally, super::service::orders::settlement, super::service::orders::settle,
        super::service::orders::close, super::service::orders::cancel, super::service::orders::board,
        super::service::orders::linked_proposals, super::service::orders::decide_by_link,
        super::service::claims::create, super::service::claims::list, super::service::claims::show, super::service::claims::advance,
        super::service::claims::commissions, super::service::reports::service_report, super::service::reports::capacity,
        super::service::people::technicians, super::service::people::set_technician, super::service::people::list_campaigns,
        super::service::people::create_campaign, super::service::people::complete_campaign,
        super::parts::catalogue::list, super::parts::catalogue::create, super::parts::catalogue::show,
        super::parts::catalogue::update, super::parts::catalogue::place, super::parts::catalogue::import,
        super::parts::catalogue::bins, super::parts::catalogue::add_bin, super::parts::catalogue::show_policy,
        super::parts::catalogue::set_policy, super::parts::stock::list, super::parts::stock::movements,
        super::parts::stock::issue, super::parts::stock::give_back, super::parts::stock::adjust,
        super::parts::stock::transfer, super::parts::stock::part_lines,
        super::parts::orders::list, super::parts::orders::request, super::parts::orders::show,
        super::parts::orders::review, super::parts::orders::place, super::parts::orders::take,
        super::parts::orders::notify, super::parts::orders::cancel, super::parts::orders::send_back,
        super::parts::orders::book, super::parts::orders::supplier_orders, super::parts::orders::create_supplier_order,
        super::parts::orders::suggestions, super::parts::orders::supplier_order, super::parts::orders::send,
        super::parts::orders::receive, super::parts::takes::list, super::parts::takes::start,
        super::parts::takes::show, super::parts::takes::count, super::parts::takes::decide,
        super::parts::reports::overview, super::parts::reports::dead_stock, super::parts::reports::fill_rate,
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document: the core paths above and each capability's own document, each operation
/// with its path parameters and the errors every operation of its kind can answer.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(super::care::CareDoc::openapi());
    document.merge(super::care::FeedbackDoc::openapi());
    for (path, item) in document.paths.paths.iter_mut() {
        for operation in operations(item) {
            declare_path_parameters(path, operation);
            declare_common_errors(operation);
        }
    }
    merge_closed_all_of(&mut document);
    document
}

/// `#[serde(flatten)]` under `deny_unknown_fields` comes out as an `allOf` of closed objects,
/// which no value satisfies (each part refuses the other's properties): such a schema is
/// written instead as the one closed object serde reads.
fn merge_closed_all_of(document: &mut utoipa::openapi::OpenApi) {
    let Some(components) = document.components.as_mut() else {
        return;
    };
    let objects: Vec<(String, Object)> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            RefOr::T(Schema::Object(object)) => {
                Some((format!("#/components/schemas/{name}"), object.clone()))
            }
            _ => None,
        })
        .collect();
    let object_at = |item: &RefOr<Schema>| match item {
        RefOr::T(Schema::Object(object)) => Some(object.clone()),
        RefOr::Ref(at) => objects
            .iter()
            .find(|(location, _)| *location == at.ref_location)
            .map(|(_, object)| object.clone()),
        _ => None,
    };
    let closed = |object: &Object| {
        matches!(
            object.additional_properties.as_deref(),
            Some(AdditionalProperties::FreeForm(false))
        )
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::AllOf(all_of)) = schema else {
            continue;
        };
        let Some(parts) = all_of
            .items
            .iter()
            .map(object_at)
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        if !parts.iter().any(closed) {
            continue;
        }
        let mut merged = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(all_of.description.clone())
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .build();
        for part in parts {
            merged.properties.extend(part.properties);
            merged.required.extend(part.required);
        }
        *schema = RefOr::T(Schema::Object(merged));
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.patch.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// Puts each parameter where the handler reads it. utoipa takes an `IntoParams` struct for path
/// parameters unless it sees `Query<T>`, and handlers read queries through [`super::ApiQuery`]:
/// a "path" parameter the path does not name is a query parameter. Then adds each `{name}` of
/// the path the annotation left out: ids are UUIDs, a job's `position` a number, a link's
/// `token` text.
fn declare_path_parameters(path: &str, operation: &mut Operation) {
    let in_path: Vec<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    for parameter in parameters.iter_mut() {
        if let RefOr::T(p) = parameter
            && p.parameter_in == ParameterIn::Path
            && !in_path.contains(&p.name.as_str())
        {
            p.parameter_in = ParameterIn::Query;
        }
    }
    let declared = |name: &str| {
        parameters.iter().any(
            |p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path && p.name == name),
        )
    };
    let missing: Vec<&str> = in_path.into_iter().filter(|name| !declared(name)).collect();
    parameters.extend(
        missing
            .into_iter()
            .map(|name| RefOr::T(path_parameter(name))),
    );
}

fn path_parameter(name: &str) -> Parameter {
    let schema: RefOr<Schema> = match name {
        "position" => u32::schema(),
        "token" => String::schema(),
        _ => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .into(),
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .build()
}

/// Errors in the one shape ([`crate::error::ErrorBody`]) that any operation taking input, a
/// body, or a bearer token can answer, documented here once rather than on every handler.
fn declare_common_errors(operation: &mut Operation) {
    let has_body = operation.request_body.is_some();
    let takes_input = has_body || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let names_records = has_body
        || operation
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path));
    let errors = [
        (
            "400",
            takes_input,
            "Malformed request: JSON, or a path or query parameter, of the wrong type or form",
        ),
        ("401", signed_in, "Not signed in, or the token has ended"),
        ("403", signed_in, "The caller's role may not do this"),
        (
            "404",
            names_records,
            "A record the path or body names is not in the caller's dealer group",
        ),
        ("413", has_body, "Request body over the limit"),
        (
            "422",
            takes_input,
            "Input refused by the rules; `fields` names each field at fault",
        ),
    ];
    for (status, applies, description) in errors {
        if applies {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| error_response(description));
        }
    }
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    let body = Content::new(Some(Ref::from_schema_name("ErrorBody")));
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/json", body)
            .build(),
    )
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(|| async { Json(document()) }))
        .route("/api/docs", get(|| async { Html(DOCS_PAGE) }))
}

const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fours API</title>
<link rel="stylesheet" href="/assets/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="api"></div>
<script src="/assets/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/assets/api-docs.js"></script>
</body></html>"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Schemathesis cannot call an operation whose path names a parameter the document lacks.
    #[test]
    fn every_path_parameter_is_declared_and_every_signed_in_operation_documents_401() {
        let mut document = document();
        for (path, item) in document.paths.paths.iter_mut() {
            for operation in operations(item) {
                let declared =
                    operation.parameters.iter().flatten().filter(
                        |p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path),
                    );
                assert_eq!(declared.count(), path.matches('{').count(), "{path}");
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    assert!(operation.responses.responses.contains_key("401"), "{path}");
                }
            }
        }
    }
}
