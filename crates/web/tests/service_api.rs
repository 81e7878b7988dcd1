//! After-sales service through the HTTP API, on SQLite and PostgreSQL: workshop set-up,
//! appointments against capacity (also under concurrency), and a repair order's whole life from
//! reception to hand-over, with added work approved through the customer's link.

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use common::TestApp;
use fixtures::{
    create_customer, create_vehicle, error_codes, error_fields, id_of, mobile, ok, refused, vin,
};
use fours_domain::access::Role;
use fours_store::sales::orders::pending_events;
use fours_store::service::entities::repair_order;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

fn tomorrow() -> NaiveDate {
    Utc::now().with_timezone(&Shanghai).date_naive() + Duration::days(1)
}

/// Tomorrow at `hour:minute` in the store's time zone, as the API takes it.
fn tomorrow_at(hour: u32, minute: u32) -> String {
    let local = tomorrow().and_hms_opt(hour, minute, 0).unwrap();
    Shanghai
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&Utc)
        .to_rfc3339()
}

/// A customer of store A with a car delivered a year ago (under warranty), and one bay.
struct Fixture {
    customer: Uuid,
    vehicle: Uuid,
    bay: Uuid,
    operation: Uuid,
}

async fn fixture(app: &TestApp, serial: u32) -> Fixture {
    let advisor = app.token(Role::ServiceAdvisor);
    let customer = create_customer(
        app,
        advisor,
        json!({"name": format!("车主{serial}"), "mobile": mobile(serial)}),
    )
    .await;
    let delivered = (Utc::now() - Duration::days(365)).date_naive();
    let vehicle = create_vehicle(
        app,
        advisor,
        json!({"vin": vin(serial), "customer_id": customer["id"], "plate": format!("沪A{serial:05}"),
               "delivery_date": delivered.to_string(), "warranty_start": delivered.to_string(), "warranty_months": 36}),
    )
    .await;
    let bay = ok(
        app,
        Role::StoreManager,
        "POST",
        "/api/v1/bays",
        Some(json!({"code": format!("M{serial}"), "bay_type": "mechanical"})),
    )
    .await;
    let operation = ok(
        app,
        Role::StoreManager,
        "POST",
        "/api/v1/labour-operations",
        Some(json!({"code": format!("MAINT{serial}"), "name": "常规保养", "standard_minutes": 45, "two_person_minutes": 30})),
    )
    .await;
    Fixture {
        customer: id_of(&customer),
        vehicle: id_of(&vehicle),
        bay: id_of(&bay),
        operation: id_of(&operation),
    }
}

fn booking(f: &Fixture, arrive_at: String, jobs: Value) -> Value {
    json!({"customer_id": f.customer, "vehicle_id": f.vehicle, "arrive_at": arrive_at,
           "repair_type": "maintenance", "concern": "保养", "jobs": jobs})
}

