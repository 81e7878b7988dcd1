//! The care API: care plans and settings (`plans`), the task inbox and its attempts (`tasks`),
//! messages and their templates (`messages`), surveys (`surveys`), complaints (`complaints`)
//! and the care reports (`reports`). Each part has its own OpenAPI document, merged into the
//! whole one.

pub mod complaints;
pub mod messages;
pub mod plans;
pub mod reports;
pub mod surveys;
pub mod tasks;

use axum::Router;
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(plans::routes())
        .merge(tasks::routes())
        .merge(messages::routes())
        .merge(reports::routes())
        .merge(surveys::routes())
        .merge(complaints::routes())
}

/// Plans, tasks, messages and the care report.
#[derive(OpenApi)]
#[openapi(
    paths(
        plans::list,
        plans::update_plan,
        plans::add_rule,
        plans::update_rule,
        plans::show_policy,
        plans::set_policy,
        plans::run_now,
        tasks::inbox,
        tasks::show,
        tasks::attempt,
        tasks::reassign,
        messages::list,
        messages::reply,
        messages::list_templates,
        messages::set_template,
        reports::care_report,
    ),
    components(schemas(fours_store::care::tasks::View))
)]
pub struct CareDoc;

pub use complaints::FeedbackDoc;
