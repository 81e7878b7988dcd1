//! Customer and vehicle lists out as files, as the user sees them on screen: their data scope, their
//! filter, personal information masked unless their role may see it in clear. Every export is
//! audited. Headers are the ones imports recognise, so an export comes back in unchanged.

use fours_domain::access::Permission;
use fours_domain::customers::mobile::mask_mobile;
use fours_domain::money::format_fen;
use fours_domain::onboarding::IMPORT_FIELDS;
use fours_sheets::TableWriter;
use fours_store::Database;
use fours_store::audit::{self, AuditEntry};
use fours_store::customers::entities::customer;
use fours_store::customers::{self, CustomerFilter};
use fours_store::org::Actor;
use fours_store::paging::{MAX_LIMIT, PageRequest};
use fours_store::vehicles::{self, VehicleFilter, entities::vehicle};
use serde_json::json;

use crate::OnboardingError;

/// The header row of an export.
pub fn headers() -> Vec<&'static str> {
    IMPORT_FIELDS.iter().map(|f| f.header()).collect()
}

/// Which list is exported, with the filter the user applied on screen.
#[derive(Debug, Clone)]
pub enum ExportList {
    /// One line per car; a customer without a car gets one line of their own.
    Customers(CustomerFilter),
    /// One line per car, with its owner's details.
    Vehicles(VehicleFilter),
}

impl ExportList {
    /// The sheet's name in an XLSX file.
    pub fn sheet_name(&self) -> &'static str {
        match self {
            ExportList::Customers(_) => "客户",
            ExportList::Vehicles(_) => "车辆",
        }
    }

    fn audit_entity(&self) -> &'static str {
        match self {
            ExportList::Customers(_) => "customer",
            ExportList::Vehicles(_) => "vehicle",
        }
    }

    fn filter_json(&self) -> serde_json::Value {
        match self {
            ExportList::Customers(f) => json!({"q": f.q, "class": f.class, "tag": f.tag}),
            ExportList::Vehicles(f) => json!({"q": f.q, "customer_id": f.customer_id}),
        }
    }
}

/// Writes the list with a header row, audits the export and returns the number of data rows.
pub async fn export(
    db: &Database,
    actor: &Actor,
    list: &ExportList,
    out: &mut TableWriter,
) -> Result<u64, OnboardingError> {
    out.row(&headers())?;
    let clear = Clear {
        phones: actor.can(Permission::ViewPhone),
        id_numbers: actor.can(Permission::RevealIdNumber),
    };
    let rows = match list {
        ExportList::Customers(filter) => customer_lines(db, actor, filter, clear, out).await?,
        ExportList::Vehicles(filter) => vehicle_lines(db, actor, filter, clear, out).await?,
    };
    audit::record(
        &db.conn,
        actor,
        AuditEntry {
            action: "export",
            entity: list.audit_entity(),
            entity_id: None,
            before: None,
            after: Some(json!({
                "rows": rows,
                "filter": list.filter_json(),
                "phones_in_clear": clear.phones,
                "id_numbers_in_clear": clear.id_numbers,
            })),
        },
    )
    .await?;
    Ok(rows)
}

/// A page of the whole list, requested again and again until it has no next page.
fn page(cursor: Option<uuid::Uuid>) -> PageRequest {
    PageRequest {
        limit: Some(MAX_LIMIT),
        cursor,
    }
}

async fn customer_lines(
    db: &Database,
    actor: &Actor,
    filter: &CustomerFilter,
    clear: Clear,
    out: &mut TableWriter,
) -> Result<u64, OnboardingError> {
    let mut rows = 0u64;
    let mut cursor = None;
    loop {
        let found = customers::list(&db.conn, actor, filter, page(cursor)).await?;
        let ids: Vec<_> = found.items.iter().map(|c| c.id).collect();
        let cars = vehicles::of_customers(&db.conn, actor, &ids).await?;
        for customer in &found.items {
            let person = customer_cells(db, customer, clear)?;
            let mut theirs = cars
                .iter()
                .filter(|v| v.owner_id == Some(customer.id))
                .peekable();
            if theirs.peek().is_none() {
                out.row(&line(&person, None))?;
                rows += 1;
            }
            for car in theirs {
                out.row(&line(&person, Some(car)))?;
                rows += 1;
            }
        }
        match found.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(rows),
        }
    }
}

