//! Generated dealer-group data sets (see `fours-datagen`) as import files, or loaded straight
//! into the database through the same batches as an import.

use std::path::Path;

use chrono::{NaiveDate, Utc};
use fours_datagen::{GeneratedCustomer, GeneratedVehicle, customers};
use fours_sheets::{Format, TableWriter};
use fours_store::Database;
use fours_store::customers::input::{CustomerInput, FamilyMemberInput};
use fours_store::customers::new_model;
use fours_store::onboarding::{
    self as jobs, NewJob, PreparedRow, entities::import_job, write_batch,
};
use fours_store::org::Actor;
use fours_store::vehicles::{self, VehicleInput};
use sea_orm::Set;
use uuid::Uuid;

use crate::OnboardingError;
use crate::export::{headers, ordered};
use crate::import::BATCH_ROWS;

/// The customer as the API would receive it.
pub fn customer_input(generated: &GeneratedCustomer) -> CustomerInput {
    CustomerInput {
        name: Some(generated.name.clone()),
        gender: Some(generated.gender.as_str().to_owned()),
        mobile: Some(generated.mobile.clone()),
        wechat: generated.wechat.clone(),
        email: generated.email.clone(),
        birthday: Some(generated.birthday.to_string()),
        id_number: generated.id_number.clone(),
        address: Some(format!("{}{}", generated.city, generated.address)),
        postcode: Some(generated.postcode.clone()),
        occupation: generated.occupation.map(str::to_owned),
        hobbies: Some(generated.hobbies.join("、")),
        compound: generated.compound.clone(),
        source: Some(generated.source.to_owned()),
        info_source: Some(generated.info_source.to_owned()),
        preferred_channel: Some(generated.preferred_channel.to_owned()),
        marketing_consent: Some(generated.marketing_consent),
        family: Some(
            generated
                .family
                .iter()
                .map(|member| FamilyMemberInput {
                    name: member.name.clone(),
                    relation: member.relation.to_owned(),
                    birthday: Some(member.birthday.to_string()),
                    mobile: None,
                })
                .collect(),
        ),
        ..Default::default()
    }
}

/// The car as the API would receive it (its mileage history is recorded separately).
pub fn vehicle_input(car: &GeneratedVehicle) -> VehicleInput {
    let delivered = Some(car.delivery_date.to_string());
    VehicleInput {
        vin: Some(car.vin.clone()),
        plate: Some(car.plate.clone()),
        engine_no: Some(car.engine_no.clone()),
        brand: Some(car.brand.to_owned()),
        series: Some(car.series.to_owned()),
        model: Some(car.model.to_owned()),
        trim: Some(car.trim.to_owned()),
        colour: Some(car.colour.to_owned()),
        production_date: Some(car.production_date.to_string()),
        delivery_date: delivered.clone(),
        licence_date: delivered.clone(),
        warranty_start: delivered,
        warranty_months: Some(36),
        warranty_km: Some(100_000),
        purchase_price_fen: Some(car.purchase_price_fen),
        insurer: Some(car.insurer.to_owned()),
        insurance_expiry: Some(car.insurance_expiry.to_string()),
        ..Default::default()
    }
}

fn file_cells(customer: &GeneratedCustomer, car: Option<&GeneratedVehicle>) -> Vec<String> {
    let person = customer_input(customer);
    let yes_no = |consent: bool| if consent { "是" } else { "否" };
    let gender = if person.gender.as_deref() == Some("male") {
        "男"
    } else {
        "女"
    };
    let mut cells = vec![
        ("name", customer.name.clone()),
        ("gender", gender.to_owned()),
        ("mobile", customer.mobile.clone()),
        ("birthday", customer.birthday.to_string()),
        (
            "marketing_consent",
            yes_no(customer.marketing_consent).to_owned(),
        ),
    ];
    let optional = [
        ("wechat", person.wechat),
        ("email", person.email),
        ("id_number", person.id_number),
        ("address", person.address),
        ("postcode", person.postcode),
        ("occupation", person.occupation),
        ("compound", person.compound),
        ("source", person.source),
        ("preferred_channel", person.preferred_channel),
    ];
    cells.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    if let Some(car) = car {
        let input = vehicle_input(car);
        let vehicle = [
            ("vin", input.vin),
            ("plate", input.plate),
            ("engine_no", input.engine_no),
            ("brand", input.brand),
            ("series", input.series),
            ("model", input.model),
            ("trim", input.trim),
            ("colour", input.colour),
            ("production_date", input.production_date),
            ("delivery_date", input.delivery_date),
            ("licence_date", input.licence_date),
            (
                "purchase_price",
                Some(fours_domain::money::format_fen(car.purchase_price_fen).replace(',', "")),
            ),
            ("insurer", input.insurer),
            ("insurance_expiry", input.insurance_expiry),
            (
                "mileage_km",
                car.mileage.last().map(|(_, km)| km.to_string()),
            ),
        ];
        cells.extend(vehicle.into_iter().filter_map(|(k, v)| Some((k, v?))));
    }
    ordered(&cells)
}