async fn bookings_respect_the_advisors_slot_and_the_days_hours(app: Arc<TestApp>) {
    let f = fixture(&app, 1).await;
    let maintenance = json!([{"operation_id": f.operation}]);
    let first = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/appointments",
        Some(booking(&f, tomorrow_at(9, 0), maintenance.clone())),
    )
    .await;
    assert_eq!(first["number"], "A1-AP-000001");
    assert_eq!(first["work_minutes"], 45, "the operation's standard time");
    assert_eq!(first["status"], "booked");
    // The advisor's 09:00–09:15 reception slot is taken.
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/appointments",
        booking(&f, tomorrow_at(9, 10), maintenance.clone()),
    )
    .await;
    assert_eq!(codes, ["booking.advisor_slot_taken"]);
    // One bay, 08:30–17:30: 540 minutes, 45 booked; 500 more do not fit.
    let long = json!([{"name": "发动机大修", "minutes": 500}]);
    let (status, reply) = app
        .call_with(
            "POST",
            "/api/v1/appointments",
            Some(app.token(Role::ServiceAdvisor)),
            Some(booking(&f, tomorrow_at(11, 0), long)),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&reply), ["bay_id"]);
    assert!(
        reply["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("bay hours"),
        "{reply}"
    );
    // Outside opening hours, and in the past.
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/appointments",
        booking(&f, tomorrow_at(19, 0), maintenance.clone()),
    )
    .await;
    assert_eq!(codes, ["booking.outside_hours"]);
    // The day before: what is ready for the booking.
    let prepared = ok(
        &app,
        Role::CustomerCare,
        "POST",
        &format!(
            "/api/v1/appointments/{}/preparation",
            first["id"].as_str().unwrap()
        ),
        Some(json!({"advisor": true, "bay": true, "special_tools": true})),
    )
    .await;
    assert_eq!(
        prepared["preparation"],
        json!({"advisor": true, "bay": true, "parts": false, "special_tools": true, "courtesy_car": false})
    );
    // A holiday closes the workshop: nothing is booked on it.
    let mut policy = ok(
        &app,
        Role::StoreManager,
        "GET",
        "/api/v1/service-policy",
        None,
    )
    .await;
    policy["closed_dates"] = json!([tomorrow().to_string()]);
    ok(
        &app,
        Role::StoreManager,
        "PUT",
        "/api/v1/service-policy",
        Some(policy.clone()),
    )
    .await;
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/appointments",
        booking(&f, tomorrow_at(15, 0), maintenance.clone()),
    )
    .await;
    assert_eq!(codes, ["booking.closed_day"]);
    policy["closed_dates"] = json!([]);
    ok(
        &app,
        Role::StoreManager,
        "PUT",
        "/api/v1/service-policy",
        Some(policy),
    )
    .await;
    // Customer care confirms tomorrow's bookings by phone.
    let calls = ok(
        &app,
        Role::CustomerCare,
        "GET",
        "/api/v1/appointments/to-confirm",
        None,
    )
    .await;
    assert_eq!(calls.as_array().unwrap().len(), 1);
    let confirmed = ok(
        &app,
        Role::CustomerCare,
        "POST",
        &format!(
            "/api/v1/appointments/{}/status",
            first["id"].as_str().unwrap()
        ),
        Some(json!({"status": "confirmed"})),
    )
    .await;
    assert_eq!(confirmed["status"], "confirmed");
    let calls = ok(
        &app,
        Role::CustomerCare,
        "GET",
        "/api/v1/appointments/to-confirm",
        None,
    )
    .await;
    assert_eq!(calls, json!([]));
    // Rescheduling frees the old slot for someone else and books the new time.
    let moved = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &format!(
            "/api/v1/appointments/{}/reschedule",
            first["id"].as_str().unwrap()
        ),
        Some(json!({"arrive_at": tomorrow_at(14, 0)})),
    )
    .await;
    assert_eq!(moved["status"], "booked");
    let old = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!("/api/v1/appointments/{}", first["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        (old["status"].as_str(), old["rescheduled_to"].as_str()),
        (Some("rescheduled"), moved["id"].as_str())
    );
    ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/appointments",
        Some(booking(&f, tomorrow_at(9, 0), maintenance)),
    )
    .await;
    let day = ok(
        &app,
        Role::Technician,
        "GET",
        &format!("/api/v1/appointments?day={}", tomorrow()),
        None,
    )
    .await;
    let statuses: Vec<&str> = day
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["rescheduled", "booked", "booked"], "{day}");
    // Sales staff do not book service.
    let (status, _) = app
        .call(
            "POST",
            "/api/v1/appointments",
            Some(app.token(Role::SalesConsultant)),
            Some(booking(
                &f,
                tomorrow_at(16, 0),
                json!([{"operation_id": f.operation}]),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Sends `count` bookings at once and returns how many were accepted, checking every refusal
/// is `code`.
async fn concurrent_bookings(app: &Arc<TestApp>, bodies: Vec<Value>, code: &str) -> usize {
    let mut calls = tokio::task::JoinSet::new();
    for body in bodies {
        let app = app.clone();
        calls.spawn(async move {
            let token = app.token(Role::ServiceAdvisor).to_owned();
            app.call("POST", "/api/v1/appointments", Some(&token), Some(body))
                .await
        });
    }
    let mut accepted = 0;
    for (status, reply) in calls.join_all().await {
        match status {
            StatusCode::CREATED => accepted += 1,
            _ => assert_eq!(error_codes(&reply), [code], "{status} {reply}"),
        }
    }
    accepted
}

async fn the_last_free_slot_is_booked_exactly_once_under_concurrency(app: Arc<TestApp>) {
    let f = fixture(&app, 2).await;
    let job = json!([{"operation_id": f.operation}]);
    let same_slot = (0..100)
        .map(|_| booking(&f, tomorrow_at(10, 0), job.clone()))
        .collect();
    assert_eq!(
        concurrent_bookings(&app, same_slot, "booking.advisor_slot_taken").await,
        1
    );
    // The day's hours: 540 − 45 = 495 minutes left; twenty bookings of 300 in free slots.
    let big = json!([{"name": "钣喷", "minutes": 300}]);
    let hours = (0..20)
        .map(|n| booking(&f, tomorrow_at(11 + n / 4, (n % 4) * 15), big.clone()))
        .collect();
    assert_eq!(
        concurrent_bookings(&app, hours, "booking.bay_hours_full").await,
        1
    );
    let numbers: Vec<String> = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        "/api/v1/appointments",
        None,
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .map(|a| a["number"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(numbers.len(), 2, "{numbers:?}");
}

fn order_path(id: &str, tail: &str) -> String {
    format!("/api/v1/repair-orders/{id}{tail}")
}

fn reception(f: &Fixture, appointment: &Value) -> Value {
    json!({
        "appointment_id": appointment["id"],
        "mileage_km": 12_000, "fuel_percent": 60,
        "damage": [{"area": "front_bumper", "kind": "scratch", "note": "右前轻微划痕"}],
        "valuables": "行车记录仪", "concern": "保养，刹车有异响",
        "promised_at": (Utc::now() + Duration::hours(4)).to_rfc3339(),
        "payment_method": "wechat", "old_parts": "return", "free_wash": true,
        "jobs": [{"operation_id": f.operation}, {"name": "刹车检查", "minutes": 30, "pay_type": "warranty"}],
        "parts": [{"part_number": "06L115562", "name": "机油滤清器", "quantity_hundredths": 100, "unit_price_fen": 8_800, "job_position": 0},
                  {"part_number": "G052195M4", "name": "机油 5W-30", "quantity_hundredths": 450, "unit_price_fen": 7_500, "job_position": 0}],
    })
}

async fn a_car_is_received_worked_checked_settled_and_handed_back(app: Arc<TestApp>) {
    let f = fixture(&app, 3).await;
    let appointment = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/appointments",
        Some(booking(
            &f,
            tomorrow_at(9, 30),
            json!([{"operation_id": f.operation}]),
        )),
    )
    .await;
    // Reception: bad input names each field and saves nothing.
    let (status, reply) = app.call("POST", "/api/v1/repair-orders", Some(app.token(Role::ServiceAdvisor)),
        Some(json!({"appointment_id": appointment["id"], "mileage_km": -1, "fuel_percent": 120, "concern": " ",
                    "promised_at": Utc::now().to_rfc3339(), "payment_method": "barter", "old_parts": "keep", "jobs": []}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&reply);
    fields.sort();
    assert_eq!(
        fields,
        [
            "concern",
            "fuel_percent",
            "mileage_km",
            "old_parts",
            "payment_method"
        ]
    );
    assert_eq!(
        reply["error"]["fields"][0]["message"]
            .as_str()
            .map(|m| m.contains('：')),
        Some(true),
        "{reply}"
    );
    let mut no_jobs = reception(&f, &json!(null));
    no_jobs["vehicle_id"] = json!(f.vehicle);
    no_jobs["jobs"] = json!([]);
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        no_jobs,
    )
    .await;
    assert_eq!(
        codes,
        ["service.no_jobs"],
        "a walk-in brings no booked jobs"
    );
    let listed = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        "/api/v1/repair-orders",
        None,
    )
    .await;
    assert_eq!(listed, json!([]));

    let received = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(reception(&f, &appointment)),
    )
    .await;
    let id = received["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(received["order"]["number"], "A1-RO-000001");
    assert_eq!(received["order"]["status"], "open");
    // Labour at the default 120 yuan an hour: 45 min = 90 yuan; the warranty job 30 min = 60.
    assert_eq!(received["settlement"]["customer"]["labour_fen"], 9_000);
    assert_eq!(received["settlement"]["warranty"]["labour_fen"], 6_000);
    // 88 yuan filter + 4.5 L × 75 yuan oil = 425.50 yuan of parts.
    assert_eq!(received["settlement"]["customer"]["parts_fen"], 42_550);
    assert_eq!(received["vehicle"]["warranty"], "covered");
    assert_eq!(received["vehicle"]["sanbao_in_period"], true);
    let booked = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!(
            "/api/v1/appointments/{}",
            appointment["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(
        (
            booked["status"].as_str(),
            booked["repair_order_id"].as_str()
        ),
        (Some("arrived"), Some(id.as_str()))
    );
    let car = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!("/api/v1/vehicles/{}", f.vehicle),
        None,
    )
    .await;
    assert_eq!(
        car["mileage_km"], 12_000,
        "reception's odometer joins the car's history"
    );

    ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/signature"),
        Some(json!({"signed_by": "车主3", "signature": "data:image/png;base64,iVBORw0KGgo="})),
    )
    .await;
    // Nobody works before dispatch; the advisor does not dispatch.
    let codes = refused(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/jobs/0/clock-on"),
        json!({}),
    )
    .await;
    assert_eq!(codes, ["service.not_dispatched"]);
    let (status, _) = app
        .call(
            "POST",
            &order_path(&id, "/dispatch"),
            Some(app.token(Role::ServiceAdvisor)),
            Some(json!({"technician_id": app.users[&Role::Technician].id})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    ok(&app, Role::WorkshopSupervisor, "POST", &order_path(&id, "/dispatch"),
        Some(json!({"technician_id": app.users[&Role::Technician].id, "team": "机修一组", "bay_id": f.bay, "priority": 1}))).await;
    let board = ok(
        &app,
        Role::Technician,
        "GET",
        "/api/v1/workshop-board",
        None,
    )
    .await;
    assert_eq!(board[0]["status"], "dispatched");
    assert_eq!(board[0]["bay_id"], json!(f.bay));

    for position in [0, 1] {
        ok(
            &app,
            Role::Technician,
            "POST",
            &order_path(&id, &format!("/jobs/{position}/clock-on")),
            Some(json!({})),
        )
        .await;
    }
    // A finding: worn brake pads. Added work waits for the customer.
    let proposed = ok(&app, Role::Technician, "POST", &order_path(&id, "/jobs"),
        Some(json!({"name": "更换前刹车片", "minutes": 40, "finding": "前刹车片剩余 2mm", "safety_related": true,
                    "parts": [{"part_number": "5QD698151", "name": "前刹车片", "quantity_hundredths": 100, "unit_price_fen": 52_000}]}))).await;
    assert_eq!(proposed["jobs"][2]["approval"], "proposed");
    assert_eq!(
        proposed["settlement"]["customer"]["parts_fen"], 42_550,
        "not billed until approved"
    );
    let codes = refused(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/jobs/2/clock-on"),
        json!({}),
    )
    .await;
    assert_eq!(codes, ["service.job_not_approved"]);
    for position in [0, 1] {
        ok(
            &app,
            Role::Technician,
            "POST",
            &order_path(&id, &format!("/jobs/{position}/clock-off")),
            Some(json!({"done": true})),
        )
        .await;
    }
    let codes = refused(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/finish"),
        json!({}),
    )
    .await;
    assert_eq!(codes, ["service.approval_pending"]);

    // The customer approves through the signed link, without signing in.
    let link = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/approval-link"),
        None,
    )
    .await;
    let token = link["path"]
        .as_str()
        .unwrap()
        .trim_start_matches("/approve/")
        .to_owned();
    let (status, page) = app
        .call("GET", &format!("/api/v1/approvals/{token}"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // 40 min at 120 yuan/h = 80 yuan labour + 520 yuan pads.
    assert_eq!(
        page["jobs"],
        json!([{"job_position": 2, "name": "更换前刹车片", "finding": "前刹车片剩余 2mm",
        "safety_related": true, "price_fen": 60_000, "approval": "proposed"}])
    );
    let flipped = if token.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{flipped}", &token[..token.len() - 1]);
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/v1/approvals/{forged}"),
            None,
            Some(json!({"job_position": 2, "approve": true})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a forged link decides nothing"
    );
    let (status, page) = app
        .call(
            "POST",
            &format!("/api/v1/approvals/{token}"),
            None,
            Some(json!({"job_position": 2, "approve": true})),
        )
        .await;
    assert_eq!(
        (status, page["jobs"][0]["approval"].as_str()),
        (StatusCode::OK, Some("approved"))
    );

    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/jobs/2/clock-on"),
        Some(json!({})),
    )
    .await;
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/pause"),
        Some(json!({"pause_reason": "waiting_parts"})),
    )
    .await;
    let board = ok(
        &app,
        Role::WorkshopSupervisor,
        "GET",
        "/api/v1/workshop-board",
        None,
    )
    .await;
    assert_eq!(
        (
            board[0]["status"].as_str(),
            board[0]["pause_reason"].as_str()
        ),
        (Some("paused"), Some("waiting_parts"))
    );
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/resume"),
        None,
    )
    .await;
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/jobs/2/clock-off"),
        Some(json!({"done": true})),
    )
    .await;
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/finish"),
        None,
    )
    .await;

    // The QC chain: self-check, team check (not by the technician), final inspection by QC.
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/qc"),
        Some(json!({"pass": true})),
    )
    .await;
    let codes = refused(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/qc"),
        json!({"pass": true}),
    )
    .await;
    assert_eq!(codes, ["service.check_role"]);
    ok(
        &app,
        Role::WorkshopSupervisor,
        "POST",
        &order_path(&id, "/qc"),
        Some(json!({"pass": true, "note": "建议下次更换刹车油"})),
    )
    .await;
    let failed = ok(
        &app,
        Role::QcInspector,
        "POST",
        &order_path(&id, "/qc"),
        Some(json!({"pass": false, "job_position": 2, "note": "刹车片异响未消除"})),
    )
    .await;
    assert_eq!(
        (
            failed["order"]["status"].as_str(),
            failed["jobs"][2]["reworks"].as_i64()
        ),
        (Some("in_progress"), Some(1))
    );
    assert_eq!(failed["jobs"][2]["progress"], "pending");
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/jobs/2/clock-on"),
        None,
    )
    .await;
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/jobs/2/clock-off"),
        Some(json!({"done": true})),
    )
    .await;
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/finish"),
        None,
    )
    .await;
    ok(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/qc"),
        Some(json!({"pass": true})),
    )
    .await;
    ok(
        &app,
        Role::WorkshopSupervisor,
        "POST",
        &order_path(&id, "/qc"),
        Some(json!({"pass": true})),
    )
    .await;
    let inspected = ok(
        &app,
        Role::QcInspector,
        "POST",
        &order_path(&id, "/qc"),
        Some(json!({"pass": true})),
    )
    .await;
    assert_eq!(inspected["order"]["status"], "inspected");

    // Internal delivery: every item ticked, then the customer is told.
    let ticked = json!({"jobs_signed": true, "fault_gone": true, "old_parts_ready": true, "clean": true, "no_tools_left": true});
    let mut missing = ticked.clone();
    missing["no_tools_left"] = json!(false);
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/internal-delivery"),
        missing,
    )
    .await;
    assert_eq!(codes, ["service.checklist.no_tools_left"]);
    let ready = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/internal-delivery"),
        Some(ticked),
    )
    .await;
    assert_eq!(ready["order"]["status"], "ready");
    let events = pending_events(&app.db.conn, app.tenant_id, "vehicle_ready")
        .await
        .unwrap();
    assert_eq!(events.len(), 1);

    // Settlement: customer labour 90 + 80, parts 425.50 + 520, 10% off labour.
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/close"),
        json!({}),
    )
    .await;
    assert_eq!(codes, ["service.not_settled"]);
    let sheet = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/settlement"),
        Some(
            json!({"labour_discount_bp": 1000, "payment_fen": 50_000, "payment_method": "wechat"}),
        ),
    )
    .await;
    assert_eq!(sheet["customer"]["labour_fen"], 17_000);
    assert_eq!(sheet["customer"]["parts_fen"], 94_550);
    assert_eq!(sheet["labour_discount_fen"], 1_700);
    assert_eq!(sheet["customer_total_fen"], 109_850);
    assert_eq!(sheet["balance_due_fen"], 59_850);
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/settlement"),
        json!({"payment_fen": 59_851, "payment_method": "cash"}),
    )
    .await;
    assert_eq!(codes, ["settlement.overpaid"]);
    let sheet = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/settlement"),
        Some(json!({"payment_fen": 59_850, "payment_method": "cash"})),
    )
    .await;
    assert_eq!(sheet["balance_due_fen"], 0);
    let closed = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/close"),
        Some(json!({"follow_up_time": "工作日晚上"})),
    )
    .await;
    assert_eq!(closed["order"]["status"], "closed");
    assert!(closed["order"]["next_service_on"].is_string(), "{closed}");
    let events = pending_events(&app.db.conn, app.tenant_id, "repair_order_closed")
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].payload["follow_up_time"], "工作日晚上");
    let kinds: Vec<&str> = closed["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"final_inspection_failed") && kinds.contains(&"approved"),
        "{kinds:?}"
    );
    let board = ok(
        &app,
        Role::WorkshopSupervisor,
        "GET",
        "/api/v1/workshop-board",
        None,
    )
    .await;
    assert_eq!(board, json!([]), "handed over: off the board");
    a_warranty_claim_goes_to_the_maker_and_earns_commission(&app, &id).await;
    the_kpis_and_the_capacity_plan_count_the_order(&app).await;
}

