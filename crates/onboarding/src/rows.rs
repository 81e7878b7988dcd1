//! One spreadsheet row → a checked customer (and car), or the reasons it cannot come in.

use chrono::{DateTime, Utc};
use fours_domain::onboarding::{
    IMPORT_FIELDS, Target, normalize_choice, normalize_date, normalize_gender, parse_km,
    parse_price, parse_yes_no,
};
use fours_store::customers::input::CustomerInput;
use fours_store::customers::new_model;
use fours_store::onboarding::{PreparedRow, Reject};
use fours_store::org::Actor;
use fours_store::pii::PiiCipher;
use fours_store::vehicles::{self, VehicleInput};
use uuid::Uuid;

/// How a file's columns are read: for each column, its header and the field it fills.
pub struct ColumnMap {
    columns: Vec<(String, Option<&'static str>)>,
}

impl ColumnMap {
    pub fn new(headers: &[String], fields: Vec<Option<&'static str>>) -> Self {
        ColumnMap {
            columns: headers.iter().cloned().zip(fields).collect(),
        }
    }

    pub fn fills(&self, key: &str) -> bool {
        self.columns.iter().any(|(_, field)| *field == Some(key))
    }

    /// The header of the column a field (or a store error's field name) came from.
    fn header_of(&self, field: &str) -> String {
        let key = import_key(field);
        self.columns
            .iter()
            .find(|(_, f)| *f == Some(key))
            .map(|(header, _)| header.clone())
            .unwrap_or_default()
    }

    fn cell<'a>(&self, cells: &'a [String], key: &str) -> Option<&'a str> {
        let index = self.columns.iter().position(|(_, f)| *f == Some(key))?;
        cells.get(index).map(|c| c.trim()).filter(|c| !c.is_empty())
    }
}

/// The import field behind a store error's field name (prices are typed in yuan, kept in fen).
fn import_key(field: &str) -> &str {
    match field {
        "purchase_price_fen" => "purchase_price",
        other => other,
    }
}

/// What the row's cells say, in the API's terms, plus the cells that could not even be read.
struct Typed {
    customer: CustomerInput,
    vehicle: Option<VehicleInput>,
    rejects: Vec<Reject>,
}

/// Reads and checks one row with the same rules as the API.
pub fn prepare(
    map: &ColumnMap,
    row_no: i64,
    cells: &[String],
    context: &RowContext,
) -> Result<PreparedRow, Vec<Reject>> {
    let Typed {
        mut customer,
        vehicle,
        mut rejects,
    } = read_cells(map, row_no, cells);
    customer.store_id = Some(context.store_id);
    let reject = |field: &str, code: &str| Reject {
        row_no,
        column_name: map.header_of(field),
        field: field.to_owned(),
        value: map
            .cell(cells, import_key(field))
            .unwrap_or_default()
            .to_owned(),
        code: code.to_owned(),
    };
    let checked = new_model(context.pii, context.actor, &customer, context.now);
    rejects.extend(checked.errors.iter().map(|e| reject(e.field, e.code)));
    let vehicle = vehicle.map(|input| {
        let (model, errors) = vehicles::new_model(context.actor, &input, context.now);
        rejects.extend(errors.iter().map(|e| reject(e.field, e.code)));
        model
    });
    if rejects.is_empty() {
        Ok(PreparedRow {
            row_no,
            customer: checked,
            vehicle,
            mileage_history: vec![],
        })
    } else {
        Err(rejects)
    }
}

/// What every row of a job shares.
pub struct RowContext<'a> {
    pub pii: &'a PiiCipher,
    pub actor: &'a Actor,
    pub store_id: Uuid,
    pub now: DateTime<Utc>,
}

