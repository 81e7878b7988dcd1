//! Leads (prospects' deals): creation with their customer, grading, follow-ups at the grade's
//! rhythm, steps, reassignment and defeat. Every change is one transaction, leaves a line in
//! the lead's history and is audited.

use chrono::{DateTime, NaiveDate, Utc};
use fours_domain::sales::grading::{Grade, on_time};
use fours_domain::sales::pipeline::{Position, Standing, Step};
use fours_domain::sales::{Channel, ContactMethod, DefeatReason};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use uuid::Uuid;

use super::entities::{follow_up, lead, lead_history, showroom_visit};
use super::funnel_days;
use super::policy::{self, SalesPolicy};
use super::{check_consultant, first_model, joined, scoped, store_of, store_today, text};
use crate::Database;
use crate::audit::{self, AuditEntry};
use crate::customers::{self, input::CustomerInput};
use crate::error::StoreResult;
use crate::error::{FieldError, StoreError};
use crate::org::Actor;
use crate::paging::{Page, PageRequest};

/// A new lead, or the fields of one to change (absent fields stay as they are).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct LeadInput {
    /// An existing customer; else `name` and `mobile` find or create the prospect.
    pub customer_id: Option<Uuid>,
    pub name: Option<String>,
    pub mobile: Option<String>,
    /// Defaults to the consultant creating the lead.
    pub consultant_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
    /// `walk_in`, `phone`, `online`, `event` or `referral`.
    pub source: Option<String>,
    /// `friend`, `ad`, `web`, `event` or `other`.
    pub info_source: Option<String>,
    pub models_of_interest: Option<Vec<String>>,
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    /// Days until the prospect means to buy; sets the grade unless `grade` is given.
    pub buys_within_days: Option<i32>,
    /// The consultant's judgement: `H`, `A`, `B` or `C`.
    pub grade: Option<String>,
    pub competitor_models: Option<String>,
    pub current_car: Option<String>,
    pub trade_in_model: Option<String>,
    pub trade_in_year: Option<i32>,
    pub trade_in_mileage_km: Option<i32>,
    pub trade_in_offer_fen: Option<i64>,
    pub finance_interest: Option<bool>,
    /// The showroom visit this lead came from.
    pub visit_id: Option<Uuid>,
}

#[derive(Debug, Default, Clone)]
pub struct LeadFilter {
    pub consultant_id: Option<Uuid>,
    pub step: Option<String>,
    pub standing: Option<String>,
    pub grade: Option<String>,
    pub customer_id: Option<Uuid>,
}

