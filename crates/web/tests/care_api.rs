//! Customer care through the HTTP API, on SQLite and PostgreSQL: a delivery's care plan makes
//! its contacts once, attempts retry and close, overdue tasks escalate and are reassigned, the
//! daily date rules (birthdays, free first service, tomorrow's appointments) run idempotently,
//! and the outbox worker sends through a fake SMS gateway and SMTP sink with retries, quiet
//! hours and consent.

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use common::TestApp;
use fixtures::{create_customer, create_vehicle, error_fields, id_of, mobile, ok, refused, vin};
use fours_domain::access::Role;
use fours_domain::care::attempts::DayPart;
use fours_notify::fake::{Behaviour, FakeGateway, SmtpSink};
use fours_notify::{Channels, GatewayConfig, NotifyConfig, SmtpConfig, SmtpSecurity};
use fours_store::care::entities::{care_task, outbox_message};
use fours_store::care::generate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const SECRET: &str = "gateway-secret";

fn today() -> NaiveDate {
    Utc::now().with_timezone(&Shanghai).date_naive()
}

/// Sells and hands over a new car to a new customer of store A through the sales API; returns
/// the customer's id and the order.
async fn deliver_car(app: &TestApp, serial: u32, consent: bool) -> (Uuid, Value) {
    let customer = create_customer(
        app,
        app.token(Role::SalesConsultant),
        json!({"name": format!("新车主{serial}"), "mobile": mobile(serial), "marketing_consent": consent}),
    )
    .await;
    let lead = ok(
        app,
        Role::SalesConsultant,
        "POST",
        "/api/v1/leads",
        Some(json!({"customer_id": customer["id"], "source": "walk_in", "buys_within_days": 7})),
    )
    .await;
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    let quote = ok(
        app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/leads/{lead_id}/quotes"),
        Some(json!({"vehicle": "帕萨特 330TSI", "vehicle_price_fen": 21_990_000})),
    )
    .await;
    let stock = ok(app, Role::SalesManager, "POST", "/api/v1/stock",
        Some(json!({"vin": vin(900 + serial), "brand": "上汽大众", "series": "帕萨特", "model": "330TSI", "list_price_fen": 21_990_000}))).await;
    let order = ok(app, Role::SalesConsultant, "POST", &format!("/api/v1/leads/{lead_id}/orders"),
        Some(json!({"quote_id": quote["id"], "stock_id": stock["id"], "deposit_fen": 500_000, "payment_method": "wechat"}))).await;
    ok(app, Role::SalesConsultant, "POST",
        &format!("/api/v1/orders/{}/delivery", order["id"].as_str().unwrap()),
        Some(json!({"documents_checked": true, "functions_explained": true, "plate": format!("粤B{serial:05}")}))).await;
    (id_of(&customer), order)
}

async fn tasks_of(app: &TestApp, customer: Uuid) -> Vec<care_task::Model> {
    care_task::Entity::find()
        .filter(care_task::Column::TenantId.eq(app.tenant_id))
        .filter(care_task::Column::CustomerId.eq(customer))
        .all(&app.db.conn)
        .await
        .unwrap()
}

async fn messages_of(app: &TestApp, customer: Uuid) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::TenantId.eq(app.tenant_id))
        .filter(outbox_message::Column::CustomerId.eq(customer))
        .all(&app.db.conn)
        .await
        .unwrap()
}

async fn run_care(app: &TestApp) -> Value {
    ok(app, Role::StoreManager, "POST", "/api/v1/care-runs", None).await
}

