//! Messages to customers: the outbox as those who run care see it (what went, what waits,
//! what failed and why, what was held back), and the public opt-out page a message's link
//! opens (no sign-in: the signed link is the credential).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use fours_domain::access::Permission;
use fours_domain::care::Channel;
use fours_store::care::consent;
use fours_store::care::outbox::{self, FAILED, MessageFilter, PENDING, SENT, SUPPRESSED};
use fours_store::customers;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::inbox::{options, word};
use crate::AppState;
use crate::auth::PageCaller;
use crate::ui::sales::{Values, page_requiring};
use crate::ui::service::public_page;
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/care/messages", get(outbox_page))
        .route("/u/{token}", get(opt_out_page).post(opt_out))
}

pub struct MessageLine {
    pub id: Uuid,
    pub customer_id: Option<Uuid>,
    pub customer: String,
    pub status: String,
    pub status_label: String,
    pub channel: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub created: String,
    pub sent: String,
    pub attempts: i32,
    pub last_error: String,
}

#[derive(Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    channel: Option<String>,
}

#[derive(Template)]
#[template(path = "care_messages.html")]
struct OutboxTemplate {
    page: Page,
    messages: Vec<MessageLine>,
    statuses: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    status: String,
    channel: String,
}

async fn outbox_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<OutboxQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let chosen = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    let filter = MessageFilter {
        status: chosen(query.status),
        channel: chosen(query.channel),
        customer_id: None,
        limit: Some(200),
    };
    let db = &state.db.conn;
    let found = match outbox::list(db, &actor, &filter).await {
        Ok(found) => found,
        Err(error) => return error_page(&page, error.into()),
    };
    let ids: Vec<Uuid> = found.iter().filter_map(|m| m.customer_id).collect();
    let names: HashMap<Uuid, String> = customers::by_ids(db, &actor, &ids)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let messages = found
        .into_iter()
        .map(|m| MessageLine {
            id: m.id,
            customer: m
                .customer_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            customer_id: m.customer_id,
            status_label: word(&page, "message_status", &m.status),
            status: m.status,
            channel: word(&page, "channel", &m.channel),
            kind: word(&page, "template", &m.kind),
            subject: m.subject.unwrap_or_default(),
            body: m.body,
            created: page.local_time(m.created_at),
            sent: m.sent_at.map(|at| page.local_time(at)).unwrap_or_default(),
            attempts: m.attempts,
            last_error: m.last_error.unwrap_or_default(),
        })
        .collect();
    let message_channels = Channel::ALL.into_iter().filter(|c| c.is_message());
    let mut statuses = vec![(String::new(), page.t("care.messages.all"))];
    statuses.extend(options(
        &page,
        "message_status",
        [PENDING, SENT, FAILED, SUPPRESSED],
    ));
    let mut channels = vec![(String::new(), page.t("care.messages.all"))];
    channels.extend(options(
        &page,
        "channel",
        message_channels.map(Channel::as_str),
    ));
    render(&OutboxTemplate {
        messages,
        statuses,
        channels,
        status: filter.status.unwrap_or_default(),
        channel: filter.channel.unwrap_or_default(),
        page,
    })
}

#[derive(Template)]
#[template(path = "care_opt_out.html")]
struct OptOutTemplate {
    page: Page,
    token: String,
    /// "张三，您已退订…" once consent is withdrawn.
    done: Option<String>,
}

async fn opt_out_page(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> Response {
    let page = public_page(&state, &session).await;
    render(&OptOutTemplate {
        page,
        token,
        done: None,
    })
}

async fn opt_out(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Form(_values): Form<Values>,
) -> Response {
    let page = public_page(&state, &session).await;
    match consent::opt_out_by_link(&state.db, &token).await {
        Ok(name) => {
            let done = rust_i18n::t!("care.opt_out.done", locale = page.lang(), name = name);
            render(&OptOutTemplate {
                done: Some(done.into_owned()),
                page,
                token,
            })
        }
        Err(error) => error_page(&page, error.into()),
    }
}
