//! Care screens: the user's today page (tasks due and overdue, with the customer's key facts,
//! the script and the survey form at hand) and the team's view (`inbox`), a task's page with
//! its attempts (`task`), plans, templates and settings (`setup`), the outbox (`messages`),
//! surveys (`surveys`), complaints (`complaints`) and the care report (`report`). Every change
//! calls the same store operation as the API.

mod complaints;
mod inbox;
mod messages;
mod report;
mod setup;
mod surveys;
mod task;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(inbox::routes())
        .merge(task::routes())
        .merge(setup::routes())
        .merge(messages::routes())
        .merge(report::routes())
        .merge(surveys::routes())
        .merge(complaints::routes())
}
