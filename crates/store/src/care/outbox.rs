//! The message outbox. A message is written in the same transaction as the change that causes
//! it (a delivery, a car ready, a part arrived, a care rule), already rendered, with the first
//! moment it may go (after the store's quiet hours). The worker in `fours serve` claims due
//! messages, finds the address at that moment (so a withdrawn consent or a changed number is
//! honoured at once and no copy of the number is kept here), sends and records the result.

use chrono::{DateTime, Utc};
use fours_notify::ChannelKind;
use fours_notify::templates::is_marketing;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use uuid::Uuid;

use super::entities::outbox_message;
use super::{policy, templates};
use crate::customers::entities::{customer, timeline_event};
use crate::error::{StoreError, StoreResult};
use crate::org::{self, Actor};

/// The address customers reach the server at, for links in messages (`fours serve` sets it
/// from its configuration; one per process).
static PUBLIC_URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub fn set_public_url(url: &str) {
    let _ = PUBLIC_URL.set(url.trim_end_matches('/').to_owned());
}

pub fn public_url() -> &'static str {
    PUBLIC_URL
        .get()
        .map_or("http://127.0.0.1:8080", String::as_str)
}

pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const SUPPRESSED: &str = "suppressed";

/// A message some change wants sent.
pub struct NewMessage {
    pub store_id: Uuid,
    pub customer_id: Uuid,
    /// The channel the rule asks for; the customer's preferred channel wins when it can be used.
    pub channel: ChannelKind,
    /// The template (and the message's kind): `delivery_thanks`, `vehicle_ready`…
    pub code: String,
    /// Facts for the template besides the customer's and the store's names.
    pub context: serde_json::Value,
    pub related_id: Option<Uuid>,
    /// The earliest moment it may go (quiet hours may push it later).
    pub at: DateTime<Utc>,
}

/// The customer's address on a channel.
fn address(customer: &customer::Model, channel: ChannelKind) -> Option<String> {
    let value = match channel {
        ChannelKind::Sms => customer.mobile.as_ref(),
        ChannelKind::Email => customer.email.as_ref(),
        ChannelKind::Wechat => customer.wechat.as_ref(),
    };
    value.filter(|v| !v.trim().is_empty()).cloned()
}

/// The customer's preferred channel when it is a message channel they have an address on.
fn channel_for(customer: &customer::Model, asked: ChannelKind) -> ChannelKind {
    customer
        .preferred_channel
        .as_deref()
        .and_then(ChannelKind::parse)
        .filter(|preferred| address(customer, *preferred).is_some())
        .unwrap_or(asked)
}

/// Why a message cannot go to this customer, if it cannot.
fn refusal(
    customer: &customer::Model,
    channel: ChannelKind,
    marketing: bool,
) -> Option<&'static str> {
    if customer.deleted_at.is_some() {
        Some("customer deleted")
    } else if marketing && !customer.marketing_consent {
        Some("no marketing consent")
    } else if address(customer, channel).is_none() {
        Some("no address on this channel")
    } else {
        None
    }
}

/// Queues a message in the caller's transaction.
pub async fn enqueue(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    message: NewMessage,
) -> StoreResult<outbox_message::Model> {
    let customer = customer::Entity::find_by_id((tenant_id, message.customer_id))
        .one(txn)
        .await?
        .ok_or(StoreError::invalid("customer_id", "reference.not_found"))?;
    let store = org::find_store(txn, tenant_id, message.store_id).await?;
    let zone = org::store_zone(txn, tenant_id, Some(store.id)).await;
    let care = policy::for_store(txn, tenant_id, store.id).await?;
    let channel = channel_for(&customer, message.channel);
    let id = Uuid::now_v7();
    let mut context = message.context;
    if let Some(facts) = context.as_object_mut() {
        facts.insert("customer_name".into(), customer.name.clone().into());
        facts.insert("store_name".into(), store.name.clone().into());
        facts.insert(
            "opt_out_link".into(),
            format!("{}/u/{id}", public_url()).into(),
        );
    }
    let locale = templates::LOCALES[0];
    let (subject, body) = templates::compose(
        txn,
        tenant_id,
        store.id,
        &message.code,
        channel,
        locale,
        &context,
    )
    .await?;
    let marketing = is_marketing(&message.code);
    let refused = refusal(&customer, channel, marketing);
    let release = care.quiet_hours().release_at(message.at, zone);
    Ok(outbox_message::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        store_id: Set(Some(store.id)),
        customer_id: Set(Some(customer.id)),
        channel: Set(channel.as_str().to_owned()),
        kind: Set(message.code.clone()),
        body: Set(body),
        status: Set(if refused.is_some() {
            SUPPRESSED
        } else {
            PENDING
        }
        .to_owned()),
        attempts: Set(0),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
        related_id: Set(message.related_id),
        template: Set(Some(message.code)),
        locale: Set(Some(locale.to_owned())),
        marketing: Set(marketing),
        not_before: Set(Some(release)),
        next_attempt_at: Set(Some(release)),
        last_error: Set(refused.map(str::to_owned)),
        provider_id: Set(None),
        subject: Set(subject),
    }
    .insert(txn)
    .await?)
}

/// A claimed message with the address it goes to now.
#[derive(Debug, Clone)]
pub struct Dispatch {
    pub message: outbox_message::Model,
    pub to: String,
}

/// Claims up to `limit` messages due at `now`. Each is taken by a conditional update, so two
/// workers never send the same message; messages that may not go (consent withdrawn, address
/// gone, quiet hours begun since they were queued) are settled or moved on here.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<Dispatch>> {
    let due = outbox_message::Entity::find()
        .filter(outbox_message::Column::Status.eq(PENDING))
        .filter(
            Condition::any()
                .add(outbox_message::Column::NextAttemptAt.is_null())
                .add(outbox_message::Column::NextAttemptAt.lte(now)),
        )
        .order_by_asc(outbox_message::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for message in due {
        if let Some(dispatch) = claim(db, message, now).await? {
            claimed.push(dispatch);
        }
    }
    Ok(claimed)
}