async fn the_kpis_and_the_capacity_plan_count_the_order(app: &TestApp) {
    let report = ok(
        app,
        Role::StoreManager,
        "GET",
        "/api/v1/reports/service?by=advisor",
        None,
    )
    .await;
    let advisor = &report["rows"][0];
    assert_eq!(advisor["label"], "service_advisor", "{report}");
    assert_eq!(advisor["repair_orders"], 1);
    // 45 + 30 + 40 standard minutes; customer 1,098.50 + warranty 60 yuan.
    assert_eq!(advisor["billed_minutes"], 115);
    assert_eq!(advisor["revenue_fen"], 115_850);
    assert_eq!(advisor["revenue_per_order_fen"], 115_850);
    assert_eq!(
        advisor["on_time_delivery"], 10_000,
        "ready before the promised time"
    );
    assert_eq!(advisor["warranty_share"], 518, "60 of 1,158.50 yuan");
    assert_eq!(report["total"]["repair_orders"], 1);
    let by_technician = ok(
        app,
        Role::WorkshopSupervisor,
        "GET",
        "/api/v1/reports/service?by=technician",
        None,
    )
    .await;
    assert_eq!(by_technician["rows"][0]["label"], "technician");
    assert!(
        by_technician["rows"][0]["productivity"].is_u64(),
        "{by_technician}"
    );
    let by_team = ok(
        app,
        Role::WorkshopSupervisor,
        "GET",
        "/api/v1/reports/service?by=team",
        None,
    )
    .await;
    assert_eq!(by_team["rows"][0]["label"], "机修一组", "{by_team}");
    assert_eq!(by_team["rows"][0]["repair_orders"], 1);
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/reports/service",
            Some(app.token(Role::ServiceAdvisor)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The order was received yesterday at 10:00 store time: one arrival in a week of history.
    let yesterday_ten = Shanghai
        .from_local_datetime(
            &(tomorrow() - Duration::days(2))
                .and_hms_opt(10, 5, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc);
    repair_order::Entity::update_many()
        .col_expr(repair_order::Column::ReceivedAt, Expr::value(yesterday_ten))
        .filter(repair_order::Column::TenantId.eq(app.tenant_id))
        .exec(&app.db.conn)
        .await
        .unwrap();
    let plan = ok(
        app,
        Role::StoreManager,
        "GET",
        "/api/v1/service-capacity?weeks=1",
        None,
    )
    .await;
    assert_eq!(plan["advisors"], 1);
    let hours = plan["hours"].as_array().unwrap();
    let numbers: Vec<u64> = hours.iter().map(|h| h["hour"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (8..=17).collect::<Vec<u64>>(), "08:30–17:30");
    assert_eq!(
        hours[2]["arrivals_per_hour"], 0.14,
        "1 car in 7 days at 10:00: {plan}"
    );
    assert_eq!(hours[2]["advisors_needed"], 1);
    assert_eq!(hours[0]["advisors_needed"], 0, "nobody arrives at 08:00");
}

async fn a_car_back_with_the_same_concern_is_a_comeback(app: Arc<TestApp>) {
    let f = fixture(&app, 5).await;
    let walk_in = |category: &str| {
        json!({"vehicle_id": f.vehicle, "mileage_km": 9_000, "fuel_percent": 40, "concern": "刹车异响",
        "concern_category": category, "promised_at": (Utc::now() + Duration::hours(2)).to_rfc3339(),
        "payment_method": "cash", "old_parts": "scrap", "jobs": [{"name": "检查", "minutes": 20}]})
    };
    let first = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(walk_in("brakes")),
    )
    .await;
    assert!(first["order"]["comeback_of"].is_null());
    let again = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(walk_in("brakes")),
    )
    .await;
    assert_eq!(again["order"]["comeback_of"], first["order"]["id"]);
    let other = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(walk_in("electrical")),
    )
    .await;
    assert!(other["order"]["comeback_of"].is_null());
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        walk_in("weather"),
    )
    .await;
    assert_eq!(codes, ["choice.invalid"]);
}

