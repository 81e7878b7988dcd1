//! Who may do what, as a matrix: every role × every `/api/v1` endpoint. A role without the
//! endpoint's permission gets 403; a role with it never does. Without a token every endpoint
//! answers 401; another dealer group's admin gets 404 for our records.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use fours_domain::access::{Permission, Role};
use serde_json::{Value, json};

struct Endpoint {
    method: &'static str,
    path: String,
    body: Option<Value>,
    permission: Permission,
}

fn endpoint(
    method: &'static str,
    path: String,
    body: Option<Value>,
    permission: Permission,
) -> Endpoint {
    Endpoint {
        method,
        path,
        body,
        permission,
    }
}

/// Every endpoint that acts on records, with ids of records that exist in the tenant.
fn endpoints(customer: &str, other_customer: &str, vehicle: &str) -> Vec<Endpoint> {
    use Permission::*;
    vec![
        endpoint("GET", "/api/v1/customers".into(), None, CustomerRead),
        endpoint(
            "POST",
            "/api/v1/customers".into(),
            Some(json!({"name": "矩阵"})),
            CustomerWrite,
        ),
        endpoint(
            "GET",
            format!("/api/v1/customers/{customer}"),
            None,
            CustomerRead,
        ),
        endpoint(
            "PATCH",
            format!("/api/v1/customers/{customer}"),
            Some(json!({"notes": "x"})),
            CustomerWrite,
        ),
        endpoint(
            "GET",
            format!("/api/v1/customers/{customer}/timeline"),
            None,
            CustomerRead,
        ),
        endpoint(
            "GET",
            format!("/api/v1/customers/{customer}/id-number"),
            None,
            RevealIdNumber,
        ),
        endpoint(
            "POST",
            format!("/api/v1/customers/{customer}/merge"),
            Some(json!({"merge_id": customer})),
            CustomerMerge,
        ),
        endpoint(
            "DELETE",
            format!("/api/v1/customers/{other_customer}"),
            None,
            CustomerDelete,
        ),
        endpoint("GET", "/api/v1/vehicles".into(), None, VehicleRead),
        endpoint(
            "POST",
            "/api/v1/vehicles".into(),
            Some(json!({"vin": "bad"})),
            VehicleWrite,
        ),
        endpoint(
            "GET",
            format!("/api/v1/vehicles/{vehicle}"),
            None,
            VehicleRead,
        ),
        endpoint(
            "PATCH",
            format!("/api/v1/vehicles/{vehicle}"),
            Some(json!({"colour": "白"})),
            VehicleWrite,
        ),
        endpoint(
            "GET",
            format!("/api/v1/vehicles/{vehicle}/mileage"),
            None,
            VehicleRead,
        ),
        endpoint(
            "POST",
            format!("/api/v1/vehicles/{vehicle}/mileage"),
            Some(json!({"km": 1})),
            VehicleWrite,
        ),
        endpoint(
            "GET",
            format!("/api/v1/vehicles/{vehicle}/owners"),
            None,
            VehicleRead,
        ),
        endpoint(
            "POST",
            format!("/api/v1/vehicles/{vehicle}/transfer"),
            Some(json!({"customer_id": customer})),
            VehicleTransfer,
        ),
        endpoint(
            "DELETE",
            format!("/api/v1/vehicles/{vehicle}"),
            None,
            CustomerDelete,
        ),
        endpoint("GET", "/api/v1/vehicle-models".into(), None, VehicleRead),
        endpoint("GET", "/api/v1/audit".into(), None, ReadAudit),
    ]
}

