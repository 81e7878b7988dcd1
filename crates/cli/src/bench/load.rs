//! `fours bench load`: a dealer group's database made ready for `scripts/load`, which drives
//! `fours serve` from wrk. By default 3 stores with a showroom history of 10,000 prospects
//! (visits, follow-ups, test drives, orders, deliveries over 180 days), a workshop archive of
//! 20,000 cars with their owners and last visits' orders, and 500 staff signed in: sales
//! consultants, service advisors, technicians and store managers, each with an API token and the
//! records their session works on, written to the sessions file. Prints the database's URL; the
//! database is kept for the server (the caller removes it).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Args;
use fours_domain::access::Role;
use fours_store::customers::entities::customer;
use fours_store::db;
use fours_store::org;
use fours_store::org::entities::user::Model as User;
use fours_store::sales::entities::lead;
use fours_store::vehicles::entities::vehicle;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::bulk::{BulkSink, Table};
use super::funnel::{Group, load_history};
use super::service::{self, OrderRow, REPAIR_JOBS, REPAIR_ORDERS, job_cells};
use super::{Location, Scratch, scratch, urlencode};

#[derive(Args)]
pub struct LoadArgs {
    /// Staff sessions: one user and one API token each.
    #[arg(long, default_value_t = 500)]
    sessions: usize,
    #[arg(long, default_value_t = 3)]
    stores: usize,
    /// Cars in the workshop archive, each with its owner and the closed order of its last visit.
    #[arg(long, default_value_t = 20_000)]
    vehicles: usize,
    /// Prospects in the showroom history.
    #[arg(long, default_value_t = 10_000)]
    prospects: usize,
    /// Days of showroom history before today.
    #[arg(long, default_value_t = 180)]
    days: u32,
    /// Where the sessions go, one a line: role, token, customer, lead, repair order, mobile,
    /// plate (URL-encoded); `-` where the role has none.
    #[arg(long)]
    sessions_file: PathBuf,
    /// A PostgreSQL server URL whose user may create databases: the data goes into a new
    /// database there. Otherwise into a new SQLite file in `--work-dir`.
    #[arg(long)]
    postgres: Option<String>,
    /// Folder for the SQLite file.
    #[arg(long)]
    work_dir: PathBuf,
}

/// Who is signed in, in every ten staff of a store: four sales consultants, three service
/// advisors, two technicians and the store manager.
const MIX: [Role; 10] = [
    Role::SalesConsultant,
    Role::SalesConsultant,
    Role::SalesConsultant,
    Role::SalesConsultant,
    Role::ServiceAdvisor,
    Role::ServiceAdvisor,
    Role::ServiceAdvisor,
    Role::Technician,
    Role::Technician,
    Role::StoreManager,
];

const JOBS_PER_ORDER: usize = 3;

/// One signed-in member of staff and the records their session works on.
struct Session {
    user: User,
    role: Role,
    store: Uuid,
    customer: Option<Uuid>,
    lead: Option<Uuid>,
    order: Option<Uuid>,
    car: Option<(Uuid, String)>,
}