async fn a_delivery_makes_its_care_contacts_once(app: Arc<TestApp>) {
    let (customer, order) = deliver_car(&app, 1, true).await;
    run_care(&app).await;
    let tasks = tasks_of(&app, customer).await;
    let titles: Vec<(&str, &str)> = tasks
        .iter()
        .map(|t| (t.assignee_role.as_str(), t.status.as_str()))
        .collect();
    // The thank-you message, the manager's 24-hour call, the consultant's 7-day call, the
    // 1-month visit and five contacts every two months in the first year.
    assert_eq!(tasks.len(), 9, "{titles:?}");
    let consultant = app.users[&Role::SalesConsultant].id;
    let seven_day = tasks
        .iter()
        .find(|t| t.survey.as_deref() == Some("ssi"))
        .expect("the 7-day call asks the SSI survey");
    assert_eq!(seven_day.assignee_id, Some(consultant));
    assert_eq!(
        seven_day.related_id.map(|id| id.to_string()).as_deref(),
        order["id"].as_str()
    );
    assert_eq!((seven_day.due_at - seven_day.opens_at).num_days(), 7);
    let manager_call = tasks
        .iter()
        .find(|t| t.assignee_role == "sales_manager")
        .unwrap();
    assert_eq!(
        manager_call.assignee_id,
        Some(app.users[&Role::SalesManager].id)
    );
    assert_eq!(
        (manager_call.due_at - manager_call.opens_at).num_hours(),
        24
    );
    let thanks = messages_of(&app, customer).await;
    assert_eq!(thanks.len(), 1);
    assert_eq!(
        (thanks[0].kind.as_str(), thanks[0].channel.as_str()),
        ("delivery_thanks", "sms")
    );
    assert!(thanks[0].body.contains("新车主1"), "{}", thanks[0].body);
    // Running again (events and the day) creates nothing new.
    run_care(&app).await;
    generate::run_day(&app.db, app.tenant_id, app.store_id, today())
        .await
        .unwrap();
    assert_eq!(tasks_of(&app, customer).await.len(), 9);
    assert_eq!(messages_of(&app, customer).await.len(), 1);
    // The consultant's today page has the 7-day call; other consultants' calls are not theirs.
    let mine = ok(&app, Role::SalesConsultant, "GET", "/api/v1/tasks", None).await;
    let ids: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(ids.contains(&seven_day.id.to_string().as_str()), "{mine}");
    assert!(!ids.contains(&manager_call.id.to_string().as_str()));
    assert_eq!(mine[0]["customer_name"], "新车主1");
    // The team view is for those who run care.
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/tasks?view=team",
            Some(app.token(Role::SalesConsultant)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let team = ok(
        &app,
        Role::SalesManager,
        "GET",
        "/api/v1/tasks?view=team",
        None,
    )
    .await;
    assert!(team.as_array().unwrap().len() >= 3, "{team}");
    // Another dealer group sees none of it.
    let (status, _) = app
        .call(
            "GET",
            &format!("/api/v1/tasks/{}", seven_day.id),
            Some(&app.foreign_token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn attempts_retry_close_and_land_on_the_timeline(app: Arc<TestApp>) {
    let (customer, _) = deliver_car(&app, 2, true).await;
    run_care(&app).await;
    let tasks = tasks_of(&app, customer).await;
    let call = tasks
        .iter()
        .find(|t| t.survey.as_deref() == Some("ssi"))
        .unwrap();
    let path = format!("/api/v1/tasks/{}/attempts", call.id);
    let codes = refused(
        &app,
        Role::SalesConsultant,
        "POST",
        &path,
        json!({"outcome": "call_back"}),
    )
    .await;
    assert_eq!(codes, ["care.call_back_time"]);
    let (status, body) = app
        .call(
            "POST",
            &path,
            Some(app.token(Role::SalesConsultant)),
            Some(json!({"outcome": "maybe"})),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["outcome".to_owned()])
    );
    let day_part = |at: chrono::DateTime<Utc>| DayPart::of(at.with_timezone(&Shanghai).time());
    for _ in 0..2 {
        let task = ok(
            &app,
            Role::SalesConsultant,
            "POST",
            &path,
            Some(json!({"outcome": "not_reached", "note": "无人接听"})),
        )
        .await;
        assert_eq!(task["status"], "open");
        let retry: chrono::DateTime<Utc> =
            task["next_attempt_at"].as_str().unwrap().parse().unwrap();
        assert!(retry > Utc::now());
        assert_ne!(
            day_part(retry),
            day_part(Utc::now()),
            "tried again at another time of day"
        );
    }
    let closed = ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &path,
        Some(json!({"outcome": "not_reached"})),
    )
    .await;
    assert_eq!(
        (closed["status"].as_str(), closed["attempts"].as_i64()),
        (Some("unreached"), Some(3))
    );
    let codes = refused(
        &app,
        Role::SalesConsultant,
        "POST",
        &path,
        json!({"outcome": "reached"}),
    )
    .await;
    assert_eq!(codes, ["care.task_closed"]);
    // The visit task is reached at the first try.
    let visit = tasks.iter().find(|t| t.channel == "visit").unwrap();
    let done = ok(
        &app,
        Role::SalesConsultant,
        "POST",
        &format!("/api/v1/tasks/{}/attempts", visit.id),
        Some(json!({"outcome": "reached", "note": "客户很满意"})),
    )
    .await;
    assert_eq!(done["status"], "done");
    let detail = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!("/api/v1/tasks/{}", call.id),
        None,
    )
    .await;
    assert_eq!(detail["attempts"].as_array().unwrap().len(), 3);
    let timeline = ok(
        &app,
        Role::SalesConsultant,
        "GET",
        &format!("/api/v1/customers/{customer}/timeline"),
        None,
    )
    .await;
    let attempts = fixtures::kinds(&timeline)
        .iter()
        .filter(|k| *k == "care_attempt")
        .count();
    assert_eq!(attempts, 4);
    // A technician has no care inbox.
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/tasks",
            Some(app.token(Role::Technician)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn overdue_tasks_escalate_and_absent_users_tasks_move(app: Arc<TestApp>) {
    let (customer, _) = deliver_car(&app, 3, true).await;
    run_care(&app).await;
    let call = tasks_of(&app, customer)
        .await
        .into_iter()
        .find(|t| t.survey.as_deref() == Some("ssi"))
        .unwrap();
    let later = call.due_at + Duration::hours(25);
    let escalated = fours_store::care::tasks::escalate_overdue(&app.db.conn, later)
        .await
        .unwrap();
    assert!(escalated >= 1);
    let again = fours_store::care::tasks::escalate_overdue(&app.db.conn, later)
        .await
        .unwrap();
    assert_eq!(again, 0, "escalated once");
    let call = tasks_of(&app, customer)
        .await
        .into_iter()
        .find(|t| t.id == call.id)
        .unwrap();
    assert_eq!(call.escalated_to, Some(app.users[&Role::SalesManager].id));
    // The consultant is away: the manager hands every open task of theirs to the receptionist.
    let moved = ok(&app, Role::SalesManager, "POST", "/api/v1/tasks/reassign",
        Some(json!({"from_user_id": app.users[&Role::SalesConsultant].id, "to_user_id": app.users[&Role::Receptionist].id}))).await;
    assert!(moved["moved"].as_u64().unwrap() >= 7, "{moved}");
    let theirs = ok(&app, Role::Receptionist, "GET", "/api/v1/tasks", None).await;
    assert!(!theirs.as_array().unwrap().is_empty());
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/tasks/reassign",
            Some(app.token(Role::SalesManager)),
            Some(json!({"to_user_id": Uuid::now_v7()})),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["to_user_id".to_owned()]
        )
    );
    let (status, _) = app
        .call("POST", "/api/v1/tasks/reassign", Some(app.token(Role::SalesConsultant)),
            Some(json!({"from_user_id": app.users[&Role::SalesConsultant].id, "to_user_id": app.users[&Role::Receptionist].id})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn date_rules_run_once_a_day(app: Arc<TestApp>) {
    let day = today();
    let advisor = app.token(Role::ServiceAdvisor);
    // A birthday today (the customer agreed to care messages), and a spouse's birthday.
    // (On 29 February, 1984 is a leap year too.)
    let birthday = NaiveDate::from_ymd_opt(1984, day.month(), day.day()).unwrap();
    let celebrated = create_customer(
        &app,
        advisor,
        json!({"name": "寿星", "mobile": mobile(10),
        "birthday": birthday.to_string(), "marketing_consent": true,
        "family": [{"name": "配偶", "relation": "spouse", "birthday": birthday.to_string()}]}),
    )
    .await;
    let celebrated = id_of(&celebrated);
    // A car delivered 6 months less 14 days ago: its free first service is due in 14 days.
    let owner = id_of(
        &create_customer(
            &app,
            advisor,
            json!({"name": "首保车主", "mobile": mobile(11)}),
        )
        .await,
    );
    let delivered = shift_months_back(day + Duration::days(14), 6);
    create_vehicle(
        &app,
        advisor,
        json!({"vin": vin(11), "customer_id": owner, "plate": "粤A00011",
        "delivery_date": delivered.to_string()}),
    )
    .await;
    let first = generate::run_day(&app.db, app.tenant_id, app.store_id, day)
        .await
        .unwrap();
    let second = generate::run_day(&app.db, app.tenant_id, app.store_id, day)
        .await
        .unwrap();
    assert_eq!(second, 0, "a second run creates nothing");
    let kinds: Vec<String> = messages_of(&app, celebrated)
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert!(kinds.contains(&"birthday".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"family_birthday".to_owned()), "{kinds:?}");
    let reminder = tasks_of(&app, owner).await;
    assert_eq!(reminder.len(), 1, "the free first service reminder");
    assert_eq!(
        (
            reminder[0].assignee_role.as_str(),
            reminder[0].channel.as_str()
        ),
        ("customer_care", "phone")
    );
    assert_eq!(
        reminder[0].assignee_id,
        Some(app.users[&Role::CustomerCare].id)
    );
    assert!(first >= 1);
}

/// The same day `months` calendar months earlier (clamped to the month's end).
fn shift_months_back(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(chrono::Months::new(months)).unwrap()
}

async fn the_worker_sends_with_retries_quiet_hours_and_consent(app: Arc<TestApp>) {
    let gateway = FakeGateway::start(SECRET, Behaviour::FailFirst(1)).await;
    let sink = SmtpSink::start().await;
    let channels = Channels::new(&NotifyConfig {
        sms: Some(GatewayConfig {
            url: gateway.url(),
            secret: SECRET.into(),
            sender: None,
        }),
        email: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: sink.port(),
            from: "care@fours.test".into(),
            username: None,
            password: None,
            security: SmtpSecurity::None,
        }),
        wechat: None,
    })
    .unwrap();
    let (by_sms, _) = deliver_car(&app, 4, false).await;
    let by_email = id_of(&create_customer(&app, app.token(Role::SalesConsultant), json!({"name": "邮件客户",
        "mobile": mobile(5), "email": "owner@example.com", "preferred_channel": "email", "marketing_consent": true})).await);
    run_care(&app).await;
    let sms = messages_of(&app, by_sms).await.remove(0);
    // Queued at the quiet hours' end at the latest; nothing goes before its time.
    let at = sms.next_attempt_at.unwrap();
    assert!(!fours_domain::care::quiet::QuietHours::default().is_quiet(at, Shanghai));
    assert_eq!(
        fours_web::care_jobs::send_due(&app.db, &channels, at - Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
    // The gateway fails once (503): retried a minute later, then sent with a valid signature.
    assert_eq!(
        fours_web::care_jobs::send_due(&app.db, &channels, at)
            .await
            .unwrap(),
        1
    );
    let retried = messages_of(&app, by_sms).await.remove(0);
    assert_eq!((retried.status.as_str(), retried.attempts), ("pending", 1));
    let next = retried.next_attempt_at.unwrap();
    assert_eq!(next - at, Duration::minutes(1));
    fours_web::care_jobs::send_due(&app.db, &channels, next)
        .await
        .unwrap();
    let sent = messages_of(&app, by_sms).await.remove(0);
    assert_eq!((sent.status.as_str(), sent.attempts), ("sent", 2));
    let received = gateway.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|r| r.signature_valid));
    assert_eq!(received[1].body["to"], mobile(4));
    let timeline = ok(
        &app,
        Role::StoreManager,
        "GET",
        &format!("/api/v1/customers/{by_sms}/timeline"),
        None,
    )
    .await;
    assert!(
        fixtures::kinds(&timeline).contains(&"message_sent".to_owned()),
        "{timeline}"
    );
    // The e-mail customer's message (a special order's arrival) goes by e-mail.
    let store_id = app.store_id;
    let txn = fours_store::db::begin_write(&app.db.conn).await.unwrap();
    let mail = fours_store::care::outbox::enqueue(
        &txn,
        app.tenant_id,
        fours_store::care::outbox::NewMessage {
            store_id,
            customer_id: by_email,
            channel: fours_notify::ChannelKind::Sms,
            code: "special_order_arrived".into(),
            context: json!({"part_name": "雨刮片"}),
            related_id: None,
            at,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(mail.channel, "email");
    fours_web::care_jobs::send_due(&app.db, &channels, at)
        .await
        .unwrap();
    let delivered = sink.messages();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].to, vec!["owner@example.com".to_owned()]);
    // Marketing without consent is never sent; a reply "T" withdraws consent at once.
    let txn = fours_store::db::begin_write(&app.db.conn).await.unwrap();
    let birthday = fours_store::care::outbox::enqueue(
        &txn,
        app.tenant_id,
        fours_store::care::outbox::NewMessage {
            store_id,
            customer_id: by_sms,
            channel: fours_notify::ChannelKind::Sms,
            code: "birthday".into(),
            context: json!({}),
            related_id: None,
            at,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(birthday.status, "suppressed");
    let txn = fours_store::db::begin_write(&app.db.conn).await.unwrap();
    let anniversary = fours_store::care::outbox::enqueue(
        &txn,
        app.tenant_id,
        fours_store::care::outbox::NewMessage {
            store_id,
            customer_id: by_email,
            channel: fours_notify::ChannelKind::Sms,
            code: "purchase_anniversary".into(),
            context: json!({"years": 1}),
            related_id: None,
            at,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(anniversary.status, "pending");
    assert!(
        anniversary.body.contains(&format!("/u/{}", anniversary.id)),
        "opt-out link: {}",
        anniversary.body
    );
    let reply = json!({"from": mobile(5), "text": "T"}).to_string();
    let timestamp = Utc::now().timestamp();
    let signature = fours_notify::gateway::sign(SECRET, timestamp, reply.as_bytes());
    let mut config = fours_web::WebConfig::default();
    config.notify.sms = Some(GatewayConfig {
        url: gateway.url(),
        secret: SECRET.into(),
        sender: None,
    });
    let replies = fours_web::router(fours_web::AppState::new(app.db.clone(), config));
    let request = |signature: String| {
        axum::http::Request::post("/api/v1/messages/replies")
            .header("content-type", "application/json")
            .header("x-fours-timestamp", timestamp.to_string())
            .header("x-fours-signature", signature)
            .body(axum::body::Body::from(reply.clone()))
            .unwrap()
    };
    let forged = tower::ServiceExt::oneshot(replies.clone(), request("sha256=00".into()))
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let answered = tower::ServiceExt::oneshot(replies, request(signature))
        .await
        .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    let customer = ok(
        &app,
        Role::StoreManager,
        "GET",
        &format!("/api/v1/customers/{by_email}"),
        None,
    )
    .await;
    assert_eq!(customer["marketing_consent"], false);
    let stopped = outbox_message::Entity::find_by_id((app.tenant_id, anniversary.id))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stopped.status, "suppressed",
        "withdrawn consent stops queued marketing at once"
    );
    // The link in a marketing e-mail withdraws consent too.
    let linked = id_of(&create_customer(&app, app.token(Role::SalesConsultant), json!({"name": "链接退订",
        "mobile": mobile(6), "email": "link@example.com", "preferred_channel": "email", "marketing_consent": true})).await);
    let txn = fours_store::db::begin_write(&app.db.conn).await.unwrap();
    let greeting = fours_store::care::outbox::enqueue(
        &txn,
        app.tenant_id,
        fours_store::care::outbox::NewMessage {
            store_id,
            customer_id: linked,
            channel: fours_notify::ChannelKind::Sms,
            code: "birthday".into(),
            context: json!({}),
            related_id: None,
            at,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let name = fours_store::care::consent::opt_out_by_link(&app.db, &greeting.id.to_string())
        .await
        .unwrap();
    assert_eq!(name, "链接退订");
    let customer = ok(
        &app,
        Role::StoreManager,
        "GET",
        &format!("/api/v1/customers/{linked}"),
        None,
    )
    .await;
    assert_eq!(customer["marketing_consent"], false);
    assert!(
        fours_store::care::consent::opt_out_by_link(&app.db, &Uuid::now_v7().to_string())
            .await
            .is_err()
    );
    let report = ok(
        &app,
        Role::StoreManager,
        "GET",
        "/api/v1/reports/care",
        None,
    )
    .await;
    let row = |channel: &str| {
        let found = report["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["channel"] == channel)
            .unwrap()
            .clone();
        (found["sent"].as_u64(), found["suppressed"].as_u64())
    };
    assert_eq!(row("sms"), (Some(1), Some(1)));
    assert_eq!(row("email"), (Some(1), Some(2)));
}

async fn plans_templates_and_settings_are_edited_with_named_errors(app: Arc<TestApp>) {
    let plans = ok(&app, Role::StoreManager, "GET", "/api/v1/care-plans", None).await;
    let codes: Vec<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["plan"]["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"delivery") && codes.contains(&"service"),
        "{codes:?}"
    );
    let delivery = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["plan"]["code"] == "delivery")
        .unwrap();
    let rule = &delivery["rules"][2];
    let path = format!("/api/v1/care-rules/{}", rule["id"].as_str().unwrap());
    let (status, body) = app
        .call("PUT", &path, Some(app.token(Role::StoreManager)),
            Some(json!({"trigger": "someday", "offset_days": 9999, "action": "message", "channel": "phone",
                        "assignee": "selling_consultant", "title": ""})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        ["channel", "offset_days", "template", "title", "trigger"]
    );
    let changed = ok(&app, Role::StoreManager, "PUT", &path,
        Some(json!({"trigger": "vehicle_delivered", "offset_days": 5, "action": "task", "channel": "phone",
                    "assignee": "selling_consultant", "title": "交车5日回访", "script": "您好", "survey": "ssi"}))).await;
    assert_eq!(
        (changed["offset_days"].as_i64(), changed["title"].as_str()),
        (Some(5), Some("交车5日回访"))
    );
    let (status, _) = app.call("PUT", &path, Some(app.token(Role::CustomerCare)), Some(json!({"trigger": "vehicle_delivered",
        "offset_days": 5, "action": "task", "channel": "phone", "assignee": "selling_consultant", "title": "x"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Templates: a syntax error names the body; a good one is the store's from then on.
    let (status, body) = app
        .call("PUT", "/api/v1/message-templates", Some(app.token(Role::StoreManager)),
            Some(json!({"code": "birthday", "channel": "sms", "locale": "zh-CN", "body": "{{ customer_name"})))
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["template_body".to_owned()]
        )
    );
    ok(&app, Role::StoreManager, "PUT", "/api/v1/message-templates",
        Some(json!({"code": "birthday", "channel": "sms", "locale": "zh-CN", "body": "【{{ store_name }}】{{ customer_name }}，生日快乐！回T退订"}))).await;
    let templates = ok(
        &app,
        Role::StoreManager,
        "GET",
        "/api/v1/message-templates",
        None,
    )
    .await;
    let birthday = templates
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "birthday" && t["channel"] == "sms" && t["locale"] == "zh-CN")
        .unwrap();
    assert_eq!(birthday["customised"], true);
    // Settings: quiet hours as HH:MM, attempts within range.
    let (status, body) = app
        .call("PUT", "/api/v1/care-policy", Some(app.token(Role::StoreManager)),
            Some(json!({"quiet_start": "25:00", "quiet_end": "09:00", "max_attempts": 0, "escalation_grace_hours": 24,
                        "low_score_threshold": 60, "first_service_months": 6, "first_service_km": 5000,
                        "second_service_months": 12, "second_service_km": 10000})))
        .await;
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(
        (status, fields),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["max_attempts".to_owned(), "quiet_start".to_owned()]
        )
    );
    let policy = ok(&app, Role::StoreManager, "GET", "/api/v1/care-policy", None).await;
    assert_eq!(policy["quiet_start"], "21:00", "nothing saved");
}

on_both_databases!(
    a_delivery_makes_its_care_contacts_once,
    attempts_retry_close_and_land_on_the_timeline,
    overdue_tasks_escalate_and_absent_users_tasks_move,
    date_rules_run_once_a_day,
    the_worker_sends_with_retries_quiet_hours_and_consent,
    plans_templates_and_settings_are_edited_with_named_errors,
);