/// The order's warranty line (brake check, 30 min at 120 yuan/h) is claimed from the maker.
async fn a_warranty_claim_goes_to_the_maker_and_earns_commission(app: &TestApp, order: &str) {
    let claim = ok(app, Role::ServiceAdvisor, "POST", "/api/v1/warranty-claims",
        Some(json!({"order_id": order, "fault_code": "C1234", "labour_code": "BRK-CHK", "causal_part": "5QD698151", "value_added": true}))).await;
    assert_eq!(
        (claim["amount_fen"].as_i64(), claim["status"].as_str()),
        (Some(6_000), Some("draft"))
    );
    let path = format!(
        "/api/v1/warranty-claims/{}/status",
        claim["id"].as_str().unwrap()
    );
    let act =
        |action: &str, reason: Option<&str>| json!({"action": action, "rejection_reason": reason});
    ok(
        app,
        Role::ServiceAdvisor,
        "POST",
        &path,
        Some(act("submit", None)),
    )
    .await;
    let (status, reply) = app
        .call(
            "POST",
            &path,
            Some(app.token(Role::ServiceAdvisor)),
            Some(act("reject", None)),
        )
        .await;
    assert_eq!(
        (status, error_fields(&reply)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["rejection_reason".to_owned()]
        )
    );
    let rejected = ok(
        app,
        Role::ServiceAdvisor,
        "POST",
        &path,
        Some(act("reject", Some("缺少故障照片"))),
    )
    .await;
    assert_eq!(rejected["rejection_reason"], "缺少故障照片");
    let codes = refused(
        app,
        Role::ServiceAdvisor,
        "POST",
        &path,
        act("approve", None),
    )
    .await;
    assert_eq!(codes, ["claim.wrong_status"]);
    for step in ["revise", "submit", "approve"] {
        ok(
            app,
            Role::ServiceAdvisor,
            "POST",
            &path,
            Some(act(step, None)),
        )
        .await;
    }
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/warranty-claims/commissions",
            Some(app.token(Role::ServiceAdvisor)),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "commission figures are the managers'"
    );
    let lines = ok(
        app,
        Role::StoreManager,
        "GET",
        "/api/v1/warranty-claims/commissions",
        None,
    )
    .await;
    assert_eq!(
        lines,
        json!([{"advisor_id": app.users[&Role::ServiceAdvisor].id, "claim_value_fen": 6_000,
        "value_added_fen": 6_000, "advisor_commission_fen": 240, "supervisor_commission_fen": 180}])
    );
}

