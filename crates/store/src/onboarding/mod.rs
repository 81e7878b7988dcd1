//! Imports at scale. A job remembers how far it got; each batch of rows is written in one
//! transaction together with that progress and the rows it rejected, so an interrupted import
//! leaves whole batches only and resumes without adding anything twice.
//!
//! Rows are checked by the archive's own rules before they get here ([`crate::customers::new_model`],
//! [`crate::vehicles::new_model`]); this module decides what each row does to the database:
//! create, or — when its mobile, resident ID or VIN matches a record in the database or earlier
//! in the file — apply the job's duplicate policy to that record.

pub mod entities;

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use fours_domain::access::DataScope;
use fours_domain::customers::relationship::{RelationshipFacts, RetentionThresholds, classify};
use fours_domain::onboarding::OnDuplicate;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable,
    QueryFilter, QueryOrder, QuerySelect, Set, Value,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::customers::entities::{customer, family_member};
use crate::customers::{NewCustomer, family_rows, refresh_class};
use crate::db::Database;
use crate::error::{StoreError, StoreResult};
use crate::org::Actor;
use crate::vehicles::entities::{mileage_reading, ownership, vehicle};
use entities::{import_job, import_reject};

/// Uploaded, waiting for the user to confirm the column mapping.
pub const DRAFT: &str = "draft";
pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

pub struct NewJob {
    pub store_id: Uuid,
    pub file_name: String,
    pub file_sha256: String,
    pub file_path: Option<String>,
    pub mapping: serde_json::Value,
    pub on_duplicate: OnDuplicate,
    pub dry_run: bool,
    /// Wait in [`DRAFT`] for [`configure_job`] instead of being queued at once.
    pub awaiting_mapping: bool,
}