async fn claim(
    db: &impl ConnectionTrait,
    message: outbox_message::Model,
    now: DateTime<Utc>,
) -> StoreResult<Option<Dispatch>> {
    let (Some(store_id), Some(customer_id)) = (message.store_id, message.customer_id) else {
        settle(db, &message, SUPPRESSED, Some("no customer".into()), None).await?;
        return Ok(None);
    };
    let tenant_id = message.tenant_id;
    let zone = org::store_zone(db, tenant_id, Some(store_id)).await;
    let quiet = policy::for_store(db, tenant_id, store_id)
        .await?
        .quiet_hours();
    if quiet.is_quiet(now, zone) {
        let mut later: outbox_message::ActiveModel = message.into();
        later.next_attempt_at = Set(Some(quiet.release_at(now, zone)));
        later.update(db).await?;
        return Ok(None);
    }
    let customer = customer::Entity::find_by_id((tenant_id, customer_id))
        .one(db)
        .await?;
    let channel = ChannelKind::parse(&message.channel);
    let (Some(customer), Some(channel)) = (customer, channel) else {
        settle(db, &message, SUPPRESSED, Some("no customer".into()), None).await?;
        return Ok(None);
    };
    if let Some(reason) = refusal(&customer, channel, message.marketing) {
        settle(db, &message, SUPPRESSED, Some(reason.into()), None).await?;
        return Ok(None);
    }
    let taken = outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(SENDING))
        .filter(outbox_message::Column::TenantId.eq(tenant_id))
        .filter(outbox_message::Column::Id.eq(message.id))
        .filter(outbox_message::Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok((taken.rows_affected == 1).then(|| Dispatch {
        to: address(&customer, channel).unwrap_or_default(),
        message,
    }))
}

async fn settle(
    db: &impl ConnectionTrait,
    message: &outbox_message::Model,
    status: &str,
    error: Option<String>,
    next_attempt_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let mut model: outbox_message::ActiveModel = message.clone().into();
    model.status = Set(status.to_owned());
    model.last_error = Set(error);
    model.next_attempt_at = Set(next_attempt_at);
    model.update(db).await?;
    Ok(())
}

/// What the channel said about one claimed message.
pub enum Delivery {
    Sent {
        provider_id: Option<String>,
    },
    /// Try again at this time.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    /// Given up: a permanent refusal, or the tries are used up.
    Failed {
        error: String,
    },
}

/// Records the result of sending a claimed message.
pub async fn record(
    db: &impl ConnectionTrait,
    dispatch: &Dispatch,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> StoreResult<outbox_message::Model> {
    let message = &dispatch.message;
    let mut model: outbox_message::ActiveModel = message.clone().into();
    model.attempts = Set(message.attempts + 1);
    match delivery {
        Delivery::Sent { provider_id } => {
            on_timeline(db, message, now).await?;
            model.status = Set(SENT.to_owned());
            model.sent_at = Set(Some(now));
            model.provider_id = Set(provider_id);
            model.last_error = Set(None);
            model.next_attempt_at = Set(None);
        }
        Delivery::Retry { error, at } => {
            model.status = Set(PENDING.to_owned());
            model.last_error = Set(Some(error));
            model.next_attempt_at = Set(Some(at));
        }
        Delivery::Failed { error } => {
            model.status = Set(FAILED.to_owned());
            model.last_error = Set(Some(error));
            model.next_attempt_at = Set(None);
        }
    }
    Ok(model.update(db).await?)
}

/// A sent message lands on the customer's timeline with its words.
async fn on_timeline(
    db: &impl ConnectionTrait,
    message: &outbox_message::Model,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    timeline_event::ActiveModel {
        tenant_id: Set(message.tenant_id),
        id: Set(Uuid::now_v7()),
        customer_id: Set(message.customer_id),
        vehicle_id: Set(None),
        at: Set(now),
        kind: Set("message_sent".to_owned()),
        summary: Set(message.body.chars().take(120).collect()),
        actor_id: Set(None),
        data: Set(Some(serde_json::json!({
            "message_id": message.id, "channel": message.channel, "kind": message.kind,
        }))),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Messages left `sending` by a worker that stopped mid-way go back to the queue (a message may
/// then go twice; none is lost).
pub async fn requeue_interrupted(db: &impl ConnectionTrait) -> StoreResult<u64> {
    let result = outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(PENDING))
        .filter(outbox_message::Column::Status.eq(SENDING))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct MessageFilter {
    pub status: Option<String>,
    pub customer_id: Option<Uuid>,
    pub channel: Option<String>,
    pub limit: Option<u64>,
}

/// The outbox as the caller may see it, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &MessageFilter,
) -> StoreResult<Vec<outbox_message::Model>> {
    let mut query = outbox_message::Entity::find().filter(crate::service::in_scope(
        actor,
        outbox_message::Column::TenantId,
        outbox_message::Column::StoreId,
    ));
    if let Some(status) = &filter.status {
        query = query.filter(outbox_message::Column::Status.eq(status.as_str()));
    }
    if let Some(channel) = &filter.channel {
        query = query.filter(outbox_message::Column::Channel.eq(channel.as_str()));
    }
    if let Some(customer_id) = filter.customer_id {
        query = query.filter(outbox_message::Column::CustomerId.eq(customer_id));
    }
    Ok(query
        .order_by_desc(outbox_message::Column::Id)
        .limit(filter.limit.unwrap_or(100).min(500))
        .all(db)
        .await?)
}