fn read_cells(map: &ColumnMap, row_no: i64, cells: &[String]) -> Typed {
    let mut rejects = Vec::new();
    let text = |key: &str| map.cell(cells, key).map(str::to_owned);
    let date = |key: &str| map.cell(cells, key).map(normalize_date);
    let mut parsed = |key: &'static str, parse: &dyn Fn(&str) -> Result<_, _>| {
        let raw = map.cell(cells, key)?;
        parse(raw)
            .map_err(|invalid: fours_domain::validation::Invalid| {
                rejects.push(Reject {
                    row_no,
                    column_name: map.header_of(key),
                    field: key.to_owned(),
                    value: raw.to_owned(),
                    code: invalid.0.to_owned(),
                })
            })
            .ok()
    };
    let marketing_consent =
        parsed("marketing_consent", &|raw| parse_yes_no(raw).map(i64::from)).map(|v| v == 1);
    let purchase_price_fen = parsed("purchase_price", &parse_price);
    let mileage_km = parsed("mileage_km", &|raw| parse_km(raw).map(i64::from));
    let customer = CustomerInput {
        name: text("name"),
        gender: map.cell(cells, "gender").map(normalize_gender),
        mobile: text("mobile"),
        wechat: text("wechat"),
        email: text("email"),
        birthday: date("birthday"),
        id_number: text("id_number"),
        address: text("address"),
        postcode: text("postcode"),
        occupation: text("occupation"),
        compound: text("compound"),
        source: map
            .cell(cells, "source")
            .map(|v| normalize_choice("source", v)),
        preferred_channel: map
            .cell(cells, "preferred_channel")
            .map(|v| normalize_choice("preferred_channel", v)),
        marketing_consent,
        notes: text("notes"),
        ..Default::default()
    };
    let has_vehicle = IMPORT_FIELDS
        .iter()
        .filter(|f| f.target == Target::Vehicle)
        .any(|f| map.cell(cells, f.key).is_some());
    let vehicle = has_vehicle.then(|| VehicleInput {
        vin: text("vin"),
        plate: text("plate"),
        engine_no: text("engine_no"),
        brand: text("brand"),
        series: text("series"),
        model: text("model"),
        trim: text("trim"),
        colour: text("colour"),
        production_date: date("production_date"),
        delivery_date: date("delivery_date"),
        licence_date: date("licence_date"),
        purchase_price_fen,
        insurer: text("insurer"),
        insurance_expiry: date("insurance_expiry"),
        mileage_km: mileage_km.and_then(|km| i32::try_from(km).ok()),
        ..Default::default()
    });
    Typed {
        customer,
        vehicle,
        rejects,
    }
}

/// Property tests: any row of any cells, under every column a file may have, is either
/// prepared or rejected with reasons naming a column, never a panic. Cases: `PROPTEST_CASES`.
#[cfg(test)]
mod fuzz {
    use super::*;
    use fours_domain::access::{DataScope, Role};
    use proptest::prelude::*;

    /// Cells as legacy systems write them: dates, prices in 万, mobiles, IDs, VINs, or noise.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9]{1,20}(\\.[0-9]{0,3})?万?元?",
            "(19|20)[0-9]{2}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?",
            "(\\+86)?1[3-9][0-9]{9}",
            "[0-9]{17}[0-9Xx]",
            "[A-HJ-NPR-Z0-9]{17}",
            prop::sample::select(vec![
                "是",
                "否",
                "男",
                "女",
                "到店",
                "微信",
                "12,345公里",
                ""
            ])
            .prop_map(str::to_owned),
        ]
    }

    fn actor() -> Actor {
        Actor {
            tenant_id: Uuid::nil(),
            user_id: Uuid::nil(),
            store_id: None,
            role: Role::Admin,
            scope: DataScope::Group,
            locale: "zh-CN".into(),
            username: "fuzz".into(),
            display_name: "fuzz".into(),
        }
    }

    proptest! {
        #[test]
        fn fuzz_any_row_is_prepared_or_rejected_by_column(cells in prop::collection::vec(cell(), 0..=IMPORT_FIELDS.len() + 2)) {
            let headers: Vec<String> = IMPORT_FIELDS.iter().map(|f| f.header().to_owned()).collect();
            let map = ColumnMap::new(&headers, IMPORT_FIELDS.iter().map(|f| Some(f.key)).collect());
            let (pii, actor) = (PiiCipher::new(&[7; 32]), actor());
            let context = RowContext { pii: &pii, actor: &actor, store_id: Uuid::nil(), now: Utc::now() };
            if let Err(rejects) = prepare(&map, 2, &cells, &context) {
                prop_assert!(!rejects.is_empty());
                prop_assert!(rejects.iter().all(|r| !r.column_name.is_empty()), "{rejects:?}");
            }
        }
    }
}
