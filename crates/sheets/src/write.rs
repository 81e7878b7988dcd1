//! Table writing: CSV as Excel opens it, XLSX in constant memory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ColNum, RowNum, Workbook, XlsxError};

use crate::{Format, IN_MEMORY, SheetError};

/// Rows in an XLSX worksheet.
const XLSX_MAX_ROWS: RowNum = 1_048_576;
/// Excel's limit on a worksheet name, in UTF-16 units.
const SHEET_NAME_MAX: usize = 31;

/// Writes a table row by row, so that exports of any size stream to disk.
///
/// CSV is UTF-8 with a byte order mark, so that Excel shows Chinese correctly, and CRLF line
/// ends. XLSX writes every cell as text, so that mobiles and ID numbers keep their leading
/// zeros and all their digits, with the header row in bold. A table longer than a worksheet
/// goes on in a new worksheet named after the first ("Customers 2", …) that repeats the
/// header; [`read_rows`](crate::read_rows) joins them back.
pub struct TableWriter<W: Write + Send = BufWriter<File>> {
    sink: Sink<W>,
    /// Names the destination in I/O errors.
    origin: PathBuf,
}

#[expect(
    clippy::large_enum_variant,
    reason = "there is one per table being written"
)]
enum Sink<W: Write + Send> {
    Csv(csv::Writer<W>),
    Xlsx(Sheets<W>),
}

impl TableWriter {
    /// Creates (or truncates) the file at `path`; `sheet_name` names the XLSX worksheet.
    pub fn create(path: &Path, format: Format, sheet_name: &str) -> Result<Self, SheetError> {
        let file = File::create(path).map_err(SheetError::io(path))?;
        TableWriter::new(
            BufWriter::new(file),
            path,
            format,
            sheet_name,
            XLSX_MAX_ROWS,
        )
    }
}

impl<W: Write + Send> TableWriter<W> {
    fn new(
        mut out: W,
        origin: &Path,
        format: Format,
        sheet_name: &str,
        rows_per_sheet: RowNum,
    ) -> Result<Self, SheetError> {
        let sink = match format {
            Format::Csv => {
                out.write_all(b"\xEF\xBB\xBF")
                    .map_err(SheetError::io(origin))?;
                Sink::Csv(
                    csv::WriterBuilder::new()
                        .flexible(true)
                        .terminator(csv::Terminator::CRLF)
                        .from_writer(out),
                )
            }
            Format::Xlsx => Sink::Xlsx(Sheets::new(out, sheet_name, rows_per_sheet)?),
        };
        Ok(TableWriter {
            sink,
            origin: origin.to_owned(),
        })
    }

    /// Writes the next row; the first is the header.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        match &mut self.sink {
            Sink::Csv(writer) => writer
                .write_record(cells.iter().map(|cell| cell.as_ref()))
                .map_err(|error| SheetError::io(&self.origin)(error.into())),
            Sink::Xlsx(sheets) => Ok(sheets.row(cells)?),
        }
    }

    /// Completes the file; until then an XLSX file is not written at all.
    pub fn finish(self) -> Result<(), SheetError> {
        self.into_inner().map(drop)
    }

    fn into_inner(self) -> Result<W, SheetError> {
        let io_error = SheetError::io(&self.origin);
        let mut out = match self.sink {
            Sink::Csv(writer) => writer
                .into_inner()
                .map_err(|error| io_error(error.into_error()))?,
            Sink::Xlsx(sheets) => sheets.finish()?,
        };
        out.flush().map_err(SheetError::io(&self.origin))?;
        Ok(out)
    }
}

/// Writes a small table to memory, e.g. a report for download.
pub fn write_to_bytes<S: AsRef<str>>(
    format: Format,
    sheet_name: &str,
    rows: impl IntoIterator<Item = Vec<S>>,
) -> Result<Vec<u8>, SheetError> {
    let mut writer = TableWriter::new(
        Vec::new(),
        Path::new(IN_MEMORY),
        format,
        sheet_name,
        XLSX_MAX_ROWS,
    )?;
    for row in rows {
        writer.row(&row)?;
    }
    writer.into_inner()
}

/// Constant-memory worksheets, as many as the rows need.
struct Sheets<W> {
    out: W,
    book: Workbook,
    name: String,
    rows_per_sheet: RowNum,
    /// Index of the worksheet being written.
    sheet: usize,
    /// Next row to write in it.
    next_row: RowNum,
    header: Option<Vec<String>>,
    bold: rust_xlsxwriter::Format,
}

