//! The part catalogue from a maker's or a legacy system's price list (CSV or XLSX): headers
//! are recognised in Chinese or English, prices are read in yuan, each row is checked by the
//! catalogue's own rules, and good rows are written 1,000 per transaction (a new part number
//! is created, a known one takes the file's values).

use std::ops::ControlFlow;
use std::path::Path;

use fours_domain::money::parse_yuan;
use fours_store::Database;
use fours_store::org::Actor;
use fours_store::parts::catalogue::{self, PartInput, PartsImport, RowReject};

use crate::OnboardingError;

const BATCH: usize = 1_000;
const REPORTED_REJECTS: usize = 1_000;

/// Header words (lower-cased, spaces removed) for each catalogue field.
const HEADERS: &[(&str, &[&str])] = &[
    (
        "part_number",
        &[
            "零件号",
            "配件编号",
            "配件号",
            "件号",
            "零件编号",
            "partnumber",
            "part_number",
            "partno",
        ],
    ),
    ("name", &["名称", "配件名称", "零件名称", "name"]),
    ("brand", &["品牌", "brand"]),
    ("category", &["类别", "分类", "category"]),
    ("unit", &["单位", "unit"]),
    (
        "retail_price",
        &["零售价", "销售价", "retailprice", "retail_price"],
    ),
    ("cost_price", &["成本价", "进价", "costprice", "cost_price"]),
    (
        "superseded_by",
        &[
            "替代件号",
            "替换件号",
            "新件号",
            "supersededby",
            "superseded_by",
        ],
    ),
    ("default_bin", &["库位", "默认库位", "bin", "default_bin"]),
];

fn field_of(header: &str) -> Option<&'static str> {
    let key: String = header.split_whitespace().collect::<String>().to_lowercase();
    HEADERS
        .iter()
        .find(|(_, words)| words.contains(&key.as_str()))
        .map(|(field, _)| *field)
}

/// One row read into the API's terms, or the cells that could not be read.
fn read_row(
    fields: &[Option<&'static str>],
    cells: &[String],
) -> Result<PartInput, Vec<(&'static str, &'static str)>> {
    let cell = |name: &str| {
        fields
            .iter()
            .position(|f| *f == Some(name))
            .and_then(|i| cells.get(i))
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
    };
    let mut errors = Vec::new();
    let mut price = |name: &'static str, api: &'static str| match cell(name) {
        Some(text) => parse_yuan(&text).unwrap_or_else(|invalid| {
            errors.push((api, invalid.0));
            0
        }),
        None => 0,
    };
    let retail_price_fen = price("retail_price", "retail_price_fen");
    let cost_price_fen = price("cost_price", "cost_price_fen");
    let input = PartInput {
        part_number: cell("part_number").unwrap_or_default(),
        name: cell("name").unwrap_or_default(),
        brand: cell("brand"),
        category: cell("category"),
        unit: cell("unit"),
        retail_price_fen,
        cost_price_fen,
        superseded_by: cell("superseded_by"),
        default_bin: cell("default_bin"),
    };
    if let Err(checked) = catalogue::check(&input) {
        errors.extend(checked.iter().map(|e| (e.field, e.code)));
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

/// Imports a catalogue file; whole batches only, so a failure leaves no half-written batch.
pub async fn import_file(
    db: &Database,
    actor: &Actor,
    path: &Path,
) -> Result<PartsImport, OnboardingError> {
    let owned = path.to_owned();
    let rows = tokio::task::spawn_blocking(move || {
        let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
        fours_sheets::read_rows(&owned, |row, cells| {
            rows.push((row, cells));
            ControlFlow::Continue(())
        })
        .map(|_| rows)
    })
    .await
    .map_err(|e| OnboardingError::Worker(e.to_string()))??;
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(fours_sheets::SheetError::Empty.into());
    };
    let fields: Vec<Option<&'static str>> = header.iter().map(|h| field_of(h)).collect();
    if !fields.contains(&Some("part_number")) {
        return Err(OnboardingError::Store(fours_store::StoreError::invalid(
            "file",
            "import.no_part_number_column",
        )));
    }
    // The API's names of the columns the file has (prices are typed in yuan, kept in fen).
    let columns: Vec<&str> = fields
        .iter()
        .flatten()
        .map(|field| match *field {
            "retail_price" => "retail_price_fen",
            "cost_price" => "cost_price_fen",
            other => other,
        })
        .collect();
    let mut report = PartsImport::default();
    let mut batch = Vec::with_capacity(BATCH);
    for (row, cells) in rows {
        match read_row(&fields, &cells) {
            Ok(input) => batch.push(input),
            Err(errors) => {
                report.rejected_rows += 1;
                for (field, code) in errors {
                    if report.rejects.len() < REPORTED_REJECTS {
                        report.rejects.push(RowReject {
                            row,
                            field: field.to_owned(),
                            code: code.to_owned(),
                        });
                    }
                }
            }
        }
        if batch.len() == BATCH {
            write(db, actor, &columns, &mut batch, &mut report).await?;
        }
    }
    write(db, actor, &columns, &mut batch, &mut report).await?;
    Ok(report)
}

async fn write(
    db: &Database,
    actor: &Actor,
    columns: &[&str],
    batch: &mut Vec<PartInput>,
    report: &mut PartsImport,
) -> Result<(), OnboardingError> {
    if batch.is_empty() {
        return Ok(());
    }
    let counts = catalogue::import_batch(db, actor, batch, columns).await?;
    report.created += counts.created;
    report.updated += counts.updated;
    batch.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_headers_are_recognised() {
        assert_eq!(field_of("配件编号"), Some("part_number"));
        assert_eq!(field_of("Part Number"), Some("part_number"));
        assert_eq!(field_of(" 成本价 "), Some("cost_price"));
        assert_eq!(field_of("备注"), None);
    }

    #[test]
    fn rows_are_read_in_yuan_and_checked_by_the_catalogue_rules() {
        let fields: Vec<_> = ["零件号", "名称", "零售价", "库位"]
            .iter()
            .map(|h| field_of(h))
            .collect();
        let cells = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let good = read_row(
            &fields,
            &cells(&["06l115562b", "机油滤清器", "¥58.50", "a-1-3"]),
        )
        .unwrap();
        assert_eq!(good.part_number, "06l115562b");
        assert_eq!(good.retail_price_fen, 5_850);
        let bad = read_row(&fields, &cells(&["x", "", "abc", "A1"])).unwrap_err();
        let named: Vec<&str> = bad.iter().map(|(field, _)| *field).collect();
        assert_eq!(
            named,
            vec!["retail_price_fen", "name", "part_number", "default_bin"]
        );
    }
}

/// Property tests: any price-list row is read or refused with its fields named, never a panic.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fuzz_any_price_list_row_is_read_or_refused(
            headers in prop::collection::vec(prop_oneof![any::<String>(), prop::sample::select(HEADERS.iter().flat_map(|(_, words)| words.iter().copied()).collect::<Vec<_>>()).prop_map(str::to_owned)], 0..12),
            cells in prop::collection::vec(any::<String>(), 0..12),
        ) {
            let fields: Vec<_> = headers.iter().map(|h| field_of(h)).collect();
            if let Err(errors) = read_row(&fields, &cells) {
                prop_assert!(!errors.is_empty());
            }
        }
    }
}