fn visible(actor: &Actor) -> Condition {
    scoped(
        actor,
        lead::Column::TenantId,
        lead::Column::StoreId,
        lead::Column::ConsultantId,
    )
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> StoreResult<lead::Model> {
    lead::Entity::find()
        .filter(visible(actor))
        .filter(lead::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &LeadFilter,
    page: PageRequest,
) -> StoreResult<Page<lead::Model>> {
    let mut query = lead::Entity::find().filter(visible(actor));
    let equal = [
        (lead::Column::Step, &filter.step),
        (lead::Column::Standing, &filter.standing),
        (lead::Column::Grade, &filter.grade),
    ];
    for (column, value) in equal {
        if let Some(value) = value {
            query = query.filter(column.eq(value.as_str()));
        }
    }
    if let Some(consultant_id) = filter.consultant_id {
        query = query.filter(lead::Column::ConsultantId.eq(consultant_id));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(lead::Column::CustomerId.eq(customer_id));
    }
    if let Some(cursor) = page.cursor {
        query = query.filter(lead::Column::Id.lt(cursor));
    }
    let rows = query
        .order_by_desc(lead::Column::Id)
        .limit(page.limit() + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page.limit(), |l| l.id))
}

/// Open leads whose follow-up is due by `day`, most overdue first: the consultant's today list
/// (own scope) or the store's (managers), which the caller narrows by grace period.
pub async fn due(
    db: &impl ConnectionTrait,
    actor: &Actor,
    day: NaiveDate,
    limit: u64,
) -> StoreResult<Vec<lead::Model>> {
    Ok(lead::Entity::find()
        .filter(visible(actor))
        .filter(lead::Column::Standing.is_in([
            Standing::Active.as_str(),
            Standing::DefeatRequested.as_str(),
        ]))
        .filter(lead::Column::NextFollowUpOn.lte(day))
        .order_by_asc(lead::Column::NextFollowUpOn)
        .limit(limit)
        .all(db)
        .await?)
}

/// Leads waiting for the manager's defeat decision.
pub async fn defeat_requests(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> StoreResult<Vec<lead::Model>> {
    Ok(lead::Entity::find()
        .filter(visible(actor))
        .filter(lead::Column::Standing.eq(Standing::DefeatRequested.as_str()))
        .order_by_asc(lead::Column::UpdatedAt)
        .all(db)
        .await?)
}

/// The lead's position in the pipeline, read from its stored text.
pub fn position(lead: &lead::Model) -> StoreResult<Position> {
    match (Step::parse(&lead.step), Standing::parse(&lead.standing)) {
        (Some(step), Some(standing)) => Ok(Position { step, standing }),
        _ => Err(StoreError::Conflict("lead step unreadable")),
    }
}

fn rule(field: &'static str) -> impl Fn(fours_domain::validation::Invalid) -> StoreError {
    move |invalid| StoreError::invalid(field, invalid.0)
}

/// Checks the descriptive fields of an input and writes them to the row.
fn apply(input: &LeadInput, model: &mut lead::ActiveModel, errors: &mut Vec<FieldError>) {
    let mut fail =
        |field: &'static str, code: &'static str| errors.push(FieldError { field, code });
    if let Some(source) = &input.source {
        match Channel::parse(source) {
            Some(channel) => model.source = Set(channel.as_str().to_owned()),
            None => fail("source", "choice.invalid"),
        }
    }
    if let Some(info) = &input.info_source {
        if customers::input::INFO_SOURCES.contains(&info.as_str()) {
            model.info_source = Set(Some(info.clone()));
        } else {
            fail("info_source", "choice.invalid");
        }
    }
    if input.models_of_interest.is_some() {
        let models = joined(&input.models_of_interest);
        model.first_model = Set(first_model(&models));
        model.models_of_interest = Set(models);
    }
    for (field, value) in [
        ("budget_min_fen", input.budget_min_fen),
        ("budget_max_fen", input.budget_max_fen),
        ("trade_in_offer_fen", input.trade_in_offer_fen),
    ] {
        if value.is_some_and(|fen| fen < 0) {
            fail(field, "money.negative");
        }
    }
    if let (Some(min), Some(max)) = (input.budget_min_fen, input.budget_max_fen)
        && min > max
    {
        fail("budget_max_fen", "lead.budget_range");
    }
    if input.buys_within_days.is_some_and(|days| days < 0) {
        fail("buys_within_days", "number.out_of_range");
    }
    if input.trade_in_mileage_km.is_some_and(|km| km < 0) {
        fail("trade_in_mileage_km", "number.out_of_range");
    }
    let this_year = chrono::Datelike::year(&Utc::now());
    if input
        .trade_in_year
        .is_some_and(|year| !(1980..=this_year).contains(&year))
    {
        fail("trade_in_year", "number.out_of_range");
    }
    if let Some(grade) = &input.grade
        && Grade::parse(grade).is_none()
    {
        fail("grade", "choice.invalid");
    }
    macro_rules! set_if_given {
        ($($field:ident),+) => { $(if input.$field.is_some() { model.$field = Set(input.$field); })+ };
    }
    set_if_given!(
        budget_min_fen,
        budget_max_fen,
        buys_within_days,
        trade_in_year,
        trade_in_mileage_km,
        trade_in_offer_fen
    );
    for (given, column) in [
        (&input.competitor_models, &mut model.competitor_models),
        (&input.current_car, &mut model.current_car),
        (&input.trade_in_model, &mut model.trade_in_model),
    ] {
        if given.is_some() {
            *column = Set(text(given));
        }
    }
    if let Some(finance) = input.finance_interest {
        model.finance_interest = Set(finance);
    }
}

/// Grades the lead from its timeframe or the consultant's judgement and sets the next
/// follow-up by the grade's cadence from `contacted_on`.
fn regrade(
    model: &mut lead::ActiveModel,
    input: &LeadInput,
    policy: &SalesPolicy,
    contacted_on: NaiveDate,
) -> Grade {
    let judged = input.grade.as_deref().and_then(Grade::parse);
    if judged.is_some() {
        model.grade_judged = Set(true);
    } else if input.buys_within_days.is_some() {
        model.grade_judged = Set(false);
    }
    let keep_judgement = judged.is_none() && *model.grade_judged.as_ref();
    let grade = if keep_judgement {
        Grade::parse(model.grade.as_ref()).unwrap_or(Grade::C)
    } else {
        let days = model
            .buys_within_days
            .as_ref()
            .and_then(|d| u32::try_from(d).ok());
        policy.grading().grade(days, judged)
    };
    model.grade = Set(grade.as_str().to_owned());
    model.next_follow_up_on = Set(Some(policy.grading().next_follow_up(grade, contacted_on)));
    grade
}

pub(crate) async fn record_history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    lead_id: Uuid,
    kind: &str,
    change: (Option<String>, Option<String>),
    note: Option<String>,
) -> StoreResult<()> {
    lead_history::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead_id),
        at: Set(Utc::now()),
        by_user: Set(actor.user_id),
        kind: Set(kind.to_owned()),
        from_value: Set(change.0),
        to_value: Set(change.1),
        note: Set(note),
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn audited(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &'static str,
    before: Option<&lead::Model>,
    after: &lead::Model,
) -> StoreResult<()> {
    audit::record(
        db,
        actor,
        AuditEntry {
            action,
            entity: "lead",
            entity_id: Some(after.id),
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: serde_json::to_value(after).ok(),
        },
    )
    .await
}

/// The customer a new lead is for: the one named, or the prospect found by mobile, or a new
/// prospect created in the same transaction.
async fn customer_for(
    txn: &impl ConnectionTrait,
    db: &Database,
    actor: &Actor,
    input: &LeadInput,
    store_id: Uuid,
    consultant_id: Uuid,
) -> StoreResult<Uuid> {
    if let Some(customer_id) = input.customer_id {
        return customers::get(txn, actor, customer_id)
            .await
            .map(|c| c.id)
            .map_err(|_| StoreError::invalid("customer_id", "reference.not_found"));
    }
    let prospect = CustomerInput {
        name: input.name.clone(),
        mobile: input.mobile.clone(),
        source: input.source.clone(),
        info_source: input.info_source.clone(),
        owner_id: Some(consultant_id),
        store_id: Some(store_id),
        ..Default::default()
    };
    match customers::create_in(txn, &db.pii, actor, &prospect).await {
        Ok(created) => Ok(created.id),
        // Someone the archive already knows by this mobile: the lead is theirs.
        Err(StoreError::Duplicate { existing_id, .. }) => Ok(existing_id),
        Err(other) => Err(other),
    }
}

pub async fn create(db: &Database, actor: &Actor, input: &LeadInput) -> StoreResult<lead::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let created = create_in(&txn, db, actor, input).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a lead inside the caller's transaction (a logged visit creates its lead with it).
pub(crate) async fn create_in(
    txn: &impl ConnectionTrait,
    db: &Database,
    actor: &Actor,
    input: &LeadInput,
) -> StoreResult<lead::Model> {
    let now = Utc::now();
    let store_id = store_of(actor, input.store_id)?;
    let consultant_id = input.consultant_id.unwrap_or(actor.user_id);
    check_consultant(txn, actor, consultant_id).await?;
    let policy = policy::for_store(txn, actor.tenant_id, store_id).await?;
    let today = store_today(txn, actor.tenant_id, store_id, now).await?;
    let mut model = lead::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(store_id),
        consultant_id: Set(consultant_id),
        source: Set(Channel::WalkIn.as_str().to_owned()),
        info_source: Set(None),
        models_of_interest: Set(String::new()),
        first_model: Set(String::new()),
        budget_min_fen: Set(None),
        budget_max_fen: Set(None),
        buys_within_days: Set(None),
        grade: Set(Grade::C.as_str().to_owned()),
        grade_judged: Set(false),
        competitor_models: Set(None),
        current_car: Set(None),
        trade_in_model: Set(None),
        trade_in_year: Set(None),
        trade_in_mileage_km: Set(None),
        trade_in_offer_fen: Set(None),
        finance_interest: Set(false),
        step: Set(Position::NEW.step.as_str().to_owned()),
        standing: Set(Position::NEW.standing.as_str().to_owned()),
        next_follow_up_on: Set(None),
        last_contact_at: Set(Some(now)),
        defeat_reason: Set(None),
        defeat_brand: Set(None),
        defeat_model: Set(None),
        defeat_note: Set(None),
        closed_at: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        customer_id: Set(Uuid::nil()),
    };
    let mut errors = Vec::new();
    apply(input, &mut model, &mut errors);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let customer_id = customer_for(txn, db, actor, input, store_id, consultant_id).await?;
    model.customer_id = Set(customer_id);
    regrade(&mut model, input, &policy, today);
    let created = model.insert(txn).await?;
    if let Some(visit_id) = input.visit_id {
        link_visit(txn, actor, visit_id, &created).await?;
    }
    record_history(
        txn,
        actor,
        created.id,
        "created",
        (None, Some(created.grade.clone())),
        None,
    )
    .await?;
    audited(txn, actor, "create", None, &created).await?;
    Ok(created)
}

