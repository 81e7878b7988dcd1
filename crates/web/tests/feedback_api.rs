//! Surveys and complaints through the HTTP API, on SQLite and PostgreSQL: the store's SSI and
//! CSI templates made on first read, a phone response's index, top box, NPS and CS gap, a low
//! answer opening one complaint, a mobile link answered once, a complaint from intake to close
//! and reopened, escalation of missed deadlines, the two-week close rate and recovery, and the
//! refusals (bad input naming fields, another dealer group, roles without the right).

mod common;
mod fixtures;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use fixtures::{create_customer, error_fields, id_of, kinds, mobile, ok};
use fours_domain::access::Role;
use fours_store::care::entities::outbox_message;
use fours_store::care::feedback::{complaint, survey_answer, survey_response, survey_template};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

const CARE: Role = Role::CustomerCare;

async fn customer(app: &TestApp, serial: u32) -> Uuid {
    let created = create_customer(
        app,
        app.token(CARE),
        json!({"name": format!("回访客户{serial}"), "mobile": mobile(70_000 + serial)}),
    )
    .await;
    id_of(&created)
}

/// A CSI answer set: overall 9, recommend 10, advisor 5, waiting expected 3 and experienced
/// `waited`, fixed first time and explained.
fn csi_answers(waited: i64) -> Value {
    json!({"overall": 9, "recommend": 10, "advisor": 5, "waiting_expected": 3,
           "waiting_actual": waited, "fixed_first_time": true, "work_explained": "yes",
           "comments": "服务不错"})
}