pub async fn run(args: LoadArgs) -> Result<()> {
    anyhow::ensure!(args.stores > 0, "--stores must be at least 1");
    let started = std::time::Instant::now();
    let target = scratch(&args.work_dir, args.postgres.as_deref(), "load").await?;
    let stores = service::stores(&target, args.stores).await?;
    let mut sessions = staff(&target, &stores, args.sessions).await?;
    let group = Group {
        consultants: stores
            .iter()
            .map(|store| ids_of(&sessions, *store, Role::SalesConsultant))
            .collect(),
        stores: stores.clone(),
    };
    let loaded = load_history(&target, &group, args.days, args.prospects).await?;
    let technician = ids_of(&sessions, stores[0], Role::Technician);
    let technician = *technician.first().unwrap_or(&target.actor.user_id);
    service::load(&target, &stores, technician, args.vehicles).await?;
    complete_search_keys(&target).await?;
    pick_leads(&target, &mut sessions).await?;
    pick_cars(&target, &stores, &mut sessions).await?;
    open_orders(&target, args.vehicles, &mut sessions).await?;
    db::refresh_statistics(&target.database.conn).await?;
    write_sessions(&target, &sessions, &args.sessions_file).await?;
    eprintln!(
        "prepared {} stores, {loaded}, {} cars, {} sessions in {:.0} s",
        stores.len(),
        args.vehicles,
        sessions.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{}", database_url(&target));
    Ok(())
}

/// The URL `fours serve` opens the prepared database with.
fn database_url(target: &Scratch) -> String {
    match &target.location {
        Location::File(file) => format!("sqlite://{}?mode=rwc", file.display()),
        Location::Server { admin_url, name } => {
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
    }
}

/// The staff of every store, made alike from [`MIX`] so that each store has as many
/// consultants (the showroom history spreads its prospects over them); the first `count`,
/// taken across the stores in turn, are signed in. Inserted in one transaction with the
/// admin's password hash: hashing hundreds of passwords would take longer than the rest.
async fn staff(target: &Scratch, stores: &[Uuid], count: usize) -> Result<Vec<Session>> {
    let conn = &target.database.conn;
    let admin = org::find_user(conn, target.actor.tenant_id, target.actor.user_id).await?;
    let per_store = count.div_ceil(stores.len());
    let txn = conn.begin().await?;
    let mut sessions = Vec::with_capacity(per_store * stores.len());
    for n in 0..per_store {
        for (s, store) in stores.iter().enumerate() {
            let role = MIX[n % MIX.len()];
            let username = format!("{}_{s}_{n}", role.as_str());
            let user = User {
                id: Uuid::now_v7(),
                store_id: Some(*store),
                display_name: username.clone(),
                username,
                role: role.as_str().to_owned(),
                scope: role.default_scope().as_str().to_owned(),
                ..admin.clone()
            };
            user.clone()
                .into_active_model()
                .reset_all()
                .insert(&txn)
                .await?;
            sessions.push(Session {
                user,
                role,
                store: *store,
                customer: None,
                lead: None,
                order: None,
                car: None,
            });
        }
    }
    txn.commit().await?;
    sessions.truncate(count);
    Ok(sessions)
}

/// Every member of staff of `role` in `store`, signed in or not.
fn ids_of(sessions: &[Session], store: Uuid, role: Role) -> Vec<Uuid> {
    sessions
        .iter()
        .filter(|s| s.store == store && s.role == role)
        .map(|s| s.user.id)
        .collect()
}

/// The bulk rows leave out what the application derives on writing: a prospect belongs to
/// their consultant, a customer is found by the last four digits of the mobile, a car by its
/// plate's search form (the generated plates are already in that form).
async fn complete_search_keys(target: &Scratch) -> Result<()> {
    target
        .database
        .conn
        .execute_unprepared(
            "UPDATE customers SET owner_id = leads.consultant_id FROM leads \
             WHERE leads.tenant_id = customers.tenant_id AND leads.customer_id = customers.id; \
             UPDATE customers SET mobile_tail = substr(mobile, 8); \
             UPDATE vehicles SET plate_key = plate;",
        )
        .await?;
    Ok(())
}

/// Each consultant's session follows up one of their open leads and edits its customer.
async fn pick_leads(target: &Scratch, sessions: &mut [Session]) -> Result<()> {
    let open: HashMap<Uuid, (Uuid, Uuid)> = lead::Entity::find()
        .filter(lead::Column::TenantId.eq(target.actor.tenant_id))
        .filter(lead::Column::Standing.eq("active"))
        .order_by_desc(lead::Column::Id)
        .all(&target.database.conn)
        .await?
        .into_iter()
        .map(|l| (l.consultant_id, (l.id, l.customer_id)))
        .collect();
    for session in sessions
        .iter_mut()
        .filter(|s| s.role == Role::SalesConsultant)
    {
        let (lead, customer) = open.get(&session.user.id).with_context(|| {
            format!(
                "{} has no open lead: raise --prospects",
                session.user.username
            )
        })?;
        session.lead = Some(*lead);
        session.customer = Some(*customer);
    }
    Ok(())
}

/// Everyone else works on a car of their store's workshop archive (a different one each) and
/// its owner.
async fn pick_cars(target: &Scratch, stores: &[Uuid], sessions: &mut [Session]) -> Result<()> {
    for store in stores {
        let mut mine: Vec<&mut Session> = sessions
            .iter_mut()
            .filter(|s| s.store == *store && s.role != Role::SalesConsultant)
            .collect();
        let cars = vehicle::Entity::find()
            .filter(vehicle::Column::TenantId.eq(target.actor.tenant_id))
            .filter(vehicle::Column::StoreId.eq(*store))
            // The workshop archive's cars; the showroom's deliveries have no plate yet.
            .filter(vehicle::Column::Plate.is_not_null())
            .order_by_asc(vehicle::Column::Id)
            .limit(mine.len() as u64)
            .all(&target.database.conn)
            .await?;
        anyhow::ensure!(cars.len() == mine.len(), "too few cars: raise --vehicles");
        for (session, car) in mine.iter_mut().zip(cars) {
            session.customer = car.owner_id;
            session.car = Some((car.id, car.plate.unwrap_or_default()));
        }
    }
    Ok(())
}

static ORDER_TABLES: [&Table; 2] = [&REPAIR_ORDERS, &REPAIR_JOBS];

/// An order of today on each advisor's car, received and waiting for the customer's
/// signature, and one in the workshop on each technician's car, its jobs theirs.
async fn open_orders(target: &Scratch, vehicles: usize, sessions: &mut [Session]) -> Result<()> {
    let tenant = target.actor.tenant_id;
    let today = Utc::now().date_naive();
    let mut sink = BulkSink::open(&target.database.conn, &ORDER_TABLES).await?;
    for (n, session) in sessions.iter_mut().enumerate() {
        let status = match session.role {
            Role::ServiceAdvisor => "open",
            Role::Technician => "in_progress",
            _ => continue,
        };
        let (Some((car, _)), Some(customer)) = (&session.car, session.customer) else {
            continue;
        };
        let order = OrderRow {
            tenant,
            store: session.store,
            customer,
            car: *car,
            advisor: target.actor.user_id,
            // After the archive's numbers, so that none repeats.
            number: vehicles + n,
            status,
            day: today,
        };
        let id = Uuid::now_v7();
        sink.row(&REPAIR_ORDERS, order.cells_with_id(id)).await?;
        for position in 0..JOBS_PER_ORDER {
            sink.row(
                &REPAIR_JOBS,
                job_cells(tenant, id, position, session.user.id),
            )
            .await?;
        }
        session.order = Some(id);
    }
    sink.finish().await
}

/// Issues every session's token and writes the sessions file.
async fn write_sessions(target: &Scratch, sessions: &[Session], file: &PathBuf) -> Result<()> {
    let conn = &target.database.conn;
    let wanted: Vec<Uuid> = sessions.iter().filter_map(|s| s.customer).collect();
    let mobiles: HashMap<Uuid, String> = customer::Entity::find()
        .filter(customer::Column::TenantId.eq(target.actor.tenant_id))
        .filter(customer::Column::Id.is_in(wanted))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.mobile.unwrap_or_default()))
        .collect();
    let txn = conn.begin().await?;
    let mut lines = String::new();
    for session in sessions {
        let token =
            org::issue_token(&txn, &session.user, "load", chrono::Duration::days(1)).await?;
        let id = |id: Option<Uuid>| id.map_or("-".to_owned(), |id| id.to_string());
        let mobile = session.customer.and_then(|c| mobiles.get(&c));
        let plate = session.car.as_ref().map(|(_, plate)| urlencode(plate));
        writeln!(
            lines,
            "{} {token} {} {} {} {} {}",
            session.role.as_str(),
            id(session.customer),
            id(session.lead),
            id(session.order),
            mobile.map_or("-", String::as_str),
            plate.as_deref().unwrap_or("-"),
        )?;
    }
    txn.commit().await?;
    std::fs::write(file, lines).with_context(|| format!("cannot write {}", file.display()))
}