async fn link_visit(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    visit_id: Uuid,
    lead: &lead::Model,
) -> StoreResult<()> {
    let visit = showroom_visit::Entity::find_by_id((actor.tenant_id, visit_id))
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::invalid("visit_id", "reference.not_found"))?;
    let mut visit: showroom_visit::ActiveModel = visit.into();
    visit.lead_id = Set(Some(lead.id));
    visit.customer_id = Set(Some(lead.customer_id));
    let linked = visit.update(txn).await?;
    let day = (linked.store_id, linked.arrived_at);
    funnel_days::recount(txn, actor.tenant_id, [day]).await
}

/// Changes what is known about the prospect; a new timeframe or judgement regrades the lead
/// and resets the next follow-up from today.
pub async fn update(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &LeadInput,
) -> StoreResult<lead::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let mut model: lead::ActiveModel = current.clone().into();
    let mut errors = Vec::new();
    apply(input, &mut model, &mut errors);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let now = Utc::now();
    if input.grade.is_some() || input.buys_within_days.is_some() {
        let policy = policy::for_store(&txn, actor.tenant_id, current.store_id).await?;
        let today = store_today(&txn, actor.tenant_id, current.store_id, now).await?;
        let grade = regrade(&mut model, input, &policy, today);
        if grade.as_str() != current.grade {
            record_history(
                &txn,
                actor,
                id,
                "grade",
                (Some(current.grade.clone()), Some(grade.as_str().to_owned())),
                None,
            )
            .await?;
        }
    }
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    audited(&txn, actor, "update", Some(&current), &updated).await?;
    let moved = funnel_days::days_moved(&txn, &current, &updated).await?;
    funnel_days::recount(&txn, actor.tenant_id, moved).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A recorded contact with the prospect.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct FollowUpInput {
    /// `call`, `visit`, `wechat` or `sms`.
    pub method: Option<String>,
    /// What the prospect said.
    pub outcome: Option<String>,
    /// What happens next, in the consultant's words.
    pub next_step: Option<String>,
    /// When to follow up next (`YYYY-MM-DD`); defaults to the grade's cadence from today.
    pub next_follow_up_on: Option<NaiveDate>,
    /// A new purchase timeframe or grade learnt in this contact.
    pub buys_within_days: Option<i32>,
    pub grade: Option<String>,
}

