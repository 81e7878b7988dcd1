//! Merging duplicate customers through the HTTP API, on SQLite and PostgreSQL.

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use fixtures::{create_customer, create_vehicle, error_fields, id_of, kinds, mobile, vin};
use fours_domain::access::Role;
use serde_json::{Value, json};
use uuid::Uuid;

async fn get(app: &TestApp, role: Role, path: &str) -> Value {
    let (status, body) = app.call("GET", path, Some(app.token(role)), None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

struct Pair {
    keep: Value,
    duplicate: Value,
    vehicle: Value,
}

/// The same person entered twice: once at reception (mobile only), once by sales with a car,
/// family, e-mail and address.
async fn duplicates(app: &TestApp) -> Pair {
    let reception = app.token(Role::Receptionist);
    let keep = create_customer(
        app,
        reception,
        json!({"name": "张伟", "mobile": mobile(100), "tags": ["展厅"]}),
    )
    .await;
    let duplicate = create_customer(
        app,
        app.token(Role::SalesManager),
        json!({
            "name": "张伟",
            "mobile": mobile(101),
            "email": "zhangwei@example.com",
            "address": "广州市天河区体育西路1号",
            "occupation": "工程师",
            "tags": ["VIP", "展厅"],
            "family": [
                {"name": "李娜", "relation": "spouse"},
                {"name": "张小伟", "relation": "child", "birthday": "2015-06-01"}
            ]
        }),
    )
    .await;
    assert_eq!(duplicate["family"].as_array().unwrap().len(), 2);
    let vehicle = create_vehicle(
        app,
        app.token(Role::SalesManager),
        json!({"vin": vin(42), "plate": "粤A42424", "customer_id": duplicate["id"]}),
    )
    .await;
    Pair {
        keep,
        duplicate,
        vehicle,
    }
}

async fn sales_manager_merges_a_duplicate_into_the_kept_record(app: Arc<TestApp>) {
    let Pair {
        keep,
        duplicate,
        vehicle,
    } = duplicates(&app).await;
    let keep_id = id_of(&keep);
    let duplicate_id = id_of(&duplicate);
    let manager = app.token(Role::SalesManager);

    let (status, merged) = app
        .call(
            "POST",
            &format!("/api/v1/customers/{keep_id}/merge"),
            Some(manager),
            Some(json!({"merge_id": duplicate_id})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["id"], json!(keep_id));

    // The duplicate is gone.
    let (status, body) = app
        .call(
            "GET",
            &format!("/api/v1/customers/{duplicate_id}"),
            Some(manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let listed = get(
        &app,
        Role::SalesManager,
        "/api/v1/customers?q=%E5%BC%A0%E4%BC%9F",
    )
    .await;
    let ids: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, vec![&json!(keep_id)], "only the kept 张伟 is listed");

    // The car now belongs to the kept record, and so does its ownership history.
    let car = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/vehicles/{}", id_of(&vehicle)),
    )
    .await;
    assert_eq!(car["customer_id"], json!(keep_id), "{car}");
    let owners = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/vehicles/{}/owners", id_of(&vehicle)),
    )
    .await;
    assert_eq!(owners.as_array().unwrap().len(), 1, "{owners}");
    assert_eq!(owners[0]["customer_id"], json!(keep_id), "{owners}");

    // The kept record: its own values win, its gaps are filled from the duplicate.
    let kept = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/customers/{keep_id}"),
    )
    .await;
    assert_eq!(kept["mobile"], mobile(100), "kept value wins: {kept}");
    assert_eq!(kept["email"], "zhangwei@example.com", "filled: {kept}");
    assert_eq!(kept["address"], "广州市天河区体育西路1号", "filled: {kept}");
    assert_eq!(kept["occupation"], "工程师", "filled: {kept}");
    let mut tags: Vec<&str> = kept["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        vec!["VIP", "展厅"],
        "tags united without repeats: {kept}"
    );
    let mut family: Vec<&str> = kept["family"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    family.sort();
    assert_eq!(family, vec!["张小伟", "李娜"], "family moved: {kept}");
    assert_eq!(kept["class"], "customer", "owns the car now: {kept}");

    // Timeline: the merge itself, and the duplicate's history moved over.
    let timeline = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/customers/{keep_id}/timeline"),
    )
    .await;
    let kinds = kinds(&timeline);
    assert!(kinds.contains(&"customer_merged".to_owned()), "{timeline}");
    assert!(kinds.contains(&"vehicle_added".to_owned()), "{timeline}");
    let merged_event = timeline
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "customer_merged")
        .unwrap();
    assert_eq!(
        merged_event["actor_id"],
        json!(app.users[&Role::SalesManager].id)
    );

    // Audited, with both records as they were.
    let audit = fours_store::audit::list(&app.db.conn, app.tenant_id, Some(keep_id), 10)
        .await
        .expect("audit");
    let merge_rows: Vec<_> = audit.iter().filter(|row| row.action == "merge").collect();
    assert_eq!(merge_rows.len(), 1, "{audit:?}");
    let row = merge_rows[0];
    assert_eq!(row.entity, "customer");
    assert_eq!(row.actor_id, Some(app.users[&Role::SalesManager].id));
    let before = row.before.as_ref().expect("before");
    assert_eq!(before["merged"]["id"], json!(duplicate_id));
    assert_eq!(before["kept"]["id"], json!(keep_id));
    assert!(
        before["merged"].get("id_number_cipher").is_none(),
        "no sealed PII in the audit trail"
    );
    assert!(row.after.is_some());

    // The duplicate's mobile is free again for a new customer.
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/customers",
            Some(manager),
            Some(json!({"name": "别人", "mobile": mobile(101)})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn only_merge_roles_may_merge(app: Arc<TestApp>) {
    let Pair {
        keep, duplicate, ..
    } = duplicates(&app).await;
    let path = format!("/api/v1/customers/{}/merge", id_of(&keep));
    for role in [
        Role::SalesConsultant,
        Role::Receptionist,
        Role::ServiceAdvisor,
        Role::CustomerCare,
    ] {
        let (status, body) = app
            .call(
                "POST",
                &path,
                Some(app.token(role)),
                Some(json!({"merge_id": duplicate["id"]})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    // Nothing happened.
    let still = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/customers/{}", id_of(&duplicate)),
    )
    .await;
    assert_eq!(still["id"], duplicate["id"]);
    let audit = fours_store::audit::list(&app.db.conn, app.tenant_id, Some(id_of(&keep)), 10)
        .await
        .unwrap();
    assert!(audit.iter().all(|row| row.action != "merge"), "{audit:?}");
}

async fn a_customer_cannot_be_merged_with_itself(app: Arc<TestApp>) {
    let Pair { keep, .. } = duplicates(&app).await;
    let keep_id = id_of(&keep);
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/customers/{keep_id}/merge"),
            Some(app.token(Role::SalesManager)),
            Some(json!({"merge_id": keep_id})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["merge_id"], "{body}");
    let still = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/customers/{keep_id}"),
    )
    .await;
    assert_eq!(still["id"], json!(keep_id));
}

async fn merging_unknown_or_foreign_customers_is_404(app: Arc<TestApp>) {
    let Pair {
        keep, duplicate, ..
    } = duplicates(&app).await;
    let manager = app.token(Role::SalesManager);
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/v1/customers/{}/merge", id_of(&keep)),
            Some(manager),
            Some(json!({"merge_id": Uuid::now_v7()})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            "POST",
            &format!("/api/v1/customers/{}/merge", id_of(&keep)),
            Some(&app.foreign_token),
            Some(json!({"merge_id": duplicate["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Both still there.
    for customer in [&keep, &duplicate] {
        get(
            &app,
            Role::SalesManager,
            &format!("/api/v1/customers/{}", id_of(customer)),
        )
        .await;
    }
}

on_both_databases!(
    sales_manager_merges_a_duplicate_into_the_kept_record,
    only_merge_roles_may_merge,
    a_customer_cannot_be_merged_with_itself,
    merging_unknown_or_foreign_customers_is_404,
);
