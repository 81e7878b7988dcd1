//! The staff UI: server-rendered pages (askama) enhanced with htmx. Chinese by default, English
//! per user. Pages call the same store operations as the API, so rules and audit are identical.

mod care;
mod customers;
mod deals;
mod forms;
mod imports;
mod parts;
mod privacy;
mod reports;
mod sales;
mod service;
mod vehicles;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, Query, State};
use axum::http::StatusCode;
use axum::http::header::REFERER;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fours_domain::access::Permission;
use fours_domain::customers::mobile::mask_mobile;
use fours_store::customers::entities::customer;
use fours_store::customers::{self as customer_ops, CustomerFilter};
use fours_store::org::{self, Actor};
use fours_store::paging::PageRequest;
use fours_store::vehicles::{self as vehicle_ops, VehicleFilter};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{
    PageCaller, attempt_login, client_address, csrf_token, end_session, start_session,
};
use crate::error::ApiError;
use crate::locale::{self, Locale};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/settings/locale", post(set_locale))
        .route("/search", get(search))
        .merge(customers::routes())
        .merge(privacy::routes())
        .merge(imports::routes())
        .merge(sales::routes())
        .merge(deals::routes())
        .merge(reports::routes())
        .merge(vehicles::routes())
        .merge(service::routes())
        .merge(parts::routes())
        .merge(care::routes())
}

/// What every page needs: language, CSRF token, demo flag, the signed-in user, time zone.
pub struct Page {
    pub locale: Locale,
    pub csrf: String,
    pub demo: bool,
    pub user: Option<Actor>,
    pub tz: Tz,
}

impl Page {
    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    pub fn other_lang(&self) -> &'static str {
        match self.locale {
            Locale::Zh => "en",
            Locale::En => "zh-CN",
        }
    }

    /// A stored UTC instant in the store's time zone.
    pub fn local_time(&self, at: impl std::borrow::Borrow<DateTime<Utc>>) -> String {
        at.borrow()
            .with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn can_import(&self) -> bool {
        self.can(Permission::ImportData)
    }

    pub fn can_log_showroom(&self) -> bool {
        self.can(Permission::ShowroomLog)
    }

    pub fn can_work_leads(&self) -> bool {
        self.can(Permission::LeadWork)
    }

    pub fn can_serve(&self) -> bool {
        self.can(Permission::ServiceRead)
    }

    pub fn can_report_service(&self) -> bool {
        self.can(Permission::ServiceReport)
    }

    pub fn can_set_up_service(&self) -> bool {
        self.can(Permission::ServiceSetup)
    }

    pub fn can_manage_parts(&self) -> bool {
        self.can(Permission::PartsManage)
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.user.as_ref().is_some_and(|user| user.can(permission))
    }
}

/// Builds the page context for a signed-in user: their language and their store's time zone.
pub async fn page_for(state: &AppState, session: &Session, actor: &Actor) -> Page {
    let tz = org::store_zone(&state.db.conn, actor.tenant_id, actor.store_id).await;
    Page {
        locale: Locale::parse(&actor.locale),
        csrf: csrf_token(session).await,
        demo: state.config.demo,
        user: Some(actor.clone()),
        tz,
    }
}

pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    page: &'a Page,
    message: String,
}

/// An error as a page in the user's language, with the API's status code.
pub fn error_page(page: &Page, error: ApiError) -> Response {
    let status = error.status();
    let message = error.body(page.locale).error.message;
    (status, render(&ErrorTemplate { page, message })).into_response()
}

/// A customer in a list, as the viewer may see it.
pub struct CustomerRow {
    pub id: uuid::Uuid,
    pub name: String,
    pub mobile: String,
    pub class_label: String,
    pub tags: String,
}

