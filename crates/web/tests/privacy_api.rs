//! The customer's PIPL rights through the API and the customer page, on SQLite and PostgreSQL:
//! a copy of everything held about them (art. 45) within the caller's tenant and scope; erasure
//! on request (art. 47) that leaves the cars and their history but no person, audited; and a
//! withdrawn marketing consent that stops every queued marketing message at once.

mod common;
mod fixtures;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use common::TestApp;
use common::browser::Browser;
use fixtures::{
    create_customer, create_vehicle, error_fields, id_of, mobile, ok, resident_id, urlencode, vin,
};
use fours_domain::access::Role;
use fours_store::care::entities::outbox_message;
use fours_store::care::outbox::{self, NewMessage};
use fours_store::customers::entities::customer;
use fours_store::customers::privacy::ERASED_NAME;
use fours_store::service::entities::repair_order;
use http_body_util::BodyExt;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

/// A consultant's customer with everything personal filled in, a car, a lead, a signed repair
/// order and consent to marketing.
struct Person {
    customer: Uuid,
    vehicle: Uuid,
    repair_order: Uuid,
    mobile: String,
    id_number: String,
}

async fn person(app: &TestApp, serial: u32) -> Person {
    let (mobile, id_number) = (mobile(serial), resident_id(serial));
    let customer = id_of(
        &create_customer(app, app.token(Role::SalesConsultant), json!({
            "name": format!("隐私客户{serial}"), "mobile": mobile, "id_number": id_number,
            "address": "上海市徐汇区漕溪北路1号", "wechat": format!("wx{serial}"), "email": "p@example.com",
            "tags": ["VIP"], "notes": "喜欢周末来店", "marketing_consent": true,
            "family": [{"name": "配偶", "relation": "spouse", "mobile": fixtures::mobile(serial + 500)}]}))
        .await,
    );
    let vehicle = id_of(
        &create_vehicle(
            app,
            app.token(Role::ServiceAdvisor),
            json!({
            "vin": vin(serial), "customer_id": customer, "plate": format!("沪A{serial:05}"),
            "warranty_start": "2024-01-01", "warranty_months": 36}),
        )
        .await,
    );
    ok(
        app,
        Role::SalesConsultant,
        "POST",
        "/api/v1/leads",
        Some(json!({"customer_id": customer, "source": "walk_in", "buys_within_days": 30})),
    )
    .await;
    let received = ok(app, Role::ServiceAdvisor, "POST", "/api/v1/repair-orders", Some(json!({
        "vehicle_id": vehicle, "mileage_km": 9_000, "fuel_percent": 40, "concern": "刹车异响",
        "promised_at": (Utc::now() + Duration::hours(2)).to_rfc3339(),
        "payment_method": "cash", "old_parts": "scrap", "jobs": [{"name": "检查", "minutes": 20}]}))).await;
    let repair_order = received["order"]["id"].as_str().unwrap().parse().unwrap();
    ok(app, Role::ServiceAdvisor, "POST", &format!("/api/v1/repair-orders/{repair_order}/signature"),
        Some(json!({"signed_by": format!("隐私客户{serial}"), "signature": "data:image/png;base64,iVBORw0KGgo="}))).await;
    Person {
        customer,
        vehicle,
        repair_order,
        mobile,
        id_number,
    }
}

