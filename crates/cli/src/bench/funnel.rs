//! `fours bench funnel`: the sales report over a generated history (by default a group of 20
//! stores, 1M prospects over three years with their visits, ~5M follow-ups, test drives,
//! orders and deliveries), asked through the HTTP API by the group, a store manager and a
//! consultant, for the last 30 days and the last 365. Target: every answer under 1 s.

use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{DateTime, Days, NaiveDateTime, Utc};
use clap::Args;
use fours_datagen::sales::{GeneratedLead, SalesGenerator, SalesShape};
use fours_domain::access::Role;
use fours_store::db;
use fours_store::org::{self, NewStore, NewUser};
use fours_store::sales::funnel_days;
use uuid::Uuid;

use super::bulk::{BulkSink, CUSTOMERS, Cell, CustomerRow, Table, VEHICLES, VehicleRow};
use super::{Scratch, Targets, api_request, backends, scratch, timed, work_dir};

#[derive(Args)]
pub struct FunnelArgs {
    /// Prospects in the generated history.
    #[arg(long, default_value_t = 1_000_000)]
    prospects: usize,
    #[arg(long, default_value_t = 20)]
    stores: usize,
    #[arg(long, default_value_t = 12)]
    consultants_per_store: usize,
    /// Days of history before today.
    #[arg(long, default_value_t = 1095)]
    days: u32,
    #[command(flatten)]
    targets: Targets,
}

/// Each report is asked this many times; the table shows the median and the slowest.
const REPEATS: usize = 7;

pub async fn run(args: FunnelArgs) -> Result<()> {
    let work = work_dir(&args.targets)?;
    let today = Utc::now().date_naive();
    println!("| database | asked by | period | by | median | slowest (target < 1 s) |");
    println!("|---|---|---|---|---|---|");
    for (label, postgres) in backends(&args.targets) {
        let target = scratch(&work, postgres, "funnel").await?;
        let group = Group::create(&target, &args).await?;
        let started = Instant::now();
        let loaded = load_history(&target, &group, args.days, args.prospects).await?;
        eprintln!(
            "{label}: loaded {loaded} in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        db::refresh_statistics(&target.database.conn).await?;
        let router = fours_web::router(fours_web::AppState::new(
            target.database.clone(),
            Default::default(),
        ));
        for (who, user) in group.viewers(&target).await? {
            let token = org::issue_token(
                &target.database.conn,
                &user,
                "bench",
                chrono::Duration::hours(1),
            )
            .await?;
            for (period, days) in [("30 days", 29), ("365 days", 364)] {
                let from = today - Days::new(days);
                for by in ["source", "consultant", "model"] {
                    let uri = format!("/api/v1/reports/sales?from={from}&to={today}&by={by}");
                    let asks = vec![uri; REPEATS];
                    let timing =
                        timed(&asks, |uri| api_request(&router, &token, uri.clone())).await?;
                    println!(
                        "| {label} | {who} | {period} | {by} | {:.0} ms | {:.0} ms |",
                        timing.p50.as_secs_f64() * 1000.0,
                        timing.p99.as_secs_f64() * 1000.0,
                    );
                }
            }
        }
        print_recount(&target, group.stores[0], &label).await?;
        target.remove().await;
    }
    Ok(())
}

/// What each write that moves a funnel count adds: recounting today's day of its store, in
/// its own transaction (measured alone here).
async fn print_recount(target: &Scratch, store: Uuid, label: &str) -> Result<()> {
    let conn = &target.database.conn;
    let tenant = target.actor.tenant_id;
    let stores = vec![store; REPEATS * 7];
    let timing = timed(&stores, |store| {
        let store = *store;
        async move {
            let txn = db::begin_write(conn).await?;
            funnel_days::recount(&txn, tenant, [(store, Utc::now())]).await?;
            txn.commit().await?;
            Ok(())
        }
    })
    .await?;
    println!(
        "| {label} | a write's recount of today's store day | | | {:.1} ms | {:.1} ms |",
        timing.p50.as_secs_f64() * 1000.0,
        timing.p99.as_secs_f64() * 1000.0,
    );
    Ok(())
}

/// The group's stores and their consultants; the scratch database's store is the first.
pub(super) struct Group {
    pub(super) stores: Vec<Uuid>,
    /// Per store, the same number of consultants.
    pub(super) consultants: Vec<Vec<Uuid>>,
}

impl Group {
    async fn create(target: &Scratch, args: &FunnelArgs) -> Result<Group> {
        let conn = &target.database.conn;
        let tenant = target.actor.tenant_id;
        let mut stores = vec![target.store_id];
        for n in 1..args.stores {
            let code = format!("B{:02}", n + 1);
            let name = format!("压测{}店", n + 1);
            let new = NewStore {
                code: &code,
                name: &name,
                time_zone: "Asia/Shanghai",
                address: "",
            };
            stores.push(org::create_store(conn, tenant, new).await?.id);
        }
        let mut consultants = Vec::with_capacity(stores.len());
        for (s, store_id) in stores.iter().enumerate() {
            let mut team = Vec::with_capacity(args.consultants_per_store);
            for c in 0..args.consultants_per_store {
                let username = format!("consultant_{s}_{c}");
                let user = staff(target, *store_id, &username, Role::SalesConsultant).await?;
                team.push(user.id);
            }
            consultants.push(team);
        }
        Ok(Group {
            stores,
            consultants,
        })
    }

    /// Who asks for the report: the group (admin), the first store's manager and its first
    /// consultant.
    async fn viewers(
        &self,
        target: &Scratch,
    ) -> Result<Vec<(&'static str, org::entities::user::Model)>> {
        let conn = &target.database.conn;
        let users = org::list_users(conn, target.actor.tenant_id).await?;
        let find = |name: &str| {
            users
                .iter()
                .find(|u| u.username == name)
                .cloned()
                .with_context(|| format!("no user {name}"))
        };
        let manager = staff(target, self.stores[0], "store_manager", Role::StoreManager).await?;
        Ok(vec![
            ("group admin", find("admin")?),
            ("store manager", manager),
            ("consultant", find("consultant_0_0")?),
        ])
    }
}

pub(super) async fn staff(
    target: &Scratch,
    store_id: Uuid,
    username: &str,
    role: Role,
) -> Result<org::entities::user::Model> {
    let new = NewUser {
        store_id: Some(store_id),
        username,
        display_name: username,
        password: "bench-password",
        role,
        locale: "zh-CN",
    };
    Ok(org::create_user(&target.database.conn, target.actor.tenant_id, new).await?)
}

static LEADS: Table = Table {
    name: "leads",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "customer_id",
        "consultant_id",
        "source",
        "models_of_interest",
        "first_model",
        "buys_within_days",
        "grade",
        "grade_judged",
        "finance_interest",
        "step",
        "standing",
        "next_follow_up_on",
        "last_contact_at",
        "defeat_reason",
        "defeat_brand",
        "closed_at",
        "created_by",
        "created_at",
        "updated_at",
    ],
};

