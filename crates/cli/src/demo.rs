//! `fours serve --demo`: a dealer group with two stores, one user per role, about 200
//! realistic customers with their cars, and the first store's parts department (bins, a
//! catalogue with stock received through supplier orders, special orders in several steps),
//! all created through the same operations as the API.

use anyhow::{Context, Result};
use chrono::Utc;
use fours_datagen::{GeneratedCustomer, GeneratedVehicle, catalogue, customers};
use fours_domain::access::Role;
use fours_onboarding::generate::{customer_input, vehicle_input};
use fours_store::customers::input::CustomerInput;
use fours_store::org::{self, Actor, NewStore, NewUser};
use fours_store::parts::catalogue::{self as parts_catalogue, BinInput, PartInput};
use fours_store::parts::special::{self as special_orders, PlaceInput, SpecialOrderInput};
use fours_store::parts::stock::{self as parts_stock, PlacementInput};
use fours_store::parts::supplier::{
    self as supplier_orders, OrderLineInput, ReceiptInput, ReceiptLine, SupplierOrderInput,
};
use fours_store::sales::deals::{self, QuoteInput};
use fours_store::sales::leads::{self, LeadInput};
use fours_store::sales::orders::{self as sales_orders, DeliveryInput, OrderInput, StockInput};
use fours_store::service::setup::{self, BayInput, OperationInput};
use fours_store::service::{appointments, orders};
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
    let mut advisor = None;
    let mut parts_manager = None;
    let mut sales_manager = None;
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
            Role::ServiceAdvisor => advisor = Some(user),
            Role::PartsManager => parts_manager = Some(user),
            Role::SalesManager => sales_manager = Some(user),
            _ => {}
        }
    }
    let admin = Actor::from_user(&admin.context("admin user")?)?;
    let consultant = consultant.context("consultant user")?;
    let advisor = Actor::from_user(&advisor.context("advisor user")?)?;
    let parts_manager = Actor::from_user(&parts_manager.context("parts manager user")?)?;
    let sales_manager = Actor::from_user(&sales_manager.context("sales manager user")?)?;
    seed_workshop(db, &admin, tianhe.id).await?;
    seed_parts(db, &parts_manager).await?;
    // Customers of the first store with a car, for the demo special orders.
    let mut with_cars = Vec::new();
    let mut consultants_customers = Vec::new();
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
        let seeded = seed_customer(db, &admin, &generated, owner, store)
            .await
            .with_context(|| format!("demo customer {}", generated.name))?;
        if store == tianhe.id && owner == consultant.id {
            consultants_customers.push(seeded.0);
        }
        if let (true, Some(car)) = (store == tianhe.id, seeded.1) {
            with_cars.push((seeded.0, car));
        }
    }
    seed_special_orders(db, &advisor, &parts_manager, &with_cars).await?;
    let consultant = Actor::from_user(&consultant)?;
    seed_deliveries(db, &consultant, &sales_manager, &consultants_customers).await?;
    Ok(true)
}

