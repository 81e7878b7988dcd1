//! Importing and exporting customers through the HTTP API, on SQLite and PostgreSQL: legacy
//! files in GBK and XLSX with bad rows and duplicates, re-imports, duplicate policies, column
//! mapping, an interrupted import resumed, and export → import round trips.

mod common;
mod fixtures;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::TestApp;
use fixtures::{create_customer, create_vehicle, id_of, mobile, resident_id, upload_csv, vin};
use fours_domain::access::Role;
use fours_onboarding::import::{ImportOptions, open_job, run_job};
use fours_sheets::{Format, write_to_bytes};
use fours_store::org::Actor;
use serde_json::{Value, json};

/// Waits for a background import to finish and returns the job.
async fn finished(app: &TestApp, job: &Value) -> Value {
    let path = format!("/api/v1/imports/{}", job["id"].as_str().unwrap());
    for _ in 0..600 {
        let (status, job) = app
            .call("GET", &path, Some(app.token(Role::Admin)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {path} did not finish");
}

async fn import(app: &TestApp, file: (&str, &[u8]), fields: &[(&str, &str)]) -> Value {
    let store = app.store_id.to_string();
    let mut all = vec![("store_id", store.as_str())];
    all.extend_from_slice(fields);
    let (status, job) = app
        .upload("/api/v1/imports", Some(app.token(Role::Admin)), file, &all)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let job = finished(app, &job).await;
    assert_eq!(job["status"], "done", "{job}");
    job
}

fn counts(job: &Value) -> [i64; 5] {
    [
        "customers_created",
        "vehicles_created",
        "records_updated",
        "duplicates",
        "rows_rejected",
    ]
    .map(|key| job[key].as_i64().unwrap())
}

async fn find(app: &TestApp, q: &str) -> Vec<Value> {
    let (status, page) = app
        .call(
            "GET",
            &format!("/api/v1/customers?q={}", fixtures::urlencode(q)),
            Some(app.token(Role::Admin)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    page["items"].as_array().unwrap().clone()
}

async fn report_csv(app: &TestApp, job: &Value) -> String {
    let path = format!(
        "/api/v1/imports/{}/report?format=csv",
        job["id"].as_str().unwrap()
    );
    let (status, bytes) = app.download(&path, app.token(Role::Admin)).await;
    assert_eq!(status, StatusCode::OK);
    String::from_utf8(bytes).unwrap()
}

/// A legacy DMS export: Chinese synonyms for headers, GBK, one customer on two rows (two
/// cars), a bad mobile, a bad VIN and a customer already in Fours.
fn legacy_rows() -> String {
    [
        "客户名称,联系电话,底盘号,车牌号,购车日期,身份证号,性别,购车价格（元）".to_owned(),
        format!(
            "王芳,{},{},粤A12345,2019/5/3,{},女,15.98万",
            mobile(1),
            vin(1),
            resident_id(1)
        ),
        format!("王芳,{},{},粤A54321,2021年6月1日,,女,", mobile(1), vin(2)),
        format!("李强,1380013,{},,,,男,", vin(3)),
        format!("赵敏,{},ABC,,,,女,", mobile(3)),
        format!("老客户,{},,,,,男,", mobile(4)),
    ]
    .join("\r\n")
}

async fn a_gbk_legacy_export_comes_in_with_a_report_of_bad_rows(app: Arc<TestApp>) {
    create_customer(
        &app,
        app.token(Role::Admin),
        json!({"name": "老客户", "mobile": mobile(4), "store_id": app.store_id}),
    )
    .await;
    let text = legacy_rows();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let job = import(&app, ("旧系统导出.csv", &gbk), &[]).await;
    // 王芳 once with two cars; 李强 and 赵敏 rejected; 老客户 matched and skipped.
    assert_eq!(counts(&job), [1, 2, 0, 2, 2], "{job}");
    let wang = find(&app, &mobile(1)).await;
    assert_eq!(wang.len(), 1);
    assert_eq!(wang[0]["name"], "王芳");
    assert_eq!(wang[0]["gender"], "female");
    assert_eq!(
        wang[0]["birthday"], "1990-01-01",
        "filled from the ID number: {}",
        wang[0]
    );
    let (_, cars) = app
        .call(
            "GET",
            &format!(
                "/api/v1/vehicles?customer_id={}",
                wang[0]["id"].as_str().unwrap()
            ),
            Some(app.token(Role::Admin)),
            None,
        )
        .await;
    let cars = cars["items"].as_array().unwrap();
    assert_eq!(cars.len(), 2, "{cars:?}");
    assert!(
        cars.iter()
            .any(|c| c["delivery_date"] == "2019-05-03" && c["purchase_price_fen"] == 15_980_000)
    );
    let report = report_csv(&app, &job).await;
    assert!(report.starts_with('\u{feff}'), "BOM for Excel");
    assert!(report.contains("4,联系电话,1380013,格式不正确"), "{report}");
    assert!(report.contains("5,底盘号,ABC,应为 17 位"), "{report}");
    assert_eq!(
        find(&app, "李强").await.len(),
        0,
        "bad rows are not imported"
    );
}

async fn reimporting_adds_nothing_and_duplicate_policies_apply(app: Arc<TestApp>) {
    let admin = app.token(Role::Admin);
    let existing = create_customer(
        &app,
        admin,
        json!({"name": "旧名字", "mobile": mobile(10), "store_id": app.store_id}),
    )
    .await;
    let rows = vec![
        vec![
            "姓名".to_owned(),
            "手机".to_owned(),
            "电子邮箱".to_owned(),
            "VIN".to_owned(),
        ],
        vec![
            "新名字".into(),
            mobile(10),
            "new@example.com".into(),
            vin(10),
        ],
        vec!["孙丽".into(), mobile(11), String::new(), vin(11)],
    ];
    let xlsx = write_to_bytes(Format::Xlsx, "客户", rows).unwrap();
    let first = import(&app, ("customers.xlsx", &xlsx), &[]).await;
    assert_eq!(counts(&first), [1, 2, 0, 1, 0], "{first}");
    let again = import(&app, ("customers.xlsx", &xlsx), &[]).await;
    assert_eq!(
        counts(&again),
        [0, 0, 0, 4, 0],
        "re-import adds nothing: {again}"
    );
    let customer_path = format!("/api/v1/customers/{}", id_of(&existing));
    let (_, skipped) = app.call("GET", &customer_path, Some(admin), None).await;
    assert_eq!(
        (skipped["name"].as_str(), skipped["email"].as_str()),
        (Some("旧名字"), None)
    );

    let update = import(
        &app,
        ("customers.xlsx", &xlsx),
        &[("on_duplicate", "update")],
    )
    .await;
    assert_eq!(update["records_updated"], 1, "{update}");
    let (_, updated) = app.call("GET", &customer_path, Some(admin), None).await;
    assert_eq!(updated["name"], "旧名字", "update keeps filled fields");
    assert_eq!(
        updated["email"], "new@example.com",
        "update fills empty ones"
    );

    let overwrite = import(
        &app,
        ("customers.xlsx", &xlsx),
        &[("on_duplicate", "overwrite")],
    )
    .await;
    assert_eq!(overwrite["customers_created"], 0, "{overwrite}");
    let (_, overwritten) = app.call("GET", &customer_path, Some(admin), None).await;
    assert_eq!(overwritten["name"], "新名字");
    let (_, audit) = app
        .call(
            "GET",
            &format!("/api/v1/audit?entity_id={}", id_of(&existing)),
            Some(admin),
            None,
        )
        .await;
    assert!(
        audit.to_string().contains("import_update"),
        "changes are audited: {audit}"
    );
}

async fn unusual_headers_are_mapped_by_choice(app: Arc<TestApp>) {
    let csv = format!("客户编号,车主,车主手机\nC001,周杰,{}\n", mobile(20));
    let (status, preview) = upload_csv(
        &app,
        "/api/v1/imports/preview",
        Some(app.token(Role::Admin)),
        &csv,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["columns"][1]["field"], "name");
    assert!(
        preview["columns"][2]["field"].is_null(),
        "车主手机 is not a known header"
    );
    assert_eq!(preview["rows"][0][2], mobile(20));
    let mapping = json!({"车主手机": "mobile", "客户编号": ""}).to_string();
    let job = import(&app, ("map.csv", csv.as_bytes()), &[("mapping", &mapping)]).await;
    assert_eq!(job["customers_created"], 1, "{job}");
    assert_eq!(find(&app, &mobile(20)).await[0]["name"], "周杰");
    let bad = json!({"车主手机": "nickname"}).to_string();
    let (status, answer) = upload_csv(
        &app,
        "/api/v1/imports",
        Some(app.token(Role::Admin)),
        &csv,
        &[("store_id", &app.store_id.to_string()), ("mapping", &bad)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["field"], "mapping");
}

/// A file of `customers` rows, two batches and a half.
fn big_file(customers: u32) -> Vec<u8> {
    let mut text = String::from("姓名,手机,车架号\n");
    for n in 0..customers {
        text.push_str(&format!("客户{n},{},{}\n", mobile(1000 + n), vin(1000 + n)));
    }
    text.into_bytes()
}

async fn snapshot(app: &TestApp) -> Vec<(String, String)> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let (_, page) = app
            .call(
                "GET",
                &format!("/api/v1/vehicles?limit=200{cursor}"),
                Some(app.token(Role::Admin)),
                None,
            )
            .await;
        for car in page["items"].as_array().unwrap() {
            all.push((
                car["vin"].as_str().unwrap().to_owned(),
                car["customer_id"].to_string(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    all.sort();
    all.into_iter()
        .map(|(vin, _)| (vin, String::new()))
        .collect()
}

async fn an_interrupted_import_resumes_to_the_result_of_a_clean_run(app: Arc<TestApp>) {
    let path = std::env::temp_dir().join(format!("fours-resume-{}.csv", uuid::Uuid::now_v7()));
    std::fs::write(&path, big_file(2_500)).unwrap();
    let actor = Actor::from_user(&app.users[&Role::Admin]).unwrap();
    let options = ImportOptions {
        store_id: app.store_id,
        ..Default::default()
    };
    let (job, resumed) = open_job(&app.db, &actor, &path, "big.csv", &options)
        .await
        .unwrap();
    assert!(!resumed);
    // Stop ("kill") the import as soon as its first batch is committed.
    let (first_batch, committed) = tokio::sync::oneshot::channel();
    let mut first_batch = Some(first_batch);
    let running = run_job(&app.db, &actor, job, &path, |job| {
        if job.rows_done > 0
            && let Some(signal) = first_batch.take()
        {
            let _ = signal.send(());
        }
    });
    tokio::select! {
        _ = running => panic!("the import finished before it could be interrupted"),
        _ = committed => {}
    }
    let (job, resumed) = open_job(&app.db, &actor, &path, "big.csv", &options)
        .await
        .unwrap();
    assert!(resumed, "the same file continues its unfinished job");
    assert!(
        job.next_row > 2 && job.next_row < 2_502,
        "stopped part-way: {}",
        job.next_row
    );
    let done = run_job(&app.db, &actor, job, &path, |_| {}).await.unwrap();
    assert_eq!(
        (
            done.customers_created,
            done.vehicles_created,
            done.rows_done,
            done.duplicates
        ),
        (2_500, 2_500, 2_500, 0),
        "nothing twice, nothing lost"
    );
    // The same file into a fresh database in one clean run gives the same archive.
    let clean = TestApp::start(app.backend).await.unwrap();
    let clean_actor = Actor::from_user(&clean.users[&Role::Admin]).unwrap();
    let options = ImportOptions {
        store_id: clean.store_id,
        ..Default::default()
    };
    let (job, _) = open_job(&clean.db, &clean_actor, &path, "big.csv", &options)
        .await
        .unwrap();
    run_job(&clean.db, &clean_actor, job, &path, |_| {})
        .await
        .unwrap();
    assert_eq!(snapshot(&app).await, snapshot(&clean).await);
    clean.finish().await;
    let _ = std::fs::remove_file(&path);
}

async fn an_export_imports_back_into_the_same_archive(app: Arc<TestApp>) {
    let admin = app.token(Role::Admin);
    let customer = create_customer(
        &app,
        admin,
        json!({"name": "钱多多", "mobile": mobile(30), "id_number": resident_id(30), "email": "qian@example.com",
               "gender": "male", "source": "referral", "marketing_consent": true, "store_id": app.store_id}),
    )
    .await;
    create_vehicle(
        &app,
        admin,
        json!({"vin": vin(30), "plate": "沪A88888", "customer_id": customer["id"], "delivery_date": "2020-02-02",
               "purchase_price_fen": 25_000_000, "mileage_km": 12_000}),
    )
    .await;
    create_customer(
        &app,
        admin,
        json!({"name": "没车的人", "mobile": mobile(31), "store_id": app.store_id}),
    )
    .await;
    for format in ["csv", "xlsx"] {
        let (status, file) = app
            .download(&format!("/api/v1/customers/export?format={format}"), admin)
            .await;
        assert_eq!(status, StatusCode::OK);
        let copy = TestApp::start(app.backend).await.unwrap();
        let job = import(&copy, (&format!("export.{format}"), &file), &[]).await;
        assert_eq!(counts(&job), [2, 1, 0, 0, 0], "{format}: {job}");
        let back = find(&copy, &mobile(30)).await;
        let original = find(&app, &mobile(30)).await;
        for field in [
            "name",
            "gender",
            "email",
            "source",
            "marketing_consent",
            "id_number_masked",
            "birthday",
        ] {
            assert_eq!(back[0][field], original[0][field], "{format}: {field}");
        }
        let (_, cars) = copy
            .call(
                "GET",
                &format!("/api/v1/vehicles?q={}", vin(30)),
                Some(copy.token(Role::Admin)),
                None,
            )
            .await;
        let car = &cars["items"][0];
        assert_eq!(
            (car["plate"].as_str(), car["purchase_price_fen"].as_i64()),
            (Some("沪A88888"), Some(25_000_000))
        );
        copy.finish().await;
    }
    // Marketing may export, with phones masked; the export is audited.
    let (status, file) = app
        .download(
            "/api/v1/customers/export?format=csv",
            app.token(Role::Marketing),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(file).unwrap();
    assert!(
        !text.contains(&mobile(30)) && text.contains(&mobile(30)[7..]),
        "{text}"
    );
    let (_, audit) = app.call("GET", "/api/v1/audit", Some(admin), None).await;
    assert!(audit.to_string().contains("\"export\""), "{audit}");
}

async fn a_filtered_vehicle_list_exports_with_its_owners(app: Arc<TestApp>) {
    let admin = app.token(Role::Admin);
    for (n, name, plate) in [(40, "孙车主", "京B12345"), (41, "周车主", "京C54321")] {
        let owner = create_customer(
            &app,
            admin,
            json!({"name": name, "mobile": mobile(n), "store_id": app.store_id}),
        )
        .await;
        create_vehicle(
            &app,
            admin,
            json!({"vin": vin(n), "plate": plate, "customer_id": owner["id"]}),
        )
        .await;
    }
    let (status, file) = app
        .download(
            &format!("/api/v1/vehicles/export?format=csv&q={}", vin(40)),
            app.token(Role::Marketing),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "header and the one matching car: {text}");
    assert!(
        lines[1].contains(&vin(40)) && lines[1].contains("孙车主"),
        "{text}"
    );
    assert!(!text.contains(&vin(41)), "{text}");
    assert!(
        !text.contains(&mobile(40)) && text.contains(&mobile(40)[7..]),
        "marketing sees masked phones: {text}"
    );
    let (status, file) = app
        .download("/api/v1/vehicles/export?format=xlsx", admin)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(file.starts_with(b"PK"), "an XLSX file is a zip archive");
    let (_, audit) = app.call("GET", "/api/v1/audit", Some(admin), None).await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "export" && e["entity"] == "vehicle"),
        "{audit}"
    );
}

on_both_databases!(
    a_gbk_legacy_export_comes_in_with_a_report_of_bad_rows,
    reimporting_adds_nothing_and_duplicate_policies_apply,
    unusual_headers_are_mapped_by_choice,
    an_interrupted_import_resumes_to_the_result_of_a_clean_run,
    an_export_imports_back_into_the_same_archive,
    a_filtered_vehicle_list_exports_with_its_owners,
);