pub async fn create_job(
    db: &impl ConnectionTrait,
    actor: &Actor,
    job: NewJob,
) -> StoreResult<import_job::Model> {
    crate::org::find_store(db, actor.tenant_id, job.store_id)
        .await
        .map_err(|_| StoreError::invalid("store_id", "reference.not_found"))?;
    let now = Utc::now();
    Ok(import_job::ActiveModel {
        tenant_id: Set(actor.tenant_id),
        id: Set(Uuid::now_v7()),
        store_id: Set(job.store_id),
        created_by: Set(actor.user_id),
        file_name: Set(job.file_name),
        file_sha256: Set(job.file_sha256),
        file_path: Set(job.file_path),
        mapping: Set(job.mapping),
        on_duplicate: Set(job.on_duplicate.as_str().to_owned()),
        dry_run: Set(job.dry_run),
        status: Set(if job.awaiting_mapping { DRAFT } else { QUEUED }.to_owned()),
        next_row: Set(2),
        rows_total: Set(None),
        rows_done: Set(0),
        customers_created: Set(0),
        vehicles_created: Set(0),
        records_updated: Set(0),
        duplicates: Set(0),
        rows_rejected: Set(0),
        failure: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// An unfinished import of the same file into the same store with the same policy: running it
/// again continues that job instead of starting over.
pub async fn resumable_job(
    db: &impl ConnectionTrait,
    actor: &Actor,
    store_id: Uuid,
    file_sha256: &str,
    on_duplicate: OnDuplicate,
) -> StoreResult<Option<import_job::Model>> {
    Ok(import_job::Entity::find()
        .filter(import_job::Column::TenantId.eq(actor.tenant_id))
        .filter(import_job::Column::StoreId.eq(store_id))
        .filter(import_job::Column::FileSha256.eq(file_sha256))
        .filter(import_job::Column::OnDuplicate.eq(on_duplicate.as_str()))
        .filter(import_job::Column::DryRun.eq(false))
        .filter(import_job::Column::Status.ne(DONE))
        .order_by_desc(import_job::Column::Id)
        .one(db)
        .await?)
}

/// Jobs the actor may see: their own, or all of their store or group by data scope.
fn visible_jobs(actor: &Actor) -> Condition {
    let base = Condition::all().add(import_job::Column::TenantId.eq(actor.tenant_id));
    match (actor.scope, actor.store_id) {
        (DataScope::Own, _) => base.add(import_job::Column::CreatedBy.eq(actor.user_id)),
        (DataScope::Store, Some(store_id)) => base.add(import_job::Column::StoreId.eq(store_id)),
        _ => base,
    }
}

pub async fn job(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> StoreResult<import_job::Model> {
    import_job::Entity::find()
        .filter(visible_jobs(actor))
        .filter(import_job::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The newest jobs first.
pub async fn jobs(
    db: &impl ConnectionTrait,
    actor: &Actor,
    limit: u64,
) -> StoreResult<Vec<import_job::Model>> {
    Ok(import_job::Entity::find()
        .filter(visible_jobs(actor))
        .order_by_desc(import_job::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Jobs of every tenant that a background worker should (re)start: queued, or running when the
/// server stopped.
pub async fn unfinished_uploads(db: &impl ConnectionTrait) -> StoreResult<Vec<import_job::Model>> {
    Ok(import_job::Entity::find()
        .filter(import_job::Column::Status.is_in([QUEUED, RUNNING]))
        .filter(import_job::Column::FilePath.is_not_null())
        .order_by_asc(import_job::Column::Id)
        .all(db)
        .await?)
}

/// Sets a draft job's mapping and policy and queues it.
pub async fn configure_job(
    db: &impl ConnectionTrait,
    job: &import_job::Model,
    mapping: serde_json::Value,
    on_duplicate: OnDuplicate,
    dry_run: bool,
) -> StoreResult<import_job::Model> {
    if job.status != DRAFT {
        return Err(StoreError::Conflict("import already started"));
    }
    let mut model: import_job::ActiveModel = job.clone().into();
    model.mapping = Set(mapping);
    model.on_duplicate = Set(on_duplicate.as_str().to_owned());
    model.dry_run = Set(dry_run);
    model.status = Set(QUEUED.to_owned());
    model.updated_at = Set(Utc::now());
    Ok(model.update(db).await?)
}

/// Marks the job running, with the number of data rows if known.
pub async fn start_job(
    db: &impl ConnectionTrait,
    job: &import_job::Model,
    rows_total: Option<i64>,
) -> StoreResult<import_job::Model> {
    let mut model: import_job::ActiveModel = job.clone().into();
    model.status = Set(RUNNING.to_owned());
    model.rows_total = Set(rows_total.or(job.rows_total));
    model.failure = Set(None);
    model.updated_at = Set(Utc::now());
    Ok(model.update(db).await?)
}

/// Marks the job done, or failed with the reason.
pub async fn finish_job(
    db: &impl ConnectionTrait,
    job: &import_job::Model,
    failure: Option<String>,
) -> StoreResult<import_job::Model> {
    let mut model: import_job::ActiveModel = job.clone().into();
    model.status = Set(if failure.is_some() { FAILED } else { DONE }.to_owned());
    model.failure = Set(failure);
    let now = Utc::now();
    model.updated_at = Set(now);
    model.finished_at = Set(Some(now));
    Ok(model.update(db).await?)
}

/// Rejected rows in file order, `limit` at a time after row `after_row`.
pub async fn rejects(
    db: &impl ConnectionTrait,
    job: &import_job::Model,
    after: Option<(i64, Uuid)>,
    limit: u64,
) -> StoreResult<Vec<import_reject::Model>> {
    let mut query = import_reject::Entity::find()
        .filter(import_reject::Column::TenantId.eq(job.tenant_id))
        .filter(import_reject::Column::JobId.eq(job.id));
    if let Some((row_no, id)) = after {
        query = query.filter(
            Condition::any()
                .add(import_reject::Column::RowNo.gt(row_no))
                .add(
                    Condition::all()
                        .add(import_reject::Column::RowNo.eq(row_no))
                        .add(import_reject::Column::Id.gt(id)),
                ),
        );
    }
    Ok(query
        .order_by_asc(import_reject::Column::RowNo)
        .order_by_asc(import_reject::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// One file row, checked and ready to write.
pub struct PreparedRow {
    pub row_no: i64,
    pub customer: NewCustomer,
    pub vehicle: Option<vehicle::ActiveModel>,
    /// Earlier odometer readings (date, km) to record; without them a car's `mileage_km` is
    /// recorded as read today.
    pub mileage_history: Vec<(NaiveDate, i32)>,
}

/// Why one row (or one of its cells) was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub row_no: i64,
    pub column_name: String,
    pub field: String,
    pub value: String,
    pub code: String,
}

/// Writes one batch: its rows, its rejects and the job's progress up to `next_row`, all in one
/// transaction. A dry run records rejects and progress but writes no customer or vehicle.
pub async fn write_batch(
    db: &Database,
    actor: &Actor,
    job: &import_job::Model,
    rows: Vec<PreparedRow>,
    mut rejected: Vec<Reject>,
    next_row: i64,
) -> StoreResult<import_job::Model> {
    let policy = OnDuplicate::parse(&job.on_duplicate).unwrap_or_default();
    let file_rows = rows
        .iter()
        .map(|r| r.row_no)
        .chain(rejected.iter().map(|r| r.row_no))
        .collect::<HashSet<_>>()
        .len() as i64;
    let txn = crate::db::begin_write(&db.conn).await?;
    let mut batch = Batch::load(&txn, actor, &rows).await?;
    for row in rows {
        batch.resolve(actor, job.store_id, row, policy, &mut rejected);
    }
    let rejected_rows = distinct_rows(&rejected);
    let counts = batch.counts;
    if !job.dry_run {
        batch.write(&txn, actor).await?;
    }
    insert_all(
        &txn,
        rejected
            .into_iter()
            .map(|r| reject_row(job, r))
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut progress: import_job::ActiveModel = job.clone().into();
    progress.next_row = Set(next_row);
    progress.rows_done = Set(job.rows_done + file_rows);
    progress.customers_created = Set(job.customers_created + counts.customers_created);
    progress.vehicles_created = Set(job.vehicles_created + counts.vehicles_created);
    progress.records_updated = Set(job.records_updated + counts.records_updated);
    progress.duplicates = Set(job.duplicates + counts.duplicates);
    progress.rows_rejected = Set(job.rows_rejected + rejected_rows);
    progress.updated_at = Set(Utc::now());
    let updated = progress.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        AuditEntry {
            action: "import_batch",
            entity: "import_job",
            entity_id: Some(job.id),
            before: None,
            after: Some(json!({
                "rows_before": next_row,
                "customers_created": counts.customers_created,
                "vehicles_created": counts.vehicles_created,
                "records_updated": counts.records_updated,
                "duplicates": counts.duplicates,
                "rows_rejected": rejected_rows,
                "dry_run": job.dry_run,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

fn distinct_rows(rejects: &[Reject]) -> i64 {
    rejects
        .iter()
        .map(|r| r.row_no)
        .collect::<HashSet<_>>()
        .len() as i64
}

fn reject_row(job: &import_job::Model, reject: Reject) -> import_reject::ActiveModel {
    import_reject::ActiveModel {
        tenant_id: Set(job.tenant_id),
        id: Set(Uuid::now_v7()),
        job_id: Set(job.id),
        row_no: Set(reject.row_no),
        column_name: Set(reject.column_name),
        field: Set(reject.field),
        value: Set(reject.value),
        code: Set(reject.code),
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    customers_created: i64,
    vehicles_created: i64,
    records_updated: i64,
    duplicates: i64,
}

/// A record a batch creates or changes. `existing` holds the saved record as it was.
struct Slot<A: ActiveModelTrait> {
    model: A,
    existing: Option<<A::Entity as EntityTrait>::Model>,
    /// An existing record the actor may not change (another store's, or deleted): matched, left as is.
    frozen: bool,
    changed: bool,
}

impl<A: ActiveModelTrait> Slot<A> {
    fn created(model: A) -> Self {
        Slot {
            model,
            existing: None,
            frozen: false,
            changed: false,
        }
    }
}

/// The records one batch touches, found by the keys duplicates are matched on.
#[derive(Default)]
struct Batch {
    customers: Vec<Slot<customer::ActiveModel>>,
    vehicles: Vec<Slot<vehicle::ActiveModel>>,
    by_mobile: HashMap<String, usize>,
    by_id_hash: HashMap<String, usize>,
    by_vin: HashMap<String, usize>,
    family: Vec<family_member::ActiveModel>,
    ownerships: Vec<ownership::ActiveModel>,
    readings: Vec<mileage_reading::ActiveModel>,
    /// Existing customers who got a car from this batch, whose class needs recomputing.
    gained_vehicle: HashSet<Uuid>,
    counts: Counts,
}

fn set_text(value: &ActiveValue<Option<String>>) -> Option<&String> {
    value.try_as_ref().and_then(Option::as_ref)
}

impl Batch {
    /// Loads the saved records that rows of the batch match.
    async fn load(
        db: &impl ConnectionTrait,
        actor: &Actor,
        rows: &[PreparedRow],
    ) -> StoreResult<Batch> {
        let mut batch = Batch::default();
        let mobiles: Vec<&String> = rows
            .iter()
            .filter_map(|r| set_text(&r.customer.model.mobile))
            .collect();
        let id_hashes: Vec<&String> = rows
            .iter()
            .filter_map(|r| set_text(&r.customer.model.id_number_hash))
            .collect();
        let vins: Vec<&String> = rows
            .iter()
            .filter_map(|r| r.vehicle.as_ref()?.vin.try_as_ref())
            .collect();
        if !mobiles.is_empty() || !id_hashes.is_empty() {
            let found = customer::Entity::find()
                .filter(customer::Column::TenantId.eq(actor.tenant_id))
                .filter(customer::Column::DeletedAt.is_null())
                .filter(
                    Condition::any()
                        .add(customer::Column::Mobile.is_in(mobiles))
                        .add(customer::Column::IdNumberHash.is_in(id_hashes)),
                )
                .all(db)
                .await?;
            for existing in found {
                let frozen = !may_change(actor, existing.store_id, existing.owner_id);
                batch.add_customer(Slot {
                    model: existing.clone().into(),
                    existing: Some(existing),
                    frozen,
                    changed: false,
                });
            }
        }
        if !vins.is_empty() {
            let found = vehicle::Entity::find()
                .filter(vehicle::Column::TenantId.eq(actor.tenant_id))
                .filter(vehicle::Column::Vin.is_in(vins))
                .all(db)
                .await?;
            for existing in found {
                let frozen =
                    existing.deleted_at.is_some() || !may_change(actor, existing.store_id, None);
                batch.add_vehicle(Slot {
                    model: existing.clone().into(),
                    existing: Some(existing),
                    frozen,
                    changed: false,
                });
            }
        }
        Ok(batch)
    }

    fn add_customer(&mut self, slot: Slot<customer::ActiveModel>) -> usize {
        let index = self.customers.len();
        self.customers.push(slot);
        self.index_customer(index);
        index
    }

    /// Makes the customer findable by its keys (again, after a merge may have filled them).
    fn index_customer(&mut self, index: usize) {
        let model = &self.customers[index].model;
        if let Some(mobile) = set_text(&model.mobile) {
            self.by_mobile.entry(mobile.clone()).or_insert(index);
        }
        if let Some(hash) = set_text(&model.id_number_hash) {
            self.by_id_hash.entry(hash.clone()).or_insert(index);
        }
    }

    fn add_vehicle(&mut self, slot: Slot<vehicle::ActiveModel>) -> usize {
        let index = self.vehicles.len();
        if let Some(vin) = slot.model.vin.try_as_ref() {
            self.by_vin.entry(vin.clone()).or_insert(index);
        }
        self.vehicles.push(slot);
        index
    }

    /// Decides what one row does: create its customer and car, or apply the policy to the
    /// records it matches.
    fn resolve(
        &mut self,
        actor: &Actor,
        store_id: Uuid,
        row: PreparedRow,
        policy: OnDuplicate,
        rejected: &mut Vec<Reject>,
    ) {
        let customer = &row.customer.model;
        let by_mobile = set_text(&customer.mobile).and_then(|m| self.by_mobile.get(m).copied());
        let by_id =
            set_text(&customer.id_number_hash).and_then(|h| self.by_id_hash.get(h).copied());
        if let (Some(a), Some(b)) = (by_mobile, by_id)
            && a != b
        {
            rejected.push(Reject {
                row_no: row.row_no,
                column_name: String::new(),
                field: "id_number".into(),
                value: String::new(),
                code: "import.duplicate_conflict".into(),
            });
            return;
        }
        let customer_index = match by_mobile.or(by_id) {
            Some(index) => {
                self.counts.duplicates += 1;
                self.counts.records_updated +=
                    merge(&mut self.customers[index], customer, policy, CUSTOMER_KEEP);
                self.index_customer(index);
                index
            }
            None => {
                let mut model = row.customer.model;
                model.store_id = Set(store_id);
                let id = *model.id.as_ref();
                self.family
                    .extend(family_rows(actor.tenant_id, id, &row.customer.family));
                self.counts.customers_created += 1;
                self.add_customer(Slot::created(model))
            }
        };
        let Some(mut car) = row.vehicle else { return };
        let matched = car
            .vin
            .try_as_ref()
            .and_then(|vin| self.by_vin.get(vin).copied());
        if let Some(index) = matched {
            self.counts.duplicates += 1;
            self.counts.records_updated +=
                merge(&mut self.vehicles[index], &car, policy, VEHICLE_KEEP);
            return;
        }
        let owner = &self.customers[customer_index];
        let owner_id = *owner.model.id.as_ref();
        if owner.existing.is_some() {
            self.gained_vehicle.insert(owner_id);
        }
        let vehicle_id = *car.id.as_ref();
        let today = Utc::now().date_naive();
        let delivered = car.delivery_date.try_as_ref().copied().flatten();
        car.owner_id = Set(Some(owner_id));
        car.store_id = Set(store_id);
        self.ownerships.push(ownership::ActiveModel {
            tenant_id: Set(actor.tenant_id),
            id: Set(Uuid::now_v7()),
            vehicle_id: Set(vehicle_id),
            customer_id: Set(owner_id),
            started_on: Set(delivered.unwrap_or(today)),
            ended_on: Set(None),
        });
        let readings = match (row.mileage_history.is_empty(), car.mileage_km.try_as_ref()) {
            (false, _) => row.mileage_history,
            (true, Some(Some(km))) => vec![(today, *km)],
            _ => vec![],
        };
        let source = if readings.len() > 1 {
            "service"
        } else {
            "import"
        };
        self.readings
            .extend(
                readings
                    .into_iter()
                    .map(|(read_on, km)| mileage_reading::ActiveModel {
                        tenant_id: Set(actor.tenant_id),
                        id: Set(Uuid::now_v7()),
                        vehicle_id: Set(vehicle_id),
                        read_on: Set(read_on),
                        km: Set(km),
                        source: Set(source.to_owned()),
                        created_at: Set(Utc::now()),
                    }),
            );
        self.counts.vehicles_created += 1;
        self.add_vehicle(Slot::created(car));
    }

    /// Saves what the batch decided.
    async fn write(mut self, db: &impl ConnectionTrait, actor: &Actor) -> StoreResult<()> {
        self.classify_new_customers();
        let now = Utc::now();
        let mut new_customers = Vec::new();
        for slot in self.customers {
            match slot.existing {
                None => new_customers.push(slot.model),
                Some(before) if slot.changed => {
                    let mut model = slot.model;
                    model.updated_at = Set(now);
                    let after = model.update(db).await?;
                    audit_change(db, actor, "customer", before.id, &before, &after).await?;
                }
                Some(_) => {}
            }
        }
        insert_all(db, new_customers).await?;
        let mut new_vehicles = Vec::new();
        for slot in self.vehicles {
            match slot.existing {
                None => new_vehicles.push(slot.model),
                Some(before) if slot.changed => {
                    let mut model = slot.model;
                    model.updated_at = Set(now);
                    let after = model.update(db).await?;
                    audit_change(db, actor, "vehicle", before.id, &before, &after).await?;
                }
                Some(_) => {}
            }
        }
        insert_all(db, new_vehicles).await?;
        insert_all(db, self.family).await?;
        insert_all(db, self.ownerships).await?;
        insert_all(db, self.readings).await?;
        for customer_id in self.gained_vehicle {
            refresh_class(db, actor.tenant_id, customer_id, now.date_naive()).await?;
        }
        Ok(())
    }

    /// New customers' relationship class from the cars the batch gives them.
    fn classify_new_customers(&mut self) {
        let today = Utc::now().date_naive();
        let mut last_reading: HashMap<Uuid, NaiveDate> = HashMap::new();
        for reading in &self.readings {
            let day = *reading.read_on.as_ref();
            let latest = last_reading
                .entry(*reading.vehicle_id.as_ref())
                .or_insert(day);
            *latest = (*latest).max(day);
        }
        let mut last_seen: HashMap<Uuid, Option<NaiveDate>> = HashMap::new();
        for slot in self.vehicles.iter().filter(|s| s.existing.is_none()) {
            let model = &slot.model;
            let Some(Some(owner)) = model.owner_id.try_as_ref() else {
                continue;
            };
            let delivered = model.delivery_date.try_as_ref().copied().flatten();
            let read = last_reading.get(model.id.as_ref()).copied();
            let seen = last_seen.entry(*owner).or_default();
            *seen = [*seen, delivered, read].into_iter().flatten().max();
        }
        for slot in self.customers.iter_mut().filter(|s| s.existing.is_none()) {
            let model = &mut slot.model;
            let owned = last_seen.get(model.id.as_ref());
            let facts = RelationshipFacts {
                owns_vehicle: owned.is_some(),
                reachable: [&model.mobile, &model.wechat, &model.email]
                    .into_iter()
                    .any(|v| set_text(v).is_some()),
                last_seen: owned.copied().flatten(),
            };
            let class = classify(facts, today, RetentionThresholds::default());
            model.class = Set(class.as_str().to_owned());
        }
    }
}

/// Columns an import never changes on a matched record: identity, ownership, bookkeeping, and
/// values kept by their own operations (consent history, tags, mileage readings).
const CUSTOMER_KEEP: &[&str] = &[
    "tenant_id",
    "id",
    "store_id",
    "owner_id",
    "kind",
    "other_phones",
    "marketing_consent",
    "consent_updated_at",
    "tags",
    "class",
    "created_at",
    "updated_at",
    "deleted_at",
    "merged_into_id",
];
const VEHICLE_KEEP: &[&str] = &[
    "tenant_id",
    "id",
    "store_id",
    "owner_id",
    "vin",
    "vin_tail",
    "mileage_km",
    "warnings",
    "created_at",
    "updated_at",
    "deleted_at",
];

/// Applies a duplicate row to the record it matched: nothing (skip), its empty fields (update)
/// or every field the row fills (overwrite). A row's empty cells never clear anything.
/// Returns 1 when a saved record changes for the first time in this batch, for the count.
fn merge<A>(slot: &mut Slot<A>, row: &A, policy: OnDuplicate, keep: &[&str]) -> i64
where
    A: ActiveModelTrait,
    <A::Entity as EntityTrait>::Column: Iterable + sea_orm::IdenStatic,
{
    if policy == OnDuplicate::Skip || slot.frozen {
        return 0;
    }
    let was_changed = slot.changed;
    for column in <A::Entity as EntityTrait>::Column::iter() {
        if keep.contains(&sea_orm::IdenStatic::as_str(&column)) {
            continue;
        }
        let Some(incoming) = row.get(column).into_value().filter(|v| !is_empty(v)) else {
            continue;
        };
        let current = slot.model.get(column).into_value();
        let replace = match policy {
            OnDuplicate::Update => current.as_ref().is_none_or(is_empty),
            _ => current.as_ref() != Some(&incoming),
        };
        if replace {
            slot.model.set(column, incoming);
            slot.changed = true;
        }
    }
    i64::from(slot.existing.is_some() && slot.changed && !was_changed)
}

fn is_empty(value: &Value) -> bool {
    *value == value.as_null() || matches!(value, Value::String(Some(s)) if s.is_empty())
}

/// May this import change a saved record of `store_id` (owned by `owner_id`)?
fn may_change(actor: &Actor, store_id: Uuid, owner_id: Option<Uuid>) -> bool {
    match actor.scope {
        DataScope::Group => true,
        DataScope::Store => actor.store_id == Some(store_id),
        DataScope::Own => owner_id == Some(actor.user_id),
    }
}

/// Audits an import's change to a saved record.
async fn audit_change(
    db: &impl ConnectionTrait,
    actor: &Actor,
    entity: &str,
    id: Uuid,
    before: &impl serde::Serialize,
    after: &impl serde::Serialize,
) -> StoreResult<()> {
    audit::record(
        db,
        actor,
        AuditEntry {
            action: "import_update",
            entity,
            entity_id: Some(id),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        },
    )
    .await
}

/// Inserts rows many per statement, staying under SQLite's limit of bound parameters.
async fn insert_all<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> StoreResult<()>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Column: Iterable,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (30_000 / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