async fn record(app: &TestApp, customer: Uuid, answers: Value) -> Value {
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/survey-responses",
            Some(app.token(CARE)),
            Some(json!({"customer_id": customer, "template_code": "csi", "answers": answers})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn templates_are_created_lazily_and_changed_by_set_up(app: Arc<TestApp>) {
    let count = || async {
        survey_template::Entity::find()
            .filter(survey_template::Column::TenantId.eq(app.tenant_id))
            .count(&app.db.conn)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0, "nothing before the first read");
    let listed = ok(&app, CARE, "GET", "/api/v1/surveys", None).await;
    let codes: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["csi", "ssi"], "{listed}");
    let csi = &listed[0];
    assert_eq!(csi["store_id"], json!(app.store_id));
    assert_eq!(csi["touch_point"], "service");
    let questions = csi["questions"].as_array().unwrap();
    assert!(
        questions
            .iter()
            .any(|q| q["nps"] == true && q["kind"] == "scale10")
    );
    assert!(questions.iter().any(|q| q["pair"]["side"] == "expectation"));
    assert!(questions[0]["text"].as_str().unwrap().contains("满意"));
    // Reading again makes nothing new; the group's admin sees both stores (made for the other).
    ok(&app, CARE, "GET", "/api/v1/surveys", None).await;
    assert_eq!(count().await, 2);
    let all = ok(&app, Role::Admin, "GET", "/api/v1/surveys", None).await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    assert_eq!(count().await, 4);

    // A store's own template, by the store manager; its questions are checked.
    let body = json!({"code": "test_drive", "name": "试驾回访", "touch_point": "test_drive",
        "questions": [
            {"code": "overall", "text": "试驾体验打几分？", "kind": "scale10", "required": true},
            {"code": "contact", "text": "希望怎样联系您？", "kind": "choice", "options": ["电话", "微信"]}]});
    let (status, denied) = app
        .call(
            "POST",
            "/api/v1/surveys",
            Some(app.token(CARE)),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{denied}");
    let created = ok(
        &app,
        Role::StoreManager,
        "POST",
        "/api/v1/surveys",
        Some(body.clone()),
    )
    .await;
    let (status, duplicate) = app
        .call(
            "POST",
            "/api/v1/surveys",
            Some(app.token(Role::StoreManager)),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{duplicate}");
    let (status, refused) = app
        .call(
            "PUT",
            &format!("/api/v1/surveys/{}", id_of(&created)),
            Some(app.token(Role::StoreManager)),
            Some(json!({"questions": [
                {"code": "pick", "text": "选一个", "kind": "choice", "options": ["一"]},
                {"code": "again", "text": "再推荐", "kind": "scale5", "nps": true}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let fields = error_fields(&refused);
    assert!(fields.contains(&"questions.pick".to_owned()), "{refused}");
    assert!(fields.contains(&"questions.again".to_owned()), "{refused}");
    let changed = ok(
        &app,
        Role::StoreManager,
        "PUT",
        &format!("/api/v1/surveys/{}", id_of(&created)),
        Some(json!({"name": "试驾后回访", "active": false})),
    )
    .await;
    assert_eq!(changed["name"], "试驾后回访");
    assert_eq!(changed["active"], false);
    assert_eq!(changed["questions"].as_array().unwrap().len(), 2);
}

async fn a_response_gives_its_index_top_box_nps_and_cs_gap(app: Arc<TestApp>) {
    let customer = customer(&app, 1).await;
    let recorded = record(&app, customer, csi_answers(4)).await;
    // Satisfaction answers: 90, 100, 100, 75 (experienced wait), 100, 100; the expectation
    // (50) stays out.
    assert_eq!(recorded["index"], 94.2, "{recorded}");
    assert_eq!(recorded["top_box"], 83.3);
    assert_eq!(recorded["response"]["index_score"], 94);
    assert_eq!(recorded["response"]["nps"], 10);
    assert_eq!(recorded["response"]["status"], "answered");
    assert_eq!(recorded["response"]["channel"], "phone");
    assert_eq!(
        recorded["gaps"],
        json!([{"pair": "waiting_time", "expectation": 50, "performance": 75, "gap": 25, "reading": "above"}])
    );
    assert!(recorded["complaint_id"].is_null(), "no low answer");
    assert_eq!(recorded["answers"].as_array().unwrap().len(), 8);
    let shown = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/survey-responses/{}", id_of(&recorded["response"])),
        None,
    )
    .await;
    assert_eq!(shown["index"], 94.2);
    // A second response: a detractor (recommend 6) with a wait as expected.
    let mut answers = csi_answers(3);
    answers["recommend"] = json!(6);
    answers["overall"] = json!(7);
    record(&app, customer, answers).await;

    let report = ok(
        &app,
        Role::StoreManager,
        "GET",
        "/api/v1/reports/surveys?template_code=csi",
        None,
    )
    .await;
    // One promoter, one detractor.
    assert_eq!(report["total"]["nps"], 0.0, "{report}");
    assert_eq!(report["total"]["recommend_answers"], 2);
    assert_eq!(report["total"]["answers"], 12);
    let question = |key: &str| {
        report["by_question"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} in {report}"))
    };
    assert_eq!(question("csi.overall")["index"], 80.0);
    assert_eq!(question("csi.overall")["top_box"], 50.0);
    assert_eq!(question("csi.waiting_actual")["index"], 62.5);
    assert!(
        !report["by_question"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["key"] == "csi.waiting_expected"),
        "expectations are not satisfaction"
    );
    let pair = &report["pairs"][0];
    assert_eq!(pair["pair"], "waiting_time");
    assert_eq!(pair["expectation"], 50.0);
    assert_eq!(pair["performance"], 62.5);
    assert_eq!(pair["gap"], 12.5);
    assert_eq!(pair["reading"], "above");
    let month = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string();
    let trend = report["by_month"].as_array().unwrap();
    assert_eq!(trend.len(), 6, "{report}");
    assert_eq!(trend.last().unwrap()["key"], month);
    assert_eq!(trend.last().unwrap()["answers"], 12);
    assert_eq!(report["by_store"][0]["key"], json!(app.store_id));
    assert_eq!(report["by_touch_point"][0]["key"], "service");
}

async fn a_low_answer_opens_exactly_one_complaint(app: Arc<TestApp>) {
    let customer = customer(&app, 2).await;
    // The experienced wait scores 0 (1 of 5), and nothing else is low.
    let recorded = record(&app, customer, csi_answers(1)).await;
    let complaint_id = recorded["complaint_id"]
        .as_str()
        .unwrap_or_else(|| panic!("a complaint: {recorded}"));
    let response_id = id_of(&recorded["response"]);
    let linked = complaint::Entity::find()
        .filter(complaint::Column::TenantId.eq(app.tenant_id))
        .filter(complaint::Column::SurveyResponseId.eq(response_id))
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(linked.len(), 1);
    let opened = &linked[0];
    assert_eq!(opened.id.to_string(), complaint_id);
    assert_eq!(opened.channel, "survey");
    assert_eq!(opened.severity, "medium");
    assert_eq!(opened.customer_id, customer);
    assert_eq!(opened.owner_id, Some(app.users[&CARE].id));
    assert!(opened.words.contains("等候时间"), "{}", opened.words);
    let listed = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/complaints?customer_id={customer}"),
        None,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    // A good response opens nothing.
    record(&app, customer, csi_answers(5)).await;
    let listed = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/complaints?customer_id={customer}"),
        None,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let timeline = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/customers/{customer}/timeline"),
        None,
    )
    .await;
    let kinds = kinds(&timeline);
    assert_eq!(kinds.iter().filter(|k| *k == "survey_answered").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "complaint_opened").count(), 1);
}

async fn a_mobile_link_is_answered_once(app: Arc<TestApp>) {
    let customer = customer(&app, 3).await;
    let sent = ok(
        &app,
        CARE,
        "POST",
        "/api/v1/survey-responses/links",
        Some(json!({"customer_id": customer, "template_code": "ssi"})),
    )
    .await;
    let path = sent["path"].as_str().unwrap().to_owned();
    let token = path.strip_prefix("/s/").expect("a /s/ path").to_owned();
    assert!(sent["url"].as_str().unwrap().ends_with(&path));
    assert_eq!(sent["response"]["status"], "sent");
    assert_eq!(sent["response"]["channel"], "link");
    assert!(sent["response"].get("token_hash").is_none(), "{sent}");
    let response_id = id_of(&sent["response"]);
    // Only the hash is kept, and the invitation waits in the outbox.
    let stored = survey_response::Entity::find_by_id((app.tenant_id, response_id))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    let hash = stored.token_hash.unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(&token));
    let message = outbox_message::Entity::find()
        .filter(outbox_message::Column::TenantId.eq(app.tenant_id))
        .filter(outbox_message::Column::RelatedId.eq(response_id))
        .one(&app.db.conn)
        .await
        .unwrap()
        .expect("the invitation");
    assert_eq!(message.kind, "survey_invite");
    assert!(message.body.contains(&token), "{}", message.body);

    // The customer's page, without signing in.
    let link = format!("/api/v1/survey-links/{token}");
    let (status, linked) = app.call("GET", &link, None, None).await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert!(linked["questions"].as_array().unwrap().len() >= 5);
    let page = app
        .raw(Request::get(&path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let answers = json!({"answers": {"overall": 10, "recommend": 9, "consultant": 5,
        "handover_expected": 4, "handover_actual": 4, "delivery_explained": true}});
    let (status, answered) = app.call("POST", &link, None, Some(answers.clone())).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    let (status, again) = app.call("POST", &link, None, Some(answers)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    assert_eq!(again["error"]["fields"][0]["field"], "token");
    assert_eq!(again["error"]["fields"][0]["code"], "survey.link_used");
    let (status, _) = app.call("GET", &link, None, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app
        .raw(Request::get(&path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(page.status(), StatusCode::GONE);
    let (status, _) = app
        .call("GET", "/api/v1/survey-links/nonsense.token", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let shown = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/survey-responses/{response_id}"),
        None,
    )
    .await;
    assert_eq!(shown["response"]["status"], "answered");
    assert_eq!(shown["response"]["nps"], 9);
    assert_eq!(shown["gaps"][0]["reading"], "equal");
    let rows = survey_answer::Entity::find()
        .filter(survey_answer::Column::TenantId.eq(app.tenant_id))
        .filter(survey_answer::Column::ResponseId.eq(response_id))
        .count(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(rows, 6, "answered once");
}

async fn intake(app: &TestApp, customer: Uuid, severity: &str) -> Value {
    let (status, created) = app
        .call(
            "POST",
            "/api/v1/complaints",
            Some(app.token(CARE)),
            Some(json!({"customer_id": customer, "channel": "call", "category": "staff_attitude",
                        "severity": severity, "words": "接待时服务顾问态度冷淡，等了半小时没人理。"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn take_step(app: &TestApp, id: Uuid, body: Value) -> (StatusCode, Value) {
    app.call(
        "POST",
        &format!("/api/v1/complaints/{id}/steps"),
        Some(app.token(CARE)),
        Some(body),
    )
    .await
}

/// Responds, analyses, resolves and closes a complaint.
async fn settle(app: &TestApp, id: Uuid) {
    for body in [
        json!({"step": "respond", "note": "已致电致歉"}),
        json!({"step": "analyse", "gaps": ["delivery"], "cause": "未按接待标准"}),
        json!({"step": "resolve", "resolution": "赠送一次免费保养"}),
        json!({"step": "close", "customer_confirmed": true}),
    ] {
        let (status, moved) = take_step(app, id, body).await;
        assert_eq!(status, StatusCode::OK, "{moved}");
    }
}

async fn a_complaint_walks_from_intake_to_close_and_reopens(app: Arc<TestApp>) {
    let customer = customer(&app, 4).await;
    let created = intake(&app, customer, "high").await;
    let id = id_of(&created);
    assert_eq!(created["status"], "open");
    assert_eq!(created["number"], "A1-CP-000001");
    assert_eq!(created["owner_id"], json!(app.users[&CARE].id));
    let opened: chrono::DateTime<Utc> = created["opened_at"].as_str().unwrap().parse().unwrap();
    let respond_by: chrono::DateTime<Utc> =
        created["respond_by"].as_str().unwrap().parse().unwrap();
    let resolve_by: chrono::DateTime<Utc> =
        created["resolve_by"].as_str().unwrap().parse().unwrap();
    assert_eq!(respond_by - opened, Duration::hours(4));
    assert_eq!(resolve_by - opened, Duration::hours(48));

    let (status, moved) =
        take_step(&app, id, json!({"step": "respond", "note": "已致电致歉"})).await;
    assert_eq!(
        (status, moved["status"].clone()),
        (StatusCode::OK, json!("responded"))
    );
    let (status, refused) = take_step(&app, id, json!({"step": "analyse", "cause": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused), ["gaps"]);
    let (status, refused) = take_step(
        &app,
        id,
        json!({"step": "close", "customer_confirmed": true}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused["error"]["fields"][0]["code"],
        "complaint.transition"
    );
    let (status, moved) = take_step(
        &app,
        id,
        json!({"step": "analyse", "gaps": ["delivery", "communication"], "cause": "未按接待标准执行",
               "actions": "晨会重申接待标准"}),
    )
    .await;
    assert_eq!(
        (status, moved["status"].clone()),
        (StatusCode::OK, json!("analysed"))
    );
    assert_eq!(moved["gaps"], json!(["delivery", "communication"]));
    let (status, moved) = take_step(
        &app,
        id,
        json!({"step": "resolve", "resolution": "店长致歉，赠送保养"}),
    )
    .await;
    assert_eq!(
        (status, moved["status"].clone()),
        (StatusCode::OK, json!("resolved"))
    );
    let (status, refused) = take_step(&app, id, json!({"step": "close"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused), ["customer_confirmed"]);
    let (status, moved) = take_step(
        &app,
        id,
        json!({"step": "close", "customer_confirmed": true}),
    )
    .await;
    assert_eq!(
        (status, moved["status"].clone()),
        (StatusCode::OK, json!("closed"))
    );
    assert_eq!(moved["customer_confirmed"], true);
    let (status, refused) = take_step(&app, id, json!({"step": "respond"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["fields"][0]["code"], "complaint.closed");

    let detail = ok(&app, CARE, "GET", &format!("/api/v1/complaints/{id}"), None).await;
    let moves: Vec<(String, String)> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["from_status"].as_str().unwrap().to_owned(),
                h["to_status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("new", "open"),
        ("open", "responded"),
        ("responded", "analysed"),
        ("analysed", "resolved"),
        ("resolved", "closed"),
    ]
    .map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(moves, expected);
    assert_eq!(detail["history"][1]["note"], "已致电致歉");
    assert_eq!(detail["history"][1]["by_id"], json!(app.users[&CARE].id));

    // Not settled after all: reopened, counted, owed a response again.
    let (status, moved) =
        take_step(&app, id, json!({"step": "reopen", "note": "客户再次来电"})).await;
    assert_eq!(
        (status, moved["status"].clone()),
        (StatusCode::OK, json!("open"))
    );
    assert_eq!(moved["reopened"], 1);
    assert!(moved["closed_at"].is_null() && moved["responded_at"].is_null());
    assert_eq!(moved["customer_confirmed"], false);
    settle(&app, id).await;
    let (_, moved) = take_step(&app, id, json!({"step": "reopen"})).await;
    assert_eq!(moved["reopened"], 2);
    let detail = ok(&app, CARE, "GET", &format!("/api/v1/complaints/{id}"), None).await;
    assert_eq!(detail["history"].as_array().unwrap().len(), 11);
    assert_eq!(detail["customer_name"], "回访客户4");

    // The manager hands it to the store manager and raises its severity.
    let manager = app.users[&Role::StoreManager].id;
    let changed = ok(
        &app,
        CARE,
        "PATCH",
        &format!("/api/v1/complaints/{id}"),
        Some(json!({"owner_id": manager, "severity": "critical"})),
    )
    .await;
    assert_eq!(changed["owner_id"], json!(manager));
    assert_eq!(changed["severity"], "critical");

    let timeline = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/customers/{customer}/timeline"),
        None,
    )
    .await;
    let kinds = kinds(&timeline);
    for kind in [
        "complaint_opened",
        "complaint_responded",
        "complaint_analysed",
        "complaint_resolved",
        "complaint_closed",
        "complaint_reopened",
        "complaint_changed",
    ] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} in {kinds:?}");
    }
}

async fn missed_deadlines_escalate_once(app: Arc<TestApp>) {
    let customer = customer(&app, 5).await;
    let critical = id_of(&intake(&app, customer, "critical").await);
    let low = id_of(&intake(&app, customer, "low").await);
    let later = Utc::now() + Duration::hours(3);
    let escalated = fours_store::care::complaints::escalate_overdue(&app.db, later)
        .await
        .unwrap();
    assert_eq!(escalated, 1, "only the critical one is past its 2 hours");
    let again = fours_store::care::complaints::escalate_overdue(&app.db, later)
        .await
        .unwrap();
    assert_eq!(again, 0, "once");
    let detail = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/complaints/{critical}"),
        None,
    )
    .await;
    assert!(detail["escalated_at"].is_string(), "{detail}");
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["note"], "首次响应超时");
    assert!(last["by_id"].is_null());
    let quiet = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/complaints/{low}"),
        None,
    )
    .await;
    assert!(quiet["escalated_at"].is_null());
    // A week on, the low one has missed both its deadlines too.
    let week = Utc::now() + Duration::days(8);
    assert_eq!(
        fours_store::care::complaints::escalate_overdue(&app.db, week)
            .await
            .unwrap(),
        1
    );
    let timeline = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/customers/{customer}/timeline"),
        None,
    )
    .await;
    assert_eq!(
        kinds(&timeline)
            .iter()
            .filter(|k| *k == "complaint_escalated")
            .count(),
        2
    );
    // As the list shows it once the deadline really passed.
    let stored = complaint::Entity::find_by_id((app.tenant_id, critical))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    let mut past: complaint::ActiveModel = stored.into();
    past.respond_by = Set(Utc::now() - Duration::minutes(5));
    past.update(&app.db.conn).await.unwrap();
    let overdue = ok(&app, CARE, "GET", "/api/v1/complaints?overdue=true", None).await;
    let overdue = overdue.as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["id"], json!(critical));
    assert_eq!(overdue[0]["response_overdue"], true);
    assert_eq!(overdue[0]["resolution_overdue"], false);
}

async fn the_two_week_close_rate_and_recovery(app: Arc<TestApp>) {
    let mut ids = Vec::new();
    let mut customers = Vec::new();
    for serial in 10..14 {
        let customer = customer(&app, serial).await;
        customers.push(customer);
        ids.push(id_of(&intake(&app, customer, "medium").await));
    }
    settle(&app, ids[0]).await;
    settle(&app, ids[1]).await;
    // The third has been open for twenty days; the fourth is fresh and does not count yet.
    let stale = complaint::Entity::find_by_id((app.tenant_id, ids[2]))
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    let mut model: complaint::ActiveModel = stale.into();
    model.opened_at = Set(Utc::now() - Duration::days(20));
    model.update(&app.db.conn).await.unwrap();
    // The first one's customer came back to the showroom after the close.
    let admin = app.token(Role::Admin);
    let (status, visit) = app
        .call(
            "POST",
            "/api/v1/showroom-visits",
            Some(admin),
            Some(json!({"channel": "walk_in", "store_id": app.store_id})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{visit}");
    let (status, linked) = app
        .call(
            "POST",
            &format!("/api/v1/showroom-visits/{}/customer", id_of(&visit)),
            Some(admin),
            Some(json!({"customer_id": customers[0]})),
        )
        .await;
    assert!(status.is_success(), "{linked}");

    let kpis = ok(&app, CARE, "GET", "/api/v1/reports/complaints", None).await;
    let total = &kpis["total"];
    assert_eq!(total["opened"], 4, "{kpis}");
    assert_eq!(total["closed"], 2);
    assert_eq!(total["open_over_two_weeks"], 1);
    assert_eq!(total["two_week_close_rate"], 66.7);
    assert_eq!(total["recovered"], 1);
    assert_eq!(total["recovery_rate"], 50.0);
    assert!(total["avg_response_hours"].as_f64().is_some());
    assert!(total["avg_resolution_hours"].as_f64().is_some());
    assert_eq!(kpis["by_category"][0]["key"], "staff_attitude");
    assert_eq!(kpis["by_store"][0]["key"], json!(app.store_id));
    assert_eq!(kpis["by_store"][0]["two_week_close_rate"], 66.7);
}

async fn bad_input_names_its_fields_and_saves_nothing(app: Arc<TestApp>) {
    let (status, refused) = app
        .call(
            "POST",
            "/api/v1/complaints",
            Some(app.token(CARE)),
            Some(json!({"channel": "fax", "category": "", "severity": "urgent", "words": "  "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let mut fields = error_fields(&refused);
    fields.sort();
    assert_eq!(
        fields,
        ["category", "channel", "customer_id", "severity", "words"]
    );
    let customer = customer(&app, 20).await;
    let (status, refused) = app
        .call(
            "POST",
            "/api/v1/survey-responses",
            Some(app.token(CARE)),
            Some(
                json!({"customer_id": customer, "template_code": "csi", "answers": {
                "overall": 11, "recommend": 8, "waiting_expected": 0, "waiting_actual": 3,
                "fixed_first_time": "maybe", "work_explained": true, "colour": "red"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let fields = error_fields(&refused);
    for field in [
        "answers.overall",
        "answers.advisor",
        "answers.waiting_expected",
        "answers.fixed_first_time",
        "answers",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field} in {refused}");
    }
    // The message names the question in Chinese.
    assert!(
        refused["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().unwrap().starts_with("总体满意度")),
        "{refused}"
    );
    let (status, refused) = app
        .call(
            "POST",
            "/api/v1/survey-responses",
            Some(app.token(CARE)),
            Some(json!({"customer_id": customer, "template_code": "nps_only", "answers": {}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused), ["template_code"]);
    let responses = survey_response::Entity::find()
        .filter(survey_response::Column::TenantId.eq(app.tenant_id))
        .count(&app.db.conn)
        .await
        .unwrap();
    let answers = survey_answer::Entity::find()
        .filter(survey_answer::Column::TenantId.eq(app.tenant_id))
        .count(&app.db.conn)
        .await
        .unwrap();
    let complaints = complaint::Entity::find()
        .filter(complaint::Column::TenantId.eq(app.tenant_id))
        .count(&app.db.conn)
        .await
        .unwrap();
    assert_eq!((responses, answers, complaints), (0, 0, 0));
    let id = id_of(&intake(&app, customer, "low").await);
    let (status, refused) = take_step(&app, id, json!({"step": "fly"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&refused), ["step"]);
    let (status, refused) = app
        .call(
            "PATCH",
            &format!("/api/v1/complaints/{id}"),
            Some(app.token(CARE)),
            Some(json!({"owner_id": app.users[&Role::Technician].id})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused), ["owner_id"]);
    let detail = ok(&app, CARE, "GET", &format!("/api/v1/complaints/{id}"), None).await;
    assert_eq!(detail["status"], "open");
    assert_eq!(detail["history"].as_array().unwrap().len(), 1);
}

async fn another_dealer_group_sees_none_of_it(app: Arc<TestApp>) {
    let customer = customer(&app, 30).await;
    let complaint = id_of(&intake(&app, customer, "medium").await);
    let response = id_of(&record(&app, customer, csi_answers(4)).await["response"]);
    let template = id_of(&ok(&app, CARE, "GET", "/api/v1/surveys", None).await[0]);
    let rival = Some(app.foreign_token.as_str());
    for (method, path, body) in [
        ("GET", format!("/api/v1/complaints/{complaint}"), None),
        (
            "PATCH",
            format!("/api/v1/complaints/{complaint}"),
            Some(json!({"severity": "low"})),
        ),
        (
            "POST",
            format!("/api/v1/complaints/{complaint}/steps"),
            Some(json!({"step": "respond"})),
        ),
        ("GET", format!("/api/v1/survey-responses/{response}"), None),
        ("GET", format!("/api/v1/surveys/{template}"), None),
        (
            "PUT",
            format!("/api/v1/surveys/{template}"),
            Some(json!({"active": false})),
        ),
    ] {
        let (status, answer) = app.call(method, &path, rival, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
    }
    let (_, listed) = app.call("GET", "/api/v1/complaints", rival, None).await;
    assert_eq!(listed, json!([]));
    let (_, listed) = app
        .call("GET", "/api/v1/survey-responses", rival, None)
        .await;
    assert_eq!(listed, json!([]));
    let (status, refused) = app
        .call(
            "POST",
            "/api/v1/complaints",
            rival,
            Some(json!({"customer_id": customer, "channel": "call", "category": "other", "words": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(error_fields(&refused), ["customer_id"]);
    let detail = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/complaints/{complaint}"),
        None,
    )
    .await;
    assert_eq!(detail["status"], "open");
    assert_eq!(detail["severity"], "medium");
}

async fn roles_without_the_right_are_refused(app: Arc<TestApp>) {
    let customer = customer(&app, 40).await;
    let complaint = id_of(&intake(&app, customer, "medium").await);
    let technician = Some(app.token(Role::Technician));
    for (method, path, body) in [
        ("GET", "/api/v1/complaints".to_owned(), None),
        (
            "POST",
            "/api/v1/complaints".to_owned(),
            Some(
                json!({"customer_id": customer, "channel": "call", "category": "other", "words": "x"}),
            ),
        ),
        ("GET", format!("/api/v1/complaints/{complaint}"), None),
        ("GET", "/api/v1/surveys".to_owned(), None),
        (
            "POST",
            "/api/v1/survey-responses".to_owned(),
            Some(json!({"customer_id": customer, "template_code": "csi", "answers": {}})),
        ),
        ("GET", "/api/v1/reports/surveys".to_owned(), None),
        ("GET", "/api/v1/reports/complaints".to_owned(), None),
    ] {
        let (status, answer) = app.call(method, &path, technician, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "forbidden");
    }
    // An advisor takes complaints but does not run them.
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/v1/complaints/{complaint}/steps"),
            Some(app.token(Role::ServiceAdvisor)),
            Some(json!({"step": "respond"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Customer care runs them but does not edit survey templates.
    let (status, _) = app
        .call(
            "PUT",
            &format!(
                "/api/v1/surveys/{}",
                id_of(&ok(&app, CARE, "GET", "/api/v1/surveys", None).await[0])
            ),
            Some(app.token(CARE)),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let detail = ok(
        &app,
        CARE,
        "GET",
        &format!("/api/v1/complaints/{complaint}"),
        None,
    )
    .await;
    assert_eq!(
        detail["history"].as_array().unwrap().len(),
        1,
        "nothing moved"
    );
}

on_both_databases!(
    templates_are_created_lazily_and_changed_by_set_up,
    a_response_gives_its_index_top_box_nps_and_cs_gap,
    a_low_answer_opens_exactly_one_complaint,
    a_mobile_link_is_answered_once,
    a_complaint_walks_from_intake_to_close_and_reopens,
    missed_deadlines_escalate_once,
    the_two_week_close_rate_and_recovery,
    bad_input_names_its_fields_and_saves_nothing,
    another_dealer_group_sees_none_of_it,
    roles_without_the_right_are_refused,
);
