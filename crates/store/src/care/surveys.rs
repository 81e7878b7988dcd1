//! Satisfaction surveys: SSI after a sale, CSI after a service visit. Each store has its
//! templates (the seeds' two are created the first time a store's templates are read); a
//! response is asked on the phone from a care task, or sent as a mobile link whose token only
//! the customer's SMS carries (the database keeps its hash). Answers are checked and scored by
//! `fours_domain::care::survey`, written one row each for the reports, and a satisfaction
//! answer below the store's threshold opens a complaint for the store's customer care.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use fours_domain::access::DataScope;
use fours_domain::care::complaint::{Category, Channel as ComplaintChannel, Severity};
use fours_domain::care::survey::{
    self as rules, Outcome, Question, QuestionError, Side, Value as Answer,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::complaints::{self, NewComplaint, audit, timeline};
use super::feedback::{complaint, survey_answer, survey_response, survey_template};
use crate::Database;
use crate::customers::Event;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::{self, Actor};
use crate::sales::entities::sales_order;
use crate::sales::text;
use crate::service::entities::repair_order;
use crate::service::in_scope;

/// A link waiting for its answer.
pub const SENT: &str = "sent";
pub const ANSWERED: &str = "answered";
/// Asked on the phone (from a care task or a call).
pub const PHONE: &str = "phone";
/// Answered by the customer on the mobile page.
pub const LINK: &str = "link";
/// How long a mobile link may be answered.
pub const LINK_DAYS: i64 = 30;

/// The field an error of one question names: `answers.waiting_actual`. Field names are static
/// in the error shape, so each distinct name is kept once for the life of the process; only
/// codes of stored or valid template questions are named (at most 10,000), others fall back
/// to the list's name.
fn question_field(list: &'static str, question: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    if !rules::valid_code(question) {
        return list;
    }
    let name = format!("{list}.{question}");
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = names.get(name.as_str()) {
        return known;
    }
    if names.len() >= 10_000 {
        return list;
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    kept
}

fn question_errors(list: &'static str, errors: Vec<QuestionError>) -> StoreError {
    StoreError::Invalid(
        errors
            .into_iter()
            .map(|e| FieldError {
                field: question_field(list, &e.question),
                code: e.code,
            })
            .collect(),
    )
}

/// The questions of a template.
pub fn questions_of(template: &survey_template::Model) -> Vec<Question> {
    serde_json::from_value(template.questions.clone()).unwrap_or_default()
}

/// The stores whose templates the actor looks at: the one asked (their own for store staff),
/// else their own, else (group users) every store of the group.
async fn stores_in_view(
    db: &impl ConnectionTrait,
    actor: &Actor,
    asked: Option<Uuid>,
) -> StoreResult<Vec<Uuid>> {
    if let Some(store_id) = asked {
        crate::sales::store_of(actor, Some(store_id))?;
        org::find_store(db, actor.tenant_id, store_id)
            .await
            .map_err(|_| StoreError::invalid("store_id", "reference.not_found"))?;
        return Ok(vec![store_id]);
    }
    match (actor.scope, actor.store_id) {
        (DataScope::Group, _) | (_, None) => Ok(org::list_stores(db, actor.tenant_id)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect()),
        (_, Some(own)) => Ok(vec![own]),
    }
}

/// Gives each store the seeds' SSI and CSI templates it does not have yet (once: a store that
/// deactivated or changed them keeps its own).
pub async fn ensure_defaults(db: &Database, tenant_id: Uuid, stores: &[Uuid]) -> StoreResult<()> {
    let defaults = rules::default_templates();
    let codes: Vec<&str> = defaults.iter().map(|d| d.code).collect();
    let mut have = HashSet::new();
    for chunk in stores.chunks(500) {
        let found: Vec<(Uuid, String)> = survey_template::Entity::find()
            .select_only()
            .column(survey_template::Column::StoreId)
            .column(survey_template::Column::Code)
            .filter(survey_template::Column::TenantId.eq(tenant_id))
            .filter(survey_template::Column::StoreId.is_in(chunk.to_vec()))
            .filter(survey_template::Column::Code.is_in(codes.clone()))
            .into_tuple()
            .all(&db.conn)
            .await?;
        have.extend(found);
    }
    let missing: Vec<(Uuid, &rules::DefaultTemplate)> = stores
        .iter()
        .flat_map(|store| defaults.iter().map(move |d| (*store, d)))
        .filter(|(store, d)| !have.contains(&(*store, d.code.to_owned())))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    for (store_id, default) in missing {
        let id = Uuid::now_v7();
        let inserted = survey_template::Entity::insert(survey_template::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(id),
            store_id: Set(store_id),
            code: Set(default.code.to_owned()),
            name: Set(default.name.to_owned()),
            touch_point: Set(default.touch_point.to_owned()),
            questions: Set(json!(default.questions)),
            active: Set(true),
            created_at: Set(Utc::now()),
            updated_at: Set(None),
        })
        .on_conflict(
            OnConflict::columns([
                survey_template::Column::TenantId,
                survey_template::Column::StoreId,
                survey_template::Column::Code,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec(&txn)
        .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(_)) {
            audit(
                &txn,
                tenant_id,
                None,
                "create",
                "survey_template",
                id,
                &json!({"store_id": store_id, "code": default.code}),
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TemplateFilter {
    pub store_id: Option<Uuid>,
    pub code: Option<String>,
    pub active: Option<bool>,
}

/// The templates of the stores in view (each store gets the default SSI and CSI the first
/// time).
pub async fn templates(
    db: &Database,
    actor: &Actor,
    filter: &TemplateFilter,
) -> StoreResult<Vec<survey_template::Model>> {
    let stores = stores_in_view(&db.conn, actor, filter.store_id).await?;
    ensure_defaults(db, actor.tenant_id, &stores).await?;
    let mut query = survey_template::Entity::find()
        .filter(survey_template::Column::TenantId.eq(actor.tenant_id))
        .filter(survey_template::Column::StoreId.is_in(stores));
    if let Some(code) = text(&filter.code) {
        query = query.filter(survey_template::Column::Code.eq(code));
    }
    if let Some(active) = filter.active {
        query = query.filter(survey_template::Column::Active.eq(active));
    }
    Ok(query
        .order_by_asc(survey_template::Column::StoreId)
        .order_by_asc(survey_template::Column::Code)
        .limit(1000)
        .all(&db.conn)
        .await?)
}

pub async fn template(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<survey_template::Model> {
    survey_template::Entity::find()
        .filter(in_scope(
            actor,
            survey_template::Column::TenantId,
            survey_template::Column::StoreId,
        ))
        .filter(survey_template::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A store's template by code (the defaults are made first when missing).
pub async fn template_by_code(
    db: &Database,
    tenant_id: Uuid,
    store_id: Uuid,
    code: &str,
) -> StoreResult<Option<survey_template::Model>> {
    ensure_defaults(db, tenant_id, &[store_id]).await?;
    Ok(survey_template::Entity::find()
        .filter(survey_template::Column::TenantId.eq(tenant_id))
        .filter(survey_template::Column::StoreId.eq(store_id))
        .filter(survey_template::Column::Code.eq(code.trim()))
        .one(&db.conn)
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SurveyTemplateInput)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// For group users: the store (default the caller's).
    pub store_id: Option<Uuid>,
    /// Letters, digits and `_`: `ssi`, `csi`, `delivery_7d`…
    pub code: String,
    pub name: String,
    /// The moment of truth asked about: `delivery`, `service`, `test_drive`…
    pub touch_point: String,
    /// `[{code, text, kind: scale10|scale5|yes_no|choice|text, required, options: [..],
    /// pair: {code, side: expectation|performance}, nps: true}]`
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<Question>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateChange {
    pub name: Option<String>,
    pub touch_point: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub questions: Option<Vec<Question>>,
    pub active: Option<bool>,
}

fn check_template(
    name: &str,
    touch_point: &str,
    questions: &[Question],
) -> StoreResult<(String, String)> {
    let mut errors = Vec::new();
    let name = name.trim().to_owned();
    if name.is_empty() {
        errors.push(FieldError {
            field: "name",
            code: "required",
        });
    } else if name.chars().count() > 100 {
        errors.push(FieldError {
            field: "name",
            code: "text.too_long",
        });
    }
    let touch_point = touch_point.trim().to_owned();
    if !rules::valid_code(&touch_point) {
        errors.push(FieldError {
            field: "touch_point",
            code: "survey.code_format",
        });
    }
    if let Err(StoreError::Invalid(found)) =
        rules::validate_template(questions).map_err(|e| question_errors("questions", e))
    {
        errors.extend(found);
    }
    if errors.is_empty() {
        Ok((name, touch_point))
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// A store's own template (CareSetup).
pub async fn create_template(
    db: &Database,
    actor: &Actor,
    input: &TemplateInput,
) -> StoreResult<survey_template::Model> {
    let store_id = crate::sales::store_of(actor, input.store_id)?;
    let code = input.code.trim().to_owned();
    let checked = check_template(&input.name, &input.touch_point, &input.questions);
    if !rules::valid_code(&code) {
        let mut errors = vec![FieldError {
            field: "code",
            code: "survey.code_format",
        }];
        if let Err(StoreError::Invalid(more)) = checked {
            errors.extend(more);
        }
        return Err(StoreError::Invalid(errors));
    }
    let (name, touch_point) = checked?;
    org::find_store(&db.conn, actor.tenant_id, store_id)
        .await
        .map_err(|_| StoreError::invalid("store_id", "reference.not_found"))?;
    // The defaults first, so that a store's own "ssi" is a duplicate rather than a race.
    ensure_defaults(db, actor.tenant_id, &[store_id]).await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    if let Some(existing) = survey_template::Entity::find()
        .filter(survey_template::Column::TenantId.eq(actor.tenant_id))
        .filter(survey_template::Column::StoreId.eq(store_id))
        .filter(survey_template::Column::Code.eq(code.clone()))
        .one(&txn)
        .await?
    {
        return Err(StoreError::Duplicate {
            entity: "survey_template",
            field: "code",
            existing_id: existing.id,
        });
    }
    let created = survey_template::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        code: Set(code),
        name: Set(name),
        touch_point: Set(touch_point),
        questions: Set(json!(input.questions)),
        active: Set(input.active.unwrap_or(true)),
        created_at: Set(Utc::now()),
        updated_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit(
        &txn,
        actor.tenant_id,
        Some(actor),
        "create",
        "survey_template",
        created.id,
        &created,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Changes a template's name, touch point, questions or whether it is used (CareSetup).
/// Answers already given keep their question codes.
pub async fn update_template(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &TemplateChange,
) -> StoreResult<survey_template::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = template(&txn, actor, id).await?;
    let questions = input
        .questions
        .clone()
        .unwrap_or_else(|| questions_of(&current));
    let (name, touch_point) = check_template(
        input.name.as_deref().unwrap_or(&current.name),
        input.touch_point.as_deref().unwrap_or(&current.touch_point),
        &questions,
    )?;
    let before = current.clone();
    let mut model: survey_template::ActiveModel = current.into();
    model.name = Set(name);
    model.touch_point = Set(touch_point);
    model.questions = Set(json!(questions));
    if let Some(active) = input.active {
        model.active = Set(active);
    }
    model.updated_at = Set(Some(Utc::now()));
    let changed = model.update(&txn).await?;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::AuditEntry {
            action: "update",
            entity: "survey_template",
            entity_id: Some(changed.id),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&changed).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(changed)
}

/// What a response is about, checked: the template, store, customer and car, the care task
/// and the staff member rated.
struct About {
    template: survey_template::Model,
    store_id: Uuid,
    customer_id: Uuid,
    vehicle_id: Option<Uuid>,
    task_id: Option<Uuid>,
    staff_id: Option<Uuid>,
}

/// The consultant or advisor behind a task's sales or repair order.
async fn staff_behind(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    related: Option<Uuid>,
) -> StoreResult<Option<Uuid>> {
    let Some(related) = related else {
        return Ok(None);
    };
    if let Some(order) = repair_order::Entity::find_by_id((tenant_id, related))
        .one(db)
        .await?
    {
        return Ok(Some(order.advisor_id));
    }
    Ok(sales_order::Entity::find_by_id((tenant_id, related))
        .one(db)
        .await?
        .map(|order| order.consultant_id))
}

/// Checks what a response is about, as the caller names it (a link's input names exactly
/// that; a phone response's input names it beside its answers).
async fn resolve(db: &Database, actor: &Actor, asked: &LinkInput) -> StoreResult<About> {
    let conn = &db.conn;
    let task = match asked.task_id {
        Some(id) => Some(
            super::tasks::get(conn, actor, id)
                .await
                .map_err(|_| StoreError::invalid("task_id", "reference.not_found"))?,
        ),
        None => None,
    };
    let customer_id = match (&task, asked.customer_id) {
        (Some(task), Some(given)) if given != task.customer_id => {
            return Err(StoreError::invalid("customer_id", "feedback.not_customers"));
        }
        (Some(task), _) => task.customer_id,
        (None, Some(given)) => given,
        (None, None) => return Err(StoreError::invalid("customer_id", "required")),
    };
    let customer = crate::customers::get(conn, actor, customer_id)
        .await
        .map_err(|_| StoreError::invalid("customer_id", "reference.not_found"))?;
    complaints::check_vehicle(conn, actor, asked.vehicle_id, customer.id).await?;
    let template = match asked.template_id {
        Some(id) => template(conn, actor, id)
            .await
            .map_err(|_| StoreError::invalid("template_id", "reference.not_found"))?,
        None => {
            let store_id = match &task {
                Some(task) => task.store_id,
                None => crate::sales::store_of(
                    actor,
                    asked
                        .store_id
                        .or(actor.store_id)
                        .or(Some(customer.store_id)),
                )?,
            };
            let code = text(&asked.template_code)
                .or_else(|| task.as_ref().and_then(|t| t.survey.clone()))
                .ok_or_else(|| StoreError::invalid("template_code", "required"))?;
            template_by_code(db, actor.tenant_id, store_id, &code)
                .await?
                .ok_or_else(|| StoreError::invalid("template_code", "reference.not_found"))?
        }
    };
    if !template.active {
        return Err(StoreError::invalid("template_id", "survey.inactive"));
    }
    crate::sales::store_of(actor, Some(template.store_id))?;
    let staff_id = match asked.staff_id {
        Some(staff) => match org::find_user(conn, actor.tenant_id, staff).await {
            Ok(found) if found.active => Some(staff),
            _ => return Err(StoreError::invalid("staff_id", "reference.not_found")),
        },
        None => {
            staff_behind(
                conn,
                actor.tenant_id,
                task.as_ref().and_then(|t| t.related_id),
            )
            .await?
        }
    };
    Ok(About {
        store_id: template.store_id,
        template,
        customer_id: customer.id,
        vehicle_id: asked
            .vehicle_id
            .or(task.as_ref().and_then(|t| t.vehicle_id)),
        task_id: task.map(|t| t.id),
        staff_id,
    })
}

/// Answers as given in JSON (by question code) read as the template's questions expect:
/// numbers, true/false, words; `null` and empty words are unanswered.
pub fn parse_answers(
    questions: &[Question],
    given: &BTreeMap<String, Value>,
) -> Vec<(String, Answer)> {
    given
        .iter()
        .filter_map(|(code, value)| {
            let kind = questions.iter().find(|q| q.code == *code).map(|q| q.kind);
            let answer = match value {
                Value::Null => return None,
                Value::Bool(yes) => Answer::Flag(*yes),
                Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                    (Some(whole), _) => Answer::Number(whole),
                    (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e9 => {
                        Answer::Number(f as i64)
                    }
                    _ => Answer::Text(n.to_string()),
                },
                Value::String(words) => match kind {
                    Some(kind) => Answer::from_form(kind, words)?,
                    None => Answer::Text(words.clone()),
                },
                other => Answer::Text(other.to_string()),
            };
            Some((code.clone(), answer))
        })
        .collect()
}

/// Answers typed into a form (`<prefix><code>` fields) as the JSON the store reads.
pub fn answers_from_form(
    questions: &[Question],
    values: &HashMap<String, String>,
    prefix: &str,
) -> BTreeMap<String, Value> {
    questions
        .iter()
        .filter_map(|q| {
            let raw = values.get(&format!("{prefix}{}", q.code))?;
            Some((q.code.clone(), Value::String(raw.clone())))
        })
        .collect()
}

/// A paired question's CS gap.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapView {
    pub pair: String,
    /// 0–100 scores of the two halves.
    pub expectation: i32,
    pub performance: i32,
    /// performance − expectation
    pub gap: i32,
    /// `above` (very satisfied), `equal` (basically satisfied), `below` (dissatisfied)
    pub reading: String,
}

/// A response with its answers and what they come to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResponseDetail {
    pub response: survey_response::Model,
    pub template_name: String,
    pub answers: Vec<survey_answer::Model>,
    /// The mean of the satisfaction answers (0–100, one decimal; expectations left out).
    pub index: Option<f64>,
    /// Percent of the satisfaction answers in the top box (9–10, 5 of 5, yes).
    pub top_box: Option<f64>,
    pub gaps: Vec<GapView>,
    /// The complaint a low answer opened.
    pub complaint_id: Option<Uuid>,
}

fn gap_views(outcome: &Outcome, questions: &[Question]) -> Vec<GapView> {
    let score_of = |pair: &str, side: Side| {
        let code = questions
            .iter()
            .find(|q| {
                q.pair
                    .as_ref()
                    .is_some_and(|p| p.code == pair && p.side == side)
            })?
            .code
            .as_str();
        outcome
            .answers
            .iter()
            .find(|a| a.question == code)
            .and_then(|a| a.score)
    };
    outcome
        .gaps
        .iter()
        .map(|(pair, gap)| GapView {
            pair: pair.clone(),
            expectation: score_of(pair, Side::Expectation).unwrap_or_default(),
            performance: score_of(pair, Side::Performance).unwrap_or_default(),
            gap: gap.gap,
            reading: gap.reading.as_str().to_owned(),
        })
        .collect()
}

/// The outcome of stored answers, scored again against the template.
fn outcome_of(questions: &[Question], answers: &[survey_answer::Model]) -> Option<Outcome> {
    let given: Vec<(String, Answer)> = answers
        .iter()
        .filter_map(|a| {
            let kind = questions.iter().find(|q| q.code == a.question_code)?.kind;
            Some((a.question_code.clone(), Answer::from_form(kind, &a.value)?))
        })
        .collect();
    // Stored answers were valid when given; a template changed since may not say so.
    let lenient: Vec<Question> = questions
        .iter()
        .map(|q| Question {
            required: false,
            ..q.clone()
        })
        .collect();
    rules::score(&lenient, &given, 0).ok()
}

/// The template a response answers.
async fn template_of(
    db: &impl ConnectionTrait,
    response: &survey_response::Model,
) -> StoreResult<survey_template::Model> {
    survey_template::Entity::find_by_id((response.tenant_id, response.template_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn detail_of(
    db: &impl ConnectionTrait,
    response: survey_response::Model,
) -> StoreResult<ResponseDetail> {
    let answers = survey_answer::Entity::find()
        .filter(survey_answer::Column::TenantId.eq(response.tenant_id))
        .filter(survey_answer::Column::ResponseId.eq(response.id))
        .order_by_asc(survey_answer::Column::Id)
        .all(db)
        .await?;
    let template = template_of(db, &response).await?;
    let questions = questions_of(&template);
    let outcome = outcome_of(&questions, &answers);
    let complaint_id = complaint::Entity::find()
        .filter(complaint::Column::TenantId.eq(response.tenant_id))
        .filter(complaint::Column::SurveyResponseId.eq(response.id))
        .one(db)
        .await?
        .map(|c| c.id);
    Ok(ResponseDetail {
        template_name: template.name,
        index: outcome.as_ref().and_then(|o| o.index),
        top_box: outcome.as_ref().and_then(|o| o.top_box),
        gaps: outcome
            .as_ref()
            .map(|o| gap_views(o, &questions))
            .unwrap_or_default(),
        complaint_id,
        answers,
        response,
    })
}

/// Writes the answers of a response, its timeline event and, when an answer is low, its
/// complaint. Returns the complaint's id.
async fn write_answers(
    txn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    response: &survey_response::Model,
    template: &survey_template::Model,
    questions: &[Question],
    outcome: &Outcome,
) -> StoreResult<Option<Uuid>> {
    let at = response.answered_at.unwrap_or_else(Utc::now);
    for scored in &outcome.answers {
        let pair = questions
            .iter()
            .find(|q| q.code == scored.question)
            .and_then(|q| q.pair.clone());
        survey_answer::ActiveModel {
            tenant_id: Set(response.tenant_id),
            id: Set(Uuid::now_v7()),
            response_id: Set(response.id),
            store_id: Set(response.store_id),
            staff_id: Set(response.staff_id),
            touch_point: Set(response.touch_point.clone()),
            template_code: Set(template.code.clone()),
            question_code: Set(scored.question.clone()),
            pair_code: Set(pair.as_ref().map(|p| p.code.clone())),
            side: Set(pair.map(|p| p.side.as_str().to_owned())),
            value: Set(scored.value.stored()),
            score: Set(scored.score),
            answered_at: Set(at),
        }
        .insert(txn)
        .await?;
    }
    let tenant_id = response.tenant_id;
    audit(
        txn,
        tenant_id,
        actor,
        "answer",
        "survey_response",
        response.id,
        response,
    )
    .await?;
    let mut summary = format!("{}：", template.name);
    if let Some(index) = outcome.index {
        summary.push_str(&format!("满意度指数 {index}"));
    }
    if let Some(recommend) = outcome.recommend {
        summary.push_str(&format!("，推荐意愿 {recommend}/10"));
    }
    timeline(
        txn,
        tenant_id,
        actor,
        Event {
            customer_id: Some(response.customer_id),
            vehicle_id: response.vehicle_id,
            kind: "survey_answered",
            summary,
            data: Some(json!({"response_id": response.id, "template": template.code, "index": outcome.index,
               "recommend": outcome.recommend, "channel": response.channel, "low": outcome.low})),
        },
    )
    .await?;
    if outcome.low.is_empty() {
        return Ok(None);
    }
    // One complaint per response, for the store's customer care to call back.
    let words = low_words(questions, outcome);
    let owner = complaints::default_owner(txn, tenant_id, response.store_id).await?;
    let opened = complaints::open_in(
        txn,
        tenant_id,
        actor,
        NewComplaint {
            store_id: response.store_id,
            customer_id: response.customer_id,
            vehicle_id: response.vehicle_id,
            sales_order_id: None,
            repair_order_id: None,
            survey_response_id: Some(response.id),
            channel: ComplaintChannel::Survey,
            category: match template.touch_point.as_str() {
                rules::touch_points::DELIVERY => Category::Delivery,
                "sales" => Category::Sales,
                _ => Category::Other,
            },
            severity: Severity::Medium,
            words,
            owner_id: owner,
            at,
        },
    )
    .await?;
    Ok(Some(opened.id))
}

/// "等候时间：实际感受…：2；…" — the low answers in the questions' words, and any comment.
fn low_words(questions: &[Question], outcome: &Outcome) -> String {
    let mut parts: Vec<String> = outcome
        .low
        .iter()
        .filter_map(|code| {
            let q = questions.iter().find(|q| q.code == *code)?;
            let a = outcome.answers.iter().find(|a| a.question == *code)?;
            let value = match &a.value {
                Answer::Flag(true) => "是".to_owned(),
                Answer::Flag(false) => "否".to_owned(),
                other => other.stored(),
            };
            Some(format!("{}：{value}", q.text))
        })
        .collect();
    for a in &outcome.answers {
        let is_text = questions
            .iter()
            .any(|q| q.code == a.question && q.kind == rules::QuestionKind::Text);
        if is_text && let Answer::Text(words) = &a.value {
            parts.push(format!("客户原话：{words}"));
        }
    }
    let mut words = format!("满意度回访低分：{}", parts.join("；"));
    if words.chars().count() > complaints::MAX_WORDS {
        words = words.chars().take(complaints::MAX_WORDS).collect();
    }
    words
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    pub template_id: Option<Uuid>,
    /// The store's template by code (`ssi`, `csi`); with `task_id`, the task's survey by
    /// default.
    pub template_code: Option<String>,
    /// With `task_id`, the task's customer by default.
    pub customer_id: Option<Uuid>,
    pub vehicle_id: Option<Uuid>,
    /// The care task the survey was asked in (on the phone).
    pub task_id: Option<Uuid>,
    /// The consultant or advisor being rated (by default the one of the task's order).
    pub staff_id: Option<Uuid>,
    /// For group users without a task or template id: the store.
    pub store_id: Option<Uuid>,
    /// By question code: a number for scales (0–10, 1–5), true/false for yes/no, words for
    /// choices and comments.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, Value>,
}

/// How a new response is taken: answered on the phone, or sent as a link (its token's hash).
enum Taken<'a> {
    Phone(&'a Outcome),
    Link(String),
}

/// The satisfaction index a response keeps (a whole number).
fn index_score(outcome: &Outcome) -> Option<i32> {
    outcome.index.map(|i| i.round() as i32)
}

/// Writes a new response to what `about` names, recorded by the actor.
async fn insert_response(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    about: &About,
    taken: Taken<'_>,
    now: DateTime<Utc>,
) -> StoreResult<survey_response::Model> {
    let (channel, token_hash, status, outcome) = match taken {
        Taken::Phone(outcome) => (PHONE, None, ANSWERED, Some(outcome)),
        Taken::Link(hash) => (LINK, Some(hash), SENT, None),
    };
    Ok(survey_response::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        template_id: Set(about.template.id),
        template_code: Set(about.template.code.clone()),
        store_id: Set(about.store_id),
        customer_id: Set(about.customer_id),
        vehicle_id: Set(about.vehicle_id),
        task_id: Set(about.task_id),
        staff_id: Set(about.staff_id),
        touch_point: Set(about.template.touch_point.clone()),
        channel: Set(channel.to_owned()),
        token_hash: Set(token_hash),
        status: Set(status.to_owned()),
        index_score: Set(outcome.and_then(index_score)),
        nps: Set(outcome.and_then(|o| o.recommend)),
        recorded_by: Set(Some(actor.user_id)),
        answered_at: Set(outcome.map(|_| now)),
        created_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// Records a survey asked on the phone (CareWork): the answers checked against the template
/// and scored, one row each, the response, its timeline event and (for a low answer) its
/// complaint, in one transaction.
pub async fn record_response(
    db: &Database,
    actor: &Actor,
    input: &ResponseInput,
) -> StoreResult<ResponseDetail> {
    let about = resolve(db, actor, &LinkInput::from(input)).await?;
    let questions = questions_of(&about.template);
    let threshold = super::policy::threshold(&db.conn, actor.tenant_id, about.store_id).await?;
    let outcome = rules::score(
        &questions,
        &parse_answers(&questions, &input.answers),
        threshold,
    )
    .map_err(|errors| question_errors("answers", errors))?;
    let now = Utc::now();
    let txn = crate::db::begin_write(&db.conn).await?;
    let taken = Taken::Phone(&outcome);
    let response = insert_response(&txn, actor, &about, taken, now).await?;
    write_answers(
        &txn,
        Some(actor),
        &response,
        &about.template,
        &questions,
        &outcome,
    )
    .await?;
    let detail = detail_of(&txn, response).await?;
    txn.commit().await?;
    Ok(detail)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub template_id: Option<Uuid>,
    /// The store's template by code (`ssi`, `csi`).
    pub template_code: Option<String>,
    pub customer_id: Option<Uuid>,
    pub vehicle_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
}

/// What a phone response is about: its input without the answers.
impl From<&ResponseInput> for LinkInput {
    fn from(input: &ResponseInput) -> Self {
        LinkInput {
            template_id: input.template_id,
            template_code: input.template_code.clone(),
            customer_id: input.customer_id,
            vehicle_id: input.vehicle_id,
            task_id: input.task_id,
            staff_id: input.staff_id,
            store_id: input.store_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SentLink {
    pub response: survey_response::Model,
    /// The customer's page: `/s/{token}` (shown once; only its hash is kept).
    pub path: String,
    /// The whole address as sent in the SMS.
    pub url: String,
    pub expires_at: DateTime<Utc>,
    /// The outbox message carrying the link.
    pub message_id: Uuid,
    /// `pending`, or `suppressed` when the customer cannot be texted.
    pub message_status: String,
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Sends the customer a mobile link to the survey (CareManage): a response waiting for its
/// answer and an SMS in the outbox (held back during the store's quiet hours). `base_url` is
/// the server's public address (`https://dms.example.com`).
pub async fn send_link(
    db: &Database,
    actor: &Actor,
    input: &LinkInput,
    base_url: &str,
) -> StoreResult<SentLink> {
    let about = resolve(db, actor, input).await?;
    let token = format!(
        "{}.{}",
        actor.tenant_id.simple(),
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>())
    );
    let path = format!("/s/{token}");
    let url = format!("{}{path}", base_url.trim_end_matches('/'));
    let now = Utc::now();
    let txn = crate::db::begin_write(&db.conn).await?;
    let taken = Taken::Link(token_hash(&token));
    let response = insert_response(&txn, actor, &about, taken, now).await?;
    let message = super::outbox::enqueue(
        &txn,
        actor.tenant_id,
        super::outbox::NewMessage {
            store_id: about.store_id,
            customer_id: about.customer_id,
            channel: fours_notify::ChannelKind::Sms,
            code: "survey_invite".into(),
            context: json!({"survey_link": url}),
            related_id: Some(response.id),
            at: now,
        },
    )
    .await?;
    audit(
        &txn,
        actor.tenant_id,
        Some(actor),
        "create",
        "survey_response",
        response.id,
        &response,
    )
    .await?;
    timeline(
        &txn,
        actor.tenant_id,
        Some(actor),
        Event {
            customer_id: Some(response.customer_id),
            vehicle_id: response.vehicle_id,
            kind: "survey_link_sent",
            summary: format!("{}：已发送手机问卷链接", about.template.name),
            data: Some(json!({"response_id": response.id, "template": about.template.code, "message_id": message.id})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(SentLink {
        expires_at: response.created_at + Duration::days(LINK_DAYS),
        response,
        path,
        url,
        message_id: message.id,
        message_status: message.status,
    })
}

/// The response a link's token names, if it is one of ours (else not found).
async fn by_token(
    db: &impl ConnectionTrait,
    token: &str,
    lock: bool,
) -> StoreResult<survey_response::Model> {
    let tenant_id = token
        .split_once('.')
        .and_then(|(tenant, _)| Uuid::parse_str(tenant).ok())
        .ok_or(StoreError::NotFound)?;
    let mut query = survey_response::Entity::find()
        .filter(survey_response::Column::TenantId.eq(tenant_id))
        .filter(survey_response::Column::TokenHash.eq(token_hash(token)));
    if lock {
        query = query.lock_exclusive();
    }
    query.one(db).await?.ok_or(StoreError::NotFound)
}

/// A link may be answered once, within [`LINK_DAYS`].
fn still_open(response: &survey_response::Model, now: DateTime<Utc>) -> StoreResult<()> {
    if response.status != SENT {
        return Err(StoreError::invalid("token", "survey.link_used"));
    }
    if now > response.created_at + Duration::days(LINK_DAYS) {
        return Err(StoreError::invalid("token", "survey.link_expired"));
    }
    Ok(())
}

/// What the customer's mobile page shows (no sign-in: the token is the credential).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedSurvey {
    pub store_name: String,
    pub template_name: String,
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<Question>,
    pub expires_at: DateTime<Utc>,
}

pub async fn linked(db: &Database, token: &str) -> StoreResult<LinkedSurvey> {
    let response = by_token(&db.conn, token, false).await?;
    still_open(&response, Utc::now())?;
    let template = template_of(&db.conn, &response).await?;
    let store = org::find_store(&db.conn, response.tenant_id, response.store_id).await?;
    Ok(LinkedSurvey {
        store_name: store.name,
        questions: questions_of(&template),
        template_name: template.name,
        expires_at: response.created_at + Duration::days(LINK_DAYS),
    })
}

/// The customer answers on the mobile page: once only, checked and scored as on the phone.
pub async fn answer_by_link(
    db: &Database,
    token: &str,
    answers: &BTreeMap<String, Value>,
) -> StoreResult<ResponseDetail> {
    let now = Utc::now();
    let txn = crate::db::begin_write(&db.conn).await?;
    // Read inside the transaction and hold it: a second submission waits, then sees it used.
    let response = by_token(&txn, token, true).await?;
    still_open(&response, now)?;
    let template = template_of(&txn, &response).await?;
    let questions = questions_of(&template);
    let threshold = super::policy::threshold(&txn, response.tenant_id, response.store_id).await?;
    let outcome = rules::score(&questions, &parse_answers(&questions, answers), threshold)
        .map_err(|errors| question_errors("answers", errors))?;
    let mut model: survey_response::ActiveModel = response.into();
    model.status = Set(ANSWERED.to_owned());
    model.index_score = Set(index_score(&outcome));
    model.nps = Set(outcome.recommend);
    model.answered_at = Set(Some(now));
    let answered = model.update(&txn).await?;
    write_answers(&txn, None, &answered, &template, &questions, &outcome).await?;
    let detail = detail_of(&txn, answered).await?;
    txn.commit().await?;
    Ok(detail)
}

/// Responses the actor may see: their store's (a consultant's: those they recorded or that
/// rate them).
fn visible(actor: &Actor) -> Condition {
    let base = in_scope(
        actor,
        survey_response::Column::TenantId,
        survey_response::Column::StoreId,
    );
    if actor.scope != DataScope::Own {
        return base;
    }
    base.add(
        Condition::any()
            .add(survey_response::Column::RecordedBy.eq(actor.user_id))
            .add(survey_response::Column::StaffId.eq(actor.user_id)),
    )
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ResponseFilter {
    pub customer_id: Option<Uuid>,
    pub template_code: Option<String>,
    /// `sent` or `answered`
    pub status: Option<String>,
    pub staff_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
    /// At most this many, newest first (default 200, at most 500).
    pub limit: Option<u64>,
}

pub async fn responses(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &ResponseFilter,
) -> StoreResult<Vec<survey_response::Model>> {
    let mut query = survey_response::Entity::find().filter(visible(actor));
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(survey_response::Column::CustomerId.eq(customer_id));
    }
    if let Some(code) = text(&filter.template_code) {
        query = query.filter(survey_response::Column::TemplateCode.eq(code));
    }
    if let Some(status) = text(&filter.status) {
        query = query.filter(survey_response::Column::Status.eq(status));
    }
    if let Some(staff_id) = filter.staff_id {
        query = query.filter(survey_response::Column::StaffId.eq(staff_id));
    }
    if let Some(task_id) = filter.task_id {
        query = query.filter(survey_response::Column::TaskId.eq(task_id));
    }
    if let Some(store_id) = filter.store_id {
        query = query.filter(survey_response::Column::StoreId.eq(store_id));
    }
    Ok(query
        .order_by_desc(survey_response::Column::Id)
        .limit(filter.limit.unwrap_or(200).clamp(1, 500))
        .all(db)
        .await?)
}

pub async fn response(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<ResponseDetail> {
    let found = survey_response::Entity::find()
        .filter(visible(actor))
        .filter(survey_response::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    detail_of(db, found).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    pub store_id: Option<Uuid>,
    /// Only this template code (`ssi`, `csi`).
    pub template_code: Option<String>,
    pub staff_id: Option<Uuid>,
    /// First and last store day (default: the first of the month five months ago to today).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The scores of one slice of the answers.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Score {
    /// The template, `template.question`, touch point, staff or store id, or `YYYY-MM`.
    pub key: String,
    /// The question's words, the staff member's or store's name.
    pub label: String,
    /// Satisfaction answers counted (expectations left out).
    pub answers: i64,
    /// Mean 0–100 score, one decimal.
    pub index: Option<f64>,
    /// Percent in the top box.
    pub top_box: Option<f64>,
    /// Recommend answers counted (not per question).
    pub recommend_answers: i64,
    /// % promoters (9–10) − % detractors (0–6).
    pub nps: Option<f64>,
}

/// The mean expectation and performance of a pair, and their gap.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairScore {
    pub template_code: String,
    pub pair: String,
    pub answers: i64,
    pub expectation: Option<f64>,
    pub performance: Option<f64>,
    /// performance − expectation
    pub gap: Option<f64>,
    /// `above`, `equal`, `below`
    pub reading: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: Score,
    pub by_template: Vec<Score>,
    pub by_question: Vec<Score>,
    pub by_touch_point: Vec<Score>,
    pub by_staff: Vec<Score>,
    pub by_store: Vec<Score>,
    /// The trend, one per month of the period.
    pub by_month: Vec<Score>,
    pub pairs: Vec<PairScore>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    answers: i64,
    total: i64,
    top: i64,
    recommend: i64,
    promoters: i64,
    detractors: i64,
}

impl Sums {
    fn add(&mut self, other: Sums) {
        self.answers += other.answers;
        self.total += other.total;
        self.top += other.top;
        self.recommend += other.recommend;
        self.promoters += other.promoters;
        self.detractors += other.detractors;
    }

    fn score(self, key: String, label: String) -> Score {
        Score {
            key,
            label,
            answers: self.answers,
            index: (self.answers > 0)
                .then(|| (self.total as f64 * 10.0 / self.answers as f64).round() / 10.0),
            top_box: rules::percent(self.top, self.answers),
            recommend_answers: self.recommend,
            nps: rules::nps_from_counts(self.promoters, self.detractors, self.recommend),
        }
    }
}

/// The scope, store, template, staff and period filters of the report on a table.
fn report_filter<C: ColumnTrait>(
    actor: &Actor,
    query: &ReportQuery,
    columns: (C, C, C, C, C),
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Condition {
    let (tenant, store, template, staff, at) = columns;
    let mut condition = in_scope(actor, tenant, store)
        .add(at.gte(start))
        .add(at.lt(end));
    if let Some(store_id) = query.store_id {
        condition = condition.add(store.eq(store_id));
    }
    if let Some(code) = text(&query.template_code) {
        condition = condition.add(template.eq(code));
    }
    if let Some(staff_id) = query.staff_id {
        condition = condition.add(staff.eq(staff_id));
    }
    condition
}

type AnswerKey = (String, String, Uuid, Option<Uuid>, String);
/// An answer group's key and its count, sum of scores and top-box count.
type AnswerRow = (String, String, Uuid, Option<Uuid>, String, i64, i64, i64);

/// Satisfaction answers per template, question, store, staff and touch point.
async fn answer_sums(
    db: &impl ConnectionTrait,
    condition: Condition,
    grouped: bool,
) -> StoreResult<Vec<(AnswerKey, Sums)>> {
    use survey_answer::Column as A;
    let mut select = survey_answer::Entity::find()
        .select_only()
        .filter(condition)
        .filter(A::Score.is_not_null())
        .filter(
            Condition::any()
                .add(A::Side.is_null())
                .add(A::Side.ne(Side::Expectation.as_str())),
        );
    if grouped {
        select = select
            .column(A::TemplateCode)
            .column(A::QuestionCode)
            .column(A::StoreId)
            .column(A::StaffId)
            .column(A::TouchPoint)
            .group_by(A::TemplateCode)
            .group_by(A::QuestionCode)
            .group_by(A::StoreId)
            .group_by(A::StaffId)
            .group_by(A::TouchPoint);
    }
    let select = select
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(Expr::cust("COALESCE(SUM(score), 0)"), "total")
        .column_as(
            Expr::cust(format!(
                "COALESCE(SUM(CASE WHEN score >= {} THEN 1 ELSE 0 END), 0)",
                rules::TOP_BOX_FROM
            )),
            "top",
        );
    let sums = |(n, total, top): (i64, i64, i64)| Sums {
        answers: n,
        total,
        top,
        ..Default::default()
    };
    if grouped {
        let rows: Vec<AnswerRow> = select.into_tuple().all(db).await?;
        Ok(rows
            .into_iter()
            .map(|(t, q, store, staff, touch, n, total, top)| {
                ((t, q, store, staff, touch), sums((n, total, top)))
            })
            .collect())
    } else {
        let row: Option<(i64, i64, i64)> = select.into_tuple().one(db).await?;
        Ok(row
            .into_iter()
            .map(|r| {
                (
                    (
                        String::new(),
                        String::new(),
                        Uuid::nil(),
                        None,
                        String::new(),
                    ),
                    sums(r),
                )
            })
            .collect())
    }
}

type ResponseKey = (String, Uuid, Option<Uuid>, String);
/// A response group's key and its count of recommend answers, promoters and detractors.
type ResponseRow = (String, Uuid, Option<Uuid>, String, i64, i64, i64);

/// Recommend answers per template, store, staff and touch point.
async fn recommend_sums(
    db: &impl ConnectionTrait,
    condition: Condition,
    grouped: bool,
) -> StoreResult<Vec<(ResponseKey, Sums)>> {
    use survey_response::Column as R;
    let mut select = survey_response::Entity::find()
        .select_only()
        .filter(condition)
        .filter(R::Status.eq(ANSWERED))
        .filter(R::Nps.is_not_null());
    if grouped {
        select = select
            .column(R::TemplateCode)
            .column(R::StoreId)
            .column(R::StaffId)
            .column(R::TouchPoint)
            .group_by(R::TemplateCode)
            .group_by(R::StoreId)
            .group_by(R::StaffId)
            .group_by(R::TouchPoint);
    }
    let select = select
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(
            Expr::cust("COALESCE(SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), 0)"),
            "promoters",
        )
        .column_as(
            Expr::cust("COALESCE(SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END), 0)"),
            "detractors",
        );
    let sums = |(n, promoters, detractors): (i64, i64, i64)| Sums {
        recommend: n,
        promoters,
        detractors,
        ..Default::default()
    };
    if grouped {
        let rows: Vec<ResponseRow> = select.into_tuple().all(db).await?;
        Ok(rows
            .into_iter()
            .map(|(t, store, staff, touch, n, p, d)| ((t, store, staff, touch), sums((n, p, d))))
            .collect())
    } else {
        let row: Option<(i64, i64, i64)> = select.into_tuple().one(db).await?;
        Ok(row
            .into_iter()
            .map(|r| ((String::new(), Uuid::nil(), None, String::new()), sums(r)))
            .collect())
    }
}

/// The first day of each month from `from`'s to `to`'s (at most 24, the latest kept).
fn months(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut first = from.with_day(1).unwrap_or(from);
    let mut found = Vec::new();
    while first <= to {
        found.push(first);
        first = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    let skip = found.len().saturating_sub(24);
    found.split_off(skip)
}

/// SSI/CSI scores over a period (CareManage): index, top box and NPS per template,
/// question, touch point, staff member, store and month, and the CS gap of each pair.
pub async fn report(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &ReportQuery,
) -> StoreResult<SurveyReport> {
    if let Some(store_id) = query.store_id {
        crate::sales::store_of(actor, Some(store_id))?;
    }
    let zone_store = query.store_id.or(actor.store_id);
    let defaults = {
        let zone = org::store_zone(db, actor.tenant_id, zone_store).await;
        let today = Utc::now().with_timezone(&zone).date_naive();
        let first = today.with_day(1).unwrap_or(today);
        first
            .checked_sub_months(chrono::Months::new(5))
            .unwrap_or(first)
    };
    let from = query.from.or(Some(defaults));
    let (from, to, start, end) =
        complaints::period(db, actor.tenant_id, zone_store, from, query.to, 1).await?;
    use survey_answer::Column as A;
    use survey_response::Column as R;
    let answers_in = |start, end| {
        report_filter(
            actor,
            query,
            (
                A::TenantId,
                A::StoreId,
                A::TemplateCode,
                A::StaffId,
                A::AnsweredAt,
            ),
            start,
            end,
        )
    };
    let responses_in = |start, end| {
        report_filter(
            actor,
            query,
            (
                R::TenantId,
                R::StoreId,
                R::TemplateCode,
                R::StaffId,
                R::AnsweredAt,
            ),
            start,
            end,
        )
    };
    let answers = answer_sums(db, answers_in(start, end), true).await?;
    let recommends = recommend_sums(db, responses_in(start, end), true).await?;

    let mut total = Sums::default();
    let mut by_template: BTreeMap<String, Sums> = BTreeMap::new();
    let mut by_question: BTreeMap<(String, String), Sums> = BTreeMap::new();
    let mut by_touch: BTreeMap<String, Sums> = BTreeMap::new();
    let mut by_staff: BTreeMap<Option<Uuid>, Sums> = BTreeMap::new();
    let mut by_store: BTreeMap<Uuid, Sums> = BTreeMap::new();
    for ((template, question, store, staff, touch), sums) in answers {
        total.add(sums);
        by_template.entry(template.clone()).or_default().add(sums);
        by_question
            .entry((template, question))
            .or_default()
            .add(sums);
        by_touch.entry(touch).or_default().add(sums);
        by_staff.entry(staff).or_default().add(sums);
        by_store.entry(store).or_default().add(sums);
    }
    for ((template, store, staff, touch), sums) in recommends {
        total.add(sums);
        by_template.entry(template).or_default().add(sums);
        by_touch.entry(touch).or_default().add(sums);
        by_staff.entry(staff).or_default().add(sums);
        by_store.entry(store).or_default().add(sums);
    }

    let mut by_month = Vec::new();
    for first in months(from, to) {
        let last = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        let (_, _, month_start, month_end) = complaints::period(
            db,
            actor.tenant_id,
            zone_store,
            Some(first),
            Some(last.pred_opt().unwrap_or(last)),
            1,
        )
        .await?;
        let (month_start, month_end) = (month_start.max(start), month_end.min(end));
        let mut sums = Sums::default();
        for (_, s) in answer_sums(db, answers_in(month_start, month_end), false).await? {
            sums.add(s);
        }
        for (_, s) in recommend_sums(db, responses_in(month_start, month_end), false).await? {
            sums.add(s);
        }
        by_month.push(sums.score(first.format("%Y-%m").to_string(), String::new()));
    }

    // Pairs: mean expectation and performance per pair.
    let pair_rows: Vec<(String, String, String, i64, i64)> = survey_answer::Entity::find()
        .select_only()
        .column(A::TemplateCode)
        .column(A::PairCode)
        .column(A::Side)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(Expr::cust("COALESCE(SUM(score), 0)"), "total")
        .filter(answers_in(start, end))
        .filter(A::PairCode.is_not_null())
        .filter(A::Side.is_not_null())
        .filter(A::Score.is_not_null())
        .group_by(A::TemplateCode)
        .group_by(A::PairCode)
        .group_by(A::Side)
        .into_tuple()
        .all(db)
        .await?;
    let mut pairs: BTreeMap<(String, String), [(i64, i64); 2]> = BTreeMap::new();
    for (template, pair, side, n, sum) in pair_rows {
        let halves = pairs.entry((template, pair)).or_default();
        let at = usize::from(side == Side::Performance.as_str());
        halves[at] = (n, sum);
    }
    let mean =
        |(n, sum): (i64, i64)| (n > 0).then(|| (sum as f64 * 10.0 / n as f64).round() / 10.0);
    let pairs = pairs
        .into_iter()
        .map(|((template_code, pair), [expected, got])| {
            let (expectation, performance) = (mean(expected), mean(got));
            let gap = expectation
                .zip(performance)
                .map(|(e, p)| ((p - e) * 10.0).round() / 10.0);
            PairScore {
                template_code,
                pair,
                answers: got.0.min(expected.0),
                expectation,
                performance,
                reading: gap.map(|g| {
                    let sign = if g > 0.0 {
                        1
                    } else if g < 0.0 {
                        -1
                    } else {
                        0
                    };
                    rules::reading(sign).as_str().to_owned()
                }),
                gap,
            }
        })
        .collect();

    // Labels: the questions' words, the staff's and stores' names.
    let mut words: HashMap<(String, String), String> = HashMap::new();
    let mut order: HashMap<(String, String), usize> = HashMap::new();
    let templates = survey_template::Entity::find()
        .filter(in_scope(
            actor,
            survey_template::Column::TenantId,
            survey_template::Column::StoreId,
        ))
        .limit(2000)
        .all(db)
        .await?;
    for template in &templates {
        for (position, q) in questions_of(template).into_iter().enumerate() {
            let key = (template.code.clone(), q.code.clone());
            order.entry(key.clone()).or_insert(position);
            words.entry(key).or_insert(q.text);
        }
    }
    let names: HashMap<String, String> = templates
        .iter()
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect();
    let people: HashMap<Uuid, String> = org::list_users(db, actor.tenant_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let stores: HashMap<Uuid, String> = org::list_stores(db, actor.tenant_id)
        .await?
        .into_iter()
        .map(|s| (s.id, format!("{} {}", s.code, s.name)))
        .collect();
    Ok(SurveyReport {
        from,
        to,
        total: total.score(String::new(), String::new()),
        by_template: by_template
            .into_iter()
            .map(|(code, s)| {
                let label = names.get(&code).cloned().unwrap_or_default();
                s.score(code, label)
            })
            .collect(),
        // In the templates' order of questions.
        by_question: {
            let mut questions: Vec<_> = by_question.into_iter().collect();
            questions.sort_by_key(|((template, question), _)| {
                let at = order.get(&(template.clone(), question.clone()));
                (
                    template.clone(),
                    at.copied().unwrap_or(usize::MAX),
                    question.clone(),
                )
            });
            questions
        }
        .into_iter()
        .map(|((template, question), s)| {
            let label = words
                .get(&(template.clone(), question.clone()))
                .cloned()
                .unwrap_or_default();
            s.score(format!("{template}.{question}"), label)
        })
        .collect(),
        by_touch_point: by_touch
            .into_iter()
            .map(|(touch, s)| s.score(touch, String::new()))
            .collect(),
        by_staff: by_staff
            .into_iter()
            .filter_map(|(staff, s)| {
                let staff = staff?;
                let label = people.get(&staff).cloned().unwrap_or_default();
                Some(s.score(staff.to_string(), label))
            })
            .collect(),
        by_store: by_store
            .into_iter()
            .map(|(store, s)| {
                let label = stores.get(&store).cloned().unwrap_or_default();
                s.score(store.to_string(), label)
            })
            .collect(),
        by_month,
        pairs,
    })
}