/// Writes `count` customers (one line per car) to `path`; returns the lines written.
pub fn write_file(
    seed: u64,
    today: NaiveDate,
    count: usize,
    path: &Path,
    format: Format,
) -> Result<u64, OnboardingError> {
    let mut out = TableWriter::create(path, format, "客户")?;
    out.row(&headers())?;
    let mut lines = 0u64;
    for customer in customers(seed, today).take(count) {
        if customer.vehicles.is_empty() {
            out.row(&file_cells(&customer, None))?;
            lines += 1;
        }
        for car in &customer.vehicles {
            out.row(&file_cells(&customer, Some(car)))?;
            lines += 1;
        }
    }
    out.finish()?;
    Ok(lines)
}

/// Loads `count` customers with their cars, families and mileage histories into `store_id`,
/// through import batches (so a run interrupted part-way is resumed by running it again).
pub async fn load_database(
    db: &Database,
    actor: &Actor,
    store_id: Uuid,
    seed: u64,
    count: usize,
    mut progress: impl FnMut(&import_job::Model),
) -> Result<import_job::Model, OnboardingError> {
    let today = Utc::now().date_naive();
    let identity = format!("generated:seed={seed}:customers={count}:{today}");
    let job = match jobs::resumable_job(&db.conn, actor, store_id, &identity, Default::default())
        .await?
    {
        Some(job) => job,
        None => {
            jobs::create_job(
                &db.conn,
                actor,
                NewJob {
                    store_id,
                    file_name: format!("fours generate --seed {seed}"),
                    file_sha256: identity,
                    file_path: None,
                    mapping: serde_json::json!({}),
                    on_duplicate: Default::default(),
                    dry_run: false,
                    awaiting_mapping: false,
                },
            )
            .await?
        }
    };
    let mut job = jobs::start_job(&db.conn, &job, Some(count as i64)).await?;
    let now = Utc::now();
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    // Customer n is "row" n + 2, as if it were line n + 2 of a file with a header.
    for (index, generated) in customers(seed, today).take(count).enumerate() {
        let row_no = index as i64 + 2;
        if row_no < job.next_row {
            continue;
        }
        batch.extend(prepared(db, actor, store_id, row_no, &generated, now)?);
        if batch.len() >= BATCH_ROWS {
            job = write_batch(
                db,
                actor,
                &job,
                std::mem::take(&mut batch),
                vec![],
                row_no + 1,
            )
            .await?;
            progress(&job);
        }
    }
    if !batch.is_empty() {
        job = write_batch(db, actor, &job, batch, vec![], count as i64 + 2).await?;
        progress(&job);
    }
    fours_store::db::refresh_statistics(&db.conn).await?;
    Ok(jobs::finish_job(&db.conn, &job, None).await?)
}

/// The rows of one generated customer: one per car (a second car comes in as a further row of
/// the same customer, matched by mobile as in an import file), or one without a car.
fn prepared(
    db: &Database,
    actor: &Actor,
    store_id: Uuid,
    row_no: i64,
    generated: &GeneratedCustomer,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<PreparedRow>, OnboardingError> {
    let mut input = customer_input(generated);
    input.store_id = Some(store_id);
    let customer = new_model(&db.pii, actor, &input, now);
    if let Some(error) = customer.errors.first() {
        return Err(OnboardingError::Generated(row_no, error.field, error.code));
    }
    if generated.vehicles.is_empty() {
        return Ok(vec![PreparedRow {
            row_no,
            customer,
            vehicle: None,
            mileage_history: vec![],
        }]);
    }
    generated
        .vehicles
        .iter()
        .map(|car| {
            let (mut model, errors) = vehicles::new_model(actor, &vehicle_input(car), now);
            if let Some(error) = errors.first() {
                return Err(OnboardingError::Generated(row_no, error.field, error.code));
            }
            model.mileage_km = Set(car.mileage.last().map(|(_, km)| *km));
            Ok(PreparedRow {
                row_no,
                customer: customer.clone(),
                vehicle: Some(model),
                mileage_history: car.mileage.clone(),
            })
        })
        .collect()
}
