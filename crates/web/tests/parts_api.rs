//! The parts department through the HTTP API, on SQLite and PostgreSQL: the catalogue and its
//! import, receipts at moving-average cost, the counter's issues to repair orders (also the
//! last unit under concurrency), returns, adjustments, transfers, stock-takes, replenishment,
//! a special order from request to fitted, and the reports.

mod common;
mod fixtures;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use common::TestApp;
use fixtures::{create_customer, create_vehicle, error_codes, id_of, mobile, ok, refused, vin};
use fours_domain::access::Role;
use fours_store::care::entities::outbox_message;
use fours_store::parts::entities::{part_stock, special_order};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

const PNG: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async fn new_part(app: &TestApp, number: &str, name: &str, cost_fen: i64) -> Uuid {
    let part = ok(
        app,
        Role::PartsManager,
        "POST",
        "/api/v1/parts",
        Some(json!({
        "part_number": number, "name": name, "unit": "个", "retail_price_fen": cost_fen * 2,
        "cost_price_fen": cost_fen, "default_bin": "A-1-1"})),
    )
    .await;
    id_of(&part)
}

/// Receives `quantity` hundredths at `cost_fen` through a supplier order sent and received.
async fn receive(app: &TestApp, part: Uuid, quantity: i64, cost_fen: i64) -> Value {
    let order = ok(
        app,
        Role::PartsManager,
        "POST",
        "/api/v1/supplier-orders",
        Some(json!({
        "supplier": "一汽-大众备件中心", "send": true,
        "lines": [{"part_id": part, "quantity": quantity, "unit_cost_fen": cost_fen}]})),
    )
    .await;
    let id = order["order"]["id"].as_str().unwrap().to_owned();
    let line = order["lines"][0]["id"].clone();
    ok(
        app,
        Role::PartsManager,
        "POST",
        &format!("/api/v1/supplier-orders/{id}/receipts"),
        Some(json!({"lines": [{"line_id": line, "quantity": quantity}]})),
    )
    .await
}

async fn stock_of(app: &TestApp, part: Uuid) -> Value {
    let lines = ok(
        app,
        Role::PartsManager,
        "GET",
        &format!("/api/v1/part-stock?part_id={part}"),
        None,
    )
    .await;
    lines[0].clone()
}

/// A customer's car in store A and a walk-in repair order with one part line per given part.
async fn repair_order(app: &TestApp, serial: u32, lines: &[(&str, i64)]) -> (Value, Uuid, Uuid) {
    let advisor = app.token(Role::ServiceAdvisor);
    let customer = create_customer(
        app,
        advisor,
        json!({"name": format!("车主{serial}"), "mobile": mobile(serial)}),
    )
    .await;
    let vehicle = create_vehicle(app, advisor,
        json!({"vin": vin(serial), "customer_id": customer["id"], "plate": format!("沪B{serial:05}")})).await;
    let parts: Vec<Value> = lines.iter().map(|(number, quantity)| json!({
        "part_number": number, "name": "配件", "quantity_hundredths": quantity, "unit_price_fen": 10_000})).collect();
    let order = ok(app, Role::ServiceAdvisor, "POST", "/api/v1/repair-orders", Some(json!({
        "vehicle_id": vehicle["id"], "mileage_km": 20_000, "fuel_percent": 50, "concern": "更换配件",
        "promised_at": (Utc::now() + Duration::hours(3)).to_rfc3339(), "payment_method": "wechat",
        "old_parts": "return", "jobs": [{"name": "更换", "minutes": 30, "pay_type": "customer"}],
        "parts": parts}))).await;
    (order, id_of(&customer), id_of(&vehicle))
}

fn technician(app: &TestApp) -> Uuid {
    app.users[&Role::Technician].id
}

fn issue_body(app: &TestApp, line: &Value) -> Value {
    json!({"repair_part_id": line["id"], "technician_id": technician(app), "signature_png": PNG})
}

