//! CSV reading: encoding and delimiter detection, then a streaming parse.

use std::io::{self, ErrorKind, Read, Seek};
use std::ops::ControlFlow;
use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::{SheetError, peek};

/// Reads CSV rows into `visit`, numbering them as Excel would show the file, and returns the
/// name of the encoding found.
pub(crate) fn read<R: Read + Seek>(
    mut source: R,
    origin: &Path,
    visit: &mut impl FnMut(u64, Vec<String>) -> ControlFlow<()>,
) -> Result<&'static str, SheetError> {
    let head = peek(&mut source, 64 * 1024).map_err(SheetError::io(origin))?;
    let encoding = detect_encoding(&head, &mut source).map_err(SheetError::io(origin))?;
    let delimiter = sniff_delimiter(&encoding.decode_with_bom_removal(&head).0);
    let decoded = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .build(source);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(decoded);
    let mut record = csv::StringRecord::new();
    let (mut row, mut next_line) = (0, 1);
    while reader
        .read_record(&mut record)
        .map_err(|source| SheetError::Csv {
            row: row + 1,
            source,
        })?
    {
        // The csv crate skips blank lines; count them back in from the line numbers.
        let line = record.position().map_or(next_line, csv::Position::line);
        row += 1 + line.saturating_sub(next_line);
        next_line = line + 1 + record.iter().map(count_newlines).sum::<u64>();
        let cells = record.iter().map(|cell| cell.trim().to_owned()).collect();
        if visit(row, cells).is_break() {
            break;
        }
    }
    Ok(if encoding == GB18030 {
        "GB18030"
    } else {
        encoding.name()
    })
}

fn count_newlines(cell: &str) -> u64 {
    cell.bytes().filter(|&byte| byte == b'\n').count() as u64
}

/// A byte order mark decides; otherwise a file that is valid UTF-8 throughout is UTF-8 and
/// anything else is taken for GB18030, which old Chinese systems export (GBK is a subset).
fn detect_encoding<R: Read + Seek>(head: &[u8], source: &mut R) -> io::Result<&'static Encoding> {
    if let Some((encoding, _)) = Encoding::for_bom(head) {
        return Ok(encoding);
    }
    let utf8 = is_utf8(source)?;
    source.rewind()?;
    Ok(if utf8 { UTF_8 } else { GB18030 })
}

/// Validates UTF-8 chunk by chunk, carrying a sequence cut by a chunk boundary over to the
/// next chunk, so that a large file is never held in memory.
fn is_utf8(source: &mut impl Read) -> io::Result<bool> {
    let mut buffer = vec![0; 64 * 1024];
    let mut carried = 0;
    loop {
        let filled = match source.read(&mut buffer[carried..]) {
            Ok(0) => return Ok(carried == 0),
            Ok(read) => carried + read,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        carried = match std::str::from_utf8(&buffer[..filled]) {
            Ok(_) => 0,
            Err(error) if error.error_len().is_none() => {
                buffer.copy_within(error.valid_up_to()..filled, 0);
                filled - error.valid_up_to()
            }
            Err(_) => return Ok(false),
        };
    }
}

/// Picks the most frequent of comma, tab and semicolon on the first non-blank line, with
/// comma for a tie or none.
fn sniff_delimiter(head: &str) -> u8 {
    let line = head
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    let count = |delimiter: u8| line.bytes().filter(|&byte| byte == delimiter).count();
    [b'\t', b';'].into_iter().fold(b',', |best, candidate| {
        if count(candidate) > count(best) {
            candidate
        } else {
            best
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn utf8_split_across_chunks_is_valid() {
        let mut text = "a".repeat(64 * 1024 - 1);
        text.push_str("粤B12345");
        assert!(is_utf8(&mut Cursor::new(text.as_bytes())).unwrap());
    }

    #[test]
    fn truncated_utf8_at_end_is_invalid() {
        let bytes = &"粤".as_bytes()[..2];
        assert!(!is_utf8(&mut Cursor::new(bytes)).unwrap());
    }

    #[test]
    fn delimiter_is_the_most_frequent() {
        assert_eq!(sniff_delimiter("a;b;c\n1,2;3"), b';');
        assert_eq!(sniff_delimiter("\r\na\tb,c\td"), b'\t');
        assert_eq!(sniff_delimiter("name"), b',');
    }
}
