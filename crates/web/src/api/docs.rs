//! The OpenAPI document, generated from the handlers' annotations, and a browsable page.

use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Fours API", description = "Dealer management and CRM for 4S car dealerships. Errors: `{\"error\": {\"code\", \"message\", \"fields\"}}`; `Accept-Language: en` for English messages."),
    paths(
        super::audit::list,
        super::auth::login, super::auth::logout, super::auth::me,
        super::customers::list, super::customers::create, super::customers::show, super::customers::update,
        super::customers::remove, super::customers::merge, super::customers::timeline, super::customers::reveal_id_number,
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

/// The whole document: the core paths above and each capability's own document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(super::care::CareDoc::openapi());
    document.merge(super::care::FeedbackDoc::openapi());
    document
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