async fn the_due_list_finds_cars_by_their_next_service(app: Arc<TestApp>) {
    let f = fixture(&app, 4).await;
    let order = ok(&app, Role::ServiceAdvisor, "POST", "/api/v1/repair-orders",
        Some(json!({"vehicle_id": f.vehicle, "mileage_km": 5_000, "fuel_percent": 30, "concern": "首保",
                    "promised_at": (Utc::now() + Duration::hours(2)).to_rfc3339(), "payment_method": "cash",
                    "old_parts": "scrap", "jobs": [{"operation_id": f.operation}]}))).await;
    let id = order["order"]["id"].as_str().unwrap().to_owned();
    // Cancelled before work: the car has no next date yet and is not on the list.
    ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/cancel"),
        Some(json!({"note": "客户改天再来"})),
    )
    .await;
    let due = ok(
        &app,
        Role::CustomerCare,
        "GET",
        "/api/v1/maintenance-due?within_days=400",
        None,
    )
    .await;
    assert_eq!(due, json!([]));
    let codes = refused(
        &app,
        Role::Technician,
        "POST",
        &order_path(&id, "/jobs/0/clock-on"),
        json!({}),
    )
    .await;
    assert_eq!(codes, ["service.order_closed"]);
    // A car whose next service is set shows, with its booking.
    fours_store::service::orders::set_next_service(
        &app.db.conn,
        app.tenant_id,
        f.vehicle,
        tomorrow(),
    )
    .await
    .unwrap();
    let due = ok(
        &app,
        Role::CustomerCare,
        "GET",
        "/api/v1/maintenance-due?within_days=7",
        None,
    )
    .await;
    assert_eq!(
        (due[0]["vehicle_id"].as_str(), due[0]["booked"].as_bool()),
        (Some(f.vehicle.to_string().as_str()), Some(false))
    );
    ok(&app, Role::CustomerCare, "POST", "/api/v1/appointments",
        Some(json!({"customer_id": f.customer, "vehicle_id": f.vehicle, "arrive_at": tomorrow_at(15, 0),
                    "advisor_id": app.users[&Role::ServiceAdvisor].id, "repair_type": "maintenance",
                    "jobs": [{"operation_id": f.operation}]}))).await;
    let due = ok(
        &app,
        Role::CustomerCare,
        "GET",
        "/api/v1/maintenance-due?within_days=7",
        None,
    )
    .await;
    assert_eq!(due[0]["booked"], true);
    let (_, other_group) = app
        .call(
            "GET",
            "/api/v1/maintenance-due",
            Some(&app.foreign_token),
            None,
        )
        .await;
    assert_eq!(other_group, json!([]));
}

