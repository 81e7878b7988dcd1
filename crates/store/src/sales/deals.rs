//! The middle of a deal: test drives (licence checked and kept sealed) and quotes (totals in
//! fen; a discount above the store's limit waits for the sales manager).

use chrono::{DateTime, Utc};
use fours_domain::customers::resident_id::{mask_resident_id, validate_resident_id};
use fours_domain::sales::pipeline::Step;
use fours_domain::sales::quote::{Finance, QuoteLines};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use uuid::Uuid;

use super::entities::{lead, quote, test_drive};
use super::funnel_days;
use super::leads::{self, move_lead, position, record_history};
use super::{audit_record, policy, text};
use crate::Database;
use crate::error::{FieldError, StoreError, StoreResult};
use crate::org::Actor;

fn invalid(field: &'static str, code: &'static str) -> FieldError {
    FieldError { field, code }
}

/// Brings the lead to `step` (unless further on) as part of recording that step's activity.
async fn reach(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    lead: &lead::Model,
    step: Step,
) -> StoreResult<()> {
    let from = position(lead)?;
    let to = from
        .reach(step)
        .map_err(|invalid| StoreError::invalid("lead_id", invalid.0))?;
    if to != from {
        move_lead(txn, actor, lead, to, "step", None, Utc::now()).await?;
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct TestDriveInput {
    /// The demo car (model and plate).
    pub demo_vehicle: Option<String>,
    /// The driving licence number (the holder's resident ID number); stored sealed.
    pub licence_number: Option<String>,
    /// The consultant saw the licence and it is valid.
    pub licence_checked: Option<bool>,
    /// Defaults to now.
    pub out_at: Option<DateTime<Utc>>,
    pub out_km: Option<i32>,
    pub route: Option<String>,
}

/// Starts a test drive; the lead reaches the test-drive step.
pub async fn start_test_drive(
    db: &Database,
    actor: &Actor,
    lead_id: Uuid,
    input: &TestDriveInput,
) -> StoreResult<test_drive::Model> {
    let mut errors = Vec::new();
    let demo_vehicle = text(&input.demo_vehicle);
    if demo_vehicle.is_none() {
        errors.push(invalid("demo_vehicle", "required"));
    }
    let licence = match input.licence_number.as_deref().map(validate_resident_id) {
        Some(Ok(licence)) => Some(licence.number),
        Some(Err(bad)) => {
            errors.push(invalid("licence_number", bad.0));
            None
        }
        None => {
            errors.push(invalid("licence_number", "required"));
            None
        }
    };
    if input.licence_checked != Some(true) {
        errors.push(invalid("licence_checked", "test_drive.licence_unchecked"));
    }
    let out_km = input.out_km.unwrap_or(0);
    if out_km < 0 {
        errors.push(invalid("out_km", "number.out_of_range"));
    }
    let (Some(demo_vehicle), Some(licence), true) = (demo_vehicle, licence, errors.is_empty())
    else {
        return Err(StoreError::Invalid(errors));
    };
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = leads::get(&txn, actor, lead_id).await?;
    let now = Utc::now();
    let drive = test_drive::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead_id),
        store_id: Set(current.store_id),
        consultant_id: Set(actor.user_id),
        demo_vehicle: Set(demo_vehicle),
        licence_masked: Set(mask_resident_id(&licence)),
        licence_cipher: Set(db.pii.seal(&licence)?),
        licence_checked: Set(true),
        out_at: Set(input.out_at.unwrap_or(now)),
        in_at: Set(None),
        out_km: Set(out_km),
        in_km: Set(None),
        route: Set(text(&input.route)),
        feedback: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    reach(&txn, actor, &current, Step::TestDrive).await?;
    record_history(
        &txn,
        actor,
        lead_id,
        "test_drive",
        (None, Some(drive.demo_vehicle.clone())),
        None,
    )
    .await?;
    audit_record(
        &txn,
        actor,
        "create",
        "test_drive",
        drive.id,
        &without_cipher(&drive),
    )
    .await?;
    let day = (current.store_id, drive.out_at);
    funnel_days::recount(&txn, actor.tenant_id, [day]).await?;
    txn.commit().await?;
    Ok(drive)
}

fn without_cipher(drive: &test_drive::Model) -> test_drive::Model {
    test_drive::Model {
        licence_cipher: String::new(),
        ..drive.clone()
    }
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct TestDriveReturn {
    /// Defaults to now.
    pub in_at: Option<DateTime<Utc>>,
    pub in_km: Option<i32>,
    /// What the prospect said about the car.
    pub feedback: Option<String>,
}

pub async fn test_drive(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<test_drive::Model> {
    let drive = test_drive::Entity::find_by_id((actor.tenant_id, id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    // Visible when its lead is.
    leads::get(db, actor, drive.lead_id).await?;
    Ok(drive)
}

/// The car is back: time, odometer and the prospect's feedback.
pub async fn finish_test_drive(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &TestDriveReturn,
) -> StoreResult<test_drive::Model> {
    let current = test_drive(&db.conn, actor, id).await?;
    let in_at = input.in_at.unwrap_or_else(Utc::now);
    let mut errors = Vec::new();
    if current.in_at.is_some() {
        errors.push(invalid("in_at", "test_drive.already_back"));
    } else if in_at < current.out_at {
        errors.push(invalid("in_at", "test_drive.back_before_out"));
    }
    match input.in_km {
        None => errors.push(invalid("in_km", "required")),
        Some(km) if km < current.out_km => errors.push(invalid("in_km", "mileage.decreasing")),
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let mut model: test_drive::ActiveModel = current.into();
    model.in_at = Set(Some(in_at));
    model.in_km = Set(input.in_km);
    model.feedback = Set(text(&input.feedback));
    Ok(model.update(&db.conn).await?)
}

pub async fn test_drives(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
) -> StoreResult<Vec<test_drive::Model>> {
    Ok(test_drive::Entity::find()
        .filter(test_drive::Column::TenantId.eq(lead.tenant_id))
        .filter(test_drive::Column::LeadId.eq(lead.id))
        .order_by_desc(test_drive::Column::OutAt)
        .all(db)
        .await?)
}

/// Quote approval: `not_needed`, `pending`, `approved` or `rejected`.
pub const APPROVAL_NOT_NEEDED: &str = "not_needed";
pub const APPROVAL_PENDING: &str = "pending";
pub const APPROVAL_APPROVED: &str = "approved";
pub const APPROVAL_REJECTED: &str = "rejected";

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct QuoteInput {
    /// The car quoted (model, trim, colour).
    pub vehicle: Option<String>,
    /// All amounts in integer fen (分).
    pub vehicle_price_fen: Option<i64>,
    pub discount_fen: Option<i64>,
    pub accessories_fen: Option<i64>,
    pub insurance_fen: Option<i64>,
    pub fees_fen: Option<i64>,
    pub trade_in_credit_fen: Option<i64>,
    /// With finance: the down payment and a term of 12, 24, 36, 48 or 60 months.
    pub down_payment_fen: Option<i64>,
    pub finance_term_months: Option<u32>,
}

impl QuoteInput {
    fn lines(&self) -> QuoteLines {
        let finance = self.finance_term_months.map(|term_months| Finance {
            down_payment_fen: self.down_payment_fen.unwrap_or(0),
            term_months,
        });
        QuoteLines {
            vehicle_price_fen: self.vehicle_price_fen.unwrap_or(0),
            discount_fen: self.discount_fen.unwrap_or(0),
            accessories_fen: self.accessories_fen.unwrap_or(0),
            insurance_fen: self.insurance_fen.unwrap_or(0),
            fees_fen: self.fees_fen.unwrap_or(0),
            trade_in_credit_fen: self.trade_in_credit_fen.unwrap_or(0),
            finance,
        }
    }
}

/// Records a quote; the lead reaches negotiation. A discount above the store's limit makes
/// the quote wait for the sales manager.
pub async fn create_quote(
    db: &Database,
    actor: &Actor,
    lead_id: Uuid,
    input: &QuoteInput,
) -> StoreResult<quote::Model> {
    let Some(vehicle) = text(&input.vehicle) else {
        return Err(StoreError::invalid("vehicle", "required"));
    };
    let lines = input.lines();
    let totals = lines
        .totals()
        .map_err(|e| StoreError::invalid(e.field, e.invalid.0))?;
    let txn = crate::db::begin_write(&db.conn).await?;
    let current = leads::get(&txn, actor, lead_id).await?;
    let limit = policy::for_store(&txn, actor.tenant_id, current.store_id)
        .await?
        .discount_limit_fen;
    let approval = if lines.needs_approval(limit) {
        APPROVAL_PENDING
    } else {
        APPROVAL_NOT_NEEDED
    };
    let created = quote::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead_id),
        store_id: Set(current.store_id),
        consultant_id: Set(actor.user_id),
        vehicle: Set(vehicle),
        vehicle_price_fen: Set(lines.vehicle_price_fen),
        discount_fen: Set(lines.discount_fen),
        accessories_fen: Set(lines.accessories_fen),
        insurance_fen: Set(lines.insurance_fen),
        fees_fen: Set(lines.fees_fen),
        trade_in_credit_fen: Set(lines.trade_in_credit_fen),
        down_payment_fen: Set(lines.finance.map(|f| f.down_payment_fen)),
        finance_term_months: Set(lines.finance.map(|f| f.term_months as i32)),
        deal_fen: Set(totals.deal_fen),
        customer_pays_fen: Set(totals.customer_pays_fen),
        financed_fen: Set(totals.financed_fen),
        approval: Set(approval.to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    reach(&txn, actor, &current, Step::Negotiation).await?;
    audit_record(&txn, actor, "create", "quote", created.id, &created).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn quote(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<quote::Model> {
    let found = quote::Entity::find_by_id((actor.tenant_id, id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    leads::get(db, actor, found.lead_id).await?;
    Ok(found)
}

pub async fn quotes(
    db: &impl ConnectionTrait,
    lead: &lead::Model,
) -> StoreResult<Vec<quote::Model>> {
    Ok(quote::Entity::find()
        .filter(quote::Column::TenantId.eq(lead.tenant_id))
        .filter(quote::Column::LeadId.eq(lead.id))
        .order_by_desc(quote::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Quotes waiting for the manager, oldest first.
pub async fn pending_quotes(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> StoreResult<Vec<quote::Model>> {
    let scope = super::scoped(
        actor,
        quote::Column::TenantId,
        quote::Column::StoreId,
        quote::Column::ConsultantId,
    );
    Ok(quote::Entity::find()
        .filter(scope)
        .filter(quote::Column::Approval.eq(APPROVAL_PENDING))
        .order_by_asc(quote::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The sales manager approves or rejects a quote's discount.
pub async fn decide_quote(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    approve: bool,
) -> StoreResult<quote::Model> {
    let current = quote(&db.conn, actor, id).await?;
    if current.approval != APPROVAL_PENDING {
        return Err(StoreError::invalid("approve", "quote.not_pending"));
    }
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut model: quote::ActiveModel = current.into();
    model.approval = Set(if approve {
        APPROVAL_APPROVED
    } else {
        APPROVAL_REJECTED
    }
    .to_owned());
    model.decided_by = Set(Some(actor.user_id));
    model.decided_at = Set(Some(Utc::now()));
    let decided = model.update(&txn).await?;
    audit_record(&txn, actor, "decide", "quote", decided.id, &decided).await?;
    txn.commit().await?;
    Ok(decided)
}
