//! `fours serve --demo`: a dealer group with two stores, one user per role and about 200
//! realistic customers with their cars, created through the same operations as the API.

use anyhow::{Context, Result};
use chrono::Utc;
use fours_datagen::{GeneratedCustomer, GeneratedVehicle, catalogue, customers};
use fours_domain::access::Role;
use fours_onboarding::generate::{customer_input, vehicle_input};
use fours_store::customers::input::CustomerInput;
use fours_store::org::{self, Actor, NewStore, NewUser};
use fours_store::service::orders;
use fours_store::service::setup::{self, BayInput, OperationInput};
use fours_store::vehicles::{self, CatalogueEntry, MileageInput, VehicleInput};
use fours_store::{Database, customers as customer_ops};

pub const DEMO_PASSWORD: &str = "fours-demo";
const DEMO_CUSTOMERS: usize = 200;
const DEMO_SEED: u64 = 4;

/// Seeds the catalogue (if empty) and, on a database without tenants, the demo group.
pub async fn seed(db: &Database) -> Result<bool> {
    seed_catalogue(db).await?;
    if org::tenant_count(&db.conn).await? > 0 {
        return Ok(false);
    }
    let tenant = org::create_tenant(&db.conn, "demo", "示范汽车集团").await?;
    let tianhe = org::create_store(
        &db.conn,
        tenant.id,
        NewStore {
            code: "GZ01",
            name: "广州天河店",
            time_zone: "Asia/Shanghai",
            address: "广州市天河区黄埔大道西 100 号",
        },
    )
    .await?;
    let nanshan = org::create_store(
        &db.conn,
        tenant.id,
        NewStore {
            code: "SZ01",
            name: "深圳南山店",
            time_zone: "Asia/Shanghai",
            address: "深圳市南山区深南大道 9000 号",
        },
    )
    .await?;
    let mut admin = None;
    let mut consultant = None;
    for role in Role::ALL {
        let store_id = (role != Role::Admin).then_some(tianhe.id);
        let user = org::create_user(
            &db.conn,
            tenant.id,
            NewUser {
                store_id,
                username: role.as_str(),
                display_name: display_name(role),
                password: DEMO_PASSWORD,
                role,
                locale: "zh-CN",
            },
        )
        .await?;
        match role {
            Role::Admin => admin = Some(user),
            Role::SalesConsultant => consultant = Some(user),
            _ => {}
        }
    }
    let admin = Actor::from_user(&admin.context("admin user")?)?;
    let consultant = consultant.context("consultant user")?;
    seed_workshop(db, &admin, tianhe.id).await?;
    for (index, generated) in customers(DEMO_SEED, Utc::now().date_naive())
        .take(DEMO_CUSTOMERS)
        .enumerate()
    {
        // Half the archive belongs to the demo consultant so their own-scope lists are not empty.
        let owner = if index % 2 == 0 {
            consultant.id
        } else {
            admin.user_id
        };
        let store = if index % 5 == 4 {
            nanshan.id
        } else {
            tianhe.id
        };
        seed_customer(db, &admin, &generated, owner, store)
            .await
            .with_context(|| format!("demo customer {}", generated.name))?;
    }
    Ok(true)
}

/// The store's bays and common labour operations with their standard times (from the seeds:
/// routine maintenance 45 min for one technician, 30 for two; brake service 40 / 20).
async fn seed_workshop(db: &Database, admin: &Actor, store: uuid::Uuid) -> Result<()> {
    for (code, bay_type) in [
        ("M01", "mechanical"),
        ("M02", "mechanical"),
        ("Q01", "quick_service"),
        ("B01", "body"),
        ("P01", "paint"),
    ] {
        let input = BayInput {
            store_id: Some(store),
            code: code.into(),
            bay_type: bay_type.into(),
        };
        setup::add_bay(db, admin, &input).await?;
    }
    let operations = [
        ("MAINT", "常规保养", 45, Some(30)),
        ("BRAKE", "刹车系统保养", 40, Some(20)),
        ("ALIGN", "四轮定位", 60, None),
        ("TYRE", "更换轮胎（四条）", 30, None),
        ("DIAG", "故障诊断", 30, None),
    ];
    for (code, name, minutes, two_person) in operations {
        let input = OperationInput {
            store_id: Some(store),
            code: code.into(),
            name: name.into(),
            standard_minutes: minutes,
            two_person_minutes: two_person,
        };
        setup::add_operation(db, admin, &input).await?;
    }
    Ok(())
}

fn display_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "系统管理员",
        Role::StoreManager => "王总",
        Role::SalesManager => "李经理",
        Role::SalesConsultant => "张顾问",
        Role::Receptionist => "陈前台",
        Role::ServiceAdvisor => "刘顾问",
        Role::WorkshopSupervisor => "杨主管",
        Role::Technician => "黄技师",
        Role::QcInspector => "赵质检",
        Role::PartsManager => "周主管",
        Role::CustomerCare => "吴客服",
        Role::Marketing => "徐市场",
    }
}

async fn seed_catalogue(db: &Database) -> Result<()> {
    if !vehicles::catalogue_is_empty(&db.conn).await? {
        return Ok(());
    }
    for model in catalogue() {
        vehicles::add_catalogue_entry(
            &db.conn,
            CatalogueEntry {
                brand: model.brand,
                series: model.series,
                model: model.model,
                trim: model.trim,
                msrp_fen: model.msrp_fen,
            },
        )
        .await?;
    }
    Ok(())
}

async fn seed_customer(
    db: &Database,
    admin: &Actor,
    generated: &GeneratedCustomer,
    owner: uuid::Uuid,
    store: uuid::Uuid,
) -> Result<()> {
    let input = CustomerInput {
        owner_id: Some(owner),
        store_id: Some(store),
        ..customer_input(generated)
    };
    let customer = customer_ops::create(db, admin, &input).await?;
    for car in &generated.vehicles {
        seed_vehicle(db, admin, car, customer.id).await?;
    }
    Ok(())
}

async fn seed_vehicle(
    db: &Database,
    admin: &Actor,
    car: &GeneratedVehicle,
    owner: uuid::Uuid,
) -> Result<()> {
    let input = VehicleInput {
        customer_id: Some(owner),
        ..vehicle_input(car)
    };
    let vehicle = vehicles::create(db, admin, &input).await?;
    // Next maintenance spread from ten days ago to about three months ahead (by the VIN, so the
    // same on every run), so the appointment specialist has calls to make today.
    let offset = car.vin.bytes().map(u64::from).sum::<u64>() % 90;
    let due = Utc::now().date_naive() - chrono::Days::new(10) + chrono::Days::new(offset);
    orders::set_next_service(&db.conn, admin.tenant_id, vehicle.id, due).await?;
    for (read_on, km) in &car.mileage {
        vehicles::add_mileage(
            db,
            admin,
            vehicle.id,
            &MileageInput {
                km: *km,
                read_on: Some(read_on.to_string()),
                source: Some("service".into()),
            },
        )
        .await?;
    }
    Ok(())
}