/// New cars the demo consultant has just handed over, so the care plans have made their
/// follow-up calls (the thank-you message, the manager's 24-hour call, the 7-day call…).
async fn seed_deliveries(
    db: &Database,
    consultant: &Actor,
    manager: &Actor,
    customers: &[uuid::Uuid],
) -> Result<()> {
    const CARS: [(&str, &str, &str, &str); 2] = [
        ("LSVAU2180N2183291", "ID.4 X", "纯净智享版", "粤A3D8K1"),
        ("LSVAU2180N2183305", "帕萨特", "330TSI 精英版", "粤A7H2Q6"),
    ];
    for (customer_id, (vin, series, model, plate)) in customers.iter().zip(CARS) {
        let lead = leads::create(
            db,
            consultant,
            &LeadInput {
                customer_id: Some(*customer_id),
                source: Some("walk_in".into()),
                models_of_interest: Some(vec![series.into()]),
                buys_within_days: Some(7),
                ..Default::default()
            },
        )
        .await?;
        let quote = deals::create_quote(
            db,
            consultant,
            lead.id,
            &QuoteInput {
                vehicle: Some(format!("{series} {model}")),
                vehicle_price_fen: Some(21_990_000),
                ..Default::default()
            },
        )
        .await?;
        let stock = sales_orders::add_stock(
            db,
            manager,
            &StockInput {
                vin: Some(vin.into()),
                brand: Some("上汽大众".into()),
                series: Some(series.into()),
                model: Some(model.into()),
                colour: Some("星空蓝".into()),
                list_price_fen: Some(21_990_000),
                ..Default::default()
            },
        )
        .await?;
        let order = OrderInput {
            quote_id: Some(quote.id),
            stock_id: Some(stock.id),
            deposit_fen: Some(500_000),
            payment_method: Some("wechat".into()),
            expected_delivery_on: None,
        };
        let order = sales_orders::place_order(db, consultant, lead.id, &order).await?;
        let handed_over = DeliveryInput {
            documents_checked: Some(true),
            functions_explained: Some(true),
            first_service_reminder: Some(true),
            referral_asked: Some(true),
            plate: Some(plate.into()),
            notes: None,
        };
        sales_orders::deliver(db, consultant, order.id, &handed_over).await?;
    }
    fours_store::care::generate::handle_events(db, 100).await?;
    Ok(())
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

/// The customer and their first car.
async fn seed_customer(
    db: &Database,
    admin: &Actor,
    generated: &GeneratedCustomer,
    owner: uuid::Uuid,
    store: uuid::Uuid,
) -> Result<(uuid::Uuid, Option<uuid::Uuid>)> {
    let input = CustomerInput {
        owner_id: Some(owner),
        store_id: Some(store),
        ..customer_input(generated)
    };
    let customer = customer_ops::create(db, admin, &input).await?;
    let mut first_car = None;
    for car in &generated.vehicles {
        let vehicle = seed_vehicle(db, admin, car, customer.id).await?;
        first_car = first_car.or(Some(vehicle));
    }
    Ok((customer.id, first_car))
}

async fn seed_vehicle(
    db: &Database,
    admin: &Actor,
    car: &GeneratedVehicle,
    owner: uuid::Uuid,
) -> Result<uuid::Uuid> {
    let input = VehicleInput {
        customer_id: Some(owner),
        ..vehicle_input(car)
    };
    let vehicle = vehicles::create(db, admin, &input).await?;
    let vehicle_id = vehicle.id;
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
    Ok(vehicle_id)
}

/// A demo part: number, name, category, unit, retail and cost in yuan, bin, units received.
type DemoPart = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
    i64,
);

