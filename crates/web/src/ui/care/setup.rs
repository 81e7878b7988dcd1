//! Care set-up: the store's plans and their rules (each editable in place, one more added per
//! plan, plans switched on and off), the care settings, the message templates, and a button
//! that makes today's tasks now. Those who run care may look; store admins change.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use fours_domain::access::{DataScope, Permission};
use fours_domain::care::Channel;
use fours_domain::care::plan::{Action, Assignee, SURVEYS, Trigger};
use fours_notify::templates::default_templates;
use fours_store::StoreError;
use fours_store::care::entities::care_rule;
use fours_store::care::plans::{self, PlanInput, RuleInput};
use fours_store::care::policy::{self, CarePolicy};
use fours_store::care::templates::{self, TemplateInput, TemplateView};
use fours_store::care::{care_store, generate};
use fours_store::error::FieldError;
use fours_store::org::{self, Actor};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::inbox::{options, set_flash, take_flash, word};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::field_message;
use crate::ui::forms::{filled, form_status, number, store_pick};
use crate::ui::sales::{Values, page_requiring, unless_invalid, uuid_field};
use crate::ui::{Page, error_page, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/care/setup", get(setup_page))
        .route("/care/setup/policy", post(save_policy))
        .route("/care/setup/templates", post(save_template))
        .route("/care/setup/run", post(run_now))
        .route("/care/setup/plans/{id}", post(switch_plan))
        .route("/care/setup/plans/{id}/rules", post(add_rule))
        .route("/care/setup/rules/{id}", post(save_rule))
}

/// A form that failed: which one (`key`), why, and what was typed into it.
struct Failed {
    key: String,
    message: String,
    values: Values,
}

/// Every field error of a failed change in the user's language; `None` for errors a form
/// cannot show.
fn explain_all(page: &Page, error: &StoreError) -> Option<String> {
    match error {
        StoreError::Invalid(errors) => Some(
            errors
                .iter()
                .map(|e| field_message(page.locale, e).message)
                .collect::<Vec<_>>()
                .join("；"),
        ),
        _ => None,
    }
}

/// A rule's form (or a plan's new-rule form) as text fields.
pub struct RuleForm {
    pub key: String,
    pub action_url: String,
    pub trigger: String,
    pub offset_days: String,
    pub offset_hours: String,
    pub repeat_every_months: String,
    pub repeat_count: String,
    pub action: String,
    pub channel: String,
    pub assignee: String,
    pub title: String,
    pub script: String,
    pub survey: String,
    pub template: String,
    pub active: bool,
    pub error: Option<String>,
}

impl RuleForm {
    fn stored(rule: &care_rule::Model) -> RuleForm {
        RuleForm {
            key: format!("rule-{}", rule.id),
            action_url: format!("/care/setup/rules/{}", rule.id),
            trigger: rule.trigger.clone(),
            offset_days: rule.offset_days.to_string(),
            offset_hours: rule.offset_hours.to_string(),
            repeat_every_months: rule.repeat_every_months.to_string(),
            repeat_count: rule.repeat_count.to_string(),
            action: rule.action.clone(),
            channel: rule.channel.clone(),
            assignee: rule.assignee.clone(),
            title: rule.title.clone(),
            script: rule.script.clone(),
            survey: rule.survey.clone().unwrap_or_default(),
            template: rule.template.clone().unwrap_or_default(),
            active: rule.active,
            error: None,
        }
    }

    fn blank(plan_id: Uuid) -> RuleForm {
        RuleForm {
            key: format!("plan-{plan_id}"),
            action_url: format!("/care/setup/plans/{plan_id}/rules"),
            trigger: Trigger::VehicleDelivered.as_str().to_owned(),
            offset_days: "0".into(),
            offset_hours: "0".into(),
            repeat_every_months: "0".into(),
            repeat_count: "1".into(),
            action: Action::Task.as_str().to_owned(),
            channel: Channel::Phone.as_str().to_owned(),
            assignee: Assignee::CustomerCare.as_str().to_owned(),
            title: String::new(),
            script: String::new(),
            survey: String::new(),
            template: String::new(),
            active: true,
            error: None,
        }
    }