async fn receipts_average_the_cost_and_stock_moves_by_hand_and_between_stores(app: Arc<TestApp>) {
    ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/bins",
        Some(json!({"code": "a-1-1"})),
    )
    .await;
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/bins",
        json!({"code": "A1"}),
    )
    .await;
    assert_eq!(codes, ["bin.format"]);
    // Bad input names every field; nothing is saved.
    let (status, reply) = app
        .call(
            "POST",
            "/api/v1/parts",
            Some(app.token(Role::PartsManager)),
            Some(json!({
        "part_number": "x", "name": " ", "retail_price_fen": -1, "cost_price_fen": 0})),
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    let mut fields = fixtures::error_fields(&reply);
    fields.sort();
    assert_eq!(fields, ["name", "part_number", "retail_price_fen"]);
    let filter = new_part(&app, "06l115562", "机油滤清器", 5_000).await;
    let (status, _) = app
        .call(
            "POST",
            "/api/v1/parts",
            Some(app.token(Role::PartsManager)),
            Some(json!({
        "part_number": "06L115562", "name": "重复", "retail_price_fen": 1, "cost_price_fen": 1})),
        )
        .await;
    assert_eq!(status.as_u16(), 409, "part numbers are unique in the group");

    // 10 at 50 yuan, then 5 at 62 yuan: 15 at 54 yuan, worth 810 yuan, in its default bin.
    receive(&app, filter, 1_000, 5_000).await;
    receive(&app, filter, 500, 6_200).await;
    let shelf = stock_of(&app, filter).await;
    assert_eq!(shelf["on_hand"], 1_500);
    assert_eq!(shelf["average_cost_fen"], 5_400);
    assert_eq!(shelf["value_fen"], 81_000);
    assert_eq!(shelf["bin_code"], "A-1-1");

    // Adjustments need a reason and cannot overdraw the shelf.
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/adjustments",
        json!({"part_id": filter, "quantity": -100, "reason": "stolen"}),
    )
    .await;
    assert_eq!(codes, ["choice.invalid"]);
    ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/adjustments",
        Some(json!({"part_id": filter, "quantity": -100, "reason": "damaged", "note": "包装破损"})),
    )
    .await;
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/adjustments",
        json!({"part_id": filter, "quantity": -5_000, "reason": "lost"}),
    )
    .await;
    assert_eq!(codes, ["stock.insufficient"]);

    // A transfer leaves at the average cost and arrives at it in the other store.
    let moved = ok(&app, Role::Admin, "POST", "/api/v1/stock-movements/transfers", Some(json!({
        "store_id": app.store_id, "to_store_id": app.other_store_id, "part_id": filter, "quantity": 400}))).await;
    assert_eq!(moved[0]["kind"], "transfer_out");
    assert_eq!(moved[1]["kind"], "transfer_in");
    assert_eq!(moved[1]["unit_cost_fen"], 5_400);
    assert_eq!(stock_of(&app, filter).await["on_hand"], 1_000);
    let elsewhere = ok(
        &app,
        Role::Admin,
        "GET",
        &format!(
            "/api/v1/part-stock?store_id={}&part_id={filter}",
            app.other_store_id
        ),
        None,
    )
    .await;
    assert_eq!(elsewhere[0]["on_hand"], 400);
    let detail = ok(
        &app,
        Role::Admin,
        "GET",
        &format!("/api/v1/parts/{filter}"),
        None,
    )
    .await;
    assert_eq!(
        detail["stock"].as_array().map(Vec::len),
        Some(2),
        "stock per store on the part"
    );

    let kinds: Vec<String> = ok(
        &app,
        Role::PartsManager,
        "GET",
        &format!("/api/v1/stock-movements?part_id={filter}"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .map(|m| m["kind"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(kinds, ["transfer_out", "adjustment", "receipt", "receipt"]);

    // A store that allows negative stock lets the shelf be overdrawn.
    let mut policy = ok(
        &app,
        Role::PartsManager,
        "GET",
        "/api/v1/parts-policy",
        None,
    )
    .await;
    assert_eq!(policy["dead_months"], 12);
    policy["allow_negative"] = json!(true);
    ok(
        &app,
        Role::PartsManager,
        "PUT",
        "/api/v1/parts-policy",
        Some(policy),
    )
    .await;
    ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/adjustments",
        Some(json!({"part_id": filter, "quantity": -1_200, "reason": "correction"})),
    )
    .await;
    assert_eq!(stock_of(&app, filter).await["on_hand"], -200);

    // Each movement is audited.
    let transfer_out = moved[0]["id"].as_str().unwrap();
    let audit = ok(
        &app,
        Role::Admin,
        "GET",
        &format!("/api/v1/audit?entity_id={transfer_out}"),
        None,
    )
    .await;
    assert_eq!(audit[0]["entity"], "stock_movement", "{audit}");
}

async fn the_counter_issues_signed_parts_to_repair_orders_and_takes_returns(app: Arc<TestApp>) {
    let filter = new_part(&app, "06L115562", "机油滤清器", 5_000).await;
    let oil = new_part(&app, "G052195M4", "机油 5W-30", 7_000).await;
    receive(&app, filter, 200, 5_000).await;
    let (order, _, _) = repair_order(&app, 1, &[("06l115562", 100), ("G052195M4", 450)]).await;
    let order_id = order["order"]["id"].as_str().unwrap().to_owned();
    let lines = ok(
        &app,
        Role::PartsManager,
        "GET",
        &format!("/api/v1/repair-orders/{order_id}/part-lines"),
        None,
    )
    .await;
    assert_eq!(
        lines[0]["part_id"],
        json!(filter),
        "reception linked the line to the catalogue"
    );
    assert_eq!(lines[0]["available"], 200);
    let filter_line = &order["parts"][0];
    let oil_line = &order["parts"][1];

    let mut unsigned = issue_body(&app, filter_line);
    unsigned["signature_png"] = json!("");
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/issues",
        unsigned,
    )
    .await;
    assert_eq!(codes, ["signature.required"]);
    let mut too_many = issue_body(&app, filter_line);
    too_many["quantity"] = json!(300);
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/issues",
        too_many,
    )
    .await;
    assert_eq!(codes, ["parts.more_than_ordered"]);

    let issued = ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/issues",
        Some(issue_body(&app, filter_line)),
    )
    .await;
    assert_eq!(issued["quantity"], -100);
    assert_eq!(issued["filled_first_time"], true);
    assert_eq!(issued["technician_id"], json!(technician(&app)));
    assert_eq!(issued["signature_png"], PNG);
    assert_eq!(stock_of(&app, filter).await["on_hand"], 100);

    // The oil is not on the shelf: refused, and the line can no longer count as filled first time.
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/issues",
        issue_body(&app, oil_line),
    )
    .await;
    assert_eq!(codes, ["stock.insufficient"]);
    receive(&app, oil, 1_000, 7_000).await;
    let late = ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/issues",
        Some(issue_body(&app, oil_line)),
    )
    .await;
    assert_eq!(late["filled_first_time"], false);

    let lines = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!("/api/v1/repair-orders/{order_id}/part-lines"),
        None,
    )
    .await;
    assert_eq!(lines[0]["issued"], 100);
    assert_eq!(lines[1]["issued"], 450);
    assert_eq!(lines[1]["short"], true);

    // Half a litre comes back unused.
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/returns",
        json!({"repair_part_id": oil_line["id"], "quantity": 500}),
    )
    .await;
    assert_eq!(codes, ["parts.more_than_issued"]);
    let back = ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/returns",
        Some(json!({"repair_part_id": oil_line["id"], "quantity": 50, "reason": "未用完"})),
    )
    .await;
    assert_eq!(back["kind"], "return");
    assert_eq!(stock_of(&app, oil).await["on_hand"], 600);

    // Two lines asked, one filled from the shelf at once: 50%.
    let rate = ok(
        &app,
        Role::PartsManager,
        "GET",
        "/api/v1/reports/parts/fill-rate",
        None,
    )
    .await;
    assert_eq!(rate["lines_requested"], 2);
    assert_eq!(rate["lines_filled_first_time"], 1);
    assert_eq!(rate["fill_rate_bp"], 5_000);
    let overview = ok(
        &app,
        Role::PartsManager,
        "GET",
        "/api/v1/reports/parts",
        None,
    )
    .await;
    // Issued at cost: 1 × 50 + 4.5 × 70 = 365 yuan; on hand 1 × 50 + 6 × 70 = 470 yuan.
    assert_eq!(overview["issue_value_12_months_fen"], 36_500);
    assert_eq!(overview["stock_value_fen"], 47_000);
    assert_eq!(overview["turns_hundredths"], 77);
}

