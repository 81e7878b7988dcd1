//! The showroom and sales process through the HTTP API, on SQLite and PostgreSQL: traffic and
//! contact capture, grading and follow-up rhythm, data scopes, reassignment and defeats.

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use common::{PASSWORD, TestApp};
use fixtures::{error_codes, error_fields, id_of, mobile, ok};
use fours_domain::access::Role;
use fours_store::org::{self, Actor, NewUser};
use fours_store::sales::reports::{self, Dimension, Period, ReportDays};
use serde_json::{Value, json};

fn store_today() -> NaiveDate {
    Utc::now().with_timezone(&Shanghai).date_naive()
}

fn days_from_today(days: i64) -> String {
    (store_today() + Duration::days(days)).to_string()
}

/// A second consultant of the same store, with their own token.
async fn second_consultant(app: &TestApp) -> (uuid::Uuid, String) {
    let user = org::create_user(
        &app.db.conn,
        app.tenant_id,
        NewUser {
            store_id: Some(app.store_id),
            username: "consultant_two",
            display_name: "顾问二",
            password: PASSWORD,
            role: Role::SalesConsultant,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    let token = org::issue_token(&app.db.conn, &user, "test", Duration::hours(1))
        .await
        .unwrap();
    (user.id, token)
}

fn consultant_id(app: &TestApp) -> String {
    app.users[&Role::SalesConsultant].id.to_string()
}

async fn lead_for(app: &TestApp, serial: u32, extra: Value) -> Value {
    let mut body = json!({"name": format!("客户{serial}"), "mobile": mobile(serial), "source": "walk_in",
                          "models_of_interest": ["Model Y", "Model 3"]});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    ok(
        app,
        Role::SalesConsultant,
        "POST",
        "/api/v1/leads",
        Some(body),
    )
    .await
}

async fn a_walk_in_with_a_phone_becomes_a_graded_lead(app: Arc<TestApp>) {
    let visit = ok(
        &app,
        Role::Receptionist,
        "POST",
        "/api/v1/showroom-visits",
        Some(
            json!({"channel": "walk_in", "party_size": 2, "name": "王先生", "mobile": mobile(1),
                    "models_of_interest": ["汉 EV"], "consultant_id": consultant_id(&app)}),
        ),
    )
    .await;
    assert_eq!(visit["first_visit"], true, "{visit}");
    let lead_id = visit["lead_id"].as_str().expect("a lead from the visit");
    let lead = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!("/api/v1/leads/{lead_id}"),
        None,
    )
    .await;
    assert_eq!(
        (
            lead["customer_name"].as_str(),
            lead["step"].as_str(),
            lead["grade"].as_str()
        ),
        (Some("王先生"), Some("first_contact"), Some("C"))
    );
    assert_eq!(
        lead["next_follow_up_on"],
        days_from_today(15),
        "C: every 15 days"
    );
    // The prospect is in the archive; a second visit joins the same lead.
    let customer = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!(
            "/api/v1/customers/{}",
            lead["customer_id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(customer["class"], "prospect", "{customer}");
    let again = ok(&app, Role::Receptionist, "POST", "/api/v1/showroom-visits",
        Some(json!({"channel": "walk_in", "mobile": mobile(1), "consultant_id": consultant_id(&app)}))).await;
    assert_eq!(
        (again["lead_id"].as_str(), again["first_visit"].as_bool()),
        (Some(lead_id), Some(false))
    );

    // A timeframe of 5 days makes the prospect H, followed up tomorrow.
    let graded = ok(
        &app,
        Role::SalesConsultant,
        "PATCH",
        &format!("/api/v1/leads/{lead_id}"),
        Some(json!({"buys_within_days": 5})),
    )
    .await;
    assert_eq!(
        (
            graded["grade"].as_str(),
            graded["next_follow_up_on"].as_str()
        ),
        (Some("H"), Some(days_from_today(1).as_str()))
    );

    // An anonymous visitor stays a suspect visit until linked; the board shows who is in.
    let anonymous = ok(
        &app,
        Role::Receptionist,
        "POST",
        "/api/v1/showroom-visits",
        Some(json!({"channel": "walk_in", "notes": "白色SUV，一家三口"})),
    )
    .await;
    assert!(
        anonymous["customer_id"].is_null() && anonymous["lead_id"].is_null(),
        "{anonymous}"
    );
    let board = ok(
        &app,
        Role::Receptionist,
        "GET",
        "/api/v1/showroom-visits/board",
        None,
    )
    .await;
    assert_eq!(board.as_array().unwrap().len(), 3, "{board}");
    let left = ok(
        &app,
        Role::Receptionist,
        "POST",
        &format!(
            "/api/v1/showroom-visits/{}/departure",
            anonymous["id"].as_str().unwrap()
        ),
        Some(json!({})),
    )
    .await;
    assert!(left["left_at"].is_string(), "{left}");
    let board = ok(
        &app,
        Role::Receptionist,
        "GET",
        "/api/v1/showroom-visits/board",
        None,
    )
    .await;
    assert_eq!(board.as_array().unwrap().len(), 2);
    let linked = ok(
        &app,
        Role::Receptionist,
        "POST",
        &format!(
            "/api/v1/showroom-visits/{}/customer",
            anonymous["id"].as_str().unwrap()
        ),
        Some(json!({"customer_id": lead["customer_id"]})),
    )
    .await;
    assert_eq!(
        linked["lead_id"].as_str(),
        Some(lead_id),
        "linking finds the open lead"
    );

    // Bad input names its field; a number without a consultant cannot become a lead.
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/showroom-visits",
            Some(app.token(Role::Receptionist)),
            Some(json!({"channel": "carrier_pigeon", "mobile": "12345", "party_size": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        ["channel", "party_size", "mobile"],
        "{body}"
    );
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/showroom-visits",
            Some(app.token(Role::Receptionist)),
            Some(json!({"mobile": mobile(2)})),
        )
        .await;
    assert_eq!(
        (status, error_codes(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["visit.consultant_for_lead".to_owned()]
        )
    );
    // Receptionists log traffic but do not work leads.
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/leads",
            Some(app.token(Role::Receptionist)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn follow_ups_keep_the_grades_rhythm_and_scopes_hold(app: Arc<TestApp>) {
    let lead = lead_for(&app, 10, json!({"buys_within_days": 20})).await;
    let id = id_of(&lead);
    assert_eq!(lead["grade"], "B");
    let recorded = ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{id}/follow-ups"),
        Some(json!({"method": "call", "outcome": "约周末试驾", "grade": "A"})),
    )
    .await;
    assert_eq!(
        recorded["on_time"], true,
        "due in 7 days, done today: {recorded}"
    );
    assert_eq!(
        recorded["next_follow_up_on"],
        days_from_today(3),
        "A: every 3 days"
    );
    let lead = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!("/api/v1/leads/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (lead["grade"].as_str(), lead["grade_judged"].as_bool()),
        (Some("A"), Some(true))
    );
    let chosen = ok(&app, Role::SalesConsultant, "POST", &format!("/api/v1/leads/{id}/follow-ups"),
        Some(json!({"method": "wechat", "outcome": "发了配置表", "next_follow_up_on": days_from_today(0)}))).await;
    assert_eq!(chosen["next_follow_up_on"], days_from_today(0));
    let follow_ups = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!("/api/v1/leads/{id}/follow-ups"),
        None,
    )
    .await;
    assert_eq!(follow_ups.as_array().unwrap().len(), 2);

    // Due today: on the consultant's list.
    let due = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        "/api/v1/leads/due",
        None,
    )
    .await;
    let ids: Vec<&str> = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(ids, [id.to_string().as_str()], "{due}");
    assert_eq!(due["items"][0]["overdue_days"], 0);

    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/leads/{id}/follow-ups"),
            Some(app.token(Role::SalesConsultant)),
            Some(json!({"method": "fax", "next_follow_up_on": days_from_today(-1)})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        ["method", "outcome", "next_follow_up_on"],
        "{body}"
    );

    // Another consultant sees neither the lead nor its follow-ups; the manager sees the store's.
    let (_, other_token) = second_consultant(&app).await;
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/leads/{id}"),
            Some(&other_token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = app
        .call("GET", "/api/v1/leads", Some(&other_token), None)
        .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0, "{theirs}");
    let store = ok(&app, Role::SalesManager, "GET", "/api/v1/leads", None).await;
    assert_eq!(store["items"].as_array().unwrap().len(), 1);

    // Steps move forward only; order and delivery are not set by hand.
    let moved = ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{id}/step"),
        Some(json!({"step": "presentation"})),
    )
    .await;
    assert_eq!(moved["step"], "presentation");
    for (step, code) in [
        ("needs_analysis", "pipeline.backwards"),
        ("ordered", "pipeline.by_order_or_delivery"),
    ] {
        let (status, body) = app
            .call(
                "POST",
                &format!("/api/v1/leads/{id}/step"),
                Some(app.token(Role::SalesConsultant)),
                Some(json!({"step": step})),
            )
            .await;
        assert_eq!(
            (status, error_codes(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![code.to_owned()])
        );
    }
}

async fn managers_reassign_leads_and_the_history_keeps_who_had_them(app: Arc<TestApp>) {
    let first = id_of(&lead_for(&app, 20, json!({})).await);
    let second = id_of(&lead_for(&app, 21, json!({})).await);
    let (new_owner, new_token) = second_consultant(&app).await;
    let body = json!({"lead_ids": [first, second], "consultant_id": new_owner, "note": "顾问休假"});
    let (status, _) = app
        .call(
            "POST",
            "/api/v1/leads/reassign",
            Some(app.token(Role::SalesConsultant)),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "consultants do not reassign");
    let moved = ok(
        &app,
        Role::SalesManager,
        "POST",
        "/api/v1/leads/reassign",
        Some(body),
    )
    .await;
    assert_eq!(moved["reassigned"], 2);
    let (_, theirs) = app
        .call("GET", "/api/v1/leads", Some(&new_token), None)
        .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 2);
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/leads/{first}"),
            Some(app.token(Role::SalesConsultant)),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the former consultant no longer sees it"
    );
    let history = ok(
        &app,
        Role::SalesManager,
        "GET",
        &format!("/api/v1/leads/{first}/history"),
        None,
    )
    .await;
    let assigned = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "assigned")
        .expect("history");
    assert_eq!(
        (
            assigned["from_value"].as_str(),
            assigned["to_value"].as_str(),
            assigned["note"].as_str()
        ),
        (
            Some(consultant_id(&app).as_str()),
            Some(new_owner.to_string().as_str()),
            Some("顾问休假")
        )
    );
    let (status, body) = app.call("POST", "/api/v1/leads/reassign", Some(app.token(Role::SalesManager)),
        Some(json!({"lead_ids": [first, uuid::Uuid::now_v7()], "consultant_id": consultant_id(&app)}))).await;
    assert_eq!(
        (status, error_fields(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["lead_ids".to_owned()]
        )
    );
    let (_, still) = app
        .call(
            "GET",
            &format!("/api/v1/leads/{first}"),
            Some(&new_token),
            None,
        )
        .await;
    assert_eq!(
        still["consultant_id"],
        new_owner.to_string(),
        "a failed bulk move changes nothing"
    );
}

async fn a_defeat_is_requested_then_approved_or_rejected(app: Arc<TestApp>) {
    let id = id_of(&lead_for(&app, 30, json!({})).await);
    let path = format!("/api/v1/leads/{id}/defeat");
    let (status, body) = app
        .call(
            "POST",
            &path,
            Some(app.token(Role::SalesConsultant)),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_owned()])
    );
    let asked = ok(&app, Role::SalesConsultant, "POST", &path,
        Some(json!({"reason": "competitor", "competitor_brand": "特斯拉", "competitor_model": "Model Y"}))).await;
    assert_eq!(
        (asked["standing"].as_str(), asked["defeat_brand"].as_str()),
        (Some("defeat_requested"), Some("特斯拉"))
    );
    let decision = format!("{path}/decision");
    let (status, _) = app
        .call(
            "POST",
            &decision,
            Some(app.token(Role::SalesConsultant)),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the manager decides");
    let rejected = ok(
        &app,
        Role::SalesManager,
        "POST",
        &decision,
        Some(json!({"approve": false, "note": "再跟一次"})),
    )
    .await;
    assert_eq!(
        (
            rejected["standing"].as_str(),
            rejected["next_follow_up_on"].as_str()
        ),
        (Some("active"), Some(days_from_today(0).as_str()))
    );
    assert!(rejected["defeat_reason"].is_null());

    ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &path,
        Some(json!({"reason": "price"})),
    )
    .await;
    let lost = ok(
        &app,
        Role::SalesManager,
        "POST",
        &decision,
        Some(json!({"approve": true})),
    )
    .await;
    assert_eq!(
        (lost["standing"].as_str(), lost["defeat_reason"].as_str()),
        (Some("defeated"), Some("price"))
    );
    assert!(
        lost["closed_at"].is_string() && lost["next_follow_up_on"].is_null(),
        "{lost}"
    );
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/leads/{id}/follow-ups"),
            Some(app.token(Role::SalesConsultant)),
            Some(json!({"method": "call", "outcome": "?"})),
        )
        .await;
    assert_eq!(
        (status, error_codes(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["pipeline.closed".to_owned()]
        )
    );
    let pool = ok(
        &app,
        Role::SalesManager,
        "GET",
        "/api/v1/leads?standing=defeated",
        None,
    )
    .await;
    assert_eq!(
        pool["items"].as_array().unwrap().len(),
        1,
        "kept in the reactivation pool"
    );
    let again = ok(
        &app,
        Role::SalesManager,
        "POST",
        &format!("/api/v1/leads/{id}/reactivate"),
        None,
    )
    .await;
    assert_eq!(again["standing"], "active");
    let history = ok(
        &app,
        Role::SalesManager,
        "GET",
        &format!("/api/v1/leads/{id}/history"),
        None,
    )
    .await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "defeat_requested",
            "defeat_rejected",
            "defeat_requested",
            "defeat_approved",
            "reactivated"
        ]
    );
}

