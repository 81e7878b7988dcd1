//! The role × endpoint matrix: every role-checked `/api/v1` route, called by every role,
//! answers 403 exactly when `Role::allows` says no. Also: no credentials → 401, another dealer
//! group → 404, and personal information shown only to the roles that need it.

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use fixtures::{
    BodyKind, Outcome, ROUTES, Route, SMALL_CSV, create_customer, create_vehicle, id_of, mobile,
    resident_id, upload_csv, vin,
};
use fours_domain::access::{DataScope, Permission, Role};
use serde_json::{Value, json};
use uuid::Uuid;

/// Records created by the admin in `app.store_id` for one round of calls.
struct Records {
    customer: Uuid,
    /// Folded into `customer` by the merge route.
    duplicate: Uuid,
    /// Receives the vehicle by the transfer route.
    buyer: Uuid,
    vehicle: Uuid,
    import_job: Uuid,
    lead: Uuid,
    visit: Uuid,
    test_drive: Uuid,
    /// A quote whose discount waits for approval.
    quote: Uuid,
    /// An order of another lead, with a car allocated, ready for delivery.
    order: Uuid,
    store: Uuid,
    /// The sales consultant, who receives leads by the reassign route.
    consultant: Uuid,
    /// A booking and a repair order (a walk-in) of the round's vehicle.
    appointment: Uuid,
    repair_order: Uuid,
    claim: Uuid,
    advisor: Uuid,
    technician: Uuid,
    parts: PartsRecords,
    feedback: FeedbackRecords,
    care: CareRecords,
    /// Makes VINs and mobiles of this round unique.
    serial: u32,
}

