//! XLSX reading, cell by cell from the worksheet XML.

use std::io::{Read, Seek};
use std::ops::ControlFlow;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, Xlsx, XlsxCellReader, XlsxError};

/// Reads the first worksheet, then each following one that repeats its header.
pub(crate) fn read<R: Read + Seek>(
    source: R,
    visit: &mut impl FnMut(u64, Vec<String>) -> ControlFlow<()>,
) -> Result<(), XlsxError> {
    let mut book = Xlsx::new(source)?;
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .collect();
    let mut table = Table {
        visit,
        header: None,
        last_row: 0,
    };
    for name in names {
        let mut cells = book.worksheet_cells_reader(&name)?;
        if table.read_sheet(&mut cells)?.is_break() {
            break;
        }
    }
    Ok(())
}

/// The rows read so far, across worksheets.
struct Table<'v, V> {
    visit: &'v mut V,
    header: Option<Vec<String>>,
    /// Number given to the last row visited.
    last_row: u64,
}

impl<V: FnMut(u64, Vec<String>) -> ControlFlow<()>> Table<'_, V> {
    /// Breaks when the reader should stop: asked to by `visit`, or on a worksheet that
    /// does not continue the table.
    fn read_sheet<R: Read + Seek>(
        &mut self,
        cells: &mut XlsxCellReader<'_, R>,
    ) -> Result<ControlFlow<()>, XlsxError> {
        // Sheet row and table row number of the header, mapping this sheet's rows to the table's.
        let mut anchor = self.header.is_none().then_some((0, 0));
        let mut row: Option<(u32, Vec<String>)> = None;
        while let Some(cell) = cells.next_cell()? {
            let (sheet_row, column) = cell.get_position();
            if let Some((done_row, done)) = row.take_if(|(at, _)| *at != sheet_row)
                && self.row(&mut anchor, done_row, done).is_break()
            {
                return Ok(ControlFlow::Break(()));
            }
            let (_, values) = row.get_or_insert_with(|| (sheet_row, Vec::new()));
            place(values, column as usize, cell_text(cell.get_value()));
        }
        Ok(match row {
            Some((sheet_row, values)) => self.row(&mut anchor, sheet_row, values),
            None => ControlFlow::Continue(()),
        })
    }

    fn row(
        &mut self,
        anchor: &mut Option<(u64, u64)>,
        sheet_row: u32,
        values: Vec<String>,
    ) -> ControlFlow<()> {
        if values.is_empty() {
            return ControlFlow::Continue(());
        }
        let sheet_row = u64::from(sheet_row) + 1;
        let Some((anchor_row, anchor_number)) = *anchor else {
            if self.header.as_ref() != Some(&values) {
                return ControlFlow::Break(());
            }
            *anchor = Some((sheet_row, self.last_row));
            return ControlFlow::Continue(());
        };
        if self.header.is_none() {
            self.header = Some(values.clone());
        }
        self.last_row = anchor_number + sheet_row.saturating_sub(anchor_row);
        (self.visit)(self.last_row, values)
    }
}

/// Puts a non-empty value at its column, filling skipped columns with empty strings.
fn place(values: &mut Vec<String>, column: usize, text: String) {
    if text.is_empty() {
        return;
    }
    if column >= values.len() {
        values.resize(column, String::new());
        values.push(text);
    } else {
        values[column] = text;
    }
}

/// Renders a cell as the user sees it in Excel, without number formatting: a mobile stored
/// as the number 13800138000 must come out as "13800138000".
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            text.trim().to_owned()
        }
        DataRef::SharedString(text) => text.trim().to_owned(),
        // Display gives the shortest round-trip form, never an exponent nor a trailing ".0".
        DataRef::Float(number) => number.to_string(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Bool(flag) => flag.to_string(),
        DataRef::DateTime(datetime) => datetime_text(datetime),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// "YYYY-MM-DD", with " HH:MM:SS" when there is a time of day; times alone and durations
/// as "HH:MM:SS".
fn datetime_text(datetime: &ExcelDateTime) -> String {
    if datetime.is_duration() || datetime.as_f64() < 1.0 {
        let seconds = (datetime.as_f64() * 86_400.0).round() as u64;
        return format!(
            "{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
    }
    let (year, month, day, hour, minute, second, _) = datetime.to_ymd_hms_milli();
    let date = format!("{year:04}-{month:02}-{day:02}");
    if (hour, minute, second) == (0, 0, 0) {
        date
    } else {
        format!("{date} {hour:02}:{minute:02}:{second:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(cell_text(&DataRef::Float(1.3800138E10)), "13800138000");
        assert_eq!(cell_text(&DataRef::Float(12.5)), "12.5");
        assert_eq!(cell_text(&DataRef::Int(-3)), "-3");
        assert_eq!(cell_text(&DataRef::Bool(true)), "true");
    }

    #[test]
    fn datetimes_read_as_iso() {
        let at = |value| {
            DataRef::DateTime(ExcelDateTime::new(
                value,
                ExcelDateTimeType::DateTime,
                false,
            ))
        };
        assert_eq!(cell_text(&at(45413.0)), "2024-05-01");
        assert_eq!(cell_text(&at(45413.5)), "2024-05-01 12:00:00");
        assert_eq!(cell_text(&at(0.75)), "18:00:00");
    }

    #[test]
    fn sparse_values_fill_gaps() {
        let mut values = Vec::new();
        place(&mut values, 2, "c".into());
        place(&mut values, 0, "a".into());
        place(&mut values, 4, String::new());
        assert_eq!(values, ["a", "", "c"]);
    }
}