/// Two customers of the store (the first with an ID number and a car), and the car.
async fn fixtures(app: &TestApp) -> (String, String, String) {
    let admin = app.token(Role::Admin);
    let bodies = [
        json!({"name": "甲", "mobile": "13511112222", "id_number": "11010519491231002X", "store_id": app.store_id}),
        json!({"name": "乙", "mobile": "13533334444", "store_id": app.store_id}),
    ];
    let mut ids = Vec::new();
    for body in bodies {
        let (status, created) = app
            .call("POST", "/api/v1/customers", Some(admin), Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let (status, vehicle) = app
        .call(
            "POST",
            "/api/v1/vehicles",
            Some(admin),
            Some(json!({"vin": "LSVAU218XN2183294", "plate": "粤A12345", "customer_id": ids[0]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vehicle}");
    (
        ids[0].clone(),
        ids[1].clone(),
        vehicle["id"].as_str().unwrap().to_owned(),
    )
}

async fn every_role_against_every_endpoint(app: Arc<TestApp>) {
    let (customer, other, vehicle) = fixtures(&app).await;
    let mut checked = 0;
    for role in Role::ALL {
        for ep in endpoints(&customer, &other, &vehicle) {
            // Destructive calls run last in the list, but each role needs the records intact:
            // deletes are checked for the verdict only with a role that may not delete.
            if ep.method == "DELETE" && role.allows(ep.permission) {
                continue;
            }
            let (status, body) = app
                .call(ep.method, &ep.path, Some(app.token(role)), ep.body.clone())
                .await;
            if role.allows(ep.permission) {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role:?} {} {}: {body}",
                    ep.method,
                    ep.path
                );
                assert!(
                    !status.is_server_error(),
                    "{role:?} {} {}: {body}",
                    ep.method,
                    ep.path
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role:?} {} {}: {body}",
                    ep.method,
                    ep.path
                );
                assert_eq!(body["error"]["code"], "forbidden");
            }
            checked += 1;
        }
    }
    assert!(checked > 12 * 15, "the matrix covered {checked} cells");
    for ep in endpoints(&customer, &other, &vehicle)
        .into_iter()
        .filter(|ep| ep.method == "DELETE")
    {
        let (status, _) = app
            .call(
                ep.method,
                &ep.path,
                Some(app.token(Role::StoreManager)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{}", ep.path);
    }
}

async fn no_token_is_401_and_another_group_sees_nothing(app: Arc<TestApp>) {
    let (customer, other, vehicle) = fixtures(&app).await;
    for ep in endpoints(&customer, &other, &vehicle) {
        let (status, body) = app.call(ep.method, &ep.path, None, ep.body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{} {}",
            ep.method,
            ep.path
        );
        assert_eq!(body["error"]["code"], "unauthorized");
        if ep.path.contains(&customer) || ep.path.contains(&other) || ep.path.contains(&vehicle) {
            let (status, _) = app
                .call(
                    ep.method,
                    &ep.path,
                    Some(&app.foreign_token),
                    ep.body.clone(),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "another group's admin: {} {}",
                ep.method,
                ep.path
            );
        }
    }
    let (_, page) = app
        .call("GET", "/api/v1/customers", Some(&app.foreign_token), None)
        .await;
    assert_eq!(page["items"], json!([]), "another group's list is empty");
}

async fn phones_and_id_numbers_follow_need_to_know(app: Arc<TestApp>) {
    let (customer, _, _) = fixtures(&app).await;
    let path = format!("/api/v1/customers/{customer}");
    let (_, advisor_view) = app
        .call("GET", &path, Some(app.token(Role::ServiceAdvisor)), None)
        .await;
    assert_eq!(advisor_view["mobile"], "13511112222");
    let (_, technician_view) = app
        .call("GET", &path, Some(app.token(Role::Technician)), None)
        .await;
    assert_eq!(technician_view["mobile"], "135****2222");
    assert_eq!(technician_view["phones_masked"], true);
    assert_eq!(technician_view["id_number_masked"], "1101**********002X");

    let audit_rows = || async {
        fours_store::audit::list(
            &app.db.conn,
            app.tenant_id,
            Some(customer.parse().unwrap()),
            100,
        )
        .await
        .unwrap()
    };
    let reveals = |rows: Vec<fours_store::audit::entities::audit_event::Model>| {
        rows.iter()
            .filter(|r| r.action == "reveal_id_number")
            .count()
    };
    assert_eq!(reveals(audit_rows().await), 0);
    for expected in 1..=2 {
        let (status, revealed) = app
            .call(
                "GET",
                &format!("{path}/id-number"),
                Some(app.token(Role::StoreManager)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(revealed["id_number"], "11010519491231002X");
        assert_eq!(
            reveals(audit_rows().await),
            expected,
            "each unmasked read adds one audit row"
        );
    }
}

on_both_databases!(
    every_role_against_every_endpoint,
    no_token_is_401_and_another_group_sees_nothing,
    phones_and_id_numbers_follow_need_to_know
);
