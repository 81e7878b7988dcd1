//! Tabular files (CSV, XLSX) read and written as streams.
//!
//! Dealerships bring customer lists exported from old DMSs and spreadsheets: CSV in UTF-8,
//! UTF-16 or GBK/GB18030, and XLSX, sometimes with millions of rows. Reading visits one row
//! at a time and writing XLSX uses constant-memory worksheets, so memory stays flat
//! whatever the file size.

mod text;
mod workbook;
mod write;

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

pub use write::{TableWriter, write_to_bytes};

/// The two kinds of table file the system exchanges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Delimited text: comma, tab or semicolon separated.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
}

impl Format {
    /// Guesses the format a file is meant to have from its extension (`.csv`, `.txt`, `.tsv`,
    /// `.xlsx`), e.g. for choosing what to write; reading looks at the content instead.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "txt" | "tsv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// What reading found, so that an import can tell the user how their file was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableInfo {
    /// For a file, found from its content rather than its name.
    pub format: Format,
    /// Text encoding: "UTF-8", "UTF-16LE", "UTF-16BE" or "GB18030" (XLSX is always "UTF-8").
    pub encoding: &'static str,
}

/// Why a table could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// Opening, reading or writing the file failed (for in-memory tables the path is a label).
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The CSV text could not be read at that row (the underlying read failed).
    #[error("CSV row {row}: {source}")]
    Csv { row: u64, source: csv::Error },
    /// The file is not a readable XLSX workbook.
    #[error("reading XLSX: {0}")]
    XlsxRead(#[from] calamine::XlsxError),
    /// The workbook could not be written, e.g. an invalid sheet name or a cell over 32,767
    /// characters.
    #[error("writing XLSX: {0}")]
    XlsxWrite(#[from] rust_xlsxwriter::XlsxError),
    /// Nothing to import: no row has any content.
    #[error("the table is empty: it has no header row")]
    Empty,
}

impl SheetError {
    fn io(path: &Path) -> impl FnOnce(io::Error) -> SheetError {
        move |source| SheetError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Stands for the source of tables held in memory, in error messages.
const IN_MEMORY: &str = "(in-memory table)";

/// Reads a table row by row, choosing CSV or XLSX by the content (a ZIP signature means
/// XLSX), whatever the file's extension says.
///
/// Row numbers are those a spreadsheet user sees: the header is row 1 and the first data row
/// row 2 (for CSV the record's position, counting blank lines; for XLSX the worksheet row).
/// Wholly empty rows are not visited but keep their number. Cells are trimmed. The first
/// non-empty row is the header and is visited. `visit` returns `ControlFlow::Break` to stop
/// early, e.g. for a preview.
///
/// An XLSX workbook is read from its first worksheet on through each following worksheet
/// whose header row equals the first one's, as [`TableWriter`] splits tables longer than a
/// worksheet. Such a repeated header is not visited and row numbers go on from the previous
/// sheet's last row, so they match the row's position in the whole table.
pub fn read_rows(
    path: &Path,
    visit: impl FnMut(u64, Vec<String>) -> ControlFlow<()>,
) -> Result<TableInfo, SheetError> {
    let mut file = BufReader::new(File::open(path).map_err(SheetError::io(path))?);
    let format = if peek(&mut file, 4).map_err(SheetError::io(path))? == b"PK\x03\x04" {
        Format::Xlsx
    } else {
        Format::Csv
    };
    read_source(file, format, path, visit)
}

/// Same as [`read_rows`] for a table held in memory, in the given format.
pub fn read_rows_from(
    bytes: &[u8],
    format: Format,
    visit: impl FnMut(u64, Vec<String>) -> ControlFlow<()>,
) -> Result<TableInfo, SheetError> {
    read_source(Cursor::new(bytes), format, Path::new(IN_MEMORY), visit)
}

fn read_source<R: Read + Seek>(
    source: R,
    format: Format,
    origin: &Path,
    mut visit: impl FnMut(u64, Vec<String>) -> ControlFlow<()>,
) -> Result<TableInfo, SheetError> {
    let mut has_header = false;
    let mut visit_filled = |row, cells: Vec<String>| {
        if cells.iter().all(String::is_empty) {
            return ControlFlow::Continue(());
        }
        has_header = true;
        visit(row, cells)
    };
    let encoding = match format {
        Format::Csv => text::read(source, origin, &mut visit_filled)?,
        Format::Xlsx => {
            workbook::read(source, &mut visit_filled)?;
            "UTF-8"
        }
    };
    if !has_header {
        return Err(SheetError::Empty);
    }
    Ok(TableInfo { format, encoding })
}

/// Reads up to `len` bytes from the start of `source` and rewinds it.
fn peek<R: Read + Seek>(source: &mut R, len: u64) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    source.by_ref().take(len).read_to_end(&mut head)?;
    source.rewind()?;
    Ok(head)
}