async fn records(app: &TestApp, serial: u32) -> Records {
    let admin = app.token(Role::Admin);
    let customer = create_customer(
        app,
        admin,
        json!({"name": format!("客户{serial}"), "mobile": mobile(serial * 10), "store_id": app.store_id}),
    )
    .await;
    let duplicate = create_customer(
        app,
        admin,
        json!({"name": format!("重复{serial}"), "store_id": app.store_id}),
    )
    .await;
    let buyer = create_customer(
        app,
        admin,
        json!({"name": format!("买家{serial}"), "store_id": app.store_id}),
    )
    .await;
    let vehicle = create_vehicle(
        app,
        admin,
        json!({"vin": vin(serial * 10), "customer_id": customer["id"], "store_id": app.store_id}),
    )
    .await;
    let (status, job) = upload_csv(
        app,
        "/api/v1/imports",
        Some(admin),
        SMALL_CSV,
        &[("store_id", &app.store_id.to_string()), ("dry_run", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let (status, lead) = app
        .call(
            "POST",
            "/api/v1/leads",
            Some(admin),
            Some(json!({"name": format!("线索{serial}"), "mobile": mobile(serial * 10 + 5), "store_id": app.store_id})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let (status, visit) = app
        .call(
            "POST",
            "/api/v1/showroom-visits",
            Some(admin),
            Some(json!({"channel": "walk_in", "store_id": app.store_id})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{visit}");
    let sales = SalesRecords::create(app, serial).await;
    let (appointment, repair_order, claim) =
        service_records(app, serial, customer["id"].clone(), vehicle["id"].clone()).await;
    let parts =
        PartsRecords::create(app, serial, customer["id"].clone(), vehicle["id"].clone()).await;
    let feedback = FeedbackRecords::create(app, customer["id"].clone()).await;
    let care = CareRecords::create(app, id_of(&customer)).await;
    Records {
        care,
        parts,
        feedback,
        appointment,
        repair_order,
        claim,
        test_drive: sales.test_drive,
        quote: sales.quote,
        order: sales.order,
        lead: id_of(&lead),
        visit: id_of(&visit),
        store: app.store_id,
        consultant: app.users[&Role::SalesConsultant].id,
        advisor: app.users[&Role::ServiceAdvisor].id,
        technician: app.users[&Role::Technician].id,
        import_job: id_of(&job),
        customer: id_of(&customer),
        duplicate: id_of(&duplicate),
        buyer: id_of(&buyer),
        vehicle: id_of(&vehicle),
        serial,
    }
}

/// A day and reception slot of the booking's own in the coming month, so that rounds neither
/// share an advisor's slot nor fill one technician's day.
fn arrival(serial: u32) -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let tomorrow = today + chrono::Duration::days(1 + i64::from(serial % 30));
    let minute = 8 * 60 + 30 + (serial % 36) * 15;
    let local = tomorrow.and_hms_opt(minute / 60, minute % 60, 0).unwrap();
    local
        .and_local_timezone(chrono_tz::Asia::Shanghai)
        .unwrap()
        .to_rfc3339()
}

fn reception_body(vehicle: &Value, advisor: Uuid, km: u32) -> Value {
    json!({"vehicle_id": vehicle, "advisor_id": advisor, "mileage_km": km, "fuel_percent": 50, "concern": "保养",
           "promised_at": (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339(),
           "payment_method": "cash", "old_parts": "scrap",
           "jobs": [{"name": "保养", "minutes": 45}, {"name": "保修检查", "minutes": 30, "pay_type": "warranty"}]})
}

/// A bay (so bookings have hours), an appointment and a received repair order, by the admin.
fn claim_body(order: Value) -> Value {
    json!({"order_id": order, "fault_code": "C1234", "labour_code": "CHK", "causal_part": "P1"})
}

async fn service_records(
    app: &TestApp,
    serial: u32,
    customer: Value,
    vehicle: Value,
) -> (Uuid, Uuid, Uuid) {
    let admin = app.token(Role::Admin);
    let advisor = app.users[&Role::ServiceAdvisor].id;
    let post = |path: &'static str, body: Value| async move {
        let (status, reply) = app.call("POST", path, Some(admin), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {reply}");
        reply
    };
    post("/api/v1/bays", json!({"code": format!("R{serial}"), "bay_type": "quick_service", "store_id": app.store_id})).await;
    let appointment = post(
        "/api/v1/appointments",
        json!({"store_id": app.store_id, "customer_id": customer, "vehicle_id": vehicle, "advisor_id": advisor,
               "arrive_at": arrival(serial * 3), "repair_type": "maintenance", "jobs": [{"name": "保养", "minutes": 45}]}),
    )
    .await;
    let order = post(
        "/api/v1/repair-orders",
        reception_body(&vehicle, advisor, 1000),
    )
    .await;
    let claim = post(
        "/api/v1/warranty-claims",
        claim_body(order["order"]["id"].clone()),
    )
    .await;
    (id_of(&appointment), id_of(&order["order"]), id_of(&claim))
}

/// Sales records made by the admin for one round, on a second lead (so that the round's lead
/// stays at its first step): a test drive, a quote waiting for approval, an order with a car.
struct SalesRecords {
    test_drive: Uuid,
    quote: Uuid,
    order: Uuid,
}

impl SalesRecords {
    async fn create(app: &TestApp, serial: u32) -> SalesRecords {
        let admin = app.token(Role::Admin);
        let post = |path: String, body: Value| async move {
            let (status, reply) = app.call("POST", &path, Some(admin), Some(body)).await;
            assert_eq!(status, StatusCode::CREATED, "{path}: {reply}");
            id_of(&reply)
        };
        let buyer = post(
            "/api/v1/leads".into(),
            json!({"name": format!("买车{serial}"), "mobile": mobile(serial * 10 + 8), "store_id": app.store_id}),
        )
        .await;
        let test_drive = post(
            format!("/api/v1/leads/{buyer}/test-drives"),
            json!({"demo_vehicle": "试驾车", "licence_number": resident_id(serial), "licence_checked": true}),
        )
        .await;
        let quote = post(
            format!("/api/v1/leads/{buyer}/quotes"),
            json!({"vehicle": "帕萨特", "vehicle_price_fen": 20_000_000, "discount_fen": 1_000_000}),
        )
        .await;
        let car = post(
            "/api/v1/stock".into(),
            json!({"vin": vin(serial * 10 + 8), "brand": "大众", "series": "帕萨特", "model": "330TSI", "list_price_fen": 20_000_000, "store_id": app.store_id}),
        )
        .await;
        let order = post(
            format!("/api/v1/leads/{buyer}/orders"),
            json!({"stock_id": car, "payment_method": "transfer"}),
        )
        .await;
        SalesRecords {
            test_drive,
            quote,
            order,
        }
    }
}

/// Parts records made by the admin for one round: a part with stock, a repair order with a
/// line of it, a special order, a draft supplier order and a stock-take.
struct PartsRecords {
    part: Uuid,
    part_number: String,
    repair_part: Value,
    special_order: Uuid,
    supplier_order: Uuid,
    supplier_line: Value,
    stock_take: Uuid,
}

impl PartsRecords {
    async fn create(app: &TestApp, serial: u32, customer: Value, vehicle: Value) -> PartsRecords {
        let admin = app.token(Role::Admin);
        let post = |path: &'static str, body: Value| async move {
            let (status, reply) = app.call("POST", path, Some(admin), Some(body)).await;
            assert_eq!(status, StatusCode::CREATED, "{path}: {reply}");
            reply
        };
        let part_number = format!("MX{serial}");
        let part = post("/api/v1/parts", part_body(&part_number)).await;
        post(
            "/api/v1/stock-movements/adjustments",
            json!({"store_id": app.store_id, "part_id": part["id"],
            "quantity": 1_000, "reason": "found"}),
        )
        .await;
        let mut reception = reception_body(&vehicle, app.users[&Role::ServiceAdvisor].id, 1000);
        reception["parts"] = json!([{"part_number": part_number, "name": "配件", "quantity_hundredths": 100, "unit_price_fen": 100}]);
        let order = post("/api/v1/repair-orders", reception).await;
        let special = post(
            "/api/v1/special-orders",
            json!({"part_id": part["id"], "quantity": 100,
            "customer_id": customer, "vehicle_id": vehicle}),
        )
        .await;
        let supplier = post(
            "/api/v1/supplier-orders",
            json!({"store_id": app.store_id, "supplier": "备件中心",
            "lines": [{"part_id": part["id"], "quantity": 100}]}),
        )
        .await;
        let take = post("/api/v1/stock-takes", json!({"store_id": app.store_id})).await;
        PartsRecords {
            part: id_of(&part),
            part_number,
            repair_part: order["parts"][0]["id"].clone(),
            special_order: id_of(&special),
            supplier_order: id_of(&supplier["order"]),
            supplier_line: supplier["lines"][0]["id"].clone(),
            stock_take: id_of(&take["take"]),
        }
    }
}

/// Feedback records made by the admin for one round: a complaint, a survey template (the
/// store's CSI, made on first read) and a response to it.
struct FeedbackRecords {
    complaint: Uuid,
    template: Uuid,
    response: Uuid,
}

impl FeedbackRecords {
    async fn create(app: &TestApp, customer: Value) -> FeedbackRecords {
        let admin = app.token(Role::Admin);
        let (status, complaint) = app
            .call(
                "POST",
                "/api/v1/complaints",
                Some(admin),
                Some(complaint_body(&customer)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{complaint}");
        let (status, templates) = app
            .call(
                "GET",
                &format!("/api/v1/surveys?store_id={}&code=csi", app.store_id),
                Some(admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{templates}");
        let (status, response) = app
            .call(
                "POST",
                "/api/v1/survey-responses",
                Some(admin),
                Some(survey_response_body(&customer)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{response}");
        FeedbackRecords {
            complaint: id_of(&complaint),
            template: id_of(&templates[0]),
            response: id_of(&response["response"]),
        }
    }
}

/// Care records for one round: the store's delivery plan and a rule of it (the seeds' plans,
/// made on first read) and an open task of the round's customer for the consultant.
struct CareRecords {
    plan: Uuid,
    rule: Uuid,
    task: Uuid,
}

impl CareRecords {
    async fn create(app: &TestApp, customer: Uuid) -> CareRecords {
        let (status, plans) = app
            .call(
                "GET",
                &format!("/api/v1/care-plans?store_id={}", app.store_id),
                Some(app.token(Role::Admin)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{plans}");
        let delivery = plans
            .as_array()
            .and_then(|all| all.iter().find(|p| p["plan"]["code"] == "delivery"))
            .expect("the delivery plan");
        let now = chrono::Utc::now();
        let task = fours_store::care::tasks::NewTask {
            store_id: app.store_id,
            rule_id: None,
            subject: format!("matrix:{customer}"),
            occurrence: 0,
            customer_id: customer,
            vehicle_id: None,
            related_id: None,
            assignee_id: Some(app.users[&Role::SalesConsultant].id),
            assignee_role: "selling_consultant".into(),
            channel: "phone".into(),
            title: "矩阵回访".into(),
            script: String::new(),
            survey: None,
            opens_at: now,
            due_at: now + chrono::Duration::days(7),
            status: fours_store::care::tasks::OPEN,
        };
        let task = fours_store::care::tasks::create(&app.db.conn, app.tenant_id, task)
            .await
            .unwrap()
            .expect("a new task");
        CareRecords {
            plan: id_of(&delivery["plan"]),
            rule: id_of(&delivery["rules"][0]),
            task: task.id,
        }
    }
}

fn care_rule_body() -> Value {
    json!({"trigger": "vehicle_delivered", "offset_days": 7, "action": "task", "channel": "phone",
           "assignee": "selling_consultant", "title": "矩阵规则", "script": "您好"})
}

fn complaint_body(customer: &Value) -> Value {
    json!({"customer_id": customer, "channel": "call", "category": "other", "words": "矩阵测试投诉"})
}

fn survey_response_body(customer: &Value) -> Value {
    json!({"customer_id": customer, "template_code": "csi", "answers": {
        "overall": 9, "recommend": 9, "advisor": 5, "waiting_expected": 3, "waiting_actual": 4,
        "fixed_first_time": true, "work_explained": true}})
}

fn part_body(number: &str) -> Value {
    json!({"part_number": number, "name": "空气滤清器", "retail_price_fen": 9_000, "cost_price_fen": 4_500})
}

fn path(route: &Route, records: &Records) -> String {
    let id = if route.path.starts_with("/api/v1/customers/") {
        records.customer
    } else if route.path.starts_with("/api/v1/imports/") {
        records.import_job
    } else if route.path.starts_with("/api/v1/leads/") {
        records.lead
    } else if route.path.starts_with("/api/v1/showroom-visits/") {
        records.visit
    } else if route.path.starts_with("/api/v1/test-drives/") {
        records.test_drive
    } else if route.path.starts_with("/api/v1/quotes/") {
        records.quote
    } else if route.path.starts_with("/api/v1/orders/") {
        records.order
    } else if route.path.starts_with("/api/v1/appointments/") {
        records.appointment
    } else if route.path.starts_with("/api/v1/repair-orders/") {
        records.repair_order
    } else if route.path.starts_with("/api/v1/warranty-claims/") {
        records.claim
    } else if route.path.starts_with("/api/v1/technicians/") {
        records.technician
    } else if route.path.starts_with("/api/v1/parts/") {
        records.parts.part
    } else if route.path.starts_with("/api/v1/special-orders/") {
        records.parts.special_order
    } else if route.path.starts_with("/api/v1/supplier-orders/") {
        records.parts.supplier_order
    } else if route.path.starts_with("/api/v1/stock-takes/") {
        records.parts.stock_take
    } else if route.path.starts_with("/api/v1/care-plans/") {
        records.care.plan
    } else if route.path.starts_with("/api/v1/care-rules/") {
        records.care.rule
    } else if route.path.starts_with("/api/v1/tasks/") {
        records.care.task
    } else if route.path.starts_with("/api/v1/complaints/") {
        records.feedback.complaint
    } else if route.path.starts_with("/api/v1/surveys/") {
        records.feedback.template
    } else if route.path.starts_with("/api/v1/survey-responses/") {
        records.feedback.response
    } else {
        records.vehicle
    };
    route
        .path
        .replace("{id}", &id.to_string())
        .replace("{store}", &records.store.to_string())
        .replace("{position}", "0")
        .replace("{campaign_id}", &Uuid::nil().to_string())
}

fn body(route: &Route, records: &Records, store_id: Uuid) -> Option<Value> {
    let serial = records.serial;
    match route.body {
        BodyKind::Empty => None,
        BodyKind::NewCustomer => Some(
            json!({"name": format!("新客户{serial}"), "mobile": mobile(serial * 10 + 1), "store_id": store_id}),
        ),
        BodyKind::CustomerChange => Some(json!({"notes": "matrix"})),
        BodyKind::Merge => Some(json!({"merge_id": records.duplicate})),
        BodyKind::Erasure => Some(json!({"reason": "客户本人申请"})),
        BodyKind::NewVehicle => Some(json!({"vin": vin(serial * 10 + 1), "store_id": store_id})),
        BodyKind::VehicleChange => Some(json!({"colour": "珍珠白"})),
        BodyKind::Mileage => Some(json!({"km": 1234})),
        BodyKind::Transfer => Some(json!({"customer_id": records.buyer})),
        BodyKind::Upload => None,
        BodyKind::NewVisit => {
            Some(json!({"channel": "phone", "notes": "matrix", "store_id": store_id}))
        }
        BodyKind::Departure => Some(json!({})),
        BodyKind::LinkVisit => Some(json!({"customer_id": records.customer})),
        BodyKind::NewLead => Some(
            json!({"name": format!("新线索{serial}"), "mobile": mobile(serial * 10 + 6), "store_id": store_id}),
        ),
        BodyKind::LeadChange => Some(json!({"buys_within_days": 10})),
        BodyKind::FollowUp => Some(json!({"method": "call", "outcome": "matrix"})),
        BodyKind::Step => Some(json!({"step": "needs_analysis"})),
        BodyKind::Defeat => Some(json!({"reason": "price"})),
        BodyKind::Decision => Some(json!({"approve": true})),
        BodyKind::Reassign => {
            Some(json!({"lead_ids": [records.lead], "consultant_id": records.consultant}))
        }
        BodyKind::TestDrive => Some(
            json!({"demo_vehicle": "试驾车", "licence_number": resident_id(serial), "licence_checked": true}),
        ),
        BodyKind::DriveReturn => Some(json!({"in_km": 10})),
        BodyKind::Quote => Some(json!({"vehicle": "帕萨特", "vehicle_price_fen": 20_000_000})),
        BodyKind::Stock => Some(
            json!({"vin": vin(serial * 10 + 7), "brand": "大众", "series": "帕萨特", "model": "330TSI", "list_price_fen": 20_000_000, "store_id": store_id}),
        ),
        BodyKind::Order => Some(json!({"payment_method": "cash"})),
        BodyKind::Delivery => Some(json!({"documents_checked": true, "functions_explained": true})),
        BodyKind::Policy => Some(
            json!({"horizon_days": [7, 15, 30, 90], "cadence_days": [1, 3, 7, 15], "manager_grace_days": 2, "discount_limit_fen": 500_000}),
        ),
        BodyKind::ServicePolicy => Some(
            json!({"labour_rates_fen": {"customer": 15_000}, "opens_at_minute": 480, "closes_at_minute": 1080, "reception_slot_minutes": 15}),
        ),
        BodyKind::Operation => Some(
            json!({"code": format!("OP{serial}"), "name": "四轮定位", "standard_minutes": 60, "store_id": store_id}),
        ),
        BodyKind::Bay => {
            Some(json!({"code": format!("B{serial}"), "bay_type": "body", "store_id": store_id}))
        }
        BodyKind::Appointment => Some(json!({"store_id": store_id, "vehicle_id": records.vehicle,
                   "advisor_id": records.advisor, "arrive_at": arrival(serial * 3 + 1), "repair_type": "repair",
                   "jobs": [{"name": "检查异响", "minutes": 30}]})),
        BodyKind::AppointmentStatus => Some(json!({"status": "confirmed"})),
        BodyKind::Reschedule => Some(json!({"arrive_at": arrival(serial * 3 + 2)})),
        // Above the mileage route's reading, taken earlier in the round.
        BodyKind::Reception => Some(reception_body(
            &json!(records.vehicle),
            records.advisor,
            2000,
        )),
        BodyKind::Signature => {
            Some(json!({"signed_by": "车主", "signature": "data:image/png;base64,AA=="}))
        }
        BodyKind::Dispatch => Some(json!({"technician_id": records.technician})),
        BodyKind::Proposal => {
            Some(json!({"name": "更换雨刮", "minutes": 10, "finding": "雨刮老化"}))
        }
        BodyKind::JobDecision => {
            Some(json!({"job_position": 1, "approve": true, "via": "phone", "decided_by": "车主"}))
        }
        BodyKind::ClockOff => Some(json!({"done": true})),
        BodyKind::Pause => Some(json!({"pause_reason": "waiting_parts"})),
        BodyKind::QualityCheck => Some(json!({"pass": true})),
        BodyKind::InternalDelivery => Some(
            json!({"jobs_signed": true, "fault_gone": true, "old_parts_ready": true, "clean": true, "no_tools_left": true}),
        ),
        BodyKind::Settlement => Some(json!({"labour_discount_bp": 0})),
        BodyKind::EmptyObject => Some(json!({})),
        BodyKind::Claim => Some(claim_body(json!(records.repair_order))),
        BodyKind::ClaimStep => Some(json!({"action": "submit"})),
        BodyKind::Preparation => Some(json!({"advisor": true, "bay": true})),
        BodyKind::Technician => Some(json!({"team": "机修一组", "skills": ["mechanical"]})),
        BodyKind::NewPart => Some(part_body(&format!("MX{serial}N"))),
        BodyKind::PartChange => Some(part_body(&records.parts.part_number)),
        BodyKind::Placement => {
            Some(json!({"store_id": store_id, "min_level": 100, "max_level": 300}))
        }
        BodyKind::Bin => Some(json!({"code": format!("C-{serial}-1"), "store_id": store_id})),
        BodyKind::PartsPolicy => Some(
            json!({"allow_negative": false, "demand_window_days": 90, "lead_time_days": 7,
            "safety_days": 7, "cycle_days": 14, "dead_months": 12, "warning_months": 7}),
        ),
        BodyKind::Issue => Some(
            json!({"repair_part_id": records.parts.repair_part, "technician_id": records.technician,
            "signature_png": "data:image/png;base64,AA=="}),
        ),
        BodyKind::PartReturn => {
            Some(json!({"repair_part_id": records.parts.repair_part, "quantity": 100}))
        }
        BodyKind::Adjustment => Some(
            json!({"store_id": store_id, "part_id": records.parts.part, "quantity": 100, "reason": "found"}),
        ),
        BodyKind::StockTransfer => {
            Some(json!({"store_id": store_id, "to_store_id": Uuid::now_v7(),
            "part_id": records.parts.part, "quantity": 100}))
        }
        // No car: the round may have transferred it to the buyer by now.
        BodyKind::SpecialOrder => Some(json!({"part_id": records.parts.part, "quantity": 100,
            "customer_id": records.customer})),
        BodyKind::PlaceOrder => Some(json!({"supplier": "备件中心"})),
        BodyKind::Booking => Some(json!({"appointment_id": records.appointment})),
        BodyKind::SupplierOrder => Some(json!({"store_id": store_id, "supplier": "备件中心",
            "lines": [{"part_id": records.parts.part, "quantity": 200}]})),
        BodyKind::Receipt => {
            Some(json!({"lines": [{"line_id": records.parts.supplier_line, "quantity": 100}]}))
        }
        BodyKind::StockTake => Some(json!({"store_id": store_id})),
        BodyKind::Counts => Some(json!({"counts": [], "submit": true})),
        BodyKind::SurveyTemplate => Some(
            json!({"store_id": store_id, "code": format!("matrix_{serial}"),
            "name": "矩阵问卷", "touch_point": "service",
            "questions": [{"code": "overall", "text": "总体满意度？", "kind": "scale10", "required": true}]}),
        ),
        BodyKind::SurveyChange => Some(json!({"name": "售后满意度回访"})),
        BodyKind::SurveyResponse => Some(survey_response_body(&json!(records.customer))),
        BodyKind::SurveyLink => {
            Some(json!({"customer_id": records.customer, "template_code": "ssi"}))
        }
        BodyKind::Complaint => Some(complaint_body(&json!(records.customer))),
        BodyKind::PlanChange => Some(json!({"active": true})),
        BodyKind::CareRule => Some(care_rule_body()),
        BodyKind::CarePolicy => Some(
            json!({"quiet_start": "21:00", "quiet_end": "09:00", "max_attempts": 3,
            "escalation_grace_hours": 24, "low_score_threshold": 60, "first_service_months": 6,
            "first_service_km": 5000, "second_service_months": 12, "second_service_km": 10000}),
        ),
        BodyKind::MessageTemplate => Some(
            json!({"code": "birthday", "channel": "sms", "locale": "zh-CN",
            "body": "【{{ store_name }}】{{ customer_name }}，生日快乐！回T退订"}),
        ),
        BodyKind::TaskReassign => Some(json!({"task_ids": [records.care.task],
            "to_user_id": records.consultant})),
        BodyKind::Attempt => Some(json!({"outcome": "call_back",
            "call_back_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()})),
        BodyKind::ComplaintChange => Some(json!({"severity": "high"})),
        BodyKind::ComplaintStep => Some(json!({"step": "respond", "note": "已致电"})),
        BodyKind::Campaign => Some(
            json!({"code": format!("R{serial}"), "title": "召回", "kind": "recall", "vins": [vin(serial * 10)], "ends_on": "2030-01-01"}),
        ),
    }
}

/// Calls a route as `token`, sending its body (JSON, or a file for upload routes).
async fn call_route(
    app: &TestApp,
    route: &Route,
    records: &Records,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let path = path(route, records);
    if route.body == BodyKind::Upload {
        let store = app.store_id.to_string();
        let fields = [("store_id", store.as_str()), ("dry_run", "true")];
        return upload_csv(app, &path, token, SMALL_CSV, &fields).await;
    }
    app.call(
        route.method,
        &path,
        token,
        body(route, records, app.store_id),
    )
    .await
}

async fn every_route_answers_403_exactly_when_the_role_lacks_the_permission(app: Arc<TestApp>) {
    let mut failures = Vec::new();
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let records = records(&app, 100 + n as u32).await;
        for route in ROUTES {
            let (status, answer) = call_route(&app, route, &records, Some(app.token(role))).await;
            let allowed = role.allows(route.permission);
            let ok = if !allowed {
                status == StatusCode::FORBIDDEN && answer["error"]["code"] == "forbidden"
            } else if route.outcome == Outcome::Answered {
                ![401, 403].contains(&status.as_u16()) && !status.is_server_error()
            } else if role.default_scope() == DataScope::Own {
                // Records of someone else: invisible (404), never forbidden.
                [200, 201, 204, 404, 409, 422].contains(&status.as_u16())
            } else {
                // The records are in the caller's store (or group): the call must succeed.
                status.is_success()
            };
            if !ok {
                failures.push(format!(
                    "{role:?} {} {} (needs {:?}, allowed: {allowed}) → {status} {answer}",
                    route.method, route.path, route.permission
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

async fn a_consultant_sees_only_own_customers(app: Arc<TestApp>) {
    let records = records(&app, 900).await;
    let consultant = app.token(Role::SalesConsultant);
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{}", records.customer),
            Some(consultant),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the admin's customer");
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/vehicles/{}", records.vehicle),
            Some(consultant),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the admin's customer's car");
    let (_, list) = app
        .call("GET", "/api/v1/customers", Some(consultant), None)
        .await;
    assert_eq!(list["items"], json!([]));
    let own = create_customer(&app, consultant, json!({"name": "自己的"})).await;
    let (_, list) = app
        .call("GET", "/api/v1/customers", Some(consultant), None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], own["id"]);
    // The store's receptionist sees both.
    let (_, list) = app
        .call(
            "GET",
            "/api/v1/customers",
            Some(app.token(Role::Receptionist)),
            None,
        )
        .await;
    // The round's customer, duplicate and buyer, its two leads' prospects, and the new one.
    assert_eq!(list["items"].as_array().unwrap().len(), 6, "{list}");
}

async fn no_credentials_answer_401_everywhere(app: Arc<TestApp>) {
    let records = records(&app, 1).await;
    let mut failures = Vec::new();
    for route in ROUTES {
        let path = path(route, &records);
        for token in [
            None,
            Some("not-a-token"),
            Some("0190a0a0a0a0a0a0a0a0a0a0a0a0a0a0.forged"),
        ] {
            let (status, answer) = call_route(&app, route, &records, token).await;
            if status != StatusCode::UNAUTHORIZED || answer["error"]["code"] != "unauthorized" {
                failures.push(format!(
                    "{} {path} with {token:?} → {status} {answer}",
                    route.method
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // Nothing was changed or deleted on the way.
    let (status, customer) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{}", records.customer),
            Some(app.token(Role::Admin)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(customer["notes"].is_null(), "{customer}");
}

async fn another_dealer_group_gets_404_for_every_record(app: Arc<TestApp>) {
    let records = records(&app, 2).await;
    let mut failures = Vec::new();
    for route in ROUTES.iter().filter(|r| r.has_id()) {
        let path = path(route, &records);
        let (status, answer) = call_route(&app, route, &records, Some(&app.foreign_token)).await;
        if status != StatusCode::NOT_FOUND || answer["error"]["code"] != "not_found" {
            failures.push(format!("{} {path} → {status} {answer}", route.method));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // And the lists of the other group are empty.
    for list in ["/api/v1/customers", "/api/v1/vehicles"] {
        let (status, page) = app.call("GET", list, Some(&app.foreign_token), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["items"], json!([]), "{list}: {page}");
    }
    // Nothing was changed, merged, transferred or deleted.
    let admin = app.token(Role::Admin);
    let (status, customer) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{}", records.customer),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(customer["notes"].is_null());
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{}", records.duplicate),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "not merged away");
    let (status, vehicle) = app
        .call(
            "GET",
            &format!("/api/v1/vehicles/{}", records.vehicle),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        vehicle["customer_id"],
        json!(records.customer),
        "not transferred"
    );
    assert!(vehicle["colour"].is_null());
    assert_eq!(
        vehicle["mileage_km"], 1000,
        "only the round's own reception reading"
    );
}

async fn phone_numbers_are_masked_for_workshop_roles(app: Arc<TestApp>) {
    let created = create_customer(
        &app,
        app.token(Role::Admin),
        json!({
            "name": "孙悦",
            "mobile": "13800138000",
            "other_phones": ["13912345678"],
            "family": [{"name": "孙小悦", "relation": "child", "mobile": "13698765432"}],
            "store_id": app.store_id
        }),
    )
    .await;
    let path = format!("/api/v1/customers/{}", id_of(&created));
    for role in Role::ALL {
        let (status, shown) = app.call("GET", &path, Some(app.token(role)), None).await;
        if role.default_scope() == DataScope::Own {
            assert_eq!(status, StatusCode::NOT_FOUND);
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{role:?}");
        let (_, listed) = app
            .call(
                "GET",
                "/api/v1/customers?q=%E5%AD%99%E6%82%A6",
                Some(app.token(role)),
                None,
            )
            .await;
        let listed = &listed["items"][0];
        if role.allows(Permission::ViewPhone) {
            assert_eq!(shown["mobile"], "13800138000", "{role:?}");
            assert_eq!(shown["phones_masked"], false, "{role:?}");
            assert_eq!(shown["other_phones"], json!(["13912345678"]), "{role:?}");
            assert_eq!(shown["family"][0]["mobile"], "13698765432", "{role:?}");
            assert_eq!(listed["mobile"], "13800138000", "{role:?} list");
        } else {
            assert_eq!(shown["mobile"], "138****8000", "{role:?}");
            assert_eq!(shown["phones_masked"], true, "{role:?}");
            assert_eq!(shown["other_phones"], json!(["139****5678"]), "{role:?}");
            assert_eq!(shown["family"][0]["mobile"], "136****5432", "{role:?}");
            assert_eq!(listed["mobile"], "138****8000", "{role:?} list");
            assert_eq!(listed["phones_masked"], true, "{role:?} list");
        }
    }
    // The two roles named by the policy, explicitly.
    let (_, advisor) = app
        .call("GET", &path, Some(app.token(Role::ServiceAdvisor)), None)
        .await;
    assert_eq!(advisor["mobile"], "13800138000");
    let (_, technician) = app
        .call("GET", &path, Some(app.token(Role::Technician)), None)
        .await;
    assert_eq!(technician["mobile"], "138****8000");
    assert_eq!(technician["phones_masked"], true);
    let text = technician.to_string();
    for clear in ["13800138000", "13912345678", "13698765432"] {
        assert!(!text.contains(clear), "{clear} leaked: {text}");
    }
}

async fn reveal_count(app: &TestApp, customer: Uuid) -> usize {
    fours_store::audit::list(&app.db.conn, app.tenant_id, Some(customer), 100)
        .await
        .expect("audit")
        .iter()
        .filter(|row| row.action == "reveal_id_number")
        .count()
}

async fn revealing_an_id_number_is_restricted_and_audited(app: Arc<TestApp>) {
    let created = create_customer(
        &app,
        app.token(Role::Admin),
        json!({"name": "吴刚", "id_number": "11010519491231002X", "store_id": app.store_id}),
    )
    .await;
    let id = id_of(&created);
    assert_eq!(created["id_number_masked"], "1101**********002X");
    let path = format!("/api/v1/customers/{id}/id-number");
    assert_eq!(reveal_count(&app, id).await, 0);

    for call in 1..=2 {
        let (status, body) = app
            .call("GET", &path, Some(app.token(Role::StoreManager)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["id_number"], "11010519491231002X");
        assert_eq!(reveal_count(&app, id).await, call, "one audit row per call");
    }
    let row = fours_store::audit::list(&app.db.conn, app.tenant_id, Some(id), 100)
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.action == "reveal_id_number")
        .unwrap();
    assert_eq!(row.actor_id, Some(app.users[&Role::StoreManager].id));
    assert_eq!(row.entity, "customer");
    // Managers find the reveals in the audit log.
    let (status, log) = app
        .call(
            "GET",
            &format!("/api/v1/audit?entity_id={id}"),
            Some(app.token(Role::StoreManager)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let reveals = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "reveal_id_number")
        .count();
    assert_eq!(reveals, 2, "{log}");

    for role in [Role::SalesConsultant, Role::SalesManager, Role::Technician] {
        let (status, body) = app.call("GET", &path, Some(app.token(role)), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}: {body}");
        assert!(body.get("id_number").is_none());
        assert!(!body.to_string().contains("11010519491231002X"));
    }
    assert_eq!(reveal_count(&app, id).await, 2, "refusals are not reveals");

    // Ordinary reads never carry the number in clear, whoever asks.
    for role in [Role::Admin, Role::StoreManager, Role::ServiceAdvisor] {
        let (_, shown) = app
            .call(
                "GET",
                &format!("/api/v1/customers/{id}"),
                Some(app.token(role)),
                None,
            )
            .await;
        assert!(
            !shown.to_string().contains("11010519491231002X"),
            "{role:?}: {shown}"
        );
    }
}

on_both_databases!(
    every_route_answers_403_exactly_when_the_role_lacks_the_permission,
    a_consultant_sees_only_own_customers,
    no_credentials_answer_401_everywhere,
    another_dealer_group_gets_404_for_every_record,
    phone_numbers_are_masked_for_workshop_roles,
    revealing_an_id_number_is_restricted_and_audited,
);
