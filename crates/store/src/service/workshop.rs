//! The workshop's part of a repair order: dispatch (派工), technicians' clocks, pauses, added
//! work (增项) and the customer's decision on it (through the advisor or a signed link), the
//! QC chain, the internal delivery check, and the workshop board.

use chrono::{DateTime, Duration, Utc};
use fours_domain::access::Role;
use fours_domain::service::order::{
    Approval, InternalDelivery, JobProgress, PauseReason, Status, may_sign_check,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::entities::{repair_job, repair_order};
use super::orders::{self, JobInput, Loaded, PartInput, load, note, persist, refused};
use super::{in_scope, record_event, setup};
use crate::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::sales::{audit_record, text};

/// Runs one life-cycle step in a transaction: loads the order, lets `step` change it, audits.
async fn step<F>(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    action: &'static str,
    step: F,
) -> StoreResult<repair_order::Model>
where
    F: AsyncFnOnce(&sea_orm::DatabaseTransaction, Loaded) -> StoreResult<repair_order::Model>,
{
    let txn = crate::db::begin_write(&db.conn).await?;
    let loaded = load(&txn, actor, id).await?;
    let order = step(&txn, loaded).await?;
    audit_record(
        &txn,
        actor,
        action,
        "repair_order",
        order.id,
        &json!({"status": order.status}),
    )
    .await?;
    txn.commit().await?;
    Ok(order)
}

fn position_of(position: u32) -> StoreResult<usize> {
    usize::try_from(position)
        .map_err(|_| StoreError::invalid("job_position", "service.no_such_job"))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchInput {
    pub team: Option<String>,
    /// Given every job that has no technician yet.
    pub technician_id: Uuid,
    pub bay_id: Option<Uuid>,
    /// Higher goes first on the board (0 normal, 1 urgent, 2 waiting customer).
    pub priority: Option<u32>,
}

pub async fn dispatch(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &DispatchInput,
) -> StoreResult<repair_order::Model> {
    step(db, actor, id, "dispatch", async |txn, loaded| {
        let next = loaded.machine()?.dispatch().map_err(refused("status"))?;
        let store_id = loaded.order.store_id;
        let technician = setup::check_staff(
            txn,
            actor.tenant_id,
            store_id,
            input.technician_id,
            &[Role::Technician],
            "technician_id",
        )
        .await?;
        if let Some(bay_id) = input.bay_id {
            let bays = setup::store_bays(txn, actor.tenant_id, store_id).await?;
            if !bays.iter().any(|b| b.id == bay_id) {
                return Err(StoreError::invalid("bay_id", "reference.not_found"));
            }
        }
        for job in loaded.jobs.iter().filter(|j| j.technician_id.is_none()) {
            let mut model: repair_job::ActiveModel = job.clone().into();
            model.technician_id = Set(Some(technician.id));
            model.update(txn).await?;
        }
        let order = persist(
            txn,
            Some(actor),
            &loaded,
            &next,
            "dispatched",
            None,
            Some(technician.display_name),
        )
        .await?;
        let mut model: repair_order::ActiveModel = order.into();
        // The technician's team unless the supervisor names another.
        let team = match text(&input.team) {
            Some(team) => Some(team),
            None => super::staff::team_of(txn, actor.tenant_id, technician.id).await?,
        };
        model.team = Set(team);
        model.bay_id = Set(input.bay_id.or(loaded.order.bay_id));
        model.priority = Set(i32::try_from(input.priority.unwrap_or(0).min(9)).unwrap_or(0));
        Ok(model.update(txn).await?)
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    #[serde(flatten)]
    pub job: JobInput,
    /// What the technician found, for the advisor and the customer.
    pub finding: String,
    /// Declined safety-related work must be signed off by the customer at hand-over.
    #[serde(default)]
    pub safety_related: bool,
    #[serde(default)]
    pub parts: Vec<PartInput>,
}

/// A technician's finding becomes added work, waiting for the customer's decision.
pub async fn propose(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &ProposalInput,
) -> StoreResult<repair_order::Model> {
    let finding = text(&Some(input.finding.clone()))
        .ok_or_else(|| StoreError::invalid("finding", "required"))?;
    step(db, actor, id, "propose_job", async |txn, loaded| {
        let (next, position) = loaded.machine()?.propose_job().map_err(refused("status"))?;
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        let mut row = orders::job_row(
            txn,
            actor,
            &loaded.order,
            position,
            &input.job,
            Approval::Proposed,
        )
        .await?;
        row.finding = Set(Some(finding.clone()));
        row.proposed_by = Set(Some(actor.user_id));
        row.safety_related = Set(input.safety_related);
        row.insert(txn).await?;
        let with_parts: Vec<PartInput> = input
            .parts
            .iter()
            .cloned()
            .map(|p| PartInput {
                job_position: u32::try_from(position).ok(),
                ..p
            })
            .collect();
        orders::insert_parts(txn, &loaded.order, &with_parts, next.jobs.len()).await?;
        let loaded = Loaded {
            jobs: orders::jobs_of(txn, &loaded.order).await?,
            order: loaded.order,
        };
        persist(
            txn,
            Some(actor),
            &loaded,
            &next,
            "proposed",
            Some(position),
            Some(finding.clone()),
        )
        .await
    })
    .await
}

pub const DECIDED_VIA: [&str; 3] = ["in_person", "phone", "link"];

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// The job's position on the order (0 is the first).
    pub job_position: u32,
    pub approve: bool,
    /// `in_person` or `phone` (the link records `link` itself).
    pub via: String,
    /// Who decided: the customer's name as they gave it.
    pub decided_by: String,
}

/// The customer's yes or no to one proposed job, recorded with who, when and how.
pub async fn decide(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &DecisionInput,
) -> StoreResult<repair_order::Model> {
    if !DECIDED_VIA[..2].contains(&input.via.as_str()) {
        return Err(StoreError::invalid("via", "choice.invalid"));
    }
    let decided_by = text(&Some(input.decided_by.clone()))
        .ok_or_else(|| StoreError::invalid("decided_by", "required"))?;
    step(db, actor, id, "decide_job", async |txn, loaded| {
        record_decision(
            txn,
            Some(actor),
            loaded,
            input.job_position,
            input.approve,
            &input.via,
            &decided_by,
        )
        .await
    })
    .await
}

async fn record_decision(
    txn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    loaded: Loaded,
    position: u32,
    approve: bool,
    via: &str,
    decided_by: &str,
) -> StoreResult<repair_order::Model> {
    let next = loaded
        .machine()?
        .decide_job(position_of(position)?, approve)
        .map_err(refused("job_position"))?;
    let job = loaded.job(position)?.clone();
    let mut model: repair_job::ActiveModel = job.clone().into();
    model.decided_via = Set(Some(via.to_owned()));
    model.decided_by = Set(Some(decided_by.to_owned()));
    model.decided_at = Set(Some(Utc::now()));
    model.update(txn).await?;
    let loaded = Loaded {
        jobs: orders::jobs_of(txn, &loaded.order).await?,
        order: loaded.order,
    };
    let kind = if approve { "approved" } else { "declined" };
    let remark = format!("{decided_by} ({via})");
    persist(
        txn,
        actor,
        &loaded,
        &next,
        kind,
        Some(job.position),
        Some(remark),
    )
    .await
}

/// Clocks a technician on a job (starting it, or resuming its clock).
pub async fn clock_on(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    position: u32,
) -> StoreResult<repair_order::Model> {
    step(db, actor, id, "clock_on", async |txn, loaded| {
        let job = loaded.job(position)?.clone();
        if job.clocked_on_at.is_some() {
            return Err(StoreError::invalid("job_position", "service.job_started"));
        }
        let resuming = job.progress == JobProgress::Started.as_str();
        let next = if resuming {
            let machine = loaded.machine()?;
            if machine.status != Status::InProgress {
                return Err(StoreError::invalid(
                    "job_position",
                    "service.not_in_progress",
                ));
            }
            machine
        } else {
            loaded
                .machine()?
                .start_job(position_of(position)?)
                .map_err(refused("job_position"))?
        };
        let mut model: repair_job::ActiveModel = job.clone().into();
        model.clocked_on_at = Set(Some(Utc::now()));
        if actor.role == Role::Technician {
            model.technician_id = Set(Some(actor.user_id));
        }
        model.update(txn).await?;
        let loaded = Loaded {
            jobs: orders::jobs_of(txn, &loaded.order).await?,
            order: loaded.order,
        };
        persist(
            txn,
            Some(actor),
            &loaded,
            &next,
            "clock_on",
            Some(job.position),
            None,
        )
        .await
    })
    .await
}

/// Clocks off a job, adding the minutes to its actual hours; `done` reports the job finished.
pub async fn clock_off(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    position: u32,
    done: bool,
) -> StoreResult<repair_order::Model> {
    step(db, actor, id, "clock_off", async |txn, loaded| {
        let job = loaded.job(position)?.clone();
        let Some(since) = job.clocked_on_at else {
            return Err(StoreError::invalid(
                "job_position",
                "service.job_not_started",
            ));
        };
        let next = if done {
            loaded
                .machine()?
                .complete_job(position_of(position)?)
                .map_err(refused("job_position"))?
        } else {
            loaded.machine()?
        };
        let mut model: repair_job::ActiveModel = job.clone().into();
        model.clocked_minutes = Set(job
            .clocked_minutes
            .saturating_add(clocked_minutes(since, Utc::now())));
        model.clocked_on_at = Set(None);
        model.update(txn).await?;
        let loaded = Loaded {
            jobs: orders::jobs_of(txn, &loaded.order).await?,
            order: loaded.order,
        };
        let kind = if done { "job_done" } else { "clock_off" };
        persist(
            txn,
            Some(actor),
            &loaded,
            &next,
            kind,
            Some(job.position),
            None,
        )
        .await
    })
    .await
}

/// Whole minutes on the clock, at least one for any clocking.
fn clocked_minutes(since: DateTime<Utc>, until: DateTime<Utc>) -> i32 {
    i32::try_from((until - since).num_minutes().max(1)).unwrap_or(i32::MAX)
}

pub async fn pause(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    reason: &str,
    remark: Option<String>,
) -> StoreResult<repair_order::Model> {
    let reason = PauseReason::parse(reason)
        .ok_or_else(|| StoreError::invalid("pause_reason", "choice.invalid"))?;
    step(db, actor, id, "pause", async |txn, loaded| {
        let next = loaded.machine()?.pause(reason).map_err(refused("status"))?;
        persist(
            txn,
            Some(actor),
            &loaded,
            &next,
            "paused",
            None,
            text(&remark).or(Some(reason.as_str().to_owned())),
        )
        .await
    })
    .await
}

pub async fn resume(db: &Database, actor: &Actor, id: Uuid) -> StoreResult<repair_order::Model> {
    step(db, actor, id, "resume", async |txn, loaded| {
        let next = loaded.machine()?.resume().map_err(refused("status"))?;
        persist(txn, Some(actor), &loaded, &next, "resumed", None, None).await
    })
    .await
}

/// Work is finished: every approved job done, nothing waiting for the customer.
pub async fn finish(db: &Database, actor: &Actor, id: Uuid) -> StoreResult<repair_order::Model> {
    step(db, actor, id, "finish_work", async |txn, loaded| {
        if loaded.jobs.iter().any(|j| j.clocked_on_at.is_some()) {
            return Err(StoreError::invalid("status", "service.clock_running"));
        }
        let next = loaded.machine()?.finish_work().map_err(refused("status"))?;
        persist(
            txn,
            Some(actor),
            &loaded,
            &next,
            "work_finished",
            None,
            None,
        )
        .await
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    pub pass: bool,
    /// On a failed check: the job that goes back to the workshop.
    pub job_position: Option<u32>,
    /// Findings and recommendations (the team leader's, the inspector's).
    pub note: Option<String>,
}

pub async fn check(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &CheckInput,
) -> StoreResult<repair_order::Model> {
    step(db, actor, id, "qc_check", async |txn, loaded| {
        let machine = loaded.machine()?;
        if !may_sign_check(actor.role, machine.status) {
            return Err(StoreError::invalid("status", "service.check_role"));
        }
        let level = machine.status.as_str();
        if input.pass {
            let next = machine.pass_check().map_err(refused("status"))?;
            return persist(
                txn,
                Some(actor),
                &loaded,
                &next,
                &format!("{level}_passed"),
                None,
                text(&input.note),
            )
            .await;
        }
        let position = input
            .job_position
            .ok_or_else(|| StoreError::invalid("job_position", "required"))?;
        let next = machine
            .fail_check(position_of(position)?)
            .map_err(refused("job_position"))?;
        let job = loaded.job(position)?.position;
        persist(
            txn,
            Some(actor),
            &loaded,
            &next,
            &format!("{level}_failed"),
            Some(job),
            text(&input.note),
        )
        .await
    })
    .await
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InternalDeliveryInput {
    pub jobs_signed: bool,
    pub fault_gone: bool,
    pub old_parts_ready: bool,
    pub clean: bool,
    pub no_tools_left: bool,
}

/// The internal delivery check (内部交车); the car is ready and `vehicle_ready` asks the
/// notification outbox to tell the customer.
pub async fn deliver_internally(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    input: &InternalDeliveryInput,
) -> StoreResult<repair_order::Model> {
    step(db, actor, id, "internal_delivery", async |txn, loaded| {
        let checklist = InternalDelivery {
            jobs_signed: input.jobs_signed,
            fault_gone: input.fault_gone,
            old_parts_ready: input.old_parts_ready,
            clean: input.clean,
            no_tools_left: input.no_tools_left,
        };
        let next = loaded.machine()?.deliver_internally(&checklist).map_err(refused("checklist"))?;
        let order = persist(txn, Some(actor), &loaded, &next, "ready", None, None).await?;
        let mut model: repair_order::ActiveModel = order.into();
        model.internal_check = Set(json!(input));
        model.ready_at = Set(Some(Utc::now()));
        let order = model.update(txn).await?;
        let payload = json!({"order_id": order.id, "order_number": order.number, "advisor_id": order.advisor_id});
        record_event(txn, &order, "vehicle_ready", payload, Utc::now()).await?;
        Ok(order)
    })
    .await
}

/// How long a customer's approval link stays valid.
pub const APPROVAL_LINK_HOURS: i64 = 24;

/// A signed, expiring token for the customer's approval page: `order.expiry.signature`.
pub async fn approval_link(
    db: &Database,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<(String, DateTime<Utc>)> {
    let order = orders::get(&db.conn, actor, id).await?;
    let expires = Utc::now() + Duration::hours(APPROVAL_LINK_HOURS);
    let message = link_message(order.tenant_id, order.id, expires.timestamp());
    let token = format!(
        "{}.{}.{}.{}",
        order.tenant_id.simple(),
        order.id.simple(),
        expires.timestamp(),
        db.pii.sign_link(&message)
    );
    let txn = crate::db::begin_write(&db.conn).await?;
    note(&txn, Some(actor), &order, "approval_link_sent", None, None).await?;
    txn.commit().await?;
    Ok((token, expires))
}

fn link_message(tenant: Uuid, order: Uuid, expires: i64) -> String {
    format!("approval:{tenant}:{order}:{expires}")
}

/// The order a link's token names, if its signature holds and it has not expired.
async fn linked_order(db: &Database, token: &str) -> StoreResult<Loaded> {
    let parts: Vec<&str> = token.split('.').collect();
    let [tenant, order, expires, signature] = parts[..] else {
        return Err(StoreError::NotFound);
    };
    let (Ok(tenant), Ok(order), Ok(expires)) = (
        Uuid::parse_str(tenant),
        Uuid::parse_str(order),
        expires.parse::<i64>(),
    ) else {
        return Err(StoreError::NotFound);
    };
    if !db
        .pii
        .verify_link(&link_message(tenant, order, expires), signature)
    {
        return Err(StoreError::NotFound);
    }
    if Utc::now().timestamp() > expires {
        return Err(StoreError::invalid("token", "service.link_expired"));
    }
    let order = repair_order::Entity::find_by_id((tenant, order))
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let jobs = orders::jobs_of(&db.conn, &order).await?;
    Ok(Loaded { order, jobs })
}

/// What the customer's approval page shows: the order and its proposed jobs with prices.
pub struct LinkedProposal {
    pub order: repair_order::Model,
    pub jobs: Vec<repair_job::Model>,
    pub parts: Vec<super::entities::repair_part::Model>,
}

pub async fn proposals_for_link(db: &Database, token: &str) -> StoreResult<LinkedProposal> {
    let loaded = linked_order(db, token).await?;
    let parts = orders::parts_of(&db.conn, &loaded.order).await?;
    Ok(LinkedProposal {
        jobs: loaded.jobs,
        parts,
        order: loaded.order,
    })
}

/// The customer decides one proposed job on the linked page.
pub async fn decide_by_link(
    db: &Database,
    token: &str,
    position: u32,
    approve: bool,
) -> StoreResult<repair_order::Model> {
    let loaded = linked_order(db, token).await?;
    let txn = crate::db::begin_write(&db.conn).await?;
    // Read again inside the transaction: the advisor may have recorded a decision meanwhile.
    let order = repair_order::Entity::find_by_id((loaded.order.tenant_id, loaded.order.id))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let jobs = orders::jobs_of(&txn, &order).await?;
    let decided = record_decision(
        &txn,
        None,
        Loaded { order, jobs },
        position,
        approve,
        "link",
        "customer",
    )
    .await?;
    txn.commit().await?;
    Ok(decided)
}

/// One order on the workshop board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardCard {
    pub order_id: Uuid,
    pub number: String,
    pub status: String,
    pub pause_reason: Option<String>,
    pub bay_id: Option<Uuid>,
    pub team: Option<String>,
    pub priority: i32,
    pub promised_at: DateTime<Utc>,
    /// Past its promised time and not yet ready.
    pub late: bool,
    pub jobs_done: usize,
    pub jobs_total: usize,
    /// Added work waiting for the customer.
    pub waiting_approval: usize,
    pub technician_ids: Vec<Uuid>,
}

/// Where an order is while the car is in the workshop (not yet settled and handed over).
const IN_WORKSHOP: [Status; 9] = [
    Status::Open,
    Status::Dispatched,
    Status::InProgress,
    Status::Paused,
    Status::SelfCheck,
    Status::TeamCheck,
    Status::FinalInspection,
    Status::Inspected,
    Status::Ready,
];

/// The workshop board: every order in the workshop (not yet handed over), by bay and priority.
pub async fn board(db: &impl ConnectionTrait, actor: &Actor) -> StoreResult<Vec<BoardCard>> {
    let open: Vec<repair_order::Model> = repair_order::Entity::find()
        .filter(in_scope(
            actor,
            repair_order::Column::TenantId,
            repair_order::Column::StoreId,
        ))
        // The statuses named (not "not handed over"), so the store-and-status index finds them
        // among years of closed orders.
        .filter(repair_order::Column::Status.is_in(IN_WORKSHOP.iter().map(|s| s.as_str())))
        .order_by_desc(repair_order::Column::Priority)
        .order_by_asc(repair_order::Column::PromisedAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = open.iter().map(|o| o.id).collect();
    let jobs = if ids.is_empty() {
        Vec::new()
    } else {
        repair_job::Entity::find()
            .filter(repair_job::Column::TenantId.eq(actor.tenant_id))
            .filter(repair_job::Column::OrderId.is_in(ids))
            .all(db)
            .await?
    };
    let now = Utc::now();
    Ok(open
        .into_iter()
        .map(|order| {
            let mine: Vec<&repair_job::Model> =
                jobs.iter().filter(|j| j.order_id == order.id).collect();
            let approved = |j: &&&repair_job::Model| j.approval == Approval::Approved.as_str();
            let mut technicians: Vec<Uuid> = mine.iter().filter_map(|j| j.technician_id).collect();
            technicians.sort();
            technicians.dedup();
            BoardCard {
                late: order.promised_at < now && order.ready_at.is_none(),
                jobs_done: mine
                    .iter()
                    .filter(approved)
                    .filter(|j| j.progress == JobProgress::Done.as_str())
                    .count(),
                jobs_total: mine.iter().filter(approved).count(),
                waiting_approval: mine
                    .iter()
                    .filter(|j| j.approval == Approval::Proposed.as_str())
                    .count(),
                technician_ids: technicians,
                order_id: order.id,
                number: order.number,
                status: order.status,
                pause_reason: order.pause_reason,
                bay_id: order.bay_id,
                team: order.team,
                priority: order.priority,
                promised_at: order.promised_at,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clocking_counts_whole_minutes_and_at_least_one() {
        let start = Utc::now();
        assert_eq!(clocked_minutes(start, start), 1);
        assert_eq!(clocked_minutes(start, start + Duration::seconds(150)), 2);
        assert_eq!(clocked_minutes(start, start + Duration::minutes(45)), 45);
    }
}