pub async fn add_follow_up(
    db: &Database,
    actor: &Actor,
    lead_id: Uuid,
    input: &FollowUpInput,
) -> StoreResult<follow_up::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, lead_id).await?;
    position(&current)?
        .accepts_follow_up()
        .map_err(rule("lead_id"))?;
    let now = Utc::now();
    let today = store_today(&txn, actor.tenant_id, current.store_id, now).await?;
    let mut errors = Vec::new();
    let method = input.method.as_deref().and_then(ContactMethod::parse);
    if method.is_none() {
        errors.push(FieldError {
            field: "method",
            code: if input.method.is_some() {
                "choice.invalid"
            } else {
                "required"
            },
        });
    }
    let outcome = text(&input.outcome);
    if outcome.is_none() {
        errors.push(FieldError {
            field: "outcome",
            code: "required",
        });
    }
    if input.next_follow_up_on.is_some_and(|day| day < today) {
        errors.push(FieldError {
            field: "next_follow_up_on",
            code: "date.past",
        });
    }
    let regrading = LeadInput {
        buys_within_days: input.buys_within_days,
        grade: input.grade.clone(),
        ..Default::default()
    };
    let mut model: lead::ActiveModel = current.clone().into();
    apply(&regrading, &mut model, &mut errors);
    let (Some(method), Some(outcome), true) = (method, outcome, errors.is_empty()) else {
        return Err(StoreError::Invalid(errors));
    };
    let policy = policy::for_store(&txn, actor.tenant_id, current.store_id).await?;
    let grade = regrade(&mut model, &regrading, &policy, today);
    if let Some(chosen) = input.next_follow_up_on {
        model.next_follow_up_on = Set(Some(chosen));
    }
    let next_follow_up_on = model.next_follow_up_on.as_ref().unwrap_or(today);
    let recorded = follow_up::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead_id),
        store_id: Set(current.store_id),
        consultant_id: Set(actor.user_id),
        done_at: Set(now),
        method: Set(method.as_str().to_owned()),
        outcome: Set(outcome),
        next_step: Set(text(&input.next_step)),
        due_on: Set(current.next_follow_up_on),
        on_time: Set(current
            .next_follow_up_on
            .is_none_or(|due| on_time(due, today))),
        next_follow_up_on: Set(next_follow_up_on),
    }
    .insert(&txn)
    .await?;
    if grade.as_str() != current.grade {
        record_history(
            &txn,
            actor,
            lead_id,
            "grade",
            (Some(current.grade.clone()), Some(grade.as_str().to_owned())),
            None,
        )
        .await?;
    }
    model.last_contact_at = Set(Some(now));
    model.updated_at = Set(now);
    model.update(&txn).await?;
    funnel_days::recount(&txn, actor.tenant_id, [(current.store_id, now)]).await?;
    txn.commit().await?;
    Ok(recorded)
}