pub fn customer_row(page: &Page, customer: &customer::Model) -> CustomerRow {
    let mobile = customer.mobile.as_deref().unwrap_or("");
    CustomerRow {
        id: customer.id,
        name: customer.name.clone(),
        mobile: if page.can(Permission::ViewPhone) {
            mobile.to_owned()
        } else {
            mask_mobile(mobile)
        },
        class_label: page.t(&format!("class.{}", customer.class)),
        tags: customer
            .tags
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    page: Page,
    error: Option<String>,
    username: String,
}

#[derive(Deserialize)]
struct LoginQuery {
    lang: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Response {
    let locale = query
        .lang
        .as_deref()
        .map(Locale::parse)
        .unwrap_or_else(locale::current);
    let page = Page {
        locale,
        csrf: csrf_token(&session).await,
        demo: state.config.demo,
        user: None,
        tz: chrono_tz::Asia::Shanghai,
    };
    render(&LoginTemplate {
        page,
        error: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    session: Session,
    request: axum::extract::Request,
) -> Response {
    let address = client_address(request.extensions());
    let Ok(Form(form)) = Form::<LoginForm>::from_request(request, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let key = match attempt_login(&state, &form.username, &form.password, &address).await {
        Ok(user) => {
            return match start_session(&session, &user).await {
                Ok(()) => Redirect::to("/").into_response(),
                Err(error) => error.into_response(),
            };
        }
        Err(ApiError::Throttled) => "login.throttled",
        Err(ApiError::Unauthorized) => "login.failed",
        Err(other) => return other.into_response(),
    };
    let status = if key == "login.throttled" {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNAUTHORIZED
    };
    let page = Page {
        locale: locale::current(),
        csrf: csrf_token(&session).await,
        demo: state.config.demo,
        user: None,
        tz: chrono_tz::Asia::Shanghai,
    };
    (
        status,
        render(&LoginTemplate {
            error: Some(page.t(key)),
            page,
            username: form.username,
        }),
    )
        .into_response()
}

async fn logout(session: Session) -> Redirect {
    end_session(&session).await;
    Redirect::to("/login")
}

async fn set_locale(
    State(state): State<AppState>,
    PageCaller(actor): PageCaller,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = Locale::parse(form.get("locale").map(String::as_str).unwrap_or("zh-CN"));
    if let Err(error) = org::set_locale(
        &state.db.conn,
        actor.tenant_id,
        actor.user_id,
        locale.code(),
    )
    .await
    {
        return ApiError::from(error).into_response();
    }
    state.tokens.forget_user(actor.user_id);
    let back = headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.find("://").map(|i| &v[i + 3..]))
        .and_then(|v| v.find('/').map(|i| v[i..].to_owned()));
    Redirect::to(&back.unwrap_or_else(|| "/".into())).into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    page: Page,
    task: String,
    rows: Vec<CustomerRow>,
    sales: Option<sales::SalesToday>,
}

async fn home(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
) -> Response {
    let page = page_for(&state, &session, &actor).await;
    let recent = customer_ops::list(
        &state.db.conn,
        &actor,
        &CustomerFilter::default(),
        PageRequest {
            limit: Some(10),
            cursor: None,
        },
    )
    .await;
    match recent {
        Ok(recent) => {
            let rows = recent
                .items
                .iter()
                .map(|c| customer_row(&page, c))
                .collect();
            let task = page.t(&format!("home.task.{}", actor.role.as_str()));
            let sales = sales::sales_today(&state, &actor).await;
            render(&HomeTemplate {
                page,
                task,
                rows,
                sales,
            })
        }
        Err(error) => error_page(&page, error.into()),
    }
}

#[derive(Template)]
#[template(path = "search_results.html")]
struct SearchTemplate {
    customers: Vec<CustomerRow>,
    vehicles: Vec<(uuid::Uuid, String)>,
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// The navbar's one search box: customers and vehicles, as an htmx fragment.
async fn search(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<SearchQuery>,
) -> Response {
    let q = query.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Html(String::new()).into_response();
    }
    let page = page_for(&state, &session, &actor).await;
    let limit = PageRequest {
        limit: Some(8),
        cursor: None,
    };
    let customers = customer_ops::list(
        &state.db.conn,
        &actor,
        &CustomerFilter {
            q: Some(q.clone()),
            ..Default::default()
        },
        limit,
    )
    .await;
    let vehicles = vehicle_ops::list(
        &state.db.conn,
        &actor,
        &VehicleFilter {
            q: Some(q),
            customer_id: None,
        },
        limit,
    )
    .await;
    match (customers, vehicles) {
        (Ok(customers), Ok(vehicles)) => render(&SearchTemplate {
            customers: customers
                .items
                .iter()
                .map(|c| customer_row(&page, c))
                .collect(),
            vehicles: vehicles
                .items
                .iter()
                .map(|v| (v.id, format!("{} {}", vehicle_ops::describe(v), v.vin)))
                .collect(),
        }),
        (Err(error), _) | (_, Err(error)) => ApiError::from(error).into_response(),
    }
}

/// One value for a link's query string.
fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s[1..].to_owned())
        .unwrap_or_default()
}