async fn concurrent_issues_of_the_last_unit_give_it_once(app: Arc<TestApp>) {
    let pad = new_part(&app, "5Q0698151", "前刹车片", 30_000).await;
    receive(&app, pad, 100, 30_000).await;
    // One unit in stock, a hundred order lines asking for it at once.
    let lines: Vec<(&str, i64)> = (0..100).map(|_| ("5Q0698151", 100)).collect();
    let (order, _, _) = repair_order(&app, 2, &lines).await;
    let attempts = order["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            let app = app.clone();
            let body = issue_body(&app, line);
            tokio::spawn(async move {
                app.call(
                    "POST",
                    "/api/v1/stock-movements/issues",
                    Some(app.token(Role::PartsManager)),
                    Some(body),
                )
                .await
            })
        })
        .collect::<Vec<_>>();
    let mut issued = 0;
    let mut short = 0;
    for attempt in attempts {
        let (status, reply) = attempt.await.unwrap();
        match status.as_u16() {
            201 => issued += 1,
            422 if error_codes(&reply) == ["stock.insufficient"] => short += 1,
            other => panic!("unexpected {other}: {reply}"),
        }
    }
    println!(
        "parts {:?}: 100 simultaneous issues of the last unit: {issued} issued, {short} refused (422 stock.insufficient)",
        app.backend
    );
    assert_eq!((issued, short), (1, 99));
    assert_eq!(stock_of(&app, pad).await["on_hand"], 0);

    // The same line sent twice at once (a double click) is issued once.
    receive(&app, pad, 500, 30_000).await;
    let (order, _, _) = repair_order(&app, 5, &[("5Q0698151", 200)]).await;
    let twice = (0..2)
        .map(|_| {
            let app = app.clone();
            let body = issue_body(&app, &order["parts"][0]);
            tokio::spawn(async move {
                app.call(
                    "POST",
                    "/api/v1/stock-movements/issues",
                    Some(app.token(Role::PartsManager)),
                    Some(body),
                )
                .await
            })
        })
        .collect::<Vec<_>>();
    let mut answers = Vec::new();
    for attempt in twice {
        let (status, reply) = attempt.await.unwrap();
        answers.push((status.as_u16(), error_codes(&reply)));
    }
    answers.sort();
    assert_eq!(
        answers,
        [(201, vec![]), (422, vec!["quantity.positive".to_owned()])],
        "nothing left to issue on the line"
    );
    assert_eq!(stock_of(&app, pad).await["on_hand"], 300);
    let movements = ok(
        &app,
        Role::PartsManager,
        "GET",
        &format!("/api/v1/stock-movements?part_id={pad}"),
        None,
    )
    .await;
    assert_eq!(
        movements.as_array().map(Vec::len),
        Some(4),
        "two receipts, one issue from each race"
    );
}