    /// The form as the user typed it, when its change failed.
    fn or_typed(self, failed: Option<&Failed>) -> RuleForm {
        let Some(failed) = failed.filter(|f| f.key == self.key) else {
            return self;
        };
        let typed = |name: &str| failed.values.get(name).cloned().unwrap_or_default();
        RuleForm {
            trigger: typed("trigger"),
            offset_days: typed("offset_days"),
            offset_hours: typed("offset_hours"),
            repeat_every_months: typed("repeat_every_months"),
            repeat_count: typed("repeat_count"),
            action: typed("action"),
            channel: typed("channel"),
            assignee: typed("assignee"),
            title: typed("title"),
            script: typed("script"),
            survey: typed("survey"),
            template: typed("template"),
            active: ticked(&failed.values, "active"),
            error: Some(failed.message.clone()),
            ..self
        }
    }
}

pub struct PlanBlock {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub rules: Vec<RuleForm>,
    pub new_rule: RuleForm,
}

pub struct PolicyField {
    pub name: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
}

pub struct TemplateForm {
    pub key: String,
    pub code: String,
    pub channel: String,
    pub channel_label: String,
    pub locale: String,
    pub subject: Option<String>,
    pub body: String,
    pub customised: bool,
    pub error: Option<String>,
}

/// One message's templates (every channel and language) with the variables they may use.
pub struct TemplateGroup {
    pub code: String,
    pub label: String,
    pub marketing: bool,
    pub variables: String,
    pub forms: Vec<TemplateForm>,
}

/// The select options the rule forms offer.
pub struct RuleChoices {
    pub triggers: Vec<(String, String)>,
    pub actions: Vec<(String, String)>,
    pub channels: Vec<(String, String)>,
    pub assignees: Vec<(String, String)>,
    pub surveys: Vec<(String, String)>,
    pub templates: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "care_setup.html")]
struct SetupTemplate {
    page: Page,
    can_edit: bool,
    store_id: String,
    stores: Vec<(String, String)>,
    plans: Vec<PlanBlock>,
    choices: RuleChoices,
    policy: Vec<PolicyField>,
    policy_error: Option<String>,
    templates: Vec<TemplateGroup>,
    flash: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct StoreQuery {
    store_id: Option<Uuid>,
}

async fn setup_page(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Query(query): Query<StoreQuery>,
) -> Response {
    let page = match page_requiring(&state, &session, &actor, Permission::CareManage).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let flash = take_flash(&session).await;
    setup_view(&state, page, &actor, query.store_id, flash, None).await
}

/// The codes of the built-in templates, in their order.
fn template_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Vec::new();
    for template in default_templates() {
        if !codes.contains(&template.code) {
            codes.push(template.code);
        }
    }
    codes
}