async fn declined_safety_work_is_signed_for_and_shown_at_the_next_visit(app: Arc<TestApp>) {
    let f = fixture(&app, 6).await;
    let walk_in = json!({"vehicle_id": f.vehicle, "mileage_km": 15_000, "fuel_percent": 40, "concern": "保养",
        "promised_at": (Utc::now() + Duration::hours(2)).to_rfc3339(), "payment_method": "cash",
        "old_parts": "scrap", "jobs": [{"operation_id": f.operation}]});
    let order = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(walk_in.clone()),
    )
    .await;
    let id = order["order"]["id"].as_str().unwrap().to_owned();
    let steps: [(Role, &str, Value); 6] = [
        (
            Role::WorkshopSupervisor,
            "/dispatch",
            json!({"technician_id": app.users[&Role::Technician].id}),
        ),
        (Role::Technician, "/jobs/0/clock-on", json!({})),
        (
            Role::Technician,
            "/jobs",
            json!({"name": "更换后刹车片", "minutes": 40, "finding": "后片 3mm", "safety_related": true}),
        ),
        (
            Role::ServiceAdvisor,
            "/approvals",
            json!({"job_position": 1, "approve": false, "via": "phone", "decided_by": "车主6"}),
        ),
        (Role::Technician, "/jobs/0/clock-off", json!({"done": true})),
        (Role::Technician, "/finish", json!({})),
    ];
    for (role, tail, body) in steps {
        ok(&app, role, "POST", &order_path(&id, tail), Some(body)).await;
    }
    for role in [
        Role::Technician,
        Role::WorkshopSupervisor,
        Role::QcInspector,
    ] {
        ok(
            &app,
            role,
            "POST",
            &order_path(&id, "/qc"),
            Some(json!({"pass": true})),
        )
        .await;
    }
    ok(&app, Role::ServiceAdvisor, "POST", &order_path(&id, "/internal-delivery"),
        Some(json!({"jobs_signed": true, "fault_gone": true, "old_parts_ready": true, "clean": true, "no_tools_left": true}))).await;
    let sheet = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &order_path(&id, "/settlement"),
        None,
    )
    .await;
    assert_eq!(
        sheet["customer_total_fen"], 9_000,
        "the declined pads are not billed"
    );
    ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/settlement"),
        Some(json!({"payment_fen": 9_000, "payment_method": "cash"})),
    )
    .await;
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/close"),
        json!({}),
    )
    .await;
    assert_eq!(codes, ["service.declined_safety_unsigned"]);
    let closed = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(&id, "/close"),
        Some(json!({"declined_safety_signed_by": "车主6"})),
    )
    .await;
    let signed = closed["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "declined_safety_signed")
        .cloned();
    assert_eq!(
        signed.map(|h| h["note"].clone()),
        Some(json!("车主6: 更换后刹车片"))
    );
    let mut again = walk_in;
    again["mileage_km"] = json!(16_000);
    let next = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(again),
    )
    .await;
    assert_eq!(next["vehicle"]["declined_before"], json!(["更换后刹车片"]));
}