async fn a_special_order_runs_from_request_to_fitted(app: Arc<TestApp>) {
    let mirror = new_part(&app, "3G0857537", "左外后视镜镜片", 26_000).await;
    let (order, customer, vehicle) = repair_order(&app, 3, &[("3G0857537", 100)]).await;
    let order_id = order["order"]["id"].clone();
    let requested = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/special-orders",
        Some(json!({
        "part_id": mirror, "quantity": 100, "customer_id": customer, "vehicle_id": vehicle,
        "repair_order_id": order_id, "note": "客户急需"})),
    )
    .await;
    assert_eq!(requested["number"], "A1-SP-000001");
    assert_eq!(requested["status"], "requested");
    let special = requested["id"].as_str().unwrap().to_owned();
    let path = |tail: &str| format!("/api/v1/special-orders/{special}{tail}");
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &path("/take"),
        json!({}),
    )
    .await;
    assert_eq!(
        codes,
        ["special_order.transition"],
        "nothing to take before it arrives"
    );

    ok(
        &app,
        Role::PartsManager,
        "POST",
        &path("/review"),
        Some(json!({"approve": true})),
    )
    .await;
    let placed = ok(&app, Role::PartsManager, "POST", &path("/order"), Some(json!({
        "supplier": "一汽-大众备件中心", "expected_on": (Utc::now() + Duration::days(5)).date_naive()}))).await;
    assert_eq!(placed["status"], "ordered");
    let supplier_order = placed["supplier_order_id"].as_str().unwrap().to_owned();
    let detail = ok(
        &app,
        Role::PartsManager,
        "GET",
        &format!("/api/v1/supplier-orders/{supplier_order}"),
        None,
    )
    .await;
    assert_eq!(detail["order"]["status"], "sent");
    ok(
        &app,
        Role::PartsManager,
        "POST",
        &format!("/api/v1/supplier-orders/{supplier_order}/receipts"),
        Some(json!({"lines": [{"line_id": detail["lines"][0]["id"], "quantity": 100}]})),
    )
    .await;

    // The part is kept for its customer: another order cannot take it.
    let shelf = stock_of(&app, mirror).await;
    assert_eq!(
        (
            shelf["on_hand"].clone(),
            shelf["reserved"].clone(),
            shelf["available"].clone()
        ),
        (json!(100), json!(100), json!(0))
    );
    let (other, _, _) = repair_order(&app, 4, &[("3G0857537", 100)]).await;
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/issues",
        issue_body(&app, &other["parts"][0]),
    )
    .await;
    assert_eq!(codes, ["stock.insufficient"]);

    // The whole advisor team sees it waiting, customer care included.
    for role in [Role::ServiceAdvisor, Role::CustomerCare] {
        let waiting = ok(
            &app,
            role,
            "GET",
            "/api/v1/special-orders?waiting=true",
            None,
        )
        .await;
        assert_eq!(waiting[0]["id"], json!(special), "{role:?}");
        assert_eq!(waiting[0]["status"], "arrived");
        assert_eq!(waiting[0]["customer_not_contacted"], false);
    }
    // Three days on the shelf and the customer not told: the team's list raises it.
    let arrived =
        special_order::Entity::find_by_id((app.tenant_id, Uuid::parse_str(&special).unwrap()))
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap();
    let mut late: special_order::ActiveModel = arrived.into();
    late.arrived_on = Set(Some(Utc::now().date_naive() - Duration::days(3)));
    late.update(&app.db.conn).await.unwrap();
    let waiting = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        "/api/v1/special-orders?waiting=true",
        None,
    )
    .await;
    assert_eq!(
        (
            waiting[0]["customer_not_contacted"].clone(),
            waiting[0]["return_due"].clone()
        ),
        (json!(true), json!(false))
    );
    ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &path("/take"),
        Some(json!({})),
    )
    .await;
    ok(
        &app,
        Role::CustomerCare,
        "POST",
        &path("/notify"),
        Some(json!({})),
    )
    .await;
    let outbox = outbox_message::Entity::find()
        .filter(outbox_message::Column::TenantId.eq(app.tenant_id))
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].channel.as_str(), outbox[0].status.as_str()),
        ("sms", "pending")
    );
    assert_eq!(outbox[0].customer_id, Some(customer));
    assert!(
        outbox[0].body.contains("左外后视镜镜片"),
        "{}",
        outbox[0].body
    );

    let bay = ok(
        &app,
        Role::StoreManager,
        "POST",
        "/api/v1/bays",
        Some(json!({"code": "M1", "bay_type": "mechanical"})),
    )
    .await;
    assert!(bay["id"].is_string());
    let tomorrow = Utc::now().with_timezone(&Shanghai).date_naive() + Duration::days(1);
    let arrive_at = Shanghai
        .from_local_datetime(&tomorrow.and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let appointment = ok(&app, Role::ServiceAdvisor, "POST", "/api/v1/appointments", Some(json!({
        "customer_id": customer, "vehicle_id": vehicle, "arrive_at": arrive_at.to_rfc3339(),
        "repair_type": "repair", "concern": "安装订件", "jobs": [{"name": "安装后视镜镜片", "minutes": 30}]}))).await;
    ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &path("/booking"),
        Some(json!({"appointment_id": appointment["id"]})),
    )
    .await;

    let mut fit = issue_body(&app, &order["parts"][0]);
    fit["special_order_id"] = json!(special);
    let fitted = ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-movements/issues",
        Some(fit),
    )
    .await;
    assert_eq!(fitted["special_order_id"], json!(special));
    let shelf = stock_of(&app, mirror).await;
    assert_eq!(
        (shelf["on_hand"].clone(), shelf["reserved"].clone()),
        (json!(0), json!(0))
    );

    let done = ok(&app, Role::ServiceAdvisor, "GET", &path(""), None).await;
    assert_eq!(done["order"]["status"], "fitted");
    let steps: Vec<&str> = done["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "requested",
            "approved",
            "ordered",
            "arrived",
            "advisor_notified",
            "customer_notified",
            "booked",
            "fitted"
        ]
    );
    assert!(
        done["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["by_user"].is_string() && s["at"].is_string())
    );
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        &path("/return"),
        json!({}),
    )
    .await;
    assert_eq!(codes, ["special_order.closed"]);
    let on_the_order = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!(
            "/api/v1/special-orders?repair_order_id={}",
            order_id.as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(on_the_order.as_array().map(Vec::len), Some(1));
    let for_customer = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!("/api/v1/special-orders?customer_id={customer}"),
        None,
    )
    .await;
    assert_eq!(for_customer[0]["part_name"], "左外后视镜镜片");
}

