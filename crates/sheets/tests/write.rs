//! Tables written by TableWriter read back as they went in.

use std::ops::ControlFlow;

use fours_sheets::{Format, TableWriter, read_rows, write_to_bytes};

fn table() -> Vec<Vec<&'static str>> {
    vec![
        vec!["姓名", "手机", "身份证号", "备注"],
        vec![
            "张三",
            "013800138000",
            "440301199001011234",
            "说,\"好\"\n下次",
        ],
        vec!["李四", "", "", "x"],
    ]
}

fn expected() -> Vec<(u64, Vec<String>)> {
    (1..)
        .zip(table())
        .map(|(row, cells)| {
            let mut cells: Vec<String> = cells.into_iter().map(String::from).collect();
            // XLSX does not store trailing empty cells; the second row has none.
            cells.truncate(
                cells
                    .iter()
                    .rposition(|cell| !cell.is_empty())
                    .map_or(0, |at| at + 1),
            );
            (row, cells)
        })
        .collect()
}

fn round_trip(format: Format, name: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut writer = TableWriter::create(&path, format, "客户").unwrap();
    for row in table() {
        writer.row(&row).unwrap();
    }
    writer.finish().unwrap();
    let mut rows = Vec::new();
    let found = read_rows(&path, |row, cells| {
        rows.push((row, cells));
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!((found.format, found.encoding), (format, "UTF-8"));
    assert_eq!(rows, expected());
    std::fs::read(&path).unwrap()
}

#[test]
fn csv_round_trip() {
    let bytes = round_trip(Format::Csv, "customers.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D,"));
    assert!(bytes.windows(2).any(|pair| pair == b"\r\n"));
}

#[test]
fn xlsx_round_trip() {
    let bytes = round_trip(Format::Xlsx, "customers.xlsx");
    assert!(bytes.starts_with(b"PK\x03\x04"));
}

#[test]
fn bytes_match_the_file_writer() {
    let csv = write_to_bytes(Format::Csv, "报表", table()).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "\u{FEFF}姓名,手机,身份证号,备注\r\n张三,013800138000,440301199001011234,\"说,\"\"好\"\"\n下次\"\r\n李四,,,x\r\n"
    );
    let xlsx = write_to_bytes(Format::Xlsx, "报表", table()).unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04"));
}

#[test]
fn invalid_sheet_name_is_an_error() {
    let rows: Vec<Vec<&str>> = Vec::new();
    assert!(write_to_bytes(Format::Xlsx, "a/b", rows).is_err());
}