async fn teams_dispatch_by_skill_and_recalls_show_at_reception(app: Arc<TestApp>) {
    let f = fixture(&app, 7).await;
    let technician = app.users[&Role::Technician].id;
    let set = ok(
        &app,
        Role::WorkshopSupervisor,
        "PUT",
        &format!("/api/v1/technicians/{technician}"),
        Some(json!({"team": "机修一组", "skills": ["mechanical", "ev"], "team_leader": true})),
    )
    .await;
    assert_eq!(set["skills"], json!(["mechanical", "ev"]));
    let codes = refused(
        &app,
        Role::WorkshopSupervisor,
        "PUT",
        &format!("/api/v1/technicians/{technician}"),
        json!({"team": "机修一组", "skills": ["juggling"]}),
    )
    .await;
    assert_eq!(codes, ["choice.invalid"]);
    let listed = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        "/api/v1/technicians",
        None,
    )
    .await;
    assert_eq!(
        (
            listed[0]["team"].as_str(),
            listed[0]["team_leader"].as_bool()
        ),
        (Some("机修一组"), Some(true))
    );
    let car = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!("/api/v1/vehicles/{}", f.vehicle),
        None,
    )
    .await;
    let recall = ok(&app, Role::StoreManager, "POST", "/api/v1/service-campaigns",
        Some(json!({"code": "R-2026-07", "title": "更换燃油泵", "kind": "recall", "vins": [car["vin"]], "ends_on": "2030-12-31"}))).await;
    let walk_in = |km: u32| {
        json!({"vehicle_id": f.vehicle, "mileage_km": km, "fuel_percent": 40, "concern": "保养",
        "promised_at": (Utc::now() + Duration::hours(2)).to_rfc3339(), "payment_method": "cash",
        "old_parts": "scrap", "jobs": [{"operation_id": f.operation}]})
    };
    let order = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(walk_in(20_000)),
    )
    .await;
    assert_eq!(order["vehicle"]["open_campaigns"][0]["code"], "R-2026-07");
    let id = order["order"]["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(
            &id,
            &format!("/campaigns/{}", recall["id"].as_str().unwrap()),
        ),
        None,
    )
    .await;
    let codes = refused(
        &app,
        Role::ServiceAdvisor,
        "POST",
        &order_path(
            &id,
            &format!("/campaigns/{}", recall["id"].as_str().unwrap()),
        ),
        json!(null),
    )
    .await;
    assert_eq!(codes, ["campaign.not_open"], "done once");
    let dispatched = ok(
        &app,
        Role::WorkshopSupervisor,
        "POST",
        &order_path(&id, "/dispatch"),
        Some(json!({"technician_id": technician})),
    )
    .await;
    assert_eq!(
        dispatched["order"]["team"], "机修一组",
        "the technician's team"
    );
    let later = ok(
        &app,
        Role::ServiceAdvisor,
        "POST",
        "/api/v1/repair-orders",
        Some(walk_in(20_500)),
    )
    .await;
    assert_eq!(later["vehicle"]["open_campaigns"], json!([]));
}

on_both_databases!(
    bookings_respect_the_advisors_slot_and_the_days_hours,
    the_last_free_slot_is_booked_exactly_once_under_concurrency,
    a_car_is_received_worked_checked_settled_and_handed_back,
    the_due_list_finds_cars_by_their_next_service,
    a_car_back_with_the_same_concern_is_a_comeback,
    declined_safety_work_is_signed_for_and_shown_at_the_next_visit,
    teams_dispatch_by_skill_and_recalls_show_at_reception,
);
