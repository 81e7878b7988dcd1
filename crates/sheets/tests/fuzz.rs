//! Property tests ("fuzz"): reading never panics on any bytes, CSV or XLSX, and what Fours
//! writes it reads back cell for cell. Cases per property: `PROPTEST_CASES` (default 256).

use std::ops::ControlFlow;

use fours_sheets::{Format, SheetError, read_rows_from, write_to_bytes};
use proptest::prelude::*;

/// Every row the reader visits, or why it could not read the table.
fn read_all(bytes: &[u8], format: Format) -> Result<Vec<Vec<String>>, SheetError> {
    let mut rows = Vec::new();
    read_rows_from(bytes, format, |_, cells| {
        rows.push(cells);
        ControlFlow::Continue(())
    })?;
    Ok(rows)
}

/// Bytes near a real CSV file: delimiters, quotes, line ends, BOMs, Chinese text, stray bytes.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b","[..],
        b";",
        b"\t",
        b"\"",
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
        "姓名".as_bytes(),
        b"\xd0\xd5\xc3\xfb",
        b"\x80",
        b"\xe5\xa7",
        b"13812345678",
    ]);
    prop::collection::vec(pieces, 0..64).prop_map(|pieces| pieces.concat())
}

/// A cell as exports write it: text without control characters, trimmed (the reader trims),
/// without `;`, which would outvote the comma when the reader sniffs the delimiter.
fn cell() -> impl Strategy<Value = String> {
    "[^\\p{C};]{0,20}".prop_map(|cell| cell.trim().to_owned())
}

proptest! {
    #[test]
    fn fuzz_any_bytes_read_as_csv_or_xlsx_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), near in csv_like()) {
        for data in [&bytes, &near] {
            let _ = read_all(data, Format::Csv);
            let _ = read_all(data, Format::Xlsx);
        }
    }

    #[test]
    fn fuzz_a_damaged_workbook_is_an_error_not_a_panic(cut in 0usize..4096, flip in any::<(u16, u8)>()) {
        let mut book = write_to_bytes(Format::Xlsx, "客户", vec![vec!["姓名", "手机"], vec!["赵六", "13912345678"]]).unwrap();
        let at = usize::from(flip.0) % book.len();
        book[at] ^= flip.1.max(1);
        book.truncate(cut.max(4).min(book.len()));
        let _ = read_all(&book, Format::Xlsx);
    }

    #[test]
    fn fuzz_written_tables_read_back(rows in prop::collection::vec(prop::collection::vec(cell(), 1..5), 1..6), format in prop::sample::select(vec![Format::Csv, Format::Xlsx])) {
        prop_assume!(rows.iter().any(|row| row.iter().any(|c| !c.is_empty())));
        let bytes = write_to_bytes(format, "表", rows.clone()).unwrap();
        let read = read_all(&bytes, format).unwrap();
        let filled: Vec<Vec<String>> = rows.into_iter().filter(|row| row.iter().any(|c| !c.is_empty())).collect();
        prop_assert_eq!(read.len(), filled.len());
        for (got, wrote) in read.iter().zip(&filled) {
            let trimmed = |row: &[String]| row.iter().rposition(|c| !c.is_empty()).map_or(0, |end| end + 1);
            prop_assert_eq!(&got[..trimmed(got)], &wrote[..trimmed(wrote)]);
        }
    }
}
