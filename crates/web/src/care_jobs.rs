//! Care's background work inside `fours serve`: the outbox worker (sends due messages with
//! retries and backoff, records each delivery) and the care scheduler (reacts to events as
//! they are recorded, runs each store's date rules once its day begins, escalates overdue
//! tasks and complaints). Both are loops over store operations, so they can also be driven
//! step by step (`fours care run`, the tests).

use std::time::Duration;

use chrono::{DateTime, Utc};
use fours_notify::{ChannelKind, Channels, Outgoing, SendError, retry_delay};
use fours_store::Database;
use fours_store::care::outbox::{self, Delivery, Dispatch};
use fours_store::care::{complaints, generate, tasks};

/// Messages claimed per round.
const BATCH: u64 = 50;

/// Sends every message due at `now`; returns how many were tried.
pub async fn send_due(
    db: &Database,
    channels: &Channels,
    now: DateTime<Utc>,
) -> fours_store::error::StoreResult<usize> {
    let claimed = outbox::claim_due(&db.conn, now, BATCH).await?;
    for dispatch in &claimed {
        let delivery = deliver(channels, dispatch, now).await;
        outbox::record(&db.conn, dispatch, delivery, now).await?;
    }
    Ok(claimed.len())
}

async fn deliver(channels: &Channels, dispatch: &Dispatch, now: DateTime<Utc>) -> Delivery {
    let message = &dispatch.message;
    let Some(channel) = ChannelKind::parse(&message.channel) else {
        return Delivery::Failed {
            error: format!("unknown channel {}", message.channel),
        };
    };
    let outgoing = Outgoing {
        id: message.id,
        channel,
        to: dispatch.to.clone(),
        subject: message.subject.clone(),
        body: message.body.clone(),
        template: message.template.clone(),
    };
    match channels.send(&outgoing).await {
        Ok(receipt) => Delivery::Sent {
            provider_id: receipt.provider_id,
        },
        Err(SendError::Permanent(error)) => Delivery::Failed { error },
        Err(error @ SendError::NotConfigured(_)) => Delivery::Failed {
            error: error.to_string(),
        },
        Err(SendError::Temporary(error)) => {
            let tries = u32::try_from(message.attempts + 1).unwrap_or(u32::MAX);
            match retry_delay(tries).and_then(|delay| chrono::Duration::from_std(delay).ok()) {
                Some(delay) => Delivery::Retry {
                    error,
                    at: now + delay,
                },
                None => Delivery::Failed { error },
            }
        }
    }
}

/// One round of the scheduler: events, date rules of stores whose day has begun, escalations.
pub async fn care_round(db: &Database, now: DateTime<Utc>) -> fours_store::error::StoreResult<()> {
    while generate::handle_events(db, 200).await? > 0 {}
    generate::run_due_days(db, now, false).await?;
    tasks::escalate_overdue(&db.conn, now).await?;
    complaints::escalate_overdue(db, now).await?;
    Ok(())
}

/// Runs both loops until the process ends: messages every few seconds, care every half minute.
pub fn spawn(db: Database, channels: Channels) {
    let sender_db = db.clone();
    tokio::spawn(async move {
        if let Err(error) = outbox::requeue_interrupted(&sender_db.conn).await {
            tracing::warn!(%error, "could not requeue interrupted messages");
        }
        loop {
            match send_due(&sender_db, &channels, Utc::now()).await {
                Ok(n) if n > 0 => tracing::debug!(sent = n, "outbox round"),
                Ok(_) => tokio::time::sleep(Duration::from_secs(5)).await,
                Err(error) => {
                    tracing::error!(%error, "outbox round failed");
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            }
        }
    });
    tokio::spawn(async move {
        loop {
            if let Err(error) = care_round(&db, Utc::now()).await {
                tracing::error!(%error, "care round failed");
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    });
}