/// Common FAW-Volkswagen service parts with plausible numbers and prices. The last ones are
/// catalogued but not stocked: body parts ordered for one customer (the left headlight is the
/// part with no stock at all).
#[rustfmt::skip]
const DEMO_PARTS: &[DemoPart] = &[
    ("06L115562B", "机油滤清器", "滤清器", "个", 88, 52, "A-1-1", 40),
    ("04E115561H", "机油滤清器（EA211）", "滤清器", "个", 68, 40, "A-1-1", 30),
    ("5Q0129620B", "空气滤清器", "滤清器", "个", 150, 90, "A-1-2", 25),
    ("5Q0819653", "空调滤清器", "滤清器", "个", 120, 68, "A-1-2", 30),
    ("3Q0819653A", "空调滤清器（活性炭）", "滤清器", "个", 168, 95, "A-1-3", 12),
    ("04E905110K", "点火线圈", "点火系统", "个", 420, 250, "A-1-3", 8),
    ("06K905601B", "火花塞（EA888）", "点火系统", "个", 85, 48, "A-1-4", 48),
    ("04E905612C", "火花塞（EA211）", "点火系统", "个", 72, 40, "A-1-4", 32),
    ("G052195M4", "大众原厂机油 5W-40 4L", "油液", "桶", 498, 320, "A-2-1", 24),
    ("G052577M4", "大众原厂机油 0W-20 4L", "油液", "桶", 568, 360, "A-2-1", 18),
    ("G052195M2", "大众原厂机油 5W-40 1L", "油液", "瓶", 138, 85, "A-2-2", 30),
    ("B000750M3", "制动液 DOT4 1L", "油液", "瓶", 98, 55, "A-2-2", 20),
    ("G013A8JM1", "冷却液 G13 1.5L", "油液", "瓶", 128, 70, "A-2-3", 16),
    ("G052182A2", "DSG 变速箱油 1L", "油液", "瓶", 260, 165, "A-2-3", 12),
    ("G052164M2", "玻璃清洗液 2L", "油液", "瓶", 35, 18, "A-2-4", 40),
    ("5Q0698151B", "前刹车片", "制动系统", "套", 680, 410, "A-3-1", 10),
    ("5Q0698451J", "后刹车片", "制动系统", "套", 520, 300, "A-3-1", 8),
    ("5Q0615301F", "前刹车盘", "制动系统", "个", 780, 460, "A-3-2", 6),
    ("5Q0615601G", "后刹车盘", "制动系统", "个", 560, 330, "A-3-2", 4),
    ("5G1998002", "前雨刮片（对）", "雨刮", "套", 260, 140, "A-3-3", 15),
    ("5G6955427", "后雨刮片", "雨刮", "个", 90, 48, "A-3-3", 10),
    ("04E121600AL", "水泵", "冷却系统", "个", 1280, 780, "A-3-4", 3),
    ("04E198119A", "正时皮带套件", "发动机", "套", 1680, 1020, "A-3-4", 3),
    ("000915105DH", "蓄电池 12V 60Ah", "电气", "个", 980, 620, "B-2-1", 6),
    ("3G0941006", "右前大灯总成", "灯具", "个", 4860, 3200, "B-1-1", 1),
    ("5G0857521", "左外后视镜镜片", "车身", "个", 320, 190, "B-1-2", 2),
    ("5Q0407151A", "前下摆臂", "底盘", "个", 690, 410, "B-2-2", 2),
    ("5Q0513049", "后减震器", "底盘", "个", 880, 520, "B-2-2", 2),
    ("3G0941005", "左前大灯总成", "灯具", "个", 4860, 3200, "B-1-1", 0),
    ("3G0807217", "前保险杠皮", "车身", "个", 1980, 1250, "B-1-3", 0),
    ("5G4837015", "左前门锁", "车身", "个", 760, 450, "B-1-3", 0),
    ("3G0853651", "前格栅（中网）", "车身", "个", 1380, 860, "B-1-2", 0),
];

const DEMO_SUPPLIER: &str = "一汽-大众华南配件中心";

/// The first store's parts department: bins (A common parts, B body and heavy parts), the
/// catalogue, stock received through two supplier orders (the second at a lower cost, so the
/// average moves), and min/max levels that put a few parts on today's suggestion.
async fn seed_parts(db: &Database, manager: &Actor) -> Result<()> {
    let bins = (1..=3)
        .flat_map(|shelf| (1..=4).map(move |level| format!("A-{shelf}-{level}")))
        .chain((1..=2).flat_map(|shelf| (1..=3).map(move |level| format!("B-{shelf}-{level}"))));
    for code in bins {
        let input = BinInput {
            code,
            note: None,
            store_id: None,
        };
        parts_catalogue::create_bin(db, manager, &input).await?;
    }
    let mut stocked = Vec::new();
    for &(number, name, category, unit, retail, cost, bin, units) in DEMO_PARTS {
        let input = PartInput {
            part_number: number.into(),
            name: name.into(),
            brand: Some("一汽-大众".into()),
            category: Some(category.into()),
            unit: Some(unit.into()),
            retail_price_fen: retail * 100,
            cost_price_fen: cost * 100,
            superseded_by: None,
            default_bin: Some(bin.into()),
        };
        let part = parts_catalogue::create(db, manager, &input)
            .await
            .with_context(|| format!("demo part {number}"))?;
        if units > 0 {
            stocked.push((part.id, units));
        }
    }
    let first: Vec<OrderLineInput> = stocked
        .iter()
        .map(|(part_id, units)| OrderLineInput {
            part_id: *part_id,
            quantity: units * 100,
            unit_cost_fen: None,
        })
        .collect();
    receive_all(db, manager, first).await?;
    // A second delivery of the fastest movers, bought a little cheaper.
    let again: Vec<OrderLineInput> = stocked
        .iter()
        .take(2)
        .map(|(part_id, _)| OrderLineInput {
            part_id: *part_id,
            quantity: 2_000,
            unit_cost_fen: Some(4_800),
        })
        .collect();
    receive_all(db, manager, again).await?;
    for (number, min, max) in [
        ("04E905612C", 40, 80),
        ("5Q0615601G", 4, 10),
        ("G013A8JM1", 20, 40),
        ("06L115562B", 20, 80),
    ] {
        let Some(part) = parts_catalogue::by_number(&db.conn, manager.tenant_id, number).await?
        else {
            continue;
        };
        let input = PlacementInput {
            store_id: None,
            bin_code: part.default_bin.clone(),
            min_level: Some(min * 100),
            max_level: Some(max * 100),
        };
        parts_stock::place(db, manager, part.id, &input).await?;
    }
    Ok(())
}