async fn stock_takes_replenishment_dead_stock_and_the_catalogue_import(app: Arc<TestApp>) {
    ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/bins",
        Some(json!({"code": "A-1-1"})),
    )
    .await;
    let csv = "零件号,名称,品牌,单位,零售价,成本价,库位\n\
               06L115562,机油滤清器,大众,个,88.00,50.00,A-1-1\n\
               1K0698451,后刹车片,大众,套,¥420.5,260,A-1-1\n\
               X,坏行,,,abc,,\n";
    let (status, report) = app
        .upload(
            "/api/v1/parts/import",
            Some(app.token(Role::PartsManager)),
            ("parts.csv", csv.as_bytes()),
            &[],
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{report}");
    assert_eq!(
        (
            report["created"].clone(),
            report["updated"].clone(),
            report["rejected_rows"].clone()
        ),
        (json!(2), json!(0), json!(1))
    );
    assert_eq!(report["rejects"][0]["row"], 4);
    // A later price list with prices only keeps what it does not mention.
    let prices = "零件号,名称,零售价\n1K0698451,后刹车片,450\n";
    let (_, report) = app
        .upload(
            "/api/v1/parts/import",
            Some(app.token(Role::PartsManager)),
            ("prices.csv", prices.as_bytes()),
            &[],
        )
        .await;
    assert_eq!(report["updated"], 1, "{report}");
    let found = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        "/api/v1/parts?q=1k0",
        None,
    )
    .await;
    assert_eq!(found[0]["cost_price_fen"], 26_000);
    assert_eq!(
        (
            found[0]["brand"].clone(),
            found[0]["unit"].clone(),
            found[0]["default_bin"].clone()
        ),
        (json!("大众"), json!("套"), json!("A-1-1"))
    );
    assert_eq!(found[0]["retail_price_fen"], 45_000);
    let filter = id_of(
        &ok(
            &app,
            Role::ServiceAdvisor,
            "GET",
            "/api/v1/parts?q=06L",
            None,
        )
        .await[0],
    );
    let pads = id_of(&found[0]);
    receive(&app, filter, 1_000, 5_000).await;
    receive(&app, pads, 300, 26_000).await;

    // Count: two filters missing, pads right. Submitting needs every line counted.
    let take = ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/stock-takes",
        Some(json!({"area": "A"})),
    )
    .await;
    let id = take["take"]["id"].as_str().unwrap().to_owned();
    let line_of = |part: Uuid| {
        take["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["part_id"] == json!(part))
            .unwrap()["id"]
            .clone()
    };
    let codes = refused(
        &app,
        Role::PartsManager,
        "POST",
        &format!("/api/v1/stock-takes/{id}/counts"),
        json!({"counts": [{"line_id": line_of(filter), "counted": 800}], "submit": true}),
    )
    .await;
    assert_eq!(codes, ["stock_take.uncounted"]);
    let counted = ok(&app, Role::PartsManager, "POST", &format!("/api/v1/stock-takes/{id}/counts"), Some(json!({
        "counts": [{"line_id": line_of(filter), "counted": 800}, {"line_id": line_of(pads), "counted": 300}], "submit": true}))).await;
    assert_eq!(counted["take"]["status"], "submitted");
    let approved = ok(
        &app,
        Role::PartsManager,
        "POST",
        &format!("/api/v1/stock-takes/{id}/decision"),
        Some(json!({"approve": true})),
    )
    .await;
    assert_eq!(approved["take"]["status"], "approved");
    assert!(approved["take"]["decided_by"].is_string());
    assert_eq!(stock_of(&app, filter).await["on_hand"], 800);
    let kinds: Vec<String> = ok(
        &app,
        Role::PartsManager,
        "GET",
        &format!("/api/v1/stock-movements?part_id={filter}"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .map(|m| m["kind"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(kinds, ["stock_take", "receipt"]);

    // Levels set by hand: at or under the minimum, the suggestion brings it to the maximum.
    ok(
        &app,
        Role::PartsManager,
        "PUT",
        &format!("/api/v1/parts/{filter}/placement"),
        Some(json!({"bin_code": "A-1-1", "min_level": 1_000, "max_level": 2_400})),
    )
    .await;
    let suggested = ok(
        &app,
        Role::PartsManager,
        "GET",
        "/api/v1/supplier-orders/suggestions",
        None,
    )
    .await;
    assert_eq!(suggested.as_array().map(Vec::len), Some(1), "{suggested}");
    assert_eq!(suggested[0]["part_id"], json!(filter));
    assert_eq!(suggested[0]["suggested"], 1_600);
    // Once ordered, it is on order and no longer suggested.
    ok(
        &app,
        Role::PartsManager,
        "POST",
        "/api/v1/supplier-orders",
        Some(json!({"supplier": "一汽-大众备件中心", "send": true,
        "lines": [{"part_id": filter, "quantity": suggested[0]["suggested"]}]})),
    )
    .await;
    let suggested = ok(
        &app,
        Role::PartsManager,
        "GET",
        "/api/v1/supplier-orders/suggestions",
        None,
    )
    .await;
    assert_eq!(suggested, json!([]));

    // Pads untouched for 13 months are dead stock; filters for 8 months are a warning.
    let age = |part: Uuid, days: i64| {
        let app = app.clone();
        async move {
            let row = part_stock::Entity::find()
                .filter(part_stock::Column::TenantId.eq(app.tenant_id))
                .filter(part_stock::Column::PartId.eq(part))
                .one(&app.db.conn)
                .await
                .unwrap()
                .unwrap();
            let mut row: part_stock::ActiveModel = row.into();
            row.last_moved_at = Set(Some(Utc::now() - Duration::days(days)));
            row.update(&app.db.conn).await.unwrap();
        }
    };
    age(pads, 400).await;
    age(filter, 240).await;
    let dead = ok(
        &app,
        Role::PartsManager,
        "GET",
        "/api/v1/reports/parts/dead-stock",
        None,
    )
    .await;
    assert_eq!(
        (dead["dead_parts"].clone(), dead["warning_parts"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(dead["dead_value_fen"], 78_000);
    assert_eq!(dead["parts"][0]["part_number"], "1K0698451");
    assert_eq!(dead["parts"][0]["ageing"], "dead");
    assert_eq!(dead["parts"][1]["ageing"], "warning");
}

on_both_databases!(
    receipts_average_the_cost_and_stock_moves_by_hand_and_between_stores,
    the_counter_issues_signed_parts_to_repair_orders_and_takes_returns,
    concurrent_issues_of_the_last_unit_give_it_once,
    a_special_order_runs_from_request_to_fitted,
    stock_takes_replenishment_dead_stock_and_the_catalogue_import,
);