impl<W: Write + Send> Sheets<W> {
    fn new(out: W, name: &str, rows_per_sheet: RowNum) -> Result<Self, XlsxError> {
        let mut book = Workbook::new();
        book.add_worksheet_with_constant_memory()?.set_name(name)?;
        Ok(Sheets {
            out,
            book,
            name: name.to_owned(),
            rows_per_sheet,
            sheet: 0,
            next_row: 0,
            header: None,
            bold: rust_xlsxwriter::Format::new().set_bold(),
        })
    }

    fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), XlsxError> {
        if self.next_row == self.rows_per_sheet {
            self.next_sheet()?;
        }
        let is_header = self.header.is_none();
        if is_header {
            self.header = Some(cells.iter().map(|cell| cell.as_ref().to_owned()).collect());
        }
        self.write(cells, is_header)
    }

    fn next_sheet(&mut self) -> Result<(), XlsxError> {
        self.sheet += 1;
        let name = continuation_name(&self.name, self.sheet + 1);
        self.book
            .add_worksheet_with_constant_memory()?
            .set_name(name)?;
        self.next_row = 0;
        let header = self.header.clone().unwrap_or_default();
        self.write(&header, true)
    }

    fn write<S: AsRef<str>>(&mut self, cells: &[S], bold: bool) -> Result<(), XlsxError> {
        let sheet = self.book.worksheet_from_index(self.sheet)?;
        for (column, cell) in cells.iter().enumerate() {
            let (column, text) = (
                ColNum::try_from(column).unwrap_or(ColNum::MAX),
                cell.as_ref(),
            );
            if text.is_empty() {
                continue;
            }
            if bold {
                sheet.write_string_with_format(self.next_row, column, text, &self.bold)?;
            } else {
                sheet.write_string(self.next_row, column, text)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<W, XlsxError> {
        self.book.save_to_writer(&mut self.out)?;
        Ok(self.out)
    }
}

/// "Customers 2" for the second worksheet, shortening the name to fit Excel's limit.
fn continuation_name(name: &str, number: usize) -> String {
    let suffix = format!(" {number}");
    let room = SHEET_NAME_MAX - suffix.len();
    let mut used = 0;
    let shortened: String = name
        .chars()
        .take_while(|ch| {
            used += ch.len_utf16();
            used <= room
        })
        .collect();
    shortened + &suffix
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_rows_from;
    use calamine::Reader;
    use std::io::Cursor;
    use std::ops::ControlFlow;

    fn read(bytes: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut rows = Vec::new();
        read_rows_from(bytes, Format::Xlsx, |row, cells| {
            rows.push((row, cells));
            ControlFlow::Continue(())
        })
        .unwrap();
        rows
    }

    #[test]
    fn long_tables_continue_on_new_sheets() {
        let mut writer =
            TableWriter::new(Vec::new(), Path::new(IN_MEMORY), Format::Xlsx, "客户", 3).unwrap();
        writer.row(&["姓名", "手机"]).unwrap();
        for n in 0..5 {
            writer
                .row(&[format!("客户{n}"), format!("1380000000{n}")])
                .unwrap();
        }
        let bytes = writer.into_inner().unwrap();

        let book = calamine::Xlsx::new(Cursor::new(&bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["客户", "客户 2", "客户 3"]);
        let rows = read(&bytes);
        let numbers: Vec<u64> = rows.iter().map(|(row, _)| *row).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
        assert_eq!(rows[0].1, ["姓名", "手机"]);
        assert_eq!(rows[5].1, ["客户4", "13800000004"]);
    }

    #[test]
    fn sheets_with_another_header_are_not_read() {
        let mut book = Workbook::new();
        book.add_worksheet().write_row(0, 0, ["a", "b"]).unwrap();
        book.worksheet_from_index(0)
            .unwrap()
            .write_row(1, 0, ["1", "2"])
            .unwrap();
        book.add_worksheet().write_row(0, 0, ["other"]).unwrap();
        book.worksheet_from_index(1)
            .unwrap()
            .write_row(1, 0, ["3"])
            .unwrap();
        let rows = read(&book.save_to_buffer().unwrap());
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn continuation_names_fit_excel() {
        assert_eq!(continuation_name("客户", 2), "客户 2");
        let long = "客".repeat(40);
        let name = continuation_name(&long, 12);
        assert_eq!(name.encode_utf16().count(), SHEET_NAME_MAX);
        assert!(name.ends_with(" 12"));
    }
}