/// One supplier order, sent and received in full.
async fn receive_all(db: &Database, manager: &Actor, lines: Vec<OrderLineInput>) -> Result<()> {
    let input = SupplierOrderInput {
        store_id: None,
        supplier: DEMO_SUPPLIER.into(),
        expected_on: Some(appointments::store_day(&db.conn, manager, 0).await),
        lines,
        send: true,
    };
    let order = supplier_orders::create(db, manager, &input).await?;
    receive_lines(db, manager, &order).await
}

/// Three customers' special orders: one waiting for review, one on order from the maker, one
/// arrived and waiting for the advisor team.
async fn seed_special_orders(
    db: &Database,
    advisor: &Actor,
    manager: &Actor,
    customers: &[(uuid::Uuid, uuid::Uuid)],
) -> Result<()> {
    use fours_domain::parts::special_order::Status;
    let steps = [("3G0807217", 0), ("5G4837015", 1), ("3G0853651", 2)];
    for ((number, reached), (customer_id, vehicle_id)) in steps.into_iter().zip(customers) {
        let Some(part) = parts_catalogue::by_number(&db.conn, advisor.tenant_id, number).await?
        else {
            continue;
        };
        let input = SpecialOrderInput {
            part_id: part.id,
            quantity: 100,
            customer_id: *customer_id,
            vehicle_id: Some(*vehicle_id),
            repair_order_id: None,
            appointment_id: None,
            note: Some("客户指定原厂件".into()),
            store_id: None,
        };
        let order = special_orders::create(db, advisor, &input).await?;
        if reached == 0 {
            continue;
        }
        special_orders::step(db, manager, order.id, Status::Approved, None).await?;
        let place = PlaceInput {
            supplier: DEMO_SUPPLIER.into(),
            expected_on: Some(
                appointments::store_day(&db.conn, manager, 0).await + chrono::Days::new(5),
            ),
            unit_cost_fen: None,
        };
        let ordered = special_orders::place_order(db, manager, order.id, &place).await?;
        if reached == 1 {
            continue;
        }
        let Some(supplier_order) = ordered.supplier_order_id else {
            continue;
        };
        let detail = supplier_orders::detail(&db.conn, manager, supplier_order).await?;
        receive_lines(db, manager, &detail).await?;
    }
    Ok(())
}

/// Receives every line of a sent order in full.
async fn receive_lines(
    db: &Database,
    manager: &Actor,
    detail: &supplier_orders::OrderDetail,
) -> Result<()> {
    let receipt = ReceiptInput {
        lines: detail
            .lines
            .iter()
            .map(|l| ReceiptLine {
                line_id: l.line.id,
                quantity: l.line.quantity,
                unit_cost_fen: None,
            })
            .collect(),
    };
    supplier_orders::receive(db, manager, detail.order.id, &receipt).await?;
    Ok(())
}