static VISITS: Table = Table {
    name: "showroom_visits",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "channel",
        "arrived_at",
        "left_at",
        "party_size",
        "first_visit",
        "models_of_interest",
        "first_model",
        "consultant_id",
        "customer_id",
        "lead_id",
        "created_by",
        "created_at",
    ],
};

static FOLLOW_UPS: Table = Table {
    name: "follow_ups",
    columns: &[
        "tenant_id",
        "id",
        "lead_id",
        "store_id",
        "consultant_id",
        "done_at",
        "method",
        "outcome",
        "due_on",
        "on_time",
        "next_follow_up_on",
    ],
};

static TEST_DRIVES: Table = Table {
    name: "test_drives",
    columns: &[
        "tenant_id",
        "id",
        "lead_id",
        "store_id",
        "consultant_id",
        "demo_vehicle",
        "licence_masked",
        "licence_cipher",
        "licence_checked",
        "out_at",
        "in_at",
        "out_km",
        "in_km",
        "created_at",
    ],
};

static ORDERS: Table = Table {
    name: "sales_orders",
    columns: &[
        "tenant_id",
        "id",
        "store_id",
        "number",
        "lead_id",
        "customer_id",
        "consultant_id",
        "deposit_fen",
        "payment_method",
        "status",
        "created_at",
    ],
};

static DELIVERIES: Table = Table {
    name: "deliveries",
    columns: &[
        "tenant_id",
        "id",
        "order_id",
        "lead_id",
        "vehicle_id",
        "delivered_at",
        "documents_checked",
        "functions_explained",
        "first_service_reminder",
        "referral_asked",
        "created_by",
    ],
};

/// Parents before children, for the order PostgreSQL's COPY buffers are sent in.
static HISTORY_TABLES: [&Table; 8] = [
    &CUSTOMERS,
    &VEHICLES,
    &LEADS,
    &VISITS,
    &FOLLOW_UPS,
    &TEST_DRIVES,
    &ORDERS,
    &DELIVERIES,
];

/// SQLite commits after this many prospects, to keep the write-ahead log small.
const LEADS_PER_COMMIT: usize = 50_000;

/// Rows written, per kind.
#[derive(Default)]
pub(super) struct Loaded {
    leads: u64,
    visits: u64,
    follow_ups: u64,
    test_drives: u64,
    orders: u64,
    deliveries: u64,
}

impl std::fmt::Display for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} prospects, {} visits, {} follow-ups, {} test drives, {} orders, {} deliveries",
            self.leads,
            self.visits,
            self.follow_ups,
            self.test_drives,
            self.orders,
            self.deliveries
        )
    }
}