/// The lead's follow-ups, newest first; `lead` comes from [`get`], within the caller's scope.
pub async fn follow_ups(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
) -> StoreResult<Vec<follow_up::Model>> {
    Ok(follow_up::Entity::find()
        .filter(follow_up::Column::TenantId.eq(lead.tenant_id))
        .filter(follow_up::Column::LeadId.eq(lead.id))
        .order_by_desc(follow_up::Column::DoneAt)
        .all(db)
        .await?)
}

/// The lead's history, oldest first; `lead` comes from [`get`], within the caller's scope.
pub async fn history(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
) -> StoreResult<Vec<lead_history::Model>> {
    Ok(lead_history::Entity::find()
        .filter(lead_history::Column::TenantId.eq(lead.tenant_id))
        .filter(lead_history::Column::LeadId.eq(lead.id))
        .order_by_asc(lead_history::Column::At)
        .all(db)
        .await?)
}

/// Applies a pipeline move to a lead: stored, recorded in its history, audited. Closing moves
/// (defeat approved, won) stop the follow-up clock; reopening restarts it today.
pub(crate) async fn move_lead(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    current: &lead::Model,
    to: Position,
    kind: &str,
    note: Option<String>,
    now: DateTime<Utc>,
) -> StoreResult<lead::Model> {
    let from = position(current)?;
    let mut model: lead::ActiveModel = current.clone().into();
    model.step = Set(to.step.as_str().to_owned());
    model.standing = Set(to.standing.as_str().to_owned());
    match to.standing {
        Standing::Defeated | Standing::Won => {
            model.closed_at = Set(Some(now));
            model.next_follow_up_on = Set(None);
        }
        Standing::Active if from.standing == Standing::Defeated => {
            model.closed_at = Set(None);
            let today = store_today(txn, actor.tenant_id, current.store_id, now).await?;
            model.next_follow_up_on = Set(Some(today));
        }
        _ => {}
    }
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    let describe = |p: Position| format!("{}/{}", p.step.as_str(), p.standing.as_str());
    record_history(
        txn,
        actor,
        current.id,
        kind,
        (Some(describe(from)), Some(describe(to))),
        note,
    )
    .await?;
    audited(txn, actor, kind_action(kind), Some(current), &updated).await?;
    Ok(updated)
}

fn kind_action(kind: &str) -> &'static str {
    match kind {
        "defeat_approved" | "defeat_rejected" => "decide",
        _ => "update",
    }
}

