//! The vehicle archive through the HTTP API, on SQLite and PostgreSQL: VIN and plate rules,
//! duplicates, search, mileage history and ownership transfers.

mod common;
mod fixtures;

use std::sync::Arc;

use axum::http::StatusCode;
use common::TestApp;
use fixtures::{
    create_customer, create_vehicle, error_codes, error_fields, id_of, kinds, mobile, urlencode,
    vin,
};
use fours_domain::access::Role;
use serde_json::{Value, json};

/// A valid Chinese VIN (correct check digit `X`).
const CN_VIN: &str = "LSVAU218XN2183294";
/// A genuine Audi VIN whose check digit is wrong by the North-American rule.
const AUDI_VIN: &str = "WAUAV94L78D029364";

async fn get(app: &TestApp, role: Role, path: &str) -> Value {
    let (status, body) = app.call("GET", path, Some(app.token(role)), None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).to_string()
}

async fn valid_vin_and_plate_create_a_vehicle_and_make_a_customer(app: Arc<TestApp>) {
    let token = app.token(Role::SalesConsultant);
    let owner = create_customer(&app, token, json!({"name": "陈静", "mobile": mobile(1)})).await;
    assert_eq!(owner["class"], "prospect", "no car yet: {owner}");
    let owner_id = id_of(&owner);

    let (status, created) = app
        .call(
            "POST",
            "/api/v1/vehicles",
            Some(token),
            Some(json!({"vin": CN_VIN, "plate": "粤B12345", "customer_id": owner_id, "brand": "大众"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["warnings"], json!([]), "{created}");
    assert_eq!(created["vin"], CN_VIN);
    assert_eq!(created["plate"], "粤B12345");
    assert_eq!(created["customer_id"], json!(owner_id));
    assert_eq!(created["store_id"], json!(app.store_id), "owner's store");

    let shown = get(
        &app,
        Role::SalesConsultant,
        &format!("/api/v1/vehicles/{}", id_of(&created)),
    )
    .await;
    assert_eq!(shown["vin"], CN_VIN);
    assert_eq!(shown["customer_id"], json!(owner_id));

    let owner = get(
        &app,
        Role::SalesConsultant,
        &format!("/api/v1/customers/{owner_id}"),
    )
    .await;
    assert_eq!(owner["class"], "customer", "owns a car now: {owner}");
    let timeline = get(
        &app,
        Role::SalesConsultant,
        &format!("/api/v1/customers/{owner_id}/timeline"),
    )
    .await;
    assert!(
        kinds(&timeline).contains(&"vehicle_added".to_owned()),
        "{timeline}"
    );
}

async fn vin_and_plate_are_normalised(app: Arc<TestApp>) {
    let token = app.token(Role::ServiceAdvisor);
    let created = create_vehicle(
        &app,
        token,
        json!({"vin": " lsvau218xn 2183294 ", "plate": "粤b·12345", "store_id": app.store_id}),
    )
    .await;
    assert_eq!(created["vin"], CN_VIN);
    assert_eq!(created["plate"], "粤B12345");
    assert_eq!(created["warnings"], json!([]));
}

async fn a_european_vin_is_accepted_with_a_warning(app: Arc<TestApp>) {
    let created = create_vehicle(
        &app,
        app.token(Role::ServiceAdvisor),
        json!({"vin": AUDI_VIN, "plate": "京A88888", "store_id": app.store_id}),
    )
    .await;
    assert_eq!(created["vin"], AUDI_VIN);
    assert_eq!(created["warnings"], json!(["vin_check_digit"]), "{created}");
}

async fn bad_vins_and_plates_are_refused_with_the_field_named(app: Arc<TestApp>) {
    let token = app.token(Role::ServiceAdvisor);
    let cases = [
        ("LSVAU218XN218329", "vin.length"),   // 16 characters
        ("LSVAU218XN21832944", "vin.length"), // 18 characters
        ("LSVAU218XN218329I", "vin.characters"),
        ("LSVAU218XN218329O", "vin.characters"),
        ("LSVAU218XN218329Q", "vin.characters"),
        ("", "required"),
    ];
    for (bad, code) in cases {
        let (status, body) = app
            .call(
                "POST",
                "/api/v1/vehicles",
                Some(token),
                Some(json!({"vin": bad, "plate": "粤B12345", "store_id": app.store_id})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "validation", "{body}");
        assert_eq!(error_fields(&body), vec!["vin"], "{bad}: {body}");
        assert_eq!(error_codes(&body), vec![code], "{bad}: {body}");
        assert!(
            body["error"]["fields"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    for bad in ["粤B1", "粤B12#45", "粤B123456789012"] {
        let (status, body) = app
            .call(
                "POST",
                "/api/v1/vehicles",
                Some(token),
                Some(json!({"vin": CN_VIN, "plate": bad, "store_id": app.store_id})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(error_fields(&body), vec!["plate"], "{bad}: {body}");
        assert_eq!(error_codes(&body), vec!["plate.format"], "{bad}: {body}");
    }
    // Both wrong: both reported at once.
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/vehicles",
            Some(token),
            Some(json!({"vin": "SHORT", "plate": "?", "store_id": app.store_id})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(fields, vec!["plate", "vin"], "{body}");
    // Nothing was saved along the way.
    let list = get(&app, Role::ServiceAdvisor, "/api/v1/vehicles").await;
    assert_eq!(list["items"], json!([]), "{list}");
}

async fn new_energy_plates_are_accepted(app: Arc<TestApp>) {
    let created = create_vehicle(
        &app,
        app.token(Role::ServiceAdvisor),
        json!({"vin": vin(7), "plate": "粤BD12345", "store_id": app.store_id}),
    )
    .await;
    assert_eq!(created["plate"], "粤BD12345");
    assert_eq!(created["warnings"], json!([]), "{created}");
}

async fn a_duplicate_vin_answers_409_with_the_existing_id(app: Arc<TestApp>) {
    let token = app.token(Role::ServiceAdvisor);
    let first = create_vehicle(
        &app,
        token,
        json!({"vin": CN_VIN, "plate": "粤B12345", "store_id": app.store_id}),
    )
    .await;
    // The same VIN typed differently is still the same car.
    for again in [CN_VIN, "lsvau218xn2183294", "LSVAU 218XN 2183294"] {
        let (status, body) = app
            .call(
                "POST",
                "/api/v1/vehicles",
                Some(token),
                Some(json!({"vin": again, "plate": "粤B54321", "store_id": app.store_id})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}: {body}");
        assert_eq!(body["error"]["code"], "duplicate", "{body}");
        assert_eq!(body["error"]["existing_id"], first["id"], "{body}");
        assert_eq!(error_fields(&body), vec!["vin"], "{body}");
    }
    // Changing another vehicle's VIN to the first one's is a duplicate too.
    let second = create_vehicle(
        &app,
        token,
        json!({"vin": vin(2), "store_id": app.store_id}),
    )
    .await;
    let (status, body) = app
        .call(
            "PATCH",
            &format!("/api/v1/vehicles/{}", id_of(&second)),
            Some(token),
            Some(json!({"vin": CN_VIN})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["existing_id"], first["id"]);
}

async fn search_by_plate_and_vin_finds_the_vehicle_and_its_owner(app: Arc<TestApp>) {
    let token = app.token(Role::SalesConsultant);
    let owner = create_customer(&app, token, json!({"name": "黄磊", "mobile": mobile(2)})).await;
    let other_owner =
        create_customer(&app, token, json!({"name": "周敏", "mobile": mobile(3)})).await;
    let car = create_vehicle(
        &app,
        token,
        json!({"vin": CN_VIN, "plate": "粤B12345", "customer_id": owner["id"]}),
    )
    .await;
    let other_vin = vin(987_654);
    create_vehicle(
        &app,
        token,
        json!({"vin": other_vin, "plate": "京A99887", "customer_id": other_owner["id"]}),
    )
    .await;

    for q in [
        "粤B12345",
        "粤b 12345",
        "B123",
        "b123",
        "12345",
        CN_VIN,
        "183294",
    ] {
        let found = get(
            &app,
            Role::SalesConsultant,
            &format!("/api/v1/vehicles?q={}", urlencode(q)),
        )
        .await;
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "vehicles?q={q}: {found}");
        assert_eq!(items[0]["id"], car["id"], "vehicles?q={q}");
    }
    let found = get(
        &app,
        Role::SalesConsultant,
        &format!("/api/v1/vehicles?q={}", &other_vin[11..]),
    )
    .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["items"][0]["plate"], "京A99887");
    let found = get(&app, Role::SalesConsultant, "/api/v1/vehicles?q=ZZZ999").await;
    assert_eq!(found["items"], json!([]), "{found}");

    for q in ["粤B12345", "B12345", CN_VIN, "183294"] {
        let found = get(
            &app,
            Role::SalesConsultant,
            &format!("/api/v1/customers?q={}", urlencode(q)),
        )
        .await;
        let items = found["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "customers?q={q}: {found}");
        assert_eq!(items[0]["id"], owner["id"], "customers?q={q}");
    }
}

async fn mileage_history_is_kept_oldest_first_and_never_runs_backwards(app: Arc<TestApp>) {
    let token = app.token(Role::ServiceAdvisor);
    let car = create_vehicle(
        &app,
        token,
        json!({"vin": CN_VIN, "plate": "粤B12345", "store_id": app.store_id}),
    )
    .await;
    let path = format!("/api/v1/vehicles/{}/mileage", id_of(&car));
    // Posted out of order: the back-dated reading fits between the other two.
    for (km, day) in [
        (1_000, days_ago(30)),
        (5_000, days_ago(10)),
        (3_000, days_ago(20)),
    ] {
        let (status, body) = app
            .call(
                "POST",
                &path,
                Some(token),
                Some(json!({"km": km, "read_on": day, "source": "service"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{km} km on {day}: {body}");
        assert_eq!(body["km"], km);
        assert_eq!(body["read_on"], day);
    }
    let readings = get(&app, Role::ServiceAdvisor, &path).await;
    let kms: Vec<i64> = readings
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["km"].as_i64().unwrap())
        .collect();
    assert_eq!(kms, vec![1_000, 3_000, 5_000], "oldest first: {readings}");
    let days: Vec<&str> = readings
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["read_on"].as_str().unwrap())
        .collect();
    assert_eq!(days, vec![days_ago(30), days_ago(20), days_ago(10)]);

    // Today, lower than ten days ago: refused.
    let (status, body) = app
        .call("POST", &path, Some(token), Some(json!({"km": 4_000})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["km"], "{body}");
    assert_eq!(error_codes(&body), vec!["mileage.decreasing"], "{body}");
    // Same day as the 5 000 km reading, lower: refused too.
    let (status, body) = app
        .call(
            "POST",
            &path,
            Some(token),
            Some(json!({"km": 4_999, "read_on": days_ago(10)})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_codes(&body), vec!["mileage.decreasing"], "{body}");
    // Negative odometer.
    let (status, body) = app
        .call("POST", &path, Some(token), Some(json!({"km": -1})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["km"], "{body}");

    let readings = get(&app, Role::ServiceAdvisor, &path).await;
    assert_eq!(
        readings.as_array().unwrap().len(),
        3,
        "refusals saved nothing"
    );
    let car = get(
        &app,
        Role::ServiceAdvisor,
        &format!("/api/v1/vehicles/{}", id_of(&car)),
    )
    .await;
    assert_eq!(car["mileage_km"], 5_000, "latest odometer: {car}");

    // A higher reading today is fine and becomes the vehicle's mileage.
    let (status, _) = app
        .call("POST", &path, Some(token), Some(json!({"km": 6_000})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let car = get(
        &app,
        Role::ServiceAdvisor,
        &format!("/api/v1/vehicles/{}", id_of(&car)),
    )
    .await;
    assert_eq!(car["mileage_km"], 6_000);
}

async fn a_back_dated_reading_cannot_exceed_a_later_one(app: Arc<TestApp>) {
    let token = app.token(Role::ServiceAdvisor);
    let car = create_vehicle(
        &app,
        token,
        json!({"vin": CN_VIN, "store_id": app.store_id}),
    )
    .await;
    let path = format!("/api/v1/vehicles/{}/mileage", id_of(&car));
    for (km, day) in [(1_000, days_ago(30)), (5_000, days_ago(10))] {
        let (status, body) = app
            .call(
                "POST",
                &path,
                Some(token),
                Some(json!({"km": km, "read_on": day})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // 9 000 km forty days ago, yet 1 000 km thirty days ago: the odometer would run backwards.
    let (status, body) = app
        .call(
            "POST",
            &path,
            Some(token),
            Some(json!({"km": 9_000, "read_on": days_ago(40)})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_codes(&body), vec!["mileage.decreasing"], "{body}");
    let car = get(
        &app,
        Role::ServiceAdvisor,
        &format!("/api/v1/vehicles/{}", id_of(&car)),
    )
    .await;
    assert_eq!(car["mileage_km"], 5_000, "the latest reading: {car}");
}

async fn transfer_moves_the_car_and_keeps_the_history(app: Arc<TestApp>) {
    let consultant = app.token(Role::SalesConsultant);
    let seller = create_customer(
        &app,
        consultant,
        json!({"name": "林涛", "mobile": mobile(10)}),
    )
    .await;
    let buyer = create_customer(
        &app,
        consultant,
        json!({"name": "郑丽", "mobile": mobile(11)}),
    )
    .await;
    let car = create_vehicle(
        &app,
        consultant,
        json!({"vin": CN_VIN, "plate": "粤B12345", "customer_id": seller["id"]}),
    )
    .await;
    let car_id = id_of(&car);
    let seller_path = format!("/api/v1/customers/{}", id_of(&seller));
    let buyer_path = format!("/api/v1/customers/{}", id_of(&buyer));
    assert_eq!(
        get(&app, Role::SalesConsultant, &seller_path).await["class"],
        "customer"
    );
    assert_eq!(
        get(&app, Role::SalesConsultant, &buyer_path).await["class"],
        "prospect"
    );

    let transfer = format!("/api/v1/vehicles/{car_id}/transfer");
    // A consultant sees the car (own customer) but may not transfer it.
    let (status, body) = app
        .call(
            "POST",
            &transfer,
            Some(consultant),
            Some(json!({"customer_id": buyer["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let unchanged = get(
        &app,
        Role::SalesConsultant,
        &format!("/api/v1/vehicles/{car_id}"),
    )
    .await;
    assert_eq!(
        unchanged["customer_id"], seller["id"],
        "403 changed nothing"
    );

    let (status, moved) = app
        .call(
            "POST",
            &transfer,
            Some(app.token(Role::SalesManager)),
            Some(json!({"customer_id": buyer["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["customer_id"], buyer["id"]);
    let shown = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/vehicles/{car_id}"),
    )
    .await;
    assert_eq!(shown["customer_id"], buyer["id"]);

    let owners = get(
        &app,
        Role::SalesManager,
        &format!("/api/v1/vehicles/{car_id}/owners"),
    )
    .await;
    let owners = owners.as_array().unwrap();
    assert_eq!(owners.len(), 2, "{owners:?}");
    assert_eq!(owners[0]["customer_id"], seller["id"]);
    assert!(owners[0]["ended_on"].is_string(), "first ended: {owners:?}");
    assert_eq!(owners[1]["customer_id"], buyer["id"]);
    assert!(
        owners[1]["ended_on"].is_null(),
        "second current: {owners:?}"
    );
    assert_eq!(owners[1]["started_on"], owners[0]["ended_on"]);

    let seller_timeline = get(&app, Role::SalesManager, &format!("{seller_path}/timeline")).await;
    assert!(
        kinds(&seller_timeline).contains(&"vehicle_transferred_out".to_owned()),
        "{seller_timeline}"
    );
    let buyer_timeline = get(&app, Role::SalesManager, &format!("{buyer_path}/timeline")).await;
    assert!(
        kinds(&buyer_timeline).contains(&"vehicle_transferred_in".to_owned()),
        "{buyer_timeline}"
    );
    let seller = get(&app, Role::SalesManager, &seller_path).await;
    assert_eq!(seller["class"], "prospect", "no car any more: {seller}");
    let buyer = get(&app, Role::SalesManager, &buyer_path).await;
    assert_eq!(buyer["class"], "customer", "{buyer}");

    // The seller's vehicles no longer include it; the buyer's do.
    let of_seller = get(
        &app,
        Role::SalesManager,
        &format!(
            "/api/v1/vehicles?customer_id={}",
            seller["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(of_seller["items"], json!([]));
    let of_buyer = get(
        &app,
        Role::SalesManager,
        &format!(
            "/api/v1/vehicles?customer_id={}",
            buyer["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(of_buyer["items"][0]["id"], json!(car_id));

    // Transferring to the current owner is refused.
    let (status, body) = app
        .call(
            "POST",
            &transfer,
            Some(app.token(Role::SalesManager)),
            Some(json!({"customer_id": buyer["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["customer_id"]);
}

async fn a_transfer_cannot_predate_the_current_ownership(app: Arc<TestApp>) {
    let manager = app.token(Role::SalesManager);
    let seller = create_customer(
        &app,
        manager,
        json!({"name": "卖家", "mobile": mobile(901)}),
    )
    .await;
    let buyer = create_customer(
        &app,
        manager,
        json!({"name": "买家", "mobile": mobile(902)}),
    )
    .await;
    let car = create_vehicle(
        &app,
        manager,
        json!({"vin": vin(901), "customer_id": seller["id"], "delivery_date": "2024-05-01"}),
    )
    .await;
    let path = format!("/api/v1/vehicles/{}/transfer", car["id"].as_str().unwrap());
    let (status, body) = app
        .call(
            "POST",
            &path,
            Some(manager),
            Some(json!({"customer_id": buyer["id"], "date": "2024-04-30"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_codes(&body), vec!["transfer.before_current_owner"]);
    let (status, _) = app
        .call(
            "POST",
            &path,
            Some(manager),
            Some(json!({"customer_id": buyer["id"], "date": "2024-05-02"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

on_both_databases!(
    a_transfer_cannot_predate_the_current_ownership,
    valid_vin_and_plate_create_a_vehicle_and_make_a_customer,
    vin_and_plate_are_normalised,
    a_european_vin_is_accepted_with_a_warning,
    bad_vins_and_plates_are_refused_with_the_field_named,
    new_energy_plates_are_accepted,
    a_duplicate_vin_answers_409_with_the_existing_id,
    search_by_plate_and_vin_finds_the_vehicle_and_its_owner,
    mileage_history_is_kept_oldest_first_and_never_runs_backwards,
    a_back_dated_reading_cannot_exceed_a_later_one,
    transfer_moves_the_car_and_keeps_the_history,
);