/// `prospects` generated over the last `days` days, with everything that happened to them.
pub(super) async fn load_history(
    target: &Scratch,
    group: &Group,
    days: u32,
    prospects: usize,
) -> Result<Loaded> {
    let shape = SalesShape {
        stores: group.stores.len(),
        consultants_per_store: group.consultants.first().map_or(0, Vec::len),
        days,
    };
    let generator = SalesGenerator::new(1, Utc::now().date_naive(), shape);
    let conn = &target.database.conn;
    let mut sink = BulkSink::open(conn, &HISTORY_TABLES).await?;
    let mut loaded = Loaded::default();
    for (n, lead) in generator.take(prospects).enumerate() {
        if n > 0 && n % LEADS_PER_COMMIT == 0 && sink.is_sqlite() {
            sink.finish().await?;
            sink = BulkSink::open(conn, &HISTORY_TABLES).await?;
        }
        let writer = LeadWriter {
            tenant: target.actor.tenant_id,
            store: group.stores[lead.store],
            consultant: group.consultants[lead.store][lead.consultant],
            number: n,
            lead: &lead,
        };
        writer.write(&mut sink, &mut loaded).await?;
    }
    sink.finish().await?;
    // Bulk-loaded rows bypass the daily counts each write keeps; count them all in once
    // (with the planner's statistics of the loaded rows, without which PostgreSQL scans).
    db::refresh_statistics(conn).await?;
    let counting = Instant::now();
    funnel_days::rebuild(conn, target.actor.tenant_id).await?;
    eprintln!(
        "daily funnel counts rebuilt in {:.1} s",
        counting.elapsed().as_secs_f64()
    );
    Ok(loaded)
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// The model a lead's rows are counted under in the funnel by model.
fn first_model(lead: &GeneratedLead) -> Cell {
    Cell::text(lead.models_of_interest.first().copied().unwrap_or(""))
}

/// Writes one generated prospect and everything that happened to them.
struct LeadWriter<'a> {
    tenant: Uuid,
    store: Uuid,
    consultant: Uuid,
    /// The prospect's place in the stream: makes mobiles, VINs and order numbers unique.
    number: usize,
    lead: &'a GeneratedLead,
}