async fn each_store_sets_its_own_cadence(app: Arc<TestApp>) {
    let policy = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        "/api/v1/sales-policy",
        None,
    )
    .await;
    assert_eq!(policy["cadence_days"], json!([1, 3, 7, 15]));
    let mut faster = policy.clone();
    faster["cadence_days"] = json!([1, 2, 5, 10]);
    let (status, _) = app
        .call(
            "PUT",
            "/api/v1/sales-policy",
            Some(app.token(Role::SalesConsultant)),
            Some(faster.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    ok(
        &app,
        Role::SalesManager,
        "PUT",
        "/api/v1/sales-policy",
        Some(faster),
    )
    .await;
    let lead = lead_for(&app, 40, json!({"grade": "C"})).await;
    assert_eq!(lead["next_follow_up_on"], days_from_today(10));
    let mut backwards = policy;
    backwards["cadence_days"] = json!([15, 7, 3, 1]);
    let (status, body) = app
        .call(
            "PUT",
            "/api/v1/sales-policy",
            Some(app.token(Role::SalesManager)),
            Some(backwards),
        )
        .await;
    assert_eq!(
        (status, error_codes(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["grading.not_ascending".to_owned()]
        )
    );
}

async fn a_prospect_drives_is_quoted_orders_and_takes_delivery(app: Arc<TestApp>) {
    let lead = lead_for(&app, 50, json!({"buys_within_days": 3})).await;
    let id = id_of(&lead);
    let drives = format!("/api/v1/leads/{id}/test-drives");
    let (status, body) = app.call("POST", &drives, Some(app.token(Role::SalesConsultant)),
        Some(json!({"demo_vehicle": "帕萨特 试驾车 粤A12345", "licence_number": "110101199003074512"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        ["licence_number", "licence_checked"],
        "{body}"
    );
    let drive = ok(&app, Role::SalesConsultant, "POST", &drives,
        Some(json!({"demo_vehicle": "帕萨特 试驾车 粤A12345", "licence_number": fixtures::resident_id(50),
                    "licence_checked": true, "out_km": 1200, "route": "A 线"}))).await;
    assert!(
        drive["licence_masked"].as_str().unwrap().contains('*'),
        "{drive}"
    );
    assert!(
        !drive.to_string().contains(&fixtures::resident_id(50)),
        "the licence is never sent back in clear"
    );
    let back = ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!(
            "/api/v1/test-drives/{}/return",
            drive["id"].as_str().unwrap()
        ),
        Some(json!({"in_km": 1212, "feedback": "动力满意"})),
    )
    .await;
    assert_eq!(back["in_km"], 1212);
    let lead_now = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!("/api/v1/leads/{id}"),
        None,
    )
    .await;
    assert_eq!(lead_now["step"], "test_drive");

    // A discount above the store's 5,000 yuan waits for the manager.
    let quote = ok(&app, Role::SalesConsultant, "POST", &format!("/api/v1/leads/{id}/quotes"),
        Some(json!({"vehicle": "帕萨特 330TSI 星空版", "vehicle_price_fen": 21_990_000, "discount_fen": 1_200_000,
                    "accessories_fen": 350_050, "insurance_fen": 612_345, "fees_fen": 100_000, "trade_in_credit_fen": 5_000_000,
                    "down_payment_fen": 6_000_000, "finance_term_months": 36}))).await;
    let deal = 21_990_000 - 1_200_000 + 350_050 + 612_345 + 100_000;
    assert_eq!(
        (
            quote["deal_fen"].as_i64(),
            quote["customer_pays_fen"].as_i64(),
            quote["financed_fen"].as_i64()
        ),
        (
            Some(deal),
            Some(deal - 5_000_000),
            Some(deal - 5_000_000 - 6_000_000)
        )
    );
    assert_eq!(quote["approval"], "pending");
    let stock = ok(&app, Role::SalesManager, "POST", "/api/v1/stock",
        Some(json!({"vin": fixtures::vin(50), "brand": "上汽大众", "series": "帕萨特", "model": "330TSI", "colour": "星空蓝",
                    "list_price_fen": 21_990_000}))).await;
    let order_body = json!({"quote_id": quote["id"], "stock_id": stock["id"], "deposit_fen": 500_000, "payment_method": "wechat"});
    let orders = format!("/api/v1/leads/{id}/orders");
    let (status, body) = app
        .call(
            "POST",
            &orders,
            Some(app.token(Role::SalesConsultant)),
            Some(order_body.clone()),
        )
        .await;
    assert_eq!(
        (status, error_codes(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["quote.not_approved".to_owned()]
        )
    );
    let pending = ok(
        &app,
        Role::SalesManager,
        "GET",
        "/api/v1/quotes/pending",
        None,
    )
    .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    ok(
        &app,
        Role::SalesManager,
        "POST",
        &format!("/api/v1/quotes/{}/decision", quote["id"].as_str().unwrap()),
        Some(json!({"approve": true})),
    )
    .await;
    let order = ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &orders,
        Some(order_body),
    )
    .await;
    assert_eq!(order["number"], "A1-SO-000001");
    let in_stock = ok(
        &app,
        Role::SalesManager,
        "GET",
        "/api/v1/stock?status=allocated",
        None,
    )
    .await;
    assert_eq!(in_stock[0]["order_id"], order["id"]);

    let delivery = format!("/api/v1/orders/{}/delivery", order["id"].as_str().unwrap());
    let (status, body) = app
        .call(
            "POST",
            &delivery,
            Some(app.token(Role::SalesConsultant)),
            Some(json!({"documents_checked": true})),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["functions_explained".to_owned()]
        )
    );
    let handed = ok(&app, Role::SalesConsultant, "POST", &delivery,
        Some(json!({"documents_checked": true, "functions_explained": true, "first_service_reminder": true,
                    "referral_asked": true, "plate": "粤B66666"}))).await;
    let car = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!(
            "/api/v1/vehicles/{}",
            handed["vehicle_id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(
        (
            car["vin"].as_str(),
            car["plate"].as_str(),
            car["purchase_price_fen"].as_i64()
        ),
        (
            Some(fixtures::vin(50).as_str()),
            Some("粤B66666"),
            Some(21_990_000 - 1_200_000)
        )
    );
    assert_eq!(car["customer_id"], lead["customer_id"]);
    let owner = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!(
            "/api/v1/customers/{}",
            lead["customer_id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(owner["class"], "customer");
    let won = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!("/api/v1/leads/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (won["step"].as_str(), won["standing"].as_str()),
        (Some("delivered"), Some("won"))
    );
    let events = fours_store::sales::orders::pending_events(
        &app.db.conn,
        app.tenant_id,
        "vehicle_delivered",
    )
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].vehicle_id.map(|v| v.to_string()),
        handed["vehicle_id"].as_str().map(str::to_owned)
    );
    // The first maintenance is due a year on: the car is on the service list from today.
    let due = ok(
        &app,
        Role::ServiceAdvisor,
        "GET",
        "/api/v1/maintenance-due?within_days=366",
        None,
    )
    .await;
    assert_eq!(due[0]["vehicle_id"], handed["vehicle_id"], "{due}");
    let in_a_year = store_today()
        .checked_add_months(chrono::Months::new(12))
        .unwrap();
    assert_eq!(due[0]["next_service_on"], in_a_year.to_string());
}

async fn order_numbers_stay_unique_under_concurrent_orders(app: Arc<TestApp>) {
    let mut leads = Vec::new();
    for serial in 60..66 {
        leads.push(id_of(&lead_for(&app, serial, json!({})).await));
    }
    let mut calls = tokio::task::JoinSet::new();
    for id in &leads {
        let app = app.clone();
        let path = format!("/api/v1/leads/{id}/orders");
        calls.spawn(async move {
            let token = app.token(Role::SalesConsultant).to_owned();
            app.call(
                "POST",
                &path,
                Some(&token),
                Some(json!({"payment_method": "cash"})),
            )
            .await
        });
    }
    let mut numbers = Vec::new();
    for (status, body) in calls.join_all().await {
        assert_eq!(status, StatusCode::CREATED, "{body}");
        numbers.push(body["number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=6).map(|n| format!("A1-SO-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

async fn the_report_counts_each_stage_within_the_callers_scope(app: Arc<TestApp>) {
    for (serial, mobile_given) in [(70, true), (71, true), (72, false)] {
        let mut body = json!({"channel": "walk_in", "consultant_id": consultant_id(&app), "name": format!("访客{serial}")});
        if mobile_given {
            body["mobile"] = json!(mobile(serial));
        }
        if serial == 70 {
            body["models_of_interest"] = json!(["途观L", "帕萨特"]);
        }
        ok(
            &app,
            Role::Receptionist,
            "POST",
            "/api/v1/showroom-visits",
            Some(body),
        )
        .await;
    }
    let phone_lead = lead_for(&app, 73, json!({"source": "phone"})).await;
    let visit_leads = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        "/api/v1/leads?step=first_contact",
        None,
    )
    .await;
    let walk_in = visit_leads["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["source"] == "walk_in")
        .unwrap()
        .clone();
    ok(&app, Role::SalesConsultant, "POST", &format!("/api/v1/leads/{}/test-drives", walk_in["id"].as_str().unwrap()),
        Some(json!({"demo_vehicle": "试驾车", "licence_number": fixtures::resident_id(70), "licence_checked": true}))).await;
    ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{}/orders", walk_in["id"].as_str().unwrap()),
        Some(json!({"payment_method": "cash"})),
    )
    .await;
    let phone_id = id_of(&phone_lead);
    ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{phone_id}/follow-ups"),
        Some(json!({"method": "call", "outcome": "考虑中"})),
    )
    .await;
    ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{phone_id}/defeat"),
        Some(json!({"reason": "price", "competitor_brand": "丰田"})),
    )
    .await;
    ok(
        &app,
        Role::SalesManager,
        "POST",
        &format!("/api/v1/leads/{phone_id}/defeat/decision"),
        Some(json!({"approve": true})),
    )
    .await;

    let report = ok(
        &app,
        Role::SalesManager,
        "GET",
        "/api/v1/reports/sales?by=source",
        None,
    )
    .await;
    let total = &report["total"];
    assert_eq!(
        [
            &total["traffic"],
            &total["contacts_kept"],
            &total["test_drives"],
            &total["orders"],
            &total["deliveries"]
        ],
        [&json!(3), &json!(2), &json!(1), &json!(1), &json!(0)],
        "{report}"
    );
    assert_eq!(
        (total["contact_rate"].as_u64(), total["order_rate"].as_u64()),
        (Some(6_667), Some(5_000))
    );
    let walk_in_row = report["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "walk_in")
        .unwrap();
    assert_eq!(walk_in_row["traffic"], 3);
    assert_eq!(
        report["defeats_by_reason"],
        json!([{"key": "price", "label": "price", "count": 1}])
    );
    assert_eq!(report["defeats_by_brand"][0]["label"], "丰田");
    assert_eq!(report["follow_up_discipline"][0]["on_time_rate"], 10_000);
    let ageing: u64 = report["lead_ageing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        ageing, 1,
        "one lead still open (the other two are ordered and lost): {report}"
    );

    let by_consultant = ok(
        &app,
        Role::SalesManager,
        "GET",
        "/api/v1/reports/sales?by=consultant",
        None,
    )
    .await;
    assert_eq!(by_consultant["funnel"][0]["label"], "sales_consultant");
    // By first model, for the store and the group (both read from the daily counts).
    for role in [Role::SalesManager, Role::Admin] {
        let by_model = ok(&app, role, "GET", "/api/v1/reports/sales?by=model", None).await;
        let traffic = |key: &str| {
            by_model["funnel"]
                .as_array()
                .and_then(|rows| rows.iter().find(|r| r["key"] == key))
                .map(|r| r["traffic"].clone())
        };
        assert_eq!(
            (traffic("途观L"), traffic("帕萨特"), traffic("")),
            (Some(json!(1)), None, Some(json!(2))),
            "{role:?}: {by_model}"
        );
    }
    // Another consultant's figures are their own: nothing yet.
    let (_, other_token) = second_consultant(&app).await;
    let (_, theirs) = app
        .call("GET", "/api/v1/reports/sales", Some(&other_token), None)
        .await;
    assert_eq!(theirs["total"]["traffic"], 0, "{theirs}");
    let (status, body) = app
        .call(
            "GET",
            "/api/v1/reports/sales?by=weather",
            Some(app.token(Role::SalesManager)),
            None,
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["by".to_owned()])
    );
}

/// The store's and the group's figures as the report reads them (the daily counts) and as
/// counted from the rows, for every breakdown: equal.
async fn assert_daily_counts_match_the_rows(app: &TestApp, when: &str) {
    let days = ReportDays {
        first: store_today() - Duration::days(7),
        last: store_today(),
    };
    let instant = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .unwrap()
            .and_local_timezone(Shanghai)
            .unwrap()
            .with_timezone(&Utc)
    };
    let period = Period {
        from: instant(days.first),
        to: instant(days.last + Duration::days(1)),
    };
    let conn = &app.db.conn;
    for role in [Role::Admin, Role::SalesManager] {
        let actor = Actor::from_user(&app.users[&role]).unwrap();
        for dimension in [Dimension::Source, Dimension::Consultant, Dimension::Model] {
            let read = reports::funnel(conn, &actor, dimension, period, days)
                .await
                .unwrap();
            let counted = reports::count_funnel(conn, &actor, dimension, period)
                .await
                .unwrap();
            assert_eq!(read, counted, "{when}: {role:?} by {dimension:?}");
        }
        let read = reports::follow_up_discipline(conn, &actor, period, days)
            .await
            .unwrap();
        let counted = reports::count_follow_up_discipline(conn, &actor, period)
            .await
            .unwrap();
        assert_eq!(read, counted, "{when}: {role:?} follow-ups");
    }
}

async fn the_daily_counts_follow_every_change_the_funnel_counts(app: Arc<TestApp>) {
    // A walk-in who leaves a phone (their lead is created with the visit), an anonymous one
    // linked to a customer later, and a lead taken on the phone.
    let walk_in = json!({"channel": "walk_in", "consultant_id": consultant_id(&app), "name": "访客80",
                         "mobile": mobile(80), "models_of_interest": ["途观L"]});
    ok(
        &app,
        Role::Receptionist,
        "POST",
        "/api/v1/showroom-visits",
        Some(walk_in),
    )
    .await;
    let anonymous = ok(
        &app,
        Role::Receptionist,
        "POST",
        "/api/v1/showroom-visits",
        Some(json!({"channel": "walk_in", "models_of_interest": ["帕萨特"]})),
    )
    .await;
    let phone_lead = lead_for(&app, 81, json!({"source": "phone"})).await;
    let phone_id = id_of(&phone_lead);
    ok(
        &app,
        Role::Receptionist,
        "POST",
        &format!("/api/v1/showroom-visits/{}/customer", id_of(&anonymous)),
        Some(json!({"customer_id": phone_lead["customer_id"]})),
    )
    .await;
    assert_daily_counts_match_the_rows(&app, "visits").await;

    // Yesterday's test drive, an order, a delivery and a follow-up.
    let yesterday = (Utc::now() - Duration::days(1)).to_rfc3339();
    ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{phone_id}/test-drives"),
        Some(
            json!({"demo_vehicle": "试驾车", "licence_number": fixtures::resident_id(81),
                    "licence_checked": true, "out_at": yesterday}),
        ),
    )
    .await;
    let stock = ok(&app, Role::SalesManager, "POST", "/api/v1/stock",
        Some(json!({"vin": fixtures::vin(81), "brand": "上汽大众", "series": "途观L", "model": "380TSI",
                    "colour": "白", "list_price_fen": 25_000_000}))).await;
    let order = ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{phone_id}/orders"),
        Some(json!({"stock_id": stock["id"], "payment_method": "cash"})),
    )
    .await;
    ok(&app, Role::SalesConsultant, "POST", &format!("/api/v1/orders/{}/delivery", id_of(&order)),
        Some(json!({"documents_checked": true, "functions_explained": true, "first_service_reminder": true,
                    "referral_asked": true}))).await;
    let other = id_of(&lead_for(&app, 82, json!({})).await);
    ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{other}/follow-ups"),
        Some(json!({"method": "call", "outcome": "考虑中"})),
    )
    .await;
    assert_daily_counts_match_the_rows(&app, "stages").await;

    // The lead's stages move with it: to another consultant, another first model, another source.
    let (new_owner, _) = second_consultant(&app).await;
    ok(
        &app,
        Role::SalesManager,
        "POST",
        "/api/v1/leads/reassign",
        Some(json!({"lead_ids": [phone_id, other], "consultant_id": new_owner})),
    )
    .await;
    assert_daily_counts_match_the_rows(&app, "reassigned").await;
    ok(
        &app,
        Role::SalesManager,
        "PATCH",
        &format!("/api/v1/leads/{phone_id}"),
        Some(json!({"models_of_interest": ["ID.4"], "source": "online"})),
    )
    .await;
    assert_daily_counts_match_the_rows(&app, "after the moves").await;
    let actor = Actor::from_user(&app.users[&Role::Admin]).unwrap();
    let days = ReportDays {
        first: store_today() - Duration::days(7),
        last: store_today(),
    };
    let period = Period {
        from: Utc::now() - Duration::days(8),
        to: Utc::now() + Duration::days(1),
    };
    let by_consultant = reports::funnel(&app.db.conn, &actor, Dimension::Consultant, period, days)
        .await
        .unwrap();
    let theirs = by_consultant[&new_owner.to_string()];
    assert_eq!(
        (theirs.test_drives, theirs.orders, theirs.deliveries),
        (1, 1, 1),
        "{by_consultant:?}"
    );
    let by_model = reports::funnel(&app.db.conn, &actor, Dimension::Model, period, days)
        .await
        .unwrap();
    assert_eq!(by_model["ID.4"].deliveries, 1, "{by_model:?}");

    // Counting everything afresh gives what the changes kept.
    fours_store::sales::funnel_days::rebuild(&app.db.conn, app.tenant_id)
        .await
        .unwrap();
    let rebuilt = reports::funnel(&app.db.conn, &actor, Dimension::Model, period, days)
        .await
        .unwrap();
    assert_eq!(rebuilt, by_model);
    assert_daily_counts_match_the_rows(&app, "rebuilt").await;
}

on_both_databases!(
    a_walk_in_with_a_phone_becomes_a_graded_lead,
    follow_ups_keep_the_grades_rhythm_and_scopes_hold,
    managers_reassign_leads_and_the_history_keeps_who_had_them,
    a_defeat_is_requested_then_approved_or_rejected,
    each_store_sets_its_own_cadence,
    a_prospect_drives_is_quoted_orders_and_takes_delivery,
    order_numbers_stay_unique_under_concurrent_orders,
    the_report_counts_each_stage_within_the_callers_scope,
    the_daily_counts_follow_every_change_the_funnel_counts,
);
