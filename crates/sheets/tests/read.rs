//! Reading tables as dealerships bring them, from fixtures built in the test.

use std::ops::ControlFlow;
use std::path::Path;

use encoding_rs::{GBK, UTF_16LE};
use fours_sheets::{Format, SheetError, TableInfo, read_rows, read_rows_from};
use rust_xlsxwriter::{ExcelDateTime, Workbook};

type Rows = Vec<(u64, Vec<String>)>;
/// Row numbers and their cells, as a test expects them.
type Expected<'a> = &'a [(u64, &'a [&'a str])];

fn read(bytes: &[u8], format: Format) -> (TableInfo, Rows) {
    let mut rows = Vec::new();
    let info = read_rows_from(bytes, format, |row, cells| {
        rows.push((row, cells));
        ControlFlow::Continue(())
    })
    .unwrap();
    (info, rows)
}

fn row(number: u64, cells: &[&str]) -> (u64, Vec<String>) {
    (number, cells.iter().map(|cell| cell.to_string()).collect())
}

fn info(format: Format, encoding: &'static str) -> TableInfo {
    TableInfo { format, encoding }
}

const CHINESE: &str = "姓名,手机,车牌号\r\n张三,13800138000,粤B12345\r\n";

fn chinese_rows() -> Rows {
    vec![
        row(1, &["姓名", "手机", "车牌号"]),
        row(2, &["张三", "13800138000", "粤B12345"]),
    ]
}

#[test]
fn utf8_without_bom() {
    let (found, rows) = read(CHINESE.as_bytes(), Format::Csv);
    assert_eq!(found, info(Format::Csv, "UTF-8"));
    assert_eq!(rows, chinese_rows());
}

#[test]
fn utf8_with_bom_loses_the_bom() {
    let bytes = [b"\xEF\xBB\xBF", CHINESE.as_bytes()].concat();
    let (found, rows) = read(&bytes, Format::Csv);
    assert_eq!(found, info(Format::Csv, "UTF-8"));
    assert_eq!(rows, chinese_rows());
}

#[test]
fn gbk() {
    let (bytes, _, unmappable) = GBK.encode(CHINESE);
    assert!(!unmappable);
    let (found, rows) = read(&bytes, Format::Csv);
    assert_eq!(found, info(Format::Csv, "GB18030"));
    assert_eq!(rows, chinese_rows());
}

#[test]
fn gbk_after_a_long_utf8_valid_start() {
    let start = format!("姓名,手机\r\n{}", "王五,13900000000\r\n".repeat(10_000));
    let (late, _, _) = GBK.encode("李四,13700000000\r\n");
    let bytes = [start.as_bytes(), &late].concat();
    let (found, rows) = read(&bytes, Format::Csv);
    assert_eq!(found.encoding, "GB18030");
    assert_eq!(rows.last(), Some(&row(10_002, &["李四", "13700000000"])));
}

#[test]
fn utf16le_tab_separated_with_bom() {
    let text = CHINESE.replace(',', "\t");
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let bytes = [&[0xFF, 0xFE][..], &units].concat();
    let (found, rows) = read(&bytes, Format::Csv);
    assert_eq!(found, info(Format::Csv, UTF_16LE.name()));
    assert_eq!(rows, chinese_rows());
}

/// Delimiters, quoting and blank rows: each case is CSV text and the rows it should visit.
#[test]
fn csv_layouts() {
    let cases: [(&str, &str, Expected); 3] = [
        (
            "semicolons",
            "name;mobile\nAnna; 0612345678 \n",
            &[(1, &["name", "mobile"]), (2, &["Anna", "0612345678"])],
        ),
        (
            "quoted newline and comma",
            "name,address\n\"Li\",\"1 Road,\nShenzhen\"\nWang,2 Road\n",
            &[
                (1, &["name", "address"]),
                (2, &["Li", "1 Road,\nShenzhen"]),
                (3, &["Wang", "2 Road"]),
            ],
        ),
        (
            "empty rows skipped but numbered",
            "\n,,\nname,note\n\"A\",\"x\ny\"\n\n , \nB,z",
            &[
                (3, &["name", "note"]),
                (4, &["A", "x\ny"]),
                (7, &["B", "z"]),
            ],
        ),
    ];
    for (case, text, expected) in cases {
        let (_, rows) = read(text.as_bytes(), Format::Csv);
        let expected: Rows = expected
            .iter()
            .map(|(number, cells)| row(*number, cells))
            .collect();
        assert_eq!(rows, expected, "{case}");
    }
}

#[test]
fn short_rows_keep_what_is_there() {
    let (_, rows) = read(b"a,b,c\n1\n", Format::Csv);
    assert_eq!(rows[1], row(2, &["1"]));
}

#[test]
fn break_stops_reading() {
    let mut seen = Vec::new();
    read_rows_from(b"h\n1\n2\n3\n", Format::Csv, |row, _| {
        seen.push(row);
        if row == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(seen, [1, 2]);
}

#[test]
fn no_header_is_an_error() {
    for bytes in [&b""[..], b"\n , \n"] {
        let result = read_rows_from(bytes, Format::Csv, |_, _| ControlFlow::Continue(()));
        assert!(matches!(result, Err(SheetError::Empty)), "{result:?}");
    }
}

#[test]
fn format_from_extension() {
    assert_eq!(
        Format::from_path(Path::new("a/客户.CSV")),
        Some(Format::Csv)
    );
    assert_eq!(Format::from_path(Path::new("list.tsv")), Some(Format::Csv));
    assert_eq!(
        Format::from_path(Path::new("list.xlsx")),
        Some(Format::Xlsx)
    );
    assert_eq!(Format::from_path(Path::new("list.xls")), None);
}

/// A workbook as Excel users make it: a number for the mobile, a date cell, gaps.
fn typed_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(1, 0, "姓名").unwrap();
    sheet.write_string(1, 1, "手机").unwrap();
    sheet.write_string(1, 3, "购车日期").unwrap();
    sheet.write_string(2, 0, " 张三 ").unwrap();
    sheet.write_number(2, 1, 13800138000.0).unwrap();
    let day = ExcelDateTime::from_ymd(2024, 5, 1).unwrap();
    sheet.write_datetime_with_format(2, 3, &day, &date).unwrap();
    sheet.write_number(4, 2, 1.3800138E10).unwrap();
    sheet.write_boolean(4, 4, true).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn xlsx_numbers_dates_and_gaps() {
    let (found, rows) = read(&typed_workbook(), Format::Xlsx);
    assert_eq!(found, info(Format::Xlsx, "UTF-8"));
    assert_eq!(
        rows,
        [
            row(2, &["姓名", "手机", "", "购车日期"]),
            row(3, &["张三", "13800138000", "", "2024-05-01"]),
            row(5, &["", "", "13800138000", "", "true"]),
        ]
    );
}

#[test]
fn xlsx_is_recognised_by_content_not_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    std::fs::write(&path, typed_workbook()).unwrap();
    let mut count = 0;
    let found = read_rows(&path, |_, _| {
        count += 1;
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!((found.format, count), (Format::Xlsx, 3));
}

#[test]
fn missing_file_names_its_path() {
    let error = read_rows(Path::new("/nonexistent/客户.csv"), |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/客户.csv"),
        "{error}"
    );
}