impl LeadWriter<'_> {
    async fn write(&self, sink: &mut BulkSink, loaded: &mut Loaded) -> Result<()> {
        let lead = self.lead;
        let created = utc(lead.created_at);
        let customer_id = Uuid::now_v7();
        let customer = CustomerRow {
            tenant_id: self.tenant,
            id: customer_id,
            store_id: self.store,
            name: format!("客户{}", self.number),
            gender: None,
            mobile: format!("13{:09}", self.number),
            birthday: None,
            address: None,
            class: if lead.delivered_at.is_some() {
                "customer"
            } else {
                "prospect"
            },
            created_at: created,
        };
        sink.row(&CUSTOMERS, customer.cells()).await?;
        let lead_id = Uuid::now_v7();
        sink.row(&LEADS, self.lead_cells(lead_id, customer_id))
            .await?;
        loaded.leads += 1;
        let kept = lead.visit.iter().map(|v| (v, Some((customer_id, lead_id))));
        let anonymous = lead.anonymous_visits.iter().map(|v| (v, None));
        for (visit, visitor) in kept.chain(anonymous) {
            let arrived = utc(visit.arrived_at);
            let cells = vec![
                Cell::Id(self.tenant),
                Cell::Id(Uuid::now_v7()),
                Cell::Id(self.store),
                Cell::text(lead.source.as_str()),
                Cell::At(arrived),
                Cell::At(arrived + chrono::Duration::minutes(i64::from(visit.minutes))),
                Cell::Int(i64::from(visit.party_size)),
                Cell::Bool(true),
                Cell::text(lead.models_of_interest.join(",")),
                first_model(lead),
                Cell::Id(self.consultant),
                Cell::id_or_null(visitor.map(|v| v.0)),
                Cell::id_or_null(visitor.map(|v| v.1)),
                Cell::Id(self.consultant),
                Cell::At(arrived),
            ];
            sink.row(&VISITS, cells).await?;
            loaded.visits += 1;
        }
        for follow_up in &lead.follow_ups {
            let cells = vec![
                Cell::Id(self.tenant),
                Cell::Id(Uuid::now_v7()),
                Cell::Id(lead_id),
                Cell::Id(self.store),
                Cell::Id(self.consultant),
                Cell::At(utc(follow_up.done_at)),
                Cell::text(follow_up.method.as_str()),
                Cell::text("了解需求，约下次联系"),
                Cell::Day(follow_up.due_on),
                Cell::Bool(follow_up.on_time),
                Cell::Day(follow_up.next_due_on),
            ];
            sink.row(&FOLLOW_UPS, cells).await?;
            loaded.follow_ups += 1;
        }
        if let Some(out_at) = lead.test_drive_at {
            sink.row(&TEST_DRIVES, self.test_drive_cells(lead_id, utc(out_at)))
                .await?;
            loaded.test_drives += 1;
        }
        if let Some(ordered_at) = lead.ordered_at {
            let order_id = Uuid::now_v7();
            let cells = vec![
                Cell::Id(self.tenant),
                Cell::Id(order_id),
                Cell::Id(self.store),
                Cell::text(format!("SO-{:08}", self.number)),
                Cell::Id(lead_id),
                Cell::Id(customer_id),
                Cell::Id(self.consultant),
                Cell::Int(500_000),
                Cell::text("transfer"),
                Cell::text(if lead.delivered_at.is_some() {
                    "delivered"
                } else {
                    "open"
                }),
                Cell::At(utc(ordered_at)),
            ];
            sink.row(&ORDERS, cells).await?;
            loaded.orders += 1;
            if let Some(delivered_at) = lead.delivered_at {
                self.deliver(sink, customer_id, lead_id, order_id, utc(delivered_at))
                    .await?;
                loaded.deliveries += 1;
            }
        }
        Ok(())
    }

    fn lead_cells(&self, lead_id: Uuid, customer_id: Uuid) -> Vec<Cell> {
        let lead = self.lead;
        let created = utc(lead.created_at);
        let last_contact = lead.follow_ups.last().map(|f| utc(f.done_at));
        let closed = lead
            .delivered_at
            .or(lead.defeat.map(|d| d.closed_at))
            .map(utc);
        vec![
            Cell::Id(self.tenant),
            Cell::Id(lead_id),
            Cell::Id(self.store),
            Cell::Id(customer_id),
            Cell::Id(self.consultant),
            Cell::text(lead.source.as_str()),
            Cell::text(lead.models_of_interest.join(",")),
            first_model(lead),
            lead.buys_within_days
                .map_or(Cell::Null, |d| Cell::Int(i64::from(d))),
            Cell::text(lead.grade.as_str()),
            Cell::Bool(false),
            Cell::Bool(false),
            Cell::text(lead.step.as_str()),
            Cell::text(lead.standing.as_str()),
            lead.next_follow_up_on.map_or(Cell::Null, Cell::Day),
            Cell::at_or_null(last_contact),
            Cell::text_or_null(lead.defeat.map(|d| d.reason.as_str())),
            Cell::text_or_null(lead.defeat.and_then(|d| d.brand)),
            Cell::at_or_null(closed),
            Cell::Id(self.consultant),
            Cell::At(created),
            Cell::At(closed.or(last_contact).unwrap_or(created)),
        ]
    }

    fn test_drive_cells(&self, lead_id: Uuid, out_at: DateTime<Utc>) -> Vec<Cell> {
        let model = self.lead.models_of_interest.first().copied().unwrap_or("");
        vec![
            Cell::Id(self.tenant),
            Cell::Id(Uuid::now_v7()),
            Cell::Id(lead_id),
            Cell::Id(self.store),
            Cell::Id(self.consultant),
            Cell::text(format!("{model} 试驾车")),
            Cell::text("3201**********1234"),
            Cell::text(""),
            Cell::Bool(true),
            Cell::At(out_at),
            Cell::At(out_at + chrono::Duration::minutes(40)),
            Cell::Int(1_200),
            Cell::Int(1_215),
            Cell::At(out_at),
        ]
    }

    /// The car joins the customer's archive and the delivery is recorded.
    async fn deliver(
        &self,
        sink: &mut BulkSink,
        customer_id: Uuid,
        lead_id: Uuid,
        order_id: Uuid,
        delivered_at: DateTime<Utc>,
    ) -> Result<()> {
        let vehicle_id = Uuid::now_v7();
        let car = VehicleRow {
            tenant_id: self.tenant,
            id: vehicle_id,
            store_id: self.store,
            owner_id: customer_id,
            vin: format!("LBNCH{:012}", self.number),
            plate: None,
            brand: self.lead.models_of_interest.first().map(|m| m.to_string()),
            delivery_date: Some(delivered_at.date_naive()),
            next_service_on: None,
            created_at: delivered_at,
        };
        sink.row(&VEHICLES, car.cells()).await?;
        let cells = vec![
            Cell::Id(self.tenant),
            Cell::Id(Uuid::now_v7()),
            Cell::Id(order_id),
            Cell::Id(lead_id),
            Cell::Id(vehicle_id),
            Cell::At(delivered_at),
            Cell::Bool(true),
            Cell::Bool(true),
            Cell::Bool(true),
            Cell::Bool(true),
            Cell::Id(self.consultant),
        ];
        sink.row(&DELIVERIES, cells).await
    }
}