/// The consultant moves the lead on by hand (needs analysis, presentation, test drive,
/// negotiation).
pub async fn advance(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    to: &str,
    note: Option<String>,
) -> StoreResult<lead::Model> {
    let step = Step::parse(to).ok_or_else(|| StoreError::invalid("step", "choice.invalid"))?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let to = position(&current)?.advance(step).map_err(rule("step"))?;
    let updated = move_lead(&txn, actor, &current, to, "step", text(&note), Utc::now()).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Hands leads to another consultant (one or many at once), keeping who had them before.
pub async fn reassign(
    db: &Database,
    actor: &Actor,
    ids: &[Uuid],
    consultant_id: Uuid,
    note: Option<String>,
) -> StoreResult<u64> {
    if ids.is_empty() {
        return Err(StoreError::invalid("lead_ids", "required"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    check_consultant(&txn, actor, consultant_id).await?;
    let now = Utc::now();
    let mut moved = 0;
    // Recounted after every lead is moved: a transaction takes its day locks last.
    let mut days = Vec::new();
    for id in ids {
        let current = get(&txn, actor, *id)
            .await
            .map_err(|_| StoreError::invalid("lead_ids", "reference.not_found"))?;
        if current.consultant_id == consultant_id {
            continue;
        }
        let mut model: lead::ActiveModel = current.clone().into();
        model.consultant_id = Set(consultant_id);
        model.updated_at = Set(now);
        let updated = model.update(&txn).await?;
        record_history(
            &txn,
            actor,
            current.id,
            "assigned",
            (
                Some(current.consultant_id.to_string()),
                Some(consultant_id.to_string()),
            ),
            text(&note),
        )
        .await?;
        audited(&txn, actor, "reassign", Some(&current), &updated).await?;
        days.extend(funnel_days::days_moved(&txn, &current, &updated).await?);
        moved += 1;
    }
    funnel_days::recount(&txn, actor.tenant_id, days).await?;
    txn.commit().await?;
    Ok(moved)
}

/// The consultant's request to close a lead as lost (战败).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct DefeatInput {
    /// `price`, `product`, `competitor`, `finance`, `service`, `timing` or `other`.
    pub reason: Option<String>,
    /// The brand and model the prospect bought instead, if known.
    pub competitor_brand: Option<String>,
    pub competitor_model: Option<String>,
    pub note: Option<String>,
}

pub async fn request_defeat(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &DefeatInput,
) -> StoreResult<lead::Model> {
    let reason = match input.reason.as_deref() {
        None => return Err(StoreError::invalid("reason", "required")),
        Some(reason) => DefeatReason::parse(reason)
            .ok_or_else(|| StoreError::invalid("reason", "choice.invalid"))?,
    };
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let to = position(&current)?
        .request_defeat()
        .map_err(rule("reason"))?;
    let mut reasoned = current.clone();
    reasoned.defeat_reason = Some(reason.as_str().to_owned());
    reasoned.defeat_brand = text(&input.competitor_brand);
    reasoned.defeat_model = text(&input.competitor_model);
    reasoned.defeat_note = text(&input.note);
    let mut model: lead::ActiveModel = current.clone().into();
    model.defeat_reason = Set(reasoned.defeat_reason.clone());
    model.defeat_brand = Set(reasoned.defeat_brand.clone());
    model.defeat_model = Set(reasoned.defeat_model.clone());
    model.defeat_note = Set(reasoned.defeat_note.clone());
    model.update(&txn).await?;
    let updated = move_lead(
        &txn,
        actor,
        &reasoned,
        to,
        "defeat_requested",
        Some(reason.as_str().to_owned()),
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The sales manager's decision: approved closes the lead into the reactivation pool, rejected
/// sends it back to follow-up.
pub async fn decide_defeat(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    approve: bool,
    note: Option<String>,
) -> StoreResult<lead::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let to = position(&current)?
        .decide_defeat(approve)
        .map_err(rule("approve"))?;
    let kind = if approve {
        "defeat_approved"
    } else {
        "defeat_rejected"
    };
    let mut updated = move_lead(&txn, actor, &current, to, kind, text(&note), Utc::now()).await?;
    if !approve {
        // Back to follow-up: due today, the request's reason kept only in the history.
        let today = store_today(&txn, actor.tenant_id, current.store_id, Utc::now()).await?;
        let mut model: lead::ActiveModel = updated.into();
        model.next_follow_up_on = Set(Some(today));
        for column in [
            &mut model.defeat_reason,
            &mut model.defeat_brand,
            &mut model.defeat_model,
            &mut model.defeat_note,
        ] {
            *column = Set(None);
        }
        updated = model.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Takes a lost prospect out of the reactivation pool and back into follow-up.
pub async fn reactivate(db: &Database, actor: &Actor, id: Uuid) -> StoreResult<lead::Model> {
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = get(&txn, actor, id).await?;
    let to = position(&current)?.reactivate().map_err(rule("standing"))?;
    let updated = move_lead(&txn, actor, &current, to, "reactivated", None, Utc::now()).await?;
    txn.commit().await?;
    Ok(updated)
}