async fn vehicle_lines(
    db: &Database,
    actor: &Actor,
    filter: &VehicleFilter,
    clear: Clear,
    out: &mut TableWriter,
) -> Result<u64, OnboardingError> {
    let mut rows = 0u64;
    let mut cursor = None;
    loop {
        let found = vehicles::list(&db.conn, actor, filter, page(cursor)).await?;
        let owner_ids: Vec<_> = found.items.iter().filter_map(|v| v.owner_id).collect();
        let owners = customers::by_ids(&db.conn, actor, &owner_ids).await?;
        for car in &found.items {
            let person = match owners.iter().find(|c| Some(c.id) == car.owner_id) {
                Some(owner) => customer_cells(db, owner, clear)?,
                None => Vec::new(),
            };
            out.row(&line(&person, Some(car)))?;
            rows += 1;
        }
        match found.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(rows),
        }
    }
}

/// Which personal information the export shows in clear.
#[derive(Clone, Copy)]
struct Clear {
    phones: bool,
    id_numbers: bool,
}

fn customer_cells(
    db: &Database,
    customer: &customer::Model,
    clear: Clear,
) -> Result<Vec<(&'static str, String)>, OnboardingError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mobile = customer
        .mobile
        .as_deref()
        .map(|m| {
            if clear.phones {
                m.to_owned()
            } else {
                mask_mobile(m)
            }
        })
        .unwrap_or_default();
    let id_number = match (&customer.id_number_cipher, clear.id_numbers) {
        (Some(sealed), true) => db.pii.open(sealed)?,
        _ => text(&customer.id_number_masked),
    };
    let gender = match customer.gender.as_deref() {
        Some("male") => "男",
        Some("female") => "女",
        _ => "",
    };
    Ok(vec![
        ("name", customer.name.clone()),
        ("gender", gender.to_owned()),
        ("mobile", mobile),
        ("wechat", text(&customer.wechat)),
        ("email", text(&customer.email)),
        ("birthday", date(customer.birthday)),
        ("id_number", id_number),
        ("address", text(&customer.address)),
        ("postcode", text(&customer.postcode)),
        ("occupation", text(&customer.occupation)),
        ("compound", text(&customer.compound)),
        ("source", text(&customer.source)),
        ("preferred_channel", text(&customer.preferred_channel)),
        (
            "marketing_consent",
            if customer.marketing_consent {
                "是"
            } else {
                "否"
            }
            .to_owned(),
        ),
        ("notes", text(&customer.notes)),
    ])
}

fn date(day: Option<chrono::NaiveDate>) -> String {
    day.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn vehicle_cells(car: &vehicle::Model) -> Vec<(&'static str, String)> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("vin", car.vin.clone()),
        ("plate", text(&car.plate)),
        ("engine_no", text(&car.engine_no)),
        ("brand", text(&car.brand)),
        ("series", text(&car.series)),
        ("model", text(&car.model)),
        ("trim", text(&car.trim)),
        ("colour", text(&car.colour)),
        ("production_date", date(car.production_date)),
        ("delivery_date", date(car.delivery_date)),
        ("licence_date", date(car.licence_date)),
        (
            "purchase_price",
            car.purchase_price_fen
                .map(|fen| format_fen(fen).replace(',', ""))
                .unwrap_or_default(),
        ),
        ("insurer", text(&car.insurer)),
        ("insurance_expiry", date(car.insurance_expiry)),
        (
            "mileage_km",
            car.mileage_km.map(|km| km.to_string()).unwrap_or_default(),
        ),
    ]
}

/// The cells of one line: a customer's, and their car's if any.
fn line(person: &[(&'static str, String)], car: Option<&vehicle::Model>) -> Vec<String> {
    let mut cells = person.to_vec();
    cells.extend(car.map(vehicle_cells).unwrap_or_default());
    ordered(&cells)
}

/// Field values in header order; fields without a value are empty cells.
pub(crate) fn ordered(cells: &[(&'static str, String)]) -> Vec<String> {
    IMPORT_FIELDS
        .iter()
        .map(|field| {
            cells
                .iter()
                .find(|(key, _)| *key == field.key)
                .map(|(_, value)| value.clone())
                .unwrap_or_default()
        })
        .collect()
}