/// Queues a message to the customer: `birthday` and `maintenance_reminder` are marketing,
/// `vehicle_ready` is a service message.
async fn enqueue(app: &TestApp, customer_id: Uuid, code: &str) -> Uuid {
    let context = match code {
        "maintenance_reminder" => json!({"due_on": "2027-01-01"}),
        "vehicle_ready" => json!({"plate": "沪A00001"}),
        _ => json!({}),
    };
    let txn = fours_store::db::begin_write(&app.db.conn).await.unwrap();
    let message = outbox::enqueue(
        &txn,
        app.tenant_id,
        NewMessage {
            store_id: app.store_id,
            customer_id,
            channel: fours_notify::ChannelKind::Sms,
            code: code.into(),
            context,
            related_id: None,
            at: Utc::now(),
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(message.status, "pending", "{code} is queued");
    message.id
}

async fn status_of(app: &TestApp, message: Uuid) -> String {
    outbox_message::Entity::find_by_id((app.tenant_id, message))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
        .status
}

/// GETs the personal-data file: status, `Content-Disposition` and the document.
async fn personal_data(app: &TestApp, token: &str, id: Uuid) -> (StatusCode, String, Value) {
    let request = Request::get(format!("/api/v1/customers/{id}/personal-data"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.raw(request).await;
    let status = response.status();
    let disposition = response
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        disposition,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The actions of the audit rows about one record, oldest first.
async fn audit_actions(app: &TestApp, id: Uuid) -> Vec<String> {
    let rows = ok(
        app,
        Role::StoreManager,
        "GET",
        &format!("/api/v1/audit?entity_id={id}"),
        None,
    )
    .await;
    let mut actions: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["action"].as_str().unwrap().to_owned())
        .collect();
    actions.reverse();
    actions
}

fn len(document: &Value, key: &str) -> usize {
    document[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in the export"))
        .len()
}

async fn the_export_holds_everything_about_the_customer_within_scope(app: Arc<TestApp>) {
    let p = person(&app, 11).await;
    let marketing = enqueue(&app, p.customer, "birthday").await;
    let consultant = app.token(Role::SalesConsultant);
    let (status, disposition, document) = personal_data(&app, consultant, p.customer).await;
    assert_eq!(status, StatusCode::OK, "{document}");
    assert_eq!(
        disposition,
        format!("attachment; filename=customer-{}.json", p.customer)
    );
    assert_eq!(document["customer"]["name"], "隐私客户11");
    assert_eq!(document["customer"]["mobile"], p.mobile.as_str());
    assert_eq!(document["customer"]["address"], "上海市徐汇区漕溪北路1号");
    assert_eq!(document["family"][0]["name"], "配偶");
    assert_eq!(document["vehicles"][0]["vin"], vin(11).as_str());
    assert_eq!(document["vehicles"][0]["id"], p.vehicle.to_string());
    assert_eq!(document["messages"][0]["id"], marketing.to_string());
    assert_eq!(
        document["repair_orders"][0]["id"],
        p.repair_order.to_string()
    );
    for key in ["leads", "repair_jobs", "ownerships", "timeline", "audit"] {
        assert!(len(&document, key) >= 1, "{key}: {document}");
    }
    for key in [
        "care_tasks",
        "complaints",
        "survey_responses",
        "appointments",
    ] {
        assert_eq!(len(&document, key), 0, "{key}");
    }
    // A consultant may not reveal ID numbers: only the masked copy, and nothing sealed.
    let text = document.to_string();
    assert!(document.get("id_number").is_none());
    assert!(!text.contains(&p.id_number), "no ID number in clear");
    assert!(!text.contains("id_number_cipher") && !text.contains("id_number_hash"));
    assert!(document["customer"]["id_number_masked"].is_string());
    // A store manager's copy has it in clear: audited as a reveal, besides the export.
    let before = audit_actions(&app, p.customer).await;
    let (status, _, document) =
        personal_data(&app, app.token(Role::StoreManager), p.customer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["id_number"], p.id_number.as_str());
    let after = audit_actions(&app, p.customer).await;
    assert_eq!(
        after[before.len()..],
        ["reveal_id_number", "export_personal_data"]
    );
    assert_eq!(
        before
            .iter()
            .filter(|a| *a == "export_personal_data")
            .count(),
        1,
        "the consultant's export was audited too"
    );
    // Another dealer group, or another consultant's customer: not found. No right: forbidden.
    let (status, _, _) = personal_data(&app, &app.foreign_token, p.customer).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let managers = id_of(
        &create_customer(
            &app,
            app.token(Role::StoreManager),
            json!({"name": "店长的客户", "owner_id": app.users[&Role::StoreManager].id}),
        )
        .await,
    );
    let (status, _, _) = personal_data(&app, consultant, managers).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not the consultant's own");
    let (status, _, body) = personal_data(&app, app.token(Role::Technician), p.customer).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

async fn erasure_leaves_the_cars_and_their_history_but_no_person(app: Arc<TestApp>) {
    let p = person(&app, 21).await;
    let marketing = enqueue(&app, p.customer, "birthday").await;
    let service = enqueue(&app, p.customer, "vehicle_ready").await;
    let path = format!("/api/v1/customers/{}/erasure", p.customer);
    let (status, _) = app
        .call(
            "POST",
            &path,
            Some(app.token(Role::SalesConsultant)),
            Some(json!({"reason": "客户申请"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a consultant may not erase");
    let (status, reply) = app
        .call(
            "POST",
            &path,
            Some(app.token(Role::StoreManager)),
            Some(json!({"reason": "  "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&reply), ["reason"]);
    let (status, _) = app
        .call(
            "POST",
            &path,
            Some(&app.foreign_token),
            Some(json!({"reason": "客户申请"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another dealer group");
    let erased = ok(
        &app,
        Role::StoreManager,
        "POST",
        &path,
        Some(json!({"reason": "客户来电要求删除"})),
    )
    .await;
    assert_eq!(erased["cancelled_messages"], 2);
    assert_eq!(status_of(&app, marketing).await, "suppressed");
    assert_eq!(status_of(&app, service).await, "suppressed");
    assert_not_found_anywhere(&app, &p).await;
    // The record stays, anonymous; the car and its repair order stay, without the signature.
    let row = customer::Entity::find_by_id((app.tenant_id, p.customer))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.name, ERASED_NAME);
    assert!(row.erased_at.is_some() && row.deleted_at.is_some());
    assert!(row.mobile.is_none() && row.id_number_cipher.is_none());
    assert!(row.id_number_hash.is_none() && row.id_number_masked.is_none());
    assert!(row.address.is_none() && row.wechat.is_none() && row.email.is_none());
    assert!(row.birthday.is_none() && row.notes.is_none() && !row.marketing_consent);
    let car = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!("/api/v1/vehicles/{}", p.vehicle),
        None,
    )
    .await;
    assert_eq!(car["vin"], vin(21).as_str());
    assert_eq!(car["warranty_months"], 36);
    let order = repair_order::Entity::find_by_id((app.tenant_id, p.repair_order))
        .one(&app.db.conn)
        .await
        .unwrap()
        .expect("the repair order is kept");
    assert_eq!(order.concern, "刹车异响");
    assert!(order.signed_by.is_none() && order.signature.is_none());
    ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        &format!("/api/v1/repair-orders/{}", p.repair_order),
        None,
    )
    .await;
    // The request and its completion are on record; earlier copies of the person are not.
    let actions = audit_actions(&app, p.customer).await;
    assert_eq!(
        actions[actions.len() - 2..],
        ["erasure_requested", "erasure_completed"]
    );
    let rows = ok(
        &app,
        Role::StoreManager,
        "GET",
        &format!("/api/v1/audit?entity_id={}", p.customer),
        None,
    )
    .await;
    let text = rows.to_string();
    assert!(text.contains("客户来电要求删除"), "the reason is kept");
    assert!(
        !text.contains(&p.mobile) && !text.contains("隐私客户21"),
        "{text}"
    );
    // Once is enough; and the mobile is free for a new record.
    let (status, _) = app
        .call(
            "POST",
            &path,
            Some(app.token(Role::StoreManager)),
            Some(json!({"reason": "再次"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    create_customer(
        &app,
        app.token(Role::SalesConsultant),
        json!({"name": "新客户", "mobile": p.mobile, "id_number": p.id_number}),
    )
    .await;
}

/// Not by GET, search (mobile, name, plate), list, export or personal-data copy.
async fn assert_not_found_anywhere(app: &TestApp, p: &Person) {
    let manager = app.token(Role::StoreManager);
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{}", p.customer),
            Some(manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = personal_data(app, manager, p.customer).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for q in [p.mobile.clone(), "隐私客户21".into(), "沪A00021".into()] {
        let found = ok(
            app,
            Role::StoreManager,
            "GET",
            &format!("/api/v1/customers?q={}", urlencode(&q)),
            None,
        )
        .await;
        assert_eq!(found["items"], json!([]), "{q}");
    }
    let list = ok(app, Role::StoreManager, "GET", "/api/v1/customers", None).await;
    assert!(!list.to_string().contains(&p.customer.to_string()));
    let (status, csv) = app
        .download("/api/v1/customers/export?format=csv", manager)
        .await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8_lossy(&csv);
    assert!(
        !csv.contains(&p.mobile) && !csv.contains("隐私客户21"),
        "{csv}"
    );
}

async fn withdrawn_consent_stops_queued_marketing_but_not_service(app: Arc<TestApp>) {
    let customer = id_of(
        &create_customer(
            &app,
            app.token(Role::SalesConsultant),
            json!({"name": "退订客户", "mobile": mobile(31), "marketing_consent": true}),
        )
        .await,
    );
    let marketing = [
        enqueue(&app, customer, "birthday").await,
        enqueue(&app, customer, "maintenance_reminder").await,
    ];
    let service = enqueue(&app, customer, "vehicle_ready").await;
    // An unrelated change leaves the queue alone.
    ok(
        &app,
        Role::SalesConsultant,
        "PATCH",
        &format!("/api/v1/customers/{customer}"),
        Some(json!({"notes": "周末联系"})),
    )
    .await;
    assert_eq!(status_of(&app, marketing[0]).await, "pending");
    ok(
        &app,
        Role::SalesConsultant,
        "PATCH",
        &format!("/api/v1/customers/{customer}"),
        Some(json!({"marketing_consent": false})),
    )
    .await;
    for message in marketing {
        assert_eq!(status_of(&app, message).await, "suppressed");
    }
    assert_eq!(
        status_of(&app, service).await,
        "pending",
        "service messages still go"
    );
}

async fn the_customer_page_exports_and_erases_with_the_session(app: Arc<TestApp>) {
    let p = person(&app, 41).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in("store_manager").await;
    let page = browser
        .send("GET", &format!("/customers/{}", p.customer), None)
        .await;
    assert!(
        page.body
            .contains(&format!("href=\"/customers/{}/personal-data\"", p.customer))
    );
    assert!(page.body.contains("name=\"confirm\""), "the erasure form");
    let file = browser
        .send(
            "GET",
            &format!("/customers/{}/personal-data", p.customer),
            None,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let document: Value = serde_json::from_str(&file.body).unwrap();
    assert_eq!(document["customer"]["id"], p.customer.to_string());
    let erasure = format!("/customers/{}/erasure", p.customer);
    let reason = "reason=%E5%AE%A2%E6%88%B7%E7%94%B3%E8%AF%B7";
    let refused = browser
        .send("POST", &erasure, Some(format!("{reason}&confirm=yes")))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no CSRF token");
    let unconfirmed = browser
        .send(
            "POST",
            &erasure,
            Some(format!("csrf_token={csrf}&{reason}")),
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{}", p.customer),
            Some(app.token(Role::Admin)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "nothing erased yet");
    let done = browser
        .send(
            "POST",
            &erasure,
            Some(format!("csrf_token={csrf}&{reason}&confirm=yes")),
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/customers"),
        "{}",
        done.body
    );
    let gone = browser
        .send("GET", &format!("/customers/{}", p.customer), None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    // A consultant's page offers the copy but not the erasure.
    let mut consultant = Browser::new(&app);
    consultant.sign_in("sales_consultant").await;
    let own = id_of(
        &create_customer(
            &app,
            app.token(Role::SalesConsultant),
            json!({"name": "顾问的客户"}),
        )
        .await,
    );
    let page = consultant
        .send("GET", &format!("/customers/{own}"), None)
        .await;
    assert!(page.body.contains("/personal-data"));
    assert!(!page.body.contains("name=\"confirm\""));
}

on_both_databases!(
    the_export_holds_everything_about_the_customer_within_scope,
    erasure_leaves_the_cars_and_their_history_but_no_person,
    withdrawn_consent_stops_queued_marketing_but_not_service,
    the_customer_page_exports_and_erases_with_the_session,
);