/// The variables a message's built-in wording uses: "{{ customer_name }} {{ store_name }}…".
fn variables(code: &str) -> String {
    let mut names: Vec<String> = Vec::new();
    for template in default_templates().into_iter().filter(|t| t.code == code) {
        let sources = [Some(template.body), template.subject];
        for rest in sources
            .into_iter()
            .flatten()
            .flat_map(|s| s.split("{{").skip(1))
        {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
        .iter()
        .map(|name| format!("{{{{ {name} }}}}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rule_choices(page: &Page) -> RuleChoices {
    let none = (String::new(), page.t("care.setup.none"));
    let mut surveys = vec![none.clone()];
    surveys.extend(options(page, "survey_code", SURVEYS));
    let mut templates = vec![none];
    templates.extend(options(page, "template", template_codes()));
    RuleChoices {
        triggers: options(page, "trigger", Trigger::ALL.map(Trigger::as_str)),
        actions: options(page, "action", Action::ALL.map(Action::as_str)),
        channels: options(page, "channel", Channel::ALL.map(Channel::as_str)),
        assignees: options(page, "assignee", Assignee::ALL.map(Assignee::as_str)),
        surveys,
        templates,
    }
}

fn policy_fields(page: &Page, policy: &CarePolicy, failed: Option<&Failed>) -> Vec<PolicyField> {
    let numbers = [
        ("max_attempts", policy.max_attempts),
        ("escalation_grace_hours", policy.escalation_grace_hours),
        ("low_score_threshold", policy.low_score_threshold),
        ("first_service_months", policy.first_service_months),
        ("first_service_km", policy.first_service_km),
        ("second_service_months", policy.second_service_months),
        ("second_service_km", policy.second_service_km),
    ]
    .map(|(name, value)| (name, "number", value.to_string()));
    let times = [
        ("quiet_start", "time", policy.quiet_start.clone()),
        ("quiet_end", "time", policy.quiet_end.clone()),
    ];
    let typed = failed.filter(|f| f.key == "policy").map(|f| &f.values);
    times
        .into_iter()
        .chain(numbers)
        .map(|(name, kind, value)| PolicyField {
            name,
            label: page.t(&format!("field.{name}")),
            kind,
            value: typed
                .and_then(|values| values.get(name).cloned())
                .unwrap_or(value),
        })
        .collect()
}

fn template_groups(
    page: &Page,
    views: Vec<TemplateView>,
    failed: Option<&Failed>,
) -> Vec<TemplateGroup> {
    let mut groups: Vec<TemplateGroup> = Vec::new();
    for view in views {
        let key = format!("template-{}-{}-{}", view.code, view.channel, view.locale);
        let typed = failed.filter(|f| f.key == key);
        let value = |name: &str| typed.and_then(|f| f.values.get(name).cloned());
        let form = TemplateForm {
            channel_label: word(page, "channel", &view.channel),
            subject: (view.channel == "email").then(|| {
                value("subject")
                    .or(view.subject.clone())
                    .unwrap_or_default()
            }),
            body: value("body").unwrap_or(view.body),
            error: typed.map(|f| f.message.clone()),
            key,
            code: view.code.clone(),
            channel: view.channel,
            locale: view.locale,
            customised: view.customised,
        };
        match groups.iter_mut().find(|g| g.code == view.code) {
            Some(group) => group.forms.push(form),
            None => groups.push(TemplateGroup {
                label: word(page, "template", &view.code),
                marketing: view.marketing,
                variables: variables(&view.code),
                code: view.code,
                forms: vec![form],
            }),
        }
    }
    groups
}

async fn setup_view(
    state: &AppState,
    page: Page,
    actor: &Actor,
    asked: Option<Uuid>,
    flash: Option<String>,
    failed: Option<Failed>,
) -> Response {
    let db = &state.db;
    let loaded = async {
        let store = store_pick(state, actor, asked).await?;
        let current = store
            .current
            .ok_or_else(|| StoreError::invalid("store_id", "required"))?;
        let plans = plans::list(db, actor, current).await?;
        let policy = policy::for_store(&db.conn, actor.tenant_id, current).await?;
        let templates = templates::list(&db.conn, actor.tenant_id, current).await?;
        Ok::<_, StoreError>((current, store.choices, plans, policy, templates))
    };
    let (current, stores, plans, policy, templates) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return error_page(&page, error.into()),
    };
    let failed = failed.as_ref();
    let plans = plans
        .into_iter()
        .map(|view| PlanBlock {
            id: view.plan.id,
            code: view.plan.code.clone(),
            name: view.plan.name.clone(),
            active: view.plan.active,
            rules: view
                .rules
                .iter()
                .map(|rule| RuleForm::stored(rule).or_typed(failed))
                .collect(),
            new_rule: RuleForm::blank(view.plan.id).or_typed(failed),
        })
        .collect();
    let status = form_status(failed.is_some());
    let template = SetupTemplate {
        can_edit: page.can(Permission::CareSetup),
        store_id: current.to_string(),
        stores,
        plans,
        choices: rule_choices(&page),
        policy: policy_fields(&page, &policy, failed),
        policy_error: failed
            .filter(|f| f.key == "policy")
            .map(|f| f.message.clone()),
        templates: template_groups(&page, templates, failed),
        flash,
        error: failed
            .filter(|f| f.key == "run" || f.key == "plan")
            .map(|f| f.message.clone()),
        page,
    };
    (status, render(&template)).into_response()
}

fn ticked(values: &Values, name: &str) -> bool {
    matches!(
        values.get(name).map(String::as_str),
        Some("yes" | "on" | "true")
    )
}

/// What a set-up form does: the change it asks for, and the form it came from.
struct Change<T> {
    key: String,
    outcome: Result<T, StoreError>,
}

/// Saved: back to the page (at the form) with a notice. Refused: the page again, the form
/// showing what was typed and why it was refused.
async fn answer<T>(
    state: &AppState,
    session: &Session,
    page: Page,
    actor: &Actor,
    values: Values,
    change: Change<T>,
    saved: impl FnOnce(T) -> String,
) -> Response {
    let store_id = uuid_field(&values, "store_id");
    match change.outcome {
        Ok(value) => {
            set_flash(session, saved(value)).await;
            let query = store_id
                .filter(|_| actor.scope == DataScope::Group)
                .map(|id| format!("?store_id={id}"))
                .unwrap_or_default();
            Redirect::to(&format!("/care/setup{query}#{}", change.key)).into_response()
        }
        Err(error) => match explain_all(&page, &error) {
            Some(message) => {
                let failed = Failed {
                    key: change.key,
                    message,
                    values,
                };
                setup_view(state, page, actor, store_id, None, Some(failed)).await
            }
            None => error_page(&page, error.into()),
        },
    }
}

/// The page for a change of the set-up (store admins only).
async fn setup_page_for(
    state: &AppState,
    session: &Session,
    actor: &Actor,
) -> Result<Page, Response> {
    page_requiring(state, session, actor, Permission::CareSetup).await
}

/// The store a set-up form is for (its hidden `store_id`, checked against the actor's scope).
async fn form_store(state: &AppState, actor: &Actor, values: &Values) -> Result<Uuid, StoreError> {
    care_store(&state.db.conn, actor, uuid_field(values, "store_id")).await
}

fn rule_input(values: &Values, errors: &mut Vec<FieldError>) -> RuleInput {
    let text = |name: &str| filled(values, name).unwrap_or_default();
    RuleInput {
        trigger: text("trigger"),
        offset_days: number(values, "offset_days", errors).unwrap_or(0),
        offset_hours: number(values, "offset_hours", errors).unwrap_or(0),
        repeat_every_months: number(values, "repeat_every_months", errors).unwrap_or(0),
        repeat_count: number(values, "repeat_count", errors),
        action: text("action"),
        channel: text("channel"),
        assignee: text("assignee"),
        title: text("title"),
        script: text("script"),
        survey: filled(values, "survey"),
        template: filled(values, "template"),
        active: Some(ticked(values, "active")),
    }
}

/// A rule's form sent: `save` changes the rule (`rule-{id}`) or adds it to its plan
/// (`plan-{id}`), and the notice names it ("已保存：首保提醒"; `done` the key of its first words).
async fn rule_form(
    state: &AppState,
    session: &Session,
    actor: &Actor,
    values: Values,
    key: String,
    done: &str,
    save: impl AsyncFnOnce(&RuleInput) -> Result<care_rule::Model, StoreError>,
) -> Response {
    let page = match setup_page_for(state, session, actor).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let input = rule_input(&values, &mut errors);
    let change = Change {
        key,
        outcome: unless_invalid(errors, save(&input)).await,
    };
    let done = page.t(done);
    let saved = move |rule: care_rule::Model| format!("{done}：{}", rule.title);
    answer(state, session, page, actor, values, change, saved).await
}

async fn save_rule(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let save = async |input: &RuleInput| plans::update_rule(&state.db, &actor, id, input).await;
    let (key, done) = (format!("rule-{id}"), "care.setup.saved");
    rule_form(&state, &session, &actor, values, key, done, save).await
}

async fn add_rule(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(plan_id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let add = async |input: &RuleInput| plans::add_rule(&state.db, &actor, plan_id, input).await;
    let (key, done) = (format!("plan-{plan_id}"), "care.setup.added");
    rule_form(&state, &session, &actor, values, key, done, add).await
}

/// Switches a plan on or off.
async fn switch_plan(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Path(plan_id): Path<Uuid>,
    Form(values): Form<Values>,
) -> Response {
    let page = match setup_page_for(&state, &session, &actor).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let input = PlanInput {
        name: None,
        active: Some(ticked(&values, "active")),
    };
    let change = Change {
        key: "plan".to_owned(),
        outcome: plans::update_plan(&state.db, &actor, plan_id, &input).await,
    };
    let (on, off) = (page.t("care.setup.plan_on"), page.t("care.setup.plan_off"));
    let saved = move |plan: fours_store::care::entities::care_plan::Model| {
        format!("{}：{}", plan.name, if plan.active { on } else { off })
    };
    answer(&state, &session, page, &actor, values, change, saved).await
}

async fn save_policy(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match setup_page_for(&state, &session, &actor).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let mut errors = Vec::new();
    let mut whole = |name: &'static str| number(&values, name, &mut errors).unwrap_or(0);
    let input = CarePolicy {
        quiet_start: filled(&values, "quiet_start").unwrap_or_default(),
        quiet_end: filled(&values, "quiet_end").unwrap_or_default(),
        max_attempts: whole("max_attempts"),
        escalation_grace_hours: whole("escalation_grace_hours"),
        low_score_threshold: whole("low_score_threshold"),
        first_service_months: whole("first_service_months"),
        first_service_km: whole("first_service_km"),
        second_service_months: whole("second_service_months"),
        second_service_km: whole("second_service_km"),
    };
    let change = async {
        let store_id = form_store(&state, &actor, &values).await?;
        policy::set(&state.db.conn, &actor, store_id, input).await
    };
    let change = Change {
        key: "policy".to_owned(),
        outcome: unless_invalid(errors, change).await,
    };
    let done = page.t("care.setup.saved");
    answer(&state, &session, page, &actor, values, change, move |_| {
        done
    })
    .await
}

async fn save_template(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match setup_page_for(&state, &session, &actor).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let text = |name: &str| filled(&values, name).unwrap_or_default();
    let input = TemplateInput {
        code: text("code"),
        channel: text("channel"),
        locale: text("locale"),
        subject: filled(&values, "subject"),
        body: values.get("body").cloned().unwrap_or_default(),
    };
    let key = format!("template-{}-{}-{}", input.code, input.channel, input.locale);
    let change = async {
        let store_id = form_store(&state, &actor, &values).await?;
        templates::set(&state.db.conn, &actor, store_id, &input).await
    };
    let change = Change {
        key,
        outcome: change.await,
    };
    let done = page.t("care.setup.saved");
    let saved =
        move |view: TemplateView| format!("{done}：{} {} {}", view.code, view.channel, view.locale);
    answer(&state, &session, page, &actor, values, change, saved).await
}

/// Handles waiting events and runs today's date rules for the store now (as the server's
/// daily job does; running it again makes nothing twice).
async fn run_now(
    State(state): State<AppState>,
    session: Session,
    PageCaller(actor): PageCaller,
    Form(values): Form<Values>,
) -> Response {
    let page = match setup_page_for(&state, &session, &actor).await {
        Ok(page) => page,
        Err(denied) => return denied,
    };
    let run = async {
        let store_id = form_store(&state, &actor, &values).await?;
        let events = generate::handle_events(&state.db, 1000).await?;
        let zone = org::store_zone(&state.db.conn, actor.tenant_id, Some(store_id)).await;
        let today = Utc::now().with_timezone(&zone).date_naive();
        let created = generate::run_day(&state.db, actor.tenant_id, store_id, today).await?;
        Ok::<_, StoreError>((events, created))
    };
    let change = Change {
        key: "run".to_owned(),
        outcome: run.await,
    };
    let lang = page.lang();
    let saved = move |(events, created): (u64, u64)| {
        rust_i18n::t!(
            "care.setup.ran",
            locale = lang,
            events = events,
            created = created
        )
        .into_owned()
    };
    answer(&state, &session, page, &actor, values, change, saved).await
}
